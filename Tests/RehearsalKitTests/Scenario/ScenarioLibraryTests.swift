import Foundation
import Testing
@testable import RehearsalKit

/// Every scenario of the library is a regression test.
@Suite struct ScenarioLibraryTests {
    /// The rehearsals (drills, under drills/, are tested by DrillTests).
    static let files: [String] = (try? ScenarioLibrary.yamlFiles(in: ShippedResources.scenariosDirectory)
        .map { String($0.dropFirst(ShippedResources.scenariosDirectory.count + 1)) }
        .filter { !$0.hasPrefix("drills/") }) ?? []

    static func run(_ name: String, seed: UInt64? = nil) throws -> ScenarioRecord {
        let chain = try RevisionChain.shipped()
        let scenario = try ScenarioLoader(chain: chain).load(path: ShippedResources.scenariosDirectory + "/" + name, displayPath: "scenarios/" + name)
        return try ScenarioRunner(chain: chain, seedOverride: seed).run(scenario)
    }

    @Test func theLibraryHasAtLeastTwentyScenarios() {
        #expect(Self.files.count >= 20)
    }

    @Test(arguments: files)
    func scenarioPasses(file: String) throws {
        let record = try Self.run(file)
        let unmet = record.steps.flatMap { step in step.expectations.filter { !$0.met }.map { "step \(step.number) (\(step.action)): \($0.description) — \($0.detail ?? "")" } }
        #expect(unmet == [])
        #expect(record.passed)
        #expect(record.steps.allSatisfy { !$0.invariants.isEmpty })
    }

    /// Under the strict rule, for other seeds too: no expectation depends on seeded counts.
    @Test(arguments: [UInt64(1), 7, 99, 12345])
    func theLibraryPassesForAnySeed(seed: UInt64) throws {
        for file in Self.files {
            let record = try Self.run(file, seed: seed)
            let unmet = record.steps.flatMap { step in step.expectations.filter { !$0.met }.map { "\(file) step \(step.number): \($0.description) — \($0.detail ?? "")" } }
            #expect(unmet == [], "seed \(seed)")
        }
    }

