import GRDB

/// Runs a script for `rehearse sql`: all statements in one savepoint, so a failing statement
/// leaves the database exactly as it was before the script.
public struct SQLConsole {
    /// Where the script came from ("<argument>", "<stdin>", a file), for error locations.
    public var source: String

    public init(source: String) {
        self.source = source
    }

    public func run(_ db: Database, script: String) throws -> [StatementOutcome] {
        let statements = SQLScript.statements(in: script)
        var outcomes: [StatementOutcome] = []
        var failure: SQLStatementError?
        try db.inSavepoint {
            for statement in statements {
                do {
                    outcomes.append(try execute(db, statement.sql))
                } catch let error as DatabaseError {
                    failure = SQLStatementError(
                        location: SourceLocation(file: source, line: statement.line, column: statement.column),
                        message: error.message ?? "\(error)", resultCode: error.resultCode)
                    return .rollback
                }
            }
            return .commit
        }
        if let failure { throw failure }
        return outcomes
    }

    func execute(_ db: Database, _ sql: String) throws -> StatementOutcome {
        let statement = try db.makeStatement(sql: sql)
        if statement.columnCount > 0 {
            let columns = statement.columnNames
            let rows = try Row.fetchAll(statement)
            return .rows(columns: columns, values: rows.map { Array($0.databaseValues) })
        }
        try statement.execute()
        return .command(tag: Self.commandTag(sql: sql, changes: db.changesCount))
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
