import Foundation
import RehearsalKit

/// The scenario-library and PII-scanner benchmarks.
enum LibraryAndPIIBench {
    /// Runs the whole library `repeats` times and splits the time between setup (migrate and
    /// seed), steps and invariant evaluation.
    static func library(repeats: Int) throws {
        let chain = try RevisionChain.shipped()
        let loader = ScenarioLoader(chain: chain)
        let scenarios = try ScenarioLibrary.files(paths: []).map { try loader.load(path: $0.path, displayPath: $0.shown) }.filter { $0.incident == nil }
        var totals: [String: Double] = [:]
        var runner = ScenarioRunner(chain: chain)
        // Each scenario's first evaluation (after its first step, on a new connection: every
        // statement prepared and every answer computed for the first time) apart from the rest.
        var firstRound = false
        runner.phase = { name, body in
            let (_, seconds) = try Stopwatch.time { try body() }
            totals[name, default: 0] += seconds
            if name == "invariants" && firstRound { totals["first", default: 0] += seconds }
            if name == "setup" { firstRound = true } else if name == "invariants" { firstRound = false }
        }
        var perInvariant: [String: (seconds: Double, calls: Int)] = [:]
        defer { InvariantCatalog.timer = { _, body in try body() } }
        InvariantCatalog.timer = { id, body in
            let (status, seconds) = try Stopwatch.time { try body() }
            let key = id + (firstRound ? " (first evaluation)" : "")
            perInvariant[key, default: (0, 0)].seconds += seconds
            perInvariant[key, default: (0, 0)].calls += 1
            return status
        }
        func printBreakdown() {
            print(String(format: "  of the evaluation, each scenario's first: %.3f s per pass", (totals["first"] ?? 0) / Double(repeats)))
            print("  invariant evaluation per pass, the costliest (evaluations per pass, time per evaluation):")
            for (id, cost) in perInvariant.sorted(by: { $0.value.seconds > $1.value.seconds }).prefix(8) {
                print("    " + id.padding(toLength: 62, withPad: " ", startingAt: 0)
                      + String(format: " %.3f s  %4d × %4.0f µs", cost.seconds / Double(repeats), cost.calls / repeats, 1e6 * cost.seconds / Double(cost.calls)))
            }
        }
        var steps = 0
        let (_, wall) = try Stopwatch.time {
            for _ in 0..<repeats {
                for scenario in scenarios { steps += try runner.run(scenario).steps.count }
            }
        }
        let engine = (totals["steps"] ?? 0) + (totals["invariants"] ?? 0)
        print(String(format: "scenario library: %d scenarios, %d steps per pass, %d pass(es): %.3f s per pass in all (%.3f s setup: migrate + seed)",
                     scenarios.count, steps / repeats, repeats, wall / Double(repeats), (totals["setup"] ?? 0) / Double(repeats)))
        print(String(format: "  engine time per pass on one thread %.3f s: steps %.3f s (%.0f%%), invariant evaluation %.3f s (%.0f%%); %.0f steps/s",
                     engine / Double(repeats), (totals["steps"] ?? 0) / Double(repeats), 100 * (totals["steps"] ?? 0) / engine,
                     (totals["invariants"] ?? 0) / Double(repeats), 100 * (totals["invariants"] ?? 0) / engine, Double(steps) / engine))
        printBreakdown()
        // What a run does besides steps and invariants (its set-up is on the first line).
        let outside = ["world", "expectations", "scrubbing", "record"].map { String(format: "%@ %.3f s", $0, (totals[$0] ?? 0) / Double(repeats)) }
        print("  besides the engine, per pass on one thread: " + outside.joined(separator: ", ") + " (the record: Go/No-Go, the final state, Checklist 4.5's table)")
        // The timer's totals are not shared across threads: off for what follows.
        InvariantCatalog.timer = { _, body in try body() }
        // What `rehearse run` does: the scenarios on every core at once. Measured whole, each
        // run's set-up (the copy of its template) included, after the passes above, as their
        // second and third passes are: templates and the process's remembered answers ready
        // (a cold `rehearse run` also loads its templates from the disk cache).
        guard repeats > 0 else { return }
        let cores = ProcessInfo.processInfo.activeProcessorCount
        let parallel = ScenarioRunner(chain: chain)
        var passes: [Double] = []
        for _ in 0..<repeats { passes.append(try Stopwatch.time { _ = try parallel.run(scenarios, workers: cores) }.1) }
        let best = passes.min() ?? 0, median = passes.sorted()[passes.count / 2]
        print(String(format: "  the whole library as `rehearse run` plays it, %d scenario(s) at once on %d core(s): %.3f s per pass (median of %d; best %.3f s), set-up included (target < 0.3 s)",
                     min(cores, scenarios.count), cores, median, repeats, best))
    }

    /// Scans `count` synthetic trace documents (people, emails, tokens, cards, IBANs mixed with
    /// ids, hashes and timestamps) the way `rehearse pii scan` does: parse each line, then scan.
    static func pii(count: Int) throws {
        var generator = SeededGenerator(seed: 7)
        let people = (0..<200).map { i -> KnownPerson in
            let first = ["Amara", "Bjorn", "Chiara", "Dmitri", "Elif", "Farid"][i % 6], last = ["Okafor", "Lindqvist", "Ferraro", "Volkov", "Yilmaz"][i % 5]
            return KnownPerson(displayName: "\(first) \(last)", email: "\(first.lowercased()).\(last.lowercased()).\(i)@example.com")
        }
        let lines: [String] = (0..<count).map { i in
            let person = people[generator.below(people.count)]
            let pii: JSONValue
            switch i % 5 {
            case 0: pii = .string("Prepared for \(person.displayName) <\(person.email)>")
            case 1: pii = .object([("Authorization", .string("Bearer sk-\(generator.uuid().replacingOccurrences(of: "-", with: ""))"))])
            case 2: pii = .string("card 4111 1111 1111 1111 on file")
            case 3: pii = .string("https://api.example.com/x?email=\(person.email.replacingOccurrences(of: "@", with: "%40"))&page=2")
            default: pii = .string("routine evaluation, nothing personal")
            }
            return JSONValue.object([
                ("trace_id", .string("trace-\(generator.uuid().prefix(16))")), ("agent_type", .string("triage")),
                ("started_at", .string("2026-01-14T09:00:00Z")), ("output_hash", .string(SHA256.hex(String(i)))),
                ("input_summary", .object([("tool", .string("propose_signal")), ("args", .object([("subject", .string("acct-\(i)")), ("note", pii)]))])),
                ("tool_calls", .array([.object([("tool", .string("propose_signal")), ("tokens_used", .int(i % 900))])])),
            ]).serialized()
        }
        let scanner = PIIScanner(people: people)
        var findings = 0
        let (_, seconds) = try Stopwatch.time {
            for line in lines { findings += scanner.scan(try JSONParser.parse(line)).count }
        }
        print(String(format: "pii scan: %d traces (%d known people) in %.2f s = %.0f traces/s, %d findings", count, people.count, seconds, Double(count) / seconds, findings))
    }
}
