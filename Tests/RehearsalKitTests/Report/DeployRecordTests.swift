import Foundation
import Testing
@testable import RehearsalKit

/// The deploy record (`rehearse run --format markdown`) through the built binary: the verdict
/// and its reasons, items judged within a scenario's scope, the header filled from options, and
/// the whole library's record byte for byte against the example committed under docs/.
@Suite struct DeployRecordTests {
    static let golden = packageRoot.appendingPathComponent("docs/examples/deploy-record.md")
    static let goldenArguments = ["run", "--format", "markdown", "--deploy-date", "2026-01-14", "--deploy-lead", "Deploy Lead A", "--commit", "d92c4dcd3e85f0acc57f1a95149673e1974240e2"]

    /// The library's record is the committed example, byte for byte. After a deliberate change
    /// to the format or the library, regenerate it with
    /// `REHEARSE_UPDATE_GOLDEN=1 swift test --filter DeployRecordTests`.
    @Test func theLibraryRecordMatchesTheCommittedExample() throws {
        let result = try runRehearse(Self.goldenArguments, currentDirectory: packageRoot)
        #expect(result.status == 0, "\(result.stderr)")
        if ProcessInfo.processInfo.environment["REHEARSE_UPDATE_GOLDEN"] == "1" {
            try result.stdout.write(to: Self.golden, atomically: true, encoding: .utf8)
        }
        let committed = try String(contentsOf: Self.golden, encoding: .utf8)
        if result.stdout != committed {
            let produced = result.stdout.split(separator: "\n", omittingEmptySubsequences: false)
            let expected = committed.split(separator: "\n", omittingEmptySubsequences: false)
            let line = (0..<min(produced.count, expected.count)).first { produced[$0] != expected[$0] } ?? min(produced.count, expected.count)
            Issue.record("docs/examples/deploy-record.md differs at line \(line + 1): produced \(line < produced.count ? String(produced[line]) : "<end>") — regenerate with REHEARSE_UPDATE_GOLDEN=1 if the change is meant")
        }
    }

    /// The summary opens the record: header fields, the verdict with its reasons, the table.
    @Test func theRecordOpensWithTheHeaderVerdictAndScenarioTable() throws {
        let committed = try String(contentsOf: Self.golden, encoding: .utf8)
        let lines = committed.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        // A Bool, not the array: a failed expectation prints the line looked for, not the record.
        func has(_ line: String) -> Bool { lines.contains(line) }
        #expect(lines[0] == "# Deploy rehearsal record — Deployment Checklist: Sprint 3 - Full Agentic Coprocessor")
        #expect(has("**Deploy Date:** 2026-01-14  "))
        #expect(has("**Deploy Lead:** Deploy Lead A  "))
        #expect(has("**Commit SHA:** `d92c4dcd3e85f0acc57f1a95149673e1974240e2`  "))
        #expect(has("## Verdict: NO-GO"))
        // The checklist's own plans as written do not repair what they are for: blocking.
        #expect(has("- `05-fault-mcp-bypass-plan-c.yaml`: plan C (6.4) leaves baseline.counts_unchanged, approvals.gate_enforced broken at the end (expected by the scenario: a known hole in the plan)"))
        #expect(has("- `19-evaluation-determinism.yaml` ends with evaluation.deterministic broken, as the scenario expects"))
        #expect(has("| `05-fault-mcp-bypass-plan-c.yaml` | pass | baseline.counts_unchanged (expected), approvals.gate_enforced (expected) | — |"))
        // One screen: the verdict and the scenario table come before any detail.
        let table = try #require(lines.firstIndex(of: "## Scenarios"))
        let details = try #require(lines.firstIndex(of: "## Details: what failed or was expected to break"))
        #expect(table < 45 && table < details)
        // 8.1 across the run: an expected NO-GO does not hide the GO elsewhere; outside the rehearsal is not rehearsed.
        let gate = lines.contains { $0.hasPrefix("| MCP approval gate verified | [x] GO | GO in ") && $0.contains("NO-GO where the scenario expects it: 05-fault-mcp-bypass-plan-c.yaml") }
        #expect(gate)
        #expect(has("| All tests passing | [ ] not rehearsed | pytest is outside the rehearsal |"))
        #expect(has("| decisions count | 135 | 135 | OK |"))
        #expect(has("| propose_signal | [x] | [x] | [x] | `01-happy-path-deploy.yaml` |"))
        let checksum = lines.contains { $0.hasPrefix("| 006_add_pending_proposals | `") }
        #expect(checksum)
        #expect(has("| Security Review | | | |"))
        // Details only for what failed or was expected to break: 23 (every expectation met, nothing broke) has none.
        #expect(has("### `05-fault-mcp-bypass-plan-c.yaml` — pass"))
        #expect(!has("### `23-mcp-tools-4-5.yaml` — pass"))
    }

    /// The happy path alone is GO: its one break (counts changed by the application's own
    /// writes) is tolerated by the scenario and no plan was needed; what it never did (pytest,
    /// staging, alerting) is listed to check by hand, not NO-GO.
    @Test func theHappyPathAloneIsGo() throws {
        let result = try runRehearse(["run", "--format", "markdown", "scenarios/01-happy-path-deploy.yaml"], currentDirectory: packageRoot)
        #expect(result.status == 0)
        #expect(result.stdout.contains("## Verdict: GO\n"))
        #expect(result.stdout.contains("Not rehearsed (check by hand): All tests passing, Staging verified, Alerts configured."))
        #expect(result.stdout.contains("| API containers restarted | [x] GO | GO in 01-happy-path-deploy.yaml |"))
        #expect(result.stdout.contains("| **Post-Deploy:** Data counts unchanged | [x] GO | GO in 01-happy-path-deploy.yaml |"), "4.1 checks the counts right after the migrations")
        #expect(result.stdout.contains("**Deploy Date:** _____________  "), "left blank to fill by hand")
    }

