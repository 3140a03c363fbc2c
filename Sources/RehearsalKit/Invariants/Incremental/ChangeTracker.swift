import GRDB

/// Counts the row changes SQLite reports per table (GRDB's transaction observer, i.e. SQLite's
/// update hook, with the truncate optimisation off so `DELETE FROM t` is counted too). Changes
/// inside a savepoint that is rolled back are never delivered (GRDB drops them), so a failed
/// step that left nothing behind does not count. DDL and a restore through the backup API are
/// not row changes: they move `PRAGMA schema_version`, which every invariant depends on.
///
/// It also keeps, per table, how many UPDATEs and DELETEs happened and which rowids were
/// inserted, so a check over rows that existed before (the baseline's) can tell that a step
/// only added rows and keep its answer (`RowLevelMemo`).
final class ChangeTracker: TransactionObserver {
    private(set) var byTable: [String: UInt64] = [:]
    /// Every change to any table: what an invariant that reads all tables depends on.
    private(set) var total: UInt64 = 0
    /// Changes to `alembic_version` and the `rehearse_*` bookkeeping tables.
    private(set) var bookkeeping: UInt64 = 0
    /// Per table, UPDATE and DELETE events: what can alter or remove a row that was there.
    private(set) var rewrites: [String: UInt64] = [:]
    /// Per table, the rowids inserted since the log was last cut (`insertLogLimit`).
    private(set) var inserted: [String: [Int64]] = [:]
    /// Set while invariants are evaluated: their probes run in savepoints that are rolled back.
    var paused = false
    /// What row-level checks remembered on this connection (`RowLevelMemo`).
    var memo: [String: RowLevelMemo.Entry] = [:]
    /// The schema, the other processes' writes, the bookkeeping, whole-database replacements
    /// and the world's baseline as the incremental evaluation read them before this round of
    /// checks: what a memo entry depends on unless it says more precisely (`baselineRows`).
    private(set) var epoch: [UInt64] = []
    /// The main and temp schemas' cookies this round, as one number (each is 32 bits).
    private(set) var schemaCookie: UInt64 = 0
    /// Moves when DDL since the last round could have put other rows under a table's name:
    /// an object of the schema went away or changed (a DROP, an ALTER, a RENAME), a table that
    /// had row events is gone (rows inserted into a table then renamed into place), or the
    /// schema cookies moved by more than the objects that appeared (an object dropped and made
    /// again exactly as it was: a table made by `CREATE TABLE … AS SELECT`, whose text SQLite
    /// generates, made again on its old root page with other rows and no row event). DDL that
    /// only added objects (an upgrade that creates its tables) keeps it, so answers about the
    /// other tables' rows stand.
    private(set) var lineage: UInt64 = 0
    private var lastObjects: Set<Int64> = []
    private var lastVersions: [String: UInt64] = [:]
    /// Row changes no hook reported: other processes' writes (`PRAGMA data_version`) and
    /// whole-database replacements.
    private(set) var unreported: [UInt64] = []
    /// What every answer about the baseline's rows depends on besides the table itself: other
    /// processes' writes, whole-database replacements, replaced tables, the baseline taken,
    /// and the baseline's own temp tables.
    private(set) var baselineRows: [UInt64] = []
    /// Tables' row counts (several remembered answers ask the same table, at every round),
    /// each with what it was counted under (`rowCount(of:)`).
    private var rowCounts: [String: (count: Int, key: [UInt64])] = [:]
    /// Tables' definitions, kept while neither the main nor the temp schema cookie moves (a
    /// restore through the backup API and another process's DDL move them too).
    private var shapes: [String: UInt64] = [:]

    /// What the connection says of its schemas and of other processes: the main and temp
    /// schemas' cookies (a temp table shadowing a main one moves temp's, not main's) and
    /// `PRAGMA data_version` (another process's commit moves it).
    struct Marks {
        var main: UInt64, temp: UInt64, external: UInt64
        /// Both cookies as one number (each is 32 bits).
        var cookie: UInt64 { main << 32 | (temp & 0xFFFF_FFFF) }

