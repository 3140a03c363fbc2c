import GRDB
import Testing
@testable import RehearsalKit

/// `approvals.gate_enforced` judges each write by what was true when it was approved, from the
/// audit trail: every evidence branch, approvals gone after a downgrade, and the application's
/// own re-checks at approval time.
@Suite struct GateHistoryTests {
    func gate(_ rig: StackRig) throws -> InvariantStatus {
        try rig.read { db in try InvariantCatalog.standard.evaluate(rig.world.invariantContext(db), only: ["approvals.gate_enforced"])[0].status }
    }

    func notes(_ rig: StackRig) throws -> [String] { try gate(rig).evidence.map(\.note) }

    /// A signal proposal by an agent, and its id (the written signal's id under the bypass).
    @discardableResult
    func propose(_ rig: StackRig, by caller: String = "agent:triage-bot") throws -> String {
        try rig.read { db in
            let result = try MCPTools.call(db, world: rig.world, tool: "propose_signal", caller: caller, arguments: .object([("subject", .string("s")), ("signal_type", .string("t"))]))
            return (result["proposal_id"] ?? result["id"])!.stringValue!
        }
    }

    /// Applies a proposal the way a person with SQL access would: no approvals API, so the
    /// approval event is whatever the test writes.
    func applyByHand(_ rig: StackRig, _ proposal: String, status: String = "approved", reviewer: String, approvalEvent: JSONValue?, approvedAt: Timestamp? = nil, type: String = "signal") throws {
        try rig.read { db in
            try db.execute(sql: "UPDATE pending_proposals SET status = ?, reviewed_by = ?, reviewed_at = ? WHERE id = ?",
                           arguments: [status, reviewer, (approvedAt ?? rig.world.clock).iso8601, proposal])
            if let approvalEvent {
                try AuditLog.record(db, at: approvedAt ?? rig.world.clock, actor: "user:\(reviewer)", action: "proposal.approved", entityType: "pending_proposal", entityId: proposal, details: approvalEvent)
            }
            let payload = try JSONParser.parse(try String.fetchOne(db, sql: "SELECT payload FROM pending_proposals WHERE id = ?", arguments: [proposal])!)
            _ = try ProposalApplication.apply(db, world: rig.world, type: type, payload: payload, writer: "user:\(reviewer)", proposalId: proposal)
        }
    }

    func user(_ rig: StackRig, _ role: String) throws -> String { try rig.read { db in try UserReference.resolve(db, "role:\(role)").id } }

    @Test func anApprovalThroughTheAPIHoldsAndStaysValidAfterTheReviewerIsDemoted() throws {
        let rig = try StackRig()
        let proposal = try propose(rig)
        try rig.read { db in _ = try Approvals.approve(db, world: rig.world, proposal: proposal, reviewer: "role:approver") }
        #expect(try gate(rig) == .holds(detail: "1 agent-originated write(s), each approved"))
        let approver = try user(rig, "approver")
        try rig.read { db in try db.execute(sql: "UPDATE users SET role = 'viewer', is_active = 0 WHERE id = ?", arguments: [approver]) }
        #expect(try gate(rig).holds)
    }

