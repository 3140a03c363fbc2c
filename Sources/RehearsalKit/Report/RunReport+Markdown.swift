/// The deploy record the checklist asks for, filled from the run: the Baseline Values table
/// (1.2), the MCP approval gate results (4.5), the Go/No-Go summary (8.1).
extension RunReport {
    public func markdown() -> String {
        var out = "# Deploy rehearsal record\n\n"
        out += "\(scenarios.count) scenario(s): \(scenarios.filter(\.passed).count) passed, \(scenarios.filter { !$0.passed }.count) failed.\n"
        for scenario in scenarios {
            out += "\n## \(scenario.name)\n\n"
            if !scenario.description.isEmpty { out += "\(scenario.description)\n\n" }
            out += "- File: `\(scenario.file)`, seed \(scenario.seed), result: **\(scenario.passed ? "PASS" : "FAIL")**\n"
            if let last = scenario.steps.last {
                let broken = last.invariants.filter { $0.status.isBroken }.map { "`\($0.info.id)`" }
                out += "- Invariants at the end: \(last.invariants.filter { $0.status.holds }.count) hold, \(broken.count) broken\(broken.isEmpty ? "" : " (\(broken.joined(separator: ", ")))")\n"
            }
            out += "\n### Baseline Values\n\n"
            if let before = scenario.baseline, let after = scenario.finalState {
                out += BaselineComparison(before: before, after: after).markdown()
            } else {
                out += "_No baseline was recorded in this rehearsal._\n"
            }
            out += "\n### MCP Approval Gate Test Results\n\n"
            out += "| Tool | Creates Proposal | Requires Approval | Direct Write Blocked |\n|------|------------------|-------------------|---------------------|\n"
            for tool in MCPTools.writeTools {
                guard let row = scenario.toolGate[tool] else {
                    out += "| \(tool) | not exercised | not exercised | not exercised |\n"
                    continue
                }
                func box(_ ok: Bool) -> String { ok ? "[x]" : "[ ] FAILED" }
                out += "| \(tool) | \(box(row.createsProposal)) | \(box(row.requiresApproval)) | \(box(row.directWriteBlocked)) |\n"
            }
            out += "\n### Go/No-Go Checklist Summary\n\n"
            var section = ""
            for item in scenario.goNoGo {
                if item.section != section {
                    section = item.section
                    out += "\n**\(section):**\n"
                }
                let box = item.status == .go ? "[x]" : "[ ]"
                out += "- \(box) \(item.item) — \(item.status.rawValue): \(item.evidence)\n"
            }
            let failed = scenario.steps.filter { !$0.passed }
            if !failed.isEmpty {
                out += "\n### Unmet expectations\n\n"
                for step in failed {
                    for e in step.expectations where !e.met { out += "- step \(step.number) (\(step.action)): expected \(e.description)\(e.detail.map { " — \($0)" } ?? "")\n" }
                }
            }
        }
        return out
    }
}