    @Test func anInvariantBrokenThatNoStepExpectsFailsTheStepUnlessLenientOrTolerated() throws {
        let yaml = "name: s\ncode: sprint3\nrevision: head\nsteps:\n  - shell: docker compose stop backend\n"
        let chain = try RevisionChain.shipped()
        let scenario = try ScenarioLoader(chain: chain).load(text: yaml, file: "s.yaml")
        let strict = try ScenarioRunner(chain: chain).run(scenario)
        #expect(!strict.passed)
        #expect(strict.steps[0].expectations.map(\.description) == ["no unexpected broken invariant"])
        #expect(strict.steps[0].expectations[0].detail?.hasPrefix("api.endpoints_healthy broken: 1 endpoint(s) failing") == true)
        var lenient = ScenarioRunner(chain: chain)
        lenient.strict = false
        #expect(try lenient.run(scenario).passed)
        let expected = try ScenarioLoader(chain: chain).load(text: yaml + "    expect: {broken: [api.endpoints_healthy]}\n", file: "s.yaml")
        #expect(try ScenarioRunner(chain: chain).run(expected).passed)
        let tolerated = try ScenarioLoader(chain: chain).load(text: yaml.replacingOccurrences(of: "steps:", with: "tolerate: [api.endpoints_healthy]\nsteps:"), file: "s.yaml")
        #expect(try ScenarioRunner(chain: chain).run(tolerated).passed)
        #expect(throws: ScenarioLoadError.self) {
            try ScenarioLoader(chain: chain).load(text: yaml.replacingOccurrences(of: "steps:", with: "tolerate: [api.endpoint_healthy]\nsteps:"), file: "s.yaml")
        }
    }

    @Test func twoRunsGiveIdenticalJSON() throws {
        for file in ["01-happy-path-deploy.yaml", "05-fault-mcp-bypass-plan-c.yaml", "21-backup-restore-data-loss.yaml"] {
            let a = RunReport(scenarios: [try Self.run(file)]).json().pretty()
            let b = RunReport(scenarios: [try Self.run(file)]).json().pretty()
            #expect(a == b)
        }
    }

    /// `rehearse run --jobs N`: the whole library on three threads gives, byte for byte, the
    /// report one thread gives (records in the files' order, nothing shared that depends on
    /// which scenario ran first). Seeds no other test uses, and the threads first: every
    /// template is made, and every answer computed, while scenarios run side by side.
    @Test(arguments: [UInt64(987_001), 987_002])
    func theLibraryReportIsTheSameOnAnyNumberOfThreads(seed: UInt64) throws {
        let chain = try RevisionChain.shipped()
        let scenarios = try Self.files.map { try ScenarioLoader(chain: chain).load(path: ShippedResources.scenariosDirectory + "/" + $0, displayPath: "scenarios/" + $0) }
        let runner = ScenarioRunner(chain: chain, seedOverride: seed)
        let three = try runner.run(scenarios, workers: 3)
        TemplateDatabase.forgetInMemory()
        let one = try runner.run(scenarios, workers: 1)
        #expect(three.map(\.file) == scenarios.map(\.file))
        #expect(RunReport(scenarios: three).json().pretty() == RunReport(scenarios: one).json().pretty())
        #expect(RunReport(scenarios: three).junit() == RunReport(scenarios: one).junit())
    }

    /// When scenarios cannot run, the error is the first one's in the given order, as on one
    /// thread, even when a later one failed first: the later one has the most steps, so it is
    /// taken first (the longest go first) and fails at once.
    @Test func onSeveralThreadsTheFirstScenarioThatCannotRunIsTheOneReported() throws {
        let chain = try RevisionChain.shipped()
        let loader = ScenarioLoader(chain: chain)
        let good = try loader.load(text: "name: fine\nsteps:\n  - health: true\n", file: "fine.yaml")
        let early = { (file: String, steps: Int) in
            try loader.load(text: "name: early\nrevision: \"003\"\nsteps:\n" + String(repeating: "  - health: true\n", count: steps), file: file)
        }
        let scenarios = [good, good, try early("first.yaml", 1), good, try early("second.yaml", 30), good]
        for workers in [1, 2, 4] {
            let error = #expect(throws: ScenarioLoadError.self) { try ScenarioRunner(chain: chain).run(scenarios, workers: workers) }
            #expect(error?.description.hasPrefix("first.yaml:1:1: error: fixtures 'small' need every base table") == true, "\(workers) thread(s)")
        }
        #expect(try ScenarioRunner(chain: chain).run([good, good, good], workers: 2).allSatisfy(\.passed))
    }

    /// Scenarios on the staging or production profile run alone, after the others.
    @Test func onlyTheSmallProfileAndNoDataRunSideBySide() throws {
        let chain = try RevisionChain.shipped()
        for (fixtures, alone) in [("small", false), ("none", false), ("staging", true), ("production", true)] {
            let scenario = try ScenarioLoader(chain: chain).load(text: "name: f\nfixtures: \(fixtures)\nsteps:\n  - health: true\n", file: "f.yaml")
            #expect(ScenarioRunner.runsAlone(scenario) == alone, "\(fixtures)")
        }
    }

    @Test func aDifferentSeedChangesTheIdsButNotTheOutcome() throws {
        let a = try Self.run("05-fault-mcp-bypass-plan-c.yaml")
        let b = try Self.run("05-fault-mcp-bypass-plan-c.yaml", seed: 99)
        #expect(b.seed == 99)
        #expect(a.passed && b.passed)
        #expect(RunReport(scenarios: [a]).json().serialized() != RunReport(scenarios: [b]).json().serialized())
    }

    @Test func everyFaultAndEveryRollbackPlanIsRehearsedInTheLibrary() throws {
        let chain = try RevisionChain.shipped()
        let scenarios = try Self.files.map { try ScenarioLoader(chain: chain).load(path: ShippedResources.scenariosDirectory + "/" + $0) }
        var faults = Set<String>(), plans = Set<String>()
        for scenario in scenarios {
            for step in scenario.steps {
                if case .fault(let name) = step.action { faults.insert(name) }
                if case .rollback(let plan, _) = step.action { plans.insert(plan) }
            }
        }
        #expect(faults == Set(FaultCatalog.names))
        #expect(plans == Set(try ChecklistParser.shipped().planIds))
    }

    /// Runs a scenario's text; `strict: false` is `rehearse run --lenient`.
    static func run(strict: Bool = true, text: String) throws -> ScenarioRecord {
        let chain = try RevisionChain.shipped()
        var runner = ScenarioRunner(chain: chain)
        runner.strict = strict
        return try runner.run(try ScenarioLoader(chain: chain).load(text: text, file: "own.yaml"))
    }

    /// Named expectations only (--lenient): with no data, the Sprint 3 endpoints fail at every
    /// step, which is not what this scenario is about.
    @Test func aScenarioFromBaseMigratesUpAndBackDownWithSchemaRevisionHolding() throws {
        let record = try Self.run(strict: false, text: """
            name: from base
            fixtures: none
            revision: base
            code: sprint3
            steps:
              - verify: [schema.revision]
              - migrate: {upgrade: head}
                expect: {revision: head, hold: [schema.revision, schema.sprint3_objects]}
              - migrate: {downgrade: base}
                expect: {revision: base, hold: [schema.revision]}
            """)
        #expect(record.passed)
        #expect(record.steps.map(\.succeeded) == [true, true, true])
    }

    @Test func fixturesOnASchemaWithoutTheirTablesAreRefusedNamingTheFile() throws {
        let error = #expect(throws: ScenarioLoadError.self) {
            try Self.run(text: "name: early\nrevision: \"003\"\nsteps:\n  - health: true\n")
        }
        #expect(error?.description == "own.yaml:1:1: error: fixtures 'small' need every base table, and revision 003_create_exceptions_decisions has no table audit_events; use a later revision or 'fixtures: none'")
    }

    /// DESIGN.md's sketch of the format, as written there (with `kind` for the signal type),
    /// plus `code: sprint3`: the sketch never deploys, and a v2.0.0 mcp-server has no write tools.
    /// It names only the expectations it cares about, so it runs under --lenient.
    @Test func theDesignSketchRunsAsWritten() throws {
        let record = try Self.run(strict: false, text: """
            name: MCP approval gate bypass is caught and contained by rollback plan C
            tags: [mcp, critical, rollback-c]
            seed: 42
            fixtures: small
            code: sprint3
            start: 2026-01-14T09:00:00Z
            steps:
              - baseline: pre-deploy
              - backup: pre_sprint3
              - migrate: {upgrade: head}
                expect: {revision: 007_add_agent_traces, hold: [immutability.decisions]}
              - fault: mcp.bypass_approval
              - tool: {call: propose_signal, as: "agent:triage-bot", args: {subject: acct-17, kind: anomaly}}
                expect: {broken: [approvals.gate_enforced]}
              - rollback: C
                expect:
                  broken: [approvals.gate_enforced]
                  sql: {"SELECT count(*) FROM pending_proposals WHERE status = 'pending'": 0}
              - advance: 25h
              - task: {run: expire_pending_proposals, dry_run: true}
                expect: {returns: 0}
            """)
        let unmet = record.steps.flatMap { step in step.expectations.filter { !$0.met }.map { "step \(step.number): \($0.description)" } }
        #expect(unmet == [])
        #expect(record.passed)
    }
}
