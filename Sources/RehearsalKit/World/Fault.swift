/// A named way for one part of the deployment to misbehave, as the checklist fears. A fault is
/// either a defect in Sprint 3's code (it acts wherever a container runs the file that holds
/// it, and a rollback removes it only by getting other code into that container), or an event
/// (a crashed worker, a migration that fails or damages the schema on its next run).
public struct Fault: Sendable, Hashable {
    /// Where a code defect lives: Sprint 3 files, and the services whose code runs them.
    public struct Defect: Sendable, Hashable {
        public var paths: [String]
        public var services: [ServiceName]
    }

    public let name: String
    public let description: String
    /// The invariants that must catch it.
    public let breaks: [String]
    /// The checklist's answer (6.1's decision tree).
    public let rollback: String
    public let defect: Defect?

    public static func == (lhs: Fault, rhs: Fault) -> Bool { lhs.name == rhs.name }
    public func hash(into hasher: inout Hasher) { hasher.combine(name) }

    public static let mcpBypassApproval = Fault(
        name: "mcp.bypass_approval", description: "MCP write tools write the target tables directly instead of creating a pending proposal",
        breaks: ["approvals.gate_enforced"], rollback: "C", defect: Defect(paths: ["mcp/tools/write_tools.py"], services: [.mcpServer]))
    public static let migrationFailMidway = Fault(
        name: "migration.fail_midway", description: "the next migration upgrade fails halfway through its statements",
        breaks: ["schema.revision"], rollback: "A", defect: nil)
    public static let migrationDropsTrigger = Fault(
        name: "migration.drops_immutability_trigger", description: "the next migration upgrade also drops the decisions immutability trigger",
        breaks: ["immutability.decisions", "schema.matches_revision"], rollback: "full", defect: nil)
    public static let migrationDisablesTrigger = Fault(
        name: "migration.disables_immutability_trigger", description: "the next migration upgrade also disables (ALTER TABLE … DISABLE TRIGGER) the audit_events immutability trigger",
        breaks: ["immutability.audit_events", "schema.matches_revision"], rollback: "full", defect: nil)
    public static let taskExpirationFails = Fault(
        name: "task.expiration_fails", description: "the proposal-expiration task raises on every run, so overdue proposals stay pending",
        breaks: ["tasks.expiration_healthy", "approvals.no_overdue_pending"], rollback: "D",
        defect: Defect(paths: ["core/tasks/proposal_expiration.py"], services: [.celeryWorker, .backend]))
    public static let workerDown = Fault(
        name: "worker.down", description: "the celery worker crashes and stays down, so no scheduled task runs",
        breaks: ["tasks.expiration_healthy", "approvals.no_overdue_pending"], rollback: "D", defect: nil)
    public static let apiApprovalsBroken = Fault(
        name: "api.approvals_broken", description: "the new approvals and traces endpoints answer 500",
        breaks: ["api.endpoints_healthy"], rollback: "B", defect: Defect(paths: ["core/api/approvals.py", "core/api/traces.py"], services: [.backend]))
    public static let tracesScrubbingOff = Fault(
        name: "traces.scrubbing_off", description: "agent traces are stored without PII scrubbing",
        breaks: ["traces.no_pii"], rollback: "E", defect: Defect(paths: ["core/agents/tracing.py"], services: [.mcpServer]))
    public static let viewerUnsanitized = Fault(
        name: "viewer.unsanitized", description: "the traces viewer renders stored data and the triggering user's name and email without sanitizing",
        breaks: ["traces.viewer_no_pii"], rollback: "E", defect: Defect(paths: ["ui/app/traces/page.tsx"], services: [.frontend]))
    public static let cacheStalePII = Fault(
        name: "cache.stale_pii", description: "rendered trace pages are cached without expiry, so they outlive the traces they show",
        breaks: ["traces.viewer_no_pii"], rollback: "E", defect: Defect(paths: ["ui/app/traces/cache.ts"], services: [.frontend]))
    public static let evaluatorNondeterministic = Fault(
        name: "evaluator.nondeterministic", description: "the evaluator mixes the wall-clock time into its output, so the same inputs give different outputs",
        breaks: ["evaluation.deterministic"], rollback: "full", defect: Defect(paths: ["core/evaluator.py"], services: [.backend, .mcpServer]))
}

/// Every fault a scenario or a drill can inject.
public enum FaultCatalog {
    public static let all: [Fault] = [
        .mcpBypassApproval, .migrationFailMidway, .migrationDropsTrigger, .migrationDisablesTrigger, .taskExpirationFails, .workerDown,
        .apiApprovalsBroken, .tracesScrubbingOff, .viewerUnsanitized, .cacheStalePII, .evaluatorNondeterministic,
    ]

    public static var names: [String] { all.map(\.name) }

    public static func named(_ name: String) -> Fault? { all.first { $0.name == name } }
}
