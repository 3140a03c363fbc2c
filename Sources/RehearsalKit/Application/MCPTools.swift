import GRDB

/// The mcp-server's write tools. With Sprint 3 code they never write a target table: each
/// valid call creates a pending proposal that a human must approve, records an audit event and
/// an agent trace. A bad argument is an error that writes nothing.
public enum MCPTools {
    public static let writeTools = ["propose_signal", "propose_policy_draft", "dismiss_exception"]

    static let allowedArguments: [String: Set<String>] = [
        "propose_signal": ["subject", "signal_type", "kind", "source", "payload"],
        "propose_policy_draft": ["policy", "rules", "note"],
        "dismiss_exception": ["exception", "reason"],
    ]

    /// Calls `tool` as `caller` (`agent:NAME` or `user:<uuid>`) and returns the tool's result.
    public static func call(_ db: Database, world: World, tool: String, caller reference: String, arguments: JSONValue) throws -> JSONValue {
        guard world.isRunning(.mcpServer) else { throw ApplicationError(503, "mcp-server is not running") }
        guard world.stack.code(.mcpServer).mcpWriteTools else {
            throw ApplicationError(404, "unknown tool '\(tool)': the mcp-server container runs code without the write tools (build the Sprint 3 image and recreate the container: docker compose up -d mcp-server)")
        }
        guard world.isRunning(.postgres) else { throw ApplicationError(500, "OperationalError: could not translate host name \"postgres\" to address") }
        guard let allowed = allowedArguments[tool] else {
            throw ApplicationError(404, "unknown tool '\(tool)' (tools: \(writeTools.joined(separator: ", ")))")
        }
        let caller = try canonicalCaller(db, reference)
        guard case .object(let members) = arguments else { throw ApplicationError(422, "\(tool): arguments must be an object") }
        for (key, _) in members where !allowed.contains(key) {
            throw ApplicationError(422, "\(tool): unknown argument '\(key)' (expected \(allowed.sorted().joined(separator: ", ")))")
        }
        let request = try validate(db, tool: tool, arguments: arguments)
        var result: JSONValue = .null
        try db.inSavepoint {
            if world.faultActive(.mcpBypassApproval, in: .mcpServer) {
                result = try writeDirectly(db, world: world, request: request, caller: caller)
                world.toolResults[tool, default: ToolObservation(createdProposal: false, wroteDirectly: false, approvedLater: false)].wroteDirectly = true
            } else {
                result = try propose(db, world: world, request: request, caller: caller)
                world.toolResults[tool, default: ToolObservation(createdProposal: false, wroteDirectly: false, approvedLater: false)].createdProposal = true
            }
            try TraceRecorder.record(db, world: world, agentType: caller.hasPrefix("agent:") ? String(caller.dropFirst(6)) : "mcp-client",
                                     tool: tool, arguments: arguments, context: try context(db, request: request, caller: caller),
                                     output: result, triggeredBy: caller, relatedException: request.exceptionId)
            return .commit
        }
        world.log.append(world.clock, .mcpServer, "INFO", "tool \(tool) called by \(caller): \(result["status"]?.stringValue ?? "ok")")
        return result
    }

    /// A validated tool call, ready to become a proposal (or, under the bypass fault, a write).
    struct Request {
        var tool: String
        var type: String
        var payload: JSONValue
        var exceptionId: String?
        var policyId: String?
    }

    /// `agent:NAME` as given; a user reference (`user:role:analyst`, an email) as `user:<uuid>`.
    static func canonicalCaller(_ db: Database, _ caller: String) throws -> String {
        if caller.hasPrefix("agent:"), caller.count > 6, caller.count <= 255 { return caller }
        if caller.hasPrefix("user:") {
            let user = try UserReference.resolve(db, caller)
            guard user.isActive else { throw ApplicationError(403, "caller \(caller) is an inactive user") }
            return "user:\(user.id)"
        }
        throw ApplicationError(422, "caller must be 'agent:NAME' or 'user:<id>', got '\(caller)'")
    }

    static func string(_ arguments: JSONValue, _ key: String, tool: String, max: Int, required: Bool = true) throws -> String? {
        guard let value = arguments[key] else {
            if required { throw ApplicationError(422, "\(tool): missing argument '\(key)'") }
            return nil
        }
        guard let text = value.stringValue, !text.trimmingWhitespace().isEmpty else { throw ApplicationError(422, "\(tool): argument '\(key)' must be a non-empty string") }
        guard text.count <= max else { throw ApplicationError(422, "\(tool): argument '\(key)' is longer than \(max) characters") }
        return text
    }

