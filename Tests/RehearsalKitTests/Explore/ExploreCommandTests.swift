import Foundation
import Testing
@testable import RehearsalKit

/// `rehearse explore` through the built binary.
@Suite struct ExploreCommandTests {
    @Test func aShortExplorationPrintsItsFiguresAndIsDeterministic() throws {
        let directory = try makeTemporaryDirectory()
        let arguments = ["explore", "--runs", "12", "--steps", "8", "--seed", "4", "--output", directory.appendingPathComponent("out").path]
        let first = try runRehearse(arguments)
        let second = try runRehearse(arguments)
        #expect(first.status == 0 || first.status == 1, "\(first.stderr)")
        #expect(first.stdout.contains("rehearse explore: seed 4, 12 run(s) of 8 step(s), faults: none"))
        #expect(first.stdout.contains("12 run(s), 96 step(s) in "))
        #expect(first.stdout.contains("steps/s, every invariant after every step"))
        #expect(first.stdout.contains("unexplained violations: "))
        // Everything but the timing line is the same in a second process.
        func stable(_ text: String) -> [String] { text.split(separator: "\n").map(String.init).filter { !$0.contains(" steps/s") } }
        #expect(stable(first.stdout) == stable(second.stdout))
        #expect(first.status == second.status)
        // A clean exploration leaves no folder behind; one with findings holds their files only.
        let out = directory.appendingPathComponent("out").path
        if first.status == 0 { #expect(!FileManager.default.fileExists(atPath: out)) }
        if first.status == 1 { #expect(try FileManager.default.contentsOfDirectory(atPath: out).allSatisfy { $0.hasSuffix(".yaml") && !$0.contains("-2.") }) }
    }

    @Test(arguments: [
        (["--runs", "0"], "--runs must be 1 to 1000000, not 0"),
        (["--steps", "0"], "--steps must be 1 to 500, not 0"),
        (["--time-budget", "0s"], "--time-budget '0s' allows no time"),
        (["--time-budget", "soon"], "--time-budget 'soon' is not a duration"),
        (["--faults", "worker.dwn"], "--faults: unknown fault 'worker.dwn' (did you mean 'worker.down'?)"),
        (["--faults", "none", "worker.down"], "--faults: 'none' stands alone; give --faults none, --faults all, or fault names"),
    ])
    func invalidOptionsAreUsageErrorsBeforeAnyRun(arguments: [String], message: String) throws {
        let result = try runRehearse(["explore"] + arguments + ["--output", try makeTemporaryDirectory().path])
        #expect(result.status == 64)
        #expect(result.stderr.contains(message), "\(result.stderr)")
        #expect(!result.stdout.contains("run(s)"))
    }

    @Test func anUnusableOutputFolderIsRefusedBeforeAnyRun() throws {
        let directory = try makeTemporaryDirectory()
        let file = directory.appendingPathComponent("taken")
        try "keep me".write(to: file, atomically: true, encoding: .utf8)
        let result = try runRehearse(["explore", "--runs", "1", "--output", file.path])
        #expect(result.status == 2)
        #expect(result.stderr == "\(file.path): error: cannot write reproductions there: it exists and is not a folder\n")
        #expect(try String(contentsOf: file, encoding: .utf8) == "keep me")
        #expect(!result.stdout.contains("run(s)"))
        let missingChecklist = try runRehearse(["explore", "--runs", "1", "--checklist", directory.appendingPathComponent("nope.md").path, "--output", directory.path])
        #expect(missingChecklist.status == 2)
    }
}
