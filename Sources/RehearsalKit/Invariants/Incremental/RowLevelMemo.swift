import GRDB

/// Answers about the rows of a table that existed before (the baseline's rows: are they all
/// there, are the immutable ones unchanged) stay true while nothing rewrote the table: no
/// UPDATE, no DELETE, no DDL that touched it, no restore, no other process, no new baseline
/// (the caller's `dependsOn` says which of those it reads). An INSERT adds a
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
        /// `PRAGMA schema_version` when `insertsSeen` was taken.
        var schema: UInt64 = 0
        /// The table's change count (`ChangeTracker.version(of:)`) then: while it has not moved,
        /// no row of the table was inserted, updated or deleted, so not even its rows need counting.
        var version: UInt64 = 0
        /// `extendedAcross`: each table's row count when the answer was
        /// computed (or last extended).
        var counts: [Int] = []
        /// `extendedAcross`: how many rows of each table's insert log the answer has seen.
        var seen: [Int] = []
        var value: Any
    }

    /// `compute()`, or what it returned last time when `table` has not been rewritten since and
    /// `dependsOn` (everything else the answer reads, as numbers: `ChangeTracker.epoch` unless
    /// the caller knows better) is the same.
    ///
    /// A look at the new rows that fails (a table named `json_each` hides the function it uses)
    /// counts as mattering: the answer is computed again, as a full evaluation would.
    ///
    /// The insert log names rows by rowid, and a VACUUM in the same step may renumber them: when
    /// the schema cookie moved (which a VACUUM does), rows inserted since the last check make
    /// the answer be computed again.
    static func remembered<Value>(
        _ name: String, table: String, db: Database, changes: ChangeTracker?, dependsOn: (ChangeTracker) throws -> [UInt64],
        newRowsMatter: ([Int64]) throws -> Bool, compute: () throws -> Value
    ) throws -> Value {
        try extended(name, table: table, db: db, changes: changes, dependsOn: dependsOn,
                     extend: { value, fresh in try newRowsMatter(fresh) ? nil : value }, compute: compute)
    }

    /// `remembered`, for an answer the rows inserted since can add to without changing what it
    /// says of the others (the table's rows that qualify, in order): `extend(answer, rowids)`
    /// gives it with the inserted rows taken into account, or nil when it cannot (then it is
    /// computed again). `remembered`'s `newRowsMatter` is the case where the rows inserted can
    /// only leave the answer as it was.
    static func extended<Value>(
        _ name: String, table: String, db: Database, changes: ChangeTracker?, dependsOn: (ChangeTracker) throws -> [UInt64],
        extend: (Value, [Int64]) throws -> Value?, compute: () throws -> Value
    ) throws -> Value {
        guard let changes else { return try compute() }
        // A view or a virtual table under the name, or a column hiding the rowid: nothing kept.
        guard try changes.isPlainTable(table, db) else { return try compute() }
        let lowered = table.lowercased()
        let key = try dependsOn(changes) + [changes.rewrites[lowered] ?? 0]
        let version = changes.version(of: lowered)
        // No row event on the table and no DDL anywhere since: nothing to count. (After DDL the
        // rows are counted again when the table's definition or the lineage moved, as they do
        // when a table is dropped and created again on its old root page, its definition the
        // same and its rows gone: `ChangeTracker.rowCount`.)
        if let entry = changes.memo[name], entry.key == key, entry.version == version, entry.schema == changes.schemaCookie, let value = entry.value as? Value {
            changes.noteReused(name)
            return value
        }
        let log = changes.inserted[lowered] ?? []
        let rows = try changes.rowCount(of: table, db)
        if let entry = changes.memo[name], entry.key == key, entry.insertsSeen <= log.count, let value = entry.value as? Value, rows == entry.rows + log.count - entry.insertsSeen {
            let fresh = Array(log[entry.insertsSeen...])
            let current = fresh.isEmpty ? value : entry.schema == changes.schemaCookie ? ((try? extend(value, fresh)) ?? nil) : nil
            if let current {
                changes.memo[name] = Entry(key: key, insertsSeen: log.count, rows: rows, schema: changes.schemaCookie, version: version, value: current)
                changes.noteReused(name)
                return current
            }
        }
        let value = try compute()
        changes.memo[name] = Entry(key: key, insertsSeen: log.count, rows: rows, schema: changes.schemaCookie, version: version, value: value)
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
        // A view or a virtual table among them changes with other tables' events: any change counts.
        let through = tables.contains(where: changes.resolvesToViewOrVirtualTable) ? [changes.total] : []
        return try keyed(name, key: changes.epoch + tables.map { changes.version(of: $0.lowercased()) } + through + also, changes: changes, compute: compute)
    }
}

