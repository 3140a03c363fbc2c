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
