/// A statement of a Postgres migration: its text and where it starts, and what kind it is
/// with the names the lock table needs (its table, the indexes, sequences and foreign keys it
/// creates, the index or constraint it names).
public struct PostgresStatement: Sendable {
    public var sql: String
    public var line: Int
    public var column: Int
    /// The lock table's row for it (`CREATE TABLE`, `ALTER TABLE ADD COLUMN`, …); nil: unknown.
    public var kind: String?
    public var table: String?
    public var newIndexes: [String] = []
    public var newSequences: [String] = []
    public var references: [String] = []
    /// DROP INDEX's index; VALIDATE CONSTRAINT's constraint.
    public var index: String?
    public var constraint: String?

    /// One line: the statement's first 80 characters, whitespace folded.
    public var summary: String {
        let folded = sql.split(whereSeparator: \.isWhitespace).joined(separator: " ")
        return folded.count > 80 ? String(folded.prefix(79)) + "…" : folded
    }
}

public struct PostgresSplitError: Error, CustomStringConvertible {
    public var location: SourceLocation
    public var message: String
    public var description: String { "\(location): error: \(message)" }
}

public enum PostgresStatements {
    /// Splits Postgres SQL into statements: `;` outside strings, quoted identifiers, comments
    /// and dollar quotes (`$$ … $$`, `$tag$ … $tag$`) ends one. An unterminated string,
    /// identifier, comment or dollar quote is an error at the place it opens.
    public static func split(_ text: String, file: String, firstLine: Int = 1) throws -> [PostgresStatement] {
        let characters = Array(text)
        var result: [PostgresStatement] = []
        var current = ""
        var start: (line: Int, column: Int)?
        var line = firstLine, column = 1
        var index = 0
        func take() {
            let character = characters[index]
            current.append(character)
            if character == "\n" { line += 1; column = 1 } else { column += 1 }
            index += 1
        }
        func skip() {
            if characters[index] == "\n" { line += 1; column = 1 } else { column += 1 }
            index += 1
        }
        func fail(_ what: String, _ at: (Int, Int)) -> PostgresSplitError {
            PostgresSplitError(location: SourceLocation(file: file, line: at.0, column: at.1), message: "\(what) is never closed")
        }
        while index < characters.count {
            let character = characters[index]
            let next: Character? = index + 1 < characters.count ? characters[index + 1] : nil
            if character == "-" && next == "-" {
                while index < characters.count && characters[index] != "\n" { skip() }
                continue
            }
            if character == "/" && next == "*" {
                let opened = (line, column)
                skip(); skip()
                while index < characters.count && !(characters[index] == "*" && index + 1 < characters.count && characters[index + 1] == "/") { skip() }
                guard index < characters.count else { throw fail("this comment", opened) }
                skip(); skip()
                continue
            }
            if start == nil {
                if character.isWhitespace || character == ";" { skip(); continue }
                start = (line, column)
            }
            if character == "'" || character == "\"" {
                let opened = (line, column)
                take()
                while true {
                    guard index < characters.count else { throw fail(character == "'" ? "this string" : "this quoted identifier", opened) }
                    if characters[index] == character {
                        take()
                        if index < characters.count && characters[index] == character { take(); continue }
                        break
                    }
                    take()
                }
                continue
            }
            if character == "$", let tagEnd = dollarTagEnd(characters, index) {
                let tag = String(characters[index...tagEnd])
                let opened = (line, column)
                while index <= tagEnd { take() }
                while true {
                    guard index < characters.count else { throw fail("this \(tag) quote", opened) }
                    if characters[index] == "$", index + tag.count <= characters.count, String(characters[index..<(index + tag.count)]) == tag {
                        for _ in 0..<tag.count { take() }
                        break
                    }
                    take()
                }
                continue
            }
            if character == ";" {
                skip()
                result.append(classify(PostgresStatement(sql: current.trimmingWhitespace(), line: start!.line, column: start!.column)))
                current = ""
                start = nil
                continue
            }
            take()
        }
        if let start, !current.trimmingWhitespace().isEmpty {
            result.append(classify(PostgresStatement(sql: current.trimmingWhitespace(), line: start.line, column: start.column)))
        }
        return result
    }

    /// `$$` or `$tag$` starting at `index`: the index of its closing `$`.
    static func dollarTagEnd(_ characters: [Character], _ index: Int) -> Int? {
        var end = index + 1
        while end < characters.count, characters[end] != "$" {
            guard characters[end].isLetter || characters[end] == "_" || (end > index + 1 && characters[end].isNumber) else { return nil }
            end += 1
        }
        return end < characters.count ? end : nil
    }

