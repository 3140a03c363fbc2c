import ArgumentParser
import Foundation
import GRDB
import RehearsalKit

/// `rehearse bench`: the performance figures of the issues, measured in one run as ratios
/// against the stock sqlite3 shell doing the same work, so a noisy shared machine affects both.
struct BenchCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "bench",
        abstract: "Measure seeding and check speed against the sqlite3 shell (build with -c release first).")

    @Option(name: .long, help: "The profile to measure: staging or production.") var profile: String = "production"
    @Option(name: .long, help: "The sqlite3 shell to compare against.") var sqlite3: String = "/usr/bin/sqlite3"
    @Option(name: .long, help: "Working directory for the databases (default: a new temporary one).") var dir: String?
    @Option(name: .long, help: "Parts to run: seed, check, linear, library, pii (comma-separated).") var parts: String = "seed,check,linear,library,pii"

    func validate() throws {
        guard ["staging", "production"].contains(profile) else { throw ValidationError("--profile must be staging or production") }
    }

    func run() throws {
        try reportingErrors("bench") {
            let directory = dir ?? (NSTemporaryDirectory() as NSString).appendingPathComponent("rehearse-bench-\(getpid())")
            try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
            // Its own temporary directory goes when the bench ends; a --dir given is left as it is.
            defer { if dir == nil { try? FileManager.default.removeItem(atPath: directory) } }
            let wanted = Set(parts.split(separator: ",").map(String.init))
            var bench = SeedAndCheckBench(directory: directory, sqlite3: sqlite3)
            print("rehearse bench: profile \(profile), sqlite3 \(sqlite3), working in \(directory)")
            #if DEBUG
            print("warning: debug build; figures are only meaningful from `swift build -c release`")
            #endif
            if wanted.contains("library") { try LibraryAndPIIBench.library(repeats: 3) }
            if wanted.contains("pii") { try LibraryAndPIIBench.pii(count: 100_000) }
            guard !wanted.isDisjoint(with: ["seed", "check", "linear"]) else { return }
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
    }
}
