import GRDB

/// A small, explicit rewrite layer so statements written for Postgres (the checklist's own)
/// run on the rehearsal database and give Postgres's answer. Each construct it understands is
/// listed in docs/postgres-translation.md; anything Postgres-specific it does not understand is
/// refused with an error naming the construct, never passed through to a silently wrong answer.
public struct PostgresDialect {
    /// What `NOW()` and `CURRENT_TIMESTAMP` mean: the virtual clock, never the machine's.
    public var now: Timestamp
    /// `gen_random_uuid()` draws from this seeded generator, so a replay gives the same ids.
    var uuids: SeededGenerator
    /// The select-list items of the last rewritten statement that are boolean expressions,
    /// printed as psql prints booleans (PostgresColumnNames.swift).
    public private(set) var booleanColumns: Set<Int> = []

    public init(now: Timestamp, seed: UInt64 = 0) {
        self.now = now
        self.uuids = SeededGenerator(seed: seed ^ 0x9E3779B9)
    }

    /// Constructs Postgres has and SQLite lacks, refused by name.
    static let refusedWords: [String: String] = [
        "SIMILAR": "SIMILAR TO", "COPY": "COPY", "DATE_TRUNC": "date_trunc()", "TO_CHAR": "to_char()", "EXTRACT": "EXTRACT()",
        "AGE": "age()", "GENERATE_SERIES": "generate_series()", "ARRAY": "ARRAY[...]", "ANY": "ANY(...)", "ALL": "ALL(...)",
        "JSONB_BUILD_OBJECT": "jsonb_build_object()", "JSONB_SET": "jsonb_set()", "JSONB_AGG": "jsonb_agg()", "JSON_AGG": "json_agg()",
        "TO_TIMESTAMP": "to_timestamp()", "STRING_AGG": "string_agg()", "ARRAY_AGG": "array_agg()", "LATERAL": "LATERAL",
        "VACUUM": "VACUUM (Postgres semantics)", "LISTEN": "LISTEN", "NOTIFY": "NOTIFY",
    ]
    static let maximumNesting = 1000
    static let droppedCasts: Set<String> = ["JSONB", "JSON", "TEXT", "VARCHAR", "UUID", "TIMESTAMPTZ", "TIMESTAMP", "REGCLASS", "NAME", "BPCHAR"]
    static let integerCasts: Set<String> = ["INT", "INTEGER", "BIGINT", "SMALLINT", "INT4", "INT8", "INT2"]

    /// Rewrites one statement into the statements SQLite runs (TRUNCATE becomes several).
    public mutating func rewrite(_ sql: String, db: Database) throws -> [String] {
        booleanColumns = []
        let trimmed = sql.trimmingWhitespace()
        if trimmed.hasPrefix("\\") { return [try metaCommand(trimmed)] }
        var tokens = SQLToken.tokenize(sql)
        // Deeper nesting than SQLite evaluates (its expression depth limit is 1000) is refused
        // here, before the rewrites walk it: they look around parentheses, which would cost
        // quadratic time on 100,000 of them.
        var depth = 0
        for token in tokens where token.kind == .symbol {
            if token.text == "(" { depth += 1 } else if token.text == ")" { depth -= 1 }
            if depth > Self.maximumNesting {
                throw DialectError(construct: "(", reason: "nested more than \(Self.maximumNesting) parentheses deep (SQLite's expression depth limit)")
            }
        }
        let words = tokens.filter { $0.kind == .word }.map(\.upper)
        try Self.refuseSQLiteSyntax(tokens)
        if words.first == "TRUNCATE" { return try truncate(tokens, db: db) }
        if let statements = try triggerStatement(tokens, db: db) { return statements }
        if let transaction = Self.transactionCommand(words) { return ["-- TXN \(transaction)"] }
        if words.first == "CREATE", words.dropFirst().first == "TYPE" || words.dropFirst().first == "FUNCTION" {
            throw DialectError(construct: "CREATE \(words[1])", reason: "only migrations define types and functions")
        }
        if let index = words.firstIndex(of: "DISTINCT"), words.indices.contains(index + 1), words[index + 1] == "ON" {
            throw DialectError(construct: "DISTINCT ON", reason: "SQLite has no DISTINCT ON")
        }
        for (position, token) in tokens.enumerated() {
            if token.kind == .word, let construct = Self.refusedWords[token.upper] {
                // ANY/ALL/ARRAY only as Postgres array syntax; SIMILAR only before TO.
                let next = tokens[(position + 1)...].first { !$0.isTrivia }
                if ["ANY", "ALL", "AGE", "EXTRACT"].contains(token.upper) && next?.text != "(" { continue }
                if token.upper == "ARRAY" && next?.text != "[" { continue }
                throw DialectError(construct: construct, reason: "not supported by the rehearsal dialect")
            }
            if token.kind == .symbol && (token.text == "$" || token.text == "~") { throw DialectError(construct: token.text == "$" ? "$-parameters or dollar quoting" : "~ regular-expression operators", reason: "not supported by the rehearsal dialect") }
            if token.kind == .word && token.upper == "E", tokens.indices.contains(position + 1), tokens[position + 1].kind == .string {
                throw DialectError(construct: "E'...' escape strings", reason: "not supported by the rehearsal dialect")
            }
        }
        // Only a statement with a string literal can need it: the schema lookup stays off the
        // path of every other statement.
        if tokens.contains(where: { $0.kind == .string }) {
            tokens = normalisingTimestamps(tokens, columns: try Self.timestampColumns(db))
        }
        (tokens, booleanColumns, _) = Self.namingSelectItems(tokens)
        tokens = try replaceFunctions(tokens)
        tokens = try rewriteIntervals(tokens)
        tokens = try rewriteCasts(tokens)
        tokens = tokens.map { $0.kind == .word && $0.upper == "ILIKE" ? SQLToken(kind: .word, text: "LIKE") : $0 }
        return [tokens.map(\.text).joined()]
    }

