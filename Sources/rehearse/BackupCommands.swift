import ArgumentParser
import GRDB
import RehearsalKit

struct BackupCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "backup",
        abstract: "pg_dump -Fc: copy a rehearsal database to a backup file, or list one (pg_restore --list).")

    @Option(name: .long, help: "The database to back up.") var db: String?
    @Option(name: .shortAndLong, help: "The backup file to write.") var output: String?
    @Option(name: .long, help: "List the contents of this backup file instead (after verifying it).") var list: String?
    @Flag(name: .long, help: "Replace an existing file that is not a backup (a directory, a device or the database itself is never replaced).") var force = false

    func validate() throws {
        if list == nil && (db == nil || output == nil) { throw ValidationError("give --db and -o to take a backup, or --list FILE to read one") }
    }

    func run() throws {
        try reportingErrors(list == nil ? "backup" : "backup --list", file: list ?? db) {
            if let list {
                try Backup.load(path: list, name: list).tableOfContents().forEach { print($0) }
                return
            }
            _ = try OutputFile.check(output!, kind: .backup, protecting: [db!], force: force)
            let queue = try DatabaseOpener.openVerified(path: db!)
            let backup = try queue.writeWithoutTransaction { db in try Backup.take(db, name: output!, at: Timestamp(seconds: 0)) }
            let header = try backup.write(to: output!, protecting: [db!], force: force)
            print("backup written to \(output!) and verified: \(header.counts.count) tables, \(header.counts.values.reduce(0, +)) rows, sha256 \(header.checksum.prefix(16))…")
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
        try reportingErrors("restore", file: db) {
            let backup = try Backup.load(path: file, name: file)
            try backup.restore(intoFile: db).forEach { print($0) }
            print("restored \(file) into \(db)")
        }
    }
}
