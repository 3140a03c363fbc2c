import GRDB

/// `fk.no_orphans`: every foreign key the schema should declare is declared, and no row points
/// at a missing parent (`PRAGMA foreign_key_check`, which also finds rows written while foreign
/// keys were off).
struct ForeignKeyInvariant: Invariant {
    var reads: InvariantReads { InvariantReads(allTables: true) }

    /// (table, column, parent) for every foreign key of the schema, from the checklist's DDL
    /// and the reconstructed base revisions.
    static let expected: [(String, String, String)] = [
        ("policies", "owner_id", "users"), ("policy_versions", "policy_id", "policies"), ("policy_versions", "created_by", "users"),
        ("evaluations", "signal_id", "signals"), ("evaluations", "policy_version_id", "policy_versions"),
        ("exceptions", "evaluation_id", "evaluations"), ("exceptions", "policy_id", "policies"), ("exceptions", "assigned_to", "users"),
        ("decisions", "exception_id", "exceptions"), ("decisions", "decided_by", "users"), ("decisions", "approved_by", "users"),
        ("evidence_packs", "decision_id", "decisions"), ("evidence_packs", "created_by", "users"),
        ("pending_proposals", "exception_id", "exceptions"), ("pending_proposals", "policy_id", "policies"),
        ("agent_traces", "related_exception_id", "exceptions"), ("agent_traces", "related_decision_id", "decisions"),
    ]

    var info: InvariantInfo {
        InvariantInfo(
            id: "fk.no_orphans", title: "No orphaned foreign key relationships (decisions→exceptions, evidence_packs→decisions, …)",
            source: "Data Invariants, 4.1", severity: .critical)
    }

    func evaluate(_ context: InvariantContext) throws -> InvariantStatus {
        if let notYet = try context.requireRevision("001_create_users_and_policies") { return notYet }
        let db = context.db
        let declared = try Self.declared(db, changes: context.changes)
        // The main schema's tables (a temp table of the same name is the connection's, not the database's).
        let keysByTable = Dictionary(declared.map { (ChangeTracker.folded($0.table), $0.keys) }, uniquingKeysWith: { first, _ in first })
        var evidence: [Evidence] = []
        for (table, column, parent) in Self.expected {
            guard let keys = keysByTable[table] else { continue }
            if !keys.contains(where: { $0.from == column && $0.parent == parent }) {
                evidence.append(Evidence(table: table, column: column, note: "foreign key \(table).\(column) → \(parent) is not declared"))
            }
        }
        let undeclared = evidence.count
        var orphans = 0
        for orphan in try Self.orphans(db, changes: context.changes, declared: declared) {
            let column = try String.fetchOne(db, cached: "SELECT \"from\" FROM pragma_foreign_key_list(?, 'main') WHERE id = ?", arguments: [orphan.table, orphan.fkid])
            let id = try orphan.rowid.flatMap { try String.fetchOne(db, cached: "SELECT CAST(id AS TEXT) FROM \(orphan.table) WHERE rowid = ?", arguments: [$0]) }
            evidence.append(Evidence(table: orphan.table, rowId: id, column: column, note: "references a missing \(orphan.parent) row"))
            orphans += 1
        }
        if evidence.isEmpty { return .holds(detail: "0 orphaned rows") }
        // The headline says what the evidence shows, never "0 orphaned rows" for a broken check.
        let parts = [orphans > 0 ? "\(orphans) orphaned row(s)" : nil, undeclared > 0 ? "\(undeclared) foreign key(s) not declared" : nil].compactMap { $0 }
        return .broken(detail: parts.joined(separator: "; "), evidence: evidence)
    }
}

extension ForeignKeyInvariant {
    struct Orphan: Equatable {
        var table: String
        var rowid: Int64?
        var parent: String
        var fkid: Int
    }

