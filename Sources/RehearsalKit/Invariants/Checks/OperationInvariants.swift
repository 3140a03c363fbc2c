import GRDB

/// `tasks.expiration_healthy`: once the worker runs Sprint 3 code, the expiration task is
/// scheduled, the worker is up, and its last run did not fail (7.1: "any failure").
struct ExpirationHealthyInvariant: Invariant {
    var info: InvariantInfo {
        InvariantInfo(id: "tasks.expiration_healthy", title: "The proposal-expiration task is scheduled, its worker up, its last run successful",
                      source: "5.1, 5.2, 7.1", severity: .medium)
    }

    func evaluate(_ context: InvariantContext) throws -> InvariantStatus {
        guard let world = context.world else { return .notApplicable(reason: "no simulated world") }
        let worker = world.services[.celeryWorker]!
        let deployed = worker.version == .sprint3 || world.builds[.celeryWorker]?.version == .sprint3
        guard deployed else { return .notApplicable(reason: "the expiration task is not deployed (celery-worker on \(worker.version.rawValue))") }
        var evidence: [Evidence] = []
        if !worker.running { evidence.append(Evidence(note: "celery-worker is stopped: no scheduled task runs")) }
        if world.expiration.revoked { evidence.append(Evidence(note: "proposal_expiration is revoked")) }
        if world.expiration.lastRunFailed, let last = world.expiration.lastRun {
            evidence.append(Evidence(note: "last run at \(last.iso8601) failed (\(world.expiration.failures) failure(s) since \(world.expiration.firstFailure?.iso8601 ?? "?"))"))
        }
        if evidence.isEmpty { return .holds(detail: "\(world.expiration.runs) run(s), last \(world.expiration.lastRun?.iso8601 ?? "not yet")") }
        return .broken(detail: "expiration task not healthy", evidence: evidence)
    }
}

/// `api.endpoints_healthy`: 4.3 and 4.4: `/health` answers healthy and, once Sprint 3 runs, the
/// approvals and traces endpoints answer.
struct EndpointsHealthyInvariant: Invariant {
    var info: InvariantInfo {
        InvariantInfo(id: "api.endpoints_healthy", title: "The API health check passes and the new endpoints answer", source: "4.3, 4.4", severity: .high)
    }

    func evaluate(_ context: InvariantContext) throws -> InvariantStatus {
        guard let world = context.world else { return .notApplicable(reason: "no simulated world") }
        if world.maintenanceMode { return .notApplicable(reason: "maintenance mode is on") }
        var evidence: [Evidence] = []
        if !world.isRunning(.backend) { evidence.append(Evidence(note: "GET /health: backend is not running")) }
        else if world.runsSprint3(.backend) {
            do { _ = try Approvals.list(context.db, world: world) } catch let error as ApplicationError {
                evidence.append(Evidence(note: "GET /api/v1/approvals: \(error)"))
            }
            if world.faultActive("api.approvals_broken") { evidence.append(Evidence(note: "GET /api/v1/traces: 500: Internal Server Error")) }
            else if try !context.db.tableExists("agent_traces") { evidence.append(Evidence(note: "GET /api/v1/traces: 500: relation \"agent_traces\" does not exist")) }
        }
        if evidence.isEmpty { return .holds(detail: world.runsSprint3(.backend) ? "health, approvals and traces answer" : "health answers (\(world.services[.backend]!.version.rawValue))") }
        return .broken(detail: "\(evidence.count) endpoint(s) failing", evidence: evidence)
    }
}

/// `deploy.order_followed`: checklist 3.1's order was kept where it matters: migrations ran
/// with maintenance mode on and background workers stopped.
struct DeployOrderInvariant: Invariant {
    var info: InvariantInfo {
        InvariantInfo(id: "deploy.order_followed", title: "Migrations ran in maintenance mode with background workers stopped", source: "3.1", severity: .high)
    }

    func evaluate(_ context: InvariantContext) throws -> InvariantStatus {
        guard let world = context.world else { return .notApplicable(reason: "no simulated world") }
        if world.deployOrderViolations.isEmpty { return .holds(detail: "no step out of order") }
        return .broken(detail: "\(world.deployOrderViolations.count) step(s) out of order",
                       evidence: world.deployOrderViolations.map { Evidence(note: "\($0.0.iso8601): \($0.1)") })
    }
}
