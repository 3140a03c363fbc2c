import Foundation

/// The summary `rehearse explore` prints: runs, steps, speed, the breaks explained, and every
/// unexplained violation with its minimal reproduction. Ids and invariant names only: a
/// violation's detail is the invariant's own description, which never carries row values.
public enum ExplorationReport {
    public static func text(_ exploration: Exploration, seconds: Double, budgetReached: Bool, budget: String) -> String {
        var lines: [String] = []
        lines.append(String(format: "%d run(s), %d step(s) in %.1f s: %.0f steps/s, every invariant after every step", exploration.runs, exploration.steps, seconds,
                            Double(exploration.steps) / max(seconds, 1e-9)))
        if budgetReached { lines.append("time budget \(budget) reached: \(exploration.skippedRuns) run(s) not played (the same seed plays them in order next time)") }
        if !exploration.explained.isEmpty {
            lines.append("explained breaks (a fault that names them, or a destructive operator step before them):")
            for (id, count) in exploration.explained.sorted(by: { ($0.value, $1.key) > ($1.value, $0.key) }) {
                lines.append("  " + id.padding(toLength: 44, withPad: " ", startingAt: 0) + " \(count)")
            }
        }
        if exploration.findings.isEmpty {
            lines.append("unexplained violations: none")
        } else {
            lines.append("unexplained violations: \(exploration.findings.count)")
            for finding in exploration.findings {
                let reproduction = finding.reproduction
                lines.append("  \(finding.invariant): first in run \(finding.firstRun) at step \(finding.firstStep), in \(finding.occurrences) run(s)")
                lines.append("    \(finding.detail.split(separator: "\n").first.map(String.init) ?? "")")
                lines.append("    shrunk from \(finding.originalSteps) to \(reproduction.history.steps.count) step(s) in \(finding.shrinkTests) replay(s), starting \(reproduction.history.start.rawValue)")
                lines.append("    \(finding.file ?? "(not written)"): \(reproduction.verified ? "" : "NOT VERIFIED: ")\(reproduction.verification)")
            }
        }
        return lines.joined(separator: "\n")
    }
}
