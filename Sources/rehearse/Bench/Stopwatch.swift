import Foundation
import RehearsalKit

/// Wall-clock timing for `rehearse bench` and `serve --clock real` only. The engine never reads
/// a clock; these are the places that must, and they live in the command-line target to keep it
/// that way.
struct Stopwatch {
    private let start = ContinuousClock.now

    var seconds: Double {
        let elapsed = ContinuousClock.now - start
        return Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
    }

    static func time<T>(_ body: () throws -> T) rethrows -> (T, Double) {
        let watch = Stopwatch()
        let value = try body()
        return (value, watch.seconds)
    }
}

/// Peak resident memory of this process so far (Linux `VmHWM`), in MiB.
func peakResidentMiB() -> Double? {
    guard let status = try? String(contentsOfFile: "/proc/self/status", encoding: .utf8) else { return nil }
    for line in status.split(separator: "\n") where line.hasPrefix("VmHWM:") {
        let digits = line.split(separator: " ").compactMap { Double($0) }.first
        return digits.map { $0 / 1024 }
    }
    return nil
}

/// Runs a program to completion, feeding `input` from a file, and returns its wall time.
/// `expectErrors`: the script's statements are meant to fail (immutability probes), so the
/// shell's non-zero exit and its error lines are expected.
func timeProcess(_ executable: String, _ arguments: [String], stdinFile: String? = nil, expectErrors: Bool = false) throws -> Double {
    let process = Process()
    process.executableURL = URL(fileURLWithPath: executable)
    process.arguments = arguments
    if let stdinFile { process.standardInput = FileHandle(forReadingAtPath: stdinFile) }
    process.standardOutput = FileHandle.nullDevice
    if expectErrors { process.standardError = FileHandle.nullDevice }
    let watch = Stopwatch()
    try process.run()
    process.waitUntilExit()
    guard process.terminationStatus == 0 || expectErrors else { throw BenchError.toolFailed("\(executable) \(arguments.joined(separator: " ")) exited \(process.terminationStatus)") }
    return watch.seconds
}

struct BenchError: UserFacingError {
    var message: String
    static func toolFailed(_ message: String) -> BenchError { BenchError(message: message) }
    var exitStatus: ExitStatus { .failed }
    var description: String { "bench: error: \(message)" }
}
