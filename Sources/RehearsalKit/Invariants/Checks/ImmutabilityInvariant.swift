import GRDB

/// `immutability.<table>`: the trigger is present and enabled, and an UPDATE and a DELETE on a
/// real row really abort. The probe runs in a savepoint that is always rolled back, so the
/// check never changes data, even when the trigger is missing and the statements go through.
struct ImmutabilityInvariant: Invariant {
    var reads: InvariantReads { InvariantReads(tables: [table], firesTriggers: true) }

    let table: String
    /// A column to "update" to its own value: any UPDATE must fire the trigger.
    let probeColumn: String

    var info: InvariantInfo {
        InvariantInfo(
            id: "immutability.\(table)", title: "\(table) rows are immutable: trigger active, UPDATE and DELETE abort",
            source: "Data Invariants, 1.3, 3.3", severity: .critical)
    }

    func evaluate(_ context: InvariantContext) throws -> InvariantStatus {
        if let notYet = try context.requireRevision("005_add_immutability_triggers") { return notYet }
        let db = context.db
        guard try context.hasTable(table) else {
            return .broken(detail: "table \(table) is missing", evidence: [Evidence(table: table, note: "table does not exist")])
        }
        var evidence: [Evidence] = []
        for operation in ["update", "delete"] {
            let name = "\(table)_immutable_\(operation)"
            // The round's scan of the schema knows (no DDL runs while invariants are evaluated).
            let exists = try context.changes?.hasObject(named: name, type: "trigger")
                ?? Bool.fetchOne(db, cached: "SELECT EXISTS (SELECT 1 FROM sqlite_master WHERE type = 'trigger' AND name = ?)", arguments: [name])!
            if !exists { evidence.append(Evidence(table: table, note: "trigger \(name) is missing")) }
        }
        if try TriggerState.isDisabled(db, "\(table)_immutable", changes: context.changes) {
            evidence.append(Evidence(table: table, note: "trigger \(table)_immutable is disabled (tgenabled = D)"))
        }
        // The probe's outcome is the triggers' (the schema, their states, what else they read) on
        // the table's first row: it stands while the table was only added to and its first row is
        // the same — unless a trigger reads the table's own rows, which `triggerInputs` then follows.
        let first = try Int64.fetchOne(db, cached: "SELECT rowid FROM \(table) ORDER BY rowid LIMIT 1")
        evidence += try RowLevelMemo.remembered("immutability.probe:\(table):\(first.map(String.init) ?? "empty")", table: table,
                                                db: db, changes: context.changes, dependsOn: { $0.epoch + $0.triggerInputs() },
                                                newRowsMatter: { _ in false }) { try probe(db, first: first) }
        // The data too: the rows the baseline had are all there, unchanged, whatever path a
        // change took (a replace, triggers disabled and re-enabled, a restore glitch).
        let byIdentity = try BaselineIdentity.isRecorded(db, changes: context.changes)
        if byIdentity {
            let (gone, goneIds) = try BaselineIdentity.missing(db, table, changes: context.changes)
            evidence += goneIds.map { Evidence(table: table, rowId: $0, note: "baseline row was deleted") }
            if gone > goneIds.count { evidence.append(Evidence(table: table, note: "\(gone - goneIds.count) more baseline row(s) deleted (\(gone) in all)")) }
            if let (changed, changedIds) = try BaselineIdentity.changed(db, table, changes: context.changes) {
                evidence += changedIds.map { Evidence(table: table, rowId: $0, note: "baseline row was changed") }
                if changed > changedIds.count { evidence.append(Evidence(table: table, note: "\(changed - changedIds.count) more baseline row(s) changed (\(changed) in all)")) }
            } else {
                evidence.append(Evidence(table: table, note: "the table's columns changed since the baseline: its rows cannot be compared"))
            }
        }
        if evidence.isEmpty {
            return .holds(detail: "trigger active; UPDATE and DELETE abort" + (byIdentity ? "; baseline rows unchanged" : ""))
        }
        return .broken(detail: "\(table) rows can be changed", evidence: evidence)
    }

