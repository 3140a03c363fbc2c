import Foundation
@testable import RehearsalKit

/// `rehearse serve` running in its own process on free ports, for tests that point real
/// clients at it. Stopped with SIGTERM, as an operator's Ctrl-C or a service manager would.
final class ServedProcess: @unchecked Sendable {
    let process = Process()
    let directory: URL
    let database: URL
    private(set) var backendPort = 0
    private(set) var viewerPort = 0
    private let output = Pipe()
    private let errors = Pipe()
    private let lock = NSLock()
    private var stdoutText = ""
    private var stderrText = ""

    var backend: String { "http://127.0.0.1:\(backendPort)" }
    var viewer: String { "http://127.0.0.1:\(viewerPort)" }

    /// Builds `database` (in a new directory) with `arguments` (`--fixtures small`,
    /// `--scenario FILE`, `--fault NAME`) and waits until both ports listen.
    init(_ arguments: [String]) throws {
        directory = try makeTemporaryDirectory()
        database = directory.appendingPathComponent("rehearsal.db")
        process.executableURL = packageRoot.appendingPathComponent(".build/debug/rehearse")
        process.arguments = ["serve", "--db", database.path, "--port", "0", "--viewer-port", "0"] + arguments
        process.currentDirectoryURL = directory
        process.standardOutput = output
        process.standardError = errors
        process.standardInput = FileHandle.nullDevice
        output.fileHandleForReading.readabilityHandler = { [weak self] handle in
            let text = String(decoding: handle.availableData, as: UTF8.self)
            self?.lock.withLock { self?.stdoutText += text }
        }
        errors.fileHandleForReading.readabilityHandler = { [weak self] handle in
            let text = String(decoding: handle.availableData, as: UTF8.self)
            self?.lock.withLock { self?.stderrText += text }
        }
        try process.run()
        let deadline = Date().addingTimeInterval(180)
        while Date() < deadline {
            let text = lock.withLock { stdoutText }
            if let backend = Self.port(in: text, after: "backend"), let viewer = Self.port(in: text, after: "traces viewer") {
                (backendPort, viewerPort) = (backend, viewer)
                return
            }
            if !process.isRunning { break }
            Thread.sleep(forTimeInterval: 0.05)
        }
        let failure = lock.withLock { stderrText }
        if process.isRunning { process.terminate() }
        throw ServeTestError("rehearse serve did not start: \(failure)")
    }

    static func port(in text: String, after name: String) -> Int? {
        for line in text.split(separator: "\n") where line.hasPrefix(name) {
            if let colon = line.lastIndex(of: ":"), let port = Int(line[line.index(after: colon)...]) { return port }
        }
        return nil
    }

    var standardOutput: String { lock.withLock { stdoutText } }
    var standardError: String { lock.withLock { stderrText } }

    /// SIGTERM, then the exit status (waits up to a minute).
    @discardableResult
    func stop() -> Int32 {
        if process.isRunning { process.terminate() }
        let deadline = Date().addingTimeInterval(60)
        while process.isRunning && Date() < deadline { Thread.sleep(forTimeInterval: 0.05) }
        if process.isRunning { kill(process.processIdentifier, SIGKILL); process.waitUntilExit() }
        return process.terminationStatus
    }

    deinit { if process.isRunning { process.terminate() } }

    /// `curl ARGS` with the body and status code: `-s -w '\n%{http_code}'` appended.
    func curl(_ arguments: [String]) throws -> (status: Int, body: String) {
        let result = try ChildProcess.run(OptionalTool.path("curl")!, ["-s", "-w", "\n%{http_code}"] + arguments, timeout: 60)
        var lines = result.stdout.split(separator: "\n", omittingEmptySubsequences: false)
        let code = Int(lines.popLast() ?? "") ?? -1
        return (code, lines.joined(separator: "\n"))
    }
}

struct ServeTestError: Error, CustomStringConvertible {
    var description: String
    init(_ description: String) { self.description = description }
}
