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
        // scan), not two per tool. Each read gives back the tool's place in `tools`, matched by
        // SQL under the column's own collation as the per-tool question was; details that are
        // not JSON (a table remade without its check) name no tool and no proposal.
        let proposing = Set(try Int.fetchAll(db, cached: """
            SELECT DISTINCT place FROM (
                SELECT CASE CASE WHEN json_valid(details) THEN json_extract(details, '$.tool') END
                       \(tools.enumerated().map { "WHEN '\($1.0)' THEN \($0)" }.joined(separator: " ")) END AS place
                FROM audit_events WHERE action = 'proposal.created')
            WHERE place IS NOT NULL
            """))
        let writtenDirectly = Set(try Int.fetchAll(db, cached: """
            SELECT DISTINCT place FROM (
                SELECT CASE \(tools.enumerated().map { "WHEN action = '\($1.2)' THEN \($0)" }.joined(separator: " ")) END AS place
                FROM audit_events
                WHERE actor LIKE 'agent:%' AND CASE WHEN json_valid(details) THEN json_extract(details, '$.proposal_id') END IS NULL)
            WHERE place IS NOT NULL
            """))
        for (index, (tool, type, action)) in tools.enumerated() {
            let proposed = proposing.contains(index)
            let direct = writtenDirectly.contains(index)
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
