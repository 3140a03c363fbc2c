import GRDB

/// `/api/v1/approvals`: list, show, approve, reject. Approving applies the payload exactly
/// once, in the same transaction as the status change.
public enum Approvals {
    public static let approvingRoles: Set<String> = ["admin", "approver"]

    /// The backend must be up, on Sprint 3 code, out of maintenance, and its endpoints healthy.
    static func requireAPI(_ world: World) throws {
        guard world.isRunning(.backend) else { throw ApplicationError(502, "backend is not running") }
        guard !world.maintenanceMode else { throw ApplicationError(503, "maintenance mode") }
        guard world.stack.code(.backend).approvalsAPI else { throw ApplicationError(404, "/api/v1/approvals does not exist in the code the backend container runs") }
        if world.defectActs(.apiApprovalsBroken, path: "core/api/approvals.py", in: .backend) { throw ApplicationError(500, "Internal Server Error") }
        guard world.isRunning(.postgres) else { throw ApplicationError(500, "Internal Server Error (database unreachable)") }
    }

    public static func list(_ db: Database, world: World, status: String? = "pending") throws -> JSONValue {
        try requireAPI(world)
        guard try db.hasTable("pending_proposals") else { throw ApplicationError(500, "relation \"pending_proposals\" does not exist") }
        let rows = try Row.fetchAll(db, cached: "SELECT id, proposal_type, proposed_by, status, expires_at FROM pending_proposals WHERE ? IS NULL OR status = ? ORDER BY proposed_at, rowid",
                                    arguments: [status, status])
        return .array(rows.map { row in
            .object([("id", .string(row[0])), ("proposal_type", .string(row[1])), ("proposed_by", .string(row[2])), ("status", .string(row[3])), ("expires_at", .string(row[4]))])
        })
    }

    public static func show(_ db: Database, world: World, proposal reference: String) throws -> JSONValue {
        try requireAPI(world)
        let id = try ProposalReference.resolve(db, reference)
        let row = try Row.fetchOne(db, cached: "SELECT id, proposal_type, proposed_by, status, expires_at, reviewed_by, review_notes FROM pending_proposals WHERE id = ?", arguments: [id])!
        return .object([
            ("id", .string(row[0])), ("proposal_type", .string(row[1])), ("proposed_by", .string(row[2])), ("status", .string(row[3])),
            ("expires_at", .string(row[4])), ("reviewed_by", (row[5] as String?).map(JSONValue.string) ?? .null),
            ("review_notes", (row[6] as String?).map(JSONValue.string) ?? .null),
        ])
    }

    /// Approves a pending, unexpired proposal as an active approver who is not its proposer.
    @discardableResult
    public static func approve(_ db: Database, world: World, proposal reference: String, reviewer reviewerReference: String, notes: String? = nil) throws -> JSONValue {
        try requireAPI(world)
        let id = try ProposalReference.resolve(db, reference)
        let row = try Row.fetchOne(db, cached: "SELECT proposal_type, proposed_by, status, expires_at, payload FROM pending_proposals WHERE id = ?", arguments: [id])!
        let type: String = row[0], proposer: String = row[1], status: String = row[2], expires: String = row[3]
        guard status == "pending" else { throw ApplicationError(409, "proposal \(id) is \(status), not pending") }
        if let expiry = Timestamp(iso8601: expires), expiry <= world.clock {
            throw ApplicationError(409, "proposal \(id) expired at \(expiry.iso8601)")
        }
        let reviewer = try UserReference.resolve(db, reviewerReference)
        guard reviewer.isActive else { throw ApplicationError(403, "reviewer \(reviewer.id) is inactive") }
        guard approvingRoles.contains(reviewer.role) else { throw ApplicationError(403, "reviewer \(reviewer.id) has role \(reviewer.role), which may not approve") }
        guard try UserIdentity.userId(db, proposer) != reviewer.id else { throw ApplicationError(403, "self-approval: reviewer \(reviewer.id) proposed \(id)") }
        let payload = try JSONParser.parse(row[4] as String)
        try refuseChangedTarget(db, type: type, payload: payload, proposal: id)
        var written = ""
        try db.inSavepoint {
            // Status first, guarded by its old value: a second approval can never apply twice.
            try db.cachedStatement(sql: "UPDATE pending_proposals SET status = 'approved', reviewed_by = ?, reviewed_at = ?, review_notes = ? WHERE id = ? AND status = 'pending'")
                .execute(arguments: [reviewer.id, world.clock.iso8601, notes, id])
            guard db.changesCount == 1 else { throw ApplicationError(409, "proposal \(id) is no longer pending") }
            // The reviewer's authority as it is now, kept with the approval: the gate judges the
            // approval by what was true when it was given, not by today's users row.
            try AuditLog.record(db, at: world.clock, actor: "user:\(reviewer.id)", action: "proposal.approved", entityType: "pending_proposal", entityId: id,
                                details: .object([("reviewer_role", .string(reviewer.role)), ("reviewer_active", .bool(reviewer.isActive))]))
            written = try ProposalApplication.apply(db, world: world, type: type, payload: payload, writer: "user:\(reviewer.id)", proposalId: id, proposer: proposer)
            return .commit
        }
        for (tool, kind) in [("propose_signal", "signal"), ("propose_policy_draft", "policy_draft"), ("dismiss_exception", "exception_dismiss")] where kind == type {
            world.toolResults[tool]?.approvedLater = true
        }
        world.log.append(world.clock, .backend, "INFO", "POST /api/v1/approvals/\(id)/approve 200")
        return .object([("status", .string("approved")), ("proposal_id", .string(id)), ("applied", .string(written))])
    }

