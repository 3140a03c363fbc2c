import GRDB

/// `users.roles_retained`: every user of the baseline still exists with the same role and
/// active flag.
struct RolesRetainedInvariant: Invariant {
    var reads: InvariantReads { .tables("users", world: [.baseline]) }

    var info: InvariantInfo {
        InvariantInfo(id: "users.roles_retained", title: "All existing users retain their roles and active flag",
                      source: "Data Invariants", severity: .high)
    }

    func evaluate(_ context: InvariantContext) throws -> InvariantStatus {
        guard let baseline = context.baseline else { return .notApplicable(reason: "no baseline recorded") }
        guard try context.hasTable("users") else {
            return .broken(detail: "table users is missing", evidence: [Evidence(table: "users", note: "table does not exist")])
        }
        var current: [String: Baseline.UserRole] = [:]
        for row in try Row.fetchAll(context.db, cached: "SELECT id, role, is_active FROM users") {
            current[row[0]] = Baseline.UserRole(role: row[1], isActive: row[2])
        }
        var evidence: [Evidence] = []
        for id in baseline.userRoles.keys.sorted() {
            let before = baseline.userRoles[id]!
            guard let after = current[id] else {
                evidence.append(Evidence(table: "users", rowId: id, note: "user no longer exists"))
                continue
            }
            if after.role != before.role {
                evidence.append(Evidence(table: "users", rowId: id, column: "role", note: "role changed from \(before.role) to \(after.role)"))
            }
            if after.isActive != before.isActive {
                evidence.append(Evidence(table: "users", rowId: id, column: "is_active", note: "is_active changed from \(before.isActive) to \(after.isActive)"))
            }
        }
        if evidence.isEmpty { return .holds(detail: "\(baseline.userRoles.count) users unchanged") }
        return .broken(detail: "\(evidence.count) user change(s)", evidence: evidence)
    }
}

/// `baseline.counts_unchanged`: checklist 4.1, the nine tables' counts and the latest audit id
/// are exactly the baseline's. Any write changes them; the evidence says by how much.
struct CountsUnchangedInvariant: Invariant {
    /// The nine tables (their rows, and whether they exist: the schema, which every invariant
    /// depends on) and the baseline; not the tables the deploy adds.
    var reads: InvariantReads { InvariantReads(tables: Set(Baseline.tables), world: [.baseline]) }

    var info: InvariantInfo {
        InvariantInfo(id: "baseline.counts_unchanged", title: "The nine tables' counts and the latest audit event id match the baseline",
                      source: "1.2, 4.1", severity: .high)
    }

    func evaluate(_ context: InvariantContext) throws -> InvariantStatus {
        guard let baseline = context.baseline else { return .notApplicable(reason: "no baseline recorded") }
        var evidence: [Evidence] = []
        for (table, before, current) in try BaselineTables.compare(context.db, baseline, changes: context.changes) {
            guard let after = current else {
                evidence.append(Evidence(table: table, note: "table does not exist (baseline count \(before))"))
                continue
            }
            if after != before {
                evidence.append(Evidence(table: table, note: "count \(before) → \(after) (\(after > before ? "+" : "")\(after - before))"))
            }
        }
        if try context.hasTable("audit_events") {
            let latest = try Int64.fetchOne(context.db, cached: "SELECT MAX(id) FROM audit_events")
            if latest != baseline.latestAuditEventId {
                evidence.append(Evidence(table: "audit_events", column: "id", note: "latest audit event id \(baseline.latestAuditEventId.map(String.init) ?? "none") → \(latest.map(String.init) ?? "none")"))
            }
        }
        if evidence.isEmpty { return .holds(detail: "9 counts and latest audit id unchanged") }
        return .broken(detail: "\(evidence.count) difference(s) from the baseline", evidence: evidence)
    }
}

/// `baseline.no_data_lost`: nothing recorded in the baseline has disappeared. Where the
/// rehearsal recorded the baseline's rows (BaselineIdentity), every one of them must still be
/// there by id, so a deleted row hidden by new rows is caught; with a baseline read from a file,
/// no table may have fewer rows. Unlike `counts_unchanged`, new rows are fine: this is what a
/// restore or rollback must keep.
struct NoDataLostInvariant: Invariant {
    /// The nine tables (their rows, and whether they exist: the schema, which every invariant
    /// depends on) and the baseline; not the tables the deploy adds.
    var reads: InvariantReads { InvariantReads(tables: Set(Baseline.tables), world: [.baseline]) }

    var info: InvariantInfo {
        InvariantInfo(id: "baseline.no_data_lost", title: "No row that existed at the baseline has been lost",
                      source: "1.2, 4.1, 6.7", severity: .critical)
    }

    func evaluate(_ context: InvariantContext) throws -> InvariantStatus {
        guard let baseline = context.baseline else { return .notApplicable(reason: "no baseline recorded") }
        var evidence: [Evidence] = []
        let byIdentity = try BaselineIdentity.isRecorded(context.db)
        for (table, before, current) in try BaselineTables.compare(context.db, baseline, changes: context.changes) {
            guard let after = current else {
                if before > 0 { evidence.append(Evidence(table: table, note: "table does not exist (baseline count \(before))")) }
                continue
            }
            if byIdentity {
                let (count, ids) = try BaselineIdentity.missing(context.db, table, changes: context.changes)
                evidence += ids.map { Evidence(table: table, rowId: $0, note: "baseline row is gone") }
                if count > ids.count { evidence.append(Evidence(table: table, note: "\(count - ids.count) more baseline row(s) gone (\(count) in all)")) }
            } else if after < before {
                evidence.append(Evidence(table: table, note: "\(before - after) row(s) fewer than the baseline (\(before) → \(after))"))
            }
        }
        if let latest = baseline.latestAuditEventId, try context.hasTable("audit_events"),
           try !Bool.fetchOne(context.db, cached: "SELECT EXISTS (SELECT 1 FROM audit_events WHERE id = ?)", arguments: [latest])! {
            evidence.append(Evidence(table: "audit_events", rowId: String(latest), note: "the baseline's latest audit event is gone"))
        }
        if try context.hasTable("users") {
            // Asked again only when users changed (or the baseline, the schema: the epoch).
            evidence += try RowLevelMemo.whileUnchanged("no_data_lost.users", tables: ["users"], also: [], changes: context.changes) {
                let present = Set(try String.fetchAll(context.db, cached: "SELECT id FROM users"))
                return baseline.userRoles.keys.sorted().filter { !present.contains($0) }.map { Evidence(table: "users", rowId: $0, note: "baseline user is gone") }
            }
        }
        if evidence.isEmpty { return .holds(detail: byIdentity ? "every baseline row is still there, by id" : "no table has fewer rows than the baseline (counts only: the baseline has no row identity)") }
        return .broken(detail: "data lost since the baseline", evidence: evidence)
    }
}

/// The nine tables' baseline counts beside their counts now (nil when the table is gone).
enum BaselineTables {
    /// `changes`: inside an incremental evaluation, a count is asked again only when something
    /// could have moved it (`ChangeTracker.rowCount`).
    static func compare(_ db: Database, _ baseline: Baseline, changes: ChangeTracker? = nil) throws -> [(table: String, before: Int, after: Int?)] {
        try Baseline.tables.map { table in
            guard try changes?.hasTable(table, db) ?? db.hasTable(table) else { return (table, baseline.tableCounts[table] ?? 0, nil) }
            let after = try changes?.rowCount(of: table, db) ?? Int.fetchOne(db, cached: "SELECT COUNT(*) FROM \(table)")
            return (table, baseline.tableCounts[table] ?? 0, after)
        }
    }
}
