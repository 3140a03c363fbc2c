/// The record as text for a terminal, and the plans summary every format opens with.
extension ChecklistRecord {
    /// One line per plan: whether it works as written, and where it first goes wrong.
    public var planSummary: [String] {
        plans.map { verdict in
            var line = "plan \(verdict.plan) (\(verdict.section)) vs \(verdict.fault ?? "no fault"): \(verdict.verdict.rawValue)"
            if !verdict.stillBroken.isEmpty { line += "; still broken: \(verdict.stillBroken.joined(separator: ", "))" }
            if !verdict.residue.isEmpty { line += "; left from before the plan: \(verdict.residue.joined(separator: "; "))" }
            if let wrong = verdict.firstWrong {
                line += "; first goes wrong at \(checklist.file):\(wrong.item.line) `\(wrong.item.text.split(separator: "\n").first ?? "")`"
                if case .flagged(let why) = wrong.status { line += " — \(why)" }
            }
            return line
        }
    }

    public func text() -> String {
        var lines = ["rehearse checklist \(checklist.file) (seed \(seed)\(fault.map { ", fault \($0)" } ?? ""))"]
        var section = ""
        var brokenBefore: Set<String> = []
        for entry in entries {
            if entry.outcome.item.section != section {
                section = entry.outcome.item.section
                lines.append("")
                lines.append("\(section) \(checklist.section(section)?.title ?? "")")
            }
            let mark: String
            var why = ""
            switch entry.outcome.status {
            case .done: mark = "[x]"
            case .flagged(let reason): mark = "[!]"; why = reason
            case .notRehearsed(let reason): mark = "[ ]"; why = "not rehearsed: \(reason)"
            }
            lines.append("  \(mark) \(checklist.file):\(entry.outcome.item.line) \(entry.outcome.item.text.split(separator: "\n").first ?? "")")
            if !why.isEmpty { lines.append("      \(why)") }
            // What changed with this item, not the whole list again.
            let now = Set(entry.broken)
            if !now.subtracting(brokenBefore).isEmpty { lines.append("      now broken: \(now.subtracting(brokenBefore).sorted().joined(separator: ", "))") }
            if !brokenBefore.subtracting(now).isEmpty { lines.append("      holds again: \(brokenBefore.subtracting(now).sorted().joined(separator: ", "))") }
            brokenBefore = now
        }
        if let verdict = planVerdict {
            lines += ["", "Plan \(verdict.plan) (\(planReason ?? "")): \(verdict.verdict.rawValue)"]
            if !verdict.stillBroken.isEmpty { lines.append("  still broken after the plan: \(verdict.stillBroken.joined(separator: ", "))") }
        }
        if !plans.isEmpty { lines += ["", "Rollback plans, each rehearsed against the fault 6.1 sends to it:"] + planSummary.map { "  " + $0 } }
        let flaggedCount = flagged.count
        lines += ["", "\(entries.count) items: \(entries.count - flaggedCount - entries.filter { if case .notRehearsed = $0.outcome.status { return true }; return false }.count) done, \(flaggedCount) flagged"]
        return lines.joined(separator: "\n")
    }
}
