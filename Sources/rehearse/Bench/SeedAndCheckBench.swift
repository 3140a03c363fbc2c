import Foundation
import GRDB
import RehearsalKit

/// The seeding and check benchmarks of the invariant issue.
struct SeedAndCheckBench {
    var directory: String
    var sqlite3: String

    struct Seeded {
        var profile: SeedProfile
        var path: String
        var rows: Int
        var seconds: Double
    }

    func path(_ name: String) -> String { (directory as NSString).appendingPathComponent(name) }

    func freshMigrated(_ name: String) throws -> String {
        let file = path(name)
        try? FileManager.default.removeItem(atPath: file)
        let queue = try DatabaseOpener.open(path: file)
        try queue.writeWithoutTransaction { db in _ = try Migrator(chain: RevisionChain.shipped()).upgrade(db, to: "head") }
        return file
    }

    mutating func seed(_ profile: SeedProfile, name: String, quiet: Bool = false) throws -> Seeded {
        let file = try freshMigrated(name)
        let queue = try DatabaseOpener.open(path: file)
        let (summary, seconds) = try Stopwatch.time { try queue.writeWithoutTransaction { db in try Seeder(profile: profile, seed: 42).seedCheckingForeignKeysOnce(db) } }
        if !quiet {
            let peak = peakResidentMiB().map { String(format: "%.0f MiB", $0) } ?? "unknown"
            print(String(format: "seed %@: %d rows in %.2f s = %.0f rows/s; peak resident memory of the process %@ (target < 200 MB)",
                         profile.name, summary.total, seconds, Double(summary.total) / seconds, peak))
        }
        return Seeded(profile: profile, path: file, rows: summary.total, seconds: seconds)
    }

    /// The same rows inserted by the sqlite3 shell: as INSERT text (parsing included) and as
    /// INSERT … SELECT from the seeded file (SQLite's own constraint and index work only).
    func compareSeeding(_ seeded: Seeded) throws {
        let inserts = path("inserts.sql")
        _ = FileManager.default.createFile(atPath: inserts, contents: nil)
        let handle = FileHandle(forWritingAtPath: inserts)!
        handle.write(Data("BEGIN;\n".utf8))
        for table in SeedTables.insertionOrder {
            let process = Process()
            process.executableURL = URL(fileURLWithPath: sqlite3)
            process.arguments = [seeded.path, ".mode insert \(table)", "SELECT * FROM \(table) ORDER BY rowid"]
            process.standardOutput = handle
            try process.run()
            process.waitUntilExit()
        }
        handle.write(Data("COMMIT;\n".utf8))
        try handle.close()

        let textTarget = try freshMigrated("raw-insert.db")
        let textSeconds = try timeProcess(sqlite3, [textTarget], stdinFile: inserts)
        let copyTarget = try freshMigrated("raw-copy.db")
        let copyScript = path("copy.sql")
        try (["ATTACH '\(seeded.path)' AS seeded;", "BEGIN;"]
            + SeedTables.insertionOrder.map { "INSERT INTO main.\($0) SELECT * FROM seeded.\($0) ORDER BY rowid;" }
            + ["COMMIT;"]).joined(separator: "\n").write(toFile: copyScript, atomically: true, encoding: .utf8)
        let copySeconds = try timeProcess(sqlite3, [copyTarget], stdinFile: copyScript)
        let rate = Double(seeded.rows) / seeded.seconds
        // The reference of issue 18: SQLite copying the same rows into the same empty schema in
        // this process, with the same connection settings as the seeder, foreign keys checked
        // once at the end in both.
        let inProcess = try freshMigrated("copy-in-process.db")
        let queue = try DatabaseOpener.open(path: inProcess)
        let (_, copyInProcess) = try Stopwatch.time {
            try queue.writeWithoutTransaction { db in
                try db.execute(sql: "PRAGMA foreign_keys = OFF")
                try db.execute(sql: "ATTACH DATABASE ? AS seeded", arguments: [seeded.path])
                try db.inTransaction {
                    for table in SeedTables.insertionOrder { try db.execute(sql: "INSERT INTO main.\(table) SELECT * FROM seeded.\(table) ORDER BY rowid") }
                    guard try Row.fetchOne(db, sql: "PRAGMA main.foreign_key_check") == nil else { throw BenchError.toolFailed("the copy violates a foreign key") }
                    return .commit
                }
                try db.execute(sql: "DETACH DATABASE seeded")
            }
        }
        print(String(format: "SQLite copy in process, INSERT … SELECT of the same rows into the same empty schema (foreign keys checked once at the end, as seeding does): %.2f s = %.0f rows/s; seeding runs at %.2f× that rate (target ≥ 0.5×)",
                     copyInProcess, Double(seeded.rows) / copyInProcess, rate / (Double(seeded.rows) / copyInProcess)))
        print(String(format: "sqlite3 shell, same rows as INSERT statements: %.2f s = %.0f rows/s; seeding runs at %.2f× that rate",
                     textSeconds, Double(seeded.rows) / textSeconds, rate / (Double(seeded.rows) / textSeconds)))
        print(String(format: "sqlite3 shell, INSERT … SELECT copy (no parsing): %.2f s = %.0f rows/s; seeding runs at %.2f× that rate",
                     copySeconds, Double(seeded.rows) / copySeconds, rate / (Double(seeded.rows) / copySeconds)))
    }