    /// `PRAGMA foreign_key_check`'s rows, table by table in `declared`'s order (by name), each
    /// table's by rowid. Inside an incremental evaluation each table is checked again only when
    /// it or a table it references changed since (an insert can make an orphan, or give one its
    /// parent back); the others keep their last rows.
    /// Table by table in both cases, so a check that cannot run (a parent without a unique key:
    /// "foreign key mismatch") names the same table either way: the whole-database PRAGMA stops
    /// at the first in SQLite's hash order instead.
    /// `declared`: every table's keys (`declared(_:changes:)`), which give the graph of parents.
    static func orphans(_ db: Database, changes: ChangeTracker?, declared: [(table: String, keys: [(from: String, parent: String)])]) throws -> [Orphan] {
        func rows(_ sql: String, _ arguments: StatementArguments = []) throws -> [Orphan] {
            try Row.fetchAll(db, cached: sql, arguments: arguments).map { Orphan(table: $0[0], rowid: $0[1], parent: $0[2], fkid: $0[3]) }
        }
        var found: [Orphan] = []
        // Which tables reference which is the schema's: every table, as the PRAGMA checks every
        // table (SQLite's own have no foreign keys).
        let graph = declared.compactMap { table, keys -> (table: String, parents: [String])? in
            var parents: [String] = []
            for key in keys where !parents.contains(key.parent) { parents.append(key.parent) }
            return parents.isEmpty ? nil : (table, parents)
        }
        for (table, parents) in graph {
            func check() throws -> [Orphan] {
                // The PRAGMA itself, prepared once per table: its table-valued form prepares it again at every call.
                // main's table, as the whole-database PRAGMA checks it (unqualified, a temp table
                // of the same name would be checked instead).
                try rows("PRAGMA main.foreign_key_check(\(BaselineIdentity.quoted(table)))").sorted { ($0.rowid ?? 0, $0.fkid) < ($1.rowid ?? 0, $1.fkid) }
            }
            guard let changes else { found += try check(); continue }
            // Its rows against its parents' rows: DDL elsewhere (a migration creating other
            // tables) leaves the answer standing; a table rebuilt, dropped or altered does not.
            found += try RowLevelMemo.whileTablesUnchanged("fk.no_orphans:\(ChangeTracker.folded(table))", tables: [table] + parents, db: db, changes: changes, compute: check)
        }
        return found
    }

    /// Every table of the main schema, in `ORDER BY name` order, with the foreign keys it
    /// declares, in `PRAGMA foreign_key_list` order. A table's keys are its `CREATE` text's:
    /// inside an incremental evaluation they are read again only when that text (its shape)
    /// changed, so a migration that adds tables reads only those.
    static func declared(_ db: Database, changes: ChangeTracker?) throws -> [(table: String, keys: [(from: String, parent: String)])] {
        func keys(_ table: String) throws -> [(from: String, parent: String)] {
            try Row.fetchAll(db, cached: "SELECT \"from\", \"table\" FROM pragma_foreign_key_list(?, 'main')", arguments: [table])
                .map { (from: $0[0], parent: $0[1]) }
        }
        guard let changes, changes.hasReadSchema else {
            return try String.fetchAll(db, cached: "SELECT name FROM main.sqlite_master WHERE type = 'table' ORDER BY name").map { (table: $0, keys: try keys($0)) }
        }
        return try changes.mainTables.map { table in
            let key = changes.unreported + [try changes.shape(of: table, db)]
            return (table: table, keys: try RowLevelMemo.keyed("fk.no_orphans:keys:\(ChangeTracker.folded(table))", key: key, changes: changes) {
                // The same text declares the same keys on any connection: every scenario of a
                // library, and every restore, has the tables the first one read.
                guard let text = changes.mainTableText(table) else { return try keys(table) }
                return try declaredByText.value(text) { try keys(table) }
            })
        }
    }

    /// Each main table's declared keys by the fingerprint of its `CREATE` text, for the process.
    private static let declaredByText = ProcessMemo<Int64, [(from: String, parent: String)]>(limit: 10_000)
}
