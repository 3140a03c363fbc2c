import GRDB

/// The gate's reads of the audit trail and the signals, kept while those tables are only added
/// to (`RowLevelMemo.extended`): the scans of every row are made again only when a row could
/// have changed or an answer cannot be extended; otherwise only the rows added are read.
extension GateEnforcedInvariant {
    /// The first `proposal.approved` event of each write's proposal, by the write's place in
    /// `names` (the proposal each write names), with the event's id.
    struct KnownApprovals {
        var names: [String?]
        var first: [Int: (id: DatabaseValue, row: Row)]
    }

    /// For each write (by its index in `names`, the proposal it names), the first
    /// `proposal.approved` event for that proposal: its actor, time, and the reviewer's role and
    /// active flag recorded then. Matched in SQL, as `entity_id = ?` matches (the column's own
    /// affinity and collation), in one scan of the trail, which has no index on `action`.
    /// Within a session, kept while the trail was only added to and the writes are the same; the
    /// approvals among the events added since are then the only ones read.
    static func approvals(_ db: Database, named names: [String?], changes: ChangeTracker?) throws -> [Int: Row] {
        guard names.contains(where: { $0 != nil }) else { return [:] }
        let known = try RowLevelMemo.extended(
            "approvals.gate_enforced:approvals", table: "audit_events", db: db, changes: changes,
            dependsOn: { try $0.ownRowsKey(of: "audit_events", db) },
            extend: { known, rowids in try known.names == names ? adding(db, known, rowids) : nil }
        ) { KnownApprovals(names: names, first: try firstApprovals(db, names)) }
        // The writes are read from the same trail, so they are the same while it is: asked anyway.
        let first = known.names == names ? known.first : try firstApprovals(db, names)
        return first.mapValues(\.row)
    }

    /// The first approval of each named proposal among every event.
    private static func firstApprovals(_ db: Database, _ names: [String?]) throws -> [Int: (id: DatabaseValue, row: Row)] {
        var first: [Int: (id: DatabaseValue, row: Row)] = [:]
        for (index, approval) in try approvals(db, names, among: nil) where first[index] == nil { first[index] = approval }
        return first
    }

    /// Every approval of a named proposal, among every event or the events of `rowids` (a
    /// `RowLevelMemo.lookable` list), in place then id order (each place's first is its lowest id).
    private static func approvals(_ db: Database, _ names: [String?], among rowids: String?) throws -> [(Int, (id: DatabaseValue, row: Row))] {
        let list = JSONValue.array(names.map { $0.map(JSONValue.string) ?? .null }).serialized()
        let columns = "j.key, a.id, a.actor, a.occurred_at, json_extract(a.details, '$.reviewer_role'), json_extract(a.details, '$.reviewer_active')"
        let condition = "a.action = 'proposal.approved' AND a.entity_id = j.value ORDER BY j.key, a.id"
        let statement = try rowids == nil
            ? db.cachedStatement(sql: "SELECT \(columns) FROM audit_events a CROSS JOIN json_each(?1) j WHERE \(condition)")
            : db.cachedStatement(sql: "SELECT \(columns) FROM json_each(?2) r CROSS JOIN audit_events a CROSS JOIN json_each(?1) j WHERE a.rowid = r.value AND \(condition)")
        let arguments: StatementArguments = rowids.map { [list, $0] } ?? [list]
        return try Row.fetchAll(statement, arguments: arguments, adapter: SuffixRowAdapter(fromIndex: 2))
            .map { row in (row.unadapted[0] as Int, (row.unadapted[1] as DatabaseValue, row)) }
    }

    /// `known` with the approvals among the events added since: a proposal that had none takes
    /// its first one there; one that had one keeps it, the events added coming after it. Nil
    /// when that cannot be told without a scan (an id that is not an integer, an event added
    /// under an id below the one kept, two under one id, too many events).
    private static func adding(_ db: Database, _ known: KnownApprovals, _ rowids: [Int64]) throws -> KnownApprovals? {
        guard let list = RowLevelMemo.lookable(rowids) else { return nil }
        var result = known
        var added: [Int: Int64] = [:]
        for (index, candidate) in try approvals(db, known.names, among: list) {
            guard case .int64(let id) = candidate.id.storage else { return nil }
            if let kept = known.first[index] {
                guard case .int64(let keptId) = kept.id.storage, keptId < id else { return nil }
            } else if let earlier = added[index] {
                guard earlier < id else { return nil }
            } else {
                added[index] = id
                result.first[index] = candidate
            }
        }
        return result
    }

    /// The ids of the signals an agent created, in rowid order: kept while `signals` was only
    /// added to, with the agents' among the rows added since merged in by rowid. "An agent" is
    /// `agentWrite`'s `byAgent`.
    static func agentSignals(_ db: Database, changes: ChangeTracker?) throws -> [String] {
        let byAgent = Self.byAgent("created_by")
        func signals(_ rows: [Row]) throws -> [(rowid: Int64, id: String)] {
            try rows.map { (rowid: try $0.decode(Int64.self, atIndex: 0), id: try $0.decode(String.self, atIndex: 1)) }
        }
        // Outside a session, or when `rowid` may not be the rowid (a view, a declared column
        // of that name): every row, as before.
        guard let changes, try changes.isPlainTable("signals", db) else {
            return try String.fetchAll(db, cached: "SELECT id FROM signals WHERE \(byAgent) ORDER BY rowid")
        }
        let kept = try RowLevelMemo.extended(
            "approvals.gate_enforced:signals", table: "signals", db: db, changes: changes,
            dependsOn: { try $0.ownRowsKey(of: "signals", db) },
            extend: { known, rowids -> [(rowid: Int64, id: String)]? in
                guard let list = RowLevelMemo.lookable(rowids) else { return nil }
                let added = try signals(Row.fetchAll(db, cached: "SELECT s.rowid, s.id FROM json_each(?) j CROSS JOIN signals s WHERE s.rowid = j.value AND \(byAgent)",
                                                     arguments: [list]))
                // Rowids are unique: sorting the union by rowid is the scan's order.
                return added.isEmpty ? known : (known + added).sorted { $0.rowid < $1.rowid }
            }
        ) {
            try signals(Row.fetchAll(db, cached: "SELECT rowid, id FROM signals WHERE \(byAgent) ORDER BY rowid"))
        }
        return kept.map(\.id)
    }
}
