/// Which broken invariants a step explains. A break is *explained* when an earlier step (or the
/// step itself) is a fault whose `breaks` name it, or an operator action this catalogue marks as
/// destructive for it: stopping a service breaks the endpoints, a downgrade or a restore loses
/// data, steps out of 3.1's order break `deploy.order_followed`, the application's own writes
/// change 4.1's counts. Everything else is *unexplained*: a defect in the application model, an
/// invariant, or the checklist, and `rehearse explore` shrinks it to a reproduction.
///
/// The gate, immutability and the hard-override constraint are explained by nothing but a
/// fault that names them: without faults no history may break them (issue 18's strong oracle).
enum Explanations {
    static let neverExplainedByOperators: Set<String> = [
        "approvals.gate_enforced", "immutability.decisions", "immutability.evidence_packs", "immutability.audit_events",
        "constraint.hard_override_requires_approval",
    ]
    /// Everything else: what a step that destroys or replaces data may break.
    static let dataLoss: Set<String> = ["baseline.no_data_lost", "baseline.counts_unchanged", "users.roles_retained", "fk.no_orphans", "schema.sprint3_objects",
                                        "schema.revision", "evaluation.deterministic", "traces.no_pii", "approvals.no_overdue_pending"]
    static let service: Set<String> = ["api.endpoints_healthy", "tasks.expiration_healthy", "approvals.no_overdue_pending", "deploy.order_followed"]

    /// Whether a break is explained by what came before. The gate and the hard-override
    /// constraint only by a fault naming them; an immutability invariant also when all its
    /// evidence is baseline rows gone or changed after a step that destroys or replaces data
    /// (a downgrade past the revision that made the table, a restore, a rollback plan, raw SQL):
    /// a trigger missing or a probe UPDATE that went through is never explained by an operator.
    static func isExplained(_ result: InvariantResult, faults: Set<String>, destroyedData: Bool, explains: Set<String>) -> Bool {
        let id = result.info.id
        if faults.contains(id) { return true }
        guard neverExplainedByOperators.contains(id) else { return explains.contains(id) }
        guard id.hasPrefix("immutability."), destroyedData, case .broken(_, let evidence) = result.status else { return false }
        return evidence.allSatisfy { $0.note.hasPrefix("baseline row was") || $0.note.contains("more baseline row(s)") }
    }

    /// Steps after which rows may be gone or replaced wholesale.
    static func destroysData(_ action: StepAction) -> Bool {
        switch action {
        case .migrate(let upgrade, _): return !upgrade
        case .restore, .rollback, .sql: return true
        default: return false
        }
    }

    /// What a fault injected explains: the invariants it names.
    static func faultBreaks(_ action: StepAction) -> Set<String> {
        guard case .fault(let name) = action else { return [] }
        return Set(FaultCatalog.named(name)?.breaks ?? [])
    }

    /// The invariants `action` may break by doing what it is meant to do.
    static func mayBreak(_ action: StepAction) -> Set<String> {
        switch action {
        case .fault: return []
        case .stop, .start, .restart, .maintenance, .deploy, .build, .checkout, .env, .shell:
            return service
        case .migrate(let upgrade, _):
            // A downgrade drops Sprint 3's tables and what they hold; either way the code may no
            // longer match the schema, and 3.1's order may be broken.
            return upgrade ? service : service.union(dataLoss)
        case .restore, .rollback:
            // `pg_restore -c` of an older archive over a migrated database drops and recreates
            // only what the archive holds: Sprint 3's objects stay beside an alembic_version
            // that says 005 (the checklist hole scenario 21 documents, found again by explore).
            return service.union(dataLoss).union(["schema.matches_revision"])
        case .sql:
            return dataLoss
        case .tool, .approve, .reject, .decide, .expireTask, .advance:
            // The application's own writes and the passing of time change 4.1's counts; time
            // passing with the worker down leaves proposals overdue (explained by the stop).
            return ["baseline.counts_unchanged"]
        case .baseline, .backup, .flushCache, .verify, .listApprovals, .viewTraces, .health:
            return []
        }
    }
}