    @Test func everyEvidenceBranch() throws {
        let rig = try StackRig()
        let approver = try user(rig, "approver")
        let analyst = try user(rig, "analyst")
        // Approved outside the API: no approval event.
        try applyByHand(rig, try propose(rig), reviewer: approver, approvalEvent: nil)
        #expect(try notes(rig) == ["approved outside the approvals API (no proposal.approved audit event)"])
        // An approval recorded with a reviewer who was not an approver then.
        let byAnalyst = try propose(rig)
        try applyByHand(rig, byAnalyst, reviewer: analyst, approvalEvent: .object([("reviewer_role", .string("analyst")), ("reviewer_active", .bool(true))]))
        #expect(try notes(rig).contains("reviewer was not an active approver when it approved (analyst)"))
        // Self-approval, whatever form the identity takes.
        let email = try rig.read { db in try String.fetchOne(db, sql: "SELECT email FROM users WHERE id = ?", arguments: [approver])! }
        let own = try propose(rig)
        try rig.read { db in try db.execute(sql: "UPDATE pending_proposals SET proposed_by = ? WHERE id = ?", arguments: ["  \(email.uppercased()) ", own]) }
        try applyByHand(rig, own, reviewer: approver, approvalEvent: .object([("reviewer_role", .string("approver")), ("reviewer_active", .bool(true))]))
        #expect(try notes(rig).contains("approved by its own proposer"))
        // Approved only after the write.
        let late = try propose(rig)
        try applyByHand(rig, late, reviewer: approver, approvalEvent: .object([("reviewer_role", .string("approver")), ("reviewer_active", .bool(true))]),
                        approvedAt: rig.world.clock.adding(seconds: 60))
        #expect(try notes(rig).contains("approved after the write"))
        // Applied while still pending.
        try applyByHand(rig, try propose(rig), status: "pending", reviewer: approver, approvalEvent: nil)
        #expect(try notes(rig).contains("applied while pending, not approved"))
        // A signal proposal applied as something else.
        let mismatched = try rig.read { db -> String in
            let exception = try ExceptionReference.resolve(db, "open")
            return try MCPTools.call(db, world: rig.world, tool: "dismiss_exception", caller: "agent:bot", arguments: .object([("exception", .string(exception)), ("reason", .string("r"))]))["proposal_id"]!.stringValue!
        }
        try rig.read { db in
            try AuditLog.record(db, at: rig.world.clock, actor: "user:\(approver)", action: "signal.created", entityType: "signal", entityId: nil,
                                details: .object([("proposal_id", .string(mismatched))]))
            try db.execute(sql: "UPDATE pending_proposals SET status = 'approved', reviewed_by = ?, reviewed_at = ? WHERE id = ?", arguments: [approver, rig.world.clock.iso8601, mismatched])
        }
        #expect(try notes(rig).contains("a exception_dismiss proposal was applied as signal.created"))
        // A bypass: written by an agent with no proposal; and an agent signal with no audit at all.
        _ = try rig.read { db in try FaultInjection.inject(rig.world, "mcp.bypass_approval") }
        try propose(rig)
        try rig.read { db in
            try db.execute(sql: "INSERT INTO signals (id, source, signal_type, subject, payload, received_at, created_by) VALUES ('aaaaaaaa-0000-4000-8000-00000000000a', 'x', 't', 's', '{}', ?, 'agent:ghost')",
                           arguments: [rig.world.clock.iso8601])
        }
        let all = try notes(rig)
        #expect(all.contains { $0.hasPrefix("written by agent:triage-bot without a proposal (audit event ") })
        #expect(all.contains("agent-created signal with no approved proposal"))
    }

