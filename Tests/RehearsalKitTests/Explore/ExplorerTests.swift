import Foundation
import GRDB
import Testing
@testable import RehearsalKit

/// `rehearse explore`'s engine: deterministic histories, incremental evaluation that agrees with
/// a full one on explored histories, classification, shrinking and replayable reproductions.
@Suite struct ExplorerTests {
    static func explorer(runs: Int = 10, steps: Int = 20, seed: UInt64 = 1, faults: [String] = []) throws -> Explorer {
        var configuration = Explorer.Configuration(checklist: try ChecklistParser.shipped())
        configuration.runs = runs
        configuration.steps = steps
        configuration.seed = seed
        configuration.faults = faults
        return Explorer(configuration: configuration, chain: try RevisionChain.shipped())
    }

    @Test func theSameSeedDrawsTheSameHistoriesAndAnotherSeedOthers() throws {
        let one = try Self.explorer(seed: 7), again = try Self.explorer(seed: 7), other = try Self.explorer(seed: 8)
        let a = (1...5).map { one.history(run: $0).steps.map(\.yaml) }
        #expect(a == (1...5).map { again.history(run: $0).steps.map(\.yaml) })
        #expect(a != (1...5).map { other.history(run: $0).steps.map(\.yaml) })
        #expect(Set(a.joined()).count > 40, "histories mix many different steps")
    }

    /// Every step the generator draws is written as YAML the scenario loader reads back as the
    /// same step.
    @Test func everyGeneratedStepRoundTripsThroughAScenarioFile() throws {
        let explorer = try Self.explorer(steps: 40, faults: FaultCatalog.names)
        let actions = (1...40).flatMap { explorer.history(run: $0).steps }
        let yaml = "name: t\nfixtures: none\nsteps:\n" + actions.map { "  - \($0.yaml)\n" }.joined()
        let scenario = try ScenarioLoader(chain: try RevisionChain.shipped()).load(text: yaml, file: "t.yaml")
        #expect(scenario.steps.map(\.action.yaml) == actions.map(\.yaml))
        #expect(scenario.steps.map(\.action.summary) == actions.map(\.summary))
    }

    /// Issue 18: incremental and full evaluation agree on every step of explored histories too
    /// (1,000 histories; short ones keep the debug suite fast), faults included.
    @Test(arguments: [(1, 0), (2, 1)])
    func incrementalAgreesWithFullOnExploredHistories(seed: UInt64, withFaults: Int) throws {
        let explorer = try Self.explorer(runs: 500, steps: 6, seed: seed, faults: withFaults == 1 ? FaultCatalog.names : [])
        var steps = 0
        // Every evaluation in this task also evaluates everything and throws on a difference,
        // which the explorer reports as an engine error.
        IncrementalEvaluation.$verifying.withValue(true) {
            for run in 1...500 {
                let play = explorer.play(explorer.history(run: run))
                steps += play.steps
                #expect(!play.violations.contains { $0.invariant == "engine.error" }, "run \(run): \(play.violations.first { $0.invariant == "engine.error" }?.detail ?? "")")
            }
        }
        #expect(steps == 3000)
    }

    /// Runs are played by whichever thread is free and recorded in run order, so one thread
    /// and three give the same exploration, and `progress` hears of runs 1, 2, 3… in order; a
    /// budget that runs out stops between runs, with the runs played 1…n and none missing.
    @Test func anyNumberOfThreadsRecordsTheSameRunsInOrderAndABudgetStopsBetweenRuns() throws {
        let explorer = try Self.explorer(runs: 12, steps: 5, seed: 3, faults: FaultCatalog.names)
        var heard: [Int] = []
        let one = explorer.explore(workers: 1, progress: { run, sofar in
            heard.append(run)
            #expect(sofar.runs == run)
        })
        #expect(heard == Array(1...12))
        #expect(one.explained.values.reduce(0, +) > 0, "faults break invariants, so the comparison below compares something")
        let lock = NSLock()
        var heardByThree: [Int] = []
        let three = explorer.explore(workers: 3, progress: { run, _ in lock.withLock { heardByThree.append(run) } })
        #expect(heardByThree == Array(1...12))
        #expect(three.runs == 12 && three.skippedRuns == 0)
        #expect(three.steps == one.steps)
        #expect(three.explained == one.explained)
        #expect(three.findings.map(\.invariant) == one.findings.map(\.invariant))

        var asked = 0
        let stopped = explorer.explore(workers: 2, shouldStop: { asked += 1; return asked > 5 })
        #expect(stopped.runs == 5)
        #expect(stopped.skippedRuns == 7)
        #expect(stopped.steps == 25)
    }

