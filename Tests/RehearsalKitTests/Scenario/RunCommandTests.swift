import Foundation
import Testing
@testable import RehearsalKit

/// `rehearse run` through the built binary.
@Suite struct RunCommandTests {
    @Test func theReadmeMainCommandRunsTheLibraryAndPasses() throws {
        let result = try runRehearse(["run"], environment: ["NO_COLOR": "1"], currentDirectory: packageRoot)
        #expect(result.status == 0)
        #expect(result.stdout.contains("31 scenarios"))
        #expect(result.stdout.hasSuffix("passed, 0 failed\n"))
        #expect(!result.stdout.contains("\u{1B}["))
    }

    @Test func withoutArgumentsOutsideTheRepositoryItRunsTheShippedLibrary() throws {
        let result = try runRehearse(["run", "--tag", "5.3"], currentDirectory: try makeTemporaryDirectory())
        #expect(result.status == 0)
        #expect(result.stdout.contains("PASS Checklist 5.3"))
        #expect(result.stdout.contains("1 scenarios, 6 steps: 1 passed, 0 failed"))
    }

    @Test func aFailedExpectationIsExitOneAndAnInvalidFileExitTwoBeforeAnythingRuns() throws {
        let directory = try makeTemporaryDirectory()
        let failing = directory.appendingPathComponent("failing.yaml")
        try "name: failing\nfixtures: none\nsteps:\n  - health: true\n    expect: {returns: sick}\n".write(to: failing, atomically: true, encoding: .utf8)
        let result = try runRehearse(["run", failing.path])
        #expect(result.status == 1)
        #expect(result.stdout.contains("expected returns \"sick\": returned \"healthy\""))
        let invalid = directory.appendingPathComponent("invalid.yaml")
        try "name: invalid\nsteps:\n  - advance: soon\n".write(to: invalid, atomically: true, encoding: .utf8)
        let both = try runRehearse(["run", failing.path, invalid.path])
        #expect(both.status == 2)
        #expect(both.stderr == "\(invalid.path):3:14: error: advance 'soon' is not a duration (e.g. 90s, 15m, 25h, 2d, 1h30m; at most 3650d)\n")
        #expect(both.stdout == "")
    }

    /// `--jobs`: any number of scenarios at once gives the same report; fewer than one is a
    /// usage error (exit 64) before anything runs.
    @Test func jobsChangeNothingInTheReportAndMustBeAtLeastOne() throws {
        let one = try runRehearse(["run", "--jobs", "1", "--format", "json"], currentDirectory: packageRoot)
        let three = try runRehearse(["run", "--jobs", "3", "--format", "json"], currentDirectory: packageRoot)
        #expect(one.status == 0 && three.status == 0)
        #expect(one.stdout.count > 10_000)
        #expect(three.stdout == one.stdout)
        for bad in ["0", "-2", "two"] {
            let refused = try runRehearse(["run", "--jobs", bad], currentDirectory: packageRoot)
            #expect(refused.status == 64, "--jobs \(bad)")
            #expect(refused.stdout == "")
            #expect(refused.stderr.contains("--jobs"), "--jobs \(bad)")
        }
    }

    @Test func selectingNothingIsAnErrorNotAGreenRun() throws {
        let misspelt = try runRehearse(["run", "--tag", "critcal"], currentDirectory: packageRoot)
        #expect(misspelt.status == 2)
        #expect(misspelt.stderr.hasPrefix("error: no scenario has the tag 'critcal' (did you mean 'critical'?); tags in use: "))
        #expect(misspelt.stdout == "")
        let empty = try makeTemporaryDirectory()
        let none = try runRehearse(["run", empty.path])
        #expect(none.status == 2)
        #expect(none.stderr == "error: no scenario files in \(empty.path)\n")
    }

    /// `--list` selects without running; `--quiet` and `--only-failures` trim the text; a
    /// failure a step expects is marked as expected.
    @Test func listQuietOnlyFailuresAndExpectedFailures() throws {
        let list = try runRehearse(["run", "--list", "--tag", "rollback-c"], currentDirectory: packageRoot)
        #expect(list.status == 0)
        #expect(list.stdout.contains("scenarios/05-fault-mcp-bypass-plan-c.yaml  MCP approval gate bypass"))
        #expect(!list.stdout.contains("PASS") && !list.stdout.contains("steps:"))
        let quiet = try runRehearse(["run", "--quiet", "--tag", "rollback-c"], currentDirectory: packageRoot)
        #expect(quiet.stdout.split(separator: "\n").allSatisfy { $0.hasPrefix("PASS ") || $0.hasPrefix("FAIL ") || $0.contains(" scenarios, ") }, "\(quiet.stdout)")
        let file = try makeTemporaryDirectory().appendingPathComponent("fails.yaml")
        try "name: fails on purpose\nfixtures: none\nsteps:\n  - health: true\n    expect: {returns: sick}\n".write(to: file, atomically: true, encoding: .utf8)
        let failures = try runRehearse(["run", "--only-failures", file.path, "scenarios/01-happy-path-deploy.yaml"], currentDirectory: packageRoot)
        #expect(failures.status == 1)
        #expect(failures.stdout.contains("  FAIL 1. curl /health — done"))
        #expect(!failures.stdout.contains("  ok   1."), "the passing scenario's steps are not shown")
        let expected = try runRehearse(["run", "scenarios/21-backup-restore-data-loss.yaml"], currentDirectory: packageRoot).stdout
        #expect(expected.contains("restore pre_sprint3 — error (expected): `pg_restore -c -d governance_os pre_sprint3.dump` exited 1"))
        #expect(expected.contains("broken (expected): schema.matches_revision"))
    }

    @Test(.enabled(if: OptionalTool.hasPythonModule("junitparser"), "needs the Python package junitparser (pip install junitparser; .ci/run installs it)"))
    func junitIsReadByARealJUnitConsumer() throws {
        let output = try makeTemporaryDirectory().appendingPathComponent("junit.xml")
        let run = try runRehearse(["run", "--format", "junit", "--output", output.path], currentDirectory: packageRoot)
        #expect(run.status == 0)
        let script = """
            import sys
            from junitparser import JUnitXml
            xml = JUnitXml.fromfile(sys.argv[1])
            suites = list(xml)
            cases = [case for suite in suites for case in suite]
            failed = [case for case in cases if not case.is_passed]
            print(len(suites), len(cases), len(failed))
            """
        let python = try ChildProcess.run(OptionalTool.path("python3") ?? "/usr/bin/python3", ["-c", script, output.path])
        let printed = python.stdout
        #expect(python.status == 0, "junitparser must be installed (.ci/run installs it)")
        let numbers = printed.split(whereSeparator: \.isWhitespace).compactMap { Int($0) }
        #expect(numbers.count == 3)
        #expect(numbers.first == 31)
        let cases: Int = numbers.count == 3 ? numbers[1] : 0
        #expect(cases >= 200)
        #expect(numbers.last == 0)
    }

    @Test func junitMarksAFailedStepAsAFailure() throws {
        let scenario = try ScenarioLoader(chain: try RevisionChain.shipped()).load(text: "name: f\nfixtures: none\nsteps:\n  - health: true\n    expect: {returns: sick}\n", file: "f.yaml")
        let report = RunReport(scenarios: [try ScenarioRunner(chain: try RevisionChain.shipped()).run(scenario)])
        let xml = report.junit()
        #expect(xml.contains("<testsuite name=\"f\" tests=\"1\" failures=\"1\""))
        #expect(xml.contains("<failure message=\"expected returns &quot;sick&quot;: returned &quot;healthy&quot;\" type=\"expectation\">"))
    }
}