        static func read(_ db: Database) throws -> Marks {
            // Prepared once per connection (and schema): read before every round.
            func pragma(_ sql: String) throws -> UInt64 { try UInt64(bitPattern: Int64.fetchOne(db, cached: sql) ?? 0) }
            return Marks(main: try pragma("PRAGMA schema_version"), temp: try pragma("PRAGMA temp.schema_version"), external: try pragma("PRAGMA data_version"))
        }
    }

    /// Starts a round of checks: the definitions read are forgotten when a schema cookie
    /// moved, after judging what the DDL did (`lineage`).
    func beginRound(_ db: Database, _ marks: Marks, baseline: UInt64) throws {
        let cookie = marks.cookie, external = marks.external
        // A restore through the backup API, or another process, can bring back the very cookie
        // the schema had: the objects are read again whenever either moved too.
        if cookie != schemaCookie || lastObjects.isEmpty || [external, wholesale] != scannedUnder {
            // Each object as one number (its schema, type, names, root page and text): comparing
            // sets of numbers, not of the objects' text built in Swift, which was most of a round
            // after DDL.
            BaselineIdentity.registerFingerprint(db)
            var objects = Set<Int64>(), tables = Set<String>()
            triggersReadAnything = false
            // Each object's kind, and what its text says of it (ASCII case folded, as `COLLATE
            // NOCASE` does; not `LIKE`, which `PRAGMA case_sensitive_like` changes): the same scan
            // answers `shape(of:)` and `isPlainTable` for every name, without a query per table
            // after each DDL statement.
            // A table whose text has `WITHOUT` and then `ROWID` is taken for a WITHOUT ROWID
            // table (a column named so errs on the safe side). The letters tests are one pass over
            // each table's bytes (`SchemaTextFlags`), for tables only: the answers are asked of
            // tables, and the indexes' and triggers' texts are most of the schema's.
            // A trigger's text comes whole: the names its body mentions are read from it
            // (`triggerInputs`).
            let rows = try Row.fetchCursor(db, sql: """
                SELECT rehearse_fingerprint('main', type, name, tbl_name, rootpage, sql), type, name, 0,
                       CASE WHEN type = 'table' THEN rehearse_schema_flags(sql) ELSE 0 END, rehearse_fingerprint(sql),
                       CASE WHEN type = 'trigger' THEN sql END
                FROM main.sqlite_master
                UNION ALL SELECT rehearse_fingerprint('temp', type, name, tbl_name, rootpage, sql), type, name, 1,
                       CASE WHEN type = 'table' THEN rehearse_schema_flags(sql) ELSE 0 END, rehearse_fingerprint(sql),
                       CASE WHEN type = 'trigger' THEN sql END
                FROM temp.sqlite_master
                """)
            // The indexes SQLite makes for a table's PRIMARY KEY and UNIQUE constraints come with
            // their table's statement: not statements of their own.
            var companions = Set<Int64>()
            var named: [String: [SchemaObject]] = [:], mainTables: [String] = []
            var withoutRowid = false
            var mentioned = Set<String>(), actionTables: [String] = []
            while let row = try rows.next() {
                let name: String = row[2], type: String = row[1], fingerprint: Int64 = row[0], temp: Bool = row[3]
                // A table without text (none should be) is taken to mention a rowid: nothing kept.
                let flags: Int64? = row[4]
                if let flags, flags & SchemaTextFlags.withoutRowid != 0 { withoutRowid = true }
                // No text, no knowing: taken to have an action.
                if type == "table" && (flags ?? SchemaTextFlags.foreignKeyAction) & SchemaTextFlags.foreignKeyAction != 0 { actionTables.append(name) }
                if type == "trigger" {
                    if case .string(let text) = (row[6] as DatabaseValue).storage {
                        // The same text names the same tables on any connection: each scenario's
                        // schema has the triggers the first one read.
                        mentioned.formUnion(Self.namesByText.value((row[5] as Int64?) ?? 0) { Array(Set(TriggerBody.names(in: text).map(Self.folded))) })
                    } else {
                        triggersReadAnything = true
                    }
                }
                objects.insert(fingerprint)
                if type == "table" { tables.insert(name.lowercased()) }
                if !temp && type == "table" { mainTables.append(name) }
                if name.hasPrefix("sqlite_autoindex_") { companions.insert(fingerprint) }
                named[Self.folded(name), default: []].append(
                    SchemaObject(name: name, fingerprint: fingerprint, temp: temp, type: type, isVirtual: flags.map { $0 & SchemaTextFlags.virtual != 0 } ?? false,
                                 mentionsRowid: flags.map { $0 & SchemaTextFlags.mentionsRowid != 0 } ?? true, text: row[5] ?? 0))
            }
            objectsByName = named
            hasWithoutRowidTable = withoutRowid
            followTriggerInputs(mentioned: mentioned, actionTables: actionTables)
            viewLike = [:]
            // SQLite's BINARY order, as `ORDER BY name` gives it.
            self.mainTables = mainTables.sorted { $0.utf8.lexicographicallyPrecedes($1.utf8) }
            scannedUnder = [external, wholesale]
            let vanishedWithRows = byTable.contains { table, version in version != lastVersions[table] && !tables.contains(table) }
            // Every DDL statement moves its schema's cookie by one: moved by more than the objects
            // that appeared, something was dropped and made again exactly as it was (a table made
            // by `CREATE TABLE … AS SELECT` on its old root page, other rows in it).
            let moved = Int64(marks.main) - Int64(schemaCookie >> 32) + Int64(marks.temp & 0xFFFF_FFFF) - Int64(schemaCookie & 0xFFFF_FFFF)
            let remade = moved < 0 || moved > Int64(objects.subtracting(lastObjects).subtracting(companions).count)
            if !lastObjects.isEmpty && (!objects.isSuperset(of: lastObjects) || vanishedWithRows || remade) { lineage &+= 1 }
            lastObjects = objects
            shapes = [:]
            plain = [:]
        }
        lastVersions = byTable
        rounds &+= 1
        // Connection settings no change count follows, which change what a probe's statement does.
        // Three statements prepared once per schema (the table-valued `pragma_…` forms prepare the
        // PRAGMA again inside at every call).
        probeSettings = try Self.probeSettingPragmas.map { try UInt64(bitPattern: Int64.fetchOne(db, cached: $0) ?? -1) }
        thisRound = [:]
        tablesThisRound = [:]
        revisionThisRound = nil
        if let fresh = freshBaseline, fresh.total != total || fresh.cookie != cookie || fresh.external != external || fresh.wholesale != wholesale || fresh.baseline != baseline {
            freshBaseline = nil
        }
        schemaCookie = cookie
        epoch = [cookie, external, bookkeeping, wholesale, baseline]
        unreported = [external, wholesale]
        baselineRows = unreported + [lineage, baseline, version(of: "rehearse_baseline_rows"), version(of: "rehearse_baseline_columns")]
    }

