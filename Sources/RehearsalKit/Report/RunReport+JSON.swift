/// The JSON report (format `rehearse-run/1`, documented in docs/run-json.md).
extension RunReport {
    public func json() -> JSONValue {
        .object([
            ("format", .string("rehearse-run/1")),
            ("passed", .bool(passed)),
            ("summary", .object([
                ("scenarios", .int(scenarios.count)), ("passed", .int(scenarios.filter(\.passed).count)),
                ("failed", .int(scenarios.filter { !$0.passed }.count)), ("steps", .int(scenarios.reduce(0) { $0 + $1.steps.count })),
            ])),
            ("scenarios", .array(scenarios.map(Self.json))),
        ])
    }

    static func json(_ scenario: ScenarioRecord) -> JSONValue {
        .object([
            ("file", .string(scenario.file)), ("name", .string(scenario.name)), ("description", .string(scenario.description)),
            ("tags", .array(scenario.tags.map(JSONValue.string))), ("seed", .string(String(scenario.seed))), ("passed", .bool(scenario.passed)),
            ("steps", .array(scenario.steps.map { step in
                .object([
                    ("step", .int(step.number)), ("line", .int(step.line)), ("action", .string(step.action)),
                    ("outcome", .string(step.succeeded ? "ok" : "error")), ("error", step.error.map(JSONValue.string) ?? .null),
                    ("output", .array(step.output.map(JSONValue.string))), ("value", step.value ?? .null), ("time", .string(step.time.iso8601)),
                    ("passed", .bool(step.passed)), ("expected_broken", .array(step.expectedBroken.sorted().map(JSONValue.string))),
                    ("expectations", .array(step.expectations.map { e in
                        .object([("expect", .string(e.description)), ("met", .bool(e.met)), ("detail", e.detail.map(JSONValue.string) ?? .null)])
                    })),
                    ("invariants", .array(step.invariants.map { InvariantReport.json($0, evidenceLimit: 20) })),
                ])
            })),
            ("go_no_go", .array(scenario.goNoGo.map { .object([("section", .string($0.section)), ("item", .string($0.item)), ("status", .string($0.status.rawValue)), ("evidence", .string($0.evidence)), ("expected", .bool($0.expected))]) })),
        ])
    }
}