    /// `check` in process, invariant by invariant, against the sqlite3 shell running the SQL
    /// those invariants run (reading the same rows; it cannot re-run the evaluator).
    func compareCheck(_ seeded: Seeded) throws {
        let timings = try checkTimings(seeded)
        let total = timings.reduce(0) { $0 + $1.1 }
        print(String(format: "check %@: %.2f s in all", seeded.profile.name, total))
        for (id, seconds) in timings where seconds >= 0.005 {
            print("  " + id.padding(toLength: 44, withPad: " ", startingAt: 0) + String(format: " %.3f s", seconds))
        }
        let script = path("check-equivalent.sql")
        try CheckEquivalentSQL.script.write(toFile: script, atomically: true, encoding: .utf8)
        let shellSeconds = try timeProcess(sqlite3, [seeded.path], stdinFile: script, expectErrors: true)
        print(String(format: "sqlite3 shell, the equivalent SQL: %.2f s; check takes %.2f× (target ≤ 1.5×)", shellSeconds, total / shellSeconds))
        // The same SQL with the page cache and memory map `rehearse check` opens the file with,
        // so the comparison is also made like for like.
        let tuned = path("check-equivalent-tuned.sql")
        try ("PRAGMA cache_size = -65536;\nPRAGMA mmap_size = 2147418112;\n" + CheckEquivalentSQL.script).write(toFile: tuned, atomically: true, encoding: .utf8)
        let tunedSeconds = try timeProcess(sqlite3, [seeded.path], stdinFile: tuned, expectErrors: true)
        print(String(format: "  with check's cache and memory map: %.2f s; check takes %.2f×", tunedSeconds, total / tunedSeconds))
        // baseline, backup and check verify the file first (PRAGMA quick_check): what it adds.
        let queue = try DatabaseOpener.open(path: seeded.path, memoryMapped: true)
        let (verdict, quickCheck) = try Stopwatch.time { try queue.read { db in try String.fetchAll(db, sql: "PRAGMA quick_check") } }
        precondition(verdict == ["ok"], "the seeded file failed quick_check")
        print(String(format: "PRAGMA quick_check %@ (run before check, baseline and backup): %.2f s = %.2f× of check's own time", seeded.profile.name, quickCheck, quickCheck / total))
    }

    func checkTimings(_ seeded: Seeded) throws -> [(String, Double)] {
        let queue = try DatabaseOpener.open(path: seeded.path, memoryMapped: true)  // as `rehearse check` opens it
        let baseline = try queue.read { db in try Baseline.capture(db) }
        return try queue.writeWithoutTransaction { db in
            let context = InvariantContext(db: db, chain: try RevisionChain.shipped(), baseline: baseline, now: Seeder.defaultNow)
            return try InvariantCatalog.standard.invariants.map { invariant in
                let (status, seconds) = try Stopwatch.time { try invariant.evaluate(context) }
                precondition(!status.isBroken, "\(invariant.info.id) broke on seeded data")
                return (invariant.info.id, seconds)
            }
        }
    }

