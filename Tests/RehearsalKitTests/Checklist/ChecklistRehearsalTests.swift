import Foundation
import Testing
@testable import RehearsalKit

/// The checklist rehearsed as written: every plan against the fault 6.1 sends to it, with the
/// first command line where each goes wrong; the corrected checklist's plans all work.
@Suite struct ChecklistRehearsalTests {
    func verdicts(_ checklist: Checklist) throws -> [String: PlanVerdict] {
        let rehearsal = ChecklistRehearsal(checklist: checklist, chain: try RevisionChain.shipped())
        return Dictionary(uniqueKeysWithValues: try rehearsal.rehearsePlans().map { ($0.plan, $0) })
    }

    @Test func noPlanOfTheShippedChecklistWorksAsWritten() throws {
        let verdicts = try verdicts(try ChecklistParser.shipped())
        let expected: [String: (line: Int, broken: String, reason: String)] = [
            "A": (553, "schema.revision", "\"Running downgrade 007_add_agent_traces -> 006_add_pending_proposals\" is not in the output"),
            "B": (572, "api.endpoints_healthy", "error: pathspec 'core/api/approvals.py' did not match any file(s) known to git"),
            "C": (587, "approvals.gate_enforced", "FATAL:  database \"govos\" does not exist"),
            "D": (607, "tasks.expiration_healthy", "celery revokes task ids, not names"),
            "E": (624, "traces.viewer_no_pii", "docker compose restart reuses the existing container"),
            "full": (651, "immutability.decisions", "port 5432 failed: Connection refused"),
        ]
        for (plan, want) in expected {
            let verdict = try #require(verdicts[plan])
            #expect(verdict.verdict == .fails, "plan \(plan)")
            #expect(verdict.stillBroken.contains(want.broken), "plan \(plan): \(verdict.stillBroken)")
            #expect(verdict.firstWrong?.item.line == want.line, "plan \(plan)")
            guard case .flagged(let why)? = verdict.firstWrong?.status else { Issue.record("plan \(plan) has no flagged line"); continue }
            #expect(why.contains(want.reason), "plan \(plan): \(why)")
        }
    }

    @Test func everyPlanOfTheCorrectedChecklistWorks() throws {
        let verdicts = try verdicts(try ChecklistParser.load(path: ShippedResources.correctedChecklistPath))
        #expect(verdicts.count == 6)
        for (plan, verdict) in verdicts {
            #expect(verdict.verdict == .works, "plan \(plan): \(verdict.stillBroken) \(String(describing: verdict.firstWrong?.status))")
        }
        // The gate's evidence from before plan C stays: history no plan undoes.
        #expect(verdicts["C"]?.residue.first?.hasPrefix("approvals.gate_enforced: ") == true)
    }

    @Test func theFilledRecordMarksEachItem() throws {
        var rehearsal = ChecklistRehearsal(checklist: try ChecklistParser.shipped(), chain: try RevisionChain.shipped())
        rehearsal.fault = .mcpBypassApproval
        let record = try rehearsal.run()
        #expect(record.plan == "C")
        #expect(record.planReason == "6.1: MCP tools bypassing approval")
        #expect(record.planVerdict?.verdict == .fails)
        let markdown = record.markdown()
        #expect(markdown.contains("- Fault `mcp.bypass_approval` → plan C (6.1: MCP tools bypassing approval): **does not work**; still broken: approvals.gate_enforced"))
        #expect(markdown.contains("[x] docker compose exec postgres pg_isready -U govos"))
        #expect(markdown.contains("[!] docker compose exec backend celery -A core.celery inspect scheduled"))
        #expect(markdown.contains("# [!] expected proposal_expiration task scheduled: proposal_expiration is not in the output"))
        #expect(markdown.contains("| decisions count | 135 | 135 | OK |"))
        #expect(markdown.contains("| propose_signal | [!] | [!] | [!] |"))
        #expect(markdown.contains("-- [x] (3 rows)"))
        #expect(markdown.contains("**Commit SHA:** \(record.commit) (rehearsed)"))
        // Items not rehearsed keep their box and say why.
        #expect(markdown.contains("[ ] Deploy Sprint 3 to staging environment"))
        #expect(markdown.contains("# [ ] not rehearsed: outside the rehearsed stack"))
    }

    @Test func stepEightDoneWithRestartKeepsTheOldImages() throws {
        var rehearsal = ChecklistRehearsal(checklist: try ChecklistParser.shipped(), chain: try RevisionChain.shipped())
        rehearsal.through = 4
        rehearsal.prose = [("Restart API containers", ["docker compose restart backend mcp-server frontend"])]
        let record = try rehearsal.run()
        let step8 = try #require(record.entries.first { $0.outcome.item.kind == .step(8, "Restart API containers") })
        guard case .flagged(let why) = step8.outcome.status else { Issue.record("step 8 by restart is flagged"); return }
        #expect(why.hasPrefix("mcp-server: docker compose restart reuses the existing container, which runs its old image"))
        // 4.5's tool tests then find no write tool on the old mcp-server.
        #expect(record.entries.contains { $0.outcome.item.text.hasPrefix("Test propose_signal") && $0.outcome.status != .done })
    }
}