    /// UPDATE and DELETE one row inside a savepoint that is always rolled back. `first`: the
    /// table's first rowid, read just before (nil: empty, a probe row is inserted).
    func probe(_ db: Database, first: Int64?) throws -> [Evidence] {
        var evidence: [Evidence] = []
        try db.inSavepoint {
            // A DELETE of a referenced row must be judged by the trigger, not by foreign keys.
            try db.cachedStatement(sql: "PRAGMA defer_foreign_keys = ON").execute()
            var rowid = first
            if rowid == nil {
                try db.execute(sql: ProbeRows.insert(into: table))
                rowid = db.lastInsertedRowID
            }
            guard let rowid else { return .rollback }
            // Read first, as the row is before the probe touches it (a DELETE that goes through
            // takes it; a table without an `id` makes the check unknown, not broken).
            let id = try String.fetchOne(db, cached: "SELECT CAST(id AS TEXT) FROM \(table) WHERE rowid = ?", arguments: [rowid])
            let column = try probedColumn(db)
            for (operation, sql) in [
                ("UPDATE", "UPDATE \(table) SET \"\(column)\" = \"\(column)\" WHERE rowid = ?"),
                ("DELETE", "DELETE FROM \(table) WHERE rowid = ?"),
            ] {
                do {
                    // Prepared once per table and schema: the probe runs at every round its table changed.
                    try db.cachedStatement(sql: sql).execute(arguments: [rowid])
                    evidence.append(Evidence(table: table, rowId: id, note: "\(operation) of a row succeeded (rolled back by the check)"))
                } catch let error as DatabaseError where error.extendedResultCode == .SQLITE_CONSTRAINT_TRIGGER {
                    // The trigger said no: this is what must happen.
                } catch let error as DatabaseError where InvariantCatalog.couldNotEvaluate.contains(error.resultCode) {
                    // A read-only or locked file says nothing about the trigger: unknown, not broken.
                    throw error
                } catch let error as DatabaseError {
                    evidence.append(Evidence(table: table, rowId: id, note: "\(operation) failed, but not by the trigger: \(error.message ?? "")"))
                }
            }
            return .rollback
        }
        return evidence
    }

    /// The column the probe's UPDATE sets to itself. The trigger fires on an UPDATE of any
    /// column: with the usual probe column dropped behind the migrator's back, another one still
    /// tests the trigger (the drift itself is schema.matches_revision's to report). The usual
    /// column's statement compiling is the usual case, and needs no read of the columns.
    private func probedColumn(_ db: Database) throws -> String {
        if (try? db.cachedStatement(sql: "UPDATE \(table) SET \"\(probeColumn)\" = \"\(probeColumn)\" WHERE rowid = ?")) != nil { return probeColumn }
        let columns = try db.columns(in: table).map(\.name)
        return columns.contains(probeColumn) ? probeColumn : (columns.first { $0 != "id" } ?? "id")
    }
}

/// `pg_trigger.tgenabled`, as kept in `rehearse_trigger_state`.
enum TriggerState {
    static func isDisabled(_ db: Database, _ name: String, changes: ChangeTracker? = nil) throws -> Bool {
        guard try changes?.hasTable("rehearse_trigger_state", db) ?? db.hasTable("rehearse_trigger_state") else { return false }
        func read() throws -> Bool {
            try Bool.fetchOne(db, cached: "SELECT EXISTS (SELECT 1 FROM rehearse_trigger_state WHERE tgname = ? AND tgenabled = 'D')", arguments: [name])!
        }
        // Kept while the table had no row event (and the schema, other processes and the
        // bookkeeping are as they were; a view under the name, while nothing changed at all).
        guard let changes else { return try read() }
        return try RowLevelMemo.whileUnchanged("trigger.disabled:\(name)", tables: ["rehearse_trigger_state"], also: [], changes: changes, compute: read)
    }
}

/// Valid rows for probing empty tables inside rolled-back savepoints (foreign keys deferred).
enum ProbeRows {
    static let id = "'ffffffff-ffff-4fff-bfff-ffffffffffff'"
    static let time = "'2000-01-01T00:00:00Z'"

    static func insert(into table: String) -> String {
        switch table {
        case "decisions":
            return "INSERT INTO decisions (id, exception_id, decision_type, is_hard_override, rationale, decided_by, decided_at) VALUES (\(id), \(id), 'escalate', 0, 'rehearse probe', \(id), \(time))"
        case "evidence_packs":
            return "INSERT INTO evidence_packs (id, decision_id, content, content_hash, created_by, created_at) VALUES (\(id), \(id), '{}', 'probe', \(id), \(time))"
        default:
            return "INSERT INTO audit_events (occurred_at, actor, action, entity_type) VALUES (\(time), 'rehearse:probe', 'probe', 'probe')"
        }
    }
}
