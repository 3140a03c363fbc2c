/// What a container's code does, read from the files it runs: a route exists because its module
/// is there and the app registers it, a defect acts because the file holding it is the Sprint 3
/// content. The application model asks this, never a version flag, so a rollback takes effect
/// exactly when a container runs the right files.
public struct ApplicationCode: Sendable, Equatable {
    public var files: FileTree

    public init(files: FileTree) { self.files = files }

    func isSprint3(_ path: String) -> Bool { files[path] == RepositoryHistory.sprint3 }
    func has(_ path: String) -> Bool { files[path] != nil }

    /// `core/main.py` of Sprint 3 includes the approvals and traces routers.
    public var approvalsAPI: Bool { isSprint3("core/main.py") && has("core/api/approvals.py") }
    public var tracesAPI: Bool { isSprint3("core/main.py") && has("core/api/traces.py") }
    /// Sprint 3's `mcp/server.py` registers the write tools of `mcp/tools/write_tools.py`.
    public var mcpWriteTools: Bool { isSprint3("mcp/server.py") && has("mcp/tools/write_tools.py") }
    /// The beat schedule of Sprint 3's `core/celery.py` has the `proposal-expiration` entry.
    public var expirationScheduled: Bool { isSprint3("core/celery.py") && has("core/tasks/proposal_expiration.py") }
    /// `from core.tasks import expire_pending_proposals` works.
    public var expirationTaskImportable: Bool { isSprint3("core/tasks/__init__.py") && has("core/tasks/proposal_expiration.py") }
    /// Next.js routes by file: `ui/app/traces/page.tsx` is the `/traces` page.
    public var tracesViewer: Bool { has("ui/app/traces/page.tsx") }

    /// The module a process fails to import at start, if any: a file that registers a module
    /// the tree no longer has (a path removed by hand, or a partial revert).
    public func importFailure(for service: ServiceName) -> String? {
        switch service {
        case .backend:
            if isSprint3("core/main.py") {
                for module in ["core/api/approvals.py", "core/api/traces.py"] where !has(module) { return module }
            }
            if isSprint3("core/tasks/__init__.py") && !has("core/tasks/proposal_expiration.py") { return "core/tasks/proposal_expiration.py" }
        case .celeryWorker:
            if isSprint3("core/celery.py") && !has("core/tasks/proposal_expiration.py") { return "core/tasks/proposal_expiration.py" }
        case .mcpServer:
            if isSprint3("mcp/server.py") && !has("mcp/tools/write_tools.py") { return "mcp/tools/write_tools.py" }
            if has("mcp/tools/write_tools.py") && isSprint3("mcp/server.py") && !has("core/agents/tracing.py") { return "core/agents/tracing.py" }
        case .frontend, .postgres, .redis:
            break
        }
        return nil
    }

    /// The alembic revisions this code carries, in chain order.
    public func migrations(of chain: RevisionChain) -> [Revision] {
        chain.revisions.filter { has(RepositoryHistory.migrationPath($0.id)) }
    }

    /// Whether the defect a fault names is in this code (the file holds its Sprint 3 content).
    func carries(_ fault: Fault) -> Bool {
        fault.defect?.paths.contains(where: isSprint3) ?? false
    }
}
