import Foundation
import Testing
@testable import RehearsalKit

/// `rehearse locks --pg-url`: every prediction of the lock table checked against pg_locks on a
/// real PostgreSQL 15 — 001–007 from an empty database in one transaction (as `alembic upgrade
/// head` runs them) and the extra DDL forms of Tests/Fixtures/locks/008_extra_ddl.sql.
@Suite(.enabled(if: PostgresServer.isAvailable, "needs REHEARSE_PG_PORT (tools/postgres-cluster.sh)"), .serialized)
struct LockTraceTests {
    static func url(_ database: String) -> String {
        "postgresql://postgres@\(ProcessInfo.processInfo.environment["REHEARSE_PG_HOST"] ?? "127.0.0.1"):\(PostgresServer.port!)/\(database)"
    }

    static func migrationsWithExtra() throws -> URL {
        let directory = try makeTemporaryDirectory()
        let shipped = packageRoot.appendingPathComponent("migrations-postgres")
        for name in try FileManager.default.contentsOfDirectory(atPath: shipped.path) where name.hasSuffix(".sql") {
            try FileManager.default.copyItem(at: shipped.appendingPathComponent(name), to: directory.appendingPathComponent(name))
        }
        try FileManager.default.copyItem(at: packageRoot.appendingPathComponent("Tests/Fixtures/locks/008_extra_ddl.sql"),
                                         to: directory.appendingPathComponent("008_extra_ddl.sql"))
        return directory
    }

    @Test func everyPredictionIsConfirmedOnPostgres15AndNothingIsLeftChanged() throws {
        let postgres = try PostgresServer.create("rehearse_locks")
        let directory = try Self.migrationsWithExtra()
        let result = try runRehearse(["locks", "--migrations-postgres", directory.path, "--pg-url", Self.url(postgres.database), "--format", "json"])
        #expect(result.status == 0, "\(result.stderr)")
        let report = try JSONParser.parse(result.stdout)
        let statements = (report["migrations"]?.arrayValue ?? []).flatMap { $0["statements"]?.arrayValue ?? [] }
        #expect(statements.count > 40)
        let mismatches = statements.filter { $0["trace"]?["confirmed"] != .bool(true) }
        #expect(mismatches.isEmpty, "\(mismatches.map { "\($0["sql"]?.stringValue ?? ""): missing \($0["trace"]?["missing"]?.serialized() ?? "") extra \($0["trace"]?["extra"]?.serialized() ?? "")" })")
        // The locks the checklist's 006 takes on tables the application writes.
        let text = try runRehearse(["locks", "--migrations-postgres", directory.path, "--revision", "006"])
        #expect(text.stdout.contains("exceptions ShareRowExclusiveLock — blocks writes (INSERT, UPDATE, DELETE) on exceptions"), "\(text.stdout)")
        // Rolled back: the database has no table, not even alembic_version.
        let tables = try postgres.run("SELECT count(*) FROM pg_tables WHERE schemaname = 'public';")
        #expect(tables.output.trimmingCharacters(in: .whitespacesAndNewlines) == "0", "\(tables.output)")
    }

    /// The extra DDL forms traced on a database at 007 (committed), so each statement's own
    /// locks are visible, not hidden behind those 001–007 took in the same transaction.
    @Test func theExtraDDLFormsAreConfirmedOneByOne() throws {
        let postgres = try PostgresServer.create("rehearse_locks_extra")
        let directory = try Self.migrationsWithExtra()
        let chain = try runRehearse(["locks", "--migrations-postgres", directory.path, "--pg-url", Self.url(postgres.database), "--commit"]
                                    + ["001", "002", "003", "004", "005", "006", "007"].flatMap { ["--revision", $0] })
        #expect(chain.status == 0, "\(chain.stderr)")
        let result = try runRehearse(["locks", "--migrations-postgres", directory.path, "--revision", "008", "--pg-url", Self.url(postgres.database), "--format", "json"])
        #expect(result.status == 0, "\(result.stdout.suffix(3000))\(result.stderr)")
        let statements = try JSONParser.parse(result.stdout)["migrations"]?.arrayValue?.first?["statements"]?.arrayValue ?? []
        #expect(statements.count == 21)
        let mismatches = statements.filter { $0["trace"]?["confirmed"] != .bool(true) }
        #expect(mismatches.isEmpty, "\(mismatches.map { $0.serialized() })")
        // Each DDL form locked something of its own (but SET, and CONCURRENTLY, refused in a transaction).
        let silent = statements.filter { ($0["trace"]?["observed"]?.arrayValue ?? []).isEmpty }.compactMap { $0["sql"]?.stringValue }
        #expect(silent.allSatisfy { $0.hasPrefix("SET") || $0.contains("CONCURRENTLY") || $0.hasPrefix("DROP INDEX") }, "\(silent)")
    }

    /// Under the application's workload and a transaction holding a write on exceptions, 006
    /// waits for that transaction, and the application's writes queue behind the migration;
    /// the database is left as it was.
    @Test func underLoadTheMigrationWaitsAndWritesQueueBehindIt() throws {
        let postgres = try PostgresServer.create("rehearse_locks_load")
        try postgres.migrate(to: "005")
        let result = try runRehearse(["locks", "--revision", "006", "--under-load", "--hold", "3", "--clients", "3", "--pg-url", Self.url(postgres.database)])
        #expect(result.status == 0, "\(result.stdout)\(result.stderr)")
        let written = try #require(result.stdout.firstMatch(of: /as written \(no lock_timeout\): migration ([0-9.]+) s in 1 attempt\(s\); (\d+) application statements overlapped it, (\d+) waited ≥ 1 s/), "\(result.stdout)")
        #expect(Double(written.1)! >= 1.0, "the migration waited for the long transaction: \(result.stdout)")
        #expect(Int(written.3)! >= 1, "writes queued behind the migration: \(result.stdout)")
        #expect(result.stdout.contains("with SET LOCAL lock_timeout = '5s' and retries: migration "))
        #expect(result.stdout.contains(", 0 errors"))
        let left = try postgres.run("SELECT version_num FROM alembic_version; SELECT to_regclass('public.pending_proposals') IS NULL; SELECT count(*) FROM signals;")
        #expect(left.output.split(separator: "\n").map(String.init) == ["005_add_immutability_triggers", "t", "0"], "\(left.output)")
    }

    /// 006 and 007 traced on a database already at 005 (the production situation).
    @Test func the006And007OfTheChecklistAreTracedFrom005() throws {
        let postgres = try PostgresServer.create("rehearse_locks_005")
        try postgres.migrate(to: "005")
        let result = try runRehearse(["locks", "--revision", "006", "--revision", "007", "--pg-url", Self.url(postgres.database)])
        #expect(result.status == 0, "\(result.stdout)\(result.stderr)")
        #expect(result.stdout.contains("traced on PostgreSQL (PostgreSQL 15."))
        #expect(result.stdout.contains("confirmed; rolled back, the database is unchanged") || result.stdout.contains("statements confirmed; rolled back"))
        let version = try postgres.run("SELECT version_num FROM alembic_version;")
        #expect(version.output.contains("005_add_immutability_triggers"))
    }
}