    @Test func approvalsGoneWithADowngradeAreTheirOwnStatusNotABypass() throws {
        let rig = try StackRig()
        let proposal = try propose(rig)
        try rig.read { db in _ = try Approvals.approve(db, world: rig.world, proposal: proposal, reviewer: "role:approver") }
        try rig.run("docker compose exec backend alembic downgrade 005_add_immutability_triggers")
        #expect(try gate(rig) == .notApplicable(reason: "cannot be checked: the approvals behind 1 write(s) are gone (006 was downgraded)"))
        // A write through the bypass stays in the audit trail: history survives the downgrade.
        try rig.run("docker compose exec backend alembic upgrade head")
        _ = try rig.read { _ in try FaultInjection.inject(rig.world, "mcp.bypass_approval") }
        try propose(rig)
        try rig.run("docker compose exec backend alembic downgrade 005_add_immutability_triggers")
        let status = try gate(rig)
        #expect(status.isBroken)
        if case .broken(let detail, _) = status { #expect(detail == "1 write(s) bypassed the approval gate; the approvals behind 1 write(s) are gone (006 was downgraded)") }
    }

    @Test func selfApprovalIsRefusedInEveryIdentityForm() throws {
        let rig = try StackRig()
        let approver = try user(rig, "approver")
        let email = try rig.read { db in try String.fetchOne(db, sql: "SELECT email FROM users WHERE id = ?", arguments: [approver])! }
        for form in ["user:\(approver)", approver.uppercased(), " \(email) ", email.uppercased(), "USER:\(approver)"] {
            let proposal = try propose(rig)
            try rig.read { db in try db.execute(sql: "UPDATE pending_proposals SET proposed_by = ? WHERE id = ?", arguments: [form, proposal]) }
            let error = #expect(throws: ApplicationError.self) { try rig.read { db in try Approvals.approve(db, world: rig.world, proposal: proposal, reviewer: "role:approver") } }
            #expect(error?.status == 403, "proposed by '\(form)'")
            #expect(try rig.count("SELECT COUNT(*) FROM pending_proposals WHERE id = '\(proposal)' AND status = 'pending'") == 1)
        }
    }

    @Test func anApprovalWhoseTargetChangedIsAConflictAndWritesNothing() throws {
        let rig = try StackRig()
        let (dismissal, exception) = try rig.read { db -> (String, String) in
            let exception = try ExceptionReference.resolve(db, "open")
            let result = try MCPTools.call(db, world: rig.world, tool: "dismiss_exception", caller: "agent:bot", arguments: .object([("exception", .string(exception)), ("reason", .string("r"))]))
            return (result["proposal_id"]!.stringValue!, exception)
        }
        try rig.read { db in try db.execute(sql: "UPDATE exceptions SET status = 'resolved', resolved_at = ? WHERE id = ?", arguments: [rig.world.clock.iso8601, exception]) }
        let before = try rig.read { db in try dataDump(db) }
        let conflict = #expect(throws: ApplicationError.self) { try rig.read { db in try Approvals.approve(db, world: rig.world, proposal: dismissal, reviewer: "role:approver") } }
        #expect(conflict?.status == 409)
        #expect(conflict?.message == "proposal \(dismissal): exception \(exception) is resolved since it was proposed")
        #expect(try rig.read { db in try dataDump(db) } == before)

        let draft = try rig.read { db -> String in
            try MCPTools.call(db, world: rig.world, tool: "propose_policy_draft", caller: "agent:policy-bot", arguments: .object([
                ("policy", .string("first")), ("rules", .object([("rules", .array([.object([("id", .string("r")), ("pointer", .string("/a")), ("op", .string("gt")), ("value", .int(1)), ("outcome", .string("fail"))])]))])),
            ]))["proposal_id"]!.stringValue!
        }
        try rig.read { db in
            let policy = try PolicyReference.resolve(db, "first")
            let owner = try String.fetchOne(db, sql: "SELECT owner_id FROM policies WHERE id = ?", arguments: [policy])!
            let next = (try Int.fetchOne(db, sql: "SELECT MAX(version) FROM policy_versions WHERE policy_id = ?", arguments: [policy]) ?? 0) + 1
            try db.execute(sql: "INSERT INTO policy_versions (id, policy_id, version, status, rules, created_by, created_at) VALUES ('bbbbbbbb-0000-4000-8000-00000000000b', ?, ?, 'draft', '{}', ?, ?)",
                           arguments: [policy, next, owner, rig.world.clock.iso8601])
        }
        let newer = #expect(throws: ApplicationError.self) { try rig.read { db in try Approvals.approve(db, world: rig.world, proposal: draft, reviewer: "role:approver") } }
        #expect(newer?.status == 409)
        #expect(newer?.message.contains("newer than the version") == true)
        #expect(try rig.count("SELECT COUNT(*) FROM pending_proposals WHERE id = '\(draft)' AND status = 'pending'") == 1)
    }

    @Test func evaluationDeterminismFailsClosed() throws {
        let rig = try StackRig()
        func evidence() throws -> [String] {
            try rig.read { db in try InvariantCatalog.standard.evaluate(rig.world.invariantContext(db), only: ["evaluation.deterministic"])[0].status.evidence.map(\.note) }
        }
        #expect(try evidence() == [])
        try rig.read { db in
            try db.execute(sql: "PRAGMA foreign_keys = OFF")
            let evaluation = try Row.fetchOne(db, sql: "SELECT signal_id, policy_version_id FROM evaluations ORDER BY rowid LIMIT 1")!
            try db.execute(sql: "DELETE FROM evaluations WHERE signal_id = ? AND rowid NOT IN (SELECT MIN(rowid) FROM evaluations WHERE signal_id = ?)", arguments: [evaluation[0] as String, evaluation[0] as String])
            try db.execute(sql: "DELETE FROM signals WHERE id = ?", arguments: [evaluation[0] as String])
            try db.execute(sql: "PRAGMA foreign_keys = ON")
        }
        #expect(try evidence() == ["its signal is gone: cannot be reproduced"])
        try rig.read { db in
            try db.execute(sql: "PRAGMA foreign_keys = OFF")
            let version = try String.fetchOne(db, sql: "SELECT policy_version_id FROM evaluations e JOIN signals s ON s.id = e.signal_id ORDER BY e.rowid LIMIT 1")!
            try db.execute(sql: "PRAGMA ignore_check_constraints = ON")
            try db.execute(sql: "UPDATE policy_versions SET rules = 'not json' WHERE id = ?", arguments: [version])
            try db.execute(sql: "PRAGMA ignore_check_constraints = OFF")
            try db.execute(sql: "PRAGMA foreign_keys = ON")
        }
        #expect(try evidence().contains { $0.hasSuffix("is missing or its rules do not parse: cannot be reproduced") })
    }

    @Test func theViewersCacheIsJudgedAfter007IsDowngraded() throws {
        let rig = try StackRig()
        try propose(rig, by: "user:role:analyst")
        _ = try rig.read { _ in try FaultInjection.inject(rig.world, "viewer.unsanitized") }
        _ = try rig.read { db in try TracesViewer.view(db, world: rig.world) }
        try rig.run("docker compose exec backend alembic downgrade 006_add_pending_proposals")
        let status = try rig.read { db in try InvariantCatalog.standard.evaluate(rig.world.invariantContext(db), only: ["traces.viewer_no_pii"])[0].status }
        #expect(status.evidence.contains { $0.table == "redis" && $0.rowId == "traces:list" })
        try rig.run("docker compose exec redis redis-cli FLUSHALL")
        let flushed = try rig.read { db in try InvariantCatalog.standard.evaluate(rig.world.invariantContext(db), only: ["traces.viewer_no_pii"])[0].status }
        #expect(flushed == .notApplicable(reason: "nothing can be served: no cached page, and no agent_traces table"))
    }

    /// Every write's approval is found in one read of the trail, and each is still the first
    /// `proposal.approved` event for its own proposal, matched as the trail's column matches
    /// (here a case-insensitive `entity_id`): a later approval by an approver does not hide an
    /// earlier one by an analyst, and another proposal's approval is not borrowed.
    @Test func eachWriteIsJudgedByTheFirstApprovalOfItsOwnProposal() throws {
        let rig = try StackRig()
        let approver = try user(rig, "approver"), analyst = try user(rig, "analyst")
        let asApprover = JSONValue.object([("reviewer_role", .string("approver")), ("reviewer_active", .bool(true))])
        let good = try propose(rig), first = try propose(rig)
        try applyByHand(rig, good, reviewer: approver, approvalEvent: asApprover)
        try applyByHand(rig, first, reviewer: analyst, approvalEvent: .object([("reviewer_role", .string("analyst")), ("reviewer_active", .bool(true))]))
        try rig.read { db in
            try AuditLog.record(db, at: rig.world.clock, actor: "user:\(approver)", action: "proposal.approved", entityType: "pending_proposal", entityId: first, details: asApprover)
        }
        let judged = try gate(rig)
        #expect(judged.evidence.map { $0.rowId ?? "" } == [first], "only the analyst's approval, the first for its proposal, is evidence: \(judged)")
        #expect(judged.evidence.first?.note.hasPrefix("reviewer was not an active approver") == true)
        // The trail remade with a case-insensitive entity_id and its rows upper-cased: still found.
        try rig.read { db in
            try db.execute(sql: "PRAGMA foreign_keys = OFF")
            let create = try String.fetchOne(db, sql: "SELECT sql FROM sqlite_master WHERE name = 'audit_events'")!
            try db.execute(sql: "ALTER TABLE audit_events RENAME TO audit_events_old")
            try db.execute(sql: create.replacingOccurrences(of: "entity_id TEXT", with: "entity_id TEXT COLLATE NOCASE"))
            try db.execute(sql: "INSERT INTO audit_events SELECT * FROM audit_events_old")
            try db.execute(sql: "DROP TABLE audit_events_old")
            try db.execute(sql: "PRAGMA ignore_check_constraints = ON")
            try db.execute(sql: "UPDATE audit_events SET entity_id = upper(entity_id) WHERE action = 'proposal.approved'")
            try db.execute(sql: "PRAGMA ignore_check_constraints = OFF")
        }
        let remade = try gate(rig)
        #expect(remade.evidence.map { $0.rowId ?? "" } == [first], "\(remade)")
    }

    /// When the one read of every approval cannot be made, each write's approval is read on its
    /// own, and the verdict is what it would be: a table named `json_each` (which hides the
    /// function), and a later approval, for the same proposal, whose details are not JSON.
    @Test func theVerdictStandsWhenApprovalsCannotBeReadTogether() throws {
        let rig = try StackRig()
        let proposal = try propose(rig)
        try rig.read { db in _ = try Approvals.approve(db, world: rig.world, proposal: proposal, reviewer: "role:approver") }
        let holds = InvariantStatus.holds(detail: "1 agent-originated write(s), each approved")
        try rig.read { db in try db.execute(sql: "CREATE TABLE json_each (x INTEGER)") }
        #expect(try gate(rig) == holds)
        try rig.read { db in
            try db.execute(sql: "DROP TABLE json_each")
            try db.execute(sql: "PRAGMA ignore_check_constraints = ON")
            try db.execute(sql: "INSERT INTO audit_events (occurred_at, actor, action, entity_type, entity_id, details) VALUES (?, 'user:x', 'proposal.approved', 'pending_proposal', ?, 'not json')",
                           arguments: [rig.world.clock.iso8601, proposal])
            try db.execute(sql: "PRAGMA ignore_check_constraints = OFF")
        }
        #expect(try gate(rig) == holds)
    }
}

/// Checklist 4.5's three columns are read from the database each on its own.
@Suite struct ToolGateTableTests {
    @Test func theColumnsDisagreeWhenTheDatabaseDoes() throws {
        let rig = try StackRig()
        try rig.read { db in
            _ = try MCPTools.call(db, world: rig.world, tool: "propose_signal", caller: "agent:a", arguments: .object([("subject", .string("s")), ("signal_type", .string("t"))]))
        }
        #expect(try rig.read { db in try ToolGateTable.derive(db) } == ["propose_signal": ToolGateRow(createsProposal: true, requiresApproval: true, directWriteBlocked: true)])
        _ = try FaultInjection.inject(rig.world, "mcp.bypass_approval")
        try rig.read { db in
            _ = try MCPTools.call(db, world: rig.world, tool: "propose_signal", caller: "agent:a", arguments: .object([("subject", .string("s2")), ("signal_type", .string("t"))]))
        }
        #expect(try rig.read { db in try ToolGateTable.derive(db) }["propose_signal"] == ToolGateRow(createsProposal: true, requiresApproval: true, directWriteBlocked: false))
        // A write applied for a proposal that was never approved: approval not required in fact.
        try rig.read { db in
            let proposal = try String.fetchOne(db, sql: "SELECT id FROM pending_proposals WHERE status = 'pending' LIMIT 1")!
            try AuditLog.record(db, at: rig.world.clock, actor: "user:x", action: "signal.created", entityType: "signal", entityId: nil, details: .object([("proposal_id", .string(proposal))]))
        }
        #expect(try rig.read { db in try ToolGateTable.derive(db) }["propose_signal"] == ToolGateRow(createsProposal: true, requiresApproval: false, directWriteBlocked: false))
    }