    /// The statement's kind and names, from its words (case-insensitive, quotes removed).
    static func classify(_ statement: PostgresStatement) -> PostgresStatement {
        var statement = statement
        let sql = statement.sql
        let words = sql.split(whereSeparator: { $0.isWhitespace || $0 == "(" || $0 == ")" || $0 == "," }).map { $0.replacingOccurrences(of: "\"", with: "") }
        let upper = words.map { $0.uppercased() }
        func word(after key: [String]) -> String? {
            guard let at = (0..<upper.count).first(where: { Array(upper[$0..<min(upper.count, $0 + key.count)]) == key }), at + key.count < words.count else { return nil }
            return bare(words[at + key.count])
        }
        let text = upper.joined(separator: " ")
        func has(_ phrase: String) -> Bool { " \(text) ".contains(" \(phrase) ") }
        if text.hasPrefix("CREATE TYPE") { statement.kind = "CREATE TYPE" }
        else if text.hasPrefix("CREATE FUNCTION") || text.hasPrefix("CREATE OR REPLACE FUNCTION") { statement.kind = "CREATE FUNCTION" }
        else if text.hasPrefix("CREATE TABLE") {
            statement.kind = "CREATE TABLE"
            let table = word(after: ["TABLE"]).map { $0 == "IF" ? word(after: ["EXISTS"]) : $0 } ?? nil
            statement.table = table
            statement.references = references(in: sql)
            statement.newIndexes = createdIndexes(in: sql, table: table ?? "")
            statement.newSequences = serialColumns(in: sql).map { "\(table ?? "")_\($0)_seq" }
        } else if text.hasPrefix("CREATE INDEX") || text.hasPrefix("CREATE UNIQUE INDEX") {
            statement.kind = has("CONCURRENTLY") ? "CREATE INDEX CONCURRENTLY" : "CREATE INDEX"
            statement.table = word(after: ["ON"]).map { $0 == "ONLY" ? word(after: ["ON", "ONLY"]) ?? $0 : $0 }
            if let name = word(after: has("CONCURRENTLY") ? ["CONCURRENTLY"] : ["INDEX"]), name.uppercased() != "ON" {
                statement.newIndexes = [name == "IF" ? (word(after: ["EXISTS"]) ?? name) : name]
            }
        } else if text.hasPrefix("CREATE TRIGGER") || text.hasPrefix("CREATE OR REPLACE TRIGGER") {
            statement.kind = "CREATE TRIGGER"
            statement.table = word(after: ["ON"])
        } else if text.hasPrefix("DROP TRIGGER") {
            statement.kind = "DROP TRIGGER"
            statement.table = word(after: ["ON"])
        } else if text.hasPrefix("DROP FUNCTION") { statement.kind = "DROP FUNCTION" }
        else if text.hasPrefix("DROP TYPE") { statement.kind = "DROP TYPE" }
        else if text.hasPrefix("DROP INDEX") {
            statement.kind = has("CONCURRENTLY") ? nil : "DROP INDEX"
            statement.index = word(after: ["INDEX"]).map { $0 == "IF" ? (word(after: ["EXISTS"]) ?? $0) : $0 }
        } else if text.hasPrefix("DROP TABLE") {
            statement.kind = "DROP TABLE"
            statement.table = word(after: ["TABLE"]).map { $0 == "IF" ? (word(after: ["EXISTS"]) ?? $0) : $0 }
        } else if text.hasPrefix("ALTER TABLE") {
            statement.table = word(after: ["TABLE"]).map { $0 == "ONLY" ? (word(after: ["TABLE", "ONLY"]) ?? $0) : $0 }
            // One action per statement: a comma-separated list of actions is not modelled.
            if sql.contains(",") && !has("FOREIGN KEY") && !has("CHECK") { statement.kind = nil }
            else if has("ADD COLUMN") || (has("ADD") && !has("ADD CONSTRAINT") && !has("ADD PRIMARY") && !has("ADD FOREIGN") && !has("ADD CHECK") && !has("ADD UNIQUE")) {
                let volatile = ["RANDOM()", "CLOCK_TIMESTAMP()", "GEN_RANDOM_UUID()", "NEXTVAL", "TIMEOFDAY()"].contains { sql.uppercased().contains($0) }
                    && sql.uppercased().contains("DEFAULT")
                statement.kind = volatile ? "ALTER TABLE ADD COLUMN with a volatile default" : "ALTER TABLE ADD COLUMN"
            } else if has("DROP COLUMN") { statement.kind = "ALTER TABLE DROP COLUMN" }
            else if has("SET NOT NULL") { statement.kind = "ALTER TABLE SET NOT NULL" }
            else if has("VALIDATE CONSTRAINT") {
                statement.kind = "ALTER TABLE VALIDATE CONSTRAINT"
                statement.constraint = word(after: ["VALIDATE", "CONSTRAINT"])
            } else if has("FOREIGN KEY") {
                statement.kind = has("NOT VALID") ? "ALTER TABLE ADD FOREIGN KEY NOT VALID" : "ALTER TABLE ADD FOREIGN KEY"
                statement.references = references(in: sql)
                statement.constraint = word(after: ["ADD", "CONSTRAINT"])
            } else if has("CHECK") {
                statement.kind = has("NOT VALID") ? "ALTER TABLE ADD CHECK NOT VALID" : "ALTER TABLE ADD CHECK"
            }
        } else if text.hasPrefix("INSERT INTO") {
            statement.kind = "INSERT"
            statement.table = word(after: ["INTO"])
        } else if text.hasPrefix("UPDATE") {
            statement.kind = "UPDATE"
            statement.table = words.count > 1 ? bare(words[1]) : nil
        } else if text.hasPrefix("DELETE FROM") {
            statement.kind = "DELETE"
            statement.table = word(after: ["FROM"])
        } else if text.hasPrefix("SET ") { statement.kind = "SET" }
        return statement
    }