    func literal(_ text: String) -> SQLToken { SQLToken(kind: .string, text: "'" + text.replacingOccurrences(of: "'", with: "''") + "'") }

    /// `NOW()`, `CURRENT_TIMESTAMP`, `gen_random_uuid()` become literals from the virtual clock and the seeded generator.
    mutating func replaceFunctions(_ tokens: [SQLToken]) throws -> [SQLToken] {
        var out: [SQLToken] = []
        var i = 0
        while i < tokens.count {
            let token = tokens[i]
            if token.kind == .word, ["NOW", "GEN_RANDOM_UUID", "TRANSACTION_TIMESTAMP", "STATEMENT_TIMESTAMP", "CLOCK_TIMESTAMP"].contains(token.upper),
               i + 2 < tokens.count, tokens[i + 1].text == "(", tokens[i + 2].text == ")" {
                out.append(token.upper == "GEN_RANDOM_UUID" ? literal(uuids.uuid()) : literal(now.iso8601))
                i += 3
                continue
            }
            if token.kind == .word, ["CURRENT_TIMESTAMP", "LOCALTIMESTAMP"].contains(token.upper) {
                out.append(literal(now.iso8601))
                i += 1
                continue
            }
            out.append(token)
            i += 1
        }
        return out
    }

    /// The start of the operand that ends just before `end` (a literal, a name, a call or a
    /// parenthesised expression), skipping trivia.
    func operandStart(_ tokens: [SQLToken], before end: Int) -> Int? {
        var i = end - 1
        while i >= 0, tokens[i].isTrivia { i -= 1 }
        guard i >= 0 else { return nil }
        if tokens[i].text == ")" {
            var depth = 0
            while i >= 0 {
                if tokens[i].text == ")" { depth += 1 }
                if tokens[i].text == "(" { depth -= 1; if depth == 0 { break } }
                i -= 1
            }
            guard i >= 0 else { return nil }
            if i > 0, tokens[i - 1].kind == .word { return i - 1 }
            return i
        }
        guard [.word, .string, .number, .quoted].contains(tokens[i].kind) else { return nil }
        // qualified names: a.b
        if i >= 2, tokens[i - 1].text == ".", tokens[i - 2].kind == .word || tokens[i - 2].kind == .quoted { return i - 2 }
        return i
    }

