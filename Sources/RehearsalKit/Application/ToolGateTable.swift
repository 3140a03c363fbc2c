import GRDB

/// Checklist 4.5's table, each column read from the database on its own (never one value shown
/// twice): whether the tool's calls created proposals, whether every write applied for its
/// proposals waited for an approval, and whether no agent wrote that target without one.
public struct ToolGateRow: Sendable, Equatable {
    public var createsProposal: Bool
    public var requiresApproval: Bool
    public var directWriteBlocked: Bool
}

public enum ToolGateTable {
    /// (tool, proposal type, audit action of the write it leads to).
    static let tools = [("propose_signal", "signal", "signal.created"), ("propose_policy_draft", "policy_draft", "policy_version.created"),
                        ("dismiss_exception", "exception_dismiss", "exception.dismissed")]

    /// The row of each tool the database shows calls of; a tool never called has no row.
    public static func derive(_ db: Database) throws -> [String: ToolGateRow] {
        guard try db.hasTable("audit_events") else { return [:] }
        let proposals = try db.hasTable("pending_proposals")
        var rows: [String: ToolGateRow] = [:]
        // Two reads of the trail for all the tools (it has no index on `action`: each read is a
        // scan), not two per tool. Only the tools' own names and actions can match, so what is
        // read back is always text.
        let names = tools.map { "'\($0.0)'" }.joined(separator: ", "), actions = tools.map { "'\($0.2)'" }.joined(separator: ", ")
        let proposing = Set(try String.fetchAll(db, cached: """
            SELECT DISTINCT json_extract(details, '$.tool') FROM audit_events WHERE action = 'proposal.created' AND json_extract(details, '$.tool') IN (\(names))
            """))
        let writtenDirectly = Set(try String.fetchAll(db, cached: """
            SELECT DISTINCT action FROM audit_events WHERE action IN (\(actions)) AND actor LIKE 'agent:%' AND json_extract(details, '$.proposal_id') IS NULL
            """))
        for (tool, type, action) in tools {
            let proposed = proposing.contains(tool)
            let direct = writtenDirectly.contains(action)
            guard proposed || direct else { continue }
            // Every write that names a proposal of this type was applied once it was approved.
            var waited = proposed
            if proposed && proposals {
                waited = try !(Bool.fetchOne(db, cached: """
                    SELECT EXISTS (SELECT 1 FROM audit_events a LEFT JOIN pending_proposals p ON p.id = json_extract(a.details, '$.proposal_id')
                                   WHERE a.action = ? AND json_extract(a.details, '$.proposal_id') IS NOT NULL
                                     AND (p.id IS NULL OR p.status <> 'approved' OR p.proposal_type <> ?))
                    """, arguments: [action, type]) ?? true)
            }
            rows[tool] = ToolGateRow(createsProposal: proposed, requiresApproval: waited, directWriteBlocked: !direct)
        }
        return rows
    }
}
