import GRDB

/// Checklist 7.1's dashboards, derived from the simulated state (never scripted text).
enum DrillMonitoring {
    static func dashboard(queue: DatabaseQueue, world: World) throws -> String {
        try queue.writeWithoutTransaction { db in
            var endpoints = ["/health"]
            if world.stack.code(.backend).approvalsAPI { endpoints += ["/api/v1/approvals", "/api/v1/traces"] }
            let failing = try endpoints.filter { endpoint in
                let request = HTTPRequest(port: 8000, path: endpoint, headers: ["Authorization": "Bearer user:role:approver"])
                guard let response = try Endpoints.respond(request, db: db, world: world) else { return true }
                return response.status >= 500
            }.count
            let errorRate = world.isRunning(.backend) ? Double(failing) / Double(endpoints.count) * 100 : 100
            let latency = !world.isRunning(.backend) ? "n/a" : (failing > 0 ? "640ms" : "140ms")
            let overdue = try db.tableExists("pending_proposals")
                ? try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM pending_proposals WHERE status = 'pending' AND julianday(proposed_at) < julianday(?) - 1", arguments: [world.clock.iso8601]) ?? 0 : 0
            let connections = ServiceName.allCases.filter { world.isRunning($0) && $0 != .redis }.count * 12
            let traces = try db.tableExists("agent_traces") ? try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM agent_traces") ?? 0 : 0
            let traceErrors = try db.tableExists("agent_traces") ? try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM agent_traces WHERE status = 'error'") ?? 0 : 0
            func row(_ metric: String, _ value: String, _ threshold: String, _ alert: Bool) -> String {
                "| \(metric) | \(value) | \(threshold) | \(alert ? "ALERT" : "ok") |"
            }
            return ([
                "Monitoring at \(world.clock.iso8601) (checklist 7.1)",
                "| Metric | Value | Alert Threshold | State |", "|---|---|---|---|",
                row("API error rate", String(format: "%.0f%%", errorRate), "> 1% for 5 min", errorRate > 1),
                row("API latency p99", latency, "> 500ms for 5 min", latency == "640ms"),
                row("Background task failures", "\(world.expiration.failures)", "Any failure", world.expiration.failures > 0 && world.expiration.lastRunFailed),
                row("Pending proposals > 24h", "\(overdue)", "Any count > 0", overdue > 0),
                row("Database connections", "\(connections)% of pool", "> 80% pool", connections > 80),
                row("Agent trace errors", traces == 0 ? "0%" : String(format: "%.0f%%", Double(traceErrors) / Double(traces) * 100), "> 5% error rate", traces > 0 && traceErrors * 20 > traces),
                "Services: " + ServiceName.allCases.map { "\($0.rawValue) \(world.isRunning($0) ? "up" : "DOWN")" }.joined(separator: ", "),
            ]).joined(separator: "\n")
        }
    }
}
