import GRDB

/// Checklist 7.1's dashboards, derived from the simulated state (never scripted text). A row the
/// world has no figure for (latency, the connection pool's size) says so instead of showing one,
/// and has no alert state: an alert that could never fire would teach the trainee to trust it.
enum DrillMonitoring {
    static func dashboard(queue: DatabaseQueue, world: World) throws -> String {
        try queue.writeWithoutTransaction { db in try dashboard(db, world: world) }
    }

    static func dashboard(_ db: Database, world: World) throws -> String {
        do {
            var endpoints = ["/health"]
            if world.stack.code(.backend).approvalsAPI { endpoints += ["/api/v1/approvals", "/api/v1/traces"] }
            let failing = try endpoints.filter { endpoint in
                let request = HTTPRequest(port: 8000, path: endpoint, headers: ["Authorization": "Bearer user:role:approver"])
                guard let response = try Endpoints.respond(request, db: db, world: world) else { return true }
                return response.status >= 500
            }.count
            let errorRate = world.isRunning(.backend) ? Double(failing) / Double(endpoints.count) * 100 : 100
            let overdue = try db.hasTable("pending_proposals")
                ? try Int.fetchOne(db, cached: "SELECT COUNT(*) FROM pending_proposals WHERE status = 'pending' AND julianday(proposed_at) < julianday(?) - 1", arguments: [world.clock.iso8601]) ?? 0 : 0
            // Who holds connections is known; the pool's size is not, so no percentage.
            let clients = ServiceName.allCases.filter { world.isRunning($0) && [.backend, .celeryWorker, .mcpServer].contains($0) }.map(\.rawValue)
            let traces = try db.hasTable("agent_traces") ? try Int.fetchOne(db, cached: "SELECT COUNT(*) FROM agent_traces") ?? 0 : 0
            let traceErrors = try db.hasTable("agent_traces") ? try Int.fetchOne(db, cached: "SELECT COUNT(*) FROM agent_traces WHERE status = 'error'") ?? 0 : 0
            func row(_ metric: String, _ value: String, _ threshold: String, _ alert: Bool?) -> String {
                "| \(metric) | \(value) | \(threshold) | \(alert.map { $0 ? "ALERT" : "ok" } ?? "not simulated") |"
            }
            return ([
                "Monitoring at \(world.clock.iso8601) (checklist 7.1)",
                "| Metric | Value | Alert Threshold | State |", "|---|---|---|---|",
                row("API error rate", String(format: "%.0f%%", errorRate), "> 1% for 5 min", errorRate > 1),
                row("API latency p99", "—", "> 500ms for 5 min", nil),
                row("Background task failures", "\(world.expiration.failures)", "Any failure", world.expiration.failures > 0 && world.expiration.lastRunFailed),
                row("Pending proposals > 24h", "\(overdue)", "Any count > 0", overdue > 0),
                row("Database connections", clients.isEmpty ? "no client running" : "clients: " + clients.joined(separator: ", "), "> 80% pool", nil),
                row("Agent trace errors", traces == 0 ? "0%" : String(format: "%.0f%%", Double(traceErrors) / Double(traces) * 100), "> 5% error rate", traces > 0 && traceErrors * 20 > traces),
                "Services: " + ServiceName.allCases.map { "\($0.rawValue) \(world.isRunning($0) ? "up" : "DOWN")" }.joined(separator: ", "),
            ]).joined(separator: "\n")
        }
    }
}
