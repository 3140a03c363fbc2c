import ArgumentParser
import GRDB
import RehearsalKit

struct SQLCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "sql",
        abstract: "Run SQL against a rehearsal database and print results like psql.",
        discussion: """
            Statements come from the argument, or from stdin when it is omitted, written for Postgres \
            (the checklist's SQL runs as is; docs/postgres-translation.md lists what is translated). \
            They run as one transaction: if one fails, none of them is kept. Exit 1 when a constraint \
            or trigger rejects a statement, 2 when a statement cannot run at all.
            """
    )

    @Argument(help: "The SQL to run (reads stdin when omitted).") var statement: String?
    @Flag(name: .long, help: "Print each result set as a JSON array of row objects.") var json = false
    @Option(name: .long, help: "The SQLite database file (it must exist: `migrate upgrade` creates one).") var db: String
    @Flag(name: .long, help: "Run SQLite's SQL as is, without the Postgres rewrite layer.") var sqlite = false
    @Option(name: .long, help: "What NOW() means, ISO-8601 (default: the latest audit event's time).") var now: String?
    @Option(name: .long, help: "Seed for gen_random_uuid() (default: derived from the database's contents).") var seed: UInt64?

    func validate() throws {
        if let now, Timestamp(iso8601: now) == nil { throw ValidationError("--now '\(now)' is not an ISO-8601 time") }
    }

    func run() throws {
        try reportingErrors("sql", file: db) {
            let script = statement ?? readStandardInput()
            let source = statement == nil ? "<stdin>" : "<argument>"
            let queue = try DatabaseOpener.openExisting(path: db)
            let outcomes = try queue.writeWithoutTransaction { db in
                var dialect: PostgresDialect?
                if !sqlite {
                    let virtualNow = try now.flatMap(Timestamp.init(iso8601:)) ?? CheckCommand.latestActivity(db) ?? Seeder.defaultNow
                    dialect = PostgresDialect(now: virtualNow, seed: try seed ?? Self.contentSeed(db))
                }
                return try SQLConsole(source: source, dialect: dialect).run(db, script: script)
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

    /// A seed that changes whenever a row is added anywhere, so two invocations on a changed
    /// database draw different UUIDs, while the same database replays the same ones.
    static func contentSeed(_ db: Database) throws -> UInt64 {
        var seed: UInt64 = 0x5EED
        for table in try String.fetchAll(db, sql: "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name") {
            let maxRowid = try Int64.fetchOne(db, sql: "SELECT MAX(rowid) FROM \"\(table)\"") ?? 0
            seed = SeededGenerator.mix(seed ^ UInt64(bitPattern: maxRowid) ^ UInt64(table.utf8.count))
        }
        return seed
    }
}
