import ArgumentParser
import Foundation
import GRDB
import RehearsalKit

struct CheckCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "check",
        abstract: "Evaluate the invariant catalog on a database: exit 0 when every applicable invariant holds, 1 when one is broken, 3 when none is broken but one could not be evaluated (locked, read-only).")

    @Option(name: .long, help: "The SQLite database file.") var db: String
    @Option(name: .long, help: "A baseline file from `rehearse baseline`, to compare counts and roles.") var baseline: String?
    @Option(name: .long, help: "text or json (schema in docs/check-json.md).") var format: OutputFormat = .text
    @Option(name: .long, parsing: .upToNextOption, help: "Evaluate only these invariant ids.") var only: [String] = []
    @Option(name: .long, help: "The revision schema.revision expects (default: the chain's head).") var expectRevision: String?
    @Option(name: .long, help: "The virtual now, ISO-8601 (default: the latest audit event's time).") var now: String?
    @Option(name: .long, help: "A directory of SQLite revisions to use instead of the shipped ones.") var migrations: String?

    enum OutputFormat: String, ExpressibleByArgument, CaseIterable { case text, json }

    @Flag(name: .long, help: "No progress line on the terminal.") var quiet = false

    func validate() throws {
        do {
            try InvariantCatalog.standard.validate(ids: only)
        } catch let error as UnknownInvariantError {
            throw ValidationError(String(error.description.dropFirst("error: ".count)))
        }
        if let now, Timestamp(iso8601: now) == nil { throw ValidationError("--now '\(now)' is not an ISO-8601 time") }
    }

    func run() throws {
        try reportingErrors("check", file: db) {
            let chain = try migrations.map { try RevisionChain.load(directory: $0) } ?? RevisionChain.shipped()
            if let expectRevision, expectRevision != RevisionChain.base, !chain.revisions.contains(where: { $0.id == expectRevision }) {
                throw ValidationError("--expect-revision '\(expectRevision)' is not a revision of the chain (revisions: \(chain.revisions.map(\.id).joined(separator: ", ")))")
            }
            let recorded = try baseline.map { try Baseline.load(path: $0) }
            let queue = try DatabaseOpener.openVerified(path: db, memoryMapped: true)
            // On a terminal, which invariant is being evaluated, with the time left (the
            // production profile takes seconds per invariant); none in a pipe or with --quiet.
            if !quiet && isatty(STDERR_FILENO) == 1 {
                let total = only.isEmpty ? InvariantCatalog.standard.invariants.count : Set(only).count
                let started = ContinuousClock.now
                nonisolated(unsafe) var done = 0
                InvariantCatalog.timer = { id, body in
                    let elapsed = ContinuousClock.now - started
                    let seconds = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
                    FileHandle.standardError.write(Data(("\r\u{1B}[K" + ProgressLine.format(done: done, total: total, unit: "invariants", seconds: seconds, detail: id)).utf8))
                    defer { done += 1 }
                    return try body()
                }
            }

            let (results, comparison) = try queue.writeWithoutTransaction { db in
                let virtualNow = try now.flatMap(Timestamp.init(iso8601:)) ?? Self.latestActivity(db) ?? Seeder.defaultNow
                let context = InvariantContext(db: db, chain: chain, baseline: recorded, expectedRevision: expectRevision, now: virtualNow)
                let results = try InvariantCatalog.standard.evaluate(context, only: only.isEmpty ? nil : Set(only))
                let comparison = try recorded.map { BaselineComparison(before: $0, after: try Baseline.capture(db, label: "post-deploy")) }
                return (results, comparison)
            }
            if !quiet && isatty(STDERR_FILENO) == 1 { FileHandle.standardError.write(Data("\r\u{1B}[K".utf8)) }
            let report = InvariantReport(results: results)
            switch format {
            case .json:
                var json = report.json()
                if case .object(var members) = json, let comparison {
                    members.append(("baseline_values", .array(comparison.lines.map {
                        .object([("metric", .string($0.metric)), ("pre_deploy", .string($0.before)), ("post_deploy", .string($0.after)), ("status", .string($0.status))])
                    })))
                    json = .object(members)
                }
                print(json.pretty())
            case .text:
                print(report.text(style: .forStandardOutput))
                if let comparison { print("\nBaseline Values:\n\n" + comparison.markdown(), terminator: "") }
            }
            if report.brokenCount > 0 { throw ExitCode(ExitStatus.failed.rawValue) }
            // Could not evaluate is not "unsafe" (1) and not "safe" (0).
            if report.unknownCount > 0 { throw ExitCode(ExitStatus.unknown.rawValue) }
        }
    }

    /// The latest thing that happened in the data, standing in for "now" outside a scenario.
    static func latestActivity(_ db: Database) throws -> Timestamp? {
        guard try db.tableExists("audit_events") else { return nil }
        return try String.fetchOne(db, sql: "SELECT MAX(occurred_at) FROM audit_events").flatMap(Timestamp.init(iso8601:))
    }
}

extension TerminalStyle {
    /// Colour on a terminal only, and never when NO_COLOR is set.
    static var forStandardOutput: TerminalStyle {
        TerminalStyle(colour: isatty(STDOUT_FILENO) == 1 && ProcessInfo.processInfo.environment["NO_COLOR"] == nil)
    }
}

