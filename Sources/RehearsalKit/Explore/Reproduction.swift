import GRDB

/// A minimal history written as a scenario: every step before the violation expects what it
/// did (its error or exit status, the breaks its history explains), and the violating step
/// expects everything except the violation. Under the strict rule the file fails at that step
/// today and passes once the defect is fixed. It is replayed with `rehearse run` before it is
/// kept, so a reproduction that does not reproduce is reported as such.
public struct Reproduction: Sendable {
    public var invariant: String
    public var history: ExploredHistory
    /// The 1-based step that breaks the invariant.
    public var failingStep: Int
    public var yaml: String
    /// `rehearse run` of `yaml` failed at `failingStep` on the invariant, every step before passed.
    public var verified: Bool
    public var verification: String
}

extension Explorer {
    func reproduction(_ history: ExploredHistory, invariant: String, run: Int, originalSteps: Int, fileName: String) -> Reproduction {
        // What each step did, to write expectations that hold for everything but the violation.
        struct Observed { var failure: String?; var exit: Int32?; var broken: [String]; var unknown: [String] }
        var observed: [Observed] = []
        try? withStart(of: history) { db, world in
            for action in history.steps {
                let output = ScenarioRunner.act(action, db: db, world: world)
                let results = try world.evaluation.evaluate(world.invariantContext(db))
                observed.append(Observed(failure: output.failure, exit: output.exit, broken: results.filter(\.status.isBroken).map(\.info.id),
                                         unknown: results.filter(\.status.isUnknown).map(\.info.id)))
            }
        }
        let failing = observed.firstIndex { $0.broken.contains(invariant) } ?? max(0, observed.count - 1)
        var lines = [
            "# Found by `rehearse explore --seed \(configuration.seed)\(configuration.faults.isEmpty ? "" : " --faults " + configuration.faults.joined(separator: " "))` (run \(run)),",
            "# shrunk from \(originalSteps) to \(history.steps.count) step(s). Step \(failing + 1) breaks \(invariant), which no fault and no",
            "# destructive operator step before it explains: `rehearse run` fails there today and passes once",
            "# the defect is fixed.",
            "name: \(JSONValue.string("explore: \(invariant) broken (seed \(configuration.seed), run \(run))").serialized())",
            "description: \(JSONValue.string("A minimal history \(history.start.rawValue) that breaks \(invariant) with nothing to explain it.").serialized())",
            "tags: [explore]",
            "seed: \(configuration.seed)",
            "fixtures: \(configuration.fixtures)",
            "revision: \(history.start.revision)",
            "code: \(history.start.code.rawValue)",
            "start: \(configuration.start.iso8601)",
        ] + (configuration.checklistPath.map { ["checklist: \(JSONValue.string($0).serialized())"] } ?? []) + [
            "steps:",
        ]
        for (index, action) in history.steps.enumerated().prefix(failing + 1) {
            lines.append("  - \(action.yaml)")
            guard index < observed.count else { continue }
            let step = observed[index]
            var expect: [String] = []
            if let exit = step.exit, step.failure != nil || exit != 0 {
                expect.append("exit: \(exit)")
            } else if let failure = step.failure {
                expect.append("error: \(JSONValue.string(Self.fragment(failure)).serialized())")
            }
            let broken = step.broken.filter { $0 != invariant }
            if !broken.isEmpty { expect.append("broken: [\(broken.joined(separator: ", "))]") }
            if !step.unknown.isEmpty { expect.append("unknown: [\(step.unknown.joined(separator: ", "))]") }
            if !expect.isEmpty { lines.append("    expect: {\(expect.joined(separator: ", "))}") }
        }
        let yaml = lines.joined(separator: "\n") + "\n"
        let (verified, verification) = verify(yaml, invariant: invariant, failingStep: failing + 1, fileName: fileName)
        return Reproduction(invariant: invariant, history: history, failingStep: failing + 1, yaml: yaml, verified: verified, verification: verification)
    }

    /// The start of a failure message, up to its first detail: enough to recognise it, and
    /// never a value from a row (the application's messages name ids and statuses only).
    static func fragment(_ failure: String) -> String {
        let first = failure.split(separator: "\n").first.map(String.init) ?? failure
        let scanned = PIIScanner(people: []).scrub(text: first).text
        return String(scanned.prefix(60))
    }

    /// Loads the file as `rehearse run` would and replays it.
    func verify(_ yaml: String, invariant: String, failingStep: Int, fileName: String) -> (Bool, String) {
        do {
            let scenario = try ScenarioLoader(chain: chain).load(text: yaml, file: fileName).runningPlans(of: configuration.checklist)
            let record = try ScenarioRunner(chain: chain).run(scenario)
            guard let first = record.steps.firstIndex(where: { !$0.passed }) else { return (false, "the replay passed: the violation did not reproduce") }
            let step = record.steps[first]
            let onInvariant = step.expectations.contains { !$0.met && ($0.detail ?? "").hasPrefix(invariant + " ") }
            guard first + 1 == failingStep, onInvariant else {
                return (false, "the replay failed at step \(first + 1) (\(step.expectations.first { !$0.met }?.detail ?? "?")), not at step \(failingStep) on \(invariant)")
            }
            return (true, "`rehearse run` fails at step \(failingStep): \(invariant) broken")
        } catch {
            return (false, "the reproduction does not load: \(ScenarioRunner.message(error))")
        }
    }
}
