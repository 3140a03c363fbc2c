/// What happened at one step: the action, its outcome, every expectation, every invariant.
public struct StepRecord: Sendable {
    public var number: Int
    public var line: Int
    public var action: String
    public var succeeded: Bool
    public var output: [String]
    public var error: String?
    public var value: JSONValue?
    public var expectations: [ExpectationResult]
    public var invariants: [InvariantResult]
    /// The virtual time after the step.
    public var time: Timestamp
    /// Invariants this step may leave broken: its `broken:` list and the scenario's `tolerate:`.
    /// Reports mark a break named here as expected.
    public var expectedBroken: Set<String> = []

    public var passed: Bool { expectations.allSatisfy(\.met) }
}

public struct ExpectationResult: Sendable, Equatable {
    public var description: String
    public var met: Bool
    public var detail: String?
}

/// A whole scenario's run, with what the deploy record (markdown) needs.
public struct ScenarioRecord: Sendable {
    public var file: String
    public var name: String
    public var description: String
    public var tags: [String]
    public var seed: UInt64
    public var steps: [StepRecord]
    /// The first baseline the scenario recorded, and the same figures at the end.
    public var baseline: Baseline?
    public var finalState: Baseline?
    public var toolResults: [String: ToolObservation]
    /// Checklist 4.5's table as the database shows it at the end.
    public var toolGate: [String: ToolGateRow] = [:]
    public var goNoGo: [GoNoGoItem]
    /// The rollback plans the scenario's `rollback:` steps ran, in order (checklist ids), and the
    /// checklist they come from.
    public var plansRun: [String] = []
    public var checklist = ""

    public var passed: Bool { steps.allSatisfy(\.passed) }
    /// The first step whose expectations were not met.
    public var firstFailingStep: StepRecord? { steps.first { !$0.passed } }
    /// Invariants broken after the last step.
    public var brokenAtEnd: [InvariantResult] { steps.last?.invariants.filter(\.status.isBroken) ?? [] }
    /// The same ids, each marked `(expected)` when the last step expects it (the reports' column).
    public var brokenAtEndLabels: [String] {
        let expected = steps.last?.expectedBroken ?? []
        return brokenAtEnd.map { expected.contains($0.info.id) ? "\($0.info.id) (expected)" : $0.info.id }
    }
    /// `N. action: expected …` for the first failing step (the reports' column).
    public var firstFailureSummary: String? {
        firstFailingStep.map { step in "\(step.number). \(step.action): expected \(step.expectations.first { !$0.met }?.description ?? "?")" }
    }
}

/// One line of checklist 8.1, filled from what the run observed.
/// Within the scenario's scope only: an item the scenario never reached (no deploy, no backup
/// step, the viewer never opened) is `not rehearsed`, never NO-GO.
public struct GoNoGoItem: Sendable, Equatable {
    public enum Status: String, Sendable { case go = "GO", noGo = "NO-GO", notRehearsed = "not rehearsed", unknown = "could not evaluate" }
    public var section: String
    public var item: String
    public var status: Status
    public var evidence: String
    /// A NO-GO the scenario expects: its step's failure was expected, or every invariant behind
    /// it is named by the last step's `broken:` or the scenario's `tolerate:`.
    public var expected = false

    public init(section: String, item: String, status: Status, evidence: String, expected: Bool = false) {
        (self.section, self.item, self.status, self.evidence, self.expected) = (section, item, status, evidence, expected)
    }
}

public struct RunReport: Sendable {
    public var scenarios: [ScenarioRecord]

    public init(scenarios: [ScenarioRecord]) {
        self.scenarios = scenarios
    }

    public var passed: Bool { scenarios.allSatisfy(\.passed) }
}
