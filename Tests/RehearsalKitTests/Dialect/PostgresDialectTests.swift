import GRDB
import Testing
@testable import RehearsalKit

@Suite struct PostgresDialectTests {
    let now = Timestamp(iso8601: "2026-01-14T09:00:00Z")!

    func run(_ sql: String, _ db: Database) throws -> [StatementOutcome] {
        try SQLConsole(source: "t", dialect: PostgresDialect(now: now, seed: 3)).run(db, script: sql)
    }

    /// SQLite-only syntax never reaches SQLite: Postgres's own parse error.
    @Test(arguments: [("REPLACE INTO users (id) VALUES ('x')", "REPLACE"), ("INSERT OR IGNORE INTO users (id) VALUES ('x')", "OR"),
                      ("insert or replace into users (id) values ('x')", "or"), ("UPDATE OR ROLLBACK users SET role = 'x'", "OR"), ("PRAGMA foreign_keys = OFF", "PRAGMA")])
    func sqliteOnlySyntaxIsAPostgresSyntaxError(sql: String, near: String) throws {
        let queue = try makeDatabase()
        try queue.writeWithoutTransaction { (db: Database) throws in
            let before = try dataDump(db)
            let error = #expect(throws: SQLStatementError.self) { try run(sql, db) }
            #expect(error?.message == "syntax error at or near \"\(near)\"")
            #expect(try dataDump(db) == before)
        }
    }

    @Test func triggersAreControlledAsInPostgres() throws {
        let (queue, _) = try makeSeededDatabase()
        try queue.writeWithoutTransaction { (db: Database) throws in
            let update = "UPDATE decisions SET rationale = 'x' WHERE rowid = 1 RETURNING rationale"
            #expect(throws: SQLStatementError.self) { try run(update, db) }
            let disabled = try run("ALTER TABLE decisions DISABLE TRIGGER decisions_immutable; \(update); ALTER TABLE decisions ENABLE TRIGGER decisions_immutable", db)
            #expect(disabled.map { $0.psqlTable() } == ["ALTER TABLE", " rationale\n-----------\n x\n(1 row)", "ALTER TABLE"])
            #expect(throws: SQLStatementError.self) { try run(update, db) }
            // A replica session: ordinary triggers off until the session (the script) ends.
            #expect(try run("SET session_replication_role = replica; DELETE FROM audit_events WHERE id = 1", db).last?.psqlTable() == "DELETE 1")
            #expect(throws: SQLStatementError.self) { try run("DELETE FROM audit_events WHERE id = 2", db) }
            #expect(throws: SQLStatementError.self) { try run("ALTER TABLE decisions ENABLE ALWAYS TRIGGER decisions_immutable; SET session_replication_role = replica; \(update)", db) }
            _ = try run("DROP TRIGGER evidence_packs_immutable ON evidence_packs", db)
            #expect(try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM sqlite_master WHERE name LIKE 'evidence_packs_immutable%'") == 0)
            let missing = #expect(throws: SQLStatementError.self) { try run("DROP TRIGGER evidence_packs_immutable ON evidence_packs", db) }
            #expect(missing?.message == "trigger \"evidence_packs_immutable\" for table \"evidence_packs\" does not exist")
            #expect(try run("DROP TRIGGER IF EXISTS evidence_packs_immutable ON evidence_packs", db).map { $0.psqlTable() } == ["DROP TRIGGER"])
        }
    }

    @Test func transactionCommandsBehaveAsInPsql() throws {
        let (queue, _) = try makeSeededDatabase()
        try queue.writeWithoutTransaction { (db: Database) throws in
            #expect(try run("COMMIT", db).map { $0.psqlTable() } == ["WARNING:  there is no transaction in progress\nCOMMIT"])
            #expect(try run("ROLLBACK", db).map { $0.psqlTable() } == ["WARNING:  there is no transaction in progress\nROLLBACK"])
            let name = try String.fetchOne(db, sql: "SELECT display_name FROM users WHERE rowid = 1")
            _ = try run("BEGIN; UPDATE users SET display_name = 'gone' WHERE rowid = 1; ROLLBACK", db)
            #expect(try String.fetchOne(db, sql: "SELECT display_name FROM users WHERE rowid = 1") == name)
            _ = try run("START TRANSACTION; UPDATE users SET display_name = 'kept' WHERE rowid = 1; COMMIT", db)
            #expect(try String.fetchOne(db, sql: "SELECT display_name FROM users WHERE rowid = 1") == "kept")
        }
    }