    /// A defect planted in a history (a trigger dropped by raw SQL, which nothing explains) is
    /// found, shrunk to the one step that matters, and written as a scenario that fails at it.
    @Test func aPlantedViolationIsShrunkToAReproductionThatReplaysToIt() throws {
        let explorer = try Self.explorer(seed: 5)
        // Generated steps that keep the schema at head, around the planted defect.
        var history = explorer.history(run: 3)
        history.start = .afterDeploy
        history.steps = (1...6).flatMap { explorer.history(run: $0).steps }.filter { action in
            switch action {
            case .migrate, .rollback, .restore, .sql, .shell, .fault: return false
            default: return true
            }
        }.prefix(15).map { $0 }
        let planted = StepAction.sql("DROP TRIGGER evidence_packs_immutable ON evidence_packs")
        history.steps.insert(planted, at: 9)
        let play = explorer.play(history)
        let violation = try #require(play.violations.first { $0.invariant == "immutability.evidence_packs" })
        #expect(violation.step == 9)
        var shrinker = Shrinker(explorer: explorer, invariant: violation.invariant)
        let minimal = shrinker.shrink(history, violationStep: violation.step)
        #expect(minimal.steps.map(\.yaml) == [planted.yaml])
        #expect(minimal.start == .afterDeploy)
        let reproduction = explorer.reproduction(minimal, invariant: violation.invariant, run: 3, originalSteps: history.steps.count, fileName: "r.yaml")
        #expect(reproduction.verified, "\(reproduction.verification)")
        #expect(reproduction.failingStep == 1)
        #expect(reproduction.yaml.contains("immutability.evidence_packs"))

        // The file as `rehearse run` reads it: it fails at step 1 on that invariant, today.
        let directory = try makeTemporaryDirectory()
        let file = directory.appendingPathComponent("r.yaml")
        try reproduction.yaml.write(to: file, atomically: true, encoding: .utf8)
        let run = try runRehearse(["run", file.path], environment: ["NO_COLOR": "1"])
        #expect(run.status == 1)
        #expect(run.stdout.contains("immutability.evidence_packs broken"))
    }

    /// A fault explains what it names; with faults off, the gate can be explained by nothing.
    @Test func faultsExplainWhatTheyBreakAndOperatorStepsNeverExplainTheGate() throws {
        let explorer = try Self.explorer(faults: ["mcp.bypass_approval"])
        let history = ExploredHistory(start: .afterDeploy, steps: [
            .fault("mcp.bypass_approval"),
            .tool(name: "propose_signal", caller: "agent:rogue-bot", arguments: .object([("subject", .string("acct-1")), ("signal_type", .string("anomaly")), ("payload", .object([("amount", .int(5))]))])),
        ])
        let play = explorer.play(history)
        #expect(play.violations.isEmpty)
        #expect(play.explained["approvals.gate_enforced"] == 1)
        for action in [StepAction.restore(name: "x"), .rollback(plan: "C", backup: nil), .migrate(upgrade: false, target: "-1"), .sql("DELETE FROM signals"), .stop(ServiceName.allCases)] {
            #expect(Explanations.mayBreak(action).isDisjoint(with: Explanations.neverExplainedByOperators))
        }
    }

    /// Every invariant the explanations name is one the catalogue evaluates: a misspelt id
    /// explains nothing, and its breaks would be reported as defects. Found by `rehearse explore
    /// --seed 11 --faults all` (run 340): plan A run twice after a downgrade takes the schema to
    /// base, `users` with it, and `users.roles_retained` (listed as `baseline.roles_retained`)
    /// was unexplained. The minimal history is played here and is now explained.
    @Test func theExplanationsNameOnlyRealInvariants() throws {
        let ids = Set(InvariantCatalog.standard.invariants.map(\.info.id))
        let named = Explanations.neverExplainedByOperators.union(Explanations.dataLoss).union(Explanations.service)
            .union(FaultCatalog.all.flatMap(\.breaks))
        #expect(named.subtracting(ids).isEmpty, "not invariants: \(named.subtracting(ids).sorted())")
        let explorer = try Self.explorer(seed: 11)
        let history = ExploredHistory(start: .beforeDeploy, steps: [
            .baseline(label: "explore"), .migrate(upgrade: false, target: "-1"), .rollback(plan: "A", backup: nil), .rollback(plan: "A", backup: nil),
        ])
        let play = explorer.play(history)
        #expect(play.violations.isEmpty, "\(play.violations)")
        #expect(play.explained["users.roles_retained"] == 1)
    }
}
