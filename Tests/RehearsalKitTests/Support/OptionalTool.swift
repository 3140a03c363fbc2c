import Foundation

/// Tools a test needs that a fresh machine may lack (git, tmux, a Python package). Found on
/// PATH, so `.ci/run` can make them unreachable and check that `swift test` skips, naming the
/// tool, instead of failing; CI itself installs them all and fails on any skip.
enum OptionalTool {
    /// The executable `name` as found on PATH.
    static func path(_ name: String) -> String? {
        for directory in (ProcessInfo.processInfo.environment["PATH"] ?? "").split(separator: ":") {
            let candidate = "\(directory)/\(name)"
            if FileManager.default.isExecutableFile(atPath: candidate) { return candidate }
        }
        return nil
    }

    static func has(_ name: String) -> Bool { path(name) != nil }

    /// Whether `python3` on PATH can import `module`.
    static func hasPythonModule(_ module: String) -> Bool {
        guard let python = path("python3") else { return false }
        return (try? ChildProcess.run(python, ["-c", "import \(module)"]).status) == 0
    }
}
