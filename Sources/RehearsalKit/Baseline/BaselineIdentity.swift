import Foundation
import GRDB
import GRDBSQLite

/// Which rows the baseline had, by identity, and what the immutable ones held: kept beside the
/// rehearsal's database in a temp table of its connection (never in the database itself, so
/// backups and dumps do not carry it). `baseline.no_data_lost` finds a deleted row even when new
/// rows hide it in the counts; `immutability.*` finds a rewritten row even when no trigger fired.
///
/// Recorded when a rehearsal sets its baseline (scenarios, drills, `rehearse checklist`); a
/// baseline read from a file has no identity, and the invariants then compare counts only.
enum BaselineIdentity {
    static let immutableTables: Set<String> = ["decisions", "evidence_packs", "audit_events"]

    /// Every row of the nine tables by id, with a content fingerprint for the immutable ones.
    /// Returns the tables recorded (those that exist).
    @discardableResult
    static func record(_ db: Database) throws -> Set<String> {
        registerFingerprint(db)
        var recorded = Set<String>()
        try db.execute(sql: """
            DROP TABLE IF EXISTS temp.rehearse_baseline_rows;
            DROP TABLE IF EXISTS temp.rehearse_baseline_columns;
            CREATE TEMP TABLE rehearse_baseline_columns (tbl TEXT NOT NULL PRIMARY KEY, columns TEXT NOT NULL, definition TEXT);
            """)
        var selects: [String] = []
        for table in Baseline.tables where try db.hasTable(table) {
            let columns = try self.columns(db, table)
            let fingerprint = immutableTables.contains(table) ? "rehearse_fingerprint(\(columns.map(quoted).joined(separator: ", ")))" : "NULL"
            try db.cachedStatement(sql: "INSERT INTO rehearse_baseline_columns (tbl, columns, definition) VALUES (?1, ?2, \(definition))")
                .execute(arguments: [table, columns.joined(separator: ",")])
            // `+id`: an expression without affinity, so the ids keep their own types (the
            // column gets no declared type, as the `id NOT NULL` it replaces had none).
            selects.append("SELECT '\(table)' AS tbl, +id AS id, \(fingerprint) AS fingerprint FROM \(quoted(table))")
            recorded.insert(table)
        }
        // One `CREATE TABLE … AS SELECT`: SQLite reports the rows it copies to no update hook
        // (an INSERT … SELECT reported each id, thousands of events the change tracker only
        // counted), and the statement is DDL either way. No table yet: an empty one, same columns.
        if selects.isEmpty { selects = ["SELECT NULL AS tbl, NULL AS id, NULL AS fingerprint WHERE 0"] }
        try db.execute(sql: "CREATE TEMP TABLE rehearse_baseline_rows AS " + selects.joined(separator: " UNION ALL "))
        // The `id NOT NULL` of the table it replaces: a row without an id cannot be followed.
        if try Bool.fetchOne(db, sql: "SELECT EXISTS (SELECT 1 FROM temp.rehearse_baseline_rows WHERE id IS NULL)") == true {
            throw DatabaseError(resultCode: .SQLITE_CONSTRAINT_NOTNULL, message: "NOT NULL constraint failed: rehearse_baseline_rows.id")
        }
        // The key is built once the rows are in (one sort), not row by row in the ids' random
        // order; a duplicate (tbl, id) fails here as the primary key it replaces would have.
        try db.execute(sql: "CREATE UNIQUE INDEX temp.rehearse_baseline_rows_key ON rehearse_baseline_rows (tbl, id)")
        return recorded
    }

    /// `changes`: inside a round of an incremental evaluation, its scan of the schema answers.
    static func isRecorded(_ db: Database, changes: ChangeTracker? = nil) throws -> Bool {
        if let known = changes?.hasObject(named: "rehearse_baseline_rows", temp: true) { return known }
        return try Bool.fetchOne(db, cached: "SELECT EXISTS (SELECT 1 FROM temp.sqlite_master WHERE name = 'rehearse_baseline_rows')") ?? false
    }

