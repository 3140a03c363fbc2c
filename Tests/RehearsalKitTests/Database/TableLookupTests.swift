import Foundation
import GRDB
import Testing
@testable import RehearsalKit

/// `hasTable` answers what GRDB's `tableExists` answers, for every kind of name the engine asks.
@Suite struct TableLookupTests {
    @Test func answersAsGRDBDoesInEverySchema() throws {
        let attached = FileManager.default.temporaryDirectory.appendingPathComponent("rehearse-lookup-\(UUID().uuidString).db").path
        defer { try? FileManager.default.removeItem(atPath: attached) }
        try DatabaseOpener.open(path: nil).writeWithoutTransaction { db in
            try db.execute(sql: """
                CREATE TABLE Decisions (id TEXT);
                CREATE TABLE counted (id INTEGER PRIMARY KEY AUTOINCREMENT);
                CREATE TABLE "dé" (x);
                CREATE TEMP TABLE scratch (x);
                CREATE VIEW recent AS SELECT 1;
                CREATE TABLE hidden (x);
                CREATE TEMP VIEW hidden AS SELECT 1;
                CREATE INDEX decisions_id ON Decisions (id);
                """)
            let names = ["Decisions", "decisions", "DECISIONS", "scratch", "recent", "decisions_id", "missing", "elsewhere", "sqlite_master", "SQLITE_temp_master", "sqlite_sequence", "", "dé", "DÉ", "de\u{301}", "hidden", "HIDDEN"]
            for name in names { #expect(try db.hasTable(name) == db.tableExists(name), "\(name)") }
            #expect(try db.hasTable("decisions") && db.hasTable("scratch") && db.hasTable("DÉ"))
            // A temp view does not hide the main table of the same name.
            #expect(try db.hasTable("hidden"))
            #expect(try !db.hasTable("recent") && !db.hasTable("decisions_id") && !db.hasTable("missing"))

            // A table only an attached database holds: found there, as GRDB finds it.
            try db.execute(sql: "ATTACH DATABASE ? AS other", arguments: [attached])
            try db.execute(sql: "CREATE TABLE other.elsewhere (y)")
            #expect(try db.hasTable("elsewhere"))
            for name in names { #expect(try db.hasTable(name) == db.tableExists(name), "\(name) with a database attached") }
        }
    }
}
