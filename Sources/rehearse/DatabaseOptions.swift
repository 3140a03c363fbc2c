import ArgumentParser
import GRDB
import RehearsalKit

/// `--db` and `--migrations`, shared by every command that opens a rehearsal database.
struct DatabaseOptions: ParsableArguments {
    @Option(name: .long, help: "The SQLite database file (only `migrate upgrade` creates a missing one).")
    var db: String

    @Option(name: .long, help: "A directory of SQLite revisions to use instead of the shipped ones.")
    var migrations: String?

    func openDatabase(creating: Bool = false) throws -> DatabaseQueue {
        creating ? try DatabaseOpener.open(path: db) : try DatabaseOpener.openExisting(path: db)
    }

    func loadChain() throws -> RevisionChain {
        if let migrations { return try RevisionChain.load(directory: migrations) }
        return try RevisionChain.shipped()
    }
}
