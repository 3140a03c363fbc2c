import GRDB

/// `core.tasks.expire_pending_proposals`: marks pending proposals past `expires_at` as expired.
/// Idempotent. The celery worker runs it on its beat schedule while it is running Sprint 3 code.
public enum ExpirationTask {
    /// Runs the task once now. With `dryRun`, returns how many it would expire and changes nothing.
    @discardableResult
    public static func run(_ db: Database, world: World, dryRun: Bool, at time: Timestamp? = nil, in service: ServiceName = .celeryWorker) throws -> Int {
        let now = time ?? world.clock
        if world.faultActive(.taskExpirationFails, in: service) {
            throw ApplicationError(500, "ProgrammingError in proposal_expiration: column \"expiry\" does not exist")
        }
        guard try db.hasTable("pending_proposals") else { throw ApplicationError(500, "ProgrammingError: relation \"pending_proposals\" does not exist") }
        // julianday compares instants, whatever offset the text carries.
        let due = try String.fetchAll(db, cached: "SELECT id FROM pending_proposals WHERE status = 'pending' AND julianday(expires_at) <= julianday(?) ORDER BY rowid",
                                      arguments: [now.iso8601])
        if dryRun { return due.count }
        try db.inSavepoint {
            for id in due {
                try db.execute(sql: "UPDATE pending_proposals SET status = 'expired' WHERE id = ?", arguments: [id])
                try AuditLog.record(db, at: now, actor: "system:celery", action: "proposal.expired", entityType: "pending_proposal", entityId: id)
            }
            return .commit
        }
        return due.count
    }

    /// What the beat schedule runs between the current time and `target`: a run at every tick
    /// where a proposal falls due, and the last tick before `target` (runs in between find
    /// nothing to do, so they are not simulated one by one).
    static func runSchedule(_ db: Database, world: World, until target: Timestamp) throws {
        guard world.isRunning(.celeryWorker), world.stack.code(.celeryWorker).expirationScheduled else { return }
        let interval = world.expiration.interval
        func nextTick(after time: Timestamp) -> Timestamp {
            Timestamp(seconds: (time.seconds / interval + 1) * interval)
        }
        var tick = nextTick(after: world.clock)
        guard tick <= target else { return }
        let lastTick = Timestamp(seconds: target.seconds / interval * interval)
        while tick <= lastTick {
            var runAt = lastTick
            if !world.faultActive(.taskExpirationFails, in: .celeryWorker), try db.hasTable("pending_proposals"),
               let nextDue = try String.fetchOne(db, cached: "SELECT MIN(expires_at) FROM pending_proposals WHERE status = 'pending'").flatMap(Timestamp.init(iso8601:)),
               nextDue <= lastTick {
                runAt = max(tick, nextTick(after: nextDue.adding(seconds: -1)))
            }
            scheduledRun(db, world: world, at: runAt)
            tick = nextTick(after: runAt)
            if runAt == lastTick { break }
        }
    }

    static func scheduledRun(_ db: Database, world: World, at time: Timestamp) {
        // Each run beat sends is a new task id: revoking an id only ever cancels that one run.
        let taskId = world.newId()
        world.stack.celery.lastTaskId = taskId
        if world.stack.celery.revoked.contains(taskId) { return }
        world.expiration.runs += 1
        world.expiration.lastRun = time
        do {
            let expired = try run(db, world: world, dryRun: false, at: time)
            world.expiration.lastRunFailed = false
            if expired > 0 { world.log.append(time, .celeryWorker, "INFO", "Task \(ExpirationSchedule.task)[\(taskId)] succeeded: expired \(expired) proposals") }
        } catch {
            world.expiration.lastRunFailed = true
            world.expiration.failures += 1
            if world.expiration.firstFailure == nil { world.expiration.firstFailure = time }
            world.log.append(time, .celeryWorker, "ERROR", "Task \(ExpirationSchedule.task)[\(taskId)] raised unexpected: \(error)")
        }
    }
}
