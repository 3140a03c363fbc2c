import Foundation
import GRDB
import GRDBSQLite

/// A `pg_dump -Fc` analogue: a complete copy of the database taken at one moment, restorable
/// over a changed database (`pg_restore -c`), with a table of contents (`pg_restore --list`).
public struct Backup {
    public var name: String
    public var takenAt: Timestamp
    let image: DatabaseQueue
    /// `pg_dump -F`: custom (`-Fc`), tar or plain; pg_restore reads the first two only.
    public var format = "custom"
    /// The verified header of a backup read from a file.
    public var header: BackupFile.Header?
    /// The archive's catalogue, read when the backup was taken on the connection it was copied
    /// from (whose schema SQLite has already parsed: the copy's own connection would parse it
    /// all again for `pg_restore --list` or a restore). Nil for a backup read from a file.
    private(set) var catalog: DumpCatalog?

    /// What `pg_restore` reads of the archive (`--list`, and before a restore).
    func dumpCatalog() throws -> DumpCatalog {
        try catalog ?? image.read { try DumpCatalog($0) }
    }

    /// The application tables the archive holds.
    var tableNames: Set<String> { (try? dumpCatalog().allTables) ?? [] }

    /// Copies the whole database with SQLite's online backup API.
    public static func take(_ db: Database, name: String, at time: Timestamp) throws -> Backup {
        let image = try DatabaseQueue()
        try image.writeWithoutTransaction { copy in try db.backup(to: copy) }
        var backup = Backup(name: name, takenAt: time, image: image)
        // The backup API copies main: the same bytes, so the same catalogue, read there. Only
        // for an in-memory database, which no other process can change between the copy and
        // the reads (a file's could: a served stack's). Nor can a catalogue that cannot be read
        // stop the backup itself (pg_restore will say what it cannot read).
        let file = sqlite3_db_filename(db.sqliteConnection, "main")
        if file == nil || file!.pointee == 0 {
            backup.catalog = try? DumpCatalog(db, schema: "main")
        }
        return backup
    }

    /// Reads a backup file written by `write(to:)` after verifying it (BackupFile.verify): a
    /// file that does not prove itself is refused before anything reads its tables.
    public static func load(path: String, name: String) throws -> Backup {
        let header = try BackupFile.verify(path: path)
        do {
            let file = try DatabaseQueue(path: path, configuration: BackupFile.readOnly)
            defer { try? file.close() }
            let image = try DatabaseQueue()
            try file.read { source in try image.writeWithoutTransaction { copy in try source.backup(to: copy) } }
            try image.write { db in try db.execute(sql: "DROP TABLE \(BackupFile.headerTable)") }
            var backup = Backup(name: name, takenAt: Timestamp(seconds: 0), image: image)
            backup.header = header
            return backup
        } catch let error as DatabaseError {
            throw BackupError.unreadable(path: path, reason: error.message ?? "\(error)")
        }
    }

    /// Writes the backup to `path` with its header, verified before it replaces anything.
    @discardableResult
    public func write(to path: String, protecting: [String] = [], force: Bool = false) throws -> BackupFile.Header {
        try BackupFile.write(image, to: path, protecting: protecting, force: force)
    }

    /// `pg_restore -c`: replaces everything in `db` with the backup's contents. It cannot run
    /// inside a transaction (SQLite's backup API replaces the file's pages).
    public func restore(into db: Database) throws {
        try image.read { source in try source.backup(to: db) }
        // No hook reports the pages the backup API replaced: tell the connection's observers
        // (the incremental evaluation forgets what it knew of every row).
        try db.notifyChanges(in: .fullDatabase)
    }

    /// Replaces everything in `db` with the backup (the rehearsal's own restore of a file it
    /// wrote, not pg_restore's semantics), and says per table what changed.
    public func replaceContents(of db: Database) throws -> [String] {
        let before = try Self.counts(db)
        try restore(into: db)
        return Self.changes(before: before, after: try Self.counts(db))
    }

    /// Per table, what a restore brought back or lost (`  decisions: 130 → 135 rows (+5)`).
    static func changes(before: [String: Int], after: [String: Int]) -> [String] {
        var lines: [String] = []
        for table in Set(before.keys).union(after.keys).sorted() where before[table] != after[table] {
            let b = before[table], a = after[table]
            if let b, let a { lines.append("  \(table): \(b) → \(a) rows (\(a - b >= 0 ? "+" : "")\(a - b))") }
            else if let b { lines.append("  \(table): dropped (\(b) rows lost)") }
            else if let a { lines.append("  \(table): restored (\(a) rows)") }
        }
        return lines
    }

    /// `pg_restore --list`: every table with its row count, and the alembic revision.
    public func tableOfContents() throws -> [String] {
        try image.read { db in
            var lines: [String] = []
            if let revision = try MigrationBookkeeping.currentRevision(db) { lines.append("; alembic_version \(revision)") }
            for table in try String.fetchAll(db, cached: "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name") {
                let count = try Int.fetchOne(db, cached: "SELECT COUNT(*) FROM \"\(table)\"") ?? 0
                lines.append("TABLE DATA public \(table) (\(count) rows)")
            }
            for (type, name) in try Row.fetchAll(db, cached: "SELECT type, name FROM sqlite_master WHERE type IN ('index', 'trigger') AND name NOT LIKE 'sqlite_%' ORDER BY type, name").map({ ($0[0] as String, $0[1] as String) }) {
                lines.append("\(type.uppercased()) public \(name)")
            }
            return lines
        }
    }

    /// Row counts per table, to say what a restore brought back or lost.
    func counts() throws -> [String: Int] {
        try image.read { db in try Backup.counts(db) }
    }

    static func counts(_ db: Database) throws -> [String: Int] {
        var counts: [String: Int] = [:]
        for table in try String.fetchAll(db, cached: "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' AND name NOT LIKE 'rehearse_%'") {
            counts[table] = try Int.fetchOne(db, cached: "SELECT COUNT(*) FROM \"\(table)\"") ?? 0
        }
        return counts
    }
}

public enum BackupError: UserFacingError, Equatable {
    case unreadable(path: String, reason: String)
    case unknown(name: String, known: [String])

    public var exitStatus: ExitStatus { .invalidInput }
    public var description: String {
        switch self {
        case .unreadable(let path, let reason): return "\(path): error: not a readable backup: \(reason)"
        case .unknown(let name, let known): return "error: no backup named '\(name)' (taken: \(known.isEmpty ? "none" : known.joined(separator: ", ")))"
        }
    }
}
