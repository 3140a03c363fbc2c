import GRDB

/// Replays a scenario on a fresh in-memory world and records, after every step, every
/// invariant and every expectation. Deterministic: the same scenario and seed give the same
/// record, so reports are byte-identical.
public struct ScenarioRunner {
    public var chain: RevisionChain
    /// Replaces each scenario's own seed (`rehearse run --seed N`).
    public var seedOverride: UInt64?
    /// The strict rule (the default): after every step, an invariant that is broken and that
    /// neither the step's `broken:` nor the scenario's `tolerate:` names fails the step.
    /// `rehearse run --lenient` checks named expectations only, as scenario files written before
    /// the rule were checked.
    public var strict = true
    /// Wraps the phases of a run (`setup`, `world`, `steps`, `invariants`, `expectations`,
    /// `scrubbing`, `record`) so a benchmark can time them; the engine itself never reads a clock.
    public var phase: (String, () throws -> Void) throws -> Void = { _, body in try body() }

    /// `body`'s value, timed as the phase `name` (`phase`).
    private func timed<T>(_ name: String, _ body: () throws -> T) throws -> T {
        var value: T?
        try phase(name) { value = try body() }
        return value!
    }
    /// Also evaluate every invariant after every step and fail on any difference with the
    /// incremental evaluation (the test suite's proof that the two agree).
    public var verifyIncremental = false

    public init(chain: RevisionChain, seedOverride: UInt64? = nil) {
        self.chain = chain
        self.seedOverride = seedOverride
    }

    /// Production's state before the deploy: migrated to the scenario's revision, then seeded.
    func setUp(_ db: Database, for scenario: Scenario, seed: UInt64) throws {
        let key = TemplateDatabase.Key(migrations: chain.fingerprint, revision: scenario.revision, fixtures: scenario.fixtures, seed: seed, start: scenario.start.seconds)
        try TemplateDatabase.copy(key, into: db) { template in try build(template, for: scenario, seed: seed) }
        // The Postgres catalogue views are made by the first script that may read them
        // (`SQLConsole`), not here: three scenarios of the library need them, and making them for
        // every run was 4% of its time. That step's evaluation sees the temp schema move and
        // judges every invariant again (about 2 ms, against 0.7 ms for the views in each run).
    }

    /// Migrates and seeds, as the template for `setUp`.
    private func build(_ db: Database, for scenario: Scenario, seed: UInt64) throws {
        if scenario.revision != RevisionChain.base {
            try Migrator(chain: chain).upgrade(db, to: scenario.revision)
        }
        guard let profile = SeedProfile.named(scenario.fixtures) else { return }
        do {
            _ = try Seeder(profile: profile, seed: seed, now: scenario.start).seedCheckingForeignKeysOnce(db)
        } catch SeedError.notMigrated(let table) {
            throw ScenarioLoadError(SourceLocation(file: scenario.file, line: 1, column: 1),
                                    "fixtures '\(scenario.fixtures)' need every base table, and revision \(scenario.revision) has no table \(table); use a later revision or 'fixtures: none'")
        }
    }

    public func run(_ scenario: Scenario) throws -> ScenarioRecord {
        let seed = seedOverride ?? scenario.seed
        let queue = try DatabaseOpener.open(path: nil)
        return try queue.writeWithoutTransaction { db in
            try phase("setup") { try setUp(db, for: scenario, seed: seed) }
            let world = try timed("world") {
                let world = makeWorld(scenario, seed: seed)
                world.evaluation.attach(to: db)
                return world
            }
            var observer = GoNoGoObserver(revision: try MigrationBookkeeping.currentRevision(db), world: world, startsDeployed: scenario.code == .sprint3)
            var records: [StepRecord] = []
            for (index, step) in scenario.steps.enumerated() {
                let record = try perform(step, number: index + 1, db: db, world: world, tolerate: scenario.tolerate)
                try phase("record") { observer.observe(step.action, record, db: db, world: world) }
                records.append(record)
            }
            // The record's end: the state left (1.2's queries again) and Checklist 4.5's table.
            let (final, toolGate) = try timed("record") { ((try? Baseline.capture(db, label: "post-deploy")), try ToolGateTable.derive(db)) }
            var record = ScenarioRecord(
                file: scenario.file, name: scenario.name, description: scenario.description, tags: scenario.tags, seed: seed,
                steps: records, baseline: world.baseline, finalState: final, toolResults: world.toolResults,
                goNoGo: observer.items(final: records.last, world: world, scenarioPassed: records.allSatisfy(\.passed)))
            record.checklist = scenario.checklist.file
            record.plansRun = scenario.steps.compactMap { if case .rollback(let plan, _) = $0.action { return plan }; return nil }
            record.toolGate = toolGate
            return record
        }
    }

