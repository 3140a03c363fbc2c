import GRDB
@testable import RehearsalKit

/// One valid row per table, linked by foreign keys, so a test can change one value and
/// see exactly which constraint objects.
enum SchemaFixture {
    static let userId = "11111111-1111-4111-8111-111111111111"
    static let approverId = "22222222-2222-4222-8222-222222222222"
    static let policyId = "33333333-3333-4333-8333-333333333333"
    static let versionId = "44444444-4444-4444-8444-444444444444"
    static let signalId = "55555555-5555-4555-8555-555555555555"
    static let evaluationId = "66666666-6666-4666-8666-666666666666"
    static let exceptionId = "77777777-7777-4777-8777-777777777777"
    static let decisionId = "88888888-8888-4888-8888-888888888888"
    static let evidenceId = "99999999-9999-4999-8999-999999999999"
    static let proposalId = "aaaaaaaa-aaaa-4aaa-8aaa-aaaaaaaaaaaa"
    static let traceId = "bbbbbbbb-bbbb-4bbb-8bbb-bbbbbbbbbbbb"
    static let time = "2026-01-14T09:00:00Z"

    /// Rows in insertion order (parents first); values are SQL literals.
    static var rows: [(table: String, values: [(String, String)])] {
        [
            ("users", [("id", q(userId)), ("email", "'ana@example.com'"), ("display_name", "'Ana Analyst'"), ("role", "'analyst'"), ("is_active", "1"), ("created_at", q(time))]),
            ("users", [("id", q(approverId)), ("email", "'bo@example.com'"), ("display_name", "'Bo Approver'"), ("role", "'approver'"), ("is_active", "1"), ("created_at", q(time))]),
            ("policies", [("id", q(policyId)), ("policy_key", "'POL-AML-001'"), ("name", "'AML threshold'"), ("owner_id", q(userId)), ("created_at", q(time))]),
            ("policy_versions", [("id", q(versionId)), ("policy_id", q(policyId)), ("version", "1"), ("status", "'active'"), ("rules", "'{\"max_amount\": 1000}'"), ("created_by", q(userId)), ("created_at", q(time))]),
            ("signals", [("id", q(signalId)), ("source", "'ingest'"), ("signal_type", "'transaction'"), ("subject", "'acct-17'"), ("payload", "'{\"amount\": 5000}'"), ("received_at", q(time)), ("created_by", "'ingest'")]),
            ("evaluations", [("id", q(evaluationId)), ("signal_id", q(signalId)), ("policy_version_id", q(versionId)), ("result", "'fail'"), ("output", "'{}'"), ("output_hash", "'abc'"), ("evaluator_version", "'1'"), ("evaluated_at", q(time))]),
            ("exceptions", [("id", q(exceptionId)), ("evaluation_id", q(evaluationId)), ("policy_id", q(policyId)), ("title", "'Large transfer'"), ("status", "'open'"), ("opened_at", q(time))]),
            ("decisions", [("id", q(decisionId)), ("exception_id", q(exceptionId)), ("decision_type", "'accept_risk'"), ("is_hard_override", "0"), ("rationale", "'ok'"), ("decided_by", q(userId)), ("decided_at", q(time))]),
            ("evidence_packs", [("id", q(evidenceId)), ("decision_id", q(decisionId)), ("content", "'{}'"), ("content_hash", "'abc'"), ("created_by", q(userId)), ("created_at", q(time))]),
            ("audit_events", [("occurred_at", q(time)), ("actor", "'system'"), ("action", "'decision.created'"), ("entity_type", "'decision'"), ("entity_id", q(decisionId)), ("details", "'{}'")]),
            ("pending_proposals", [("id", q(proposalId)), ("proposal_type", "'signal'"), ("proposed_by", "'agent:triage-bot'"), ("proposed_at", q(time)), ("payload", "'{}'"), ("status", "'pending'"), ("expires_at", "'2026-01-15T09:00:00Z'")]),
            ("agent_traces", [("id", q(traceId)), ("agent_type", "'triage'"), ("trace_id", "'t-1'"), ("started_at", q(time)), ("status", "'ok'"), ("input_summary", "'{}'")]),
        ]
    }

    static func q(_ text: String) -> String { "'\(text)'" }

    static func insertSQL(_ table: String, _ values: [(String, String)]) -> String {
        "INSERT INTO \(table) (\(values.map(\.0).joined(separator: ", "))) VALUES (\(values.map(\.1).joined(separator: ", ")))"
    }

    /// Inserts every fixture row (tables not migrated yet are skipped).
    static func insertAll(_ db: Database) throws {
        for (table, values) in rows where try db.tableExists(table) {
            try db.execute(sql: insertSQL(table, values))
        }
    }

    /// The fixture row of `table` with `column` set to `literal`, under a fresh primary key
    /// (and fresh unique values) so only the changed column can make it fail.
    static func variantInsert(_ table: String, column: String, literal: String) -> String {
        let index = rows.lastIndex { $0.table == table }!
        var values = rows[index].values
        let fresh: [String: String] = [
            "id": q("cccccccc-cccc-4ccc-8ccc-cccccccccccc"), "email": "'new@example.com'",
            "policy_key": "'POL-NEW'", "trace_id": "'t-new'", "version": "2",
        ]
        values = values.map { (name, value) in (name, fresh[name] ?? value) }
        if let i = values.firstIndex(where: { $0.0 == column }) { values[i].1 = literal } else { values.append((column, literal)) }
        return insertSQL(table, values)
    }
}