    /// The table's definition as SQLite holds it — its CREATE text and root page in the main
    /// schema, and a temp table that would shadow it; or a view under its name (a parent a
    /// foreign key now finds as a view: a mismatch) — as one number: what the rows of a
    /// table an answer was computed on depend on in the schema. DDL that leaves the table as
    /// it was (a migration that adds another table) keeps it; dropping, re-creating, altering,
    /// renaming another table into its name or shadowing it moves it.
    func shape(of table: String, _ db: Database) throws -> UInt64 {
        let name = Self.folded(table)
        if let known = shapes[name] { return known }
        guard let objectsByName else { return try queriedShape(of: table, db) }
        // Every object under the name, main's then temp's, in one order whatever SQLite's.
        var hasher = RowHasher()
        for object in (objectsByName[name] ?? []).sorted(by: { ($0.temp ? 1 : 0, $0.type, $0.fingerprint) < ($1.temp ? 1 : 0, $1.type, $1.fingerprint) }) {
            hasher.integer(object.temp ? 1 : 0)
            hasher.integer(object.fingerprint)
        }
        let shape = hasher.finish()
        shapes[name] = shape
        return shape
    }

    /// What an answer about `table`'s rows alone depends on besides those rows: its definition,
    /// the lineage, other processes and replacements (not the whole schema: DDL elsewhere
    /// leaves it standing).
    func ownRowsKey(of table: String, _ db: Database) throws -> [UInt64] {
        try unreported + [lineage, shape(of: table, db)]
    }