    @Test(arguments: [
        ("SELECT DISTINCT ON (status) status FROM exceptions", "DISTINCT ON", 8),
        ("SELECT id FROM users WHERE id = ANY(ARRAY['a'])", "ANY(...)", 33),
        ("SELECT date_trunc('day', occurred_at) FROM audit_events", "date_trunc()", 8),
        ("SELECT email FROM users WHERE email ~ 'x'", "~ regular-expression operators", 37),
        ("SELECT $1", "$-parameters or dollar quoting", 8),
        ("SELECT '1 day'::interval", "::interval", 15),
        ("SELECT INTERVAL '1 day'", "INTERVAL", 8),
        ("CREATE TYPE mood AS ENUM ('ok')", "CREATE TYPE", 1),
        ("\\d+ decisions", "\\d+", 1),
        ("ALTER TABLE decisions ENABLE REPLICA TRIGGER decisions_immutable", "ENABLE REPLICA TRIGGER", 23),
    ])
    func unsupportedConstructsAreRefusedByName(sql: String, construct: String, column: Int) throws {
        let queue = try makeDatabase()
        try queue.writeWithoutTransaction { (db: Database) throws in
            let error = #expect(throws: SQLStatementError.self) { try run(sql, db) }
            #expect(error?.message.hasPrefix("unsupported Postgres construct \(construct):") == true, "\(error?.message ?? "")")
            #expect(error?.exitStatus == .invalidInput)
            // The error points at the construct, not at the statement's start.
            #expect(error?.location == SourceLocation(file: "t", line: 1, column: column))
        }
    }

    @Test func timeAndUUIDsComeFromTheVirtualClockAndTheSeed() throws {
        let queue = try makeDatabase()
        try queue.writeWithoutTransaction { db in
            let first = try run("SELECT NOW() AS now, NOW() - INTERVAL '1 hour' AS earlier, CURRENT_TIMESTAMP + INTERVAL '1 day 2 hours' AS later, gen_random_uuid() AS id", db)
            guard case .rows(_, let values, _) = first[0] else { Issue.record("no rows"); return }
            #expect(values[0][0] == "2026-01-14T09:00:00Z".databaseValue)
            #expect(values[0][1] == "2026-01-14T08:00:00Z".databaseValue)
            #expect(values[0][2] == "2026-01-15T11:00:00Z".databaseValue)
            let again = try run("SELECT gen_random_uuid()", db)
            guard case .rows(_, let second, _) = again[0] else { return }
            #expect(values[0][3] == second[0][0])  // same seed, same first UUID
        }
    }

    @Test func castsAreDroppedOrBecomeCasts() throws {
        let queue = try makeDatabase()
        let json = try queue.writeWithoutTransaction { db in
            try run("SELECT '{\"a\": 1}'::jsonb ->> 'a', '42'::int + 1, 'decisions'::regclass, 'x'::character varying", db).first?.jsonRows().serialized()
        }
        // psql's headers: operator expressions are ?column? (a repeated JSON key gets a suffix), a cast of a literal is its type.
        #expect(json == #"[{"?column?":1,"?column?_2":43,"regclass":"decisions","varchar":"x"}]"#)
    }

    @Test func truncateIgnoresRowTriggersButNeedsCascadeForReferencedTables() throws {
        let queue = try makeDatabase()
        try queue.writeWithoutTransaction { db in
            try SchemaFixture.insertAll(db)
            // Postgres's TRUNCATE fires no row-level DELETE trigger: audit_events empties.
            #expect(try run("TRUNCATE audit_events", db).map { $0.psqlTable() } == ["TRUNCATE TABLE"])
            #expect(try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM audit_events") == 0)
            #expect(try evaluate("immutability.audit_events", db).holds)
            let error = #expect(throws: SQLStatementError.self) { try run("TRUNCATE decisions", db) }
            #expect(error?.message == "cannot truncate a table referenced in a foreign key constraint: table \"evidence_packs\" references \"decisions\" (use TRUNCATE ... CASCADE)")
            #expect(try run("TRUNCATE TABLE decisions CASCADE", db).map { $0.psqlTable() } == ["TRUNCATE TABLE"])
            #expect(try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM evidence_packs") == 0)
            #expect(try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM agent_traces") == 0)
            // A trigger disabled before the TRUNCATE stays disabled after it.
            try db.execute(sql: "INSERT INTO rehearse_trigger_state VALUES ('evidence_packs_immutable', 'D')")
            _ = try run("TRUNCATE evidence_packs", db)
            #expect(try String.fetchOne(db, sql: "SELECT tgenabled FROM rehearse_trigger_state WHERE tgname = 'evidence_packs_immutable'") == "D")
            #expect(try String.fetchAll(db, sql: "SELECT tgname FROM rehearse_trigger_state ORDER BY 1") == ["evidence_packs_immutable"])
        }
    }

