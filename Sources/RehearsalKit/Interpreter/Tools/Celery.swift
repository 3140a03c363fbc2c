import GRDB

/// `celery -A core.celery …` (docs/command-semantics.md): `inspect` asks the running workers and
/// fails with "No nodes replied" when none runs; `inspect scheduled` lists tasks waiting for
/// an ETA, never beat's periodic entries; `control revoke` takes task ids, so revoking a name
/// revokes nothing; `call` sends a task that a worker with that task registered runs.
extension ShellSession {
    func celery(_ invocation: Invocation) throws -> ToolOutput {
        let operands = invocation.arguments.operands
        guard let command = operands.first else { return .err("Usage: celery [OPTIONS] COMMAND [ARGS]...\nError: Missing command.", status: 2) }
        guard stack.isRunning(.redis) else {
            return .err("Error: Error 111 connecting to redis:6379. Connection refused.", status: 1)
        }
        let worker = stack.isRunning(.celeryWorker) ? stack.code(.celeryWorker) : nil
        let node = "celery@celery-worker"
        func noReply() -> ToolOutput { .err("Error: No nodes replied within time constraint", status: 69) }
        switch command {
        case "inspect":
            guard let what = operands.dropFirst().first else { return .err("Error: Missing argument 'ACTION'.", status: 2) }
            guard let worker else { return noReply() }
            switch what {
            case "registered":
                var tasks = ["core.tasks.recompute_statistics"]
                if worker.expirationScheduled || worker.expirationTaskImportable { tasks.append(ExpirationSchedule.task) }
                return .out("->  \(node): OK\n" + tasks.sorted().map { "    * \($0)" }.joined(separator: "\n") + "\n\n1 node online.")
            case "scheduled", "active", "reserved", "revoked":
                var output = ToolOutput.out("->  \(node): OK\n" + (what == "revoked" && !stack.celery.revoked.isEmpty
                    ? stack.celery.revoked.sorted().map { "    * \($0)" }.joined(separator: "\n") : "    - empty -") + "\n\n1 node online.")
                if what == "scheduled" {
                    output.note("inspect scheduled lists tasks waiting for an ETA or countdown; beat's periodic entries (\(ExpirationSchedule.entry)) never appear there")
                }
                return output
            case "ping":
                return .out("->  \(node): OK\n        pong\n\n1 node online.")
            default:
                return .err("rehearse: not simulated: celery inspect \(what) (simulated: registered, scheduled, active, reserved, revoked, ping)", status: 2)
            }
        case "control":
            guard operands.count >= 3, operands[1] == "revoke" else {
                return .err("rehearse: not simulated: celery control \(operands.dropFirst().joined(separator: " ")) (simulated: control revoke TASK_ID…)", status: 2)
            }
            guard worker != nil else { return noReply() }
            let ids = Array(operands.dropFirst(2))
            stack.celery.revoked.formUnion(ids)
            var output = ToolOutput.out("->  \(node): OK\n        tasks \(ids.joined(separator: ", ")) flagged as revoked\n\n1 node online.")
            let names = ids.filter { !$0.contains("-") || $0.count != 36 }
            if !names.isEmpty {
                output.warn("celery revokes task ids, not names: '\(names.joined(separator: "', '"))' is no task's id, so nothing is revoked and beat keeps sending \(ExpirationSchedule.entry) every \(world.expiration.interval / 60) minutes")
            }
            return output
        case "call":
            guard let task = operands.dropFirst().first else { return .err("Error: Missing argument 'NAME'.", status: 2) }
            let id = world.newId()
            stack.celery.queued.append(task)
            runQueuedTasks()
            return .out(id)
        case "purge":
            let count = stack.celery.queued.count
            stack.celery.queued = []
            return .out("Purged \(count) messages from 1 known task queue.")
        default:
            return .err("rehearse: not simulated: celery \(command) (simulated: inspect, control revoke, call, purge)", status: 2)
        }
    }

    /// A running worker takes the queued messages: it runs the tasks its code registers and
    /// logs the others as unregistered.
    func runQueuedTasks() {
        guard stack.isRunning(.celeryWorker), !stack.celery.queued.isEmpty else { return }
        let code = stack.code(.celeryWorker)
        for task in stack.celery.queued {
            if task == ExpirationSchedule.task && code.expirationScheduled {
                ExpirationTask.scheduledRun(db, world: world, at: world.clock)
            } else {
                world.log.append(world.clock, .celeryWorker, "ERROR", "Received unregistered task of type '\(task)'. The message has been ignored and discarded.")
            }
        }
        stack.celery.queued = []
    }
}
