import GRDB

/// SQLite's errors in words an operator can act on: what happened, then SQLite's own message
/// and result code, never a bare "database is locked" or "not an error".
public enum SQLiteFailure {
    public static func describe(_ error: DatabaseError) -> String {
        let message = error.message.flatMap { $0.isEmpty || $0 == "not an error" ? nil : $0 }
        let code = "SQLite result code \(error.extendedResultCode.rawValue)"
        let sqlite = message.map { "SQLite: \($0); \(code)" } ?? code
        let meaning: String?
        switch error.resultCode {
        case .SQLITE_BUSY, .SQLITE_LOCKED: meaning = "the database is locked by another connection (waited for the busy timeout)"
        case .SQLITE_READONLY: meaning = "the database file or its directory is read-only"
        case .SQLITE_CORRUPT, .SQLITE_NOTADB: meaning = "the file is corrupt or not a SQLite database"
        case .SQLITE_FULL: meaning = "the disk is full"
        case .SQLITE_IOERR: meaning = "an I/O error while reading or writing the file"
        case .SQLITE_CANTOPEN: meaning = "the file cannot be opened"
        case .SQLITE_PERM: meaning = "permission denied"
        case .SQLITE_NOMEM: meaning = "out of memory"
        case .SQLITE_INTERRUPT: meaning = "interrupted (a work budget was exceeded)"
        default: meaning = nil
        }
        return meaning.map { "\($0) (\(sqlite))" } ?? "\(message ?? "an error SQLite did not describe") (\(code))"
    }
}

extension DatabaseError {
    /// A statement named a column the table no longer has (schema drift): a reader that names
    /// its columns falls back to reading the table whole.
    var isMissingColumn: Bool { message?.hasPrefix("no such column") == true }
}
