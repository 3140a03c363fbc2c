/// psql's column headers for a SELECT, which SQLite would otherwise name by the expression's
/// text (after the rewrite, at that: `now()` would be headed by a timestamp literal).
///
/// Postgres names an unaliased select-list item by its expression (FigureColname in its parser):
/// a column by its name, a function call by the function, a cast by what is cast or else by the
/// type, CASE as `case`, anything else `?column?`. Each unaliased item gets that name as an
/// alias, so the headers read as psql's. Items whose value is a comparison or another boolean
/// expression are reported, so they print as `t`/`f` like psql, not SQLite's 1/0.
extension PostgresDialect {
    /// Where the select list ends at depth 0.
    static let selectListEnd: Set<String> = ["FROM", "WHERE", "GROUP", "HAVING", "ORDER", "LIMIT", "OFFSET", "UNION", "INTERSECT", "EXCEPT", "WINDOW", "INTO"]
    /// Words after which a trailing name is part of the expression, not an implicit alias.
    static let expressionWords: Set<String> = [
        "AND", "OR", "NOT", "IS", "IN", "LIKE", "ILIKE", "BETWEEN", "THEN", "ELSE", "WHEN", "CASE", "SELECT", "DISTINCT", "AS",
        "NULL", "TRUE", "FALSE", "END", "ESCAPE", "COLLATE",
    ]
    static let typeNames: [String: String] = [
        "INT": "int4", "INTEGER": "int4", "INT4": "int4", "BIGINT": "int8", "INT8": "int8", "SMALLINT": "int2", "INT2": "int2",
        "TEXT": "text", "VARCHAR": "varchar", "DATE": "date", "TIMESTAMP": "timestamp", "TIMESTAMPTZ": "timestamptz",
        "UUID": "uuid", "JSONB": "jsonb", "JSON": "json", "BOOLEAN": "bool", "BOOL": "bool", "REGCLASS": "regclass", "NAME": "name",
    ]
    static let comparisonSymbols: Set<String> = ["=", "<>", "!=", "<", ">", "<=", ">="]
    static let booleanWords: Set<String> = ["IS", "IN", "LIKE", "ILIKE", "BETWEEN", "NOT", "AND", "OR", "EXISTS"]

    /// The statement with an alias added to each unaliased item of its outermost select list,
    /// and the indices of the items that are boolean expressions.
    static func namingSelectItems(_ tokens: [SQLToken]) -> (tokens: [SQLToken], booleans: Set<Int>, names: [String]) {
        guard let select = tokens.firstIndex(where: { !$0.isTrivia }), tokens[select].upper == "SELECT" else { return (tokens, [], []) }
        var start = select + 1
        if let next = tokens[start...].firstIndex(where: { !$0.isTrivia }), ["DISTINCT", "ALL"].contains(tokens[next].upper) { start = next + 1 }
        var items: [Range<Int>] = []
        var depth = 0, itemStart = start, end = tokens.count
        for index in start..<tokens.count {
            let token = tokens[index]
            if token.text == "(" { depth += 1 } else if token.text == ")" { depth -= 1 }
            guard depth == 0 else { continue }
            if token.text == "," { items.append(itemStart..<index); itemStart = index + 1 }
            if token.text == ";" || (token.kind == .word && selectListEnd.contains(token.upper)) { end = index; break }
        }
        items.append(itemStart..<end)
        var out: [SQLToken] = []
        var booleans = Set<Int>()
        var names: [String] = []
        var position = 0
        for (number, item) in items.enumerated() {
            let significant = item.filter { !tokens[$0].isTrivia }
            guard let last = significant.last else { continue }
            let lastText = tokens[last].text
            if isBoolean(tokens, significant) { booleans.insert(number) }
            if lastText == "*" { names.append("*"); continue }
            if hasAlias(tokens, significant) {
                let alias = tokens[last]
                names.append(alias.kind == .quoted ? String(alias.text.dropFirst().dropLast()) : alias.text.lowercased())
                continue
            }
            out += tokens[position...last]
            let name = figureName(tokens, significant) ?? "?column?"
            names.append(name)
            out.append(SQLToken(kind: .space, text: " "))
            out.append(SQLToken(kind: .word, text: "AS \"" + name.replacingOccurrences(of: "\"", with: "\"\"") + "\""))
            position = last + 1
        }
        out += tokens[position...]
        return (out, booleans, names)
    }

    static func hasAlias(_ tokens: [SQLToken], _ significant: [Int]) -> Bool {
        guard significant.count >= 2, let last = significant.last else { return false }
        let previous = tokens[significant[significant.count - 2]]
        guard tokens[last].kind == .word || tokens[last].kind == .quoted else { return false }
        if previous.upper == "AS" { return true }
        // `x::character varying`: a two-word type, not a name after an operand.
        if significant.count >= 3, tokens[significant[significant.count - 3]].text == "::", ["CHARACTER", "DOUBLE"].contains(previous.upper) { return false }
        if tokens[last].kind == .word && expressionWords.contains(tokens[last].upper) { return false }
        // `count(*) total`, `'x' label`, `e.id ident`: a name right after a complete operand.
        if previous.text == ")" || previous.kind == .string || previous.kind == .number { return true }
        if previous.kind == .quoted { return true }
        return previous.kind == .word && !expressionWords.contains(previous.upper) && previous.text != "."
    }

