import GRDB

/// Answers about the rows of a table that existed before (the baseline's rows: are they all
/// there, are the immutable ones unchanged) stay true while nothing rewrote the table: no
/// UPDATE, no DELETE, no DDL, no restore, no other process, no new baseline. An INSERT adds a
/// row and cannot remove or change one — except `INSERT OR REPLACE`, whose deletion of the row
/// it replaces SQLite's update hook does not report (a conflict on the id, on another UNIQUE
/// column or on the rowid), and a row that reuses a baseline id in a table where `id` is not
/// unique. So before an answer is reused the table must hold exactly as many rows as when it was
/// computed plus those inserted since (a silent deletion leaves it short), and the rows inserted
/// since are checked (`newRowsMatter`).
///
/// Only inside an incremental evaluation (`InvariantContext.changes`); without one, and in
/// the full evaluation that checks it, everything is computed.
enum RowLevelMemo {
    struct Entry {
        var key: [UInt64]
        /// How many rows of the table's insert log were already found not to matter.
        var insertsSeen: Int
        /// The table's row count when `insertsSeen` was taken (`whileUnchanged`: unused).
        var rows = 0
        var value: Any
    }

    /// `compute()`, or what it returned last time when `table` has not been rewritten since.
    static func remembered<Value>(
        _ name: String, table: String, db: Database, changes: ChangeTracker?, newRowsMatter: ([Int64]) throws -> Bool, compute: () throws -> Value
    ) throws -> Value {
        guard let changes else { return try compute() }
        let key = changes.epoch + [changes.rewrites[table.lowercased()] ?? 0]
        let log = changes.inserted[table.lowercased()] ?? []
        let rows = try changes.rowCount(of: table, db)
        if let entry = changes.memo[name], entry.key == key, entry.insertsSeen <= log.count, let value = entry.value as? Value {
            let fresh = Array(log[entry.insertsSeen...])
            let harmless = try rows == entry.rows + fresh.count && (fresh.isEmpty || !newRowsMatter(fresh))
            if harmless {
                changes.memo[name]?.insertsSeen = log.count
                changes.memo[name]?.rows = rows
                changes.reused += 1
                return value
            }
        }
        let value = try compute()
        changes.memo[name] = Entry(key: key, insertsSeen: log.count, rows: rows, value: value)
        return value
    }
}

extension RowLevelMemo {
    /// `compute()`, or what it returned last time when none of `tables` changed at all and
    /// `also` (what else it depends on, as numbers) is the same: for a part of a verdict whose
    /// invariant is re-evaluated for another of its inputs (the viewer's rendered pages when
    /// only the clock moved).
    static func whileUnchanged<Value>(
        _ name: String, tables: [String], also: [UInt64], changes: ChangeTracker?, compute: () throws -> Value
    ) throws -> Value {
        guard let changes else { return try compute() }
        let key = changes.epoch + tables.map { changes.version(of: $0.lowercased()) } + also
        if let entry = changes.memo[name], entry.key == key, let value = entry.value as? Value {
            changes.reused += 1
            return value
        }
        let value = try compute()
        changes.memo[name] = Entry(key: key, insertsSeen: 0, value: value)
        return value
    }
}
