import Foundation
import ArgumentParser
import GRDB
import RehearsalKit

struct MigrateCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "migrate",
        abstract: "Apply the alembic-style revision chain (alembic's commands and messages).",
        subcommands: [Upgrade.self, Downgrade.self, Current.self, History.self, Validate.self]
    )

    struct Upgrade: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Upgrade to head, +N or a revision.")
        @Argument(help: "head, +N, or a revision id (or unique prefix).") var target: String = "head"
        @OptionGroup var options: DatabaseOptions

        func run() throws {
            try migrate("migrate upgrade \(target)", options, creating: true) { migrator, db in try migrator.upgrade(db, to: target) { print($0) } }
        }
    }

    struct Downgrade: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Downgrade to base, -N or a revision.")
        // `.allUnrecognized` so that alembic's `downgrade -1` is read as a target, not a flag.
        @Argument(parsing: .allUnrecognized, help: "base, -N, or a revision id (or unique prefix).") var targets: [String] = []
        @OptionGroup var options: DatabaseOptions

        var target: String { targets[0] }

        func validate() throws {
            guard targets.count == 1 else {
                throw ValidationError(targets.isEmpty ? "Missing expected argument '<target>' (base, -N or a revision)" : "Expected one target, got: \(targets.joined(separator: " "))")
            }
        }

        func run() throws {
            try migrate("migrate downgrade \(target)", options) { migrator, db in try migrator.downgrade(db, to: target) { print($0) } }
        }
    }

    struct Current: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Print the applied revision, marked (head) when it is the head.")
        @OptionGroup var options: DatabaseOptions

        func run() throws {
            try reportingErrors("migrate current", file: options.db) {
                let chain = try options.loadChain()
                let queue = try options.openDatabase()
                try queue.read { db in
                    let migrator = Migrator(chain: chain)
                    if let line = try migrator.currentLine(db) { print(line) }
                    for changed in try migrator.changedRevisions(db) {
                        printError("warning: \(changed.path) changed since revision \(changed.id) was applied")
                    }
                }
            }
        }
    }

    struct History: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "List revisions, newest first.")
        @Flag(name: .long, help: "Show each revision's parent, file, message and checksum.") var verbose = false
        @OptionGroup var options: DatabaseOptions

        func run() throws {
            try reportingErrors("migrate history", file: options.db) {
                let chain = try options.loadChain()
                let migrator = Migrator(chain: chain)
                // alembic history reads the scripts; the database only marks the current
                // revision, so a missing file is no revision, not a file to create.
                var current: String?
                if FileManager.default.fileExists(atPath: options.db) {
                    current = try options.openDatabase().read { db in try migrator.current(db) }
                }
                migrator.history(verbose: verbose, current: current).forEach { print($0) }
            }
        }
    }

    struct Validate: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Check that no applied revision's file changed since it ran (exit 2 naming it) and that the schema is what the migrations produce at the recorded revision (exit 1 listing every difference).")
        @OptionGroup var options: DatabaseOptions

        func run() throws {
            try reportingErrors("migrate validate", file: options.db) {
                let chain = try options.loadChain()
                let queue = try options.openDatabase()
                try queue.read { db in
                    let migrator = Migrator(chain: chain)
                    let differences = try migrator.schemaDifferences(db)
                    let revision = try migrator.current(db) ?? "<base>"
                    try migrator.refuseChangedFiles(db)
                    guard differences.isEmpty else {
                        for difference in differences { print("  - \(difference)") }
                        throw MigrationError.schemaDrift(revision: revision, differences: differences.count)
                    }
                    print("ok: \(revision), every applied revision matches its file and the schema matches the migrations")
                }
            }
        }
    }
}

/// Loads the chain, opens the database and runs one migration command, reporting errors.
private func migrate(_ operation: String, _ options: DatabaseOptions, creating: Bool = false, _ body: (Migrator, Database) throws -> [String]) throws {
    try reportingErrors(operation, file: options.db) {
        let chain = try options.loadChain()
        let queue = try options.openDatabase(creating: creating)
        try queue.writeWithoutTransaction { db in _ = try body(Migrator(chain: chain), db) }
    }
}
