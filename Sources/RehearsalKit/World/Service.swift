/// The deployment's containers, by their docker compose names.
public enum ServiceName: String, Sendable, CaseIterable, Comparable {
    case backend
    case mcpServer = "mcp-server"
    case celeryWorker = "celery-worker"
    case frontend
    case redis

    public static func < (lhs: ServiceName, rhs: ServiceName) -> Bool { lhs.rawValue < rhs.rawValue }

    public static func named(_ text: String) -> ServiceName? {
        if let exact = ServiceName(rawValue: text) { return exact }
        switch text {
        case "mcp", "mcp_server": return .mcpServer
        case "worker", "workers", "celery", "celery_worker": return .celeryWorker
        case "api", "backend-api": return .backend
        case "viewer", "ui": return .frontend
        case "cache": return .redis
        default: return nil
        }
    }
}

/// The code releases a service can run.
public enum CodeVersion: String, Sendable, CaseIterable {
    /// The release before Sprint 3: no proposals, no MCP write tools, no traces viewer.
    case v2 = "v2.0.0"
    case sprint3
}

/// One container: running or not, and what code it runs.
public struct ServiceState: Sendable, Equatable {
    public var running: Bool
    /// The code the container runs now (changes on restart/start after a build).
    public var version: CodeVersion
    /// Paths checked out from `HEAD~1` and built, which replace the faulty Sprint 3 files.
    public var revertedPaths: Set<String> = []
}