    @Test func metaCommandListsTables() throws {
        let queue = try makeDatabase()
        try queue.writeWithoutTransaction { db in
            let tables = try run("\\dt", db)[0].jsonRows().arrayValue!.map { $0["Name"]!.stringValue! }
            #expect(tables == ["agent_traces", "alembic_version", "audit_events", "decisions", "evaluations", "evidence_packs", "exceptions", "pending_proposals", "policies", "policy_versions", "signals", "users"])
        }
    }

    /// Every timestamptz form the application or an operator writes is read as Postgres reads
    /// it, and stored as the instant in UTC; text that is no time is still refused.
    @Test func timestamptzInputIsReadInEveryFormPostgresAccepts() throws {
        let queue = try makeDatabase()
        try queue.writeWithoutTransaction { db in
            try SchemaFixture.insertAll(db)
            func expiry(_ literal: String) throws -> String? {
                _ = try run("UPDATE pending_proposals SET expires_at = '\(literal)'", db)
                return try String.fetchOne(db, sql: "SELECT expires_at FROM pending_proposals")
            }
            #expect(try expiry("2026-01-15") == "2026-01-15T00:00:00Z")
            #expect(try expiry("2026-01-15 10:00:00+00") == "2026-01-15T10:00:00Z")
            #expect(try expiry("2026-01-15 10:00:00+0530") == "2026-01-15T04:30:00Z")
            #expect(try expiry("2026-01-15T10:00:00-03:30") == "2026-01-15T13:30:00Z")
            #expect(try expiry("2026-01-15T10:00:00.250Z") == "2026-01-15T10:00:00.25Z")
            #expect(try expiry("2026-01-15 10:00-01") == "2026-01-15T11:00:00Z")
            #expect(try expiry("tomorrow") == "2026-01-15T00:00:00Z")
            // Refused as Postgres refuses them, and nothing changes.
            for bad in ["2026-02-30", "2026-01-15 10:00:00+5", "soon"] {
                #expect(throws: SQLStatementError.self) { _ = try expiry(bad) }
                #expect(try String.fetchOne(db, sql: "SELECT expires_at FROM pending_proposals") == "2026-01-15T00:00:00Z")
            }
            // Comparisons read the literal as an instant too, whichever side it is on.
            let due = try run("SELECT count(*) FROM pending_proposals p WHERE p.expires_at <= '2026-01-15 01:00+01' AND '2026-01-14' < p.expires_at", db)
            #expect(due.last?.psqlCells == [["1"]])
            // INSERT … VALUES: a date-only expires_at is accepted, as PostgreSQL 15 accepts it.
            _ = try run("""
                INSERT INTO pending_proposals (id, proposal_type, proposed_by, proposed_at, payload, status, expires_at)
                VALUES ('00000000-0000-4000-8000-00000000aaaa', 'signal', 'agent', '2026-01-14 09:00:00+00', '{"note": "2026-01-15"}', 'pending', '2026-01-16')
                """, db)
            let row = try Row.fetchOne(db, sql: "SELECT proposed_at, expires_at, payload FROM pending_proposals WHERE id = '00000000-0000-4000-8000-00000000aaaa'")!
            #expect(row[0] as String == "2026-01-14T09:00:00Z")
            #expect(row[1] as String == "2026-01-16T00:00:00Z")
            // A date inside another column's text is data, not a timestamp.
            #expect(row[2] as String == "{\"note\": \"2026-01-15\"}")
        }
    }
}
