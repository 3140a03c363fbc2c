/// What one command line did: the terminal's text, the exit status of its last pipeline, and
/// the rehearsal's notes where a command did not do what the checklist means by it (a restart
/// that kept an old image, a revoke that matched no task).
public struct CommandResult: Sendable, Equatable {
    public var line: String
    public var output: [String]
    public var status: Int32
    public var notes: [String]
    /// Where a command did not do what the checklist means by it (a restart that kept the old
    /// image, a revoke that matched no task): the item is flagged even when it exited 0.
    public var warnings: [String] = []
    /// Virtual seconds the command takes (a build takes minutes); drills pass that time.
    public var seconds: Int64

    public var succeeded: Bool { status == 0 }
    public var text: String { output.joined(separator: "\n") }
}

/// A command line refused before it runs: malformed quoting, an unknown command or option.
/// Nothing has changed when it is thrown.
public struct CommandLineError: Error, Equatable, CustomStringConvertible, UserFacingError {
    public var line: String
    /// 1-based line and column inside the command line.
    public var row: Int
    public var column: Int
    public var message: String

    public var exitStatus: ExitStatus { .invalidInput }
    public var description: String { "rehearse: \(message) (column \(column)\(row > 1 ? " of line \(row)" : "") of: \(line.split(separator: "\n").first.map(String.init) ?? line))" }
}

/// What a simulated program produced.
struct ToolOutput {
    var stdout = ""
    var stderr = ""
    var status: Int32 = 0
    /// `pg_dump -Fc`'s archive, when its output goes to a file.
    var dump: Backup?
    var notes: [String] = []
    var warnings: [String] = []
    var seconds: Int64 = 0

    static func out(_ text: String, status: Int32 = 0) -> ToolOutput { ToolOutput(stdout: text.isEmpty || text.hasSuffix("\n") ? text : text + "\n", status: status) }
    static func err(_ text: String, status: Int32) -> ToolOutput { ToolOutput(stderr: text.hasSuffix("\n") ? text : text + "\n", status: status) }

    mutating func note(_ text: String) { notes.append(text) }
    mutating func warn(_ text: String) { warnings.append(text) }
}

/// Where a program runs: on the deploy host, or inside a service's container.
enum Place: Equatable {
    case host
    case container(ServiceName)
    /// `docker compose run SERVICE`: a new container from the service's current image.
    case oneOff(ServiceName)
}
