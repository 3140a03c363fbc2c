/// A scripted rehearsal: fixtures, a start time, and steps in the checklist's vocabulary.
public struct Scenario: Sendable {
    public var file: String
    public var name: String
    public var description: String
    public var tags: [String]
    public var seed: UInt64
    /// `none`, `small`, `staging` or `production`.
    public var fixtures: String
    public var start: Timestamp
    /// The revision the database is migrated to before seeding (production's state before the deploy).
    public var revision: String
    /// The code every service runs at the start: `v2.0.0` (before the deploy) or `sprint3`
    /// (already deployed, for scenarios that start after the deploy).
    public var code: CodeVersion
    public var steps: [ScenarioStep]
    /// Present when the scenario is a drill (`rehearse drill`): its steps are the setup.
    public var incident: Incident?
}

public struct ScenarioStep: Sendable {
    public var line: Int
    public var column: Int
    public var action: StepAction
    public var expect: Expectation
    /// An optional label, shown in reports instead of the generated one.
    public var label: String?
}

/// One operator action, application event, task run, clock move, fault or raw SQL.
public enum StepAction: Sendable {
    case baseline(label: String)
    case backup(name: String)
    case restore(name: String?)
    case maintenance(on: Bool)
    case stop([ServiceName])
    case start([ServiceName])
    case restart([ServiceName])
    case deploy(version: CodeVersion, services: [ServiceName])
    case build(ServiceName)
    case checkout([String])
    case env(name: String, value: String)
    case flushCache
    case migrate(upgrade: Bool, target: String)
    case verify([String])
    case tool(name: String, caller: String, arguments: JSONValue)
    case approve(proposal: String, reviewer: String, notes: String?)
    case reject(proposal: String, reviewer: String, notes: String?)
    case listApprovals(status: String?)
    case expireTask(dryRun: Bool)
    case advance(seconds: Int64, text: String)
    case fault(String)
    case rollback(plan: String, backup: String?)
    case sql(String)
    case viewTraces(String?)
    case decide(exception: String, type: String, hardOverride: Bool, by: String, approvedBy: String?, rationale: String)
    case health

    /// How reports name the step: the checklist's words.
    public var summary: String {
        switch self {
        case .baseline(let label): return "baseline \(label)"
        case .backup(let name): return "backup \(name)"
        case .restore(let name): return "restore \(name ?? "latest")"
        case .maintenance(let on): return "maintenance mode \(on ? "on" : "off")"
        case .stop(let s): return "stop \(s.map(\.rawValue).joined(separator: ", "))"
        case .start(let s): return "start \(s.map(\.rawValue).joined(separator: ", "))"
        case .restart(let s): return "restart \(s.map(\.rawValue).joined(separator: ", "))"
        case .deploy(let version, let s): return "deploy \(version.rawValue) to \(s.count == ServiceName.allCases.count ? "all services" : s.map(\.rawValue).joined(separator: ", "))"
        case .build(let s): return "build \(s.rawValue)"
        case .checkout(let paths): return "git checkout HEAD~1 -- \(paths.joined(separator: " "))"
        case .env(let name, let value): return "env \(name)=\(value)"
        case .flushCache: return "redis-cli FLUSHALL"
        case .migrate(let upgrade, let target): return "alembic \(upgrade ? "upgrade" : "downgrade") \(target)"
        case .verify(let ids): return "verify \(ids.joined(separator: ", "))"
        case .tool(let name, let caller, _): return "mcp \(name) as \(caller)"
        case .approve(let p, let r, _): return "approve \(p) as \(r)"
        case .reject(let p, let r, _): return "reject \(p) as \(r)"
        case .listApprovals(let status): return "GET /api/v1/approvals\(status.map { "?status=\($0)" } ?? "")"
        case .expireTask(let dry): return "expire_pending_proposals(dry_run=\(dry ? "True" : "False"))"
        case .advance(_, let text): return "advance clock \(text)"
        case .fault(let name): return "inject fault \(name)"
        case .rollback(let plan, _): return plan == "full" ? "full rollback" : "rollback plan \(plan)"
        case .sql(let sql): return "sql \(MigrationError.abbreviate(sql))"
        case .viewTraces(let trace): return "open /traces\(trace.map { "/\($0)" } ?? "")"
        case .decide(let exception, let type, let hard, _, _, _): return "decide \(type)\(hard ? " (hard override)" : "") on \(exception)"
        case .health: return "curl /health"
        }
    }

    /// Steps that copy or replace the database wholesale cannot run inside a savepoint
    /// (SQLite's backup API needs the connection outside a transaction). A migration keeps
    /// alembic's semantics: each revision is its own transaction, so revisions applied before
    /// a failing one stay applied, as they would in production.
    var isTransactional: Bool {
        switch self {
        case .restore, .backup, .migrate: return false
        case .rollback(let plan, _): return plan != "full"
        default: return true
        }
    }
}

/// What a step must bring about. Every field is optional; an empty expectation only records.
public struct Expectation: Sendable {
    public var hold: [String] = []
    public var broken: [String] = []
    /// A constraint or trigger name, or a fragment of the message, the step must fail with.
    public var error: String?
    public var returns: JSONValue?
    /// Queries run after the step, each with the value its first column must have.
    public var sql: [(query: String, value: JSONValue)] = []
    public var output: [String] = []
    public var revision: String?
    /// `revision: base` expects no revision at all.
    public var expectsBase = false

    public var isEmpty: Bool { hold.isEmpty && broken.isEmpty && error == nil && returns == nil && sql.isEmpty && output.isEmpty && revision == nil && !expectsBase }
}
