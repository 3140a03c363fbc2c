import GRDB

/// `approvals.gate_enforced`: no agent-originated write without an approved proposal, reviewed
/// by an active approver who is not the proposer, before the write.
///
/// Agent-originated writes are found two ways, so a bypass that skips the audit log is caught
/// too: audit events of target writes (by an agent, or naming a proposal), and signals whose
/// `created_by` is an agent.
struct GateEnforcedInvariant: Invariant {
    static let writeActions = ["signal.created", "policy_version.created", "exception.dismissed"]
    static let proposalType = ["signal.created": "signal", "policy_version.created": "policy_draft", "exception.dismissed": "exception_dismiss"]

    var info: InvariantInfo {
        InvariantInfo(id: "approvals.gate_enforced", title: "No agent-originated write without an approved proposal reviewed by an authorised user who is not the proposer",
                      source: "4.5, 6.4", severity: .critical)
    }

    func evaluate(_ context: InvariantContext) throws -> InvariantStatus {
        if let notYet = try context.requireRevision("006_add_pending_proposals") { return notYet }
        let db = context.db
        var evidence: [Evidence] = []
        var linked = Set<String>()
        let events = try Row.fetchAll(db, sql: """
            SELECT id, occurred_at, actor, action, entity_type, entity_id, json_extract(details, '$.proposal_id')
            FROM audit_events WHERE action IN ('signal.created', 'policy_version.created', 'exception.dismissed')
              AND (actor LIKE 'agent:%' OR json_extract(details, '$.proposal_id') IS NOT NULL) ORDER BY id
            """)
        for event in events {
            let eventId = String(event[0] as Int64)
            let table: String = event[4] == "policy_version" ? "policy_versions" : (event[4] == "signal" ? "signals" : "exceptions")
            let entity: String? = event[5]
            if let entity { linked.insert(entity) }
            guard let proposalId = event[6] as String? else {
                evidence.append(Evidence(table: table, rowId: entity, note: "written by \(event[2] as String) without a proposal (audit event \(eventId))"))
                continue
            }
            guard let proposal = try Row.fetchOne(db, sql: "SELECT status, proposal_type, proposed_by, reviewed_by, reviewed_at FROM pending_proposals WHERE id = ?", arguments: [proposalId]) else {
                evidence.append(Evidence(table: table, rowId: entity, note: "names proposal \(proposalId), which does not exist"))
                continue
            }
            let status: String = proposal[0]
            if status != "approved" {
                evidence.append(Evidence(table: "pending_proposals", rowId: proposalId, column: "status", note: "applied while \(status), not approved"))
                continue
            }
            if (proposal[1] as String) != Self.proposalType[event[3] as String] {
                evidence.append(Evidence(table: "pending_proposals", rowId: proposalId, column: "proposal_type", note: "a \(proposal[1] as String) proposal was applied as \(event[3] as String)"))
            }
            let reviewer: String? = proposal[3]
            let proposer: String = proposal[2]
            if let reviewer {
                let user = try Row.fetchOne(db, sql: "SELECT role, is_active FROM users WHERE id = ?", arguments: [reviewer])
                if user == nil || !Approvals.approvingRoles.contains(user![0] as String) || !(user![1] as Bool) {
                    evidence.append(Evidence(table: "pending_proposals", rowId: proposalId, column: "reviewed_by", note: "reviewer is not an active approver"))
                }
                if proposer == "user:\(reviewer)" {
                    evidence.append(Evidence(table: "pending_proposals", rowId: proposalId, column: "reviewed_by", note: "approved by its own proposer"))
                }
            } else {
                evidence.append(Evidence(table: "pending_proposals", rowId: proposalId, column: "reviewed_by", note: "approved without a reviewer"))
            }
            if let reviewedAt = (proposal[4] as String?).flatMap(Timestamp.init(iso8601:)), let writtenAt = Timestamp(iso8601: event[1] as String), reviewedAt > writtenAt {
                evidence.append(Evidence(table: "pending_proposals", rowId: proposalId, column: "reviewed_at", note: "reviewed after the write"))
            }
        }
        // Agent-created signals with no audited write at all.
        for signal in try String.fetchAll(db, sql: "SELECT id FROM signals WHERE created_by LIKE 'agent:%' ORDER BY rowid") where !linked.contains(signal) {
            evidence.append(Evidence(table: "signals", rowId: signal, column: "created_by", note: "agent-created signal with no approved proposal"))
        }
        if evidence.isEmpty { return .holds(detail: "\(events.count) agent-originated write(s), each approved") }
        return .broken(detail: "\(evidence.count) write(s) bypassed the approval gate", evidence: evidence)
    }
}

/// `approvals.no_overdue_pending`: after the expiration task ran, no pending proposal is past
/// `expires_at`, and (7.1) none has been pending for more than 24 hours.
struct NoOverduePendingInvariant: Invariant {
    var info: InvariantInfo {
        InvariantInfo(id: "approvals.no_overdue_pending", title: "No pending proposal is past its expiry after the expiration task ran, none pending > 24h",
                      source: "5.1, 5.3, 7.1", severity: .medium)
    }

    func evaluate(_ context: InvariantContext) throws -> InvariantStatus {
        if let notYet = try context.requireRevision("006_add_pending_proposals") { return notYet }
        var evidence: [Evidence] = []
        let dayAgo = context.now.adding(seconds: -24 * 3600)
        let rows = try Row.fetchAll(context.db, sql: "SELECT id, expires_at, proposed_at FROM pending_proposals WHERE status = 'pending' ORDER BY rowid")
        for row in rows {
            let id: String = row[0]
            let expires = Timestamp(iso8601: row[1] as String)
            if let lastRun = context.lastExpirationRun, let expires, expires <= lastRun {
                evidence.append(Evidence(table: "pending_proposals", rowId: id, column: "expires_at", note: "still pending after the expiration task ran at \(lastRun.iso8601)"))
            } else if let proposed = Timestamp(iso8601: row[2] as String), proposed < dayAgo {
                evidence.append(Evidence(table: "pending_proposals", rowId: id, column: "proposed_at", note: "pending for more than 24h (7.1 alert)"))
            }
        }
        if evidence.isEmpty { return .holds(detail: "\(rows.count) pending, none overdue") }
        return .broken(detail: "\(evidence.count) overdue pending proposal(s)", evidence: evidence)
    }
}
