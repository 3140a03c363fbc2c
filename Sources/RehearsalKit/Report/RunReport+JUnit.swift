/// JUnit XML: a test suite per scenario, a test case per step, a failure per unmet expectation,
/// so CI systems show the library natively.
extension RunReport {
    public func junit() -> String {
        var out = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
        let failures = scenarios.reduce(0) { $0 + $1.steps.filter { !$0.passed }.count }
        let tests = scenarios.reduce(0) { $0 + $1.steps.count }
        out += "<testsuites name=\"rehearse\" tests=\"\(tests)\" failures=\"\(failures)\" errors=\"0\">\n"
        for scenario in scenarios {
            let failed = scenario.steps.filter { !$0.passed }.count
            out += "  <testsuite name=\"\(xml(scenario.name))\" tests=\"\(scenario.steps.count)\" failures=\"\(failed)\" errors=\"0\" skipped=\"0\" file=\"\(xml(scenario.file))\">\n"
            for step in scenario.steps {
                out += "    <testcase name=\"\(xml("step \(step.number): \(step.action)"))\" classname=\"\(xml(scenario.file))\" file=\"\(xml(scenario.file))\" line=\"\(step.line)\">\n"
                let unmet = step.expectations.filter { !$0.met }
                if !unmet.isEmpty {
                    let message = unmet.map { "expected \($0.description)" + ($0.detail.map { ": \($0)" } ?? "") }.joined(separator: "; ")
                    out += "      <failure message=\"\(xml(message))\" type=\"expectation\">\(xml(message))</failure>\n"
                }
                let broken = step.invariants.filter { $0.status.isBroken }.map(\.info.id)
                let tally = "\(step.invariants.filter { $0.status.holds }.count) hold, \(broken.count) broken" + (broken.isEmpty ? "" : ": \(broken.joined(separator: ", "))")
                out += "      <system-out>\(xml((step.succeeded ? "ok" : "error: \(step.error!)") + "\n" + tally))</system-out>\n"
                out += "    </testcase>\n"
            }
            out += "  </testsuite>\n"
        }
        out += "</testsuites>\n"
        return out
    }

    func xml(_ text: String) -> String {
        var out = ""
        for scalar in text.unicodeScalars {
            switch scalar {
            case "&": out += "&amp;"
            case "<": out += "&lt;"
            case ">": out += "&gt;"
            case "\"": out += "&quot;"
            case "'": out += "&apos;"
            case "\n", "\t": out.unicodeScalars.append(scalar)
            case _ where scalar.value < 0x20: out += " "
            default: out.unicodeScalars.append(scalar)
            }
        }
        return out
    }
}
