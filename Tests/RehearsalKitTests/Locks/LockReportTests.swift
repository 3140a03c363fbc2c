import Foundation
import Testing
@testable import RehearsalKit

/// `rehearse locks` without a server: the statements, the predictions, the findings and the
/// refusals. LockTraceTests proves the predictions on PostgreSQL 15.
@Suite struct LockReportTests {
    static func shipped() throws -> [LockReport.MigrationFile] {
        try LockReport.loadMigrations(directory: packageRoot.appendingPathComponent("migrations-postgres").path)
    }

    @Test func statementsAreSplitAsPostgresReadsThem() throws {
        let sql = """
            -- a comment; not a statement
            CREATE FUNCTION f() RETURNS trigger AS $$ BEGIN RAISE EXCEPTION 'a;b'; END; $$ LANGUAGE plpgsql;
            INSERT INTO t VALUES ('it''s; fine', "odd;name"); /* ; */ SELECT $tag$ ; $tag$;
            """
        let statements = try PostgresStatements.split(sql, file: "x.sql")
        #expect(statements.count == 3)
        #expect(statements[0].kind == "CREATE FUNCTION" && statements[0].line == 2 && statements[0].column == 1)
        #expect(statements[1].kind == "INSERT" && statements[1].table == "t")
        let error = #expect(throws: PostgresSplitError.self) { try PostgresStatements.split("SELECT 1;\nCREATE FUNCTION g() AS $$ BEGIN", file: "bad.sql") }
        #expect(error?.description == "bad.sql:2:24: error: this $$ quote is never closed")
    }

