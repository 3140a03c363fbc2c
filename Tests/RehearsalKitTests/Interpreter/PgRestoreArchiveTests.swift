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
            let outcome = try PgRestore.restore(backup, into: db, clean: true, ifExists: false, singleTransaction: false)
            #expect(outcome.errors == 0, "\(outcome.messages)")
            #expect(try rows() == before)
        }
    }
}
