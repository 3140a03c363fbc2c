/// The record as the checklist itself, filled in: each `[ ]` becomes `[x]` (done as the
/// checklist says) or `[!]` with the output that shows why not; statements of sql blocks get a
/// `-- [x]` / `-- [!]` line; the 3.1 table's boxes, the Baseline Values table and the 4.5 table
/// are filled; a summary opens it: the plans that work as written and where the others first
/// go wrong.
extension ChecklistRecord {
    public func markdown() -> String {
        var lines = checklist.lines
        var byLine: [Int: ChecklistRehearsal.Entry] = [:]
        for entry in entries where byLine[entry.outcome.item.line] == nil { byLine[entry.outcome.item.line] = entry }
        // Steps of 3.1 carry the verdict of the items that stand for them.
        var insertions: [Int: [String]] = [:]
        // 2.1 and 2.2: the lock analysis under the checklist's own Risk Assessment table.
        for section in LockAssessment.forChecklist(checklist) { insertions[section.tableEnd - 1, default: []] += LockAssessment.markdown(section) }
        for (number, raw) in lines.enumerated() {
            guard let entry = byLine[number + 1] else { continue }
            let item = entry.outcome.item
            let mark: String
            var why: String?
            switch entry.outcome.status {
            case .done: mark = "[x]"
            case .flagged(let reason): mark = "[!]"; why = reason
            case .notRehearsed(let reason): mark = "[ ]"; why = "not rehearsed: \(reason)"
            }
            switch item.kind {
            case .command, .prose, .step:
                if raw.contains("[ ]") { lines[number] = raw.replacingFirst("[ ]", with: mark) }
                // (The 3.1 table sits in a fenced block, so a note line under a row is plain text too.)
                if let why {
                    let indent = String(raw.prefix { $0 == " " })
                    var note = ["\(indent)# \(mark) \(why)"]
                    if case .flagged = entry.outcome.status {
                        note += entry.outcome.results.last.map { $0.output.suffix(4).map { "\(indent)#     \($0)" } } ?? []
                    }
                    let end = itemEnd(number, item)
                    insertions[end, default: []] += note
                }
            case .sql:
                let end = itemEnd(number, item)
                let indent = String(raw.prefix { $0 == " " })
                insertions[end, default: []].append("\(indent)-- \(mark) " + (why ?? (entry.outcome.results.last.map { "\($0.output.filter { !$0.isEmpty }.last ?? "")" } ?? "")))
            }
        }
        for line in insertions.keys.sorted(by: >) { lines.insert(contentsOf: insertions[line]!, at: line + 1) }
        fillTables(&lines)
        return (header() + lines).joined(separator: "\n")
    }

    /// The 0-based index of an item's last line (multi-line commands and statements).
    func itemEnd(_ start: Int, _ item: ChecklistItem) -> Int {
        start + item.text.filter { $0 == "\n" }.count
    }

    func header() -> [String] {
        var lines = ["<!-- Filled by `rehearse checklist` (seed \(seed)\(fault.map { ", fault \($0)" } ?? "")): [x] done as written, [!] did not do what the checklist says, [ ] not rehearsed. -->", ""]
        lines += ["## Rehearsal summary", ""]
        let flaggedItems = flagged.filter { !$0.inPlan }
        lines.append(flaggedItems.isEmpty ? "- Deploy phases: every item did what the checklist says." :
            "- Deploy phases: \(flaggedItems.count) item(s) did not do what the checklist says; the first is line \(flaggedItems[0].outcome.item.line) (\(flaggedItems[0].outcome.item.section)).")
        if let verdict = planVerdict {
            lines.append("- Fault `\(fault ?? "")` → plan \(verdict.plan) (\(planReason ?? "")): **\(verdict.verdict.rawValue)**"
                         + (verdict.stillBroken.isEmpty ? "" : "; still broken: \(verdict.stillBroken.joined(separator: ", "))"))
        }
        if !plans.isEmpty {
            lines += ["", "| Plan | Rehearsed against | Verdict | First command line that goes wrong |", "|---|---|---|---|"]
            for verdict in plans {
                var first = "—"
                if let wrong = verdict.firstWrong, case .flagged(let why) = wrong.status {
                    first = "line \(wrong.item.line): `\(wrong.item.text.split(separator: "\n").first ?? "")` — \(why)".replacingOccurrences(of: "|", with: "\\|")
                }
                let broken = verdict.stillBroken.isEmpty ? "" : " (still broken: \(verdict.stillBroken.joined(separator: ", ")))"
                lines.append("| \(verdict.plan) (\(verdict.section)) | \(verdict.fault ?? "—") | \(verdict.verdict.rawValue)\(broken) | \(first) |")
            }
        }
        return lines + ["", "---", ""]
    }

    /// The Baseline Values table, the 4.5 table and the header fields.
    func fillTables(_ lines: inout [String]) {
        let comparison = baseline.flatMap { before in final.map { BaselineComparison(before: before, after: $0) } }
        for (index, line) in lines.enumerated() {
            if line.hasPrefix("**Commit SHA:**") { lines[index] = "**Commit SHA:** \(commit) (rehearsed)" }
            for metric in comparison?.lines ?? [] where line.hasPrefix("| \(metric.metric) |") {
                lines[index] = "| \(metric.metric) | \(metric.before) | \(metric.after) | \(metric.status) |"
            }
            for tool in MCPTools.writeTools where line.hasPrefix("| \(tool) |") {
                let row = toolGate[tool]
                func box(_ value: Bool?) -> String { value == nil ? "[ ]" : (value! ? "[x]" : "[!]") }
                lines[index] = "| \(tool) | \(box(row?.createsProposal)) | \(box(row?.requiresApproval)) | \(box(row?.directWriteBlocked)) |"
            }
        }
    }
}

extension String {
    func replacingFirst(_ target: String, with replacement: String) -> String {
        guard let range = range(of: target) else { return self }
        return replacingCharacters(in: range, with: replacement)
    }
}