    /// `x::type`: type annotations SQLite's dynamic typing makes unnecessary are dropped;
    /// integer casts become CAST; any other cast is refused.
    func rewriteCasts(_ input: [SQLToken]) throws -> [SQLToken] {
        var tokens = input
        while let position = tokens.firstIndex(where: { $0.kind == .symbol && $0.text == "::" }) {
            guard let typeIndex = tokens[(position + 1)...].firstIndex(where: { !$0.isTrivia }), tokens[typeIndex].kind == .word else {
                throw DialectError(construct: "::", reason: "a cast needs a type name")
            }
            var end = typeIndex + 1
            let type = tokens[typeIndex].upper
            if end < tokens.count, tokens[end].text == "(" { while end < tokens.count, tokens[end].text != ")" { end += 1 }; end += 1 }
            if Self.droppedCasts.contains(type) || (type == "CHARACTER") {
                if type == "CHARACTER", let varying = tokens[end...].firstIndex(where: { !$0.isTrivia }), tokens[varying].upper == "VARYING" { end = varying + 1 }
                tokens.removeSubrange(position..<end)
            } else if type == "DATE" {
                // Timestamps are ISO-8601 text: the date is SQLite's date() of it, as Postgres truncates.
                guard let start = operandStart(tokens, before: position) else { throw DialectError(construct: "::date", reason: "cannot find what is cast") }
                let operand = tokens[start..<position].map(\.text).joined()
                tokens.replaceSubrange(start..<end, with: [SQLToken(kind: .word, text: "date(\(operand))")])
            } else if Self.integerCasts.contains(type) || type == "BOOLEAN" || type == "BOOL" {
                guard let start = operandStart(tokens, before: position) else { throw DialectError(construct: "::\(type.lowercased())", reason: "cannot find what is cast") }
                let operand = tokens[start..<position].map(\.text).joined()
                tokens.replaceSubrange(start..<end, with: [SQLToken(kind: .word, text: "CAST(\(operand) AS INTEGER)")])
            } else {
                throw DialectError(construct: "::\(tokens[typeIndex].text)", reason: "cast not supported by the rehearsal dialect")
            }
        }
        return tokens
    }

    /// `operand ± INTERVAL 'n unit [n unit…]'` → `strftime('%Y-%m-%dT%H:%M:%SZ', operand, '±n units', …)`.
    func rewriteIntervals(_ input: [SQLToken]) throws -> [SQLToken] {
        var tokens = input
        // `x::interval` is a cast (refused later), not an INTERVAL literal.
        func isLiteralKeyword(_ index: Int) -> Bool {
            guard tokens[index].kind == .word, tokens[index].upper == "INTERVAL" else { return false }
            let previous = tokens[..<index].last { !$0.isTrivia }
            return previous?.text != "::"
        }
        while let position = tokens.indices.first(where: isLiteralKeyword) {
            guard let literalIndex = tokens[(position + 1)...].firstIndex(where: { !$0.isTrivia }), tokens[literalIndex].kind == .string else {
                throw DialectError(construct: "INTERVAL", reason: "expected INTERVAL 'n unit'")
            }
            var op = position - 1
            while op >= 0, tokens[op].isTrivia { op -= 1 }
            guard op >= 0, tokens[op].text == "+" || tokens[op].text == "-", let start = operandStart(tokens, before: op) else {
                throw DialectError(construct: "INTERVAL", reason: "supported only as timestamp + INTERVAL '…' or timestamp - INTERVAL '…'")
            }
            let sign = tokens[op].text == "-" ? -1 : 1
            let body = String(tokens[literalIndex].text.dropFirst().dropLast())
            let parts = body.split(separator: " ").map(String.init)
            guard parts.count % 2 == 0, !parts.isEmpty else { throw DialectError(construct: "INTERVAL '\(body)'", reason: "expected pairs of number and unit") }
            var modifiers: [String] = []
            for pair in stride(from: 0, to: parts.count, by: 2) {
                guard let amount = Int(parts[pair]) else { throw DialectError(construct: "INTERVAL '\(body)'", reason: "'\(parts[pair])' is not a number") }
                let unit = parts[pair + 1].lowercased()
                let units = ["second": "seconds", "minute": "minutes", "hour": "hours", "day": "days", "week": "days", "month": "months", "year": "years"]
                let singular = unit.hasSuffix("s") ? String(unit.dropLast()) : unit
                guard let sqliteUnit = units[singular] else { throw DialectError(construct: "INTERVAL '\(body)'", reason: "unknown unit '\(unit)'") }
                let value = (singular == "week" ? 7 : 1) * amount * sign
                modifiers.append("'\(value >= 0 ? "+" : "")\(value) \(sqliteUnit)'")
            }
            let operand = tokens[start..<op].map(\.text).joined()
            let replacement = "strftime('%Y-%m-%dT%H:%M:%SZ', \(operand), \(modifiers.joined(separator: ", ")))"
            tokens.replaceSubrange(start...literalIndex, with: [SQLToken(kind: .word, text: replacement)])
        }
        return tokens
    }

