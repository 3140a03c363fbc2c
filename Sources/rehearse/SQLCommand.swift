import ArgumentParser
import GRDB
import RehearsalKit

struct SQLCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "sql",
        abstract: "Run SQL against a rehearsal database and print results like psql.",
        discussion: """
            Statements come from the argument, or from stdin when it is omitted. They run as one \
            transaction: if one fails, none of them is kept. Exit 1 when a constraint or trigger \
            rejects a statement, 2 when a statement cannot run at all.
            """
    )

    @Argument(help: "The SQL to run (reads stdin when omitted).") var statement: String?
    @Flag(name: .long, help: "Print each result set as a JSON array of row objects.") var json = false
    @Option(name: .long, help: "The SQLite database file (created if missing).") var db: String

    func run() throws {
        try reportingErrors {
            let script = statement ?? readStandardInput()
            let source = statement == nil ? "<stdin>" : "<argument>"
            let queue = try DatabaseOpener.open(path: db)
            let outcomes = try queue.writeWithoutTransaction { db in
                try SQLConsole(source: source).run(db, script: script)
            }
            for outcome in outcomes {
                if json {
                    if case .rows = outcome { print(outcome.jsonRows().serialized()) }
                } else {
                    print(outcome.psqlTable())
                }
            }
        }
    }
}
