#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import Foundation

/// Runs a program to completion for a test: `posix_spawn`, output to files, `waitpid` on its pid.
///
/// Why not Foundation's `Process`: with many tests spawning children in parallel, one of them
/// (a `tmux` client that had already exited) was never reaped by `waitUntilExit()`, and the CI
/// run hung until its 90-minute limit. Output goes to files rather than pipes so that a daemon a
/// child leaves behind (the tmux server) cannot hold a pipe open, and a child that outlives
/// `timeout` is killed so that a hang fails one test instead of the whole run.
struct ChildProcess {
    struct Result {
        var status: Int32
        var stdout: String
        var stderr: String
    }

    struct TimedOut: Error, CustomStringConvertible {
        let command: String
        let seconds: Double
        var description: String { "\(command) did not finish within \(Int(seconds)) s and was killed" }
    }

    struct SpawnFailed: Error, CustomStringConvertible {
        let command: String
        let code: Int32
        var description: String { "cannot start \(command): \(String(cString: strerror(code)))" }
    }

    /// `executable` is an absolute path; `environment` entries are added to (or replace) the
    /// test process's own; `stdin` nil means /dev/null.
    static func run(_ executable: String, _ arguments: [String], stdin: String? = nil,
                    environment: [String: String] = [:], currentDirectory: URL? = nil,
                    timeout: Double = 600) throws -> Result {
        let scratch = try makeTemporaryDirectory()
        defer { try? FileManager.default.removeItem(at: scratch) }
        let inputPath = scratch.appendingPathComponent("stdin").path
        let outputPath = scratch.appendingPathComponent("stdout").path
        let errorPath = scratch.appendingPathComponent("stderr").path
        try Data((stdin ?? "").utf8).write(to: URL(fileURLWithPath: inputPath))

        // A working directory is set through env(1): posix_spawn_file_actions_addchdir_np is
        // not visible to Swift on every glibc.
        var program = executable
        var argv = [executable] + arguments
        if let currentDirectory {
            program = "/usr/bin/env"
            argv = ["/usr/bin/env", "-C", currentDirectory.path, executable] + arguments
        }

        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 0, stdin == nil ? "/dev/null" : inputPath, O_RDONLY, 0)
        posix_spawn_file_actions_addopen(&actions, 1, outputPath, O_WRONLY | O_CREAT | O_TRUNC, 0o644)
        posix_spawn_file_actions_addopen(&actions, 2, errorPath, O_WRONLY | O_CREAT | O_TRUNC, 0o644)

        // The child starts with default signal handling and nothing blocked, whatever the test
        // runner set for itself (an ignored SIGPIPE would otherwise be inherited).
        var attributes = posix_spawnattr_t()
        posix_spawnattr_init(&attributes)
        defer { posix_spawnattr_destroy(&attributes) }
        var noSignals = sigset_t(), defaults = sigset_t()
        sigemptyset(&noSignals)
        sigemptyset(&defaults)
        sigaddset(&defaults, SIGPIPE)
        posix_spawnattr_setsigmask(&attributes, &noSignals)
        posix_spawnattr_setsigdefault(&attributes, &defaults)
        posix_spawnattr_setflags(&attributes, Int16(POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF))

        var merged = ProcessInfo.processInfo.environment
        for (key, value) in environment { merged[key] = value }
        let cArguments = argv.map { strdup($0) } + [nil]
        let cEnvironment = merged.sorted { $0.key < $1.key }.map { strdup("\($0.key)=\($0.value)") } + [nil]
        defer { (cArguments + cEnvironment).forEach { free($0) } }

        let command = ([executable] + arguments).joined(separator: " ")
        var pid = pid_t()
        let spawned = posix_spawn(&pid, program, &actions, &attributes, cArguments, cEnvironment)
        guard spawned == 0 else { throw SpawnFailed(command: command, code: spawned) }

        let status = try wait(for: pid, command: command, timeout: timeout)
        let output = (try? String(contentsOfFile: outputPath, encoding: .utf8)) ?? ""
        let error = (try? String(contentsOfFile: errorPath, encoding: .utf8)) ?? ""
        return Result(status: status, stdout: output, stderr: error)
    }

    /// Waits for `pid` and returns its exit code (128 + the signal when one ended it).
    private static func wait(for pid: pid_t, command: String, timeout: Double) throws -> Int32 {
        var status: Int32 = 0
        let pollInterval: useconds_t = 5_000
        var waited = 0.0
        while true {
            let result = waitpid(pid, &status, WNOHANG)
            if result == pid { break }
            if result == -1 && errno != EINTR { throw SpawnFailed(command: command, code: errno) }
            if waited >= timeout {
                kill(pid, SIGKILL)
                _ = waitpid(pid, &status, 0)
                throw TimedOut(command: command, seconds: timeout)
            }
            usleep(pollInterval)
            waited += Double(pollInterval) / 1_000_000
        }
        let signal = status & 0x7F
        return signal == 0 ? (status >> 8) & 0xFF : 128 + signal
    }
}
