import Foundation
import GRDB
import Testing
@testable import RehearsalKit

/// Every SQL statement of the checklist (1.2, 1.3, 2.3, 3.3, 4.1, 4.2, 5.3 and the psql -c
/// bodies of plans C and E), extracted from the checklist file and run verbatim through
/// `rehearse sql`'s dialect, gives the answer Postgres would give, in the same columns.
@Suite struct ChecklistSQLTests {
    /// The statements of the checklist's ```sql blocks (the migrations of 2.1 and 2.2 aside), then the psql -c bodies.
    static func statements() throws -> [String] {
        let text = try String(contentsOf: packageRoot.appendingPathComponent("Tests/Fixtures/deployment-checklist-sprint3.md"), encoding: .utf8)
        var result: [String] = []
        let blocks = text.components(separatedBy: "```sql\n").dropFirst().map { $0.components(separatedBy: "```")[0] }
        for block in blocks where !block.contains("CREATE TABLE") {
            result += SQLScript.statements(in: block).map(\.sql)
        }
        for body in text.components(separatedBy: "psql -U govos -c \"").dropFirst() {
            result += SQLScript.statements(in: body.components(separatedBy: "\"\n")[0]).map(\.sql)
        }
        return result
    }

    struct Expected {
        var columns: [String]
        /// Rows as psql prints their cells; nil cells are not compared (timestamps, whose text form differs, D3).
        var rows: [[String?]]?
        var tag: String?
    }

    static func rows(_ outcome: StatementOutcome) -> (columns: [String], cells: [[String]])? {
        guard case .rows(let columns, _, _) = outcome else { return nil }
        return (columns, outcome.psqlCells)
    }

    @Test func theChecklistHasTheStatementsTheIssueNames() throws {
        let statements = try Self.statements()
        #expect(statements.count == 25)
        #expect(statements.first!.hasPrefix("SELECT 'policies' as table_name, COUNT(*) as count FROM policies"))
        #expect(statements.last! == "TRUNCATE agent_traces;")
    }

