import Foundation

/// What one statement was seen to lock on a real PostgreSQL, against the prediction.
public struct TracedStatement: Sendable {
    public var revision: String
    public var line: Int
    public var sql: String
    /// Locks the statement acquired (not held before it), as `relation Mode`.
    public var observed: Set<String>
    public var missing: Set<String>
    public var extra: Set<String>
    /// Set when the statement could not be traced in the transaction (it refuses one).
    public var note: String?

    public var confirmed: Bool { missing.isEmpty && extra.isEmpty }
    public var verdict: String { confirmed ? "confirmed\(note.map { " (\($0))" } ?? "")" : "MISMATCH" }
}

public struct LockTrace: Sendable {
    public var server: String
    public var statements: [TracedStatement]
    public var committed: Bool

    public var confirmedCount: Int { statements.filter(\.confirmed).count }

    func statement(_ revision: String, _ statement: PostgresStatement) -> TracedStatement? {
        statements.first { $0.revision == revision && $0.line == statement.line && $0.sql == statement.sql }
    }
}

public struct LockTraceError: Error, CustomStringConvertible, UserFacingError {
    public var description: String
    public var exitStatus: ExitStatus { .invalidInput }
}

/// Runs the migrations statement by statement in one transaction on a real PostgreSQL through
/// psql, reads `pg_locks` for the session after every statement, and compares with the
/// prediction. Each statement first runs inside a savepoint: the locks it takes are read there,
/// then released by ROLLBACK TO SAVEPOINT (PostgreSQL 15 §13.3: a lock acquired after a
/// savepoint is released when the savepoint is rolled back), and the statement runs again to
/// move on. The transaction is rolled back at the end unless `commit`: the database is left as
/// it was. A lock mode the session already held is invisible to pg_locks and so not compared.
public enum LockTracer {
    static let lockQuery = """
        SELECT l.relation::bigint || '|' || coalesce(c.relname, '') || '|' || coalesce(n.nspname, '') || '|' || l.mode FROM pg_locks l \
        LEFT JOIN pg_class c ON c.oid = l.relation LEFT JOIN pg_namespace n ON n.oid = c.relnamespace \
        WHERE l.pid = pg_backend_pid() AND l.locktype = 'relation' AND l.database = (SELECT oid FROM pg_database WHERE datname = current_database());
        """
    static let catalogQuery = "SELECT c.oid::bigint || '|' || c.relname FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace WHERE n.nspname = 'public';"

    private static let scratchCount = LockedValue(0)
    static func nextScratch() -> Int { scratchCount.withLock { $0 += 1; return $0 } }

    public static func psqlPath() -> String? {
        for directory in (ProcessInfo.processInfo.environment["PATH"] ?? "").split(separator: ":") + ["/usr/bin"] {
            let candidate = "\(directory)/psql"
            if FileManager.default.isExecutableFile(atPath: candidate) { return candidate }
        }
        return nil
    }

