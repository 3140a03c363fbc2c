import Foundation
import GRDB
import Testing
@testable import RehearsalKit

/// `pg_restore -c` of a pre-006 dump over a 007 database, on a real PostgreSQL 15 and in the
/// rehearsal: the same number of ignored errors, the same exit status, the same tables with the
/// same row counts, the same enum types and the same alembic_version afterwards.
@Suite(.enabled(if: PostgresServer.isAvailable, "needs REHEARSE_PG_PORT (tools/postgres-cluster.sh)"), .serialized)
struct PgRestoreDifferentialTests {
    static let base = """
        INSERT INTO users VALUES
         ('00000000-0000-0000-0000-0000000000a1','alice@example.com','Alice','admin',true,now()),
         ('00000000-0000-0000-0000-0000000000a2','bob@example.com','Bob','approver',true,now()),
         ('00000000-0000-0000-0000-0000000000a3','carol@example.com','Carol','analyst',true,now());
        INSERT INTO policies VALUES
         ('00000000-0000-0000-0000-0000000000b1','P1','Policy 1',NULL,'00000000-0000-0000-0000-0000000000a1',now()),
         ('00000000-0000-0000-0000-0000000000b2','P2','Policy 2','d','00000000-0000-0000-0000-0000000000a2',now());
        INSERT INTO policy_versions VALUES
         ('00000000-0000-0000-0000-0000000000c1','00000000-0000-0000-0000-0000000000b1',1,'active','{}','00000000-0000-0000-0000-0000000000a1',now()),
         ('00000000-0000-0000-0000-0000000000c2','00000000-0000-0000-0000-0000000000b2',1,'draft','{}','00000000-0000-0000-0000-0000000000a2',now());
        INSERT INTO signals VALUES
         ('00000000-0000-0000-0000-0000000000d1','src','t','s1','{}',now(),'alice'),
         ('00000000-0000-0000-0000-0000000000d2','src','t','s2','{}',now(),'bob');
        INSERT INTO evaluations VALUES
         ('00000000-0000-0000-0000-0000000000e1','00000000-0000-0000-0000-0000000000d1','00000000-0000-0000-0000-0000000000c1','fail','{}','h1','v1',now()),
         ('00000000-0000-0000-0000-0000000000e2','00000000-0000-0000-0000-0000000000d2','00000000-0000-0000-0000-0000000000c2','needs_review','{}','h2','v1',now());
        INSERT INTO exceptions VALUES
         ('00000000-0000-0000-0000-0000000000f1','00000000-0000-0000-0000-0000000000e1','00000000-0000-0000-0000-0000000000b1','E1','open',NULL,now(),NULL),
         ('00000000-0000-0000-0000-0000000000f2','00000000-0000-0000-0000-0000000000e2','00000000-0000-0000-0000-0000000000b2','E2','resolved','00000000-0000-0000-0000-0000000000a3',now(),now());
        INSERT INTO decisions VALUES
         ('00000000-0000-0000-0000-000000000101','00000000-0000-0000-0000-0000000000f1','remediate',false,'r1','00000000-0000-0000-0000-0000000000a2',now(),NULL,NULL),
         ('00000000-0000-0000-0000-000000000102','00000000-0000-0000-0000-0000000000f2','accept_risk',true,'r2','00000000-0000-0000-0000-0000000000a2',now(),'00000000-0000-0000-0000-0000000000a1',now());
        INSERT INTO evidence_packs VALUES
         ('00000000-0000-0000-0000-000000000201','00000000-0000-0000-0000-000000000101','{}','h','00000000-0000-0000-0000-0000000000a2',now()),
         ('00000000-0000-0000-0000-000000000202','00000000-0000-0000-0000-000000000102','{}','h','00000000-0000-0000-0000-0000000000a2',now());
        INSERT INTO audit_events (occurred_at, actor, action, entity_type, entity_id) VALUES
         (now(),'alice','create','policy','00000000-0000-0000-0000-0000000000b1'),
         (now(),'bob','decide','decision','00000000-0000-0000-0000-000000000101');
        """
    static let afterDeploy = """
        INSERT INTO pending_proposals (id, proposal_type, proposed_by, proposed_at, payload, expires_at, exception_id, policy_id) VALUES
         ('00000000-0000-0000-0000-000000000301','exception_dismiss','agent:bot',now(),'{}',now() + INTERVAL '1 day','00000000-0000-0000-0000-0000000000f1','00000000-0000-0000-0000-0000000000b1');
        INSERT INTO agent_traces (id, agent_type, trace_id, started_at, status, input_summary, related_exception_id, related_decision_id) VALUES
         ('00000000-0000-0000-0000-000000000401','triage','tr-1',now(),'ok','{}','00000000-0000-0000-0000-0000000000f1','00000000-0000-0000-0000-000000000101');
        INSERT INTO exceptions VALUES
         ('00000000-0000-0000-0000-0000000000f3','00000000-0000-0000-0000-0000000000e1','00000000-0000-0000-0000-0000000000b2','E3','open',NULL,now(),NULL);
        INSERT INTO decisions VALUES
         ('00000000-0000-0000-0000-000000000103','00000000-0000-0000-0000-0000000000f3','escalate',false,'r3','00000000-0000-0000-0000-0000000000a1',now(),NULL,NULL);
        """