    @Test func everyChecklistStatementGivesPostgresAnswer() throws {
        let statements = try Self.statements()
        let queue = try makeDatabase(migratedTo: "005")
        let now = Timestamp(iso8601: "2026-01-14T09:00:00Z")!
        var results: [StatementOutcome] = []
        try queue.writeWithoutTransaction { db in
            _ = try Seeder(profile: .small, seed: 42).seed(db)
            let console = SQLConsole(source: "checklist", dialect: PostgresDialect(now: now, seed: 1))
            for (index, sql) in statements.enumerated() {
                // Phase 3 runs after the migrations: 3.3 starts at the 10th statement.
                if index == 9 { try Migrator(chain: RevisionChain.shipped()).upgrade(db, to: "head") }
                // 5.3 says "Run expiration task" between its INSERT and its SELECT.
                if sql.hasPrefix("SELECT id, status, expires_at FROM pending_proposals") {
                    let world = World(seed: 1, start: now, chain: try RevisionChain.shipped(), version: .sprint3)
                    #expect(try ExpirationTask.run(db, world: world, dryRun: false) == 1)
                }
                if sql.hasPrefix("UPDATE pending_proposals") {
                    // Something pending for plan C to reject.
                    _ = try console.run(db, script: "INSERT INTO pending_proposals (id, proposal_type, proposed_by, proposed_at, payload, expires_at) VALUES (gen_random_uuid(), 'signal', 'agent:x', NOW(), '{}'::jsonb, NOW() + INTERVAL '24 hours')")
                }
                results += try console.run(db, script: sql)
            }
        }
        let expected: [Expected] = [
            // 1.2
            Expected(columns: ["table_name", "count"], rows: [["policies", "4"], ["policy_versions", "12"], ["signals", "400"], ["evaluations", "400"], ["exceptions", "180"], ["decisions", "135"], ["evidence_packs", "135"], ["audit_events", "1437"], ["users", "12"]]),
            Expected(columns: ["decision_type", "is_hard_override", "count"], rows: nil),
            Expected(columns: ["status", "count"], rows: nil),
            Expected(columns: ["role", "is_active", "count"], rows: nil),
            Expected(columns: ["latest_audit_event_id", "latest_audit_time"], rows: [["1437", nil]]),
            // 1.3
            Expected(columns: ["tgname", "table_name", "tgenabled"], rows: [["decisions_immutable", "decisions", "O"], ["evidence_packs_immutable", "evidence_packs", "O"], ["audit_events_immutable", "audit_events", "O"]]),
            // 2.3
            Expected(columns: ["typname"], rows: []),
            Expected(columns: ["tablename"], rows: []),
            Expected(columns: ["version_num"], rows: [["005_add_immutability_triggers"]]),
            // 3.3
            Expected(columns: ["tablename"], rows: [["pending_proposals"], ["agent_traces"]]),
            Expected(columns: ["typname"], rows: [["proposal_status"], ["proposal_type"]]),
            Expected(columns: ["indexname"], rows: [["pending_proposals_pkey"], ["idx_pending_proposals_status"], ["idx_pending_proposals_expires"], ["agent_traces_pkey"], ["agent_traces_trace_id_key"], ["idx_agent_traces_trace_id"], ["idx_agent_traces_agent_type"], ["idx_agent_traces_status"]]),
            Expected(columns: ["tgname", "tgrelid"], rows: [["decisions_immutable", "decisions"], ["evidence_packs_immutable", "evidence_packs"], ["audit_events_immutable", "audit_events"]]),
            // 4.1
            Expected(columns: ["table_name", "count"], rows: [["decisions", "135"], ["evidence_packs", "135"], ["audit_events", "1437"]]),
            Expected(columns: ["orphaned_decisions"], rows: [["0"]]),
            Expected(columns: ["orphaned_evidence_packs"], rows: [["0"]]),
            Expected(columns: ["invalid_hard_overrides"], rows: [["0"]]),
            // 4.2
            Expected(columns: ["count"], rows: [["0"]]),
            Expected(columns: ["count"], rows: [["0"]]),
            Expected(columns: ["conname", "conrelid", "confrelid"], rows: [
                ["pending_proposals_exception_id_fkey", "pending_proposals", "exceptions"], ["pending_proposals_policy_id_fkey", "pending_proposals", "policies"],
                ["agent_traces_related_exception_id_fkey", "agent_traces", "exceptions"], ["agent_traces_related_decision_id_fkey", "agent_traces", "decisions"],
            ]),
            // 5.3
            Expected(columns: [], rows: nil, tag: "INSERT 0 1"),
            Expected(columns: ["id", "status", "expires_at"], rows: [[nil, "expired", nil]]),
            Expected(columns: [], rows: nil, tag: "DELETE 1"),
            // plans C and E
            Expected(columns: [], rows: nil, tag: "UPDATE 1"),
            Expected(columns: [], rows: nil, tag: "TRUNCATE TABLE"),
        ]
        #expect(results.count == expected.count)
        let outcomes = results
        for (index, (outcome, want)) in zip(outcomes, expected).enumerated() {
            if let tag = want.tag {
                #expect(outcome.psqlTable() == tag, "statement \(index + 1)")
                continue
            }
            guard let (columns, cells) = Self.rows(outcome) else { Issue.record("statement \(index + 1): no rows"); continue }
            #expect(columns == want.columns, "statement \(index + 1)")
            if let rows = want.rows {
                #expect(cells.count == rows.count, "statement \(index + 1)")
                for (row, wantRow) in zip(cells, rows) {
                    for (cell, wantCell) in zip(row, wantRow) where wantCell != nil { #expect(cell == wantCell!, "statement \(index + 1)") }
                }
            }
        }
        // The distributions sum to the table counts, with booleans as psql prints them.
        let decisions = Self.rows(outcomes[1])!.cells
        #expect(decisions.reduce(0) { $0 + Int($1[2])! } == 135)
        #expect(Set(decisions.map { $0[1] }) == ["t", "f"])
        #expect(Self.rows(outcomes[3])!.cells.reduce(0) { $0 + Int($1[2])! } == 12)
    }
}
