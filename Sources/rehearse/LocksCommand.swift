import ArgumentParser
import Foundation
import RehearsalKit

struct LocksCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "locks",
        abstract: "Which locks each Postgres migration statement takes, what they block, and what to fix; --pg-url proves it on a real PostgreSQL.",
        discussion: """
            Predictions come from the PostgreSQL 15 lock table shipped with rehearse (each row cites \
            the documentation). With --pg-url, every statement runs in one transaction on that \
            database (at the revision before the first one analysed), pg_locks is read after each, \
            and each prediction is marked confirmed or MISMATCH; the transaction is rolled back \
            unless --commit. Exit 0; 1 a traced prediction did not match; 2 bad input (a file that \
            does not parse, a statement the lock table does not know, an unreachable --pg-url).
            """)

    @Option(name: .long, help: "The Postgres migrations (default: ./migrations-postgres, else the shipped ones).") var migrationsPostgres: String?
    @Option(name: .long, help: "Only this revision (repeatable): 006 or 006_add_pending_proposals.") var revision: [String] = []
    @Option(name: .long, help: "text, json or markdown.") var format: Format = .text
    @Option(name: .long, help: "Trace on this PostgreSQL (a libpq URL, e.g. postgresql://user@127.0.0.1:5432/db) and compare.") var pgUrl: String?
    @Flag(name: .long, help: "With --pg-url: commit the traced migrations instead of rolling them back.") var commit = false
    @Flag(name: .long, help: "With --pg-url: time the migration under the application's workload and a long transaction writing exceptions, with and without lock_timeout (the database is left as it was).") var underLoad = false
    @Option(name: .long, help: "--under-load: how long the long transaction holds its write, in seconds.") var hold: Double = 10
    @Option(name: .long, help: "--under-load: application connections.") var clients: Int = 8

    enum Format: String, ExpressibleByArgument, CaseIterable { case text, json, markdown }

    func validate() throws {
        if commit && pgUrl == nil { throw ValidationError("--commit applies to --pg-url") }
        if underLoad && pgUrl == nil { throw ValidationError("--under-load needs --pg-url (a PostgreSQL at the revision before the migrations, with data)") }
        if underLoad && commit { throw ValidationError("--under-load always rolls the migration back: drop --commit") }
        guard hold > 0 && hold <= 600 else { throw ValidationError("--hold must be more than 0 and at most 600 seconds") }
        guard (1...64).contains(clients) else { throw ValidationError("--clients must be 1 to 64") }
    }

    func run() throws {
        try reportingErrors("locks") {
            let directory = migrationsPostgres ?? (FileManager.default.fileExists(atPath: "migrations-postgres") ? "migrations-postgres" : ShippedResources.postgresMigrationsDirectory)
            let files: [LockReport.MigrationFile]
            let report: LockReport
            do {
                files = try LockReport.loadMigrations(directory: directory)
                report = try LockReport.analyse(files, only: revision)
            } catch let error as PostgresSplitError {
                throw LocksInputError(description: error.description)
            } catch let error as LockTableError {
                throw LocksInputError(description: error.description)
            }
            if underLoad, let pgUrl {
                print(try LockLoad.run(report, files: files, url: pgUrl, hold: hold, clients: clients).text())
                return
            }
            let trace = try pgUrl.map { try LockTracer.trace(report, files: files, url: $0, commit: commit) }
            switch format {
            case .text: print(report.text(trace: trace))
            case .json: print(report.json(trace: trace).pretty())
            case .markdown: print(report.markdown(trace: trace), terminator: "")
            }
            // Never silently safe: a statement the table does not know is an error, after the report.
            let unknown = report.unknown
            for entry in unknown {
                printError("\(entry.file):\(entry.statement.line):\(entry.statement.column): error: unknown: check by tracing (`\(entry.statement.summary)` is not in the lock table)")
            }
            if !unknown.isEmpty { throw ExitCode(ExitStatus.invalidInput.rawValue) }
            if let trace, trace.confirmedCount < trace.statements.count {
                printError("error: \(trace.statements.count - trace.confirmedCount) prediction(s) did not match what \(trace.server) did (MISMATCH above)")
                throw ExitCode(ExitStatus.failed.rawValue)
            }
        }
    }
}

struct LocksInputError: UserFacingError {
    var description: String
    var exitStatus: ExitStatus { .invalidInput }
}
