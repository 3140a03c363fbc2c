/// The deploy record (`rehearse run --format markdown`): a lead attaches it to the release
/// ticket. It opens with one screen — the checklist's header fields, the overall GO/NO-GO with
/// its reasons, a table of scenarios — then 8.1 judged across the run, the Baseline Values
/// (1.2) and MCP gate (4.5) tables, details only for scenarios that failed or were expected to
/// break, what was rehearsed (release, checklist, migration checksums) and the sign-off table.
/// Nothing in it depends on the clock or the machine: the same run gives the same bytes.
extension RunReport {
    public func markdown(context: DeployRecordContext) -> String {
        let verdict = DeployVerdict(self, context: context)
        var out = "# Deploy rehearsal record — \(context.checklistTitle)\n\n"
        out += context.headerFields().map { "**\($0.name):** \($0.value)  \n" }.joined()
        out += "**Rehearsed with:** rehearse \(context.version), \(scenarios.count) scenario(s), \(scenarios.reduce(0) { $0 + $1.steps.count }) steps\n\n"

        out += "## Verdict: \(verdict.go ? "GO" : "NO-GO")\n\n"
        let passed = scenarios.filter(\.passed).count
        out += "\(passed) of \(scenarios.count) scenarios passed. "
        if verdict.go {
            out += "No scenario failed, no rehearsed rollback plan leaves anything broken, and every Go/No-Go item the scenarios reached is GO.\n"
        } else {
            out += "Blocking:\n\n" + verdict.blocking.map { "- \(Self.cell($0, limit: 400))\n" }.joined()
        }
        if !verdict.accepted.isEmpty {
            out += "\nAccepted (expected by their scenarios, not blocking):\n\n" + verdict.accepted.map { "- \($0)\n" }.joined()
        }
        if !verdict.notRehearsed.isEmpty {
            out += "\nNot rehearsed (check by hand): \(verdict.notRehearsed.joined(separator: ", ")).\n"
        }

        out += "\n## Scenarios\n\n| Scenario | Result | Broken at the end | First failing step |\n|---|---|---|---|\n"
        for scenario in scenarios {
            let broken = scenario.brokenAtEndLabels
            let failing = scenario.firstFailureSummary
            out += "| `\(DeployVerdict.shortName(scenario))` | \(scenario.passed ? "pass" : "**FAIL**") | \(broken.isEmpty ? "—" : Self.cell(broken.joined(separator: ", "))) | \(failing.map { Self.cell($0, limit: 120) } ?? "—") |\n"
        }

        out += "\n## Go/No-Go Checklist Summary (8.1)\n\nEach item is judged only in the scenarios that reached it.\n\n| Item | Verdict | Where |\n|---|---|---|\n"
        var section = ""
        for item in verdict.items {
            let name = item.section == section ? item.item : "**\(item.section):** \(item.item)"
            section = item.section
            let mark: String
            switch item.status {
            case .go: mark = "[x] GO"
            case .noGo: mark = "[ ] **NO-GO**"
            case .notRehearsed: mark = "[ ] not rehearsed"
            case .unknown: mark = "[ ] could not evaluate"
            }
            out += "| \(name) | \(mark) | \(Self.cell(item.summary, limit: 240)) |\n"
        }

        out += "\n## Baseline Values (1.2)\n\n"
        if let source = baselineSource, let before = source.baseline, let after = source.finalState {
            out += "From `\(DeployVerdict.shortName(source))`: the baseline step, and the same figures at the end of the scenario.\n\n"
            out += BaselineComparison(before: before, after: after).markdown()
        } else {
            out += "_No scenario recorded a baseline._\n"
        }

        out += "\n## MCP Approval Gate Test Results (4.5)\n\n"
        out += "| Tool | Creates Proposal | Requires Approval | Direct Write Blocked | Rehearsed in |\n|------|------------------|-------------------|---------------------|---|\n"
        for tool in MCPTools.writeTools {
            guard let (scenario, row) = gateRow(tool) else {
                out += "| \(tool) | not rehearsed | not rehearsed | not rehearsed | — |\n"
                continue
            }
            func box(_ ok: Bool) -> String { ok ? "[x]" : "[ ] FAILED" }
            out += "| \(tool) | \(box(row.createsProposal)) | \(box(row.requiresApproval)) | \(box(row.directWriteBlocked)) | `\(DeployVerdict.shortName(scenario))` |\n"
        }

        if !context.locks.isEmpty {
            out += "\n## Migration lock risk (\(context.locks.map(\.number).joined(separator: ", ")))\n\n"
            out += "The checklist's Risk Assessment of each migration against `rehearse locks` (PostgreSQL 15's lock table, its predictions confirmed against pg_locks in CI).\n\n"
            out += "| Section | The checklist says | rehearse locks |\n|---|---|---|\n"
            for section in context.locks {
                for row in section.rows {
                    out += "| \(section.number) (\(section.revision.prefix(3))) | \(Self.cell("\(row.risk): \(row.mitigation)")) | \(row.right.map { $0 ? "[x] " : "[!] " } ?? "")\(Self.cell(row.why, limit: 400)) |\n"
                }
                for note in section.missing { out += "| \(section.number) (\(section.revision.prefix(3))) | — | [!] \(Self.cell(note, limit: 400)) |\n" }
                if let runtime = section.runtime { out += "| \(section.number) (\(section.revision.prefix(3))) | Estimated Runtime | \(section.runtimeRight ? "[x]" : "[!]") \(Self.cell(runtime, limit: 400)) |\n" }
            }
        }

        // A guard refusing what it should (an expected error, nothing broken) needs no details.
        let detailed = scenarios.filter { !$0.passed || $0.steps.contains { step in step.invariants.contains { $0.status.isBroken && step.expectedBroken.contains($0.info.id) } } }
        if !detailed.isEmpty {
            out += "\n## Details: what failed or was expected to break\n"
            for scenario in detailed { out += details(scenario, context: context) }
        }

        out += "\n## Rehearsed with\n\n"
        out += "- rehearse \(context.version)\n"
        if let checklist = context.checklist { out += "- Checklist `\(checklist.file)` (sha256 \(SHA256.hex(checklist.lines.joined(separator: "\n")).prefix(16)))\n" }
        out += "- Scenario seeds: " + scenarios.map { "`\(DeployVerdict.shortName($0))` \($0.seed)" }.joined(separator: ", ") + "\n"
        if !context.migrations.isEmpty {
            out += "\n| Migration | SHA-256 |\n|---|---|\n" + context.migrations.map { "| \($0.id) | `\($0.checksum)` |\n" }.joined()
        }

        out += "\n## Sign-Off\n\n" + context.signOffTable()
        return out
    }

