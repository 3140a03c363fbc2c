/// What `rehearse explore` found: every distinct unexplained violation (by invariant, or an
/// engine error) with its minimal reproduction, and the explained breaks counted by invariant.
public struct Exploration: Sendable {
    public struct Finding: Sendable {
        public var invariant: String
        /// The first run that showed it, its step, and how many runs showed it.
        public var firstRun: Int
        public var firstStep: Int
        public var detail: String
        public var occurrences: Int
        public var originalSteps: Int
        public var reproduction: Reproduction
        /// Replays the shrinker tried.
        public var shrinkTests: Int
        /// Where the reproduction was written (set by the command).
        public var file: String?
    }

    public var runs = 0
    public var steps = 0
    public var findings: [Finding] = []
    public var explained: [String: Int] = [:]
    /// Runs not played because the time budget ran out.
    public var skippedRuns = 0
}

extension Explorer {
    /// Plays runs 1…`runs` in order. `shouldStop` is asked before each run (the command's time
    /// budget: the engine itself never reads a clock); `progress` is told after each.
    public func explore(shouldStop: () -> Bool = { false }, progress: (Int, Exploration) -> Void = { _, _ in }) -> Exploration {
        var exploration = Exploration()
        for run in 1...configuration.runs {
            if shouldStop() { exploration.skippedRuns = configuration.runs - run + 1; break }
            let history = history(run: run)
            let play = play(history)
            exploration.runs += 1
            exploration.steps += play.steps
            for (id, count) in play.explained { exploration.explained[id, default: 0] += count }
            for violation in play.violations {
                if let known = exploration.findings.firstIndex(where: { $0.invariant == violation.invariant }) {
                    exploration.findings[known].occurrences += 1
                    continue
                }
                var shrinker = Shrinker(explorer: self, invariant: violation.invariant)
                let minimal = violation.invariant == "engine.error"
                    ? ExploredHistory(start: history.start, steps: Array(history.steps.prefix(violation.step + 1)))
                    : shrinker.shrink(history, violationStep: violation.step)
                let file = Self.fileName(invariant: violation.invariant, seed: configuration.seed, run: run)
                let reproduction = reproduction(minimal, invariant: violation.invariant, run: run, originalSteps: history.steps.count, fileName: file)
                exploration.findings.append(Exploration.Finding(
                    invariant: violation.invariant, firstRun: run, firstStep: violation.step + 1, detail: violation.detail, occurrences: 1,
                    originalSteps: history.steps.count, reproduction: reproduction, shrinkTests: shrinker.tests))
            }
            progress(run, exploration)
        }
        return exploration
    }

    public static func fileName(invariant: String, seed: UInt64, run: Int) -> String {
        "explore-\(invariant.replacingOccurrences(of: ".", with: "-"))-seed\(seed)-run\(run).yaml"
    }
}
