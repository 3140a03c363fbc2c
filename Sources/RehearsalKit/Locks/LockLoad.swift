import Foundation

/// `rehearse locks --under-load`: the migration run on a real PostgreSQL while the application's
/// own workload runs on several connections and one long transaction holds a write on
/// `exceptions` (its RowExclusiveLock conflicts with the ShareRowExclusiveLock 006's foreign key
/// needs). Measured twice: as the checklist writes it (no lock_timeout), and with `SET LOCAL
/// lock_timeout` plus retries. Every timestamp is the server's `clock_timestamp()`, so client and
/// server clocks never mix. The migration is always rolled back, the workload's rows deleted.
public struct LockLoadResult: Sendable {
    public struct Variant: Sendable {
        public var name: String
        /// From the first attempt's start to the successful attempt's end, seconds.
        public var migrationSeconds: Double
        public var attempts: Int
        /// Application statements that overlapped the migration, their latencies (seconds).
        public var during: [Double]
        /// Of those, the ones that waited a second or more (queued behind a lock).
        public var queued: Int
        public var errors: Int

        func percentile(_ p: Double) -> Double {
            let sorted = during.sorted()
            guard !sorted.isEmpty else { return 0 }
            return sorted[min(sorted.count - 1, Int(Double(sorted.count - 1) * p))]
        }
        public var p50: Double { percentile(0.5) }
        public var p99: Double { percentile(0.99) }
    }

    public var hold: Double
    public var clients: Int
    public var ddlAloneSeconds: Double
    public var variants: [Variant]

    public func text(claim: String = "< 5 seconds") -> String {
        var lines = ["under load: \(clients) application connections, one transaction holding a write on exceptions for \(Int(hold)) s",
                     String(format: "  the migration's DDL alone (no load): %.2f s", ddlAloneSeconds)]
        for variant in variants {
            lines.append(String(format: "  %@: migration %.2f s in %d attempt(s); %d application statements overlapped it, %d waited ≥ 1 s, p50 %.0f ms, p99 %.0f ms, %d errors",
                                variant.name as NSString, variant.migrationSeconds, variant.attempts, variant.during.count, variant.queued,
                                variant.p50 * 1000, variant.p99 * 1000, variant.errors))
        }
        if let worst = variants.map(\.migrationSeconds).max() {
            lines.append(String(format: "  the checklist's \"Estimated Runtime: %@\": the DDL takes %.2f s, but under this load the migration took up to %.1f s", claim as NSString, ddlAloneSeconds, worst))
        }
        return lines.joined(separator: "\n")
    }
}

public enum LockLoad {
    /// The application's statements, one per line, cycled by each client: reads and writes of
    /// the tables 006 and 007 lock (exceptions, policies) and of signals. The updates write a
    /// column's own value: they take the row and table locks a real update takes, and change
    /// nothing; the inserted signals are deleted at the end.
    static let workload = [
        "SELECT count(*) FROM exceptions WHERE status = 'open';",
        "UPDATE exceptions SET status = status WHERE id = (SELECT id FROM exceptions ORDER BY id OFFSET %CLIENT% LIMIT 1);",
        "INSERT INTO signals (id, source, subject, signal_type, payload, received_at, created_by) VALUES (gen_random_uuid(), 'rehearse-load', 'load-%CLIENT%', 'load', '{}', now(), 'agent:load');",
        "SELECT id FROM policies LIMIT 5;",
        "UPDATE policies SET description = description WHERE id = (SELECT id FROM policies ORDER BY id OFFSET (%CLIENT% % 4) LIMIT 1);",
    ]

    static func epochQuery(_ tag: String) -> String { "SELECT '\(tag) ' || extract(epoch from clock_timestamp());" }

