import ArgumentParser
import Foundation
import GRDB
import RehearsalKit

/// `rehearse bench`: the performance figures of the issues, measured in one run as ratios
/// against the stock sqlite3 shell doing the same work, so a noisy shared machine affects both.
struct BenchCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "bench",
        abstract: "Measure seeding and check speed against the sqlite3 shell, the library, PII scanning and a served stack under load (build with -c release first).")

    @Option(name: .long, help: "The profile to measure: staging or production.") var profile: String = "production"
    @Option(name: .long, help: "The sqlite3 shell to compare against.") var sqlite3: String = "/usr/bin/sqlite3"
    @Option(name: .long, help: "Working directory for the databases (default: a new temporary one).") var dir: String?
    @Option(name: .long, help: "Parts to run: seed, check, linear, library, explore, happy, pii, serve (comma-separated).") var parts: String = "seed,check,linear,library,explore,happy,pii,serve"
    @Option(name: .long, help: "serve: concurrent clients.") var clients: Int = 20
    @Option(name: .long, help: "serve: how long the load runs, in seconds.") var seconds: Double = 10

    func validate() throws {
        guard ["staging", "production"].contains(profile) else { throw ValidationError("--profile must be staging or production") }
        guard (1...256).contains(clients) else { throw ValidationError("--clients must be 1 to 256") }
        guard seconds > 0 && seconds <= 600 else { throw ValidationError("--seconds must be more than 0 and at most 600") }
        let known: Set = ["seed", "check", "linear", "library", "explore", "happy", "pii", "serve"]
        for part in parts.split(separator: ",").map(String.init) where !known.contains(part) {
            throw ValidationError("--parts: '\(part)' is not a part (\(known.sorted().joined(separator: ", ")))")
        }
    }

    func run() async throws {
        let directory = dir ?? (NSTemporaryDirectory() as NSString).appendingPathComponent("rehearse-bench-\(getpid())")
        // Its own temporary directory goes when the bench ends; a --dir given is left as it is.
        defer { if dir == nil { try? FileManager.default.removeItem(atPath: directory) } }
        let wanted = Set(parts.split(separator: ",").map(String.init))
        try reportingErrors("bench") {
            try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
            var bench = SeedAndCheckBench(directory: directory, sqlite3: sqlite3)
            print("rehearse bench: profile \(profile), sqlite3 \(sqlite3), working in \(directory)")
            #if DEBUG
            print("warning: debug build; figures are only meaningful from `swift build -c release`")
            #endif
            // Seeding first: its peak-memory figure is the process's high-water mark so far.
            if !wanted.isDisjoint(with: ["seed", "check", "linear"]) {
                let profileValue = SeedProfile.named(profile)!
                let seeded = try bench.seed(profileValue, name: "bench-\(profile).db")
                if wanted.contains("seed") { try bench.compareSeeding(seeded) }
                if wanted.contains("check") { try bench.compareCheck(seeded) }
                if wanted.contains("linear") {
                    let smaller = profileValue == .production ? SeedProfile.staging : SeedProfile.small
                    let other = try bench.seed(smaller, name: "bench-\(smaller.name).db", quiet: true)
                    try bench.compareGrowth(small: other, large: seeded)
                }
            }
            if wanted.contains("happy") { try ExploreBench.happyPath(repeats: 15) }
            if wanted.contains("library") { try LibraryAndPIIBench.library(repeats: 3) }
            if wanted.contains("explore") { try ExploreBench.explore(runs: 300) }
            if wanted.contains("pii") { try LibraryAndPIIBench.pii(count: 100_000) }
        }
        if wanted.contains("serve") {
            do {
                try await ServeBench.run(directory: directory, clients: clients, seconds: seconds)
            } catch {
                printError("error: bench serve failed: \(error)")
                throw ExitCode(ExitStatus.failed.rawValue)
            }
        }
    }
}
