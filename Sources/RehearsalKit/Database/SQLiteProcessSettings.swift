import CSQLiteSettings
import GRDBSQLite

/// Settings SQLite takes once per process, before its first connection opens.
///
/// Applied by the command line's `main`, before any thread exists that could be opening a
/// connection: SQLite documents `sqlite3_config` as unsafe while another thread uses SQLite (a
/// connection being opened at the same moment can see the statistics half turned off). So not
/// from `DatabaseOpener`, which a host process's threads may call at any time.
public enum SQLiteProcessSettings {
    /// Memory statistics off (see `CSQLiteSettings/settings.c`: their mutex is shared by every
    /// connection of the process). False when a connection opened first: SQLite then refuses
    /// any configuration and keeps its defaults, which only costs speed.
    public static let applied: Bool = rehearse_sqlite_turn_off_memory_statistics() == SQLITE_OK

    /// Whether SQLite counts the memory it allocates: what `applied` turned off.
    public static var countsMemory: Bool {
        var current: sqlite3_int64 = 0, highest: sqlite3_int64 = 0
        sqlite3_status64(SQLITE_STATUS_MEMORY_USED, &current, &highest, 0)
        return current != 0
    }
}