    static func psql(_ url: String, _ arguments: [String], input: String) throws -> (status: Int32, stdout: String, stderr: String) {
        guard let psql = psqlPath() else { throw LockTraceError(description: "error: --pg-url needs psql on PATH (apt-get install postgresql-client-15)") }
        // The script and psql's stderr go through files: no pipe can fill up and stall psql.
        let scratch = FileManager.default.temporaryDirectory.appendingPathComponent("rehearse-locks-\(ProcessInfo.processInfo.processIdentifier)-\(nextScratch())")
        try FileManager.default.createDirectory(at: scratch, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: scratch) }
        let inputFile = scratch.appendingPathComponent("script.sql"), errorFile = scratch.appendingPathComponent("stderr")
        try input.write(to: inputFile, atomically: true, encoding: .utf8)
        FileManager.default.createFile(atPath: errorFile.path, contents: nil)
        let process = Process()
        process.executableURL = URL(fileURLWithPath: psql)
        process.arguments = [url, "-X", "-q", "-A", "-t", "-f", inputFile.path] + arguments
        var environment = ProcessInfo.processInfo.environment
        environment["PGCONNECT_TIMEOUT"] = environment["PGCONNECT_TIMEOUT"] ?? "10"
        process.environment = environment
        let stdout = Pipe()
        process.standardInput = FileHandle.nullDevice
        process.standardOutput = stdout
        process.standardError = try FileHandle(forWritingTo: errorFile)
        try process.run()
        let output = stdout.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        let errors = (try? String(contentsOf: errorFile, encoding: .utf8)) ?? ""
        return (process.terminationStatus, String(decoding: output, as: UTF8.self), errors)
    }

    public static func trace(_ report: LockReport, files: [LockReport.MigrationFile], url: String, commit: Bool) throws -> LockTrace {
        // Reachable, and where the database is.
        let probe = try psql(url, ["-v", "ON_ERROR_STOP=1"], input: """
            SELECT current_setting('server_version');
            SELECT CASE WHEN to_regclass('public.alembic_version') IS NULL THEN '-' ELSE '+' END;
            """)
        guard probe.status == 0 else {
            let reason = probe.stderr.split(separator: "\n").first.map(String.init) ?? "psql exited \(probe.status)"
            throw LockTraceError(description: "error: --pg-url: cannot reach the database: \(reason)")
        }
        let answers = probe.stdout.split(separator: "\n").map(String.init)
        let server = "PostgreSQL \(answers.first ?? "?")"
        var current = answers.count > 1 ? answers[1] : "-"
        if current == "+" {
            let version = try psql(url, ["-v", "ON_ERROR_STOP=1"], input: "SELECT coalesce(max(version_num), '') FROM alembic_version;\n")
            current = version.stdout.trimmingWhitespace()
        }
        let hasVersionTable = current != "-"
        let currentIndex = hasVersionTable && !current.isEmpty ? files.firstIndex { $0.revision == current } : -1
        guard let currentIndex else { throw LockTraceError(description: "error: --pg-url: the database is at revision \(current), which no migration defines") }
        let wanted = Set(report.migrations.map(\.revision))
        guard let last = files.lastIndex(where: { wanted.contains($0.revision) }) else { return LockTrace(server: server, statements: [], committed: false) }
        if let first = files.firstIndex(where: { wanted.contains($0.revision) }), first <= currentIndex {
            throw LockTraceError(description: "error: --pg-url: the database is already at \(current); tracing \(files[first].revision) needs it at \(first == 0 ? "no revision (an empty database)" : files[first - 1].revision)")
        }
        // Every statement from the database's revision to the last one asked for, with the
        // prediction of those asked for (the others run only to reach them).
        var predicted: [(revision: String, statement: StatementLocks?, sql: PostgresStatement)] = []
        var previous: String? = currentIndex >= 0 ? files[currentIndex].revision : nil
        for file in files[(currentIndex + 1)...last] {
            let analysed = report.migrations.first { $0.revision == file.revision }
            for statement in file.statements + [LockReport.bookkeeping(file.revision, previous: previous)] {
                let prediction = analysed?.statements.first { $0.statement.line == statement.line && $0.statement.sql == statement.sql }
                predicted.append((file.revision, prediction, statement))
            }
            previous = file.revision
        }
        var script = ["\\set ON_ERROR_STOP 1", "BEGIN;"]
        if !hasVersionTable {
            script.append("CREATE TABLE alembic_version (version_num VARCHAR(32) NOT NULL, CONSTRAINT alembic_version_pkc PRIMARY KEY (version_num));")
        }
        for (index, entry) in predicted.enumerated() {
            let sql = entry.sql.sql + ";"
            script += ["\\echo @@catalog \(index)", catalogQuery, "\\echo @@before \(index)", lockQuery, "SAVEPOINT rehearse_trace;"]
            if entry.statement?.rule?.transaction == false {
                // PostgreSQL refuses it inside a transaction block: the refusal is the observation.
                script += ["\\set ON_ERROR_STOP 0", "\\echo @@refusal \(index)", sql, "\\set ON_ERROR_STOP 1", "ROLLBACK TO SAVEPOINT rehearse_trace;"]
            } else {
                script += [sql, "\\echo @@inside \(index)", lockQuery, "ROLLBACK TO SAVEPOINT rehearse_trace;", sql]
            }
        }
        script.append("\\echo @@end")
        script.append(commit ? "COMMIT;" : "ROLLBACK;")
        let run = try psql(url, [], input: script.joined(separator: "\n") + "\n")
        guard run.status == 0 else {
            let reason = run.stderr.split(separator: "\n").first { $0.contains("ERROR") }.map(String.init) ?? run.stderr.split(separator: "\n").first.map(String.init) ?? "psql exited \(run.status)"
            // The failing statement: the last one whose snapshot was printed.
            let reached = run.stdout.split(separator: "\n").last { $0.hasPrefix("@@before ") }.flatMap { Int($0.split(separator: " ")[1]) }
            let place = reached.map { at in "\(files.first { file in file.revision == predicted[at].revision }?.path ?? predicted[at].revision):\(predicted[at].sql.line): " } ?? ""
            throw LockTraceError(description: "\(place)error: the statement failed on \(server): \(reason); the transaction was rolled back, the database is unchanged")
        }
        // Parse the markers: catalogue (oid → public name) and lock sets per statement.
        var section = ""
        var index = -1
        var before: [Int: Set<String>] = [:]
        var inside: [Int: Set<String>] = [:]
        var refused: Set<Int> = []
        var rows: [Int: [String]] = [:]
        func lock(_ row: String, names: [String: String]) -> String? {
            let parts = row.split(separator: "|", omittingEmptySubsequences: false).map(String.init)
            guard parts.count == 4 else { return nil }
            let name = parts[1].isEmpty ? names[parts[0]] : (parts[2] == "public" ? parts[1] : nil)
            return name.map { "\($0) \(parts[3])" }
        }
        for line in run.stdout.split(separator: "\n").map(String.init) {
            if line.hasPrefix("@@") {
                let words = line.split(separator: " ")
                section = String(words[0].dropFirst(2))
                index = words.count > 1 ? Int(words[1]) ?? -1 : -1
                if section == "refusal" { refused.insert(index) }
                continue
            }
            guard !line.isEmpty, index >= 0 else { continue }
            rows[index, default: []].append("\(section)\t\(line)")
        }
        for (statement, lines) in rows {
            var names: [String: String] = [:]
            for entry in lines where entry.hasPrefix("catalog\t") {
                let parts = entry.dropFirst(8).split(separator: "|", maxSplits: 1).map(String.init)
                if parts.count == 2 { names[parts[0]] = parts[1] }
            }
            before[statement] = Set(lines.filter { $0.hasPrefix("before\t") }.compactMap { lock(String($0.dropFirst(7)), names: names) })
            inside[statement] = Set(lines.filter { $0.hasPrefix("inside\t") }.compactMap { lock(String($0.dropFirst(7)), names: names) })
        }
        let refusals = run.stderr.components(separatedBy: "cannot run inside a transaction block").count - 1
        var traced: [TracedStatement] = []
        for (position, entry) in predicted.enumerated() {
            guard let prediction = entry.statement, wanted.contains(entry.revision) else { continue }
            if refused.contains(position) {
                let ok = refusals > 0
                traced.append(TracedStatement(revision: entry.revision, line: entry.sql.line, sql: entry.sql.sql, observed: [], missing: ok ? [] : ["a refusal inside a transaction block"], extra: [],
                                              note: "PostgreSQL refuses it inside a transaction block, as predicted; its locks are not observable here"))
                continue
            }
            let held = before[position] ?? []
            let observed = (inside[position] ?? []).subtracting(held)
            let missing = prediction.known ? prediction.required.subtracting(held).subtracting(observed) : []
            let extra = prediction.known ? observed.subtracting(prediction.possible) : observed
            traced.append(TracedStatement(revision: entry.revision, line: entry.sql.line, sql: entry.sql.sql, observed: observed,
                                          missing: missing, extra: extra, note: prediction.known ? nil : "unknown statement: observed only"))
        }
        return LockTrace(server: server, statements: traced, committed: commit)
    }
}
