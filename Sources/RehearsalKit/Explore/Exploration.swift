import Foundation

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
    /// Plays runs 1…`runs`, a batch at a time on every core (each history has its own
    /// in-memory database and world), then classifies and shrinks in run order, so the result
    /// is the same whatever the number of cores. `shouldStop` is asked before each batch (the
    /// command's time budget: the engine itself never reads a clock); `progress` is told after
    /// each run.
    public func explore(workers: Int = ProcessInfo.processInfo.activeProcessorCount, shouldStop: () -> Bool = { false },
                        progress: (Int, Exploration) -> Void = { _, _ in }) -> Exploration {
        var exploration = Exploration()
        let batch = max(1, workers) * 4
        var run = 1
        while run <= configuration.runs {
            if shouldStop() { exploration.skippedRuns = configuration.runs - run + 1; break }
            let runs = Array(run...min(run + batch - 1, configuration.runs))
            let histories = runs.map { history(run: $0) }
            let plays = Self.inParallel(histories.count, workers: workers) { play(histories[$0]) }
            for (index, current) in runs.enumerated() {
                record(plays[index], of: histories[index], run: current, into: &exploration)
                progress(current, exploration)
            }
            run += runs.count
        }
        return exploration
    }

    /// The results of `body(0..<count)`, in order, computed on up to `workers` threads.
    static func inParallel<T>(_ count: Int, workers: Int, _ body: (Int) -> T) -> [T] {
        guard workers > 1, count > 1 else { return (0..<count).map(body) }
        // Each index is computed once, by one thread, into its own slot; the lock orders the
        // writes with the read below. Swift cannot see that, hence the unchecked boxes.
        let slots = ParallelSlots<T>(count)
        withoutActuallyEscaping(body) { body in
            let work = ParallelWork(body: body)
            DispatchQueue.concurrentPerform(iterations: count) { index in
                let value = work.body(index)
                slots.lock.withLock { slots.values[index] = value }
            }
        }
        return slots.lock.withLock { slots.values.map { $0! } }
    }

    /// Adds one played history: its explained breaks, and each violation not seen before,
    /// shrunk and written as a reproduction.
    private func record(_ play: Play, of history: ExploredHistory, run: Int, into exploration: inout Exploration) {
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
    }

    public static func fileName(invariant: String, seed: UInt64, run: Int) -> String {
        "explore-\(invariant.replacingOccurrences(of: ".", with: "-"))-seed\(seed)-run\(run).yaml"
    }
}

/// Each slot is written once, by one thread, under the lock (see `Explorer.inParallel`).
final class ParallelSlots<T>: @unchecked Sendable {
    let lock = NSLock()
    var values: [T?]
    init(_ count: Int) { values = Array(repeating: nil, count: count) }
}

/// A body run by `concurrentPerform` on values it does not share (each history has its own
/// database and world).
struct ParallelWork<T>: @unchecked Sendable {
    let body: (Int) -> T
}
