import GRDB

/// Compares what a step did with what it was expected to do.
enum ExpectationChecker {
    static func check(
        _ expect: Expectation, failure: String?, value: JSONValue?, output: [String], invariants: [InvariantResult], db: Database, now: Timestamp,
        exit: Int32? = nil
    ) throws -> [ExpectationResult] {
        var results: [ExpectationResult] = []
        if let expected = expect.exit {
            // An expected exit status replaces "succeeds": a non-zero exit is then the point.
            results.append(ExpectationResult(description: "exits \(expected)", met: exit == expected, detail: exit == expected ? nil : "exited \(exit.map(String.init) ?? "without running a command")"))
        } else if let fragment = expect.error {
            if let failure {
                results.append(ExpectationResult(description: "fails with \"\(fragment)\"", met: failure.lowercased().contains(fragment.lowercased()),
                                                 detail: failure.lowercased().contains(fragment.lowercased()) ? nil : "failed with: \(failure)"))
            } else {
                results.append(ExpectationResult(description: "fails with \"\(fragment)\"", met: false, detail: "the step succeeded"))
            }
        } else if let failure {
            results.append(ExpectationResult(description: "succeeds", met: false, detail: failure))
        }
        let byId = Dictionary(uniqueKeysWithValues: invariants.map { ($0.info.id, $0.status) })
        for id in expect.hold {
            let status = byId[id]!
            results.append(ExpectationResult(description: "\(id) holds", met: status.holds, detail: status.holds ? nil : describe(status)))
        }
        for id in expect.broken {
            let status = byId[id]!
            results.append(ExpectationResult(description: "\(id) broken", met: status.isBroken, detail: status.isBroken ? nil : describe(status)))
        }
        for id in expect.unknown {
            let status = byId[id]!
            results.append(ExpectationResult(description: "\(id) unknown", met: status.isUnknown, detail: status.isUnknown ? nil : describe(status)))
        }
        if let expected = expect.returns {
            let met = value.map { same($0, expected) } ?? false
            results.append(ExpectationResult(description: "returns \(expected.serialized())", met: met, detail: met ? nil : "returned \(value?.serialized() ?? "nothing")"))
        }
        for (query, expected) in expect.sql {
            var actual: JSONValue?
            var problem: String?
            do {
                actual = try SQLConsole(source: "expect sql", dialect: PostgresDialect(now: now)).run(db, script: query).last.map(StepExecutor.value)
            } catch {
                problem = ScenarioRunner.message(error)
            }
            let met = actual.map { same($0, expected) } ?? false
            results.append(ExpectationResult(description: "\(MigrationError.abbreviate(query)) = \(expected.serialized())", met: met,
                                             detail: met ? nil : (problem ?? "got \(actual?.serialized() ?? "nothing")")))
        }
        let text = output.joined(separator: "\n")
        for fragment in expect.output {
            results.append(ExpectationResult(description: "output contains \"\(fragment)\"", met: text.contains(fragment), detail: text.contains(fragment) ? nil : "not in the output"))
        }
        if expect.revision != nil || expect.expectsBase {
            let current = try MigrationBookkeeping.currentRevision(db)
            let met = current == expect.revision
            results.append(ExpectationResult(description: "revision \(expect.revision ?? "base")", met: met, detail: met ? nil : "at \(current ?? "base")"))
        }
        return results
    }

    static func describe(_ status: InvariantStatus) -> String {
        switch status {
        case .holds(let detail): return "holds: \(detail)"
        case .broken(let detail, let evidence): return "broken: \(detail)" + (evidence.first.map { "; " + InvariantReport.describe($0) } ?? "")
        case .notApplicable(let reason): return "not applicable: \(reason)"
        case .unknown(let reason): return "unknown: \(reason)"
        }
    }

    /// Equality with numbers compared by value (`1` equals `1.0`).
    static func same(_ a: JSONValue, _ b: JSONValue) -> Bool {
        if case .number(let x) = a, case .number(let y) = b { return Double(x) == Double(y) }
        return a == b
    }
}
