import Foundation
import GRDB
import Testing
@testable import RehearsalKit

/// `schema.matches_revision` and `migrate validate`: the live schema against what the
/// migrations produce at the recorded revision, every kind of drift listed; queries that a
/// drift makes impossible are `unknown`, never `broken`.
@Suite struct SchemaDriftTests {
    func notes(_ db: Database) throws -> [String] {
        try evaluate("schema.matches_revision", db).evidence.map(\.note)
    }

    @Test func holdsAtEveryRevisionOfTheChain() throws {
        let chain = try RevisionChain.shipped()
        for target in [nil] + chain.revisions.map(\.id) {
            let queue = try makeDatabase(migratedTo: target)
            try queue.read { db in
                let status = try evaluate("schema.matches_revision", db)
                #expect(status.holds, "\(target ?? "base"): \(status)")
            }
        }
    }

    @Test func holdsAfterADowngradeAndOnSeededData() throws {
        let (queue, _) = try makeSeededDatabase()
        try queue.writeWithoutTransaction { db in
            #expect(try evaluate("schema.matches_revision", db).holds)
            try Migrator(chain: try RevisionChain.shipped()).downgrade(db, to: "005_add_immutability_triggers")
            #expect(try evaluate("schema.matches_revision", db).holds)
        }
    }

    /// Each drift, made behind the migrator's back, is broken with its own line of evidence.
    @Test(arguments: [
        ("ALTER TABLE pending_proposals DROP COLUMN reviewed_by", "column pending_proposals.reviewed_by is missing"),
        ("ALTER TABLE agent_traces ADD COLUMN note TEXT", "column agent_traces.note is not created by the migrations"),
        ("CREATE TABLE scratch (id INTEGER PRIMARY KEY)", "table scratch is not created by the migrations"),
        ("DROP INDEX idx_pending_proposals_status", "index idx_pending_proposals_status is missing"),
        ("CREATE INDEX idx_extra ON decisions (decided_at)", "index idx_extra is not created by the migrations"),
        ("DROP TRIGGER audit_events_immutable_delete", "trigger audit_events_immutable_delete is missing"),
        ("INSERT INTO rehearse_trigger_state VALUES ('decisions_immutable', 'D')", "trigger decisions_immutable is disabled (tgenabled D), expected enabled (tgenabled O)"),
        ("INSERT INTO rehearse_enum_labels VALUES ('proposal_status', 9, 'archived')", "type proposal_status has labels (pending, approved, rejected, expired, archived), expected (pending, approved, rejected, expired)"),
        ("DELETE FROM rehearse_enum_labels WHERE typname = 'proposal_type'", "type proposal_type is missing"),
        ("CREATE VIEW v AS SELECT 1", "view v is not created by the migrations"),
    ])
    func everyKindOfDriftIsListed(sql: String, expected: String) throws {
        let queue = try makeDatabase()
        try queue.writeWithoutTransaction { db in
            try db.execute(sql: sql)
            let status = try evaluate("schema.matches_revision", db)
            #expect(status.isBroken)
            let found = try notes(db)
            #expect(found.contains(expected), "\(found)")
        }
    }

    /// A table rebuilt with a changed type, a missing NOT NULL, a changed default, a dropped
    /// CHECK and a dropped foreign key: every one of them named.
    @Test func aRebuiltTableListsEachChangedDefinition() throws {
        let queue = try makeDatabase()
        try queue.writeWithoutTransaction { db in
            let original = try String.fetchOne(db, sql: "SELECT sql FROM sqlite_master WHERE name = 'pending_proposals'")!
            #expect(original.contains("REFERENCES"), "006 declares foreign keys")
            try db.execute(sql: "PRAGMA foreign_keys = OFF; PRAGMA legacy_alter_table = ON")
            try db.execute(sql: "ALTER TABLE pending_proposals RENAME TO old_pending")
            // Same columns, but every constraint dropped and one type changed.
            let columns = try Row.fetchAll(db, sql: "PRAGMA table_info(old_pending)").map { row -> String in
                let name: String = row["name"]
                return name == "proposed_by" ? "\(name) BLOB" : "\(name) \(row["type"] as String)"
            }
            try db.execute(sql: "CREATE TABLE pending_proposals (\(columns.joined(separator: ", ")))")
            try db.execute(sql: "DROP TABLE old_pending")
            let found = try notes(db)
            #expect(found.contains { $0.hasPrefix("column pending_proposals.proposed_by: type BLOB, expected TEXT") }, "\(found)")
            #expect(found.contains { $0.hasPrefix("column pending_proposals.id:") && $0.contains("not in the primary key") }, "\(found)")
            #expect(found.contains { $0.hasPrefix("CONSTRAINT pending_proposals_payload_jsonb CHECK (payload IS NULL OR (json_valid(payload)))") && $0.hasSuffix("of pending_proposals is missing") }, "\(found)")
            #expect(found.contains { $0.hasPrefix("FOREIGN KEY") && $0.hasSuffix("of pending_proposals is missing") }, "\(found)")
            #expect(found.contains { $0.contains("NOT NULL is missing") }, "\(found)")
            #expect(found.contains("index idx_pending_proposals_status is missing"), "the rebuild dropped its indexes: \(found)")
        }
    }

