import GRDB

/// Counts the row changes SQLite reports per table (GRDB's transaction observer, i.e. SQLite's
/// update hook, with the truncate optimisation off so `DELETE FROM t` is counted too). Changes
/// inside a savepoint that is rolled back are never delivered (GRDB drops them), so a failed
/// step that left nothing behind does not count. DDL and a restore through the backup API are
/// not row changes: they move `PRAGMA schema_version`, which every invariant depends on.
final class ChangeTracker: TransactionObserver {
    private(set) var byTable: [String: UInt64] = [:]
    /// Every change to any table: what an invariant that reads all tables depends on.
    private(set) var total: UInt64 = 0
    /// Changes to `alembic_version` and the `rehearse_*` bookkeeping tables.
    private(set) var bookkeeping: UInt64 = 0
    /// Set while invariants are evaluated: their probes run in savepoints that are rolled back.
    var paused = false

    func observes(eventsOfKind eventKind: DatabaseEventKind) -> Bool { true }

    func databaseDidChange(with event: DatabaseEvent) {
        guard !paused else { return }
        let table = event.tableName.lowercased()
        byTable[table, default: 0] &+= 1
        total &+= 1
        if table == "alembic_version" || table.hasPrefix("rehearse_") { bookkeeping &+= 1 }
    }

    func version(of table: String) -> UInt64 { byTable[table] ?? 0 }

    func databaseDidCommit(_ db: Database) {}
    func databaseDidRollback(_ db: Database) {}
}
