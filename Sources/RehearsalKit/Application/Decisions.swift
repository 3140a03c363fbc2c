import GRDB

/// Recording a decision on an exception: a hard override needs an approval, and decisions,
/// evidence packs and audit events are only ever inserted.
public enum Decisions {
    @discardableResult
    public static func record(
        _ db: Database, world: World, exception reference: String, type: String, hardOverride: Bool,
        decidedBy: String, approvedBy: String?, rationale: String
    ) throws -> String {
        let exceptionId = try ExceptionReference.resolve(db, reference)
        let decider = try UserReference.resolve(db, decidedBy)
        guard decider.isActive else { throw ApplicationError(403, "user \(decider.id) is inactive") }
        var approver: ResolvedUser?
        if let approvedBy {
            approver = try UserReference.resolve(db, approvedBy)
            guard approver!.isActive, Approvals.approvingRoles.contains(approver!.role) else { throw ApplicationError(403, "user \(approver!.id) may not approve a hard override") }
            guard approver!.id != decider.id else { throw ApplicationError(403, "a hard override cannot be approved by the person who decided it") }
        }
        if hardOverride && approver == nil { throw ApplicationError(422, "a hard override needs an approval (ck_hard_override_requires_approval)") }
        let id = world.newId()
        try db.inSavepoint {
            try db.execute(sql: """
                INSERT INTO decisions (id, exception_id, decision_type, is_hard_override, rationale, decided_by, decided_at, approved_by, approved_at)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)
                """, arguments: [id, exceptionId, type, hardOverride, rationale, decider.id, world.clock.iso8601, approver?.id, approver.map { _ in world.clock.iso8601 }])
            try AuditLog.record(db, at: world.clock, actor: "user:\(decider.id)", action: "decision.recorded", entityType: "decision", entityId: id,
                                details: .object([("hard_override", .bool(hardOverride))]))
            let content = JSONValue.object([("decision_id", .string(id)), ("exception_id", .string(exceptionId))]).serialized()
            let evidenceId = world.newId()
            try db.execute(sql: "INSERT INTO evidence_packs (id, decision_id, content, content_hash, created_by, created_at) VALUES (?, ?, ?, ?, ?, ?)",
                           arguments: [evidenceId, id, content, SHA256.hex(content), decider.id, world.clock.iso8601])
            try AuditLog.record(db, at: world.clock, actor: "user:\(decider.id)", action: "evidence_pack.created", entityType: "evidence_pack", entityId: evidenceId)
            try db.execute(sql: "UPDATE exceptions SET status = ?, resolved_at = ? WHERE id = ?",
                           arguments: [type == "reject" ? "dismissed" : "resolved", world.clock.iso8601, exceptionId])
            return .commit
        }
        return id
    }
}
