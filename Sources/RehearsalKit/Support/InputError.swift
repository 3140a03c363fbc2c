/// An input file that cannot be used, reported like a compiler error: `file:line:col: error: …`
/// (exit 2). Scenario and checklist files both report this way.
public struct InputError: UserFacingError, Equatable {
    public var location: SourceLocation
    public var message: String
    /// Further errors found in the same file (every bad step of a scenario, not only the
    /// first), each printed on its own line as a compiler would.
    public var more: [InputError] = []

    public init(_ location: SourceLocation, _ message: String) {
        self.location = location
        self.message = message
    }

    public var exitStatus: ExitStatus { .invalidInput }
    public var description: String { ([self] + more).map { "\($0.location): error: \($0.message)" }.joined(separator: "\n") }
}

/// A scenario that cannot run.
public typealias ScenarioLoadError = InputError
/// A checklist that cannot be read, or that lacks a plan it is asked for.
public typealias ChecklistError = InputError
