/// The deployment's containers, by their docker compose service names.
public enum ServiceName: String, Sendable, CaseIterable, Comparable {
    case postgres
    case redis
    case backend
    case celeryWorker = "celery-worker"
    case mcpServer = "mcp-server"
    case frontend

    public static func < (lhs: ServiceName, rhs: ServiceName) -> Bool { lhs.order < rhs.order }

    /// Compose's order: dependencies first.
    var order: Int { Self.allCases.firstIndex(of: self)! }

    /// The services that run the application's code (everything but the database and redis).
    public static let application: [ServiceName] = [.backend, .celeryWorker, .mcpServer, .frontend]

    public static func named(_ text: String) -> ServiceName? {
        if let exact = ServiceName(rawValue: text) { return exact }
        switch text {
        case "mcp", "mcp_server": return .mcpServer
        case "worker", "workers", "celery", "celery_worker": return .celeryWorker
        case "api", "backend-api": return .backend
        case "viewer", "ui": return .frontend
        case "cache": return .redis
        case "db", "database": return .postgres
        default: return nil
        }
    }
}

/// The code releases a scenario can start from.
public enum CodeVersion: String, Sendable, CaseIterable {
    /// The release before Sprint 3: no proposals, no MCP write tools, no traces viewer.
    case v2 = "v2.0.0"
    case sprint3
}