    /// A trail remade by raw SQL: an action column compared without case, and details that are not
    /// JSON, read as the per-tool questions read them (a write in another case is still a write;
    /// a row that is not JSON names no proposal, and does not stop the table).
    @Test func aRemadeTrailIsReadUnderItsOwnRules() throws {
        let rig = try StackRig()
        try rig.read { db in
            try db.execute(sql: "PRAGMA foreign_keys = OFF")
            try db.execute(sql: "DROP TABLE audit_events")
            try db.execute(sql: "CREATE TABLE audit_events (id INTEGER PRIMARY KEY, occurred_at TEXT, actor TEXT, action TEXT COLLATE NOCASE, entity_type TEXT, entity_id TEXT, details TEXT)")
            try db.execute(sql: "INSERT INTO audit_events (occurred_at, actor, action, entity_type, details) VALUES ('2026-01-14T09:00:00Z', 'agent:bot', 'proposal.created', 'proposal', 'not json')")
            try db.execute(sql: "INSERT INTO audit_events (occurred_at, actor, action, entity_type, details) VALUES ('2026-01-14T09:00:00Z', 'agent:bot', 'Signal.Created', 'signal', '{}')")
        }
        #expect(try rig.read { db in try ToolGateTable.derive(db) } == ["propose_signal": ToolGateRow(createsProposal: false, requiresApproval: false, directWriteBlocked: false)])
    }

}
