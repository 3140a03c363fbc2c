import GRDB
import Testing
@testable import RehearsalKit

@Suite struct SQLConsoleTests {
    @Test func splitsStatementsButNotInsideTriggerBodiesStringsOrComments() {
        let script = """
            -- leading comment; with a semicolon
            SELECT 'a;b';
            CREATE TRIGGER t BEFORE DELETE ON x BEGIN SELECT RAISE(ABORT, 'no; never'); END;
              /* block; comment */ SELECT 2
            """
        let statements = SQLScript.statements(in: script)
        #expect(statements.map(\.sql) == [
            "SELECT 'a;b';",
            "CREATE TRIGGER t BEFORE DELETE ON x BEGIN SELECT RAISE(ABORT, 'no; never'); END;",
            "SELECT 2",
        ])
        #expect(statements.map(\.line) == [2, 3, 4])
        #expect(statements[2].column == 24)
    }

    /// Hostile statements end with an error naming the limit, and the script's earlier
    /// statements are rolled back (docs/limits.md).
    @Test func workIsBounded() throws {
        let queue = try makeDatabase()
        try queue.writeWithoutTransaction { db in
            func refusal(_ script: String) -> String? {
                do { _ = try SQLConsole(source: "s", dialect: PostgresDialect(now: Seeder.defaultNow)).run(db, script: script); return nil }
                catch let error as SQLStatementError { return error.message }
                catch { return "\(error)" }
            }
            let before = try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM users")
            #expect(refusal("INSERT INTO users (id, email, display_name, role, created_at) VALUES ('00000000-0000-4000-8000-0000000000ff', 'x@example.com', 'X', 'viewer', now()); SELECT zeroblob(1000000000)")
                    == "a value is larger than 64 MiB (the console's limit, docs/limits.md)")
            #expect(try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM users") == before)
            #expect(refusal("WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM c LIMIT 1000001) SELECT x FROM c")
                    == "the result has more than 1000000 rows (the console's limit, docs/limits.md); add a LIMIT or an aggregate")
            #expect(refusal("SELECT " + String(repeating: "(", count: 100_000) + "1" + String(repeating: ")", count: 100_000))?
                .hasSuffix("nested more than 1000 parentheses deep (SQLite's expression depth limit)") == true)
            #expect(refusal("WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM c) SELECT count(*) FROM c")?
                .hasPrefix("stopped after 500 million SQLite steps (the console's work budget, docs/limits.md): WITH RECURSIVE") == true)
            // The budget is per script: the next one runs.
            #expect(refusal("SELECT 1") == nil)
        }
    }

    @Test func printsRowsLikePsql() throws {
        let queue = try makeDatabase()
        let outcomes = try queue.writeWithoutTransaction { db in
            try SQLConsole(source: "<argument>").run(db, script: "SELECT 'decisions' AS table_name, 42 AS count UNION ALL SELECT 'audit_events', 1234567")
        }
        #expect(outcomes.first?.psqlTable() == [
            "  table_name  |  count",
            "--------------+---------",
            " decisions    |      42",
            " audit_events | 1234567",
            "(2 rows)",
        ].joined(separator: "\n"))
    }

    @Test func alignsColumnsAndCountsRows() throws {
        let queue = try makeDatabase()
        let outcome = try queue.writeWithoutTransaction { db in
            try SQLConsole(source: "<argument>").run(db, script: "SELECT version_num FROM alembic_version")
        }.first!
        #expect(outcome.psqlTable() == """
                 version_num
            ----------------------
             007_add_agent_traces
            (1 row)
            """)
        #expect(outcome.jsonRows().serialized() == #"[{"version_num":"007_add_agent_traces"}]"#)
    }

    @Test func commandTagsFollowPsql() throws {
        let queue = try makeDatabase()
        let outcomes = try queue.writeWithoutTransaction { db in
            try SQLConsole(source: "<stdin>").run(db, script: """
                INSERT INTO pending_proposals (id, proposal_type, proposed_by, proposed_at, payload, expires_at)
                VALUES ('cccccccc-cccc-4ccc-8ccc-cccccccccccc', 'signal', 'deploy_test', '2026-01-14T09:00:00Z', '{"test": true}', '2026-01-14T08:00:00Z');
                UPDATE pending_proposals SET status = 'expired' WHERE proposed_by = 'deploy_test';
                DELETE FROM pending_proposals WHERE proposed_by = 'deploy_test';
                """)
        }
        #expect(outcomes.map { $0.psqlTable() } == ["INSERT 0 1", "UPDATE 1", "DELETE 1"])
    }

    @Test func aFailingStatementKeepsNothingOfTheScriptAndNamesItsLine() throws {
        let queue = try makeDatabase()
        try queue.writeWithoutTransaction { db in
            try SchemaFixture.insertAll(db)
            let before = try dataDump(db)
            let error = #expect(throws: SQLStatementError.self) {
                try SQLConsole(source: "<stdin>").run(db, script: """
                    DELETE FROM pending_proposals;
                    UPDATE decisions SET rationale = 'x';
                    """)
            }
            #expect(error?.description == "<stdin>:2:1: ERROR: decisions is immutable: UPDATE rejected by trigger decisions_immutable")
            #expect(error?.exitStatus == .failed)
            #expect(try dataDump(db) == before)
        }
    }

    @Test func aStatementSQLiteCannotRunIsInvalidInput() throws {
        let queue = try makeDatabase()
        queue.writeWithoutTransaction { db in
            let error = #expect(throws: SQLStatementError.self) {
                try SQLConsole(source: "<argument>").run(db, script: "SELECT * FROM no_such_table")
            }
            #expect(error?.description == "<argument>:1:1: ERROR: no such table: no_such_table")
            #expect(error?.exitStatus == .invalidInput)
        }
    }
}
