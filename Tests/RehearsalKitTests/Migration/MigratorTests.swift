import Foundation
import GRDB
import Testing
@testable import RehearsalKit

@Suite struct MigratorTests {
    @Test func upToHeadThenDownToBaseLeavesNoApplicationTable() throws {
        let queue = try makeDatabase(migratedTo: "head")
        try queue.writeWithoutTransaction { db in
            #expect(try applicationTables(db).count == 11)
            let lines = try Migrator(chain: RevisionChain.shipped()).downgrade(db, to: "base")
            #expect(lines.count == 7)
            #expect(try applicationTables(db) == [])
            #expect(try String.fetchAll(db, sql: "SELECT name FROM sqlite_master WHERE type IN ('index', 'trigger') AND name NOT LIKE 'sqlite_autoindex%'") == [])
            #expect(try Int.fetchOne(db, sql: "SELECT count(*) FROM rehearse_enum_labels") == 0)
            #expect(try Migrator(chain: RevisionChain.shipped()).current(db) == nil)
        }
    }

    @Test(arguments: try RevisionChain.shipped().revisions.map(\.id))
    func upDownUpOfEachRevisionGivesTheIdenticalSchema(revision: String) throws {
        let chain = try RevisionChain.shipped()
        let queue = try makeDatabase(migratedTo: nil)
        try queue.writeWithoutTransaction { db in
            let migrator = Migrator(chain: chain)
            let index = chain.revisions.firstIndex { $0.id == revision }!
            try MigrationBookkeeping.create(db)
            if index > 0 { try migrator.upgrade(db, to: chain.revisions[index - 1].id) }
            try SchemaFixture.insertAll(db)
            let before = try schemaDump(db)
            try migrator.upgrade(db, to: "+1")
            let up = try schemaDump(db)
            #expect(up != before)
            try migrator.downgrade(db, to: "-1")
            #expect(try schemaDump(db) == before)
            try migrator.upgrade(db, to: "+1")
            #expect(try schemaDump(db) == up)
            #expect(try migrator.current(db) == revision)
        }
    }