    /// 006 as the checklist writes it: a new table whose foreign keys lock exceptions and
    /// policies against writes until the migration commits, and no lock_timeout.
    @Test func theChecklists006LocksTheTablesItReferences() throws {
        let report = try LockReport.analyse(Self.shipped(), only: ["006"])
        let migration = try #require(report.migrations.first)
        #expect(migration.revision == "006_add_pending_proposals")
        let create = try #require(migration.statements.first { $0.statement.kind == "CREATE TABLE" })
        let locks = Set(create.locks.map { "\($0.relation) \($0.mode.rawValue)" })
        #expect(locks.isSuperset(of: ["pending_proposals AccessExclusiveLock", "pending_proposals_pkey AccessExclusiveLock",
                                      "exceptions ShareRowExclusiveLock", "policies ShareRowExclusiveLock"]))
        #expect(migration.blocked.map(\.relation) == ["exceptions", "policies"])
        #expect(migration.blocked.first?.operations == ["writes (INSERT, UPDATE, DELETE)"])
        let severities = migration.findings.map(\.severity)
        #expect(severities.contains(.high) && severities.contains(.info))
        #expect(migration.findings.contains { $0.message.hasPrefix("no lock_timeout") })
        #expect(migration.findings.contains { $0.message.hasPrefix("a foreign key to exceptions, policies takes ShareRowExclusiveLock") })
        // The bookkeeping statement alembic adds.
        #expect(migration.statements.last?.statement.sql == "UPDATE alembic_version SET version_num='006_add_pending_proposals' WHERE alembic_version.version_num = '005_add_immutability_triggers'")
        #expect(migration.statements.allSatisfy { $0.known })
    }

    /// Table 13.2 decides what a lock blocks of the application's work.
    @Test func whatALockBlocksComesFromTheConflictTable() {
        #expect(PostgresLockMode.accessShare.blocks == [])
        #expect(PostgresLockMode.shareUpdateExclusive.blocks == [])
        #expect(PostgresLockMode.share.blocks == ["writes (INSERT, UPDATE, DELETE)"])
        #expect(PostgresLockMode.shareRowExclusive.blocks == ["writes (INSERT, UPDATE, DELETE)"])
        #expect(PostgresLockMode.exclusive.blocks == ["row locks (SELECT … FOR UPDATE)", "writes (INSERT, UPDATE, DELETE)"])
        #expect(PostgresLockMode.accessExclusive.blocks.count == 3)
        for mode in PostgresLockMode.allCases { for other in mode.conflicts { #expect(other.conflicts.contains(mode), "\(mode) and \(other) conflict both ways") } }
    }

    /// A statement the table does not know is reported, never silently safe: exit 2 with its
    /// place; a file that does not parse and a missing revision are exit 2 too.
    @Test func unknownStatementsAndBadFilesAreExitTwo() throws {
        let directory = try makeTemporaryDirectory()
        try "-- revision: 001_x\n-- migrate:upgrade\nCREATE TABLE t (id INT);\nALTER TABLE t ALTER COLUMN id TYPE BIGINT;\n-- migrate:downgrade\n"
            .write(to: directory.appendingPathComponent("001_x.sql"), atomically: true, encoding: .utf8)
        let unknown = try runRehearse(["locks", "--migrations-postgres", directory.path])
        #expect(unknown.status == 2)
        #expect(unknown.stdout.contains("[unknown: check by tracing]"))
        #expect(unknown.stderr.contains("001_x.sql:4:1: error: unknown: check by tracing (`ALTER TABLE t ALTER COLUMN id TYPE BIGINT`"), "\(unknown.stderr)")
        try "-- revision: 001_x\n-- migrate:upgrade\nINSERT INTO t VALUES ('open;\n-- migrate:downgrade\n".write(to: directory.appendingPathComponent("001_x.sql"), atomically: true, encoding: .utf8)
        let broken = try runRehearse(["locks", "--migrations-postgres", directory.path])
        #expect(broken.status == 2 && broken.stderr.contains("001_x.sql:3:23: error: this string is never closed"), "\(broken.stderr)")
        let missing = try runRehearse(["locks", "--revision", "009"])
        #expect(missing.status == 2 && missing.stderr.contains("--revision 009: no migration has that revision"), "\(missing.stderr)")
    }

    @Test(.enabled(if: OptionalTool.has("psql"), "needs psql (apt-get install postgresql-client-15; .ci/run installs it)"))
    func anUnreachableServerIsExitTwo() throws {
        let result = try runRehearse(["locks", "--revision", "006", "--pg-url", "postgresql://nobody@127.0.0.1:9/none"])
        #expect(result.status == 2)
        #expect(result.stderr.hasPrefix("error: --pg-url: cannot reach the database: "), "\(result.stderr)")
    }

    /// 2.1's Risk Assessment held against the analysis: "Minimal - empty table" is wrong (the
    /// foreign keys lock exceptions and policies), the enum and index rows are right, and the
    /// table misses the lock_timeout; 2.2's rows are not about locks and it misses its foreign keys.
    @Test func theChecklistsRiskAssessmentIsJudged() throws {
        let sections = LockAssessment.forChecklist(try ChecklistParser.shipped())
        #expect(sections.map(\.number) == ["2.1", "2.2"])
        let first = try #require(sections.first)
        #expect(first.revision == "006_add_pending_proposals")
        #expect(first.rows.map(\.right) == [false, true, true])
        #expect(first.rows[0].why.contains("writes (INSERT, UPDATE, DELETE) on exceptions"))
        #expect(first.missing.contains("not in the table: no lock_timeout is set"))
        #expect(first.runtime?.hasPrefix("Estimated Runtime: < 5 seconds: the DDL itself is fast") == true && !first.runtimeRight)
        #expect(sections[1].rows.allSatisfy { $0.right == nil })
        #expect(sections[1].missing.first == "not in the table: the foreign keys lock decisions, exceptions against writes until the migration commits")
        // Under the checklist's own table in `rehearse checklist --format markdown`, and in the deploy record.
        let record = try runRehearse(["checklist", "--format", "markdown"])
        #expect(record.stdout.contains("> - [!] \"Table creation locks pg_class\" — wrong: "))
        let deploy = try runRehearse(["run", "--format", "markdown", "scenarios/01-happy-path-deploy.yaml"], currentDirectory: packageRoot)
        #expect(deploy.stdout.contains("## Migration lock risk (2.1, 2.2)"))
        #expect(deploy.stdout.contains("| 2.1 (006) | Enum creation is fast: Low risk | [x] right: CREATE TYPE takes no table lock |"))
    }

    /// The markdown and JSON forms carry the same predictions.
    @Test func formats() throws {
        let json = try runRehearse(["locks", "--revision", "007", "--format", "json"])
        #expect(json.status == 0, "\(json.stderr)")
        let parsed = try JSONParser.parse(json.stdout)
        #expect(parsed["format"] == .string("rehearse-locks/1"))
        let markdown = try runRehearse(["locks", "--revision", "007", "--format", "markdown"])
        #expect(markdown.stdout.contains("## 007_add_agent_traces"))
        #expect(markdown.stdout.contains("exceptions ShareRowExclusiveLock"))
    }
}
