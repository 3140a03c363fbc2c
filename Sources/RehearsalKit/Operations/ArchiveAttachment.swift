import GRDB
import GRDBSQLite

/// An archive's database attached to a restore's connection under `rehearse_archive`, so the
/// restore's COPYs are `INSERT … SELECT` statements SQLite runs itself instead of rows fetched
/// into Swift and bound back one by one (the largest cost of a restore in `perf`).
///
/// The archive is an in-memory database of its own connection, which another connection cannot
/// open, so its bytes are serialized (`sqlite3_serialize`, a copy of its pages) and attached as an
/// in-memory schema (`sqlite3_deserialize`). The copy is not opened read-only: `pg_restore -1`'s
/// `BEGIN IMMEDIATE` takes a write lock on every attached schema, which a read-only one refuses.
/// The restore names `main.` in everything it writes, and the archive itself is never touched.
struct ArchiveAttachment {
    static let schema = "rehearse_archive"
    private let db: Database

    /// Attaches `backup`'s database. Outside any transaction only: SQLite cannot detach inside
    /// one, and a restore must leave nothing attached behind.
    init(_ backup: Backup, on db: Database) throws {
        self.db = db
        let (bytes, size) = try backup.image.read { source -> (UnsafeMutablePointer<UInt8>?, Int64) in
            var size: Int64 = 0
            let bytes = sqlite3_serialize(source.sqliteConnection, "main", &size, 0)
            return (bytes, size)
        }
        guard let bytes else { throw DatabaseError(resultCode: .SQLITE_NOMEM, message: "the archive could not be read into memory") }
        // An archive copied from a database in WAL mode (a served stack's) keeps WAL's file
        // format numbers in its header, which SQLite's in-memory files cannot open: as SQLite's
        // documentation for sqlite3_deserialize says, they are set back to the rollback journal's.
        if size >= 20 {
            bytes[18] = 1
            bytes[19] = 1
        }
        do {
            try db.execute(sql: "ATTACH DATABASE ':memory:' AS \(Self.schema)")
        } catch {
            sqlite3_free(bytes)
            throw error
        }
        // SQLite owns the buffer from here (FREEONCLOSE), whether or not this succeeds.
        let code = sqlite3_deserialize(db.sqliteConnection, Self.schema, bytes, size, size,
                                       UInt32(SQLITE_DESERIALIZE_FREEONCLOSE | SQLITE_DESERIALIZE_RESIZEABLE))
        guard code == SQLITE_OK else {
            try? db.execute(sql: "DETACH DATABASE \(Self.schema)")
            throw DatabaseError(resultCode: ResultCode(rawValue: code), message: "the archive could not be attached")
        }
    }

    /// Detaches the archive; a second call finds nothing to detach and does nothing.
    func detach() throws {
        guard try Bool.fetchOne(db, sql: "SELECT EXISTS (SELECT 1 FROM pragma_database_list WHERE name = ?)", arguments: [Self.schema]) == true else { return }
        try db.execute(sql: "DETACH DATABASE \(Self.schema)")
    }
}