    /// A migration test never took a backup or opened the viewer: those items are "not
    /// rehearsed" in its scope, never NO-GO. Its expected failure of 006 is marked expected; on
    /// its own it still blocks, because no scenario of the run shows 006 succeed.
    @Test func itemsOutsideAScenariosScopeAreNotRehearsed() throws {
        let result = try runRehearse(["run", "--format", "json", "scenarios/04-pre-migration-validation.yaml"], currentDirectory: packageRoot)
        let json = try JSONParser.parse(result.stdout)
        guard let items = json["scenarios"]?.arrayValue?.first?["go_no_go"]?.arrayValue else { Issue.record("no go_no_go"); return }
        func status(_ name: String) -> String? {
            items.first { $0["item"]?.stringValue == name }?["status"]?.stringValue
        }
        #expect(status("Backup created") == "not rehearsed")
        #expect(status("Traces viewer PII check passed") == "not rehearsed")
        #expect(status("API containers restarted") == "not rehearsed")
        #expect(status("Migration 006 successful") == "NO-GO")
        #expect(items.first { $0["item"]?.stringValue == "Migration 006 successful" }?["expected"] == .bool(true))
        let record = try runRehearse(["run", "--format", "markdown", "scenarios/04-pre-migration-validation.yaml"], currentDirectory: packageRoot)
        #expect(record.stdout.contains("## Verdict: NO-GO\n"))
        #expect(record.stdout.contains("- 8.1 Migration 006 successful: no scenario shows it GO (NO-GO in 04-pre-migration-validation.yaml)"), "\(record.stdout.prefix(1500))")
        #expect(!record.stdout.contains("- 8.1 Backup created"))
        #expect(record.stdout.contains("| **Deploy:** Migration 006 successful | [ ] **NO-GO** | never GO: NO-GO in 04-pre-migration-validation.yaml, as expected there |"))
    }

    /// A failed scenario makes the record NO-GO, names its first failing step in the table and
    /// the blocking reasons, and gets a timeline with virtual times.
    @Test func aFailedScenarioIsBlockingWithItsFirstFailingStep() throws {
        let file = try makeTemporaryDirectory().appendingPathComponent("99-gate-slips.yaml")
        try """
            name: the gate slips
            fixtures: small
            revision: 007_add_agent_traces
            code: sprint3
            start: 2026-01-14T09:00:00Z
            steps:
              - advance: 5m
              - fault: mcp.bypass_approval
              - tool: {call: propose_signal, as: "agent:triage-bot", args: {subject: acct-9, signal_type: anomaly}}
                expect: {returns: pending_approval}

            """.write(to: file, atomically: true, encoding: .utf8)
        let result = try runRehearse(["run", "--format", "markdown", file.path], currentDirectory: packageRoot)
        #expect(result.status == 1)
        #expect(result.stdout.contains("## Verdict: NO-GO"))
        #expect(result.stdout.contains("- `99-gate-slips.yaml` failed at step 3 (mcp propose_signal as agent:triage-bot): expected returns \"pending_approval\""), "\(result.stdout.prefix(2000))")
        #expect(result.stdout.contains("| `99-gate-slips.yaml` | **FAIL** | "))
        #expect(result.stdout.contains("| 3. mcp propose_signal as agent:triage-bot: expected returns \"pending_approval\" |"))
        #expect(result.stdout.contains("| 1 | 2026-01-14 09:05 | advance clock 5m | ok |"))
        #expect(result.stdout.contains("| 3 | 2026-01-14 09:05 | mcp propose_signal as agent:triage-bot | **FAIL**: expected returns"))
        #expect(result.stdout.contains("8.1 MCP approval gate verified: NO-GO in 99-gate-slips.yaml, which does not expect it"))
    }

    /// The header options are checked before anything runs; they need the Markdown record.
    @Test func headerOptionsAreValidated() throws {
        for (arguments, message) in [
            (["--deploy-date", "2026-02-30"], "--deploy-date '2026-02-30' is not a date: write it as YYYY-MM-DD (e.g. 2026-01-14)"),
            (["--commit", "HEAD"], "--commit 'HEAD' is not a commit SHA: 7 to 40 hexadecimal digits"),
            (["--deploy-lead", " "], "--deploy-lead must be a name on one line"),
        ] {
            let result = try runRehearse(["run", "--format", "markdown"] + arguments, currentDirectory: packageRoot)
            #expect(result.status == 64)
            #expect(result.stderr.contains("Error: \(message)"), "\(result.stderr)")
        }
        let text = try runRehearse(["run", "--commit", "abcdef1"], currentDirectory: packageRoot)
        #expect(text.status == 64)
        #expect(text.stderr.contains("Error: --commit fills the deploy record's header: it needs --format markdown or html"))
    }

    /// The record does not depend on the process: two runs give the same bytes.
    @Test func theRecordIsDeterministic() throws {
        let arguments = ["run", "--format", "markdown", "--tag", "rollback-c"]
        let first = try runRehearse(arguments, currentDirectory: packageRoot)
        let second = try runRehearse(arguments, currentDirectory: packageRoot)
        #expect(first.stdout == second.stdout && !first.stdout.isEmpty)
        #expect(first.stdout.contains("| propose_signal | [x] | [x] | [ ] FAILED |"))
    }
}
