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
    /// documented existence check: the hash lookup SQLite makes to resolve a name in SQL, asked
    /// here of each schema in turn, since without a schema it stops at the first object of that
    /// name — a temp view would hide a main table.
    func hasTable(_ name: String) throws -> Bool {
        // SQLite folds ASCII case only, and GRDB compares lower-cased Swift strings (`DÉ` is
        // `dé`); SQLite resolves its own schema tables by name (`sqlite_master`), which GRDB
        // does not count; C cannot pass a NUL inside a name. Those names are GRDB's to answer.
        guard name.utf8.allSatisfy({ $0 != 0 && $0 < 0x80 }),
              !name.utf8.prefix(7).map({ (65...90).contains($0) ? $0 | 0x20 : $0 }).elementsEqual("sqlite_".utf8) else {
            return try tableExists(name)
        }
        var schema: Int32 = 0
        while let schemaName = sqlite3_db_name(sqliteConnection, schema) {
            schema += 1
            let code = sqlite3_table_column_metadata(sqliteConnection, schemaName, name, nil, nil, nil, nil, nil, nil)
            if code == SQLITE_OK { return true }
            // Not a table of this schema (nothing, or a view) is SQLITE_ERROR with this message;
            // anything else (a schema that does not load) is for GRDB to report.
            guard code == SQLITE_ERROR, let message = sqlite3_errmsg(sqliteConnection), String(cString: message).hasPrefix("no such table column") else {
                return try tableExists(name)
            }
        }
        return false
    }
}
