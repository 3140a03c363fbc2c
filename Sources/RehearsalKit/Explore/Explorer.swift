import GRDB

/// `rehearse explore`: plays generated histories with every invariant after every step,
/// classifies every break, and shrinks each unexplained one to a minimal history written as a
/// scenario that `rehearse run` replays to the same violation.
public struct Explorer {
    public struct Configuration: Sendable {
        public var runs = 1000
        public var steps = 20
        public var seed: UInt64 = 1
        public var faults: [String] = []
        public var checklist: Checklist
        /// The checklist's absolute path when it is not the shipped one, written in reproductions.
        public var checklistPath: String?
        /// The profile every history starts from (one template database per start).
        public var fixtures = "small"
        public var start = Timestamp(iso8601: "2026-01-14T09:00:00Z")!

        public init(checklist: Checklist) { self.checklist = checklist }
    }

    /// A break nothing in its history explains, or an error that stopped the engine.
    public struct Violation: Sendable, Equatable {
        /// The invariant id, or `engine.error` when the engine itself failed.
        public var invariant: String
        /// 0-based index of the step after which it was first seen.
        public var step: Int
        public var detail: String
    }

    /// What one history did, step by step.
    public struct Play {
        public var steps = 0
        public var explained: [String: Int] = [:]
        public var violations: [Violation] = []
    }

    public let configuration: Configuration
    let chain: RevisionChain
    /// The first evaluation of each start, shared by the histories played on every core.
    let starts = Locked<[String: IncrementalEvaluation.Start]>([:])
    let generator: HistoryGenerator

    public init(configuration: Configuration, chain: RevisionChain) {
        self.configuration = configuration
        self.chain = chain
        self.generator = HistoryGenerator(faults: configuration.faults, checklist: configuration.checklist)
    }

    public func history(run: Int) -> ExploredHistory {
        generator.history(seed: configuration.seed, run: run, steps: configuration.steps)
    }

    /// The scenario a history is played as (no steps: they are performed one by one).
    func scenario(_ history: ExploredHistory, steps: [ScenarioStep] = []) -> Scenario {
        Scenario(file: "explore", name: "explore", description: "", tags: ["explore"], seed: configuration.seed, fixtures: configuration.fixtures,
                 start: configuration.start, revision: history.start.revision, code: history.start.code, steps: steps, incident: nil,
                 checklist: configuration.checklist)
    }

    /// Runs `body` on a new in-memory database and world in the state `history` starts from.
    func withStart<T>(of history: ExploredHistory, _ body: (Database, World) throws -> T) throws -> T {
        let runner = ScenarioRunner(chain: chain)
        let scenario = scenario(history)
        return try DatabaseOpener.open(path: nil).writeWithoutTransaction { db in
            try runner.setUp(db, for: scenario, seed: scenario.seed)
            return try body(db, runner.makeWorld(scenario, seed: scenario.seed))
        }
    }

    /// Plays `history`; `stopAt` ends it at the first violation of that invariant (shrinking).
    public func play(_ history: ExploredHistory, stopAt invariant: String? = nil) -> Play {
        var play = Play()
        do {
            try withStart(of: history) { db, world in
                // Every history from this start begins with the same bytes and world: the first
                // evaluation is the one the first such history made (its keys still checked).
                if let known = starts.withLock({ $0[history.start.rawValue] }) { world.evaluation.adopt(known, on: db) }
                var broken = Set(try world.evaluation.evaluate(world.invariantContext(db)).filter(\.status.isBroken).map(\.info.id))
                if let start = world.evaluation.start { starts.withLock { $0[history.start.rawValue] = $0[history.start.rawValue] ?? start } }
                var explains = Set<String>(), faultBreaks = Set<String>()
                var destroyedData = false
                for (index, action) in history.steps.enumerated() {
                    _ = ScenarioRunner.act(action, db: db, world: world)
                    play.steps += 1
                    explains.formUnion(Explanations.mayBreak(action))
                    faultBreaks.formUnion(Explanations.faultBreaks(action))
                    destroyedData = destroyedData || Explanations.destroysData(action)
                    let results: [InvariantResult]
                    do {
                        results = try world.evaluation.evaluate(world.invariantContext(db))
                    } catch {
                        play.violations.append(Violation(invariant: "engine.error", step: index, detail: ScenarioRunner.message(error)))
                        return
                    }
                    let now = Set(results.filter(\.status.isBroken).map(\.info.id))
                    for result in results where now.contains(result.info.id) && !broken.contains(result.info.id) {
                        let id = result.info.id
                        if Explanations.isExplained(result, faults: faultBreaks, destroyedData: destroyedData, explains: explains) {
                            play.explained[id, default: 0] += 1
                        } else if !play.violations.contains(where: { $0.invariant == id }) {
                            play.violations.append(Violation(invariant: id, step: index, detail: ExpectationChecker.describe(result.status)))
                        }
                    }
                    broken = now
                    if let invariant, play.violations.contains(where: { $0.invariant == invariant }) { return }
                }
            }
        } catch {
            play.violations.append(Violation(invariant: "engine.error", step: max(0, play.steps - 1), detail: ScenarioRunner.message(error)))
        }
        return play
    }
}
