import Foundation
import GRDB
import Testing
@testable import RehearsalKit

/// Row identity against the baseline: a deleted row hidden by new rows, and an immutable row
/// rewritten without any trigger firing, are caught with their ids.
@Suite struct BaselineIdentityTests {
    func status(_ rig: StackRig, _ id: String) throws -> InvariantStatus {
        try rig.read { db in try InvariantCatalog.standard.evaluate(rig.world.invariantContext(db), only: [id])[0].status }
    }

    func rig() throws -> StackRig {
        let rig = try StackRig()
        try rig.read { db in try rig.world.recordBaseline(try Baseline.capture(db), db) }
        return rig
    }

    /// The ids are copied by one `CREATE TABLE … AS SELECT`, which SQLite reports to no update
    /// hook (an INSERT … SELECT reported every id); each id keeps its own type, so an integer
    /// id is not matched as text; a row without an id is refused, as the NOT NULL column was.
    @Test func theIdsAreCopiedWithoutARowEventInTheirOwnTypes() throws {
        final class Counter: TransactionObserver {
            var events = 0
            func observes(eventsOfKind eventKind: DatabaseEventKind) -> Bool { true }
            func databaseDidChange(with event: DatabaseEvent) { if event.tableName == "rehearse_baseline_rows" { events += 1 } }
            func databaseDidCommit(_ db: Database) {}
            func databaseDidRollback(_ db: Database) {}
        }
        try DatabaseOpener.open(path: nil).writeWithoutTransaction { db in
            try db.execute(sql: """
                CREATE TABLE users (id TEXT, role TEXT);
                CREATE TABLE audit_events (id INTEGER PRIMARY KEY, action TEXT);
                INSERT INTO users VALUES ('7', 'admin'), ('u-2', 'viewer');
                INSERT INTO audit_events VALUES (7, 'a'), (8, 'b');
                """)
            let counter = Counter()
            db.add(transactionObserver: counter)
            #expect(try BaselineIdentity.record(db) == ["users", "audit_events"])
            #expect(counter.events == 0)
            let rows = try Row.fetchAll(db, sql: "SELECT tbl, typeof(id), typeof(fingerprint) FROM temp.rehearse_baseline_rows ORDER BY rowid")
            #expect(rows.map { [$0[0], $0[1], $0[2]] as [String] } == [
                ["audit_events", "integer", "integer"], ["audit_events", "integer", "integer"], ["users", "text", "null"], ["users", "text", "null"]])
            // Integer 7 and text '7' are different rows: deleting the integer one is a loss.
            try db.execute(sql: "DELETE FROM audit_events WHERE id = 7")
            #expect(try BaselineIdentity.missing(db, "audit_events").ids == ["7"])
            #expect(try BaselineIdentity.missing(db, "users").count == 0)