    static func validate(_ db: Database, tool: String, arguments: JSONValue) throws -> Request {
        switch tool {
        case "propose_signal":
            let subject = try string(arguments, "subject", tool: tool, max: 255)!
            // `kind` is accepted for `signal_type`: DESIGN.md's own example scenario calls it that.
            let typeKey = arguments["signal_type"] == nil && arguments["kind"] != nil ? "kind" : "signal_type"
            let type = try string(arguments, typeKey, tool: tool, max: 100)!
            let source = try string(arguments, "source", tool: tool, max: 100, required: false) ?? "mcp"
            let payload = arguments["payload"] ?? .object([])
            guard case .object = payload else { throw ApplicationError(422, "\(tool): argument 'payload' must be an object") }
            return Request(tool: tool, type: "signal", payload: .object([
                ("subject", .string(subject)), ("signal_type", .string(type)), ("source", .string(source)), ("payload", payload),
            ]))
        case "propose_policy_draft":
            let policy = try string(arguments, "policy", tool: tool, max: 255)!
            let policyId = try PolicyReference.resolve(db, policy)
            guard let rules = arguments["rules"], case .object = rules, let list = rules["rules"]?.arrayValue else {
                throw ApplicationError(422, "\(tool): argument 'rules' must be an object with a \"rules\" array")
            }
            for (index, rule) in list.enumerated() {
                guard let op = rule["op"]?.stringValue, ["eq", "ne", "gt", "gte", "lt", "lte", "in", "exists"].contains(op),
                      rule["id"]?.stringValue != nil, rule["pointer"]?.stringValue?.utf8.first == UInt8(ascii: "/"),
                      let outcome = rule["outcome"]?.stringValue, ["pass", "fail", "needs_review"].contains(outcome) else {
                    throw ApplicationError(422, "\(tool): rules/rules/\(index) must have id, pointer (/…), op (eq ne gt gte lt lte in exists) and outcome (pass fail needs_review)")
                }
            }
            // The version the draft is written against: approving it after a newer one is a conflict.
            let base = try Int.fetchOne(db, cached: "SELECT MAX(version) FROM policy_versions WHERE policy_id = ?", arguments: [policyId]) ?? 0
            return Request(tool: tool, type: "policy_draft", payload: .object([("policy_id", .string(policyId)), ("rules", rules), ("base_version", .int(base))]), policyId: policyId)
        default:
            let reference = try string(arguments, "exception", tool: tool, max: 255)!
            let reason = try string(arguments, "reason", tool: tool, max: 2000)!
            let exceptionId = try ExceptionReference.resolve(db, reference)
            let status = try String.fetchOne(db, cached: "SELECT status FROM exceptions WHERE id = ?", arguments: [exceptionId])!
            guard status == "open" || status == "under_review" else {
                throw ApplicationError(409, "\(tool): exception \(exceptionId) is \(status), not open")
            }
            return Request(tool: tool, type: "exception_dismiss", payload: .object([("exception_id", .string(exceptionId)), ("reason", .string(reason))]), exceptionId: exceptionId)
        }
    }

    static func propose(_ db: Database, world: World, request: Request, caller: String) throws -> JSONValue {
        guard try db.hasTable("pending_proposals") else { throw ApplicationError(500, "relation \"pending_proposals\" does not exist") }
        let id = world.newId()
        let expires = world.clock.adding(seconds: world.proposalTTL)
        try db.cachedStatement(sql: """
            INSERT INTO pending_proposals (id, proposal_type, proposed_by, proposed_at, payload, status, expires_at, exception_id, policy_id)
            VALUES (?, ?, ?, ?, ?, 'pending', ?, ?, ?)
            """).execute(arguments: [id, request.type, caller, world.clock.iso8601, request.payload.serialized(), expires.iso8601, request.exceptionId, request.policyId])
        try AuditLog.record(db, at: world.clock, actor: caller, action: "proposal.created", entityType: "pending_proposal", entityId: id,
                            details: .object([("proposal_type", .string(request.type)), ("tool", .string(request.tool))]))
        return .object([("status", .string("pending_approval")), ("proposal_id", .string(id)), ("expires_at", .string(expires.iso8601))])
    }

    /// What the tools do under `mcp.bypass_approval`: the write the proposal should have waited for.
    static func writeDirectly(_ db: Database, world: World, request: Request, caller: String) throws -> JSONValue {
        let id = try ProposalApplication.apply(db, world: world, type: request.type, payload: request.payload, writer: caller, proposalId: nil)
        return .object([("status", .string("created")), ("id", .string(id))])
    }

    /// What the agent had in front of it, as it would go into the trace: often personal data.
    static func context(_ db: Database, request: Request, caller: String) throws -> JSONValue {
        var members: [(String, JSONValue)] = []
        var userId: String?
        if caller.hasPrefix("user:") { userId = try UserReference.resolve(db, caller).id }
        if let exceptionId = request.exceptionId {
            userId = try String.fetchOne(db, cached: "SELECT assigned_to FROM exceptions WHERE id = ?", arguments: [exceptionId]) ?? userId
        }
        if let userId, let row = try Row.fetchOne(db, cached: "SELECT display_name, email FROM users WHERE id = ?", arguments: [userId]) {
            let name: String = row[0], email: String = row[1]
            members.append(("requested_by", .object([("display_name", .string(name)), ("email", .string(email))])))
            members.append(("prompt", .string("Prepared for \(name) <\(email)>: \(request.tool) on \(request.exceptionId ?? request.policyId ?? "a new signal")")))
        }
        return .object(members)
    }
}
