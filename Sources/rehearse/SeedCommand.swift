import ArgumentParser
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

    func validate() throws {
        if SeedProfile.named(profile) == nil { throw ValidationError("unknown profile '\(profile)' (expected small, staging or production)") }
    }

    func run() throws {
        try reportingErrors("seed", file: db) {
            let queue = try DatabaseOpener.openExisting(path: db)
            let summary = try queue.write { db in
                try Seeder(profile: SeedProfile.named(profile)!, seed: seed).seed(db)
            }
            print("seeded \(profile) profile with seed \(seed): " + Baseline.tables.map { "\($0) \(summary.rows[$0] ?? 0)" }.joined(separator: ", "))
        }
    }
}
