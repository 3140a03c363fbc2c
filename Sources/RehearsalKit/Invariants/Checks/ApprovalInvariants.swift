import GRDB

/// `approvals.gate_enforced`: no agent-originated write without an approved proposal, reviewed
/// by an active approver who is not the proposer, before the write.
///
/// Agent-originated writes are found two ways, so a bypass that skips the audit log is caught
/// too: audit events of target writes (by an agent, or naming a proposal), and signals whose
/// `created_by` is an agent.
struct GateEnforcedInvariant: Invariant {
    var reads: InvariantReads { .tables("audit_events", "pending_proposals", "signals", "users") }

    static let writeActions = ["signal.created", "policy_version.created", "exception.dismissed"]
    /// An audit event `a` of a target write by an agent, or naming a proposal. "By an agent" is
    /// `LIKE 'agent:%'` as SQLite's default reads text (ASCII case folded), written so that
    /// `PRAGMA case_sensitive_like`, which no change count follows, cannot change it under a
    /// kept answer (a blob, which SQLite's `LIKE` does not match here, is read as its text).
    static let agentWrite = "a.action IN ('signal.created', 'policy_version.created', 'exception.dismissed') AND (\(byAgent("a.actor")) OR json_extract(a.details, '$.proposal_id') IS NOT NULL)"
    static func byAgent(_ column: String) -> String { "lower(substr(\(column), 1, 6)) = 'agent:'" }

    /// What the gate reads of each write (of `audit_events a`: `json_each` has an `id` too).
    static let writeColumns = "a.id, a.occurred_at, a.actor, a.action, a.entity_type, a.entity_id, json_extract(a.details, '$.proposal_id')"

    /// `known` (the writes among the trail's older events, by id) with the writes among the
    /// events added since (by rowid), as the whole scan would list them: nil when that cannot be
    /// told without it — a new write whose id is not above every known one (the merged order
    /// would not be a concatenation), two under one id, an id that is not an integer, or too
    /// many new events.
    static func writes(_ db: Database, _ known: [Row], adding rowids: [Int64]) throws -> [Row]? {
        guard let list = RowLevelMemo.lookable(rowids) else { return nil }
        let added = try Row.fetchAll(db, cached: "SELECT \(writeColumns) FROM json_each(?) j CROSS JOIN audit_events a WHERE a.rowid = j.value AND \(agentWrite) ORDER BY a.id",
                                     arguments: [list])
        if added.isEmpty { return known }
        // Integer ids, each above the one before: two writes under one id (a table remade
        // without its key) have no order the scan and this would surely agree on.
        var previous: Int64?
        for row in (known.last.map { [$0] } ?? []) + added {
            guard case .int64(let id) = (row[0] as DatabaseValue).storage, previous.map({ $0 < id }) ?? true else { return nil }
            previous = id
        }
        return known + added
    }
    static let proposalType = ["signal.created": "signal", "policy_version.created": "policy_draft", "exception.dismissed": "exception_dismiss"]

    /// The first `proposal.approved` event for `proposal`: its actor, time, and the reviewer's
    /// role and active flag recorded then.
    static func approval(_ db: Database, of proposal: String) throws -> Row? {
        try Row.fetchOne(db, cached: """
            SELECT actor, occurred_at, json_extract(details, '$.reviewer_role'), json_extract(details, '$.reviewer_active')
            FROM audit_events WHERE action = 'proposal.approved' AND entity_id = ? ORDER BY id LIMIT 1
            """, arguments: [proposal])
    }

    var info: InvariantInfo {
        InvariantInfo(id: "approvals.gate_enforced", title: "No agent-originated write without an approved proposal reviewed by an authorised user who is not the proposer",
                      source: "4.5, 6.4", severity: .critical)
    }

