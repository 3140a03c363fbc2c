import GRDB
import GRDBSQLite

extension Database {
    /// Whether a table of this name exists, as GRDB's `tableExists(_:)` answers (any schema,
    /// views excluded, names compared without case), from SQLite's own lookup.
    ///
    /// GRDB's answer rebuilds its picture of the whole schema (every object of every schema, as
    /// Swift strings) after each DDL statement and then lower-cases every object's name at each
    /// call: after a migration's statements or a restore, that rebuild was most of the first
    /// call, and the engine asks after nearly every DDL statement (the enum bookkeeping between
    /// a migration's statements, every invariant that needs a revision). A query of
    /// `sqlite_master` instead was no cheaper (a scan of every object, and a statement prepared
    /// again after every DDL). `sqlite3_table_column_metadata` with no column is SQLite's
    /// documented existence check: the hash lookup SQLite makes to resolve a name in SQL, in
    /// every schema, tables only, ASCII case folded as SQLite folds names.
    func hasTable(_ name: String) throws -> Bool {
        // SQLite resolves its own schema tables by name (`sqlite_master`, `sqlite_temp_schema`),
        // which `sqlite_master` does not list and GRDB does not count as tables.
        if !name.utf8.prefix(7).map({ (65...90).contains($0) ? $0 | 0x20 : $0 }).elementsEqual("sqlite_".utf8) {
            let code = sqlite3_table_column_metadata(sqliteConnection, nil, name, nil, nil, nil, nil, nil, nil)
            if code == SQLITE_OK { return true }
            // Not found is SQLITE_ERROR with this message; anything else (a schema that does not
            // load) is for GRDB to report.
            if code == SQLITE_ERROR, let message = sqlite3_errmsg(sqliteConnection), String(cString: message).hasPrefix("no such table column") {
                return false
            }
        }
        return try tableExists(name)
    }
}
