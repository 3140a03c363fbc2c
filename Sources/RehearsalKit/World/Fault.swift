/// A named way for one part of the deployment to misbehave, as the checklist fears.
public struct Fault: Sendable, Equatable {
    public var name: String
    public var description: String
    /// The invariants that must catch it.
    public var breaks: [String]
    /// The checklist's answer (6.1's decision tree).
    public var rollback: String
    /// The code path whose `git checkout HEAD~1 -- PATH` and rebuild removes the defect; nil
    /// for faults that are not in the Sprint 3 code.
    public var fixedByReverting: (service: ServiceName, path: String)?

    public static func == (lhs: Fault, rhs: Fault) -> Bool { lhs.name == rhs.name }
}

/// Every fault a scenario or a drill can inject.
public enum FaultCatalog {
    public static let all: [Fault] = [
        Fault(name: "mcp.bypass_approval", description: "MCP write tools write the target tables directly instead of creating a pending proposal",
              breaks: ["approvals.gate_enforced"], rollback: "C", fixedByReverting: (.mcpServer, "mcp/")),
        Fault(name: "migration.fail_midway", description: "the next migration upgrade fails halfway through its statements",
              breaks: ["schema.revision"], rollback: "A", fixedByReverting: nil),
        Fault(name: "migration.drops_immutability_trigger", description: "the next migration upgrade also drops the decisions immutability trigger",
              breaks: ["immutability.decisions"], rollback: "full", fixedByReverting: nil),
        Fault(name: "migration.disables_immutability_trigger", description: "the next migration upgrade also disables (ALTER TABLE … DISABLE TRIGGER) the audit_events immutability trigger",
              breaks: ["immutability.audit_events"], rollback: "full", fixedByReverting: nil),
        Fault(name: "task.expiration_fails", description: "the proposal-expiration task raises on every run, so overdue proposals stay pending",
              breaks: ["tasks.expiration_healthy", "approvals.no_overdue_pending"], rollback: "D",
              fixedByReverting: (.celeryWorker, "core/tasks/proposal_expiration.py")),
        Fault(name: "worker.down", description: "the celery worker crashes and stays down, so no scheduled task runs",
              breaks: ["tasks.expiration_healthy", "approvals.no_overdue_pending"], rollback: "D", fixedByReverting: nil),
        Fault(name: "api.approvals_broken", description: "the new approvals and traces endpoints answer 500",
              breaks: ["api.endpoints_healthy"], rollback: "B", fixedByReverting: (.backend, "core/api/approvals.py")),
        Fault(name: "traces.scrubbing_off", description: "agent traces are stored without PII scrubbing",
              breaks: ["traces.no_pii"], rollback: "E", fixedByReverting: (.backend, "core/agents/tracing.py")),
        Fault(name: "viewer.unsanitized", description: "the traces viewer renders stored data and the triggering user's name and email without sanitizing",
              breaks: ["traces.viewer_no_pii"], rollback: "E", fixedByReverting: (.frontend, "ui/app/traces/")),
        Fault(name: "cache.stale_pii", description: "rendered trace pages are cached without expiry, so they outlive the traces they show",
              breaks: ["traces.viewer_no_pii"], rollback: "E", fixedByReverting: nil),
        Fault(name: "evaluator.nondeterministic", description: "the evaluator mixes the wall-clock time into its output, so the same inputs give different outputs",
              breaks: ["evaluation.deterministic"], rollback: "full", fixedByReverting: nil),
    ]

    public static var names: [String] { all.map(\.name) }

    public static func named(_ name: String) -> Fault? { all.first { $0.name == name } }
}
