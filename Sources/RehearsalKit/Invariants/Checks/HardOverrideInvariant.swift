import GRDB

/// `constraint.hard_override_requires_approval`: the constraint exists, really rejects a hard
/// override without approval (probed in a rolled-back savepoint), and no stored row violates it
/// (rows can be written behind its back, e.g. with `PRAGMA ignore_check_constraints`).
struct HardOverrideInvariant: Invariant {
    // The probe's INSERT fires the table's triggers.
    var reads: InvariantReads { InvariantReads(tables: ["decisions"], firesTriggers: true) }

    var info: InvariantInfo {
        InvariantInfo(
            id: "constraint.hard_override_requires_approval",
            title: "ck_hard_override_requires_approval is enforced and no hard override lacks an approval",
            source: "Data Invariants, 4.1", severity: .critical)
    }

    /// Whether `text` has the constraint's name as a whole name: not inside a longer one
    /// (`…_approval_v2` is another constraint, and so is the name with a combining accent after
    /// it). Bytes compared, not characters: the table's text is kilobytes of CHECK constraints,
    /// and Foundation's search through it was a sixth of this check.
    static func namesTheConstraint(_ text: String) -> Bool {
        var text = text
        return text.withUTF8 { SchemaTextFlags.hasWord($0, constraintName, folded: false) }
    }
    private static let constraintName = Array("ck_hard_override_requires_approval".utf8)

    func evaluate(_ context: InvariantContext) throws -> InvariantStatus {
        if let notYet = try context.requireRevision("003_create_exceptions_decisions") { return notYet }
        let db = context.db
        var evidence: [Evidence] = []
        let sql = try String.fetchOne(db, cached: "SELECT sql FROM sqlite_master WHERE type = 'table' AND name = 'decisions'") ?? ""
        if !Self.namesTheConstraint(sql) {
            evidence.append(Evidence(table: "decisions", note: "constraint ck_hard_override_requires_approval is not declared"))
        }
        try db.inSavepoint {
            try db.cachedStatement(sql: "PRAGMA defer_foreign_keys = ON").execute()
            do {
                try db.cachedStatement(sql: """
                    INSERT INTO decisions (id, exception_id, decision_type, is_hard_override, rationale, decided_by, decided_at)
                    VALUES (\(ProbeRows.id), \(ProbeRows.id), 'escalate', 1, 'rehearse probe', \(ProbeRows.id), \(ProbeRows.time))
                    """).execute()
                evidence.append(Evidence(table: "decisions", note: "a hard override without approval was accepted (rolled back by the check)"))
            } catch let error as DatabaseError where Self.namesTheConstraint(error.message ?? "") {
                // Rejected by name: enforced.
            } catch let error as DatabaseError where error.resultCode == .SQLITE_CONSTRAINT {
                // Rejected by something else first (a trigger, a unique id): the probe says nothing.
            }
            return .rollback
        }
        let violators = try String.fetchAll(db, cached: """
            SELECT id FROM decisions WHERE is_hard_override = 1 AND (approved_by IS NULL OR approved_at IS NULL) ORDER BY rowid
            """)
        evidence += violators.map { Evidence(table: "decisions", rowId: $0, column: "approved_by", note: "hard override without approver or approval time") }
        if evidence.isEmpty { return .holds(detail: "enforced; 0 invalid hard overrides") }
        return .broken(detail: "\(violators.count) invalid hard override(s)", evidence: evidence)
    }
}