            try db.execute(sql: "INSERT INTO users VALUES (NULL, 'ghost')")
            #expect(throws: DatabaseError.self) { try BaselineIdentity.record(db) }
        }
    }

    /// New rows that carry a baseline row's id are found by looking each one up in the
    /// baseline's key while the table keeps the definition it had when the baseline was taken;
    /// once the table is redefined (a text id column made an integer one), the ids are compared
    /// under the new column's affinity, so the text '7' the baseline copied still matches a new 7.
    @Test func newRowsReusingABaselineIdAreFoundBeforeAndAfterTheTableIsRedefined() throws {
        try DatabaseOpener.open(path: nil).writeWithoutTransaction { db in
            try db.execute(sql: """
                CREATE TABLE users (id TEXT, role TEXT);
                INSERT INTO users VALUES ('7', 'admin'), ('u-2', 'viewer');
                """)
            try BaselineIdentity.record(db)
            func inserted(_ sql: String) throws -> [Int64] {
                try db.execute(sql: sql)
                return [db.lastInsertedRowID]
            }
            #expect(try BaselineIdentity.reusesBaselineId(db, "users", rowids: inserted("INSERT INTO users VALUES ('u-3', 'viewer')")) == false)
            #expect(try BaselineIdentity.reusesBaselineId(db, "users", rowids: inserted("INSERT INTO users VALUES ('u-2', 'viewer')")) == true)
            // Stored as text '7' by the TEXT column: the same id.
            #expect(try BaselineIdentity.reusesBaselineId(db, "users", rowids: inserted("INSERT INTO users VALUES (7, 'viewer')")) == true)

            try db.execute(sql: """
                CREATE TABLE users_new (id INTEGER, role TEXT);
                INSERT INTO users_new SELECT * FROM users WHERE role = 'admin';
                DROP TABLE users;
                ALTER TABLE users_new RENAME TO users;
                """)
            // The baseline holds the text '7'; the new column stores 7 as an integer, and
            // Postgres-side code comparing ids would call them the same row.
            #expect(try BaselineIdentity.reusesBaselineId(db, "users", rowids: inserted("INSERT INTO users VALUES (7, 'viewer')")) == true)
            #expect(try BaselineIdentity.reusesBaselineId(db, "users", rowids: inserted("INSERT INTO users VALUES (8, 'viewer')")) == false)
        }
    }

    @Test func aDeletedRowHiddenByANewOneIsLost() throws {
        let rig = try rig()
        let gone = try rig.read { db -> String in
            // Foreign keys off: the point is the identity check, not the orphans fk.no_orphans finds.
            let id = try String.fetchOne(db, sql: "SELECT id FROM signals ORDER BY rowid LIMIT 1 OFFSET 3")!
            try db.execute(sql: "PRAGMA foreign_keys = OFF")
            try db.execute(sql: "DELETE FROM signals WHERE id = ?", arguments: [id])
            try db.execute(sql: "PRAGMA foreign_keys = ON")
            try db.execute(sql: "INSERT INTO signals (id, source, signal_type, subject, payload, received_at, created_by) VALUES ('cccccccc-0000-4000-8000-00000000000c', 'x', 't', 's', '{}', ?, 'user:x')",
                           arguments: [rig.world.clock.iso8601])
            return id
        }
        #expect(try status(rig, "baseline.counts_unchanged").holds)
        let lost = try status(rig, "baseline.no_data_lost")
        #expect(lost.evidence == [Evidence(table: "signals", rowId: gone, note: "baseline row is gone")])
    }

    @Test func anImmutableRowRewrittenBehindDisabledTriggersIsCaught() throws {
        let rig = try rig()
        #expect(try status(rig, "immutability.decisions").holds)
        let changed = try rig.read { db -> String in
            let id = try String.fetchOne(db, sql: "SELECT id FROM decisions ORDER BY rowid LIMIT 1")!
            try db.execute(sql: "INSERT OR REPLACE INTO rehearse_trigger_state VALUES ('decisions_immutable', 'D')")
            try db.execute(sql: "UPDATE decisions SET rationale = 'rewritten' WHERE id = ?", arguments: [id])
            try db.execute(sql: "UPDATE rehearse_trigger_state SET tgenabled = 'O' WHERE tgname = 'decisions_immutable'")
            return id
        }
        // The trigger is back and aborts again: only the data shows what happened.
        let status = try status(rig, "immutability.decisions")
        #expect(status.evidence == [Evidence(table: "decisions", rowId: changed, note: "baseline row was changed")])
    }

    @Test func aReplacedRowIsChangedAndADeletedOneIsDeleted() throws {
        let rig = try rig()
        let (replaced, deleted) = try rig.read { db -> (String, String) in
            let ids = try String.fetchAll(db, sql: "SELECT id FROM evidence_packs ORDER BY rowid LIMIT 2")
            try db.execute(sql: "DROP TRIGGER evidence_packs_immutable_update; DROP TRIGGER evidence_packs_immutable_delete")
            try db.execute(sql: "UPDATE evidence_packs SET content_hash = 'x' WHERE id = ?", arguments: [ids[0]])
            try db.execute(sql: "DELETE FROM evidence_packs WHERE id = ?", arguments: [ids[1]])
            return (ids[0], ids[1])
        }
        let notes = try status(rig, "immutability.evidence_packs").evidence.filter { ($0.rowId == replaced || $0.rowId == deleted) && $0.note.hasPrefix("baseline row") }.map(\.note)
        #expect(notes == ["baseline row was deleted", "baseline row was changed"])
    }

    @Test func withoutRecordedIdentityOnlyCountsAreCompared() throws {
        let rig = try StackRig()
        try rig.read { db in rig.world.baseline = try Baseline.capture(db) }
        #expect(try status(rig, "baseline.no_data_lost") == .holds(detail: "no table has fewer rows than the baseline (counts only: the baseline has no row identity)"))
    }
}

