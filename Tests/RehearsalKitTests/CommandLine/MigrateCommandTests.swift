import Foundation
import Testing
@testable import RehearsalKit

/// End to end through the built binary, as a user runs it.
@Suite struct MigrateCommandTests {
    @Test func migrateUpgradeCurrentDowngradeOnATemporaryFile() throws {
        let directory = try makeTemporaryDirectory()
        let db = directory.appendingPathComponent("rehearsal.db").path
        let up = try runRehearse(["migrate", "upgrade", "005", "--db", db], currentDirectory: directory)
        #expect(up.status == 0)
        #expect(up.stdout.split(separator: "\n").count == 5)
        #expect(up.stdout.hasSuffix("Running upgrade 004_create_audit_events -> 005_add_immutability_triggers, add immutability triggers\n"))

        let plusOne = try runRehearse(["migrate", "upgrade", "+1", "--db", db])
        #expect(plusOne.stdout == "INFO  [alembic.runtime.migration] Running upgrade 005_add_immutability_triggers -> 006_add_pending_proposals, add pending proposals\n")
        #expect(try runRehearse(["migrate", "upgrade", "+1", "--db", db]).status == 0)
        #expect(try runRehearse(["migrate", "current", "--db", db]).stdout == "007_add_agent_traces (head)\n")

        let down = try runRehearse(["migrate", "downgrade", "-1", "--db", db])
        #expect(down.stdout == "INFO  [alembic.runtime.migration] Running downgrade 007_add_agent_traces -> 006_add_pending_proposals, add agent traces\n")
        #expect(try runRehearse(["migrate", "current", "--db", db]).stdout == "006_add_pending_proposals\n")
        #expect(try runRehearse(["migrate", "downgrade", "base", "--db", db]).status == 0)
        #expect(try runRehearse(["migrate", "current", "--db", db]).stdout == "")
    }

    @Test func historyVerboseShowsEveryRevision() throws {
        let db = try makeTemporaryDirectory().appendingPathComponent("h.db").path
        let result = try runRehearse(["migrate", "history", "--verbose", "--db", db])
        #expect(result.status == 0)
        #expect(result.stdout.components(separatedBy: "Rev: ").count == 8)
        #expect(result.stdout.contains("Rev: 007_add_agent_traces (head)\nParent: 006_add_pending_proposals\nPath: migrations-sqlite/007_add_agent_traces.sql"))
    }

    @Test func aMalformedMigrationsDirectoryIsExitTwoNamingTheFile() throws {
        let directory = try copyOfShippedMigrations()
        try "".write(to: directory.appendingPathComponent("008_empty.sql"), atomically: true, encoding: .utf8)
        let db = try makeTemporaryDirectory().appendingPathComponent("m.db").path
        let result = try runRehearse(["migrate", "upgrade", "head", "--db", db, "--migrations", directory.path])
        #expect(result.status == 2)
        #expect(result.stderr == "\(directory.path)/008_empty.sql:1:1: error: empty revision file\n")
        #expect(result.stdout == "")
    }

    @Test func usageErrorsExitSixtyFour() throws {
        let db = try makeTemporaryDirectory().appendingPathComponent("u.db").path
        #expect(try runRehearse(["migrate", "upgrade", "nonsense", "--db", db]).status == 64)
        #expect(try runRehearse(["migrate", "downgrade", "--db", db]).status == 64)
        #expect(try runRehearse(["migrate", "sideways", "--db", db]).status == 64)
    }

    @Test func sqlRunsStatementsFromTheArgumentAndStdin() throws {
        let db = try makeTemporaryDirectory().appendingPathComponent("s.db").path
        _ = try runRehearse(["migrate", "upgrade", "head", "--db", db])
        let table = try runRehearse(["sql", "--db", db, "SELECT version_num FROM alembic_version"])
        #expect(table.stdout == "     version_num\n----------------------\n 007_add_agent_traces\n(1 row)\n")
        let json = try runRehearse(["sql", "--db", db, "--json"], stdin: "SELECT count(*) AS n FROM decisions; SELECT 1 AS one;")
        #expect(json.stdout == "[{\"n\":0}]\n[{\"one\":1}]\n")
    }

    @Test func sqlErrorsNameTheConstraintAndKeepNothing() throws {
        let db = try makeTemporaryDirectory().appendingPathComponent("e.db").path
        _ = try runRehearse(["migrate", "upgrade", "head", "--db", db])
        let script = SchemaFixture.rows.prefix(8).map { SchemaFixture.insertSQL($0.table, $0.values) + ";" }.joined(separator: "\n")
            + "\n" + SchemaFixture.variantInsert("decisions", column: "is_hard_override", literal: "1") + ";"
        let result = try runRehearse(["sql", "--db", db], stdin: script)
        #expect(result.status == 1)
        #expect(result.stderr == "<stdin>:9:1: ERROR: CHECK constraint failed: ck_hard_override_requires_approval\n")
        #expect(try runRehearse(["sql", "--db", db, "--json", "SELECT count(*) AS n FROM users"]).stdout == "[{\"n\":0}]\n")
        let syntax = try runRehearse(["sql", "--db", db, "SELEC 1"])
        #expect(syntax.status == 2)
        #expect(syntax.stderr == "<argument>:1:1: ERROR: near \"SELEC\": syntax error\n")
    }

    @Test func aFileThatIsNotADatabaseIsExitTwo() throws {
        let path = try makeTemporaryDirectory().appendingPathComponent("not.db")
        try String(repeating: "this is not sqlite ", count: 100).write(to: path, atomically: true, encoding: .utf8)
        let result = try runRehearse(["migrate", "current", "--db", path.path])
        #expect(result.status == 2)
        #expect(result.stderr == "\(path.path): error: migrate current failed: cannot open the database: the file is corrupt or not a SQLite database (SQLite: file is not a database; SQLite result code 26)\n")
    }
}
