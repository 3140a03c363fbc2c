import ArgumentParser
import GRDB
import RehearsalKit

struct BackupCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "backup",
        abstract: "pg_dump -Fc: copy a rehearsal database to a backup file, or list one (pg_restore --list).")

    @Option(name: .long, help: "The database to back up.") var db: String?
    @Option(name: .shortAndLong, help: "The backup file to write.") var output: String?
    @Option(name: .long, help: "List the contents of this backup file instead.") var list: String?

    func validate() throws {
        if list == nil && (db == nil || output == nil) { throw ValidationError("give --db and -o to take a backup, or --list FILE to read one") }
    }

    func run() throws {
        try reportingErrors {
            if let list {
                try Backup.load(path: list, name: list).tableOfContents().forEach { print($0) }
                return
            }
            let queue = try DatabaseOpener.openExisting(path: db!)
            let backup = try queue.writeWithoutTransaction { db in try Backup.take(db, name: output!, at: Timestamp(seconds: 0)) }
            try backup.write(to: output!)
            print("backup written to \(output!): \(try backup.tableOfContents().count) entries")
        }
    }
}

struct RestoreCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "restore",
        abstract: "pg_restore -c: replace a rehearsal database's contents with a backup file, saying what changed.")

    @Option(name: .long, help: "The database to restore over.") var db: String
    @Argument(help: "The backup file.") var file: String

    func run() throws {
        try reportingErrors {
            let backup = try Backup.load(path: file, name: file)
            let queue = try DatabaseOpener.open(path: db)
            let lines = try queue.writeWithoutTransaction { db in try backup.replaceContents(of: db) }
            lines.forEach { print($0) }
            print("restored \(file) into \(db)")
        }
    }
}