    /// Whether check time grows no faster than the data. SQLite's own lookups are O(log n)
    /// per row and miss the cache more on a larger file, so the same SQL in the sqlite3 shell
    /// is measured too: the fair target is that check grows no faster than SQLite itself.
    func compareGrowth(small: Seeded, large: Seeded) throws {
        let smallTimings = try checkTimings(small), largeTimings = try checkTimings(large)
        let smallTime = smallTimings.reduce(0) { $0 + $1.1 }, largeTime = largeTimings.reduce(0) { $0 + $1.1 }
        let rowRatio = Double(large.rows) / Double(small.rows)
        let script = path("check-equivalent.sql")
        try CheckEquivalentSQL.script.write(toFile: script, atomically: true, encoding: .utf8)
        let shellSmall = try timeProcess(sqlite3, [small.path], stdinFile: script, expectErrors: true)
        let shellLarge = try timeProcess(sqlite3, [large.path], stdinFile: script, expectErrors: true)
        print(String(format: "check growth %@ → %@: rows ×%.2f; check time ×%.2f (%.2fs → %.2fs); sqlite3 shell, same SQL, ×%.2f (%.2fs → %.2fs)",
                     small.profile.name, large.profile.name, rowRatio, largeTime / smallTime, smallTime, largeTime,
                     shellLarge / shellSmall, shellSmall, shellLarge))
        print(String(format: "  per row, check grows ×%.2f and the shell ×%.2f (1.00 = exactly linear)",
                     (largeTime / smallTime) / rowRatio, (shellLarge / shellSmall) / rowRatio))
        for ((id, a), (_, b)) in zip(smallTimings, largeTimings) where b >= 0.005 {
            print("  " + id.padding(toLength: 44, withPad: " ", startingAt: 0) + String(format: " ×%.2f (%.3fs → %.3fs)", b / a, a, b))
        }
    }
}

enum SeedTables {
    static let insertionOrder = ["users", "policies", "policy_versions", "signals", "evaluations", "exceptions", "decisions", "evidence_packs", "audit_events"]
}

/// What `rehearse check` asks of the database, as plain SQL for the sqlite3 shell.
enum CheckEquivalentSQL {
    static var script: String {
        var lines = [
            "SELECT name FROM sqlite_master WHERE type = 'trigger' AND name LIKE '%_immutable_%';",
            "SELECT * FROM rehearse_trigger_state;",
        ]
        for (table, column) in [("decisions", "rationale"), ("evidence_packs", "content_hash"), ("audit_events", "action")] {
            lines += [
                "SAVEPOINT probe; PRAGMA defer_foreign_keys = ON;",
                "UPDATE \(table) SET \(column) = \(column) WHERE rowid = (SELECT min(rowid) FROM \(table));",
                "DELETE FROM \(table) WHERE rowid = (SELECT min(rowid) FROM \(table));",
                "ROLLBACK TO probe; RELEASE probe;",
            ]
        }
        lines += [
            "SELECT sql FROM sqlite_master WHERE name = 'decisions';",
            "SELECT id FROM decisions WHERE is_hard_override = 1 AND (approved_by IS NULL OR approved_at IS NULL);",
            "PRAGMA foreign_key_check;",
            "SELECT id, role, is_active FROM users;",
            "SELECT id, rules FROM policy_versions;",
            "SELECT e.id, e.result, e.output, e.output_hash, e.evaluator_version, e.signal_id, e.policy_version_id, s.payload FROM evaluations e JOIN signals s ON s.id = e.signal_id ORDER BY e.rowid;",
        ]
        for _ in 0..<3 {  // the baseline capture, counts_unchanged and no_data_lost each count the nine tables
            lines += SeedTables.insertionOrder.map { "SELECT COUNT(*) FROM \($0);" }
        }
        lines += [
            // approvals.gate_enforced, approvals.no_overdue_pending, traces.no_pii read these.
            "SELECT id, occurred_at, actor, action, entity_type, entity_id, json_extract(details, '$.proposal_id') FROM audit_events WHERE action IN ('signal.created', 'policy_version.created', 'exception.dismissed') AND (actor LIKE 'agent:%' OR json_extract(details, '$.proposal_id') IS NOT NULL) ORDER BY id;",
            "SELECT id FROM signals WHERE created_by LIKE 'agent:%' ORDER BY rowid;",
            "SELECT id, expires_at, proposed_at FROM pending_proposals WHERE status = 'pending' ORDER BY rowid;",
            "SELECT id, input_summary, output_summary, tool_calls, error_message, triggered_by FROM agent_traces ORDER BY rowid;",
            "SELECT display_name, email FROM users ORDER BY rowid;",
            "SELECT MAX(id), MAX(occurred_at) FROM audit_events;",
            "SELECT version_num FROM alembic_version;",
            "SELECT name FROM sqlite_master WHERE name IN ('pending_proposals', 'agent_traces', 'idx_pending_proposals_status', 'idx_pending_proposals_expires', 'idx_agent_traces_trace_id', 'idx_agent_traces_agent_type', 'idx_agent_traces_status');",
        ]
        return lines.joined(separator: "\n") + "\n"
    }
}
