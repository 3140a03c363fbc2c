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
        var evidence: [Evidence] = []
        var undeclared = 0
        for (table, column, parent) in Self.expected where try db.tableExists(table) {
            let declared = try Row.fetchAll(db, cached: "SELECT \"from\", \"table\" FROM pragma_foreign_key_list(?)", arguments: [table])
                .contains { ($0[0] as String) == column && ($0[1] as String) == parent }
            if !declared {
                evidence.append(Evidence(table: table, column: column, note: "foreign key \(table).\(column) → \(parent) is not declared"))
                undeclared += 1
            }
        }
        var orphans = 0
        for row in try Row.fetchAll(db, cached: "PRAGMA foreign_key_check") {
            let table: String = row[0]
            let rowid: Int64? = row[1]
            let parent: String = row[2]
            let fkid: Int = row[3]
            let column = try String.fetchOne(db, cached: "SELECT \"from\" FROM pragma_foreign_key_list(?) WHERE id = ?", arguments: [table, fkid])
            let id = try rowid.flatMap { try String.fetchOne(db, cached: "SELECT CAST(id AS TEXT) FROM \(table) WHERE rowid = ?", arguments: [$0]) }
            evidence.append(Evidence(table: table, rowId: id, column: column, note: "references a missing \(parent) row"))
            orphans += 1
        }
        if evidence.isEmpty { return .holds(detail: "0 orphaned rows") }
        // The headline says what the evidence shows, never "0 orphaned rows" for a broken check.
        let parts = [orphans > 0 ? "\(orphans) orphaned row(s)" : nil, undeclared > 0 ? "\(undeclared) foreign key(s) not declared" : nil].compactMap { $0 }
        return .broken(detail: parts.joined(separator: "; "), evidence: evidence)
    }
}
