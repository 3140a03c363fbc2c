import GRDB
import Testing
@testable import RehearsalKit

/// The translated schema enforces what Postgres enforces, by real statements that really abort.
@Suite struct SchemaConstraintTests {
    func migratedWithFixture() throws -> DatabaseQueue {
        let queue = try makeDatabase()
        try queue.write { db in try SchemaFixture.insertAll(db) }
        return queue
    }

    /// The SQLite message of the error `sql` raises, or nil when it succeeds.
    func failure(_ queue: DatabaseQueue, _ sql: String) throws -> String? {
        do {
            try queue.write { db in try db.execute(sql: sql) }
            return nil
        } catch let error as DatabaseError {
            return error.message
        }
    }

    @Test(arguments: [
        ("decisions", SchemaFixture.decisionId, "rationale = 'changed'"),
        ("evidence_packs", SchemaFixture.evidenceId, "content_hash = 'changed'"),
        ("audit_events", nil, "action = 'changed'"),
    ] as [(String, String?, String)])
    func immutableTablesAcceptInsertsAndAbortUpdatesAndDeletes(table: String, id: String?, assignment: String) throws {
        let queue = try migratedWithFixture()
        let key = id.map { "id = '\($0)'" } ?? "id = 1"
        let before = try queue.read { db in try dataDump(db) }
        #expect(try failure(queue, "UPDATE \(table) SET \(assignment) WHERE \(key)") == "\(table) is immutable: UPDATE rejected by trigger \(table)_immutable")
        #expect(try failure(queue, "DELETE FROM \(table) WHERE \(key)") == "\(table) is immutable: DELETE rejected by trigger \(table)_immutable")
        #expect(try queue.read { db in try dataDump(db) } == before)
    }

    @Test func insertsIntoImmutableTablesSucceed() throws {
        let queue = try migratedWithFixture()
        #expect(try failure(queue, "INSERT INTO audit_events (occurred_at, actor, action, entity_type) VALUES ('2026-01-14T10:00:00Z', 'system', 'x', 'y')") == nil)
        #expect(try failure(queue, SchemaFixture.variantInsert("decisions", column: "rationale", literal: "'second'")) == nil)
        #expect(try queue.read { db in try Int.fetchOne(db, sql: "SELECT count(*) FROM decisions") } == 2)
    }

    @Test func aDisabledTriggerLetsTheUpdateThrough() throws {
        // tgenabled = 'D' is how ALTER TABLE ... DISABLE TRIGGER is represented; the fault uses it.
        let queue = try migratedWithFixture()
        try queue.write { db in try db.execute(sql: "INSERT INTO rehearse_trigger_state VALUES ('decisions_immutable', 'D')") }
        #expect(try failure(queue, "UPDATE decisions SET rationale = 'tampered'") == nil)
        #expect(try failure(queue, "UPDATE evidence_packs SET content_hash = 'x'") != nil)
    }

    @Test func hardOverrideWithoutApprovalIsRejectedByName() throws {
        let queue = try migratedWithFixture()
        let noApprover = SchemaFixture.variantInsert("decisions", column: "is_hard_override", literal: "1")
        #expect(try failure(queue, noApprover) == "CHECK constraint failed: ck_hard_override_requires_approval")
        let approverOnly = noApprover.replacingOccurrences(of: "(id,", with: "(approved_by, id,")
            .replacingOccurrences(of: "VALUES (", with: "VALUES ('\(SchemaFixture.approverId)', ")
        #expect(try failure(queue, approverOnly) == "CHECK constraint failed: ck_hard_override_requires_approval")
        let approved = approverOnly.replacingOccurrences(of: "(approved_by,", with: "(approved_at, approved_by,")
            .replacingOccurrences(of: "VALUES (", with: "VALUES ('2026-01-14T09:30:00Z', ")
        #expect(try failure(queue, approved) == nil)
    }

    static let enumColumns: [(table: String, column: String, type: String, valid: String)] = [
        ("users", "role", "user_role", "viewer"),
        ("policy_versions", "status", "policy_version_status", "draft"),
        ("evaluations", "result", "evaluation_result", "pass"),
        ("exceptions", "status", "exception_status", "dismissed"),
        ("decisions", "decision_type", "decision_type", "escalate"),
        ("pending_proposals", "proposal_type", "proposal_type", "policy_draft"),
        ("pending_proposals", "status", "proposal_status", "expired"),
    ]

    @Test(arguments: enumColumns.map { "\($0.table).\($0.column)" })
    func everyEnumCheckRejectsAWrongLabelAndAWrongCase(qualified: String) throws {
        let spec = Self.enumColumns.first { "\($0.table).\($0.column)" == qualified }!
        let queue = try migratedWithFixture()
        let constraint = "CHECK constraint failed: \(spec.table)_\(spec.column)_\(spec.type)"
        #expect(try failure(queue, SchemaFixture.variantInsert(spec.table, column: spec.column, literal: "'bogus'")) == constraint)
        #expect(try failure(queue, SchemaFixture.variantInsert(spec.table, column: spec.column, literal: "'\(spec.valid.uppercased())'")) == constraint)
        #expect(try failure(queue, SchemaFixture.variantInsert(spec.table, column: spec.column, literal: "'\(spec.valid)'")) == nil)
    }