/// The SQL fingerprint (a C callback reading values in place) is the Swift one, value for value.
@Suite struct BaselineFingerprintTests {
    @Test func theSQLFunctionAndTheSwiftFunctionAgreeOnEveryType() throws {
        let queue = try DatabaseQueue()
        try queue.write { db in
            BaselineIdentity.registerFingerprint(db)
            let rows: [[DatabaseValue]] = [
                [1.databaseValue, "a".databaseValue, DatabaseValue.null], [Int64.min.databaseValue, 2.5.databaseValue, Data([0, 1, 255]).databaseValue],
                ["".databaseValue, "Ünïcödé ✓".databaseValue, (-0.0).databaseValue], ["1".databaseValue], [1.databaseValue],
                // Eight bytes at a time: whole words, a tail, bytes moved across a value boundary,
                // zero padding that is not data, text and blob with the same bytes.
                ["abcdefgh".databaseValue], ["abcdefghi".databaseValue], ["abcdefgh".databaseValue, "i".databaseValue],
                ["abcdefghijklmnop".databaseValue], [Data(count: 8).databaseValue], [Data(count: 9).databaseValue],
                [Data("abcdefgh".utf8).databaseValue],
                // Long runs go through four lanes: the lane boundary, a tail after them, the same
                // byte changed in one lane or another, and two lanes' words swapped.
                [String(repeating: "a", count: 64).databaseValue], [String(repeating: "a", count: 65).databaseValue],
                [String(repeating: "a", count: 100).databaseValue], [("x" + String(repeating: "a", count: 63)).databaseValue],
                [(String(repeating: "a", count: 8) + "x" + String(repeating: "a", count: 55)).databaseValue],
                [(String(repeating: "p", count: 8) + String(repeating: "q", count: 8) + String(repeating: "r", count: 48)).databaseValue],
                [(String(repeating: "q", count: 8) + String(repeating: "p", count: 8) + String(repeating: "r", count: 48)).databaseValue],
                [Data(repeating: 7, count: 96).databaseValue, String(repeating: "z", count: 70).databaseValue],
            ]
            var seen = Set<Int64>()
            for values in rows {
                let sql = "SELECT rehearse_fingerprint(" + values.map { _ in "?" }.joined(separator: ", ") + ")"
                let fromSQL = try Int64.fetchOne(db, sql: sql, arguments: StatementArguments(values))!
                #expect(UInt64(bitPattern: fromSQL) == BaselineIdentity.rowHash(values))
                seen.insert(fromSQL)
            }
            #expect(seen.count == rows.count, "'1' and 1 differ, and so does every other row")
        }
    }
}

/// `rehearse_schema_flags(sql)` gives what the SQL spellings it replaced give, text by text.
@Suite struct SchemaTextFlagsTests {
    /// The three answers as the change tracker reads the flags (no flags: not virtual, may
    /// mention a rowid, not WITHOUT ROWID)…
    static func asRead(_ row: Row) -> [Bool] {
        let flags: Int64? = row[0]
        return [flags.map { $0 & 1 != 0 } ?? false, flags.map { $0 & 2 != 0 } ?? true, flags.map { $0 & 4 != 0 } ?? false]
    }

    /// …and as it read the SQL spellings, NULL taken the same way.
    static func expected(_ row: Row) -> [Bool] {
        [(row[1] as Bool?) ?? false, (row[2] as Bool?) ?? true, (row[3] as Bool?) ?? false]
    }

