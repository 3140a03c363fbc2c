import GRDB

// The engine asks the same questions after every step (an invariant's query, a bookkeeping
// lookup): parsing and planning them again each time was a fifth of the library's engine time.
// These read through the connection's statement cache instead: the statement is prepared once
// per connection and GRDB drops the cache whenever the schema changes. Only for SQL written in
// the code (a bounded set of texts, table names at most interpolated), never for what a user or
// a scenario types, and only for fetches that finish before returning: a cached statement must
// never back a cursor that another fetch of the same text could reset.

extension DatabaseValueConvertible {
    static func fetchAll(_ db: Database, cached sql: String, arguments: StatementArguments = StatementArguments()) throws -> [Self] {
        try fetchAll(db.cachedStatement(sql: sql), arguments: arguments)
    }

    static func fetchOne(_ db: Database, cached sql: String, arguments: StatementArguments = StatementArguments()) throws -> Self? {
        try fetchOne(db.cachedStatement(sql: sql), arguments: arguments)
    }
}

extension Row {
    static func fetchAll(_ db: Database, cached sql: String, arguments: StatementArguments = StatementArguments()) throws -> [Row] {
        try fetchAll(db.cachedStatement(sql: sql), arguments: arguments)
    }

    static func fetchOne(_ db: Database, cached sql: String, arguments: StatementArguments = StatementArguments()) throws -> Row? {
        try fetchOne(db.cachedStatement(sql: sql), arguments: arguments)
    }
}
