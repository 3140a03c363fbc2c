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
    /// Plays runs 1…`runs` on up to `workers` threads, each taking the next run as soon as it is
    /// free (each history has its own in-memory database and world), and classifies and shrinks
    /// in run order, so the result is the same whatever the number of cores. `shouldStop` is
    /// asked before each run is taken (the command's time budget: the engine itself never reads
    /// a clock); `progress` is told after each run is recorded, in run order, by one thread at a
    /// time.
    ///
    /// There are no batches: a batch waited for its slowest history while the other cores
    /// idled, and the shrinking of a finding held every core; now one thread records (and
    /// shrinks) while the others go on playing.
    public func explore(workers: Int = ProcessInfo.processInfo.activeProcessorCount, shouldStop: () -> Bool = { false },
                        progress: (Int, Exploration) -> Void = { _, _ in }) -> Exploration {
        let pipeline = ExplorationPipeline(runs: configuration.runs)
        withoutActuallyEscaping(shouldStop) { shouldStop in
            withoutActuallyEscaping(progress) { progress in
                let work = ParallelWork<Void> {
                    while let run = pipeline.take(shouldStop) {
                        let history = history(run: run)
                        pipeline.finished(run, history, play(history))
                        pipeline.recordReady { record($0, of: $1, run: $2, into: &$3); progress($2, $3) }
                    }
                }
                if workers > 1 && configuration.runs > 1 {
                    DispatchQueue.concurrentPerform(iterations: workers) { _ in work.body() }
                } else {
                    work.body()
                }
                // A run finished while another thread was recording is recorded here.
                pipeline.recordReady { record($0, of: $1, run: $2, into: &$3); progress($2, $3) }
            }
        }
        return pipeline.result()
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

/// The runs `Explorer.explore` hands out, those played but not yet recorded, and what was
/// recorded: shared by its threads, every field under `lock`; `exploration` is touched only by
/// the thread holding `recorder`.
final class ExplorationPipeline: @unchecked Sendable {
    private let lock = NSLock()
    private let recorder = NSLock()
    private let runs: Int
    private var next = 1
    private var stopped = false
    private var played: [Int: (ExploredHistory, Explorer.Play)] = [:]
    private var nextToRecord = 1
    private var exploration = Exploration()

    init(runs: Int) { self.runs = runs }

    /// The next run to play, or nil when all were taken or `shouldStop` said so (then no
    /// other run is taken: the runs played are 1…n, with nothing missing).
    func take(_ shouldStop: () -> Bool) -> Int? {
        lock.withLock {
            guard !stopped, next <= runs else { return nil }
            if shouldStop() { stopped = true; return nil }
            defer { next += 1 }
            return next
        }
    }

    func finished(_ run: Int, _ history: ExploredHistory, _ play: Explorer.Play) {
        lock.withLock { played[run] = (history, play) }
    }

    /// Records, in run order, every played run whose predecessors are recorded, unless another
    /// thread is recording (it goes on to what is ready; what it misses, the next call gets).
    func recordReady(_ record: (Explorer.Play, ExploredHistory, Int, inout Exploration) -> Void) {
        guard recorder.try() else { return }
        defer { recorder.unlock() }
        while let (run, history, play) = lock.withLock({ () -> (Int, ExploredHistory, Explorer.Play)? in
            guard let ready = played.removeValue(forKey: nextToRecord) else { return nil }
            nextToRecord += 1
            return (nextToRecord - 1, ready.0, ready.1)
        }) {
            record(play, history, run, &exploration)
        }
    }

    func result() -> Exploration {
        recorder.withLock {
            lock.withLock {
                var result = exploration
                result.skippedRuns = runs - (next - 1)
                return result
            }
        }
    }
}

/// A body run by `concurrentPerform` on values it does not share (each history has its own
/// database and world; what they share is `ExplorationPipeline`'s, under its locks).
struct ParallelWork<T>: @unchecked Sendable {
    let body: () -> T
}
