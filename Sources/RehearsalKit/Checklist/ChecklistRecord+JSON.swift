/// The record as JSON (docs/checklist.md describes the fields).
extension ChecklistRecord {
    public func json() -> JSONValue {
        func status(_ outcome: ItemOutcome) -> [(String, JSONValue)] {
            switch outcome.status {
            case .done: return [("status", .string("done"))]
            case .flagged(let why): return [("status", .string("flagged")), ("reason", .string(why))]
            case .notRehearsed(let why): return [("status", .string("not_rehearsed")), ("reason", .string(why))]
            }
        }
        func outcome(_ item: ItemOutcome) -> JSONValue {
            .object([("section", .string(item.item.section)), ("line", .int(item.item.line)), ("text", .string(item.item.text))] + status(item) + [
                ("commands", .array(item.results.map { result in
                    .object([("line", .string(result.line)), ("exit", .int(result.status)), ("output", .array(result.output.map(JSONValue.string))),
                             ("notes", .array(result.notes.map(JSONValue.string)))])
                })),
                ("checks", .array(item.checks.map { check in
                    let verdict: String
                    var detail: JSONValue = .null
                    switch check.verdict {
                    case .passed: verdict = "passed"
                    case .failed(let why): verdict = "failed"; detail = .string(why)
                    case .unchecked: verdict = "unchecked"
                    }
                    return .object([("expected", .string(check.check.text)), ("line", .int(check.check.line)), ("verdict", .string(verdict)), ("detail", detail)])
                })),
            ])
        }
        func plan(_ verdict: PlanVerdict) -> JSONValue {
            .object([("plan", .string(verdict.plan)), ("section", .string(verdict.section)), ("fault", verdict.fault.map(JSONValue.string) ?? .null),
                     ("verdict", .string(verdict.verdict.rawValue)), ("still_broken", .array(verdict.stillBroken.map(JSONValue.string))),
                     ("first_wrong", verdict.firstWrong.map { .object([("line", .int($0.item.line)), ("text", .string($0.item.text))] + status($0)) } ?? .null)])
        }
        return .object([
            ("checklist", .string(checklist.file)), ("seed", .int(seed)), ("fault", fault.map(JSONValue.string) ?? .null),
            ("commit", .string(commit)), ("revision", revision.map(JSONValue.string) ?? .null),
            ("items", .array(entries.map { entry in
                var value = outcome(entry.outcome)
                if case .object(var members) = value {
                    members += [("phase", .int(entry.phase)), ("time", .string(entry.time.iso8601)), ("broken", .array(entry.broken.map(JSONValue.string))), ("in_plan", .bool(entry.inPlan))]
                    value = .object(members)
                }
                return value
            })),
            ("plan", planVerdict.map(plan) ?? .null),
            ("plans", .array(plans.map(plan))),
        ])
    }
}