    /// What a statement that fires triggers (a probe's UPDATE, DELETE or INSERT, rolled back)
    /// depends on besides the schema and the bookkeeping: three settings of the connection
    /// (`probeSettings`), the change counts of every table a
    /// trigger's `WHEN` or body names (`TriggerBody`) — in main and temp, since one trigger's
    /// writes fire others' — and of every table whose foreign keys have an `ON DELETE` or
    /// `ON UPDATE` action (a DELETE of a parent reaches its rows, and their triggers); every
    /// change at all when a trigger names a view or a virtual table (their rows are other
    /// tables'), or before the schema was read. The shipped schema's triggers read
    /// `rehearse_trigger_state` alone.
    func triggerInputs() -> [UInt64] {
        if triggersReadUntracked { return probeSettings + [rounds] }
        guard objectsByName != nil, !triggersReadAnything else { return probeSettings + [total] }
        return probeSettings + triggerTables.map { version(of: $0) }
    }
    /// Whether a trigger names something no change count follows: SQLite's own tables
    /// (`sqlite_sequence`, which AUTOINCREMENT writes with no row event; `sqlite_stat1`, which
    /// `ANALYZE` rewrites with none either) or a table-valued PRAGMA (`pragma_page_count`). The
    /// probes are then judged again at every round (`rounds`). The schema's own table moves the
    /// cookie every key holds.
    private var triggersReadUntracked = false
    /// Rounds begun on this connection.
    private var rounds: UInt64 = 0
    /// `PRAGMA foreign_keys` (whether a foreign key's actions run), `recursive_triggers` and
    /// `ignore_check_constraints` (an INSERT the constraint refused goes through) this round: a
    /// script can set them with no row event and no DDL.
    private var probeSettings: [UInt64] = []
    private static let probeSettingPragmas = ["PRAGMA foreign_keys", "PRAGMA recursive_triggers", "PRAGMA ignore_check_constraints"]
    /// The names a trigger's body mentions (folded), by the fingerprint of its text, for the process.
    private static let namesByText = ProcessMemo<Int64, [String]>(limit: 10_000)
    /// The tables `triggerInputs` follows (lower-cased, in order), and whether it follows every change.
    private(set) var triggerTables: [String] = []
    private var triggersReadAnything = false

    private func followTriggerInputs(mentioned: Set<String>, actionTables: [String]) {
        var tables = Set(actionTables.map { $0.lowercased() })
        triggersReadUntracked = mentioned.contains { name in
            (name.hasPrefix("sqlite_") && !["sqlite_master", "sqlite_schema", "sqlite_temp_master", "sqlite_temp_schema"].contains(name)) || name.hasPrefix("pragma_")
        }
        for name in mentioned {
            for object in objectsByName?[name] ?? [] {
                if object.type == "view" || object.isVirtual { triggersReadAnything = true }
                if object.type == "table" { tables.insert(object.name.lowercased()) }
            }
        }
        triggerTables = tables.sorted()
    }

    /// `shape(of:)` asked of SQLite, before the first round has read the schema.
    private func queriedShape(of table: String, _ db: Database) throws -> UInt64 {
        BaselineIdentity.registerFingerprint(db)
        return try Int64.fetchOne(db, cached: """
            SELECT rehearse_fingerprint(
                (SELECT group_concat(d, '|') FROM (SELECT m.type || ':' || m.rootpage || ':' || m.sql AS d FROM main.sqlite_master m
                                                   WHERE m.name = ?1 COLLATE NOCASE ORDER BY m.type)),
                (SELECT group_concat(d, '|') FROM (SELECT t.type || ':' || t.rootpage || ':' || t.sql AS d FROM temp.sqlite_master t
                                                   WHERE t.name = ?1 COLLATE NOCASE ORDER BY t.type)))
            """, arguments: [table]).map { UInt64(bitPattern: $0) } ?? 0
    }

