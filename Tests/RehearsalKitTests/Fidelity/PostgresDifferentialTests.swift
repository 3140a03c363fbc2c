import Foundation
import GRDB
import Testing
@testable import RehearsalKit

/// The same corpus on PostgreSQL 15 and on the SQLite translation: every statement is accepted
/// or rejected by both, and accepted rows read back the same (canonical form). A disagreement
/// must be a divergence listed in docs/postgres-translation.md.
@Suite(.enabled(if: PostgresServer.isAvailable, "needs REHEARSE_PG_PORT (tools/postgres-cluster.sh)"), .serialized)
struct PostgresDifferentialTests {
    @Test func theCorpusAgreesWithPostgres() throws {
        let postgres = try PostgresServer.create("rehearse_differential")
        try postgres.migrate()
        let queue = try makeDatabase()
        var disagreements: [String] = []
        var explained: [String] = []
        var agreed = 0
        let divergences = try String(contentsOf: packageRoot.appendingPathComponent("docs/postgres-translation.md"), encoding: .utf8)
        let corpus = try queue.read { db in try DifferentialCorpus.build(db) }
        try queue.writeWithoutTransaction { db in
            for statement in corpus.statements {
                var sqliteError: String?
                var sqliteRows: [[String]] = []
                do {
                    let outcomes = try SQLConsole(source: "corpus", dialect: PostgresDialect(now: Seeder.defaultNow)).run(db, script: statement.sql)
                    sqliteRows = outcomes.last?.psqlCells ?? []
                } catch let error as SQLStatementError {
                    sqliteError = error.message
                }
                // Postgres keeps only what SQLite kept, so a documented divergence cannot make
                // the two databases drift apart for the statements after it.
                let pg = try postgres.run(sqliteError == nil ? statement.sql + ";" : "BEGIN;\n\(statement.sql);\nROLLBACK;")
                var problem: String?
                if pg.succeeded != (sqliteError == nil) {
                    problem = "Postgres \(pg.succeeded ? "accepted" : "rejected (\(pg.error.trimmingWhitespace()))"), SQLite \(sqliteError == nil ? "accepted" : "rejected (\(sqliteError!))")"
                } else if pg.succeeded, statement.isQuery {
                    let pgRows = pg.output.split(separator: "\n").map { $0.split(separator: "\u{1F}", omittingEmptySubsequences: false).map(String.init) }
                    if Self.canonical(pgRows) != Self.canonical(sqliteRows) { problem = "rows differ: Postgres \(pgRows), SQLite \(sqliteRows)" }
                } else if pg.succeeded, let (table, id) = statement.readBack {
                    let pgRow = try postgres.run("SELECT row_to_json(t)::text FROM \(table) t WHERE id = '\(id)';").output.trimmingWhitespace()
                    let a = Self.canonical(json: pgRow.isEmpty ? .null : try JSONParser.parse(pgRow))
                    let b = Self.canonical(json: try Self.sqliteRow(db, table: table, id: id))
                    if a != b { problem = "read back differs: Postgres \(a.serialized()), SQLite \(b.serialized())" }
                }
                guard let problem else { agreed += 1; continue }
                if let divergence = statement.divergence,
                   divergence.split(separator: ",").allSatisfy({ divergences.contains("| \($0) |") }) {
                    explained.append("\(statement.label) [\(divergence)]: \(problem)")
                } else {
                    disagreements.append("\(statement.label): \(problem)\n    \(statement.sql)")
                }
            }
        }
        print("differential corpus: \(corpus.statements.count) statements, \(agreed) agree, \(explained.count) disagree as documented, \(disagreements.count) unexplained")
        for line in explained { print("  documented: \(line)") }
        #expect(corpus.statements.count >= 300)
        #expect(disagreements == [], "\(disagreements.joined(separator: "\n"))")
    }

