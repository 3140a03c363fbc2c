import Foundation
import Testing
@testable import RehearsalKit

/// `rehearse checklist` end to end through the built binary.
@Suite struct ChecklistCommandTests {
    @Test func theFaultRecordIsWrittenAsTheFilledChecklist() throws {
        let output = try makeTemporaryDirectory().appendingPathComponent("record.md")
        let result = try runRehearse(["checklist", "--fault", "mcp.bypass_approval", "--plan", "auto", "--format", "markdown", "--output", output.path])
        #expect(result.status == 1)
        #expect(result.stdout == "checklist record written to \(output.path)\n")
        let record = try String(contentsOf: output, encoding: .utf8)
        #expect(record.hasPrefix("<!-- Filled by `rehearse checklist` (seed 42, fault mcp.bypass_approval)"))
        #expect(record.contains("| Plan | Rehearsed against | Verdict | First command line that goes wrong |"))
        #expect(record.contains("| C (6.4) | mcp.bypass_approval | does not work (still broken: approvals.gate_enforced) | line 587:"))
        #expect(record.contains("| B (6.3) | api.approvals_broken | does not work (still broken: api.endpoints_healthy) | line 572: `git checkout HEAD~1 -- core/api/approvals.py core/api/traces.py`"))
        #expect(record.contains("[!] docker compose exec postgres psql -U govos -c \""))
        #expect(record.contains("# Deployment Checklist: Sprint 3 - Full Agentic Coprocessor"))
    }

    @Test func theCorrectedChecklistRehearsesGreen() throws {
        let result = try runRehearse(["checklist", ShippedResources.correctedChecklistPath, "--no-plans", "--through", "5"])
        #expect(result.status == 0, "\(result.stdout.suffix(2000))")
        #expect(result.stdout.contains("[x] \(ShippedResources.correctedChecklistPath):293 Step 7: Start background workers: `docker compose up -d celery-worker`"))
    }

    @Test func badInputIsRefusedBeforeAnythingRuns() throws {
        let plan = try runRehearse(["checklist", "--fault", "mcp.bypass_approval", "--plan", "Z"])
        #expect(plan.status == 2)
        #expect(plan.stderr == "deployment-checklist-sprint3.md:1:1: error: no rollback plan 'Z' (plans: A, B, C, D, E, full)\n")
        let fault = try runRehearse(["checklist", "--fault", "mcp.bypass"])
        #expect(fault.status == 64)
        #expect(fault.stderr.contains("unknown fault 'mcp.bypass' (did you mean 'mcp.bypass_approval'?)"))
        let broken = try makeTemporaryDirectory().appendingPathComponent("broken.md")
        try "### 6.4 Rollback Plan C\n\n```bash\n[ ] docker compose stop mcp-server\n[ ] psql -U govos -c \"UPDATE x\n```\n".write(to: broken, atomically: true, encoding: .utf8)
        let unbalanced = try runRehearse(["checklist", broken.path])
        #expect(unbalanced.status == 2)
        #expect(unbalanced.stderr == "\(broken.path):5:22: error: unterminated double quote\n")
        #expect(try runRehearse(["checklist", "/nonexistent.md"]).stderr == "/nonexistent.md:1:1: error: cannot read the checklist\n")
    }
}

/// `rehearse run --checklist FILE` runs every scenario's rollback steps from another checklist.
@Suite struct RunWithChecklistTests {
    @Test func scenariosRunTheGivenChecklistsPlans() throws {
        let scenario = packageRoot.appendingPathComponent("scenarios/05-fault-mcp-bypass-plan-c.yaml").path
        let written = try runRehearse(["run", scenario])
        #expect(written.status == 0)
        // The same incident with the corrected plan C: the bypass stops, so the scenario's
        // as-written expectations (a second bypassed write) are no longer met.
        let corrected = try runRehearse(["run", "--checklist", ShippedResources.correctedChecklistPath, scenario])
        #expect(corrected.status == 1)
        #expect(corrected.stdout.contains("expected returns \"created\": failed with: 404: unknown tool 'propose_signal'")
                || corrected.stdout.contains("unknown tool 'propose_signal'"))
        let planless = try makeTemporaryDirectory().appendingPathComponent("planless.md")
        try "# No plans\n".write(to: planless, atomically: true, encoding: .utf8)
        let refused = try runRehearse(["run", "--checklist", planless.path, scenario])
        #expect(refused.status == 2)
        #expect(refused.stderr.contains("05-fault-mcp-bypass-plan-c.yaml:25:5: error: "))
        #expect(refused.stderr.hasSuffix("planless.md has no rollback plan 'C' (it has none)\n"))
    }
}
