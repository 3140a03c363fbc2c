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
    /// The checklist whose plans `rollback:` runs (`checklist:`, default the shipped one).
    public var checklist: Checklist
    /// How the simulated compose file is written (`compose:`).
    public var compose = ComposeOptions()
    /// Prose → command lines that replace entries of the standard table (`prose:`).
    public var prose: [(String, [String])] = []
    /// Invariants the scenario accepts broken at any step (`tolerate:`), each for a reason its
    /// file says; under the strict rule every other broken invariant must be expected.
    public var tolerate: [String] = []
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
    /// Command lines run by the interpreter, one after the other.
    case shell([String])

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
        case .shell(let lines): return lines.map { $0.split(separator: "\n").first.map(String.init) ?? $0 }.joined(separator: "; ")
        }
    }

    /// Steps that copy or replace the database wholesale cannot run inside a savepoint
    /// (SQLite's backup API needs the connection outside a transaction). A migration keeps
    /// alembic's semantics: each revision is its own transaction, so revisions applied before
    /// a failing one stay applied, as they would in production.
    /// Command-line steps are not transactional either: a real command that exits non-zero
    /// keeps what it did (a half-applied `pg_restore`), and the rehearsal shows that.
    var isTransactional: Bool {
        switch self {
        case .restore, .backup, .migrate, .rollback, .shell, .stop, .start, .restart, .deploy, .build, .checkout, .env, .flushCache, .maintenance, .health:
            return false
        default: return true
        }
    }

    /// The command lines a step stands for, when it is one of the checklist's operator actions.
    func commandLines(world: World) -> [String]? {
        switch self {
        case .backup(let name): return ["pg_dump -Fc governance_os > \(name).dump"]
        case .restore(let name):
            let file = name.map { "\($0).dump" } ?? world.backups.sorted { ($0.value.takenAt, $0.key) < ($1.value.takenAt, $1.key) }.last.map { "\($0.key).dump" } ?? "latest.dump"
            return ["pg_restore -c -d governance_os \(file)"]
        case .maintenance(let on): return world.proseCommands.commands(for: on ? "Enable maintenance mode" : "Disable maintenance mode") ?? nil
        case .stop(let services): return ["docker compose stop \(services.map(\.rawValue).joined(separator: " "))"]
        case .start(let services): return ["docker compose start \(services.map(\.rawValue).joined(separator: " "))"]
        case .restart(let services): return ["docker compose restart \(services.map(\.rawValue).joined(separator: " "))"]
        case .deploy(let version, let services):
            // `deploy: sprint3` is 3.1 step 3 as the prose table maps it; a version for some
            // services gets that code running in them (fetch it, build, recreate them).
            if version == .sprint3, services.count == ServiceName.allCases.count, let lines = world.proseCommands.commands(for: "Deploy new code") ?? nil {
                return lines
            }
            let targets = services.filter(ServiceName.application.contains)
            return [version == .sprint3 ? "git pull" : "git checkout v2.0.0", "docker compose build",
                    "docker compose up -d --no-deps " + targets.map(\.rawValue).joined(separator: " ")]
        case .build(let service): return ["docker compose build \(service.rawValue)"]
        case .checkout(let paths): return ["git checkout HEAD~1 -- \(paths.joined(separator: " "))"]
        case .env(let name, let value): return ["echo \"\(name)=\(value)\" >> .env"]
        case .flushCache: return ["docker compose exec redis redis-cli FLUSHALL"]
        case .migrate(let upgrade, let target): return ["docker compose exec backend alembic \(upgrade ? "upgrade" : "downgrade") \(target)"]
        case .health: return ["curl -s http://localhost:8000/health"]
        case .shell(let lines): return lines
        default: return nil
        }
    }
}

/// What a step must bring about. Every field is optional; an empty expectation only records.
public struct Expectation: Sendable {
    public var hold: [String] = []
    public var broken: [String] = []
    /// Invariants that cannot be evaluated after the step (`unknown`): a table or column the
    /// invariant reads is gone, so it is neither holds nor broken.
    public var unknown: [String] = []
    /// A constraint or trigger name, or a fragment of the message, the step must fail with.
    public var error: String?
    public var returns: JSONValue?
    /// Queries run after the step, each with the value its first column must have.
    public var sql: [(query: String, value: JSONValue)] = []
    public var output: [String] = []
    public var revision: String?
    /// `revision: base` expects no revision at all.
    public var expectsBase = false
    /// The exit status of a command-line step (its last command; for a plan, its first failing one).
    public var exit: Int32?

    public var isEmpty: Bool { hold.isEmpty && broken.isEmpty && unknown.isEmpty && error == nil && returns == nil && sql.isEmpty && output.isEmpty && revision == nil && !expectsBase && exit == nil }
}

extension Scenario {
    /// The scenario with another checklist's plans (`rehearse run --checklist FILE`); a
    /// `rollback:` step naming a plan that checklist does not have is an error at its line.
    public func runningPlans(of checklist: Checklist) throws -> Scenario {
        for step in steps {
            if case .rollback(let plan, _) = step.action, checklist.plans[plan] == nil {
                throw ScenarioLoadError(SourceLocation(file: file, line: step.line, column: step.column),
                                        "\(checklist.file) has no rollback plan '\(plan)' (\(checklist.planIds.isEmpty ? "it has none" : "plans: " + checklist.planIds.joined(separator: ", ")))")
            }
        }
        var copy = self
        copy.checklist = checklist
        return copy
    }
}