    @Test func enumLabelsAreRecordedLikePgEnum() throws {
        let queue = try makeDatabase()
        let labels = try queue.read { db in
            try String.fetchAll(db, sql: "SELECT enumlabel FROM rehearse_enum_labels WHERE typname = 'proposal_status' ORDER BY enumsortorder")
        }
        #expect(labels == ["pending", "approved", "rejected", "expired"])
        // The labels recorded and the labels the CHECK enforces are the same set, for every enum.
        for spec in Self.enumColumns {
            let recorded = try queue.read { db in
                try String.fetchAll(db, sql: "SELECT enumlabel FROM rehearse_enum_labels WHERE typname = ?", arguments: [spec.type])
            }
            let sql = try queue.read { db in try String.fetchOne(db, sql: "SELECT sql FROM sqlite_master WHERE name = ?", arguments: [spec.table])! }
            for label in recorded { #expect(sql.contains("'\(label)'")) }
            #expect(!recorded.isEmpty)
        }
    }

    @Test(arguments: [
        ("pending_proposals", "id", "'AAAAAAAA-AAAA-4AAA-8AAA-AAAAAAAAAAAA'", "pending_proposals_id_uuid"),
        ("pending_proposals", "id", "'not-a-uuid'", "pending_proposals_id_uuid"),
        ("signals", "id", "'55555555555545558555555555555555'", "signals_id_uuid"),
        ("pending_proposals", "expires_at", "'tomorrow'", "pending_proposals_expires_at_timestamptz"),
        ("pending_proposals", "expires_at", "'2026-02-30T10:00:00Z'", "pending_proposals_expires_at_timestamptz"),
        ("pending_proposals", "reviewed_at", "'2026-01-14T25:00:00Z'", "pending_proposals_reviewed_at_timestamptz"),
        ("pending_proposals", "payload", "'{\"unterminated\": '", "pending_proposals_payload_jsonb"),
        ("agent_traces", "tool_calls", "'[1,]'", "agent_traces_tool_calls_jsonb"),
        ("pending_proposals", "proposed_by", "'\(String(repeating: "x", count: 256))'", "pending_proposals_proposed_by_varchar"),
        ("users", "is_active", "2", "users_is_active_boolean"),
    ])
    func invalidDomainValuesAreRejectedByName(table: String, column: String, literal: String, constraint: String) throws {
        let queue = try migratedWithFixture()
        #expect(try failure(queue, SchemaFixture.variantInsert(table, column: column, literal: literal)) == "CHECK constraint failed: \(constraint)")
    }

    @Test(arguments: ["'2026-01-14T09:00:00Z'", "'2026-01-14 09:00:00+05:30'", "'2026-01-14T09:00:00.123456Z'", "NULL"])
    func timestampsPostgresAcceptsAreAccepted(literal: String) throws {
        let queue = try migratedWithFixture()
        #expect(try failure(queue, SchemaFixture.variantInsert("pending_proposals", column: "reviewed_at", literal: literal)) == nil)
    }

    @Test func varcharCountsCharactersNotBytes() throws {
        let queue = try migratedWithFixture()
        let name = "'" + String(repeating: "é", count: 255) + "'"
        #expect(try failure(queue, SchemaFixture.variantInsert("pending_proposals", column: "proposed_by", literal: name)) == nil)
    }

    @Test(arguments: [
        ("evidence_packs", "decision_id"), ("decisions", "exception_id"), ("pending_proposals", "exception_id"),
        ("agent_traces", "related_decision_id"), ("evaluations", "policy_version_id"),
    ])
    func aMissingParentRowIsAForeignKeyError(table: String, column: String) throws {
        let queue = try migratedWithFixture()
        let orphan = SchemaFixture.variantInsert(table, column: column, literal: "'dddddddd-dddd-4ddd-8ddd-dddddddddddd'")
        #expect(try failure(queue, orphan) == "FOREIGN KEY constraint failed")
    }

    @Test func notNullAndDefaultsMatchTheChecklistDDL() throws {
        let queue = try migratedWithFixture()
        #expect(try failure(queue, "INSERT INTO agent_traces (id, agent_type, trace_id, started_at, status) VALUES ('cccccccc-cccc-4ccc-8ccc-cccccccccccc', 'x', 't-2', '2026-01-14T09:00:00Z', 'ok')")
            == "NOT NULL constraint failed: agent_traces.input_summary")
        try queue.write { db in
            try db.execute(sql: "INSERT INTO pending_proposals (id, proposal_type, proposed_by, proposed_at, payload, expires_at) VALUES ('cccccccc-cccc-4ccc-8ccc-cccccccccccc', 'signal', 'x', '2026-01-14T09:00:00Z', '{}', '2026-01-14T10:00:00Z')")
            #expect(try String.fetchOne(db, sql: "SELECT status FROM pending_proposals WHERE id = 'cccccccc-cccc-4ccc-8ccc-cccccccccccc'") == "pending")
            #expect(try String.fetchOne(db, sql: "SELECT tool_calls FROM agent_traces") == "[]")
        }
        #expect(try failure(queue, SchemaFixture.variantInsert("agent_traces", column: "trace_id", literal: "'t-1'")) == "UNIQUE constraint failed: agent_traces.trace_id")
    }

    @Test func sprint3IndexesKeepTheChecklistNames() throws {
        let queue = try makeDatabase()
        let names = try queue.read { db in
            try String.fetchAll(db, sql: "SELECT name FROM sqlite_master WHERE type = 'index' AND tbl_name IN ('pending_proposals', 'agent_traces') AND name NOT LIKE 'sqlite_autoindex%' ORDER BY name")
        }
        #expect(names == ["idx_agent_traces_agent_type", "idx_agent_traces_status", "idx_agent_traces_trace_id", "idx_pending_proposals_expires", "idx_pending_proposals_status"])
    }
}
