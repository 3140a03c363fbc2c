/// Delta debugging (Zeller's ddmin) over a history's steps, then over their arguments: the
/// smallest history found that still breaks `invariant` without an explanation. Every candidate
/// is played from the same template, so a test costs one short replay.
struct Shrinker {
    let explorer: Explorer
    let invariant: String
    /// Replays tried, for the summary.
    private(set) var tests = 0

    init(explorer: Explorer, invariant: String) {
        self.explorer = explorer
        self.invariant = invariant
    }

    mutating func reproduces(_ history: ExploredHistory) -> Bool {
        tests += 1
        return explorer.play(history, stopAt: invariant).violations.contains { $0.invariant == invariant }
    }

    mutating func shrink(_ history: ExploredHistory, violationStep: Int) -> ExploredHistory {
        // Nothing after the violating step matters.
        var current = history
        current.steps = Array(history.steps.prefix(violationStep + 1))
        var granularity = 2
        while current.steps.count >= 2 {
            let chunk = max(1, current.steps.count / granularity)
            var reduced = false
            var start = 0
            while start < current.steps.count {
                var candidate = current
                candidate.steps.removeSubrange(start..<min(start + chunk, candidate.steps.count))
                if !candidate.steps.isEmpty, reproduces(candidate) {
                    current = candidate
                    reduced = true
                    granularity = max(granularity - 1, 2)
                } else {
                    start += chunk
                }
            }
            if !reduced {
                if chunk == 1 { break }
                granularity = min(granularity * 2, current.steps.count)
            }
        }
        // Then each step's arguments: a shorter wait, one service instead of several.
        for index in current.steps.indices {
            for simpler in Self.simpler(current.steps[index]) {
                var candidate = current
                candidate.steps[index] = simpler
                if reproduces(candidate) { current = candidate; break }
            }
        }
        // And the start: before the deploy is the longer story, after it the shorter one.
        if current.start == .beforeDeploy {
            var candidate = current
            candidate.start = .afterDeploy
            if reproduces(candidate) { current = candidate }
        }
        return current
    }

    /// Simpler variants of a step, simplest first.
    static func simpler(_ action: StepAction) -> [StepAction] {
        switch action {
        case .advance(let seconds, _):
            return HistoryGenerator.durations.compactMap { text in
                let value = DurationText.seconds(text)!
                return value < seconds ? StepAction.advance(seconds: value, text: text) : nil
            }
        case .stop(let services) where services.count > 1: return services.map { .stop([$0]) }
        case .start(let services) where services.count > 1: return services.map { .start([$0]) }
        case .restart(let services) where services.count > 1: return services.map { .restart([$0]) }
        case .approve(let proposal, let reviewer, let notes) where proposal != "latest": return [.approve(proposal: "latest", reviewer: reviewer, notes: notes)]
        case .reject(let proposal, let reviewer, let notes) where proposal != "latest": return [.reject(proposal: "latest", reviewer: reviewer, notes: notes)]
        default: return []
        }
    }
}