    /// The scenario whose Baseline Values table the record shows: the first that passed, took a
    /// baseline and ran both migrations; else the first with a baseline.
    var baselineSource: ScenarioRecord? {
        let withBaseline = scenarios.filter { $0.baseline != nil && $0.finalState != nil }
        func migrated(_ s: ScenarioRecord) -> Bool {
            s.goNoGo.contains { $0.item == "Migration 007 successful" && $0.status == .go }
        }
        return withBaseline.first { $0.passed && migrated($0) } ?? withBaseline.first { $0.passed } ?? withBaseline.first
    }

    /// 4.5's row for a tool from the first scenario that exercised it without expecting the gate
    /// to be broken at its end (a bypass fault's scenario shows the fault, not the release).
    func gateRow(_ tool: String) -> (ScenarioRecord, ToolGateRow)? {
        let candidates = scenarios.compactMap { s in s.toolGate[tool].map { (s, $0) } }
        return candidates.first { s, _ in !(s.steps.last?.expectedBroken.contains("approvals.gate_enforced") ?? false) } ?? candidates.first
    }

    /// A failed or fault scenario: the timeline with virtual times, what broke and was restored at
    /// each step, unmet expectations, and the evidence of what is broken at the end.
    func details(_ scenario: ScenarioRecord, context: DeployRecordContext) -> String {
        var out = "\n### `\(DeployVerdict.shortName(scenario))` — \(scenario.passed ? "pass" : "FAIL")\n\n"
        out += "\(scenario.name). Seed \(scenario.seed)"
        if !scenario.plansRun.isEmpty { out += "; rollback: " + scenario.plansRun.map { context.planName($0, checklist: scenario.checklist) }.joined(separator: ", ") }
        out += ".\n\n| Step | Time | Action | Outcome | Invariants |\n|---|---|---|---|---|\n"
        var previous = Set<String>()
        for step in scenario.steps {
            let broken = Set(step.invariants.filter(\.status.isBroken).map(\.info.id))
            var changes: [String] = []
            for id in broken.subtracting(previous).sorted() { changes.append("broke \(id)\(step.expectedBroken.contains(id) ? " (expected)" : "")") }
            for id in previous.subtracting(broken).sorted() { changes.append("restored \(id)") }
            previous = broken
            var outcome = step.succeeded ? "ok" : step.passed ? "error (expected): \(step.error ?? "")" : "error: \(step.error ?? "")"
            let unmet = step.expectations.filter { !$0.met }
            if !unmet.isEmpty { outcome = "**FAIL**: " + unmet.map { "expected \($0.description)\($0.detail.map { " — \($0)" } ?? "")" }.joined(separator: "; ") + (step.succeeded ? "" : " (\(outcome))") }
            out += "| \(step.number) | \(Self.clock(step.time)) | \(Self.cell(step.action, limit: 90)) | \(Self.cell(outcome, limit: 200)) | \(changes.isEmpty ? "" : Self.cell(changes.joined(separator: "; "))) |\n"
        }
        let broken = scenario.brokenAtEnd
        if !broken.isEmpty {
            out += "\nBroken at the end:\n\n"
            for result in broken {
                guard case .broken(let why, let evidence) = result.status else { continue }
                let expected = scenario.steps.last?.expectedBroken.contains(result.info.id) == true
                out += "- `\(result.info.id)`\(expected ? " (expected)" : "") — \(why)\n"
                for item in evidence.prefix(3) { out += "  - \(Self.cell(InvariantReport.describe(item), limit: 200))\n" }
                if evidence.count > 3 { out += "  - … and \(evidence.count - 3) more\n" }
            }
        }
        return out
    }