    /// Whether the rows SQLite reports under `table`'s name are those of an ordinary table its
    /// name resolves to (temp first), reachable by `rowid`: not a view or a virtual table (whose
    /// rows change with no event of theirs), and no declared column named `rowid`, `oid` or
    /// `_rowid_` (which would hide the rowid the insert log names). Only then can an answer about
    /// its rows be kept. Asked again when a schema cookie moves.
    func isPlainTable(_ table: String, _ db: Database) throws -> Bool {
        let name = Self.folded(table)
        if let known = plain[name] { return known }
        var answer: Bool
        if objectsByName != nil {
            let resolved = resolvedObject(named: table)
            answer = resolved.map { $0.type == "table" && !$0.isVirtual } ?? false
            // A column named rowid, oid or _rowid_ is spelled out in the table's text (quoting
            // cannot split a name's letters): only a text that has them needs its columns read.
            if answer, resolved?.mentionsRowid == true { answer = try !hidesRowid(table, db) }
        } else {
            answer = try Bool.fetchOne(db, cached: """
                SELECT COALESCE((SELECT type = 'table' AND sql NOT LIKE 'CREATE VIRTUAL%' FROM temp.sqlite_master WHERE name = ?1 COLLATE NOCASE AND type IN ('table', 'view')),
                                (SELECT type = 'table' AND sql NOT LIKE 'CREATE VIRTUAL%' FROM main.sqlite_master WHERE name = ?1 COLLATE NOCASE AND type IN ('table', 'view')), 0)
                """, arguments: [table]) ?? false
            if answer { answer = try !hidesRowid(table, db) }
        }
        plain[name] = answer
        return answer
    }

    /// Whether `table`'s name resolves (temp first) to a view or a virtual table, whose rows change
    /// with the row events of other tables; true before a round has read the schema (nothing is
    /// known, so nothing may be kept).
    func resolvesToViewOrVirtualTable(_ table: String) -> Bool {
        guard objectsByName != nil else { return true }
        if let known = viewLike[table] { return known }
        let answer = resolvedObject(named: table).map { $0.type == "view" || $0.isVirtual } ?? false
        viewLike[table] = answer
        return answer
    }
    /// `resolvesToViewOrVirtualTable`'s answers since the last scan, by the name as asked
    /// (every invariant's key asks about its tables at every round).
    private var viewLike: [String: Bool] = [:]

    /// Makes the next round read the schema again, whatever its cookies (a new connection).
    func forgetSchemaScan() { scannedUnder = [] }

    /// Whether the last scan saw a WITHOUT ROWID table in main or temp: SQLite's update hook
    /// reports none of its row events, so no change can be ruled out while one exists.
    private(set) var hasWithoutRowidTable = false

    /// The table or view `name` resolves to, temp's before main's, as the last scan read them.
    private func resolvedObject(named name: String) -> SchemaObject? {
        let objects = objectsByName?[Self.folded(name)] ?? []
        return objects.first { $0.temp && ($0.type == "table" || $0.type == "view") } ?? objects.first { !$0.temp && ($0.type == "table" || $0.type == "view") }
    }

    private func hidesRowid(_ table: String, _ db: Database) throws -> Bool {
        try Bool.fetchOne(db, cached: "SELECT EXISTS (SELECT 1 FROM pragma_table_info(?) WHERE lower(name) IN ('rowid', 'oid', '_rowid_'))", arguments: [table]) ?? true
    }

    /// One object of `sqlite_master` (main's or temp's), as the last scan read it.
    struct SchemaObject {
        /// As `sqlite_master` spells it.
        var name: String
        var fingerprint: Int64
        var temp: Bool
        var type: String
        /// `CREATE VIRTUAL TABLE`.
        var isVirtual: Bool
        /// A table whose text has the letters `rowid` or `oid` in some case (`_rowid_` has the
        /// first); false for every other kind of object (only tables are asked).
        var mentionsRowid: Bool
        /// Its `CREATE` text alone, as a fingerprint: what is true of any object with that text
        /// (the foreign keys a table declares) can be known across connections.
        var text: Int64
    }

