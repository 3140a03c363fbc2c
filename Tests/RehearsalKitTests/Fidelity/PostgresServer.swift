import Foundation

/// A PostgreSQL server reached through `psql`, available when `REHEARSE_PG_PORT` is set
/// (`tools/postgres-cluster.sh` starts a throwaway cluster and sets it; `.ci/run` does that).
struct PostgresServer {
    static var port: String? { ProcessInfo.processInfo.environment["REHEARSE_PG_PORT"] }
    static var isAvailable: Bool { port != nil }

    let database: String

    struct Result {
        var succeeded: Bool
        var output: String
        var error: String
    }

    static func psql(_ arguments: [String], input: String? = nil) throws -> Result {
        let host = ProcessInfo.processInfo.environment["REHEARSE_PG_HOST"] ?? "127.0.0.1"
        let options = ["-h", host, "-p", port!, "-U", "postgres", "-X", "-q", "-A", "-t", "-v", "ON_ERROR_STOP=1"]
        let result = try ChildProcess.run("/usr/bin/psql", options + arguments, stdin: input ?? "")
        return Result(succeeded: result.status == 0, output: result.stdout, error: result.stderr)
    }

    /// A fresh database for one test.
    static func create(_ name: String) throws -> PostgresServer {
        _ = try psql(["-d", "postgres", "-c", "DROP DATABASE IF EXISTS \(name)"])
        let created = try psql(["-d", "postgres", "-c", "CREATE DATABASE \(name)"])
        precondition(created.succeeded, created.error)
        return PostgresServer(database: name)
    }

    func run(_ sql: String) throws -> Result {
        try Self.psql(["-d", database, "-F", "\u{1F}"], input: sql)
    }

    /// Applies the upgrade section of every revision in `migrations-postgres/`, in order.
    func migrate(to last: String = "007") throws {
        // What alembic itself keeps, as rehearse's migrator keeps it.
        _ = try run("CREATE TABLE alembic_version (version_num VARCHAR(32) NOT NULL, CONSTRAINT alembic_version_pkc PRIMARY KEY (version_num));")
        let directory = packageRoot.appendingPathComponent("migrations-postgres")
        let files = try FileManager.default.contentsOfDirectory(atPath: directory.path).filter { $0.hasSuffix(".sql") }.sorted()
        for file in files where file <= last + "~" {
            let text = try String(contentsOf: directory.appendingPathComponent(file), encoding: .utf8)
            let upgrade = text.components(separatedBy: "-- migrate:upgrade")[1].components(separatedBy: "-- migrate:downgrade")[0]
            let result = try run(upgrade)
            precondition(result.succeeded, "\(file): \(result.error)")
            _ = try run("DELETE FROM alembic_version; INSERT INTO alembic_version VALUES ('\(file.dropLast(4))');")
        }
    }
}
