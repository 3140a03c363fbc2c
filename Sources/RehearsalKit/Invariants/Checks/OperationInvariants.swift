import GRDB

/// `tasks.expiration_healthy`: once the worker runs Sprint 3 code, the expiration task is
/// scheduled, the worker is up, and its last run did not fail (7.1: "any failure").
struct ExpirationHealthyInvariant: Invariant {
    var reads: InvariantReads { InvariantReads(world: [.clock, .stack, .faults, .expiration]) }

    var info: InvariantInfo {
        InvariantInfo(id: "tasks.expiration_healthy", title: "The proposal-expiration task is scheduled, its worker up, its last run successful",
                      source: "5.1, 5.2, 7.1", severity: .medium)
    }

    func evaluate(_ context: InvariantContext) throws -> InvariantStatus {
        guard let world = context.world else { return .notApplicable(reason: "no simulated world") }
        // Deployed: the worker's container, or the image it will run next, carries the task.
        let stack = world.stack
        let nextImage = stack.currentImage(.celeryWorker).flatMap { stack.images[$0] }.map(ApplicationCode.init(files:))
        let deployed = stack.code(.celeryWorker).expirationScheduled || nextImage?.expirationScheduled == true
        guard deployed else { return .notApplicable(reason: "the expiration task is not deployed (the worker's code has no proposal-expiration schedule)") }
        // 3.1 stops the workers on purpose for the migrations, under maintenance mode.
        if world.maintenanceMode && !world.isRunning(.celeryWorker) && world.stack.containers[.celeryWorker]?.exit == nil {
            return .notApplicable(reason: "maintenance mode is on and the worker is stopped for the deploy (3.1 step 2)")
        }
        var evidence: [Evidence] = []
        if !world.isRunning(.celeryWorker) {
            let crash = stack.containers[.celeryWorker]?.exit.map { ": exited \($0.code), \($0.reason)" } ?? ""
            evidence.append(Evidence(note: "celery-worker is not running\(crash): no scheduled task runs"))
        } else if !stack.code(.celeryWorker).expirationScheduled {
            evidence.append(Evidence(note: "celery-worker runs code without the proposal-expiration schedule"))
        }
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
    /// The endpoints answer through the application: every table, and the whole world.
    var reads: InvariantReads { InvariantReads(allTables: true, world: Set(WorldPart.allCases)) }

    var info: InvariantInfo {
        InvariantInfo(id: "api.endpoints_healthy", title: "The API health check passes and the new endpoints answer", source: "4.3, 4.4", severity: .high)
    }

    func evaluate(_ context: InvariantContext) throws -> InvariantStatus {
        guard let world = context.world else { return .notApplicable(reason: "no simulated world") }
        if world.maintenanceMode { return .notApplicable(reason: "maintenance mode is on") }
        var evidence: [Evidence] = []
        if !world.isRunning(.backend) { evidence.append(Evidence(note: "GET /health: backend is not running")) }
        else {
            // Probed through the endpoints themselves, as curl would (Endpoints is the one renderer).
            let code = world.stack.code(.backend)
            var probes = ["/health"]
            if code.approvalsAPI { probes.append("/api/v1/approvals") }
            if code.tracesAPI { probes.append("/api/v1/traces") }
            for path in probes {
                var request = HTTPRequest(port: 8000, path: path, headers: ["Authorization": "Bearer user:role:approver"])
                request.statusOnly = true
                guard let response = try Endpoints.respond(request, db: context.db, world: world) else { continue }
                if response.status >= 500 || (path != "/health" && response.status >= 400 && response.status != 401) {
                    evidence.append(Evidence(note: "GET \(path): \(response.status)"))
                }
            }
        }
        if evidence.isEmpty {
            return .holds(detail: world.stack.code(.backend).approvalsAPI ? "health, approvals and traces answer" : "health answers (the backend's code has no Sprint 3 endpoints)")
        }
        return .broken(detail: "\(evidence.count) endpoint(s) failing", evidence: evidence)
    }
}

/// `deploy.order_followed`: checklist 3.1's order was kept where it matters: migrations ran
/// with maintenance mode on and background workers stopped.
struct DeployOrderInvariant: Invariant {
    var reads: InvariantReads { InvariantReads(world: [.deployOrder]) }

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
