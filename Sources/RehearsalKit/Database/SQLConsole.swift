import GRDB
import GRDBSQLite

/// Runs a script for `rehearse sql`: all statements in one savepoint, so a failing statement
/// leaves the database exactly as it was before the script.
public struct SQLConsole {
    /// Where the script came from ("<argument>", "<stdin>", a file), for error locations.
    public var source: String
    /// Postgres statements are rewritten for SQLite (docs/postgres-translation.md); nil runs SQLite's SQL as is.
    public var dialect: PostgresDialect?

    public init(source: String, dialect: PostgresDialect? = nil) {
        self.source = source
        self.dialect = dialect
    }

    public func run(_ db: Database, script: String) throws -> [StatementOutcome] {
        let statements = SQLScript.statements(in: script)
        let budget = WorkBudget.install(on: db)
        defer { budget.remove(from: db) }
        var outcomes: [StatementOutcome] = []
        var failure: SQLStatementError?
        var dialect = self.dialect
        // The Postgres catalogue views are temp DDL, made when a script may read them (names
        // beginning `pg_`, psql's `\dt`) or TRUNCATE, whose rewrite keeps its state in their temp
        // table: three scenarios of the library, where making them for every run was 4% of its time.
        if dialect != nil, CatalogViews.mayBeNeeded(by: script) { try CatalogViews.install(db) }
        // An explicit transaction of the script (BEGIN … COMMIT/ROLLBACK), as a savepoint
        // inside the script's own.
        var inTransaction = false
        try db.inSavepoint {
            for statement in statements {
                let location = SourceLocation(file: source, line: statement.line, column: statement.column)
                do {
                    guard dialect != nil else {
                        outcomes.append(try execute(db, statement.sql, dialect: nil))
                        continue
                    }
                    let rewritten = try dialect!.rewrite(statement.sql, db: db)
                    if rewritten.first == "-- TRUNCATE TABLE" {
                        for sql in rewritten.dropFirst() { _ = try execute(db, sql, dialect: dialect) }
                        outcomes.append(.command(tag: "TRUNCATE TABLE"))
                    } else if let tag = rewritten.first, tag.hasPrefix("-- TAG ") {
                        for sql in rewritten.dropFirst() { _ = try execute(db, sql, dialect: dialect) }
                        outcomes.append(.command(tag: String(tag.dropFirst(7))))
                    } else if let command = rewritten.first, command.hasPrefix("-- TXN ") {
                        outcomes.append(try transaction(String(command.dropFirst(7)), db, open: &inTransaction))
                    } else {
                        for sql in rewritten { outcomes.append(try execute(db, sql, dialect: dialect)) }
                    }
                } catch let error as DatabaseError where error.resultCode == .SQLITE_INTERRUPT && budget.exhausted {
                    failure = SQLStatementError(location: location, message: "stopped after \(WorkBudget.steps / 1_000_000) million SQLite steps (the console's work budget, docs/limits.md): \(statement.sql.prefix(80))", resultCode: .SQLITE_ERROR)
                    return .rollback
                } catch is WorkBudget.TooManyRows {
                    failure = SQLStatementError(location: location, message: "the result has more than \(WorkBudget.maximumRows) rows (the console's limit, docs/limits.md); add a LIMIT or an aggregate", resultCode: .SQLITE_ERROR)
                    return .rollback
                } catch let error as DatabaseError where error.resultCode == .SQLITE_TOOBIG {
                    failure = SQLStatementError(location: location, message: "a value is larger than \(WorkBudget.maximumValueBytes / 1_048_576) MiB (the console's limit, docs/limits.md)", resultCode: .SQLITE_ERROR)
                    return .rollback
                } catch let error as DatabaseError {
                    failure = SQLStatementError(location: location, message: error.message ?? "\(error)", resultCode: error.resultCode)
                    return .rollback
                } catch let error as DialectError {
                    let at = Self.location(of: error, in: statement.sql, from: location)
                    failure = SQLStatementError(location: at, message: error.description, resultCode: .SQLITE_ERROR)
                    return .rollback
                } catch let error as PostgresError {
                    failure = SQLStatementError(location: location, message: error.description, resultCode: .SQLITE_ERROR)
                    return .rollback
                }
            }
            // The session ends with the script: what it left open is committed (psql -c), and
            // `session_replication_role = replica` ends with it.
            if inTransaction { try db.execute(sql: "RELEASE SAVEPOINT rehearse_txn") }
            // Asked of `sqlite_temp_master`, which is there before any temp object (GRDB's lookup
            // names no temp schema until one exists).
            if dialect != nil, try Bool.fetchOne(db, cached: "SELECT EXISTS (SELECT 1 FROM sqlite_temp_master WHERE type = 'table' AND name = 'rehearse_replica_disabled')") == true {
                for sql in PostgresDialect.endReplica { try db.execute(sql: sql) }
            }
            return .commit
        }
        if let failure { throw failure }
        return outcomes
    }

    /// psql's transaction commands: BEGIN opens one, COMMIT and ROLLBACK close it, and either
    /// without one is a warning, not an error.
    func transaction(_ command: String, _ db: Database, open: inout Bool) throws -> StatementOutcome {
        switch (command, open) {
        case ("BEGIN", false):
            try db.execute(sql: "SAVEPOINT rehearse_txn")
            open = true
            return .command(tag: "BEGIN")
        case ("BEGIN", true):
            return .command(tag: "WARNING:  there is already a transaction in progress\nBEGIN")
        case ("COMMIT", true):
            try db.execute(sql: "RELEASE SAVEPOINT rehearse_txn")
            open = false
            return .command(tag: "COMMIT")
        case ("ROLLBACK", true):
            try db.execute(sql: "ROLLBACK TO SAVEPOINT rehearse_txn; RELEASE SAVEPOINT rehearse_txn")
            open = false
            return .command(tag: "ROLLBACK")
        default:
            return .command(tag: "WARNING:  there is no transaction in progress\n\(command)")
        }
    }

