import Foundation

extension ScenarioRunner {
    /// Runs `scenarios` on up to `workers` threads and returns their records in the order given:
    /// the report is byte for byte the one a run on one thread gives. Each scenario has its own
    /// in-memory database and world; what runs share (templates, declared foreign keys, schema
    /// verdicts) is kept by content under locks, so no record depends on which ran first.
    ///
    /// A scenario on a larger profile than the small one (staging, production) runs alone,
    /// after the others: its database is tens to hundreds of megabytes, and two at once would
    /// double the peak.
    ///
    /// When a scenario cannot run (its template fails to build, the engine throws), the error
    /// of the first such scenario in the given order is thrown, as a run on one thread would.
    /// `phase` (the benchmark's timer) is not called from several threads: it is only used
    /// with `workers == 1`.
    public func run(_ scenarios: [Scenario], workers: Int) throws -> [ScenarioRecord] {
        guard workers > 1, scenarios.count > 1 else { return try scenarios.map { try run($0) } }
        let isLight = { (scenario: Scenario) in scenario.fixtures == "small" || SeedProfile.named(scenario.fixtures) == nil }
        let light = scenarios.indices.filter { isLight(scenarios[$0]) }
        let heavy = scenarios.indices.filter { !isLight(scenarios[$0]) }
        let results = ParallelResults<ScenarioRecord>(count: scenarios.count)
        // A task-local value (the test suite's `IncrementalEvaluation.$verifying`) is not seen by
        // the threads `concurrentPerform` runs on: each worker sets it again.
        let verifying = IncrementalEvaluation.verifying
        let queue = WorkQueue(light)
        let body = ParallelWork<Void> {
            IncrementalEvaluation.$verifying.withValue(verifying) {
                while let index = queue.next() { results.set(index, Result { try run(scenarios[index]) }) }
            }
        }
        if light.count > 1 {
            DispatchQueue.concurrentPerform(iterations: min(workers, light.count)) { _ in body.body() }
        } else {
            body.body()
        }
        for index in heavy { results.set(index, Result { try run(scenarios[index]) }) }
        return try results.values()
    }
}

/// Indices handed out one at a time to whichever thread asks first.
private final class WorkQueue: @unchecked Sendable {
    private let lock = NSLock()
    private var remaining: ArraySlice<Int>

    init(_ indices: [Int]) { remaining = indices[...] }

    func next() -> Int? { lock.withLock { remaining.popFirst() } }
}

/// One result per index, filled from several threads; read once all are in.
private final class ParallelResults<Value>: @unchecked Sendable {
    private let lock = NSLock()
    private var slots: [Result<Value, any Error>?]

    init(count: Int) { slots = Array(repeating: nil, count: count) }

    func set(_ index: Int, _ result: Result<Value, any Error>) { lock.withLock { slots[index] = result } }

    /// Every value in order, or the error of the first index that failed.
    func values() throws -> [Value] {
        try lock.withLock { slots }.map { slot in
            guard let slot else { preconditionFailure("a scenario was not run") }
            return try slot.get()
        }
    }
}
