import GRDB

/// Performs one step's action on the world. Returns the lines it printed and its value (what
/// `expect.returns` compares): a count, a status, a query's answer.
enum StepExecutor {
    static func execute(_ action: StepAction, db: Database, world: World) throws -> ([String], JSONValue?) {
        switch action {
        case .baseline(let label):
            let baseline = try Baseline.capture(db, label: label)
            if world.baseline == nil { world.baseline = baseline }
            return (BaselineComparison(before: baseline, after: baseline).lines.map { "\($0.metric): \($0.before)" }, nil)
        case .backup(let name):
            return (try BackupOperations.backup(db, world: world, name: name), nil)
        case .restore(let name):
            return (try BackupOperations.restore(db, world: world, name: name), nil)
        case .maintenance(let on):
            return (DeployOperations.setMaintenance(world, on: on), nil)
        case .stop(let services):
            return (DeployOperations.stop(world, services), nil)
        case .start(let services):
            return (DeployOperations.start(world, services), nil)
        case .restart(let services):
            return (DeployOperations.restart(world, services), nil)
        case .deploy(let version, let services):
            return (DeployOperations.deployCode(world, services, version: version), nil)
        case .build(let service):
            return (DeployOperations.build(world, service), nil)
        case .checkout(let paths):
            return (DeployOperations.checkout(world, paths: paths), nil)
        case .env(let name, let value):
            return (DeployOperations.setEnvironment(world, name, value), nil)
        case .flushCache:
            return (try DeployOperations.flushCache(world), nil)
        case .migrate(let upgrade, let target):
            let lines = try DeployOperations.migrate(db, world: world, upgrade: upgrade, target: target)
            return (lines, (try MigrationBookkeeping.currentRevision(db)).map(JSONValue.string) ?? .null)
        case .verify:
            return ([], nil)
        case .tool(let name, let caller, let arguments):
            let result = try MCPTools.call(db, world: world, tool: name, caller: caller, arguments: arguments)
            return ([result.serialized()], result["status"])
        case .approve(let proposal, let reviewer, let notes):
            let result = try Approvals.approve(db, world: world, proposal: proposal, reviewer: reviewer, notes: notes)
            return ([result.serialized()], result["status"])
        case .reject(let proposal, let reviewer, let notes):
            let result = try Approvals.reject(db, world: world, proposal: proposal, reviewer: reviewer, notes: notes)
            return ([result.serialized()], result["status"])
        case .listApprovals(let status):
            let list = try Approvals.list(db, world: world, status: status)
            return (list.arrayValue!.map { $0.serialized() }, .int(list.arrayValue!.count))
        case .expireTask(let dryRun):
            guard world.isRunning(.backend) else { throw ApplicationError(502, "service \"backend\" is not running") }
            guard world.runsSprint3(.backend) else { throw ApplicationError(500, "ImportError: cannot import name 'expire_pending_proposals' from 'core.tasks' (backend on v2.0.0)") }
            let count = try ExpirationTask.run(db, world: world, dryRun: dryRun)
            return ([dryRun ? "Would expire \(count) proposals" : "Expired \(count) proposals"], .int(count))
        case .advance(let seconds, _):
            try world.advance(db, by: seconds)
            return (["clock is now \(world.clock.iso8601)"], nil)
        case .fault(let name):
            return (try FaultInjection.inject(world, name), nil)
        case .rollback(let plan, let backup):
            return (try RollbackPlans.run(db, world: world, plan: plan, backup: backup), nil)
        case .sql(let sql):
            let outcomes = try SQLConsole(source: "sql step", dialect: PostgresDialect(now: world.clock, seed: world.ids.next())).run(db, script: sql)
            return (outcomes.map { $0.psqlTable() }, outcomes.last.map(Self.value))
        case .viewTraces(let trace):
            let page = try TracesViewer.view(db, world: world, trace: trace)
            return (page.split(separator: "\n").map(String.init), .string(page))
        case .decide(let exception, let type, let hard, let by, let approvedBy, let rationale):
            let id = try Decisions.record(db, world: world, exception: exception, type: type, hardOverride: hard, decidedBy: by, approvedBy: approvedBy, rationale: rationale)
            return (["decision \(id) recorded"], .string("recorded"))
        case .health:
            let health = Health.check(db, world: world)
            return ([health.serialized()], health["status"])
        }
    }

    /// A statement's value: the single value of a one-cell result, the rows otherwise, or the
    /// number of rows a command changed.
    static func value(_ outcome: StatementOutcome) -> JSONValue {
        switch outcome {
        case .rows(let columns, let values, let booleans):
            if values.count == 1 && columns.count == 1 { return booleans.isEmpty ? StatementOutcome.json(values[0][0]) : StatementOutcome.jsonBoolean(values[0][0]) }
            return outcome.jsonRows()
        case .command(let tag):
            return .number(String(tag.split(separator: " ").last.flatMap { Int($0) } ?? 0))
        }
    }
}