    @Test func upgradePrintsAlembicsLines() throws {
        let queue = try makeDatabase(migratedTo: "005_add_immutability_triggers")
        try queue.writeWithoutTransaction { db in
            let migrator = Migrator(chain: try RevisionChain.shipped())
            #expect(try migrator.upgrade(db, to: "+1") == [
                "INFO  [alembic.runtime.migration] Running upgrade 005_add_immutability_triggers -> 006_add_pending_proposals, add pending proposals",
            ])
            #expect(try migrator.currentLine(db) == "006_add_pending_proposals")
            try migrator.upgrade(db, to: "+1")
            #expect(try migrator.currentLine(db) == "007_add_agent_traces (head)")
            #expect(try migrator.downgrade(db, to: "-1") == [
                "INFO  [alembic.runtime.migration] Running downgrade 007_add_agent_traces -> 006_add_pending_proposals, add agent traces",
            ])
        }
    }

    @Test func partialRevisionIdsAndInvalidTargetsAreHandledLikeAlembic() throws {
        let queue = try makeDatabase(migratedTo: "005")
        try queue.writeWithoutTransaction { db in
            let migrator = Migrator(chain: try RevisionChain.shipped())
            #expect(try migrator.current(db) == "005_add_immutability_triggers")
            #expect(throws: MigrationError.invalidTarget(target: "+3", reason: "Relative revision +3 didn't produce 3 migrations")) {
                try migrator.upgrade(db, to: "+3")
            }
            #expect(throws: MigrationError.invalidTarget(target: "00", reason: "ambiguous: matches 001_create_users_and_policies, 002_create_signals_evaluations, 003_create_exceptions_decisions, 004_create_audit_events, 005_add_immutability_triggers, 006_add_pending_proposals, 007_add_agent_traces")) {
                try migrator.upgrade(db, to: "00")
            }
            #expect(throws: MigrationError.invalidTarget(target: "009", reason: "no such revision")) {
                try migrator.upgrade(db, to: "009")
            }
            #expect(try migrator.current(db) == "005_add_immutability_triggers")
        }
    }

    @Test func historyListsNewestFirstWithHeadAndCurrent() throws {
        let migrator = Migrator(chain: try RevisionChain.shipped())
        let lines = migrator.history(verbose: false, current: "005_add_immutability_triggers")
        #expect(lines.first == "006_add_pending_proposals -> 007_add_agent_traces (head), add agent traces")
        #expect(lines.contains("004_create_audit_events -> 005_add_immutability_triggers (current), add immutability triggers"))
        #expect(lines.last == "<base> -> 001_create_users_and_policies, create users, policies and policy versions")
        #expect(migrator.history(verbose: true).first!.contains("Path: migrations-sqlite/007_add_agent_traces.sql"))
    }

    @Test func preMigrationValidationRefusesAConflictingTypeAndChangesNothing() throws {
        let queue = try makeDatabase(migratedTo: "005")
        try queue.writeWithoutTransaction { db in
            try db.execute(sql: "INSERT INTO rehearse_enum_labels VALUES ('proposal_status', 1, 'pending')")
            let before = try schemaDump(db) + dataDump(db)
            let migrator = Migrator(chain: try RevisionChain.shipped())
            #expect(throws: MigrationError.conflictingObjects(
                revision: "006_add_pending_proposals", path: "migrations-sqlite/006_add_pending_proposals.sql",
                objects: ["type \"proposal_status\""])) {
                try migrator.upgrade(db, to: "head")
            }
            #expect(try schemaDump(db) + dataDump(db) == before)
        }
    }

    @Test func preMigrationValidationRefusesAConflictingTable() throws {
        let queue = try makeDatabase(migratedTo: "006")
        try queue.writeWithoutTransaction { db in
            try db.execute(sql: "CREATE TABLE agent_traces (x TEXT)")
            let error = #expect(throws: MigrationError.self) { try Migrator(chain: try RevisionChain.shipped()).upgrade(db, to: "head") }
            #expect(error?.description == "migrations-sqlite/007_add_agent_traces.sql: error: pre-migration validation failed: revision 007_add_agent_traces would create table \"agent_traces\", which already exists; nothing was changed")
            #expect(try Migrator(chain: try RevisionChain.shipped()).current(db) == "006_add_pending_proposals")
        }
    }

    @Test func aRevisionThatFailsMidwayLeavesEverythingAsItWas() throws {
        let queue = try makeDatabase(migratedTo: "005")
        var migrator = Migrator(chain: try RevisionChain.shipped())
        // Fail at the third statement of 006: the types and the table exist by then.
        migrator.beforeStatement = { _, revision, index in
            if revision.id == "006_add_pending_proposals" && index == 3 {
                throw DatabaseError(resultCode: .SQLITE_ERROR, message: "injected failure")
            }
        }
        try queue.writeWithoutTransaction { db in
            try SchemaFixture.insertAll(db)
            let before = try schemaDump(db) + dataDump(db)
            let error = #expect(throws: MigrationError.self) { try migrator.upgrade(db, to: "head") }
            #expect(error?.description == "migrations-sqlite/006_add_pending_proposals.sql:39:1: error: upgrade 006_add_pending_proposals failed and was rolled back: injected failure (statement: CREATE INDEX idx_pending_proposals_status ON pending_proposals (status);)")
            #expect(error?.exitStatus == .failed)
            #expect(try schemaDump(db) + dataDump(db) == before)
            #expect(try migrator.current(db) == "005_add_immutability_triggers")
        }
    }

    @Test func aBrokenStatementInARevisionFileNamesFileLineAndStatement() throws {
        let directory = try copyOfShippedMigrations()
        let file = directory.appendingPathComponent("007_add_agent_traces.sql")
        var text = try String(contentsOf: file, encoding: .utf8)
        text = text.replacingOccurrences(of: "CREATE INDEX idx_agent_traces_status ON agent_traces (status);", with: "CREATE INDEX idx_agent_traces_status ON agent_traces (no_such_column);")
        try text.write(to: file, atomically: true, encoding: .utf8)
        let chain = try RevisionChain.load(directory: directory.path)
        let queue = try makeDatabase(migratedTo: "006")
        try queue.writeWithoutTransaction { db in
            let before = try schemaDump(db)
            let error = #expect(throws: MigrationError.self) { try Migrator(chain: chain).upgrade(db, to: "head") }
            #expect(error?.description.hasPrefix("\(file.path):") == true)
            #expect(error?.description.contains("no such column: no_such_column") == true)
            #expect(error?.description.contains("statement: CREATE INDEX idx_agent_traces_status ON agent_traces (no_such_column);") == true)
            #expect(try schemaDump(db) == before)
        }
    }

    @Test func revisionFilesWithWindowsLineEndsGiveTheSameSchema() throws {
        let directory = try copyOfShippedMigrations()
        for name in try FileManager.default.contentsOfDirectory(atPath: directory.path) where name.hasSuffix(".sql") {
            let file = directory.appendingPathComponent(name)
            let text = try String(contentsOf: file, encoding: .utf8)
            try ("\u{FEFF}" + text.replacingOccurrences(of: "\n", with: "\r\n")).write(to: file, atomically: true, encoding: .utf8)
        }
        let chain = try RevisionChain.load(directory: directory.path)
        #expect(chain.revisions.map(\.id) == (try RevisionChain.shipped()).revisions.map(\.id))
        let crlf = try DatabaseOpener.open(path: nil)
        try crlf.writeWithoutTransaction { db in _ = try Migrator(chain: chain).upgrade(db, to: "head") }
        let expected = try makeDatabase().read { try schemaDump($0) }
        #expect(try crlf.read { try schemaDump($0) } == expected)
    }

    @Test func anEditedAppliedRevisionIsDetectedAndNamed() throws {
        let directory = try copyOfShippedMigrations()
        let path = directory.appendingPathComponent("006_add_pending_proposals.sql")
        let queue = try makeDatabase(migratedTo: nil)
        try queue.writeWithoutTransaction { db in
            try Migrator(chain: try RevisionChain.load(directory: directory.path)).upgrade(db, to: "006")
            try (String(contentsOf: path, encoding: .utf8) + "\n-- edited after it ran\n").write(to: path, atomically: true, encoding: .utf8)
            let edited = Migrator(chain: try RevisionChain.load(directory: directory.path))
            #expect(try edited.changedRevisions(db).map(\.id) == ["006_add_pending_proposals"])
            let error = #expect(throws: MigrationError.self) { try edited.upgrade(db, to: "head") }
            #expect(error?.description == "error: applied revision file changed since it was applied: 006_add_pending_proposals (\(path.path)); restore the file or re-create the database")
            #expect(try edited.current(db) == "006_add_pending_proposals")
        }
    }

    @Test func aDatabaseAtAnUnknownRevisionIsRefused() throws {
        let queue = try makeDatabase(migratedTo: "002")
        try queue.writeWithoutTransaction { db in
            try db.execute(sql: "UPDATE alembic_version SET version_num = '099_future'")
            #expect(throws: MigrationError.unknownDatabaseRevision(id: "099_future")) {
                try Migrator(chain: try RevisionChain.shipped()).upgrade(db, to: "head")
            }
        }
    }
}

/// A writable copy of the shipped revisions, for tests that edit or break one.
func copyOfShippedMigrations() throws -> URL {
    let directory = try makeTemporaryDirectory().appendingPathComponent("migrations")
    try FileManager.default.copyItem(atPath: ShippedResources.migrationsDirectory, toPath: directory.path)
    return directory
}