    public static func run(_ report: LockReport, files: [LockReport.MigrationFile], url: String, hold: Double, clients: Int) throws -> LockLoadResult {
        let statements = report.migrations.flatMap { migration in migration.statements.filter { !$0.isBookkeeping }.map(\.statement.sql) }
        guard !statements.isEmpty else { throw LockTraceError(description: "error: --under-load: no statement to run") }
        // Reachable, and the workload's tables there.
        let probe = try LockTracer.psql(url, ["-v", "ON_ERROR_STOP=1"], input: "SELECT count(*) FROM exceptions; SELECT count(*) FROM policies;\n")
        guard probe.status == 0 else {
            throw LockTraceError(description: "error: --pg-url: cannot run the workload there: \(probe.stderr.split(separator: "\n").first.map(String.init) ?? "psql exited \(probe.status)")")
        }
        func migrationScript(timeout: Bool) -> String {
            (["\\set ON_ERROR_STOP 1", epochQuery("start"), "BEGIN;"] + (timeout ? ["SET LOCAL lock_timeout = '5s';"] : [])
             + statements.map { $0 + ";" } + ["ROLLBACK;", epochQuery("end")]).joined(separator: "\n") + "\n"
        }
        func epochs(_ output: String) -> [String: Double] {
            var found: [String: Double] = [:]
            for line in output.split(separator: "\n") {
                let parts = line.split(separator: " ")
                if parts.count == 2, let value = Double(parts[1]) { found[String(parts[0])] = value }
            }
            return found
        }
        // The DDL alone, without load.
        let alone = try LockTracer.psql(url, [], input: migrationScript(timeout: false))
        guard alone.status == 0 else { throw LockTraceError(description: "error: --under-load: the migration fails on this database: \(alone.stderr.split(separator: "\n").first ?? "")") }
        let aloneTimes = epochs(alone.stdout)
        let ddlAlone = (aloneTimes["end"] ?? 0) - (aloneTimes["start"] ?? 0)

        var variants: [LockLoadResult.Variant] = []
        for timeout in [false, true] {
            let loadSeconds = hold + 8
            // Clients: each statement with the server time before it and its duration after.
            let group = DispatchGroup()
            let collected = LockedValue<[(stdout: String, stderr: String)]>([])
            for client in 0..<clients {
                var script = ["\\set ON_ERROR_STOP 0", "\\timing on"]
                let rounds = Int(loadSeconds * 20)
                for round in 0..<rounds {
                    let statement = workload[(round + client) % workload.count].replacingOccurrences(of: "%CLIENT%", with: String(client))
                    script += ["\\timing off", epochQuery("t"), "\\timing on", statement]
                    if round % workload.count == workload.count - 1 { script.append("SELECT pg_sleep(0.05);") }
                }
                let input = script.joined(separator: "\n") + "\n"
                group.enter()
                // A thread each: GCD's pool is as wide as the cores, and every client blocks on psql.
                Thread.detachNewThread {
                    let output = (try? LockTracer.psql(url, [], input: input)).map { ($0.stdout, $0.stderr) } ?? ("", "ERROR: psql did not run")
                    collected.withLock { $0.append(output) }
                    group.leave()
                }
            }
            // The long transaction: a write on exceptions, held.
            group.enter()
            Thread.detachNewThread {
                _ = try? LockTracer.psql(url, [], input: "BEGIN;\nUPDATE exceptions SET status = status WHERE id = (SELECT id FROM exceptions ORDER BY id DESC LIMIT 1);\nSELECT pg_sleep(\(hold));\nCOMMIT;\n")
                group.leave()
            }
            Thread.sleep(forTimeInterval: 1)
            // The migration, retried on a lock timeout.
            var attempts = 0
            var first: Double?
            var last: Double?
            while attempts < 20 {
                attempts += 1
                let run = try LockTracer.psql(url, [], input: migrationScript(timeout: timeout))
                let times = epochs(run.stdout)
                if first == nil { first = times["start"] }
                if run.status == 0, let end = times["end"] { last = end; break }
                guard timeout, run.stderr.contains("lock timeout") else {
                    throw LockTraceError(description: "error: --under-load: the migration failed: \(run.stderr.split(separator: "\n").first ?? "")")
                }
                Thread.sleep(forTimeInterval: 0.5)
            }
            group.wait()
            let start = first ?? 0, end = last ?? start
            // Statements whose run overlapped the migration.
            var during: [Double] = []
            var errors = 0
            for output in collected.withLock({ $0 }) {
                var pendingStart: Double?
                errors += output.stderr.split(separator: "\n").filter { $0.contains("ERROR") }.count
                for line in output.stdout.split(separator: "\n") {
                    if line.hasPrefix("t "), let value = Double(line.dropFirst(2)) { pendingStart = value; continue }
                    if line.hasPrefix("Time: "), let startTime = pendingStart {
                        let milliseconds = Double(line.dropFirst(6).split(separator: " ").first ?? "") ?? 0
                        let seconds = milliseconds / 1000
                        if startTime <= end && startTime + seconds >= start { during.append(seconds) }
                        pendingStart = nil
                    }
                }
            }
            variants.append(LockLoadResult.Variant(name: timeout ? "with SET LOCAL lock_timeout = '5s' and retries" : "as written (no lock_timeout)",
                                                   migrationSeconds: end - start, attempts: attempts, during: during,
                                                   queued: during.filter { $0 >= 1 }.count, errors: errors))
        }
        // The workload's own rows go; its updates wrote values back unchanged.
        _ = try? LockTracer.psql(url, [], input: "DELETE FROM signals WHERE source = 'rehearse-load';\n")
        return LockLoadResult(hold: hold, clients: clients, ddlAloneSeconds: ddlAlone, variants: variants)
    }
}