    /// The world and database a scenario leaves — set up, then every step performed — for
    /// `rehearse serve --scenario`; expectations are not checked (`rehearse run` does).
    public func prepare(_ scenario: Scenario, db: Database) throws -> World {
        let seed = seedOverride ?? scenario.seed
        try setUp(db, for: scenario, seed: seed)
        let world = makeWorld(scenario, seed: seed)
        for (index, step) in scenario.steps.enumerated() {
            _ = try perform(step, number: index + 1, db: db, world: world, tolerate: scenario.tolerate)
        }
        return world
    }

    /// The world a scenario starts from: its code, compose file, checklist and prose table.
    func makeWorld(_ scenario: Scenario, seed: UInt64) -> World {
        let world = World(seed: seed, start: scenario.start, chain: chain, version: scenario.code, compose: scenario.compose)
        world.expectedRevision = scenario.revision
        world.checklist = scenario.checklist
        world.proseCommands = ProseCommands.standard.overriding(scenario.prose)
        if verifyIncremental { world.evaluation.verify = true }
        return world
    }

    func perform(_ step: ScenarioStep, number: Int, db: Database, world: World, tolerate: [String] = []) throws -> StepRecord {
        var result = StepOutput()
        try phase("steps") { result = Self.act(step.action, db: db, world: world) }
        let (output, value, exit, failure) = (result.lines, result.value, result.exit, result.failure)
        var invariants: [InvariantResult] = []
        try phase("invariants") { invariants = try world.evaluation.evaluate(world.invariantContext(db)) }
        var expectations = try timed("expectations") {
            try ExpectationChecker.check(step.expect, failure: failure, value: value, output: output, invariants: invariants, db: db, now: world.clock, exit: exit)
        }
        if strict {
            let expected = Set(step.expect.broken).union(tolerate)
            for result in invariants where result.status.isBroken && !expected.contains(result.info.id) {
                expectations.append(ExpectationResult(description: "no unexpected broken invariant", met: false,
                                                      detail: "\(result.info.id) \(ExpectationChecker.describe(result.status))"))
            }
            // What could not be evaluated was not checked: a pass would claim it held.
            let unknownExpected = Set(step.expect.unknown).union(tolerate)
            for result in invariants where result.status.isUnknown && !unknownExpected.contains(result.info.id) {
                expectations.append(ExpectationResult(description: "no unexpected unknown invariant", met: false,
                                                      detail: "\(result.info.id) could not be evaluated: \(ExpectationChecker.describe(result.status).dropFirst("unknown: ".count))"))
            }
        }
        // Expectations read the raw output; the record keeps it scrubbed, so no report in any
        // format carries a name or an address: the placeholder says which type stood where.
        return try timed("scrubbing") {
            let scanner = (try? world.evaluation.peopleScanner(db)) ?? PIIScanner(people: [])
            return StepRecord(number: number, line: step.line, action: scanner.scrub(text: step.label ?? step.action.summary).text, succeeded: failure == nil,
                              output: output.map { scanner.scrub(text: $0).text }, error: failure.map { scanner.scrub(text: $0).text },
                              value: value.map { scanner.scrub($0).value }, expectations: expectations, invariants: invariants, time: world.clock,
                              expectedBroken: Set(step.expect.broken).union(tolerate))
        }
    }

    /// Performs one action with a step's all-or-nothing rule: a transactional action that fails
    /// leaves the database (its savepoint) and the world (its saved state) as they were; other
    /// actions keep what they did, as the real commands would.
    static func act(_ action: StepAction, db: Database, world: World) -> StepOutput {
        let saved = world.saveState()
        var result = StepOutput()
        do {
            if action.isTransactional {
                try db.inSavepoint {
                    do {
                        result = try StepExecutor.execute(action, db: db, world: world)
                        return .commit
                    } catch {
                        result.failure = Self.message(error)
                        return .rollback
                    }
                }
            } else {
                result = try StepExecutor.execute(action, db: db, world: world)
            }
        } catch {
            result.failure = Self.message(error)
        }
        if result.failure != nil && action.isTransactional { world.restoreState(saved) }
        return result
    }

    /// One line for any error a step can raise: the application's refusal, a constraint or
    /// trigger, a migration failure.
    static func message(_ error: Error) -> String {
        switch error {
        case let error as ApplicationError: return error.description
        case let error as DatabaseError: return error.message ?? "\(error)"
        case let error as UserFacingError: return error.description
        case let error as CommandLineError: return error.description
        default: return "\(error)"
        }
    }
}