    /// TRUNCATE removes every row without firing row-level DELETE triggers (Postgres fires
    /// none), so the immutability triggers are switched off around it; a table referenced by a
    /// foreign key needs CASCADE, as in Postgres.
    func truncate(_ tokens: [SQLToken], db: Database) throws -> [String] {
        let words = tokens.filter { $0.kind == .word || $0.kind == .quoted }.map { $0.text.trimmingCharacters(in: ["\""]) }
        var tables: [String] = []
        var cascade = false
        for word in words.dropFirst() {
            switch word.uppercased() {
            case "TABLE", "ONLY", "RESTART", "CONTINUE", "IDENTITY", "RESTRICT": continue
            case "CASCADE": cascade = true
            default: tables.append(word)
            }
        }
        guard !tables.isEmpty else { throw DialectError(construct: "TRUNCATE", reason: "no table named") }
        for table in tables where try !db.hasTable(table) { throw DatabaseError(resultCode: .SQLITE_ERROR, message: "relation \"\(table)\" does not exist") }
        var all = tables
        var index = 0
        while index < all.count {
            let referencing = try String.fetchAll(db, sql: """
                SELECT m.name FROM sqlite_master m, pragma_foreign_key_list(m.name) f WHERE m.type = 'table' AND f."table" = ? AND m.name <> ?
                """, arguments: [all[index], all[index]])
            for child in referencing where !all.contains(child) {
                guard cascade else {
                    throw DatabaseError(resultCode: .SQLITE_CONSTRAINT, message: "cannot truncate a table referenced in a foreign key constraint: table \"\(child)\" references \"\(all[index])\" (use TRUNCATE ... CASCADE)")
                }
                all.append(child)
            }
            index += 1
        }
        var statements: [String] = []
        let triggers = try String.fetchAll(db, sql: "SELECT DISTINCT name FROM sqlite_master WHERE type = 'trigger' AND tbl_name IN (\(all.map { "'\($0)'" }.joined(separator: ", ")))")
        let bases = Set(triggers.map(CatalogViews.postgresTriggerName)).sorted()
        // Remember which triggers this TRUNCATE disables, so one disabled before stays disabled.
        statements += bases.map { "INSERT INTO temp.rehearse_truncating (tgname) SELECT '\($0)' WHERE NOT EXISTS (SELECT 1 FROM rehearse_trigger_state WHERE tgname = '\($0)')" }
        statements += bases.map { "INSERT OR IGNORE INTO rehearse_trigger_state (tgname, tgenabled) VALUES ('\($0)', 'D')" }
        // Children first, so foreign keys are never violated midway.
        statements += all.reversed().map { "DELETE FROM \"\($0)\"" }
        statements += bases.map { "DELETE FROM rehearse_trigger_state WHERE tgname = '\($0)' AND tgname IN (SELECT tgname FROM temp.rehearse_truncating)" }
        statements.append("DELETE FROM temp.rehearse_truncating")
        return ["-- TRUNCATE TABLE"] + statements
    }

    /// `BEGIN`/`START TRANSACTION`, `COMMIT`/`END`, `ROLLBACK`/`ABORT`: the console keeps the
    /// transaction (psql's semantics), so the dialect only names it.
    static func transactionCommand(_ words: [String]) -> String? {
        guard let first = words.first, words.count <= 3 else { return nil }
        switch first {
        case "BEGIN": return "BEGIN"
        case "START" where words.dropFirst().first == "TRANSACTION": return "BEGIN"
        case "COMMIT", "END": return "COMMIT"
        case "ROLLBACK", "ABORT": return words.contains("TO") ? nil : "ROLLBACK"
        default: return nil
        }
    }

    /// psql's `\dt`; other meta-commands are refused by name.
    func metaCommand(_ command: String) throws -> String {
        if command == "\\dt" || command == "\\dt;" {
            return "SELECT schemaname AS \"Schema\", tablename AS \"Name\", 'table' AS \"Type\", tableowner AS \"Owner\" FROM pg_tables ORDER BY tablename"
        }
        throw DialectError(construct: command.split(separator: " ").first.map(String.init) ?? command, reason: "psql meta-command not supported (\\dt is)")
    }
}

/// A Postgres construct the rehearsal dialect does not translate.
public struct DialectError: Error, Equatable, CustomStringConvertible {
    public var construct: String
    public var reason: String
    public var description: String { "unsupported Postgres construct \(construct): \(reason)" }
}