    /// Whether the last scan saw, in main (or temp), an object named exactly `name` — byte for
    /// byte, as `name = ?` compares in `sqlite_master` — of `type` (any when nil); nil before a
    /// round has read the schema. Valid for the round: no DDL runs while invariants are evaluated.
    func hasObject(named name: String, type: String? = nil, temp: Bool = false) -> Bool? {
        guard let objectsByName else { return nil }
        return (objectsByName[Self.folded(name)] ?? []).contains { $0.temp == temp && (type == nil || $0.type == type) && $0.name.utf8.elementsEqual(name.utf8) }
    }

    /// The `CREATE` text fingerprint of main's table `name` (exact name), from the last scan.
    func mainTableText(_ name: String) -> Int64? {
        objectsByName?[Self.folded(name)]?.first { !$0.temp && $0.type == "table" && $0.name.utf8.elementsEqual(name.utf8) }?.text
    }

    /// The objects under each name (ASCII case folded, as `COLLATE NOCASE` does), read when a
    /// schema cookie moved; nil before the first round.
    private var objectsByName: [String: [SchemaObject]]?
    /// The main schema's tables, in `ORDER BY name` order, as the last scan read them.
    private(set) var mainTables: [String] = []
    /// Whether a round has read the schema (`mainTables`, and the answers from the scan).
    var hasReadSchema: Bool { objectsByName != nil }
    /// The other processes' writes and the replacements when the schema was last read.
    private var scannedUnder: [UInt64] = []

    /// `name` as SQLite's `NOCASE` compares names — ASCII letters lower-cased, every other byte
    /// as it is (`DÉ` and `dé` are different names to it) — spelled in ASCII, each byte outside
    /// it (and `%`) as `%XX`: Swift compares strings by Unicode equivalence, so `café` written
    /// with one code point and with two would otherwise be one key for two tables.
    static func folded(_ name: String) -> String {
        var out = ""
        out.reserveCapacity(name.utf8.count)
        for byte in name.utf8 {
            switch byte {
            case 65...90: out.unicodeScalars.append(Unicode.Scalar(byte + 32))
            case 0, 37, 128...255:
                out.unicodeScalars.append("%")
                out.unicodeScalars.append(hexDigits[Int(byte >> 4)])
                out.unicodeScalars.append(hexDigits[Int(byte & 0xF)])
            default: out.unicodeScalars.append(Unicode.Scalar(byte))
            }
        }
        return out
    }

    private static let hexDigits = Array("0123456789ABCDEF".unicodeScalars)

    private var plain: [String: Bool] = [:]

    /// The table's row count, counted again only when something could have moved it since: a
    /// row event on it (an `INSERT OR REPLACE`'s silent deletion comes with its insert), DDL
    /// that touched it or could have put other rows under its name (its `shape`, the
    /// `lineage`), another process, a whole-database replacement. DDL elsewhere (a migration
    /// that adds tables, the baseline's temp tables) leaves it counted.
    /// Only for a plain table: the rows of a view or a virtual table under the name change with
    /// events reported under other names, so those are counted every time.
    func rowCount(of table: String, _ db: Database) throws -> Int {
        func count() throws -> Int { try Int.fetchOne(db, cached: "SELECT COUNT(*) FROM \(BaselineIdentity.quoted(table))") ?? 0 }
        guard try isPlainTable(table, db) else { return try count() }
        let key = [version(of: table.lowercased()), try shape(of: table, db), lineage] + unreported, name = Self.folded(table)
        if let known = rowCounts[name], known.key == key { return known.count }
        let count = try count()
        rowCounts[name] = (count, key)
        return count
    }
    /// The database as the baseline was recorded from it: the change count (every row event of
    /// every table, temp ones included), the schemas' cookies, the other processes' writes, the
    /// replacements and the baseline's version. While all are the same at a round, nothing has
    /// touched a row since, so no baseline row is missing or changed — by construction, without
    /// a scan. (Events GRDB delivers late, at the release of a nested savepoint, move the count
    /// after the note: the answers are then computed.)
    private struct FreshBaseline {
        var total: UInt64, cookie: UInt64, external: UInt64, wholesale: UInt64, baseline: UInt64
        var tables: Set<String>
    }
    private var freshBaseline: FreshBaseline?
    /// How many answers were known from a baseline just recorded (the tests count them).
    private(set) var knownFromTheBaseline = 0

