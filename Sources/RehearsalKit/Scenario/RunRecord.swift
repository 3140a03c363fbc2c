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

    public var passed: Bool { steps.allSatisfy(\.passed) }
}

/// One line of checklist 8.1, filled from what the run observed.
public struct GoNoGoItem: Sendable, Equatable {
    public enum Status: String, Sendable { case go = "GO", noGo = "NO-GO", notRehearsed = "not rehearsed" }
    public var section: String
    public var item: String
    public var status: Status
    public var evidence: String
}

public struct RunReport: Sendable {
    public var scenarios: [ScenarioRecord]

    public init(scenarios: [ScenarioRecord]) {
        self.scenarios = scenarios
    }

    public var passed: Bool { scenarios.allSatisfy(\.passed) }
}
