import Foundation

/// `rehearse locks`: for every statement of each Postgres migration, the relations it locks and
/// how, what that blocks of the application's work, and findings with a severity and a fix.
public struct LockReport: Sendable {
    public struct Finding: Sendable {
        public enum Severity: String, Sendable { case high, medium, low, info, unknown }
        public var severity: Severity
        public var line: Int?
        public var message: String
        public var fix: String
    }

    public struct Migration: Sendable {
        public var revision: String
        public var file: String
        public var statements: [StatementLocks]
        public var findings: [Finding]
        /// Relations that existed before this migration (the application's tables).
        public var existing: Set<String>

        /// Every lock held when the migration's transaction ends, strongest first per relation.
        public var held: [(relation: String, modes: [PostgresLockMode])] {
            var byRelation: [String: Set<PostgresLockMode>] = [:]
            for statement in statements { for lock in statement.locks where !lock.may { byRelation[lock.relation, default: []].insert(lock.mode) } }
            return byRelation.keys.sorted().map { ($0, byRelation[$0]!.sorted(by: >)) }
        }

        /// What the held locks block on the application's existing tables.
        public var blocked: [(relation: String, operations: [String])] {
            held.compactMap { entry in
                guard existing.contains(entry.relation), let strongest = entry.modes.first, !strongest.blocks.isEmpty else { return nil }
                return (entry.relation, Set(entry.modes.flatMap(\.blocks)).sorted())
            }
        }
    }

    public var migrations: [Migration]
    public var unknown: [(file: String, statement: PostgresStatement)] {
        migrations.flatMap { migration in migration.statements.filter { !$0.known }.map { (migration.file, $0.statement) } }
    }

    /// A migration file: `-- revision: ID` header, `-- migrate:upgrade` … `-- migrate:downgrade`.
    public struct MigrationFile: Sendable {
        public var revision: String
        public var path: String
        public var statements: [PostgresStatement]
    }

    public static func loadMigrations(directory: String) throws -> [MigrationFile] {
        guard let names = try? FileManager.default.contentsOfDirectory(atPath: directory) else {
            throw LockTableError(description: "\(directory): error: no such directory of Postgres migrations")
        }
        var files: [MigrationFile] = []
        for name in names.filter({ $0.hasSuffix(".sql") }).sorted() {
            let path = (directory as NSString).appendingPathComponent(name)
            guard let text = try? String(contentsOfFile: path, encoding: .utf8) else { throw LockTableError(description: "\(path): error: cannot read the file as UTF-8 text") }
            let lines = text.components(separatedBy: "\n")
            let revision = lines.first { $0.hasPrefix("-- revision:") }.map { String($0.dropFirst("-- revision:".count)).trimmingWhitespace() }
                ?? String(name.dropLast(4))
            guard let up = lines.firstIndex(where: { $0.trimmingWhitespace() == "-- migrate:upgrade" }) else {
                throw LockTableError(description: "\(path):1:1: error: no `-- migrate:upgrade` section")
            }
            let down = lines[(up + 1)...].firstIndex { $0.trimmingWhitespace() == "-- migrate:downgrade" } ?? lines.count
            let body = lines[(up + 1)..<down].joined(separator: "\n")
            files.append(MigrationFile(revision: revision, path: path, statements: try PostgresStatements.split(body, file: path, firstLine: up + 2)))
        }
        guard !files.isEmpty else { throw LockTableError(description: "\(directory): error: no .sql migrations") }
        return files
    }

    /// Predicts the migrations named (all when `only` is empty), each against the schema its
    /// predecessors built, with alembic's bookkeeping statement at its end.
    public static func analyse(_ files: [MigrationFile], only: [String] = [], rules given: [String: LockRule]? = nil) throws -> LockReport {
        let rules = try given ?? LockTable.shipped()
        for wanted in only where !files.contains(where: { $0.revision == wanted || $0.revision.hasPrefix(wanted + "_") }) {
            throw LockTableError(description: "error: --revision \(wanted): no migration has that revision (\(files.map(\.revision).joined(separator: ", ")))")
        }
        var schema = LockSchema()
        var migrations: [Migration] = []
        var previous: String?
        for file in files {
            let existing = Set(schema.tables.keys).union(schema.tables.values.flatMap(\.indexes))
            var statements: [StatementLocks] = []
            for statement in file.statements + [bookkeeping(file.revision, previous: previous)] {
                var predicted = LockPredictor.predict(statement, revision: file.revision, schema: &schema, table: rules)
                predicted.isBookkeeping = statement.line == 0
                statements.append(predicted)
            }
            previous = file.revision
            let wanted = only.isEmpty || only.contains { file.revision == $0 || file.revision.hasPrefix($0 + "_") }
            if wanted {
                var migration = Migration(revision: file.revision, file: file.path, statements: statements, findings: [], existing: existing)
                migration.findings = findings(migration)
                migrations.append(migration)
            }
        }
        return LockReport(migrations: migrations)
    }