    func noteBaselineRecorded(_ db: Database, tables: Set<String>, baseline: UInt64) throws {
        let marks = try Marks.read(db)
        freshBaseline = FreshBaseline(total: total, cookie: marks.cookie, external: marks.external, wholesale: wholesale, baseline: baseline, tables: tables)
    }

    func forgetBaselineRecorded() { freshBaseline = nil }

    /// Whether this round sees the database exactly as the baseline of `table` was recorded from.
    func baselineJustRecorded(_ table: String) -> Bool {
        guard freshBaseline?.tables.contains(table) == true else { return false }
        reused += 1
        knownFromTheBaseline += 1
        return true
    }

    /// Answers about rows that hold for the whole round (no row changes while invariants are
    /// evaluated: their probes are rolled back), by table and the rows asked about.
    private var thisRound: [String: [[Int64]: Bool]] = [:]

    /// `compute()` once per round for the same table and rows.
    func onceThisRound(_ table: String, _ rowids: [Int64], _ compute: () throws -> Bool) rethrows -> Bool {
        if let known = thisRound[table]?[rowids] { return known }
        let answer = try compute()
        thisRound[table, default: [:]][rowids] = answer
        return answer
    }

    /// Whether each table asked about exists, and the applied revision: the invariants ask
    /// again and again within a round (every check that needs a revision), and no DDL runs
    /// while they are evaluated.
    private var tablesThisRound: [String: Bool] = [:]
    private var revisionThisRound: String?? = nil

    func hasTable(_ name: String, _ db: Database) throws -> Bool {
        let key = Self.folded(name)
        if let known = tablesThisRound[key] { return known }
        let exists = try db.hasTable(name)
        tablesThisRound[key] = exists
        return exists
    }

    func currentRevision(_ db: Database) throws -> String? {
        if let known = revisionThisRound { return known }
        let revision = try MigrationBookkeeping.currentRevision(db)
        revisionThisRound = .some(revision)
        return revision
    }

    /// How many row-level answers were reused (the tests and `rehearse bench` report it), in
    /// all and by the name each is kept under.
    var reused = 0
    private(set) var reusedByName: [String: Int] = [:]

    func noteReused(_ name: String) {
        reused += 1
        reusedByName[name, default: 0] += 1
    }

    /// A long session (a served stack) must not grow the log without end: past this many
    /// inserts into one table the log is cut and counted as a rewrite, so what was remembered
    /// about that table is recomputed once.
    static let insertLogLimit = 4096

    func observes(eventsOfKind eventKind: DatabaseEventKind) -> Bool { true }

    /// Events come in runs for one table: its lower-cased name is worked out once per run.
    private var lastName = "", lastTable = ""

    func databaseDidChange(with event: DatabaseEvent) {
        guard !paused else { return }
        let name = event.tableName
        if name != lastName {
            lastName = name
            lastTable = name.lowercased()
        }
        let table = lastTable
        byTable[table, default: 0] &+= 1
        total &+= 1
        if table == "alembic_version" || table.hasPrefix("rehearse_") {
            bookkeeping &+= 1
            // Bookkeeping moves every key: nothing to log row by row (the baseline's own temp
            // tables, whose rows a later step could tamper with; recording them sends no events).
            return
        }
        switch event.kind {
        case .insert:
            if inserted[table, default: []].count >= Self.insertLogLimit {
                inserted[table] = []
                rewrites[table, default: 0] &+= 1
            }
            inserted[table, default: []].append(event.rowID)
        case .update, .delete:
            rewrites[table, default: 0] &+= 1
        }
    }

    func version(of table: String) -> UInt64 { byTable[table] ?? 0 }

    /// Whole-database replacements SQLite reports to no hook (a restore through the backup API
    /// announces itself with `Database.notifyChanges(in: .fullDatabase)`).
    private(set) var wholesale: UInt64 = 0

    func databaseDidChange() {
        guard !paused else { return }
        wholesale &+= 1
    }

    func databaseDidCommit(_ db: Database) {}
    func databaseDidRollback(_ db: Database) {}
}
