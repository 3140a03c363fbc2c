import ArgumentParser
import Foundation
import GRDB
import RehearsalKit

struct SeedCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "seed",
        abstract: "Fill a migrated, empty database with deterministic data (the same seed writes the same file).")

    @Option(name: .long, help: "The migrated SQLite database file.") var db: String
    @Option(name: .long, help: "small, staging (about 100k audit events) or production (over 1M audit events, 100k decisions).")
    var profile: String = "small"
    @Option(name: .long, help: "The seed; the same seed gives byte-identical files.") var seed: UInt64 = 42
    @Flag(name: .long, help: "No progress line on the terminal.") var quiet = false

    func validate() throws {
        if SeedProfile.named(profile) == nil { throw ValidationError("unknown profile '\(profile)' (expected small, staging or production)") }
    }

    func run() throws {
        try reportingErrors("seed", file: db) {
            let queue = try DatabaseOpener.openExisting(path: db)
            var seeder = Seeder(profile: SeedProfile.named(profile)!, seed: seed)
            // On a terminal, a progress line on stderr (rows per table, rate, time left); none
            // when stderr is a pipe or a file, or with --quiet.
            let terminal = !quiet && isatty(STDERR_FILENO) == 1
            let started = ContinuousClock.now
            if terminal {
                seeder.progress = { done, total, rows in
                    let seconds = Double((ContinuousClock.now - started).components.attoseconds) / 1e18 + Double((ContinuousClock.now - started).components.seconds)
                    let tables = ["evaluations", "exceptions", "decisions", "audit_events"].map { "\($0) \(ProgressLine.grouped(rows[$0] ?? 0))" }.joined(separator: ", ")
                    FileHandle.standardError.write(Data(("\r\u{1B}[K" + ProgressLine.format(done: done, total: total, unit: "signals", seconds: seconds, detail: tables)).utf8))
                }
            }
            let summary = try queue.writeWithoutTransaction { db in try seeder.seedCheckingForeignKeysOnce(db) }
            if terminal { FileHandle.standardError.write(Data("\n".utf8)) }
            print("seeded \(profile) profile with seed \(seed): " + Baseline.tables.map { "\($0) \(summary.rows[$0] ?? 0)" }.joined(separator: ", "))
        }
    }
}
