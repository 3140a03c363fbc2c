extension RunReport {
    /// Per scenario, per step: the action, its outcome and the invariant tally; broken
    /// invariants with their evidence; failed expectations with what happened instead.
    /// How much `rehearse run` prints: every step, one line per scenario, or the steps of
    /// failed scenarios only.
    public enum Detail: Sendable { case full, quiet, onlyFailures }

    public func text(style: TerminalStyle = .plain, detail: Detail = .full) -> String {
        var lines: [String] = []
        for scenario in scenarios {
            lines.append(style.bold("\(scenario.passed ? "PASS" : "FAIL") \(scenario.name)") + "  (\(scenario.file), seed \(scenario.seed))")
            if detail == .quiet || (detail == .onlyFailures && scenario.passed) { continue }
            var previouslyBroken = Set<String>()
            for step in scenario.steps {
                let broken = step.invariants.filter { $0.status.isBroken }
                let holding = step.invariants.filter { $0.status.holds }.count
                let mark = step.passed ? style.green("ok  ") : style.red("FAIL")
                // A failure the step expects is the point of the step: marked as expected.
                let outcome = step.succeeded ? "done" : (step.passed ? "error (expected): " : "error: ") + step.error!
                let unknown = step.invariants.filter(\.status.isUnknown).count
                lines.append("  \(mark) \(step.number). \(step.action) — \(outcome)  [\(holding) hold, \(broken.count) broken, \(unknown == 0 ? "" : "\(unknown) unknown, ")\(step.invariants.count - holding - broken.count - unknown) n/a]")
                for expectation in step.expectations where !expectation.met {
                    lines.append("       " + style.red("expected \(expectation.description)") + (expectation.detail.map { ": \($0)" } ?? ""))
                }
                // Evidence is printed when an invariant becomes broken, not again at every step.
                for result in broken where !previouslyBroken.contains(result.info.id) {
                    if case .broken(let why, let evidence) = result.status {
                        let label = step.expectedBroken.contains(result.info.id) ? "broken (expected): " : "broken: "
                        lines.append("       " + style.red(label + result.info.id) + " — \(why)")
                        for item in evidence.prefix(5) { lines.append("         - \(InvariantReport.describe(item))") }
                        if evidence.count > 5 { lines.append("         … and \(evidence.count - 5) more") }
                    }
                }
                let nowBroken = Set(broken.map(\.info.id))
                for restored in previouslyBroken.subtracting(nowBroken).sorted() { lines.append("       " + style.green("restored: \(restored)")) }
                previouslyBroken = nowBroken
            }
        }
        let passed = scenarios.filter(\.passed).count
        let steps = scenarios.reduce(0) { $0 + $1.steps.count }
        lines.append("\(scenarios.count) scenarios, \(steps) steps: \(passed) passed, \(scenarios.count - passed) failed")
        return lines.joined(separator: "\n")
    }
}