    /// Baseline rows of `table` that are gone: how many, and the first ids.
    /// `changes`: inside an incremental evaluation, the answer is reused while the table was
    /// only added to (`RowLevelMemo`).
    static func missing(_ db: Database, _ table: String, limit: Int = 10, changes: ChangeTracker? = nil) throws -> (count: Int, ids: [String]) {
        try RowLevelMemo.remembered("baseline.missing:\(table):\(limit)", table: table, db: db, changes: changes, dependsOn: { try rowsKey($0, table, db) },
                                    newRowsMatter: { try reusesBaselineId(db, table, rowids: $0, changes: changes) }) {
            // Right after the baseline was taken from these very rows, none is missing.
            if changes?.baselineJustRecorded(table) == true { return (0, []) }
            return try countMissing(db, table, limit: limit)
        }
    }

    private static func countMissing(_ db: Database, _ table: String, limit: Int) throws -> (count: Int, ids: [String]) {
        let sql = "FROM temp.rehearse_baseline_rows b WHERE b.tbl = ? AND NOT EXISTS (SELECT 1 FROM \(quoted(table)) t WHERE t.id = b.id COLLATE BINARY)"
        let count = try Int.fetchOne(db, cached: "SELECT COUNT(*) " + sql, arguments: [table]) ?? 0
        let ids = count == 0 ? [] : try String.fetchAll(db, cached: "SELECT CAST(b.id AS TEXT) " + sql + " ORDER BY b.rowid LIMIT \(limit)", arguments: [table])
        return (count, ids)
    }

    /// Baseline rows of an immutable table whose content changed: how many, and the first ids.
    /// Nil when the table's columns are not the baseline's (the content cannot be compared).
    static func changed(_ db: Database, _ table: String, limit: Int = 10, changes: ChangeTracker? = nil) throws -> (count: Int, ids: [String])? {
        try RowLevelMemo.remembered("baseline.changed:\(table):\(limit)", table: table, db: db, changes: changes, dependsOn: { try rowsKey($0, table, db) },
                                    newRowsMatter: { try reusesBaselineId(db, table, rowids: $0, changes: changes) }) {
            // Right after the baseline was taken from these very rows, none has changed.
            if changes?.baselineJustRecorded(table) == true { return (0, []) }
            return try countChanged(db, table, limit: limit)
        }
    }

    /// What an answer about the baseline's rows of `table` reads besides the table's rows: its
    /// definition (not the whole schema: a migration that adds other tables leaves it standing)
    /// and the baseline's own tables.
    private static func rowsKey(_ changes: ChangeTracker, _ table: String, _ db: Database) throws -> [UInt64] {
        try changes.baselineRows + [changes.shape(of: table, db)]
    }

    /// Whether one of the rows inserted since (by rowid) carries a baseline row's id: an
    /// `INSERT OR REPLACE` that replaced it, or a second row under its id.
    /// Within a round the rows cannot change, so the missing and the changed answers of a table,
    /// which ask about the same inserts, share one look (`ChangeTracker.onceThisRound`).
    static func reusesBaselineId(_ db: Database, _ table: String, rowids: [Int64], changes: ChangeTracker? = nil) throws -> Bool {
        guard let list = RowLevelMemo.lookable(rowids) else { return true }
        if let changes { return try changes.onceThisRound(table, rowids) { try reusesBaselineId(db, table, rowids: rowids) } }
        // The rowids as one JSON array argument: one statement per table, prepared once.
        //
        // `b.id = t.id` compares under the table's id affinity (a text '7' in the baseline
        // matches an integer 7), and SQLite then cannot look the id up in the baseline's key: it
        // walked all of the table's baseline rows for each look, thousands for audit_events.
        // While the table has the definition it had when the baseline was recorded, every id
        // the baseline copied from it was stored under that same affinity, so applying it again
        // changes nothing and `b.id = +t.id` (no affinity: the key is used, the new rows drive)
        // gives the same answer. Otherwise (or with no definition to compare: a table only an
        // attached database holds) the comparison with affinity.
        return try Bool.fetchOne(db, cached: """
            SELECT CASE WHEN (SELECT definition FROM temp.rehearse_baseline_columns WHERE tbl = ?1) = \(definition)
                THEN EXISTS (SELECT 1 FROM json_each(?2) j CROSS JOIN \(quoted(table)) t CROSS JOIN temp.rehearse_baseline_rows b
                             WHERE t.rowid = j.value AND b.tbl = ?1 AND b.id = +t.id)
                ELSE EXISTS (SELECT 1 FROM \(quoted(table)) t JOIN temp.rehearse_baseline_rows b ON b.tbl = ?1 AND b.id = t.id
                             WHERE t.rowid IN (SELECT value FROM json_each(?2)))
            END
            """, arguments: [table, list]) ?? true
    }

