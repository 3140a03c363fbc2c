/// A place in a text file, 1-based, printed the way compilers print it so editors can jump there.
public struct SourceLocation: Sendable, Equatable, CustomStringConvertible {
    public var file: String
    public var line: Int
    public var column: Int

    public init(file: String, line: Int, column: Int) {
        self.file = file
        self.line = line
        self.column = column
    }

    public var description: String { "\(file):\(line):\(column)" }
}

/// The fixed exit codes of the command line (DESIGN.md): 0 good, 1 a check failed, 2 invalid input, 64 usage.
public enum ExitStatus: Int32, Sendable {
    case success = 0
    case failed = 1
    case invalidInput = 2
    /// `check`: nothing is broken, but something could not be evaluated (locked, read-only, I/O).
    case unknown = 3
    case usage = 64
}

/// An error a user caused and can fix: it prints as one line and maps to an exit code.
public protocol UserFacingError: Error, CustomStringConvertible {
    var exitStatus: ExitStatus { get }
}
