import ArgumentParser
import Foundation
import GRDB
import RehearsalKit

struct BaselineCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "baseline",
        abstract: "Record checklist 1.2's baseline values (counts, distributions, latest audit event) to a JSON file.")

    @Option(name: .long, help: "The SQLite database file.") var db: String
    @Option(name: .shortAndLong, help: "Where to write the baseline JSON.") var output: String
    @Option(name: .long, help: "A label stored in the file.") var label: String = "pre-deploy"
    @Flag(name: .long, help: "Replace an existing output file of another kind (never a directory, a device or the database).") var force = false

    func run() throws {
        try reportingErrors("baseline", file: db) {
            _ = try OutputFile.check(output, kind: .text, protecting: [db], force: force)
            let queue = try DatabaseOpener.openVerified(path: db)
            let baseline = try queue.read { db in try Baseline.capture(db, label: label) }
            try OutputFile.write(baseline.json().pretty(), to: output, protecting: [db], force: force)
            print("baseline '\(label)' written to \(output): " + Baseline.tables.map { "\($0) \(baseline.tableCounts[$0] ?? 0)" }.joined(separator: ", ")
                  + ", latest audit event \(baseline.latestAuditEventId.map(String.init) ?? "none")")
        }
    }
}

struct InputFileError: UserFacingError {
    var path: String
    var what: String
    var exitStatus: ExitStatus { .invalidInput }
    var description: String { "\(path): error: cannot read the \(what)" }
}