    /// The definition of the table `?1` names where SQL unqualified names it (a temp table of
    /// that name first): what the baseline's ids were read from, and what they are compared with.
    private static let definition = """
        COALESCE((SELECT sql FROM temp.sqlite_master WHERE type = 'table' AND name = ?1 COLLATE NOCASE),
                 (SELECT sql FROM main.sqlite_master WHERE type = 'table' AND name = ?1 COLLATE NOCASE))
        """

    private static func countChanged(_ db: Database, _ table: String, limit: Int) throws -> (count: Int, ids: [String])? {
        registerFingerprint(db)
        guard let recorded = try String.fetchOne(db, cached: "SELECT columns FROM temp.rehearse_baseline_columns WHERE tbl = ?", arguments: [table]) else { return (0, []) }
        let columns = recorded.split(separator: ",").map(String.init)
        guard try self.columns(db, table) == columns else { return nil }
        let sql = "FROM temp.rehearse_baseline_rows b JOIN \(quoted(table)) t ON t.id = b.id COLLATE BINARY WHERE b.tbl = ? AND b.fingerprint <> rehearse_fingerprint(\(columns.map { "t." + quoted($0) }.joined(separator: ", ")))"
        let count = try Int.fetchOne(db, cached: "SELECT COUNT(*) " + sql, arguments: [table]) ?? 0
        let ids = count == 0 ? [] : try String.fetchAll(db, cached: "SELECT CAST(b.id AS TEXT) " + sql + " ORDER BY b.rowid LIMIT \(limit)", arguments: [table])
        return (count, ids)
    }

    static func columns(_ db: Database, _ table: String) throws -> [String] {
        try String.fetchAll(db, cached: "SELECT name FROM pragma_table_info(?) ORDER BY cid", arguments: [table])
    }

    static func quoted(_ name: String) -> String { "\"" + name.replacingOccurrences(of: "\"", with: "\"\"") + "\"" }

    /// `rehearse_fingerprint(a, b, …)`: a 64-bit hash of each value's type, length and bytes
    /// (`RowHasher`), so two rows have the same fingerprint only when every column holds the same
    /// value. A C callback that reads SQLite's values in place: it runs once per baseline row at
    /// every evaluation of an immutability invariant, where GRDB's boxed `DatabaseValue`
    /// arguments cost more than the query itself. Only ever compared within the process (temp
    /// tables, memory): nothing written to a file depends on it.
    ///
    /// Registered once per connection: registering a function again makes SQLite expire every
    /// prepared statement of the connection (and refuse while one is running), which would
    /// throw away the statement cache the checks read through.
    static func registerFingerprint(_ db: Database) {
        // Known registered on this connection: asking SQLite (preparing a statement that calls
        // it) was a parse at every check that hashes rows.
        if FingerprintConnections.contains(db) { return }
        defer { FingerprintConnections.insert(db) }
        var probe: OpaquePointer?
        // The function registered last: with it, both are there.
        if sqlite3_prepare_v2(db.sqliteConnection, "SELECT rehearse_schema_flags(1)", -1, &probe, nil) == SQLITE_OK {
            sqlite3_finalize(probe)
            return
        }
        sqlite3_finalize(probe)
        sqlite3_create_function_v2(db.sqliteConnection, "rehearse_fingerprint", -1, SQLITE_UTF8 | SQLITE_DETERMINISTIC, nil,
                                   { context, count, values in
                                       var hasher = RowHasher()
                                       for index in 0..<Int(count) {
                                           let value = values![index]
                                           switch sqlite3_value_type(value) {
                                           case SQLITE_INTEGER: hasher.integer(sqlite3_value_int64(value))
                                           case SQLITE_FLOAT: hasher.real(sqlite3_value_double(value))
                                           case SQLITE_TEXT, SQLITE_BLOB:
                                               // sqlite3_value_blob reads text in place, without conversion.
                                               let type = sqlite3_value_type(value)
                                               let bytes = sqlite3_value_blob(value)
                                               let length = Int(sqlite3_value_bytes(value))
                                               hasher.bytes(text: type == SQLITE_TEXT, UnsafeRawBufferPointer(start: length == 0 ? nil : bytes, count: length))
                                           default: hasher.null()
                                           }
                                       }
                                       sqlite3_result_int64(context, Int64(bitPattern: hasher.finish()))
                                   }, nil, nil, nil)
        // Registered with it, last (the probe above asks for this one).
        sqlite3_create_function_v2(db.sqliteConnection, "rehearse_schema_flags", 1, SQLITE_UTF8 | SQLITE_DETERMINISTIC, nil,
                                   { context, _, values in
                                       let value = values![0]
                                       guard sqlite3_value_type(value) != SQLITE_NULL else { return sqlite3_result_null(context) }
                                       let text = sqlite3_value_text(value)
                                       let length = Int(sqlite3_value_bytes(value))
                                       sqlite3_result_int64(context, SchemaTextFlags.of(UnsafeBufferPointer(start: text, count: text == nil ? 0 : length)))
                                   }, nil, nil, nil)
    }

