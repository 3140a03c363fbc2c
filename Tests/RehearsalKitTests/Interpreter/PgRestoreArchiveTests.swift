import Foundation
import GRDB
import Testing
@testable import RehearsalKit

/// pg_restore copies each table's rows from the archive attached to the connection
/// (`ArchiveAttachment`): what the attached copy must survive.
@Suite struct PgRestoreArchiveTests {
    /// An archive taken from a database in WAL mode (a served stack's) restores: its header keeps
    /// WAL's file format numbers, which SQLite's in-memory files refuse unless they are reset.
    @Test func anArchiveOfAWALDatabaseRestores() throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("rehearse-wal-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let queue = try DatabaseOpener.open(path: directory.appendingPathComponent("stack.db").path)
        try queue.writeWithoutTransaction { db in
            #expect(try String.fetchOne(db, sql: "PRAGMA journal_mode = WAL") == "wal")
            try Migrator(chain: RevisionChain.shipped()).upgrade(db, to: "005_add_immutability_triggers")
            _ = try Seeder(profile: .small, seed: 5, now: Timestamp(seconds: 1_768_381_200)).seed(db)
            // The application's rows (pg_restore also writes the catalogue state it keeps with
            // the objects: trigger states, enum labels).
            func rows() throws -> [String] { try dataDump(db).filter { !$0.hasPrefix("rehearse_") } }
            let before = try rows()
            let backup = try Backup.take(db, name: "wal", at: Timestamp(seconds: 0))
            // A file another process may write between the copy and the reads: read from the copy.
            #expect(backup.catalog == nil)
            let outcome = try PgRestore.restore(backup, into: db, clean: true, ifExists: false, singleTransaction: false)
            #expect(outcome.errors == 0, "\(outcome.messages)")
            #expect(try rows() == before)
        }
    }

    /// A backup's catalogue is read when it is taken, on the connection it was copied from: it is
    /// the copy's own, even with temp tables on that connection shadowing the bookkeeping tables
    /// and a parent table (the copy has main only), with a trigger disabled and an enum label added.
    @Test func theCatalogueTakenWithTheBackupIsTheCopysOwn() throws {
        try DatabaseOpener.open(path: nil).writeWithoutTransaction { db in
            try Migrator(chain: RevisionChain.shipped()).upgrade(db, to: "head")
            _ = try Seeder(profile: .small, seed: 5, now: Timestamp(seconds: 1_768_381_200)).seed(db)
            try db.execute(sql: "INSERT INTO rehearse_trigger_state (tgname, tgenabled) VALUES ('decisions_immutable', 'D')")
            try db.execute(sql: "INSERT INTO rehearse_enum_labels (typname, enumsortorder, enumlabel) SELECT typname, 99, 'extra' FROM rehearse_enum_labels LIMIT 1")
            try db.execute(sql: "CREATE TEMP TABLE rehearse_enum_labels (typname TEXT, enumlabel TEXT, enumsortorder REAL)")
            try db.execute(sql: "INSERT INTO temp.rehearse_enum_labels VALUES ('shadow_type', 'x', 1)")
            try db.execute(sql: "CREATE TEMP TABLE rehearse_trigger_state (tgname TEXT, tgenabled TEXT)")
            try db.execute(sql: "CREATE TEMP TABLE decisions (id TEXT, other_id TEXT REFERENCES users(id))")
            let backup = try Backup.take(db, name: "shadowed", at: Timestamp(seconds: 0))
            #expect(backup.catalog != nil, "read when taken, from an in-memory database")
            let taken = try backup.dumpCatalog()
            let copy = try backup.image.read { try DumpCatalog($0) }
            #expect(taken.tableOfContents(database: "d", createdAt: Timestamp(seconds: 0)) == copy.tableOfContents(database: "d", createdAt: Timestamp(seconds: 0)))
            #expect(taken.tables == copy.tables && taken.allTables == copy.allTables && taken.allTables.contains("rehearse_enum_labels"))
            #expect(backup.tableNames == Set(try backup.image.read { try String.fetchAll($0, sql: "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'") }))
            #expect(taken.types == copy.types && taken.types["shadow_type"] == nil && taken.types.values.contains { $0.contains("extra") })
            #expect(taken.triggerState == copy.triggerState && taken.triggerState["decisions_immutable"] == "D")
            #expect(taken.foreignKeys == copy.foreignKeys && taken.foreignKeys.contains { $0.table == "decisions" && $0.column == "exception_id" })
            #expect(taken.typeColumns.map { "\($0.key) \($0.value.map { "\($0.table).\($0.column)" })" }.sorted()
                    == copy.typeColumns.map { "\($0.key) \($0.value.map { "\($0.table).\($0.column)" })" }.sorted())
            #expect(taken.indexes == copy.indexes && taken.triggers == copy.triggers)
        }
    }

    /// The enum columns pg_restore names in its errors are read from each table's CHECK names on
    /// the bytes; they are what the pattern the catalogue used to compile per table and type
    /// finds, on every table of the shipped schema and on names built to trip a cut: types
    /// that end one another, a column with underscores, a name not followed by CHECK.
    @Test func enumColumnsAreWhatThePatternFinds() throws {
        func byPattern(_ sql: String, _ table: String, _ type: String) -> [String] {
            let regex = try! NSRegularExpression(pattern: "CONSTRAINT \(table)_([A-Za-z0-9_]+)_\(type) CHECK")
            return regex.matches(in: sql, range: NSRange(sql.startIndex..., in: sql)).map { String(sql[Range($0.range(at: 1), in: sql)!]) }
        }
        var samples: [(table: String, sql: String)] = [
            ("t", "CREATE TABLE t (a, CONSTRAINT t_review_status_status CHECK (a IN ('x')), CONSTRAINT t_b_x_status CHECK (1), CONSTRAINT t_c_status NOT NULL, CONSTRAINT t__status CHECK (1), CONSTRAINT t_d_status  CHECK (1), CONSTRAINT t_e_status CHECK(1)CONSTRAINT t_f_é_status CHECK (1))"),
        ]
        let db = try DatabaseOpener.open(path: nil)
        try db.writeWithoutTransaction { db in
            try Migrator(chain: RevisionChain.shipped()).upgrade(db, to: "head")
            for row in try Row.fetchAll(db, sql: "SELECT name, sql FROM sqlite_master WHERE type = 'table' AND sql IS NOT NULL") { samples.append((row[0], row[1])) }
        }
        let types = ["status", "x_status", "review_status", "decision_type", "proposal_status", "user_role", "e"]
        var typed = 0
        for (table, sql) in samples {
            let found = DumpCatalog.enumColumns(in: sql, table: table)
            for type in types {
                let columns = found.filter { $0.type == type }.map(\.column)
                #expect(columns == byPattern(sql, table, type), "\(table) \(type)")
                typed += columns.count
            }
        }
        #expect(typed > 5, "the schema's enum columns were found, so the comparison compared something")
    }
}