    /// `public.users` → `users`; quotes were removed by the caller.
    static func bare(_ name: String) -> String {
        String(name.split(separator: ".").last ?? Substring(name)).lowercased()
    }

    /// The tables named by `REFERENCES t`, in order, without repeats.
    static func references(in sql: String) -> [String] {
        let words = sql.split(whereSeparator: { $0.isWhitespace || $0 == "(" || $0 == ")" || $0 == "," }).map(String.init)
        var tables: [String] = []
        for (index, word) in words.enumerated() where word.uppercased() == "REFERENCES" && index + 1 < words.count {
            let table = bare(words[index + 1].replacingOccurrences(of: "\"", with: ""))
            if !tables.contains(table) { tables.append(table) }
        }
        return tables
    }

    /// The indexes a CREATE TABLE builds, named as PostgreSQL names them: `T_pkey`, `T_COL_key`
    /// for a column's UNIQUE, or the constraint's own name (`CONSTRAINT n UNIQUE`).
    static func createdIndexes(in sql: String, table: String) -> [String] {
        var indexes: [String] = []
        for element in tableElements(sql) {
            let words = element.split(whereSeparator: { $0.isWhitespace || $0 == "(" || $0 == ")" || $0 == "," }).map { $0.replacingOccurrences(of: "\"", with: "") }
            let upper = words.map { $0.uppercased() }
            guard let first = upper.first else { continue }
            if first == "CONSTRAINT" {
                if upper.count > 2 && (upper[2] == "PRIMARY" || upper[2] == "UNIQUE") { indexes.append(words[1].lowercased()) }
                continue
            }
            if first == "PRIMARY" { indexes.append("\(table)_pkey"); continue }
            if first == "UNIQUE" { indexes.append(([table] + words.dropFirst().map { $0.lowercased() } + ["key"]).joined(separator: "_")); continue }
            if ["FOREIGN", "CHECK", "EXCLUDE", "LIKE"].contains(first) { continue }
            // A column: `[CONSTRAINT n] PRIMARY KEY` or `[CONSTRAINT n] UNIQUE`.
            for index in upper.indices where (upper[index] == "PRIMARY" && index + 1 < upper.count && upper[index + 1] == "KEY") || upper[index] == "UNIQUE" {
                let named = index >= 2 && upper[index - 2] == "CONSTRAINT" ? words[index - 1].lowercased() : nil
                indexes.append(named ?? (upper[index] == "PRIMARY" ? "\(table)_pkey" : "\(table)_\(words[0].lowercased())_key"))
            }
        }
        return indexes
    }

    /// The columns declared SERIAL, BIGSERIAL or SMALLSERIAL.
    static func serialColumns(in sql: String) -> [String] {
        tableElements(sql).compactMap { element in
            let words = element.split(whereSeparator: \.isWhitespace).map(String.init)
            guard words.count > 1, ["SERIAL", "BIGSERIAL", "SMALLSERIAL", "SERIAL4", "SERIAL8", "SERIAL2"].contains(words[1].uppercased()) else { return nil }
            return words[0].replacingOccurrences(of: "\"", with: "").lowercased()
        }
    }

    /// The comma-separated elements between CREATE TABLE's outer parentheses.
    static func tableElements(_ sql: String) -> [String] {
        guard let open = sql.firstIndex(of: "(") else { return [] }
        var depth = 0
        var elements: [String] = []
        var current = ""
        var quote: Character?
        for character in sql[sql.index(after: open)...] {
            if let q = quote { current.append(character); if character == q { quote = nil }; continue }
            if character == "'" || character == "\"" { quote = character; current.append(character); continue }
            if character == "(" { depth += 1 }
            if character == ")" {
                if depth == 0 { break }
                depth -= 1
            }
            if character == "," && depth == 0 { elements.append(current.trimmingWhitespace()); current = ""; continue }
            current.append(character)
        }
        if !current.trimmingWhitespace().isEmpty { elements.append(current.trimmingWhitespace()) }
        return elements
    }
}