    /// `rehearse_fingerprint` computed in Swift (tests compare the two).
    static func rowHash(_ values: [DatabaseValue]) -> UInt64 {
        var hasher = RowHasher()
        for value in values {
            switch value.storage {
            case .null: hasher.null()
            case .int64(let int): hasher.integer(int)
            case .double(let double): hasher.real(double)
            case .string(var string): string.withUTF8 { hasher.bytes(text: true, UnsafeRawBufferPointer($0)) }
            case .blob(let data): data.withUnsafeBytes { hasher.bytes(text: false, $0) }
            }
        }
        return hasher.finish()
    }

    /// FNV-1a over each value's type, length and bytes: the per-row fingerprint in a backup
    /// file's checksum (`BackupFile.summary`), so it never changes.
    static func fingerprintValue(_ values: [DatabaseValue]) -> UInt64 {
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325
        func mix(_ byte: UInt8) {
            hash ^= UInt64(byte)
            hash &*= 0x0000_0100_0000_01B3
        }
        for value in values {
            switch value.storage {
            case .null: mix(0)
            case .int64(let int): mix(1); withUnsafeBytes(of: int.littleEndian) { $0.forEach(mix) }
            case .double(let double): mix(2); withUnsafeBytes(of: double.bitPattern.littleEndian) { $0.forEach(mix) }
            case .string(let string):
                mix(3); withUnsafeBytes(of: Int32(string.utf8.count).littleEndian) { $0.forEach(mix) }; string.utf8.forEach(mix); mix(0xFF)
            case .blob(let data):
                mix(4); withUnsafeBytes(of: Int32(data.count).littleEndian) { $0.forEach(mix) }; data.forEach(mix); mix(0xFF)
            }
        }
        return hash
    }
}

extension World {
    /// Sets the baseline the baseline and immutability invariants compare against, the first
    /// time one is taken, with its row identity.
    func recordBaseline(_ baseline: Baseline, _ db: Database) throws {
        guard self.baseline == nil else { return }
        self.baseline = baseline
        let tables = try BaselineIdentity.record(db)
        try evaluation.baselineRecorded(db, tables: tables, baseline: versions[.baseline])
    }
}

/// The connections `rehearse_fingerprint` is registered on, by their GRDB `Database` (one per
/// connection, for its whole life). Held weakly: a closed connection's address can come back
/// as another's, whose entry then reads as absent.
enum FingerprintConnections {
    private final class Entry {
        weak var db: Database?
        init(_ db: Database) { self.db = db }
    }
    private static let lock = NSLock()
    nonisolated(unsafe) private static var entries: [ObjectIdentifier: Entry] = [:]

    static func contains(_ db: Database) -> Bool {
        lock.lock()
        defer { lock.unlock() }
        return entries[ObjectIdentifier(db)]?.db === db
    }

    static func insert(_ db: Database) {
        lock.lock()
        defer { lock.unlock() }
        // Explore opens thousands of connections: the closed ones' entries are dropped now and then.
        if entries.count >= 64 { entries = entries.filter { $0.value.db != nil } }
        entries[ObjectIdentifier(db)] = Entry(db)
    }
}