    /// Pasted into `rehearse sql`, a query shows psql's column headers and psql's cells.
    @Test func queriesShowPsqlsHeadersAndCells() throws {
        let postgres = try PostgresServer.create("rehearse_headers")
        try postgres.migrate()
        let queue = try makeDatabase()
        let queries = [
            """
            SELECT 1 = 1, '2026-01-14T09:30:00Z'::timestamptz::date, count(*) total, (SELECT 1 AS top), 'x'::character varying,
            CASE WHEN true THEN 1 END, 1 + 1, max(2), EXISTS (SELECT 1), CAST(1 AS bigint), 5::text, (1), coalesce(null, 1),
            '{"a":1}'::jsonb ->> 'a', 2 > 3, 'abc' LIKE 'a%', NULL IS NULL
            """,
            "SELECT tgname, tgenabled FROM pg_trigger WHERE tgname LIKE '%immutable%' ORDER BY tgname",
            "SELECT typname FROM pg_type WHERE typname IN ('proposal_status', 'proposal_type') ORDER BY 1",
            "SELECT count(*), count(*) = 0 AS empty, max(id) FROM audit_events",
            "SELECT status, count(*) FROM pending_proposals GROUP BY status",
            "SELECT indexname FROM pg_indexes WHERE tablename = 'pending_proposals' ORDER BY indexname",
            "SELECT version_num FROM alembic_version",
        ]
        try queue.writeWithoutTransaction { db in
            for query in queries {
                let outcome = try SQLConsole(source: "q", dialect: PostgresDialect(now: Seeder.defaultNow)).run(db, script: query).last
                guard case .rows(let columns, _, _) = outcome else { Issue.record("no rows for \(query)"); continue }
                let ours = [columns] + (outcome?.psqlCells ?? [])
                let pg = try PostgresServer.psql(["-d", postgres.database, "-F", "\u{1F}", "-P", "tuples_only=off", "-P", "footer=off"], input: query + ";")
                #expect(pg.succeeded, "\(pg.error)")
                let theirs = pg.output.split(separator: "\n").map { $0.split(separator: "\u{1F}", omittingEmptySubsequences: false).map(String.init) }
                #expect(ours == theirs, "\(query)")
            }
        }
    }

