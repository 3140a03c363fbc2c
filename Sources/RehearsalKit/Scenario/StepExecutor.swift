import GRDB

/// What a step printed, its value (what `expect.returns` compares), and the exit status of its
/// command lines.
struct StepOutput {
    var lines: [String] = []
    var value: JSONValue?
    var exit: Int32?
    /// A command exited non-zero: the step's error, unless the scenario expects that exit.
    var failure: String?
}

/// Performs one step's action on the world. Operator actions are the checklist's command lines
/// and go through the interpreter; application events (tool calls, approvals) call the
/// application model.
enum StepExecutor {
    static func execute(_ action: StepAction, db: Database, world: World) throws -> StepOutput {
        if case .rollback(let plan, let backup) = action { return try rollback(plan: plan, backup: backup, db: db, world: world) }
        if let lines = action.commandLines(world: world) {
            var output = try commands(lines, db: db, world: world)
            switch action {
            case .migrate: output.value = (try MigrationBookkeeping.currentRevision(db)).map(JSONValue.string) ?? .null
            case .health: output.value = output.lines.dropFirst().first.flatMap { try? JSONParser.parse($0) }?["status"] ?? .string("unreachable")
            default: break
            }
            return output
        }
        switch action {
        case .baseline(let label):
            let baseline = try Baseline.capture(db, label: label)
            try world.recordBaseline(baseline, db)
            return StepOutput(lines: BaselineComparison(before: baseline, after: baseline).lines.map { "\($0.metric): \($0.before)" })
        case .verify:
            return StepOutput()
        case .tool(let name, let caller, let arguments):
            let result = try MCPTools.call(db, world: world, tool: name, caller: caller, arguments: arguments)
            return StepOutput(lines: [result.serialized()], value: result["status"])
        case .approve(let proposal, let reviewer, let notes):
            let result = try Approvals.approve(db, world: world, proposal: proposal, reviewer: reviewer, notes: notes)
            return StepOutput(lines: [result.serialized()], value: result["status"])
        case .reject(let proposal, let reviewer, let notes):
            let result = try Approvals.reject(db, world: world, proposal: proposal, reviewer: reviewer, notes: notes)
            return StepOutput(lines: [result.serialized()], value: result["status"])
        case .listApprovals(let status):
            let list = try Approvals.list(db, world: world, status: status)
            return StepOutput(lines: list.arrayValue!.map { $0.serialized() }, value: .int(list.arrayValue!.count))
        case .expireTask(let dryRun):
            guard world.isRunning(.backend) else { throw ApplicationError(502, "service \"backend\" is not running") }
            guard world.stack.code(.backend).expirationTaskImportable else {
                throw ApplicationError(500, "ImportError: cannot import name 'expire_pending_proposals' from 'core.tasks' (the backend container's code has no expiration task)")
            }
            let count = try ExpirationTask.run(db, world: world, dryRun: dryRun, in: .backend)
            return StepOutput(lines: [dryRun ? "Would expire \(count) proposals" : "Expired \(count) proposals"], value: .int(count))
        case .advance(let seconds, _):
            try world.advance(db, by: seconds)
            return StepOutput(lines: ["clock is now \(world.clock.iso8601)"])
        case .fault(let name):
            return StepOutput(lines: try FaultInjection.inject(world, name))
        case .sql(let sql):
            let outcomes = try SQLConsole(source: "sql step", dialect: PostgresDialect(now: world.clock, seed: world.ids.next())).run(db, script: sql)
            return StepOutput(lines: outcomes.map { $0.psqlTable() }, value: outcomes.last.map(Self.value))
        case .viewTraces(let trace):
            let page = try TracesViewer.view(db, world: world, trace: trace)
            return StepOutput(lines: page.split(separator: "\n").map(String.init), value: .string(page))
        case .decide(let exception, let type, let hard, let by, let approvedBy, let rationale):
            let id = try Decisions.record(db, world: world, exception: exception, type: type, hardOverride: hard, decidedBy: by, approvedBy: approvedBy, rationale: rationale)
            return StepOutput(lines: ["decision \(id) recorded"], value: .string("recorded"))
        default:
            throw ApplicationError(500, "step \(action.summary) has no executor")
        }
    }

    /// Runs command lines in order, as an operator types them; each keeps what it did.
    static func commands(_ lines: [String], db: Database, world: World) throws -> StepOutput {
        let shell = world.shell(db)
        var output = StepOutput()
        for line in lines {
            let result = try shell.run(line)
            output.lines.append("$ " + line)
            output.lines += result.output
            output.lines += (result.warnings + result.notes).map { "rehearse: note: \($0)" }
            output.exit = result.status
            if !result.succeeded, output.failure == nil {
                let message = result.output.last { !$0.trimmingWhitespace().isEmpty } ?? ""
                output.failure = "`\(line.split(separator: "\n").first ?? "")` exited \(result.status)\(message.isEmpty ? "" : ": \(message.trimmingWhitespace())")"
            }
        }
        return output
    }

    /// A rollback plan, read from the checklist and followed command line by command line. A
    /// plan goes on after a command fails (its verdict is in the invariants); the value is the
    /// number of command lines that failed or did not do what the checklist means.
    static func rollback(plan: String, backup: String?, db: Database, world: World) throws -> StepOutput {
        guard let checklist = world.checklist, let items = checklist.planItems(plan) else {
            throw ApplicationError(422, "the checklist has no rollback plan '\(plan)'")
        }
        var executor = ChecklistExecutor(shell: world.shell(db), prose: world.proseCommands)
        if let backup {
            // `rollback: {plan: full, backup: NAME}`: the archive glob names the scenario's backup.
            executor.rewrite = { line in
                line.split(separator: " ", omittingEmptySubsequences: false).map { word in
                    word.hasSuffix(".dump") && (word.contains("*") || word.contains("?")) ? "\(backup).dump" : String(word)
                }.joined(separator: " ")
            }
        }
        var output = StepOutput(lines: ["plan \(plan) (\(checklist.file) \(checklist.plans[plan]!))"])
        var wrong = 0
        for item in items {
            let outcome = try executor.run(item)
            output.lines += outcome.output
            output.lines += outcome.results.flatMap { $0.warnings + $0.notes }.map { "rehearse: note: \($0)" }
            switch outcome.status {
            case .done: break
            case .flagged(let why):
                wrong += 1
                output.lines.append("rehearse: [!] \(checklist.file):\(item.line): \(why)")
                if output.exit == nil || output.exit == 0 { output.exit = outcome.results.first { !$0.succeeded }?.status ?? 0 }
            case .notRehearsed(let why):
                output.lines.append("rehearse: [ ] \(checklist.file):\(item.line): not rehearsed: \(why)")
            }
        }
        output.exit = output.exit ?? 0
        output.value = .int(wrong)
        return output
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
