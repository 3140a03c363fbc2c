import GRDBSQLite

/// One statement cut out of a script, with where it starts so errors can point at it.
public struct ScriptStatement: Sendable, Equatable {
    public var sql: String
    public var line: Int
    public var column: Int
}

/// Splits SQL text into statements the way the sqlite3 shell does.
///
/// `sqlite3_complete` knows about quotes, comments and `CREATE TRIGGER … END`, so a `;`
/// inside a trigger body or a string does not end the statement.
public enum SQLScript {
    public static func statements(in text: String, firstLine: Int = 1) -> [ScriptStatement] {
        let characters = Array(text)
        var result: [ScriptStatement] = []
        var current = ""
        var startLine = firstLine, startColumn = 1
        var line = firstLine, column = 1
        var started = false
        var index = 0
        func advance() {
            if characters[index] == "\n" { line += 1; column = 1 } else { column += 1 }
            index += 1
        }
        while index < characters.count {
            let character = characters[index]
            if !started {
                // Comments between statements belong to no statement: errors point at the SQL itself.
                if character.isWhitespace || character == ";" { advance(); continue }
                if character == "-", index + 1 < characters.count, characters[index + 1] == "-" {
                    while index < characters.count, characters[index] != "\n" { advance() }
                    continue
                }
                if character == "/", index + 1 < characters.count, characters[index + 1] == "*" {
                    advance(); advance()
                    while index < characters.count, !(characters[index] == "*" && index + 1 < characters.count && characters[index + 1] == "/") { advance() }
                    if index < characters.count { advance(); advance() }
                    continue
                }
                started = true
                startLine = line
                startColumn = column
            }
            current.append(character)
            advance()
            if character == ";" && isComplete(current) {
                result.append(ScriptStatement(sql: current.trimmingWhitespace(), line: startLine, column: startColumn))
                current = ""
                started = false
            }
        }
        let rest = current.trimmingSQLNoise()
        if !rest.isEmpty {
            result.append(ScriptStatement(sql: rest, line: startLine, column: startColumn))
        }
        return result
    }

    static func isComplete(_ sql: String) -> Bool {
        sql.withCString { sqlite3_complete($0) != 0 }
    }
}

extension String {
    /// The statement without surrounding whitespace; empty when it holds only comments and `;`.
    func trimmingSQLNoise() -> String {
        let trimmed = trimmingWhitespace()
        var withoutComments = ""
        var inLineComment = false
        var inBlockComment = false
        var previous: Character = " "
        for character in trimmed {
            if inLineComment { if character == "\n" { inLineComment = false }; previous = character; continue }
            if inBlockComment { if previous == "*" && character == "/" { inBlockComment = false }; previous = character; continue }
            if previous == "-" && character == "-" { withoutComments.removeLast(); inLineComment = true; previous = " "; continue }
            if previous == "/" && character == "*" { withoutComments.removeLast(); inBlockComment = true; previous = " "; continue }
            withoutComments.append(character)
            previous = character
        }
        let meaningful = withoutComments.filter { !$0.isWhitespace && $0 != ";" }
        return meaningful.isEmpty ? "" : trimmed
    }

    func trimmingWhitespace() -> String {
        var scalars = Substring(self)
        while let first = scalars.first, first.isWhitespace { scalars.removeFirst() }
        while let last = scalars.last, last.isWhitespace { scalars.removeLast() }
        return String(scalars)
    }
}
