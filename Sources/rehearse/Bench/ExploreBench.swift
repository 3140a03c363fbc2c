import Foundation
import RehearsalKit

/// Issue 18's speed figures: explored steps per second on the small profile, and the happy path
/// against the same rehearsal on PostgreSQL 15, as ratios measured in one run.
enum ExploreBench {
    /// Plays `runs` generated histories (no shrinking) with every invariant after every step.
    static func explore(runs: Int) throws {
        var configuration = Explorer.Configuration(checklist: try ChecklistParser.shipped())
        configuration.runs = runs
        configuration.seed = 1
        let explorer = Explorer(configuration: configuration, chain: try RevisionChain.shipped())
        // The templates (one per start) are built, or read from the disk cache, once per process.
        let (_, warm) = Stopwatch.time { _ = explorer.play(explorer.history(run: 0)) }
        var perInvariant: [String: (seconds: Double, count: Int)] = [:]
        InvariantCatalog.timer = { id, body in
            let (status, seconds) = try Stopwatch.time { try body() }
            perInvariant[id, default: (0, 0)].seconds += seconds
            perInvariant[id, default: (0, 0)].count += 1
            return status
        }
        defer { InvariantCatalog.timer = { _, body in try body() } }
        var steps = 0
        let (_, seconds) = Stopwatch.time {
            for run in 1...runs { steps += explorer.play(explorer.history(run: run)).steps }
        }
        InvariantCatalog.timer = { _, body in try body() }
        // The same histories as `rehearse explore` plays them: on every core, each thread taking
        // the next run when it is free.
        let (parallel, wall) = Stopwatch.time { explorer.explore() }
        let evaluated = perInvariant.values.reduce(0) { $0 + $1.count }
        print(String(format: "explore, small profile, no faults, one core: %d histories × %d steps = %d steps in %.2f s = %.0f steps/s; templates ready in %.2f s",
                     runs, configuration.steps, steps, seconds, Double(steps) / seconds, warm))
        print(String(format: "  as `rehearse explore` plays them, on %d cores: %d steps in %.2f s = %.0f steps/s (target ≥ 2,000)",
                     ProcessInfo.processInfo.activeProcessorCount, parallel.steps, wall, Double(parallel.steps) / wall))
        print(String(format: "  invariant evaluations (one core): %d of %d (%.0f%% skipped by incremental evaluation); the costliest:",
                     evaluated, (steps + runs) * InvariantCatalog.standard.invariants.count,
                     100 * (1 - Double(evaluated) / Double((steps + runs) * InvariantCatalog.standard.invariants.count))))
        for (id, entry) in perInvariant.sorted(by: { $0.value.seconds > $1.value.seconds }).prefix(6) {
            print("    " + id.padding(toLength: 44, withPad: " ", startingAt: 0) + String(format: " %.3f s in %d evaluations (%.2f ms each)", entry.seconds, entry.count, 1000 * entry.seconds / Double(entry.count)))
        }
    }

    /// The happy-path scenario in process (median of `repeats`, after one run that readies the
    /// template) against `tools/postgres-happy-path.sh`'s PostgreSQL 15 part, when both are here.
    static func happyPath(repeats: Int) throws {
        let chain = try RevisionChain.shipped()
        let path = ShippedResources.scenariosDirectory + "/01-happy-path-deploy.yaml"
        let scenario = try ScenarioLoader(chain: chain).load(path: path, displayPath: "01-happy-path-deploy.yaml")
        var runner = ScenarioRunner(chain: chain)
        let (_, first) = try Stopwatch.time { _ = try runner.run(scenario) }
        // The timed runs' split: the steps, the invariants, and the costliest of them.
        var phases: [String: Double] = [:], perInvariant: [String: Double] = [:]
        runner.phase = { name, body in phases[name, default: 0] += try Stopwatch.time { try body() }.1 }
        InvariantCatalog.timer = { id, body in
            let (status, seconds) = try Stopwatch.time { try body() }
            perInvariant[id, default: 0] += seconds
            return status
        }
        defer { InvariantCatalog.timer = { _, body in try body() } }
        var times: [Double] = []
        for _ in 0..<repeats { times.append(try Stopwatch.time { _ = try runner.run(scenario) }.1) }
        let median = times.sorted()[times.count / 2]
        print(String(format: "happy path (%d steps, every invariant after each) in process: median %.1f ms of %d runs (first run, template included: %.1f ms)",
                     scenario.steps.count, 1000 * median, repeats, 1000 * first))
        let perRun = { (seconds: Double?) in 1000 * (seconds ?? 0) / Double(repeats) }
        print(String(format: "  per run (mean): steps %.1f ms, invariant evaluation %.1f ms, setup %.1f ms; costliest invariants: ",
                     perRun(phases["steps"]), perRun(phases["invariants"]), perRun(phases["setup"]))
              + perInvariant.sorted { $0.value > $1.value }.prefix(5).map { String(format: "%@ %.1f ms", $0.key, perRun($0.value)) }.joined(separator: ", "))
        let script = "tools/postgres-happy-path.sh"
        guard FileManager.default.fileExists(atPath: script), FileManager.default.fileExists(atPath: "/usr/lib/postgresql/15/bin/initdb") else {
            print("  PostgreSQL 15 comparison skipped: needs \(script) (run from the repository) and /usr/lib/postgresql/15/bin")
            return
        }
        // PostgreSQL's side moves by a tenth or more from run to run on a shared machine (initdb
        // and start-up write to disk): its median of three, against the engine's median of
        // `repeats`, not one sample against a median.
        var postgresRuns: [Double] = []
        for _ in 0..<3 {
            let process = Process()
            process.executableURL = URL(fileURLWithPath: "/bin/bash")
            process.arguments = [script]
            var environment = ProcessInfo.processInfo.environment
            environment["PG_ONLY"] = "1"
            environment["REHEARSE"] = CommandLine.arguments[0]
            process.environment = environment
            let pipe = Pipe()
            process.standardOutput = pipe
            try process.run()
            let output = String(decoding: pipe.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
            process.waitUntilExit()
            guard process.terminationStatus == 0, let seconds = Double(output.trimmingCharacters(in: .whitespacesAndNewlines)) else {
                print("  PostgreSQL 15 comparison failed: \(script) exited \(process.terminationStatus)")
                return
            }
            postgresRuns.append(seconds)
        }
        let postgres = postgresRuns.sorted()[1]
        print(String(format: "  PostgreSQL 15, same rehearsal (initdb, start, migrate, load, checks, stop): median %.2f s of 3 (%@); the engine is %.0f× faster (target ≥ 50×)",
                     postgres, postgresRuns.map { String(format: "%.2f", $0) }.joined(separator: ", "), postgres / median))
    }
}
