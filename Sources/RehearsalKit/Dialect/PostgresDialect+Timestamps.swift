import GRDB

/// `timestamptz` input as Postgres reads it. Postgres accepts a date alone, `T` or a space
/// between date and time, fractional seconds, `Z`, `±HH`, `±HHMM`, `±HH:MM` and the special
/// words `now`, `today`, `tomorrow`, `yesterday`, `epoch`, and stores the instant (docs:
/// https://www.postgresql.org/docs/15/datatype-datetime.html#DATATYPE-DATETIME-INPUT). The
/// rehearsal stores ISO-8601 UTC text, so a literal the statement gives a timestamptz column is
/// rewritten to that text before SQLite sees it; the column's CHECK still refuses what is not a
/// time at all (`2026-02-30`, `tomorrow-ish`). Divergence D2 in docs/postgres-translation.md
/// names the positions where a literal is not recognised as a timestamp.
extension PostgresDialect {
    /// The timestamptz columns of a table by the fingerprint of its name and `CREATE TABLE` text,
    /// for every connection of the process.
    private static let timestampColumnMemo = ProcessMemo<Int64, Set<String>>(limit: 10_000)

    /// Columns declared TIMESTAMPTZ: the SQLite schema names each one's check `<table>_<column>_timestamptz`.
    /// Every statement a console runs asks, so each table's answer is remembered by its name and
    /// `CREATE TABLE` text, which alone decide it: as one fingerprint SQLite computes where the
    /// text is, which is read out only for a table not seen before.
    static func timestampColumns(_ db: Database) throws -> Set<String> {
        BaselineIdentity.registerFingerprint(db)
        var columns = Set<String>()
        for table in try Row.fetchAll(db, cached: "SELECT name, rehearse_fingerprint(name, sql) FROM sqlite_master WHERE type = 'table' AND sql LIKE '%_timestamptz %'") {
            let name: String = table[0], print: Int64 = table[1]
            columns.formUnion(try timestampColumnMemo.value(print) {
                let sql = try String.fetchOne(db, sql: "SELECT sql FROM sqlite_master WHERE type = 'table' AND name = ?", arguments: [name]) ?? ""
                var found = Set<String>()
                for column in try String.fetchAll(db, sql: "SELECT name FROM pragma_table_info(?)", arguments: [name])
                where sql.contains("CONSTRAINT \(name)_\(column)_timestamptz ") {
                    found.insert(column.lowercased())
                }
                return found
            })
        }
        return columns
    }

    /// The canonical text of a timestamptz input, or nil when Postgres would not read it as one.
    static func timestampInput(_ raw: String, now: Timestamp) -> String? {
        let text = raw.trimmingWhitespace()
        let midnight = Timestamp(seconds: now.seconds - ((now.seconds % 86_400) + 86_400) % 86_400)
        switch text.lowercased() {
        case "now": return now.iso8601
        case "today": return midnight.iso8601
        case "tomorrow": return midnight.adding(seconds: 86_400).iso8601
        case "yesterday": return midnight.adding(seconds: -86_400).iso8601
        case "epoch": return Timestamp(seconds: 0).iso8601
        default: break
        }
        guard let instant = Timestamp(iso8601: text) else { return nil }
        // Microseconds survive, as in Postgres; the rest of the text is now the instant.
        let characters = Array(text)
        var fraction = ""
        if characters.count > 20, characters[19] == "." {
            fraction = String(characters[20...].prefix { $0.isASCII && $0.isNumber }.prefix(6))
            while fraction.hasSuffix("0") { fraction.removeLast() }
        }
        let whole = instant.iso8601
        return fraction.isEmpty ? whole : String(whole.dropLast()) + "." + fraction + "Z"
    }

    /// The statement with each string literal that Postgres would read as a timestamptz
    /// rewritten to canonical text: `'…'::timestamptz`, a literal compared with or assigned to
    /// a timestamptz column (`expires_at = '…'`, `'…' < p.expires_at`), and a literal in the
    /// column's position of `INSERT … (columns) VALUES (…)`. Text Postgres would refuse is left
    /// as written, for the column's check to refuse.
    func normalisingTimestamps(_ tokens: [SQLToken], columns: Set<String>) -> [SQLToken] {
        let significant = tokens.indices.filter { !tokens[$0].isTrivia }
        func name(_ index: Int) -> String? {
            switch tokens[index].kind {
            case .word: return tokens[index].text.lowercased()
            case .quoted: return String(tokens[index].text.dropFirst().dropLast())
            default: return nil
            }
        }
        func token(_ k: Int) -> SQLToken? { significant.indices.contains(k) ? tokens[significant[k]] : nil }
        var targets = Set<Int>()
        for (k, index) in significant.enumerated() where tokens[index].kind == .string {
            if token(k + 1)?.text == "::", let type = token(k + 2)?.upper, type == "TIMESTAMPTZ" || type == "TIMESTAMP" { targets.insert(index) }
            if let op = token(k - 1), Self.comparisonSymbols.contains(op.text), k >= 2, let column = name(significant[k - 2]), columns.contains(column) {
                targets.insert(index)
            }
            if let op = token(k + 1), Self.comparisonSymbols.contains(op.text), significant.indices.contains(k + 2) {
                // `'…' < p.expires_at`: the column is the last part of a qualified name.
                var last = k + 2
                while token(last + 1)?.text == ".", significant.indices.contains(last + 2) { last += 2 }
                if let column = name(significant[last]), columns.contains(column) { targets.insert(index) }
            }
        }
        targets.formUnion(insertedTimestamps(tokens, significant: significant, columns: columns, name: name))
        var out = tokens
        for index in targets {
            let value = String(tokens[index].text.dropFirst().dropLast()).replacingOccurrences(of: "''", with: "'")
            if let canonical = Self.timestampInput(value, now: now) { out[index] = literal(canonical) }
        }
        return out
    }

    /// String literals standing alone in a timestamptz column's place of `INSERT INTO t (c, …) VALUES (…), (…)`.
    private func insertedTimestamps(_ tokens: [SQLToken], significant: [Int], columns: Set<String>, name: (Int) -> String?) -> Set<Int> {
        guard let first = significant.first, tokens[first].upper == "INSERT",
              let open = significant.first(where: { tokens[$0].text == "(" }),
              let values = significant.first(where: { tokens[$0].upper == "VALUES" }), open < values else { return [] }
        let listed = significant.filter { $0 > open && $0 < values }
        var names: [String?] = []
        var current: [Int] = []
        for index in listed {
            if tokens[index].text == "," || tokens[index].text == ")" {
                names.append(current.count == 1 ? name(current[0]) : nil)
                current = []
            } else { current.append(index) }
        }
        var targets = Set<Int>()
        var depth = 0, position = 0
        var item: [Int] = []
        for index in significant where index > values {
            let text = tokens[index].text
            if text == "(" {
                depth += 1
                if depth == 1 { position = 0; item = []; continue }
            }
            if text == ")" {
                depth -= 1
                if depth == 0 {
                    if item.count == 1, tokens[item[0]].kind == .string, names.indices.contains(position), let column = names[position], columns.contains(column) { targets.insert(item[0]) }
                    continue
                }
            }
            if depth == 1, text == "," {
                if item.count == 1, tokens[item[0]].kind == .string, names.indices.contains(position), let column = names[position], columns.contains(column) { targets.insert(item[0]) }
                position += 1
                item = []
                continue
            }
            if depth >= 1 { item.append(index) }
            if depth == 0, text != "," { break }
        }
        return targets
    }
}
