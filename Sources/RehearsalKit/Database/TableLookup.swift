import GRDB
import GRDBSQLite

extension Database {
    /// Whether a table of this name exists, as GRDB's `tableExists(_:)` answers (any schema,
    /// names compared without case), from one cached statement over `main` and `temp`.
    ///
    /// GRDB's answer rebuilds its picture of the whole schema (every object of every schema, as
    /// Swift strings) after each DDL statement and then lower-cases every object's name at each
    /// call: after a migration's statements or a restore, that rebuild was most of the first
    /// call, and the engine asks after nearly every DDL statement (the enum bookkeeping between
    /// a migration's statements, every invariant that needs a revision). SQLite's `NOCASE`
    /// folds ASCII only, as SQLite itself does when it resolves a table's name. With another
    /// database attached (a raw SQL step can ATTACH), GRDB answers for every schema.
    func hasTable(_ name: String) throws -> Bool {
        if try Bool.fetchOne(self, cached: """
            SELECT EXISTS (SELECT 1 FROM main.sqlite_master WHERE type = 'table' AND name = ?1 COLLATE NOCASE
                           UNION ALL SELECT 1 FROM temp.sqlite_master WHERE type = 'table' AND name = ?1 COLLATE NOCASE)
            """, arguments: [name]) == true {
            return true
        }
        // Schema 0 is main, 1 is temp: a third name is an attached database.
        guard sqlite3_db_name(sqliteConnection, 2) != nil else { return false }
        return try tableExists(name)
    }
}
