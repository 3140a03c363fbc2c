/// A step as a scenario file writes it — the inverse of `ScenarioLoader.parseAction` — so what
/// `rehearse explore` found can be written as a scenario `rehearse run` replays. Strings are
/// JSON-quoted, which YAML reads as the same string.
extension StepAction {
    public var yaml: String {
        func q(_ text: String) -> String { JSONValue.string(text).serialized() }
        func list(_ items: [String]) -> String { "[" + items.map(q).joined(separator: ", ") + "]" }
        func services(_ names: [ServiceName]) -> String { names.count == ServiceName.allCases.count ? "all" : list(names.map(\.rawValue)) }
        switch self {
        case .baseline(let label): return "baseline: \(q(label))"
        case .backup(let name): return "backup: \(q(name))"
        case .restore(let name): return "restore: \(q(name ?? "latest"))"
        case .maintenance(let on): return "maintenance: \(on)"
        case .stop(let names): return "stop: \(services(names))"
        case .start(let names): return "start: \(services(names))"
        case .restart(let names): return "restart: \(services(names))"
        case .deploy(let version, let names):
            return names.count == ServiceName.allCases.count ? "deploy: \(q(version.rawValue))" : "deploy: {version: \(q(version.rawValue)), services: \(list(names.map(\.rawValue)))}"
        case .build(let service): return "build: \(q(service.rawValue))"
        case .checkout(let paths): return "checkout: \(list(paths))"
        case .env(let name, let value): return "env: {\(q(name)): \(q(value))}"
        case .flushCache: return "flush_cache: true"
        case .migrate(let upgrade, let target): return "migrate: {\(upgrade ? "upgrade" : "downgrade"): \(q(target))}"
        case .verify(let ids): return "verify: \(list(ids))"
        case .tool(let name, let caller, let arguments): return "tool: {call: \(q(name)), as: \(q(caller)), args: \(arguments.serialized())}"
        case .approve(let proposal, let reviewer, let notes), .reject(let proposal, let reviewer, let notes):
            let key: String = { if case .approve = self { return "approve" }; return "reject" }()
            return "\(key): {proposal: \(q(proposal)), as: \(q(reviewer))\(notes.map { ", notes: \(q($0))" } ?? "")}"
        case .listApprovals(let status): return "approvals: \(q(status ?? "all"))"
        case .expireTask(let dryRun): return "task: {run: expire_pending_proposals, dry_run: \(dryRun)}"
        case .advance(_, let text): return "advance: \(q(text))"
        case .fault(let name): return "fault: \(q(name))"
        case .rollback(let plan, let backup): return backup.map { "rollback: {plan: \(q(plan)), backup: \(q($0))}" } ?? "rollback: \(q(plan))"
        case .sql(let sql): return "sql: \(q(sql))"
        case .viewTraces(let trace): return "view_traces: \(q(trace ?? "list"))"
        case .decide(let exception, let type, let hard, let by, let approvedBy, let rationale):
            return "decide: {exception: \(q(exception)), type: \(q(type)), hard_override: \(hard), by: \(q(by))\(approvedBy.map { ", approved_by: \(q($0))" } ?? ""), rationale: \(q(rationale))}"
        case .health: return "health: true"
        case .shell(let lines): return "shell: \(lines.count == 1 ? q(lines[0]) : list(lines))"
        }
    }
}