extension RowLevelMemo {
    /// `compute()`, or what it returned last time when none of `tables` had a row event and
    /// each still has its definition (`ChangeTracker.shape`), whatever DDL happened elsewhere:
    /// for an answer that reads only those tables' rows (a migration that adds other tables does
    /// not make it stale). DDL that could have put other rows under a name — a table dropped and
    /// created again, which may get its old root page back with its definition the same and its
    /// rows gone — moves the `lineage`, which the key holds. (The tables' row counts were also
    /// compared after DDL: under the same key they are the counts `rowCount` kept under the same
    /// key, so the comparison could not fail, and counting each table again after every change
    /// was 2% of the library's time.)
    static func whileTablesUnchanged<Value>(
        _ name: String, tables: [String], db: Database, changes: ChangeTracker?, compute: () throws -> Value
    ) throws -> Value {
        guard let changes else { return try compute() }
        var key = changes.unreported + [changes.lineage]
        for table in tables { key += [try changes.shape(of: table, db), changes.version(of: table.lowercased())] }
        // A view or a virtual table among them changes with other tables' events: any change counts.
        if tables.contains(where: changes.resolvesToViewOrVirtualTable) { key.append(changes.total) }
        return try keyed(name, key: key, changes: changes, compute: compute)
    }
}

extension RowLevelMemo {
    /// `compute()`, or what it returned last time `key` (everything the answer depends on, as
    /// numbers) was the same: for an answer that is a function of some definitions alone (a
    /// table's declared foreign keys, of its `CREATE` text).
    static func keyed<Value>(_ name: String, key: [UInt64], changes: ChangeTracker, compute: () throws -> Value) rethrows -> Value {
        if let entry = changes.memo[name], entry.key == key, let value = entry.value as? Value {
            changes.noteReused(name)
            return value
        }
        let value = try compute()
        changes.memo[name] = Entry(key: key, insertsSeen: 0, value: value)
        return value
    }
}

extension RowLevelMemo {
    /// Rows inserted since, as one JSON array argument for `json_each` (a statement per table,
    /// prepared once, whatever their number); nil when there are too many to look at one by
    /// one, and the answer is better computed again.
    static func lookable(_ rowids: [Int64]) -> String? {
        rowids.count <= 512 ? "[" + rowids.map(String.init).joined(separator: ",") + "]" : nil
    }

    /// `extended` for an answer that reads the rows of several `tables` together (evaluations
    /// joined with their signals) and the rows of `steady` ones: kept while none of `tables` had
    /// an UPDATE or a DELETE and none of `steady` any row event, with the same definitions
    /// whatever DDL happened elsewhere (`whileTablesUnchanged`'s key); `extend(answer, rowids)`
    /// is given each table's rows inserted since, in `tables`' order, and says what the answer
    /// becomes, or nil (then it is computed again). Every table must be a plain table, and hold
    /// exactly its rows then plus those inserted since (an `INSERT OR REPLACE`'s silent deletion
    /// leaves it short); rows inserted across DDL (a VACUUM may renumber them) are not looked at.
    static func extendedAcross<Value>(
        _ name: String, tables: [String], steady: [String], db: Database, changes: ChangeTracker?,
        extend: (Value, [[Int64]]) throws -> Value?, compute: () throws -> Value
    ) throws -> Value {
        guard let changes else { return try compute() }
        guard try (tables + steady).allSatisfy({ try changes.isPlainTable($0, db) }) else { return try compute() }
        var key = changes.unreported + [changes.lineage]
        for table in tables { key += [try changes.shape(of: table, db), changes.rewrites[table.lowercased()] ?? 0] }
        for table in steady { key += [try changes.shape(of: table, db), changes.version(of: table.lowercased())] }
        let logs = tables.map { changes.inserted[$0.lowercased()] ?? [] }
        let counts = try tables.map { try changes.rowCount(of: $0, db) }
        func store(_ value: Value) {
            changes.memo[name] = Entry(key: key, insertsSeen: 0, schema: changes.schemaCookie, counts: counts, seen: logs.map(\.count), value: value)
        }
        if let entry = changes.memo[name], entry.key == key, entry.seen.count == logs.count, let value = entry.value as? Value,
           zip(entry.seen, logs).allSatisfy({ $0 <= $1.count }),
           zip(zip(entry.counts, counts), zip(entry.seen, logs)).allSatisfy({ $0.0 + $1.1.count - $1.0 == $0.1 }) {
            let fresh = zip(entry.seen, logs).map { Array($1[$0...]) }
            let current = fresh.allSatisfy(\.isEmpty) ? value : entry.schema == changes.schemaCookie ? ((try? extend(value, fresh)) ?? nil) : nil
            if let current {
                store(current)
                changes.noteReused(name)
                return current
            }
        }
        let value = try compute()
        store(value)
        return value
    }
}
