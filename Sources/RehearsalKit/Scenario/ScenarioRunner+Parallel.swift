import Foundation

extension ScenarioRunner {
    /// Runs `scenarios` on up to `workers` threads (no more than the cores) and returns their
    /// records in the order given: the report is byte for byte the one a run on one thread
    /// gives. Each scenario has its own in-memory database and world; what runs share
    /// (templates, declared foreign keys, schema verdicts) is kept by content under locks, so no
    /// record depends on which ran first.
    ///
    /// A scenario on a larger profile than the small one (staging, production) runs alone,
    /// after the others: its database is tens to hundreds of megabytes, and two at once would
    /// double the peak.
    ///
    /// When a scenario cannot run (its template fails to build, the engine throws), the error
    /// of the first such scenario in the given order is thrown, as a run on one thread would;
    /// no scenario after it is started once it failed. `phase` (the benchmark's timer) is left
    /// out when several threads run: it is not made to be called from several at once.
    public func run(_ scenarios: [Scenario], workers: Int) throws -> [ScenarioRecord] {
        guard workers > 1, scenarios.count > 1 else { return try scenarios.map { try run($0) } }
        let runner = { var runner = self; runner.phase = { _, body in try body() }; return runner }()
        let light = scenarios.indices.filter { !Self.runsAlone(scenarios[$0]) }
        let heavy = scenarios.indices.filter { Self.runsAlone(scenarios[$0]) }
        let results = ParallelResults<ScenarioRecord>(count: scenarios.count)
        // A task-local value (the test suite's `IncrementalEvaluation.$verifying`) is not seen by
        // the threads `concurrentPerform` runs on: each worker sets it again.
        let verifying = IncrementalEvaluation.verifying
        // The longest first (by steps), so no long scenario starts last while the other threads
        // have nothing left: the records still come back in the given order.
        let queue = WorkQueue(light.sorted { (scenarios[$0].steps.count, $1) > (scenarios[$1].steps.count, $0) })
        let body = ParallelWork<Void> {
            IncrementalEvaluation.$verifying.withValue(verifying) {
                while let index = queue.next(below: results.firstFailure) { results.set(index, Result { try runner.run(scenarios[index]) }) }
            }
        }
        if light.count > 1 {
            DispatchQueue.concurrentPerform(iterations: min(workers, light.count)) { _ in body.body() }
        } else {
            body.body()
        }
        for index in heavy where index < results.firstFailure { results.set(index, Result { try runner.run(scenarios[index]) }) }
        return try results.values()
    }

    /// Scenarios on a profile larger than the small one run alone (`run(_:workers:)`).
    static func runsAlone(_ scenario: Scenario) -> Bool {
        scenario.fixtures != "small" && SeedProfile.named(scenario.fixtures) != nil
    }
}

/// Indices handed out one at a time to whichever thread asks first.
private final class WorkQueue: @unchecked Sendable {
    private let lock = NSLock()
    private var remaining: ArraySlice<Int>

    init(_ indices: [Int]) { remaining = indices[...] }

    /// The next index below `limit` (those above a failed scenario are not run: one thread
    /// would have stopped before them).
    func next(below limit: Int) -> Int? {
        lock.withLock {
            while let index = remaining.popFirst() {
                if index < limit { return index }
            }
            return nil
        }
    }
}

/// One result per index, filled from several threads; read once all are in.
private final class ParallelResults<Value>: @unchecked Sendable {
    private let lock = NSLock()
    private var slots: [Result<Value, any Error>?]
    private var failed = Int.max

    init(count: Int) { slots = Array(repeating: nil, count: count) }

    /// The first index whose scenario could not run, so far.
    var firstFailure: Int { lock.withLock { failed } }

    func set(_ index: Int, _ result: Result<Value, any Error>) {
        lock.withLock {
            slots[index] = result
            if case .failure = result { failed = min(failed, index) }
        }
    }

    /// Every value in order, or the error of the first index that failed (those after it may
    /// not have run).
    func values() throws -> [Value] {
        let slots = lock.withLock { self.slots }
        for slot in slots {
            guard let slot else { preconditionFailure("a scenario before the first failure was not run") }
            _ = try slot.get()
        }
        return slots.map { try! $0!.get() }
    }
}
