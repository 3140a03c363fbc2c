/// A scenario that cannot run, reported like a compiler error: `file:line:col: error: …`.
public struct ScenarioLoadError: UserFacingError, Equatable {
    public var location: SourceLocation
    public var message: String

    public init(_ location: SourceLocation, _ message: String) {
        self.location = location
        self.message = message
    }

    public var exitStatus: ExitStatus { .invalidInput }
    public var description: String { "\(location): error: \(message)" }
}