    func evaluate(_ context: InvariantContext) throws -> InvariantStatus {
        let db = context.db
        // The audit trail is the history: a write recorded there happened, whatever the schema
        // is now. Without it there is nothing to judge.
        guard try context.hasTable("audit_events") else { return .notApplicable(reason: "no audit trail (audit_events is missing)") }
        let proposals = try context.hasTable("pending_proposals")
        var evidence: [Evidence] = []
        var linked = Set<String>()
        var gone = 0
        // The agent writes the audit trail records: a scan of every event (no index on `action`),
        // so kept while the trail was only added to, with the writes among the events added
        // since (a proposal made, an approval recorded, a proposal applied) appended.
        let events = try RowLevelMemo.extended(
            "approvals.gate_enforced:writes", table: "audit_events", db: db, changes: context.changes,
            dependsOn: { try $0.ownRowsKey(of: "audit_events", db) },
            extend: { known, rowids in try Self.writes(db, known, adding: rowids) }
        ) {
            try Row.fetchAll(db, cached: "SELECT \(Self.writeColumns) FROM audit_events a WHERE \(Self.agentWrite) ORDER BY a.id")
        }
        // The approval each write names, as the approvals API recorded it, with the reviewer's
        // authority then: one scan of the trail for every write, not one per write. Nil when
        // that one read cannot be made (a table named `json_each` hides the function, an approval
        // the write does not name has details that are not JSON): then one read per write, as
        // each write's question alone would be answered.
        let approvals = proposals ? try? Self.approvals(db, named: events.map { $0[6] as String? }, changes: context.changes) : [:]
        for (index, event) in events.enumerated() {
            let eventId = String(event[0] as Int64)
            let table: String = event[4] == "policy_version" ? "policy_versions" : (event[4] == "signal" ? "signals" : "exceptions")
            let entity: String? = event[5]
            if let entity { linked.insert(entity) }
            guard let proposalId = event[6] as String? else {
                evidence.append(Evidence(table: table, rowId: entity, note: "written by \(event[2] as String) without a proposal (audit event \(eventId))"))
                continue
            }
            // The approval record is gone (006 downgraded, or a restore without it): not a
            // bypass, and not a verified approval either.
            guard proposals, let proposal = try Row.fetchOne(db, cached: "SELECT status, proposal_type, proposed_by, reviewed_by, reviewed_at FROM pending_proposals WHERE id = ?",
                                                               arguments: [proposalId]) else {
                gone += 1
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
            let approval = try approvals.map { $0[index] } ?? Self.approval(db, of: proposalId)
            let reviewer: String? = try approval.flatMap { try UserIdentity.userId(db, $0[0] as String) } ?? (proposal[3] as String?)
            guard let approval else {
                evidence.append(Evidence(table: "pending_proposals", rowId: proposalId, column: "reviewed_by", note: "approved outside the approvals API (no proposal.approved audit event)"))
                continue
            }
            let role: String? = approval[2]
            let active: Bool? = approval[3]
            if role.map({ !Approvals.approvingRoles.contains($0) }) ?? true || active != true {
                evidence.append(Evidence(table: "pending_proposals", rowId: proposalId, column: "reviewed_by",
                                         note: "reviewer was not an active approver when it approved (\(role ?? "no role recorded")\(active == true ? "" : ", inactive"))"))
            }
            if let reviewer, try UserIdentity.userId(db, proposal[2] as String) == reviewer {
                evidence.append(Evidence(table: "pending_proposals", rowId: proposalId, column: "reviewed_by", note: "approved by its own proposer"))
            }
            let writtenAt = Timestamp(iso8601: event[1] as String)
            let approvedAt = [Timestamp(iso8601: approval[1] as String), (proposal[4] as String?).flatMap(Timestamp.init(iso8601:))].compactMap { $0 }.max()
            if let approvedAt, let writtenAt, approvedAt > writtenAt {
                evidence.append(Evidence(table: "pending_proposals", rowId: proposalId, column: "reviewed_at", note: "approved after the write"))
            }
        }
        // Agent-created signals with no audited write at all.
        if try context.hasTable("signals") {
            for signal in try Self.agentSignals(db, changes: context.changes) where !linked.contains(signal) {
                evidence.append(Evidence(table: "signals", rowId: signal, column: "created_by", note: "agent-created signal with no approved proposal"))
            }
        }
        let goneNote = gone == 0 ? "" : "; the approvals behind \(gone) write(s) are gone (\(proposals ? "their proposals no longer exist" : "006 was downgraded"))"
        if evidence.isEmpty {
            if gone > 0 { return .notApplicable(reason: "cannot be checked: the approvals behind \(gone) write(s) are gone (\(proposals ? "their proposals no longer exist" : "006 was downgraded"))") }
            if !proposals && events.isEmpty { return .notApplicable(reason: "revision 006_add_pending_proposals not yet applied") }
            return .holds(detail: "\(events.count) agent-originated write(s), each approved")
        }
        return .broken(detail: "\(evidence.count) write(s) bypassed the approval gate" + goneNote, evidence: evidence)
    }
}

/// `approvals.no_overdue_pending`: after the expiration task ran, no pending proposal is past
/// `expires_at`, and (7.1) none has been pending for more than 24 hours.
struct NoOverduePendingInvariant: Invariant {
    var reads: InvariantReads { .tables("pending_proposals", world: [.clock, .expiration]) }

    var info: InvariantInfo {
        InvariantInfo(id: "approvals.no_overdue_pending", title: "No pending proposal is past its expiry after the expiration task ran, none pending > 24h",
                      source: "5.1, 5.3, 7.1", severity: .medium)
    }

    func evaluate(_ context: InvariantContext) throws -> InvariantStatus {
        if let notYet = try context.requireRevision("006_add_pending_proposals") { return notYet }
        var evidence: [Evidence] = []
        let dayAgo = context.now.adding(seconds: -24 * 3600)
        let rows = try Row.fetchAll(context.db, cached: "SELECT id, expires_at, proposed_at FROM pending_proposals WHERE status = 'pending' ORDER BY rowid")
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