    /// The virtual time as the timeline shows it: `2026-01-14 09:05`.
    static func clock(_ time: Timestamp) -> String {
        let iso = time.iso8601
        return String(iso.prefix(16)).replacingOccurrences(of: "T", with: " ")
    }

    /// Text safe in a Markdown table cell: one line, pipes escaped, long text shortened.
    static func cell(_ text: String, limit: Int = 160) -> String {
        var flat = text.split(whereSeparator: \.isNewline).joined(separator: " ").replacingOccurrences(of: "|", with: "\\|")
        if flat.count > limit { flat = String(flat.prefix(limit - 1)) + "…" }
        return flat
    }
}

extension DeployRecordContext {
    /// The checklist's title (its first `# ` heading), or a generic one.
    var checklistTitle: String {
        checklist?.lines.first { $0.hasPrefix("# ") }.map { String($0.dropFirst(2)).trimmingWhitespace() } ?? "deploy checklist"
    }

    /// The `**Name:** value` fields at the top of the checklist (before its first rule), with
    /// Deploy Date, Deploy Lead and Commit SHA filled from the options; a field left blank keeps
    /// the line to fill by hand. Without a checklist header, those three fields.
    func headerFields() -> [(name: String, value: String)] {
        let blank = "_____________"
        var fields: [(name: String, value: String)] = []
        for line in checklist?.lines ?? [] {
            if line.trimmingWhitespace() == "---" { break }
            guard line.hasPrefix("**"), let close = line.range(of: ":**") else { continue }
            let name = String(line[line.index(line.startIndex, offsetBy: 2)..<close.lowerBound])
            let value = String(line[close.upperBound...]).trimmingWhitespace()
            fields.append((name, value.isEmpty ? blank : value))
        }
        if fields.isEmpty { fields = [("Deploy Date", blank), ("Deploy Lead", blank), ("Commit SHA", blank)] }
        return fields.map { field in
            switch field.name.lowercased() {
            case "deploy date": return (field.name, deployDate ?? field.value)
            case "deploy lead": return (field.name, deployLead.map { RunReport.cell($0) } ?? field.value)
            case "commit sha": return (field.name, commit.map { "`\($0)`" } ?? field.value)
            default: return field
            }
        }
    }

    /// The checklist's sign-off table (the first table after a heading that says "Sign-Off",
    /// 8.2 in the shipped checklist), empty for the signatures; a standard one without it.
    func signOffTable() -> String {
        let lines = checklist?.lines ?? []
        var inSection = false
        var table: [String] = []
        for line in lines {
            let trimmed = line.trimmingWhitespace()
            if trimmed.hasPrefix("#") {
                if !table.isEmpty { break }
                let heading = trimmed.lowercased()
                inSection = heading.contains("sign-off") || heading.contains("sign off") || heading.contains("signoff")
                continue
            }
            if inSection && trimmed.hasPrefix("|") { table.append(trimmed) } else if !table.isEmpty { break }
        }
        if table.count >= 3 { return table.joined(separator: "\n") + "\n" }
        return "| Role | Name | Signature | Date |\n|------|------|-----------|------|\n| Deploy Lead | | | |\n"
    }
}