    @Test func twoRowsInAlembicVersionIsUnknownHereAndBrokenInSchemaRevision() throws {
        let queue = try makeDatabase()
        try queue.writeWithoutTransaction { db in
            try db.execute(sql: "INSERT INTO alembic_version VALUES ('006_add_pending_proposals')")
            let status = try evaluate("schema.matches_revision", db)
            #expect(status == .unknown(reason: "could not evaluate: alembic_version has 2 rows, so there is no one revision to compare with"))
            #expect(try evaluate("schema.revision", db).isBroken)
        }
    }

    /// The issue's example: a query that reads a dropped column cannot judge the invariant,
    /// so it is unknown (with a pointer to the drift), and only the drift is broken.
    @Test func aDroppedColumnMakesReadersUnknownNotBroken() throws {
        let (queue, _) = try makeSeededDatabase()
        try queue.writeWithoutTransaction { db in
            try db.execute(sql: "ALTER TABLE decisions DROP COLUMN rationale")
            let context = InvariantContext(db: db, chain: try RevisionChain.shipped(), now: Seeder.defaultNow)
            let results = try InvariantCatalog.standard.evaluate(context)
            let broken = results.filter(\.status.isBroken).map(\.info.id)
            #expect(broken == ["schema.matches_revision"], "\(results.filter(\.status.isBroken))")
            let hardOverride = results.first { $0.info.id == "constraint.hard_override_requires_approval" }!.status
            guard case .unknown(let reason) = hardOverride else { Issue.record("\(hardOverride)"); return }
            #expect(reason.contains("see schema.matches_revision"))
            // The immutability probe still tests the trigger through another column.
            #expect(results.first { $0.info.id == "immutability.decisions" }!.status.holds)
        }
    }

    @Test func migrateValidateListsEveryDifferenceAndExitsOne() throws {
        let directory = try makeTemporaryDirectory()
        let db = directory.appendingPathComponent("g.db").path
        #expect(try runRehearse(["migrate", "upgrade", "head", "--db", db]).status == 0)
        let clean = try runRehearse(["migrate", "validate", "--db", db])
        #expect(clean.status == 0)
        #expect(clean.stdout.contains("the schema matches the migrations"))
        let queue = try DatabaseQueue(path: db)
        try queue.writeWithoutTransaction { db in
            try db.execute(sql: "ALTER TABLE pending_proposals DROP COLUMN reviewed_by; DROP INDEX idx_agent_traces_status")
        }
        let drifted = try runRehearse(["migrate", "validate", "--db", db])
        #expect(drifted.status == 1)
        #expect(drifted.stdout.contains("  - column pending_proposals.reviewed_by is missing"))
        #expect(drifted.stdout.contains("  - index idx_agent_traces_status is missing"))
        #expect(drifted.stderr == "\(db): error: the schema differs from what the migrations produce at 007_add_agent_traces: 2 difference(s), listed above\n")
        let check = try runRehearse(["check", "--db", db])
        #expect(check.status == 1)
        #expect(check.stdout.contains("BROKEN  schema.matches_revision"))

        try queue.writeWithoutTransaction { db in
            try db.execute(sql: "INSERT INTO alembic_version VALUES ('006_add_pending_proposals')")
        }
        let twoRows = try runRehearse(["migrate", "validate", "--db", db])
        #expect(twoRows.status == 1)
        #expect(twoRows.stderr.contains("alembic_version has 2 rows"))
    }

    /// Under the strict rule an invariant that could not be evaluated fails the step unless
    /// the step expects it `unknown:`; and an invariant cannot be expected two ways.
    @Test func scenariosExpectUnknownByName() throws {
        let directory = try makeTemporaryDirectory()
        func scenario(_ expect: String) throws -> String {
            let path = directory.appendingPathComponent("drift-\(expect.count).yaml").path
            try """
                name: drift
                seed: 1
                fixtures: small
                revision: head
                steps:
                  - sql: "DROP TABLE agent_traces"
                    expect: \(expect)
                """.write(toFile: path, atomically: true, encoding: .utf8)
            return path
        }
        let unexpected = try runRehearse(["run", try scenario("{broken: [schema.matches_revision, schema.sprint3_objects]}")])
        #expect(unexpected.status == 1)
        #expect(unexpected.stdout.contains("expected no unexpected unknown invariant: traces.no_pii could not be evaluated"), "\(unexpected.stdout)")
        #expect(unexpected.stdout.contains("[11 hold, 2 broken, 1 unknown, 5 n/a]"), "\(unexpected.stdout)")
        #expect(unexpected.stdout.contains("- agent_traces: table agent_traces is missing"))
        #expect(!unexpected.stdout.contains("index idx_agent_traces_status is missing"), "a dropped table's indexes go with it")
        let expected = try runRehearse(["run", try scenario("{broken: [schema.matches_revision, schema.sprint3_objects], unknown: [traces.no_pii]}")])
        #expect(expected.status == 0, "\(expected.stdout)")
        let conflicting = try scenario("{hold: [traces.no_pii], unknown: [traces.no_pii]}")
        let refused = try runRehearse(["run", conflicting])
        #expect(refused.status == 2)
        #expect(refused.stderr.contains("invariant 'traces.no_pii' cannot be expected both to hold and to be unknown"), "\(refused.stderr)")
    }
}