    /// Tables, columns, nullability, defaults, unique and foreign keys, and indexes match.
    @Test func theSchemasMatchStructurally() throws {
        let postgres = try PostgresServer.create("rehearse_structure")
        try postgres.migrate()
        let pgColumns = try postgres.run("""
            SELECT table_name, column_name, is_nullable, COALESCE(column_default, '') FROM information_schema.columns
            WHERE table_schema = 'public' AND table_name <> 'alembic_version' ORDER BY table_name, ordinal_position;
            """).output.split(separator: "\n").map { $0.split(separator: "\u{1F}", omittingEmptySubsequences: false).map(String.init) }
        let pgForeignKeys = try postgres.run("""
            SELECT conrelid::regclass::text, a.attname, confrelid::regclass::text FROM pg_constraint c
            JOIN pg_attribute a ON a.attrelid = c.conrelid AND a.attnum = c.conkey[1] WHERE contype = 'f' ORDER BY 1, 2;
            """).output.split(separator: "\n").map(String.init)
        let pgIndexes = try postgres.run("SELECT indexname FROM pg_indexes WHERE schemaname = 'public' ORDER BY 1;").output.split(separator: "\n").map(String.init)
        let pgUnique = try postgres.run("SELECT conname FROM pg_constraint WHERE contype IN ('u', 'p') AND connamespace = 'public'::regnamespace ORDER BY 1;").output.split(separator: "\n").map(String.init)
        let queue = try makeDatabase()
        try queue.writeWithoutTransaction { db in
            var columns: [[String]] = []
            for table in try String.fetchAll(db, sql: "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' AND name NOT LIKE 'rehearse_%' AND name <> 'alembic_version' ORDER BY name") {
                for row in try Row.fetchAll(db, sql: "SELECT name, \"notnull\", pk, dflt_value FROM pragma_table_info(?)", arguments: [table]) {
                    let notNull = (row[1] as Bool) || (row[2] as Int) > 0
                    columns.append([table, row[0], notNull ? "NO" : "YES", row[3] ?? ""])
                }
            }
            #expect(columns.map { Array($0.prefix(3)) } == pgColumns.map { Array($0.prefix(3)) })
            // Defaults: Postgres adds type casts ('pending'::proposal_status) and writes booleans as words.
            let normalizedPG = pgColumns.map { row -> String in
                var text = row[3]
                if let cast = text.range(of: "::") { text = String(text[..<cast.lowerBound]) }
                if text.hasPrefix("nextval(") { text = "<sequence>" }
                return text.replacingOccurrences(of: "true", with: "1").replacingOccurrences(of: "false", with: "0")
            }
            let normalizedSQLite = columns.map { $0[0] == "audit_events" && $0[1] == "id" ? "<sequence>" : $0[3] }
            #expect(normalizedSQLite == normalizedPG)
            let foreignKeys = try Row.fetchAll(db, sql: """
                SELECT m.name, f."from", f."table" FROM sqlite_master m, pragma_foreign_key_list(m.name) f WHERE m.type = 'table' ORDER BY 1, 2
                """).map { "\($0[0] as String)\u{1F}\($0[1] as String)\u{1F}\($0[2] as String)" }
            #expect(foreignKeys == pgForeignKeys)
            try CatalogViews.install(db)
            let indexes = try String.fetchAll(db, sql: "SELECT indexname FROM pg_indexes WHERE tablename NOT LIKE 'rehearse_%' AND tablename <> 'alembic_version' ORDER BY 1")
            #expect(indexes == pgIndexes.filter { $0 != "alembic_version_pkc" })
            #expect(Set(pgUnique.filter { $0 != "alembic_version_pkc" }).isSubset(of: Set(indexes)))
        }
    }

    /// A SQLite row as JSON, typed by the schema's named checks like Postgres's row_to_json.
    static func sqliteRow(_ db: Database, table: String, id: String) throws -> JSONValue {
        let columns = try DifferentialCorpus.columns(db, table)
        guard let row = try Row.fetchOne(db, sql: "SELECT * FROM \(table) WHERE id = ?", arguments: [id]) else { return .null }
        return .object(columns.map { column in
            let value: DatabaseValue = row[column.name]
            switch (column.kind, value.storage) {
            case (_, .null): return (column.name, .null)
            case ("boolean", .int64(let i)): return (column.name, .bool(i != 0))
            case ("jsonb", .string(let s)): return (column.name, (try? JSONParser.parse(s)) ?? .string(s))
            default: return (column.name, StatementOutcome.json(value))
            }
        })
    }

    /// Timestamps as instants, object keys sorted and de-duplicated (jsonb keeps the last), so
    /// equal values compare equal whatever their text form.
    static func canonical(json value: JSONValue) -> JSONValue {
        switch value {
        case .string(let s):
            if let t = Timestamp(iso8601: s), s.count >= 19 { return .number(String(t.seconds)) }
            return value
        case .array(let items): return .array(items.map(canonical(json:)))
        case .object(let members):
            var last: [String: JSONValue] = [:]
            for (key, member) in members { last[key] = canonical(json: member) }
            return .object(last.keys.sorted().map { ($0, last[$0]!) })
        default: return value
        }
    }

    static func canonical(_ rows: [[String]]) -> [String] {
        rows.map { row in
            row.map { cell -> String in
                if let t = Timestamp(iso8601: cell.replacingOccurrences(of: "+00", with: "Z").replacingOccurrences(of: "ZZ", with: "Z")), cell.count >= 19 { return String(t.seconds) }
                return cell
            }.joined(separator: "|")
        }.sorted()
    }
}