    struct State: Equatable {
        var errors: Int
        var status: Int32
        var tables: [String: Int]
        var types: Set<String>
        var revision: String?
    }

    func postgres() throws -> State {
        let server = try PostgresServer.create("rehearse_pg_restore")
        try server.migrate(to: "005")
        #expect(try server.run(Self.base).succeeded)
        let dump = try makeTemporaryDirectory().appendingPathComponent("pre.dump").path
        let host = ProcessInfo.processInfo.environment["REHEARSE_PG_HOST"] ?? "127.0.0.1"
        let connection = ["-h", host, "-p", PostgresServer.port!, "-U", "postgres"]
        let dumped = try ChildProcess.run("/usr/bin/pg_dump", connection + ["-Fc", "-f", dump, server.database])
        #expect(dumped.status == 0, "\(dumped.stderr)")
        for file in ["006", "007"] { try server.apply(revision: file) }
        #expect(try server.run(Self.afterDeploy).succeeded)
        let restored = try ChildProcess.run("/usr/bin/pg_restore", connection + ["-c", "-d", server.database, dump])
        let errors = restored.stderr.split(separator: "\n").filter { $0.hasPrefix("pg_restore: error:") }.count
        let counts = try server.run("""
            SELECT c.relname || '=' || (xpath('/row/n/text()', query_to_xml(format('select count(*) as n from %I', c.relname), false, true, '')))[1]::text
            FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace WHERE n.nspname = 'public' AND c.relkind = 'r' ORDER BY 1;
            """).output.split(separator: "\n")
        var tables: [String: Int] = [:]
        for line in counts { let parts = line.split(separator: "="); tables[String(parts[0])] = Int(parts[1]) }
        let types = Set(try server.run("SELECT typname FROM pg_type WHERE typtype = 'e';").output.split(separator: "\n").map(String.init))
        let revision = try server.run("SELECT version_num FROM alembic_version;").output.trimmingWhitespace()
        return State(errors: errors, status: restored.status, tables: tables, types: types, revision: revision)
    }

    func rehearsal() throws -> State {
        let queue = try makeDatabase(migratedTo: "005")
        return try queue.writeWithoutTransaction { db in
            _ = try SQLConsole(source: "base", dialect: PostgresDialect(now: Seeder.defaultNow)).run(db, script: Self.base)
            let backup = try Backup.take(db, name: "pre", at: Seeder.defaultNow)
            try Migrator(chain: RevisionChain.shipped()).upgrade(db, to: "head")
            _ = try SQLConsole(source: "after", dialect: PostgresDialect(now: Seeder.defaultNow)).run(db, script: Self.afterDeploy)
            let outcome = try PgRestore.restore(backup, into: db, clean: true, ifExists: false, singleTransaction: false)
            var tables: [String: Int] = [:]
            for table in try applicationTables(db) + ["alembic_version"] { tables[table] = try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM \"\(table)\"") }
            let types = Set(try String.fetchAll(db, sql: "SELECT DISTINCT typname FROM rehearse_enum_labels"))
            return State(errors: outcome.errors, status: outcome.errors > 0 ? 1 : 0, tables: tables, types: types, revision: try MigrationBookkeeping.currentRevision(db))
        }
    }

    @Test func aPreDeployDumpRestoredOverSprint3MatchesPostgres() throws {
        let real = try postgres()
        let rehearsed = try rehearsal()
        #expect(real.errors == 19)
        #expect(rehearsed == real)
    }
}

extension PostgresServer {
    /// Applies one revision's upgrade section and records it, as alembic would.
    func apply(revision prefix: String) throws {
        let directory = packageRoot.appendingPathComponent("migrations-postgres")
        let file = try FileManager.default.contentsOfDirectory(atPath: directory.path).first { $0.hasPrefix(prefix) }!
        let text = try String(contentsOf: directory.appendingPathComponent(file), encoding: .utf8)
        let upgrade = text.components(separatedBy: "-- migrate:upgrade")[1].components(separatedBy: "-- migrate:downgrade")[0]
        let result = try run(upgrade)
        precondition(result.succeeded, "\(file): \(result.error)")
        _ = try run("DELETE FROM alembic_version; INSERT INTO alembic_version VALUES ('\(file.dropLast(4))');")
    }
}
