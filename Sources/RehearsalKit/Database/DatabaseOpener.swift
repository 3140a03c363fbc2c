import Foundation
import GRDB

/// Opens rehearsal databases with the settings the translation relies on.
public enum DatabaseOpener {
    /// A file database (created if missing), or an in-memory one when `path` is nil.
    /// Foreign keys are on for every connection (DESIGN.md); GRDB turns them on by default.
    ///
    /// `memoryMapped`: read pages through a memory map (`PRAGMA mmap_size`) instead of copying
    /// them into the page cache: for `check`, which reads every row of a file far larger than
    /// the cache (on the production profile, 17% less time). Not for seeding: mapped pages count
    /// as resident memory, and seeding keeps under 200 MB.
    public static func open(path: String?, memoryMapped: Bool = false) throws -> DatabaseQueue {
        var configuration = Configuration()
        configuration.foreignKeysEnabled = true
        configuration.label = "rehearse"
        // Another process writing: wait for its lock (a probe needs one) before giving up.
        configuration.busyMode = .timeout(5)
        // Checks read every row of million-row tables; a 64 MiB page cache (SQLite's default is
        // 2 MiB) keeps foreign-key and join lookups from re-reading pages.
        configuration.prepareDatabase { db in
            try db.execute(sql: "PRAGMA cache_size = -65536")
            if memoryMapped { try db.execute(sql: "PRAGMA mmap_size = 2147418112") }
        }
        guard let path else { return try DatabaseQueue(configuration: configuration) }
        do {
            return try DatabaseQueue(path: path, configuration: configuration)
        } catch let error as DatabaseError {
            throw DatabaseOpenError(path: path, message: SQLiteFailure.describe(error))
        }
    }
}

extension DatabaseOpener {
    /// Opens a database that must already exist (commands that read or fill one, not create it).
    public static func openExisting(path: String, memoryMapped: Bool = false) throws -> DatabaseQueue {
        guard FileManager.default.fileExists(atPath: path) else { throw NoSuchDatabase(path: path) }
        return try open(path: path, memoryMapped: memoryMapped)
    }

    /// An existing database that passes `PRAGMA quick_check`: what a baseline, a backup or a
    /// verdict is taken from, so a corrupt file never yields one.
    public static func openVerified(path: String, memoryMapped: Bool = false) throws -> DatabaseQueue {
        let queue = try openExisting(path: path, memoryMapped: memoryMapped)
        do {
            let problems = try queue.read { db in try String.fetchAll(db, sql: "PRAGMA quick_check") }
            guard problems == ["ok"] else { throw DatabaseOpenError(path: path, message: "the database is corrupt (quick_check: \(problems.prefix(3).joined(separator: "; ")))") }
        } catch let error as DatabaseError {
            throw DatabaseOpenError(path: path, message: SQLiteFailure.describe(error))
        }
        return queue
    }
}

/// A command that only reads or changes a database was given a path with no file: it never
/// creates one (a typo would otherwise leave an empty database behind and a confusing answer).
public struct NoSuchDatabase: UserFacingError {
    public var path: String
    public var exitStatus: ExitStatus { .invalidInput }
    public var description: String { "\(path): error: no such database (run `rehearse migrate upgrade head --db \(path)` first)" }
}

/// The database file could not be opened or is not a database.
public struct DatabaseOpenError: UserFacingError {
    public var path: String
    public var message: String
    public var exitStatus: ExitStatus { .invalidInput }
    public var description: String { "\(path): error: cannot open the database: \(message)" }
}
