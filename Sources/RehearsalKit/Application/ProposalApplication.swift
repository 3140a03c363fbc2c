import GRDB

/// Applies a proposal's payload to its target table: the write an approval performs (and the
/// one a bypassed gate performs without approval).
enum ProposalApplication {
    /// Writes the target and its audit event; returns the id of what was written.
    /// `writer` is who the audit event names; `proposalId` links the write to its approval.
    static func apply(_ db: Database, world: World, type: String, payload: JSONValue, writer: String, proposalId: String?, proposer: String? = nil) throws -> String {
        let details: JSONValue = .object(proposalId.map { [("proposal_id", .string($0))] } ?? [])
        switch type {
        case "signal":
            let id = world.newId()
            let signalPayload = payload["payload"] ?? .object([])
            try db.execute(sql: "INSERT INTO signals (id, source, signal_type, subject, payload, received_at, created_by) VALUES (?, ?, ?, ?, ?, ?, ?)",
                           arguments: [id, payload["source"]?.stringValue ?? "mcp", payload["signal_type"]?.stringValue ?? "agent_proposal",
                                       payload["subject"]?.stringValue ?? "", signalPayload.serialized(), world.clock.iso8601, proposer ?? writer])
            try AuditLog.record(db, at: world.clock, actor: writer, action: "signal.created", entityType: "signal", entityId: id, details: details)
            try ApplicationEvaluator.evaluate(db, world: world, signalId: id, payload: signalPayload)
            return id
        case "policy_draft":
            let policyId = payload["policy_id"]!.stringValue!
            let next = (try Int.fetchOne(db, cached: "SELECT MAX(version) FROM policy_versions WHERE policy_id = ?", arguments: [policyId]) ?? 0) + 1
            // created_by is a user: the reviewer for an approved draft, the policy owner for a bypass.
            let createdBy = writer.hasPrefix("user:") ? String(writer.dropFirst(5))
                : try String.fetchOne(db, cached: "SELECT owner_id FROM policies WHERE id = ?", arguments: [policyId])!
            let id = world.newId()
            try db.execute(sql: "INSERT INTO policy_versions (id, policy_id, version, status, rules, created_by, created_at) VALUES (?, ?, ?, 'draft', ?, ?, ?)",
                           arguments: [id, policyId, next, (payload["rules"] ?? .object([])).serialized(), createdBy, world.clock.iso8601])
            try AuditLog.record(db, at: world.clock, actor: writer, action: "policy_version.created", entityType: "policy_version", entityId: id, details: details)
            return id
        default:
            let exceptionId = payload["exception_id"]!.stringValue!
            try db.execute(sql: "UPDATE exceptions SET status = 'dismissed', resolved_at = ? WHERE id = ?", arguments: [world.clock.iso8601, exceptionId])
            try AuditLog.record(db, at: world.clock, actor: writer, action: "exception.dismissed", entityType: "exception", entityId: exceptionId, details: details)
            return exceptionId
        }
    }
}

/// The application evaluates every new signal against every active policy version.
enum ApplicationEvaluator {
    static func evaluate(_ db: Database, world: World, signalId: String, payload: JSONValue) throws {
        let versions = try Row.fetchAll(db, cached: "SELECT id, rules FROM policy_versions WHERE status = 'active' ORDER BY rowid")
        for version in versions {
            let versionId: String = version[0]
            let rules = Evaluator.RuleSet(json: (try? JSONParser.parse(version[1] as String)) ?? .null)
            var outcome = Evaluator().evaluate(rules: rules, payload: payload, signalId: signalId, policyVersionId: versionId)
            if world.faultActive("evaluator.nondeterministic") {
                // The defect: wall-clock time leaks into the output (virtual time here, so the run replays).
                outcome.output = outcome.output.dropLast() + ",\"evaluated_at\":\"\(world.clock.iso8601)\"}"
                outcome.outputHash = SHA256.hex(outcome.output)
            }
            let id = world.newId()
            try db.cachedStatement(sql: "INSERT INTO evaluations (id, signal_id, policy_version_id, result, output, output_hash, evaluator_version, evaluated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)")
                .execute(arguments: [id, signalId, versionId, outcome.result, outcome.output, outcome.outputHash, Evaluator.version, world.clock.iso8601])
            try AuditLog.record(db, at: world.clock, actor: "system:evaluator", action: "evaluation.completed", entityType: "evaluation", entityId: id,
                                details: .object([("result", .string(outcome.result))]))
        }
    }
}