    /// FigureColname: the name Postgres gives the expression, nil for `?column?`.
    static func figureName(_ tokens: [SQLToken], _ significant: [Int]) -> String? {
        figure(tokens, significant)?.name
    }

    /// The name and its strength, as Postgres ranks them: a type name (1) gives way to the type
    /// of a cast around it, a column or function name (2) does not.
    static func figure(_ tokens: [SQLToken], _ significant: [Int]) -> (name: String, strength: Int)? {
        var items = significant
        // Parentheses around the whole item add nothing.
        while items.count >= 2, tokens[items[0]].text == "(", closingParen(tokens, items, from: 0) == items.count - 1 {
            items = Array(items[1..<(items.count - 1)])
        }
        guard let first = items.first else { return nil }
        // A cast: what is cast names it, or else the type.
        var depth = 0
        var lastCast: Int?
        for (offset, index) in items.enumerated() {
            if tokens[index].text == "(" { depth += 1 } else if tokens[index].text == ")" { depth -= 1 }
            if depth == 0 && tokens[index].text == "::" { lastCast = offset }
        }
        if let cast = lastCast, cast + 1 < items.count {
            // Only a cast that is the whole item: `x::jsonb ->> 'a'` is an operator expression.
            var type = tokens[items[cast + 1]].upper
            var rest = Array(items[(cast + 2)...])
            if type == "CHARACTER", let next = rest.first, tokens[next].upper == "VARYING" { type = "VARCHAR"; rest.removeFirst() }
            if let open = rest.first, tokens[open].text == "(" , let close = closingParen(tokens, rest, from: 0) { rest.removeFirst(close + 1) }
            guard rest.isEmpty else { return nil }
            if let inner = figure(tokens, Array(items[..<cast])), inner.strength > 1 { return inner }
            return (typeNames[type] ?? type.lowercased(), 1)
        }
        let head = tokens[first]
        if head.kind == .word && head.upper == "CAST", items.count > 2, tokens[items[1]].text == "(" {
            let inner = Array(items[2..<(items.count - 1)])
            if let asIndex = inner.lastIndex(where: { tokens[$0].upper == "AS" }) {
                let type = inner.index(after: asIndex) < inner.count ? tokens[inner[inner.index(after: asIndex)]].upper : ""
                if let named = figure(tokens, Array(inner[..<asIndex])), named.strength > 1 { return named }
                return (typeNames[type] ?? type.lowercased(), 1)
            }
        }
        if head.kind == .word && head.upper == "CASE" { return ("case", 2) }
        if head.kind == .word && head.upper == "EXISTS" { return ("exists", 2) }
        // A subquery (its parentheses stripped above) is named by its own first item.
        if head.upper == "SELECT" {
            let inner = Array(tokens[items[0]...items[items.count - 1]])
            guard let name = namingSelectItems(inner).names.first, name != "?column?", name != "*" else { return nil }
            return (name, 2)
        }
        // A name, possibly qualified (a.b), or a call of one.
        var index = 0
        var name: String?
        while index < items.count {
            let token = tokens[items[index]]
            guard token.kind == .word || token.kind == .quoted else { break }
            name = token.kind == .quoted ? String(token.text.dropFirst().dropLast()) : token.text.lowercased()
            if index + 1 < items.count, tokens[items[index + 1]].text == "." { index += 2; continue }
            index += 1
            break
        }
        guard let name else { return nil }
        if index == items.count {
            switch name {
            case "null": return nil
            case "true", "false": return ("bool", 1)
            default: return (name, 2)
            }
        }
        // name(...) and nothing after the closing parenthesis.
        if tokens[items[index]].text == "(", closingParen(tokens, items, from: index) == items.count - 1 { return (name, 2) }
        return nil
    }

    /// The offset in `items` of the parenthesis that closes the one at `from`.
    static func closingParen(_ tokens: [SQLToken], _ items: [Int], from: Int) -> Int? {
        var depth = 0
        for offset in from..<items.count {
            if tokens[items[offset]].text == "(" { depth += 1 }
            if tokens[items[offset]].text == ")" { depth -= 1; if depth == 0 { return offset } }
        }
        return nil
    }

    /// A comparison or a boolean operator at depth 0 (outside a CASE), or a bare TRUE/FALSE.
    static func isBoolean(_ tokens: [SQLToken], _ significant: [Int]) -> Bool {
        guard let first = significant.first, tokens[first].upper != "CASE" else { return false }
        var depth = 0
        for index in significant {
            let token = tokens[index]
            if token.text == "(" { depth += 1 } else if token.text == ")" { depth -= 1 }
            guard depth == 0 else { continue }
            if token.kind == .symbol && comparisonSymbols.contains(token.text) { return true }
            if token.kind == .word && booleanWords.contains(token.upper) { return true }
        }
        return significant.count == 1 && ["TRUE", "FALSE"].contains(tokens[first].upper)
    }
}