    /// What alembic runs after a migration's statements: the version row.
    static func bookkeeping(_ revision: String, previous: String?) -> PostgresStatement {
        let sql = previous.map { "UPDATE alembic_version SET version_num='\(revision)' WHERE alembic_version.version_num = '\($0)'" }
            ?? "INSERT INTO alembic_version (version_num) VALUES ('\(revision)')"
        return PostgresStatements.classify(PostgresStatement(sql: sql, line: 0, column: 0))
    }

    static func findings(_ migration: Migration) -> [Finding] {
        var findings: [Finding] = []
        let statements = migration.statements.filter { !$0.isBookkeeping }
        let existing = migration.existing
        let blocked = migration.blocked
        let setsTimeout = statements.contains { $0.statement.kind == "SET" && ($0.statement.sql.lowercased().contains("lock_timeout") || $0.statement.sql.lowercased().contains("statement_timeout")) }
        if !setsTimeout && !blocked.isEmpty {
            findings.append(Finding(severity: .high, line: nil,
                message: "no lock_timeout or statement_timeout: a lock that queues behind a long transaction waits without limit, and every later statement that conflicts with it (\(blocked.map { "\($0.operations.joined(separator: ", ")) on \($0.relation)" }.joined(separator: "; "))) queues behind it",
                fix: "start the migration with SET LOCAL lock_timeout = '5s' (and statement_timeout), and retry the migration when it times out"))
        }
        for statement in statements {
            let line = statement.statement.line
            if !statement.known {
                findings.append(Finding(severity: .unknown, line: line, message: "unknown: check by tracing (`\(statement.statement.summary)` is not in the lock table)",
                                        fix: "run `rehearse locks --pg-url URL` to observe its locks in pg_locks"))
                continue
            }
            let busy = statement.statement.references.filter { existing.contains($0) && $0 != "alembic_version" }
            if !busy.isEmpty, let kind = statement.statement.kind, kind.contains("TABLE") {
                findings.append(Finding(severity: .high, line: line,
                    message: "a foreign key to \(busy.joined(separator: ", ")) takes ShareRowExclusiveLock there: writes (INSERT, UPDATE, DELETE) on \(busy.joined(separator: ", ")) wait until the migration commits",
                    fix: "create the table without the foreign key; add it with ALTER TABLE … ADD CONSTRAINT … NOT VALID under a short lock_timeout, then VALIDATE CONSTRAINT in its own transaction (ShareUpdateExclusiveLock: writes go on)"))
            }
            if statement.statement.kind == "CREATE INDEX", let table = statement.statement.table, existing.contains(table) {
                findings.append(Finding(severity: .medium, line: line,
                    message: "CREATE INDEX on \(table), which has rows, without CONCURRENTLY: ShareLock blocks writes on \(table) for the whole build",
                    fix: "CREATE INDEX CONCURRENTLY, outside the transaction (alembic: with op.get_context().autocommit_block())"))
            }
            if let rule = statement.rule, (rule.rewrites || rule.scans), let table = statement.statement.table, existing.contains(table), statement.statement.kind != "CREATE INDEX" {
                let strongest = statement.locks.filter { $0.relation == table && !$0.may }.map(\.mode).max()
                findings.append(Finding(severity: rule.rewrites ? .high : .medium, line: line,
                    message: "\(rule.rewrites ? "rewrites" : "scans") \(table) while holding \(strongest?.rawValue ?? "a lock")\(strongest.map { $0.blocks.isEmpty ? "" : ", which blocks \($0.blocks.joined(separator: ", "))" } ?? "")",
                    fix: rule.rewrites ? "add the column without a volatile default, then backfill in batches" : "add the constraint NOT VALID and VALIDATE it separately (ShareUpdateExclusiveLock)"))
            }
        }
        let creates = statements.contains { ["CREATE TYPE", "CREATE TABLE"].contains($0.statement.kind ?? "") }
        if creates && !blocked.isEmpty {
            findings.append(Finding(severity: .low, line: nil,
                message: "new types and tables are created in the same transaction that locks \(blocked.map(\.relation).joined(separator: ", ")): those locks are held while everything else in the migration runs",
                fix: "create new objects in their own transaction first; take locks on busy tables last, briefly, under lock_timeout"))
        }
        findings.append(Finding(severity: .info, line: nil,
            message: "every lock is held until the migration's transaction commits; alembic's default (transaction_per_migration=False) runs all migrations of one `upgrade head` in one transaction, so until the last of them commits",
            fix: "set transaction_per_migration=True in env.py's context.configure, or upgrade one revision at a time"))
        return findings
    }
}