    func execute(_ db: Database, _ sql: String, dialect: PostgresDialect?) throws -> StatementOutcome {
        let statement = try db.makeStatement(sql: sql)
        if statement.columnCount > 0 {
            let columns = dialect == nil ? statement.columnNames : statement.columnNames.map(Self.postgresColumnName)
            let booleans = try BooleanColumns.indices(of: statement, db).union(dialect?.booleanColumns ?? [])
            var values: [[DatabaseValue]] = []
            let rows = try Row.fetchCursor(statement)
            while let row = try rows.next() {
                values.append(Array(row.databaseValues))
                if values.count > WorkBudget.maximumRows {
                    throw WorkBudget.TooManyRows()
                }
            }
            return .rows(columns: columns, values: values, booleans: booleans)
        }
        try statement.execute()
        return .command(tag: Self.commandTag(sql: sql, changes: db.changesCount))
    }

    /// Postgres names an unaliased `COUNT(*)` column `count`, `MAX(id)` `max`: psql's headers.
    static func postgresColumnName(_ name: String) -> String {
        guard let open = name.firstIndex(of: "("), name.hasSuffix(")"),
              name[..<open].allSatisfy({ $0.isLetter || $0 == "_" }), !name[..<open].isEmpty else { return name }
        return name[..<open].lowercased()
    }

    static func commandTag(sql: String, changes: Int) -> String {
        let words = sql.split(whereSeparator: { $0.isWhitespace || $0 == "(" || $0 == ";" }).prefix(3).map { $0.uppercased() }
        switch words.first {
        case "INSERT": return "INSERT 0 \(changes)"
        case "UPDATE": return "UPDATE \(changes)"
        case "DELETE": return "DELETE \(changes)"
        case "CREATE", "DROP", "ALTER":
            let object = words.dropFirst().first { !["TEMP", "TEMPORARY", "UNIQUE", "VIRTUAL"].contains($0) } ?? ""
            return "\(words[0]) \(object)"
        default: return words.first ?? ""
        }
    }

    /// Where the construct a dialect error names is written in the statement, so the error
    /// points at it (`file:2:32`) rather than at the statement's start; the statement's start
    /// when it cannot be found.
    static func location(of error: DialectError, in sql: String, from start: SourceLocation) -> SourceLocation {
        var key = error.construct
        for stop in ["(", "[", " '", "-parameters", " regular-expression", " escape"] {
            if let range = key.range(of: stop) { key = String(key[..<range.lowerBound]) }
        }
        key = key.trimmingWhitespace()
        let tokens = SQLToken.tokenize(sql)
        let words = key.split(separator: " ").map { $0.uppercased() }
        func next(_ index: Int) -> SQLToken? { tokens[(index + 1)...].first { !$0.isTrivia } }
        let found = tokens.indices.first { index in
            let token = tokens[index]
            guard token.kind == .word || token.kind == .symbol else { return false }
            if key.hasPrefix("::") { return token.text == "::" && next(index)?.upper == String(key.dropFirst(2)).uppercased() }
            if key.hasPrefix("E'") { return token.upper == "E" && next(index)?.kind == .string }
            guard let first = words.first, token.upper == first else { return false }
            return words.count < 2 || next(index)?.upper == words[1]
        }
        guard let found else { return start }
        var line = start.line, column = start.column
        for token in tokens[..<found] {
            for character in token.text {
                if character == "\n" { line += 1; column = 1 } else { column += 1 }
            }
        }
        return SourceLocation(file: start.file, line: line, column: column)
    }
}

/// A statement of a script failed; nothing of the script was kept.
public struct SQLStatementError: UserFacingError {
    public var location: SourceLocation
    public var message: String
    public var resultCode: ResultCode

    /// A constraint or trigger said no (exit 1); anything else is a statement SQLite could not run (exit 2).
    public var exitStatus: ExitStatus { resultCode == .SQLITE_CONSTRAINT ? .failed : .invalidInput }
    public var description: String { "\(location): ERROR: \(message)" }
}

/// Which result columns come straight from a BOOLEAN column of the schema (translated as
/// INTEGER with a `<table>_<column>_boolean` check), so they print as psql prints booleans.
enum BooleanColumns {
    static func indices(of statement: Statement, _ db: Database) throws -> Set<Int> {
        var result = Set<Int>()
        for index in 0..<statement.columnCount {
            guard let table = sqlite3_column_table_name(statement.sqliteStatement, Int32(index)),
                  let column = sqlite3_column_origin_name(statement.sqliteStatement, Int32(index)) else { continue }
            let tableName = String(cString: table), columnName = String(cString: column)
            // The table's text searched where it is (bytes, as a literal search compares), not
            // copied out for each column.
            let declared = try Bool.fetchOne(db, cached: "SELECT instr(sql, ?2) > 0 FROM sqlite_master WHERE type = 'table' AND name = ?1",
                                             arguments: [tableName, "CONSTRAINT \(tableName)_\(columnName)_boolean "]) ?? false
            if declared { result.insert(index) }
        }
        return result
    }
}