    /// A proposal whose target changed since it was proposed is not applied (409): an exception
    /// a person already resolved or dismissed, a policy that got a newer version than the one
    /// the draft was written against.
    static func refuseChangedTarget(_ db: Database, type: String, payload: JSONValue, proposal: String) throws {
        switch type {
        case "exception_dismiss":
            guard let exception = payload["exception_id"]?.stringValue else { return }
            let status = try String.fetchOne(db, cached: "SELECT status FROM exceptions WHERE id = ?", arguments: [exception])
            guard let status else { throw ApplicationError(409, "proposal \(proposal): exception \(exception) no longer exists") }
            guard status == "open" || status == "under_review" else {
                throw ApplicationError(409, "proposal \(proposal): exception \(exception) is \(status) since it was proposed")
            }
        case "policy_draft":
            guard let policy = payload["policy_id"]?.stringValue, let base = payload["base_version"]?.doubleValue else { return }
            let latest = try Int.fetchOne(db, cached: "SELECT MAX(version) FROM policy_versions WHERE policy_id = ?", arguments: [policy]) ?? 0
            if Double(latest) > base {
                throw ApplicationError(409, "proposal \(proposal): policy \(policy) has version \(latest), newer than the version \(Int(base)) the draft was written against")
            }
        default:
            return
        }
    }

    @discardableResult
    public static func reject(_ db: Database, world: World, proposal reference: String, reviewer reviewerReference: String, notes: String?) throws -> JSONValue {
        try requireAPI(world)
        let id = try ProposalReference.resolve(db, reference)
        let status = try String.fetchOne(db, cached: "SELECT status FROM pending_proposals WHERE id = ?", arguments: [id])!
        guard status == "pending" else { throw ApplicationError(409, "proposal \(id) is \(status), not pending") }
        let reviewer = try UserReference.resolve(db, reviewerReference)
        guard reviewer.isActive, approvingRoles.contains(reviewer.role) else {
            throw ApplicationError(403, "reviewer \(reviewer.id) (\(reviewer.role)\(reviewer.isActive ? "" : ", inactive")) may not review")
        }
        try db.inSavepoint {
            try db.execute(sql: "UPDATE pending_proposals SET status = 'rejected', reviewed_by = ?, reviewed_at = ?, review_notes = ? WHERE id = ?",
                           arguments: [reviewer.id, world.clock.iso8601, notes, id])
            try AuditLog.record(db, at: world.clock, actor: "user:\(reviewer.id)", action: "proposal.rejected", entityType: "pending_proposal", entityId: id)
            return .commit
        }
        world.log.append(world.clock, .backend, "INFO", "POST /api/v1/approvals/\(id)/reject 200")
        return .object([("status", .string("rejected")), ("proposal_id", .string(id))])
    }
}