    @Test func theFlagsAreWhatTheSQLSpellingsGive() throws {
        let texts: [String?] = [
            nil, "", "CREATE TABLE t (a)", "create virtual table v using fts5(x)", "CREATE VIRTUAL", "CREATE VIRTUA",
            "CREATE TABLE t (a) WITHOUT ROWID", "create table t (a primary key) without rowid", "CREATE TABLE t (\"_RowID_\" INTEGER)",
            "CREATE TABLE t (oid)", "CREATE TABLE t (void TEXT)", "CREATE TABLE t (rowid_count) -- without", "CREATE TABLE t (x) /* WITHOUT */ , rowid INT",
            "CREATE TABLE t (a CHECK (a <> 'wiThOuT')) WITHOUT\nROWID", "CREATE TABLE t (ROWID) WITHOU", "CREATE TABLE t (rowidwithout)",
            "CREATE TABLE «tëst» (é, oÏd, OİD)", "CREATE TABLE t (a) WİTHOUT ROWID", "ÇREATE VIRTUAL TABLE", "create\tvirtual table x using y",
            String(repeating: "x", count: 5000) + "without" + String(repeating: "y", count: 5000) + "Rowid",
        ]
        try DatabaseQueue().inDatabase { db in
            BaselineIdentity.registerFingerprint(db)
            for text in texts {
                let row = try #require(try Row.fetchOne(db, sql: """
                    SELECT rehearse_schema_flags(?1),
                           upper(substr(?1, 1, 14)) = 'CREATE VIRTUAL',
                           instr(upper(?1), 'ROWID') > 0 OR instr(upper(?1), 'OID') > 0,
                           upper(?1) LIKE '%WITHOUT%ROWID%'
                    """, arguments: [text]))
                #expect(Self.asRead(row) == Self.expected(row), "\(text.map { String($0.prefix(60)) } ?? "NULL")")
            }
            // Values a Swift string cannot bind: a NUL inside the text (`LIKE` stops there,
            // `instr` does not), blobs, a number.
            for value in ["'t WITHOUT' || char(0) || ' ROWID'", "'t (x) WITHOUT ROWID' || char(0)", "'CREATE VIRTUAL' || char(0) || 'x'",
                          "x'435245415445205649525455414c'", "x'57495448 4f555420524f574944'".replacingOccurrences(of: " ", with: ""), "12345", "x''"] {
                let row = try #require(try Row.fetchOne(db, sql: """
                    SELECT rehearse_schema_flags(v), upper(substr(v, 1, 14)) = 'CREATE VIRTUAL',
                           instr(upper(v), 'ROWID') > 0 OR instr(upper(v), 'OID') > 0, upper(v) LIKE '%WITHOUT%ROWID%'
                    FROM (SELECT \(value) AS v)
                    """))
                #expect(Self.asRead(row) == Self.expected(row), "\(value)")
            }
        }
    }

    /// The fourth flag: the word `DELETE` or `UPDATE` anywhere in a table's text, not a part of a
    /// longer name, so a foreign key's `ON DELETE CASCADE` is seen and `updated_at` is not.
    @Test func theForeignKeyActionFlagIsAWordNotAPartOfAName() throws {
        let cases: [(String, Bool)] = [
            ("CREATE TABLE c (p REFERENCES t(id) ON DELETE CASCADE)", true), ("create table c (p references t on\nupdate set null)", true),
            ("CREATE TABLE c (updated_at TEXT, deleted BOOLEAN, _update, update$, délete)", false), ("CREATE TABLE c (x) -- Delete", true),
            ("CREATE TABLE c (\"update\")", true), ("CREATE TABLE c (p REFERENCES t)", false), ("UPDATE", true), ("UPDATEx", false), ("éUPDATE", false),
        ]
        try DatabaseQueue().inDatabase { db in
            BaselineIdentity.registerFingerprint(db)
            for (text, expected) in cases {
                let flags = try #require(try Int64.fetchOne(db, sql: "SELECT rehearse_schema_flags(?)", arguments: [text]))
                #expect((flags & SchemaTextFlags.foreignKeyAction != 0) == expected, "\(text)")
            }
        }
    }
}
