/// A lexical token of SQL text, enough to rewrite Postgres constructs without touching what is
/// inside strings, quoted identifiers and comments.
struct SQLToken: Equatable, Sendable {
    enum Kind: Equatable, Sendable { case word, string, quoted, number, symbol, space, comment }
    let kind: Kind
    let text: String
    /// Upper-cased once: the rewrites compare each word by it several times per statement.
    let upper: String

    init(kind: Kind, text: String) {
        self.kind = kind
        self.text = text
        upper = text.uppercased()
    }

    var isTrivia: Bool { kind == .space || kind == .comment }

    /// A statement's tokens, kept by its bytes for the process: every statement a console or an
    /// expectation runs is tokenized, and a library's scenarios run the same ones again and again.
    /// Only short statements are kept (a long one is a script's load, seldom run twice).
    static func tokenize(_ sql: String) -> [SQLToken] {
        guard sql.utf8.count <= 4_096 else { return scan(sql) }
        return tokenized.value(Array(sql.utf8)) { scan(sql) }
    }
    private static let tokenized = ProcessMemo<[UInt8], [SQLToken]>(limit: 4_096)

    private static func scan(_ sql: String) -> [SQLToken] {
        let c = Array(sql)
        var tokens: [SQLToken] = []
        var i = 0
        func take(_ kind: Kind, _ end: Int) { tokens.append(SQLToken(kind: kind, text: String(c[i..<end]))); i = end }
        while i < c.count {
            let ch = c[i]
            if ch.isWhitespace {
                var j = i; while j < c.count, c[j].isWhitespace { j += 1 }; take(.space, j)
            } else if ch == "-", i + 1 < c.count, c[i + 1] == "-" {
                var j = i; while j < c.count, c[j] != "\n" { j += 1 }; take(.comment, j)
            } else if ch == "/", i + 1 < c.count, c[i + 1] == "*" {
                var j = i + 2; while j + 1 < c.count, !(c[j] == "*" && c[j + 1] == "/") { j += 1 }; take(.comment, min(c.count, j + 2))
            } else if ch == "'" || ch == "\"" {
                var j = i + 1
                while j < c.count {
                    if c[j] == ch { if j + 1 < c.count, c[j + 1] == ch { j += 2; continue }; j += 1; break }
                    j += 1
                }
                take(ch == "'" ? .string : .quoted, j)
            } else if ch.isLetter || ch == "_" {
                var j = i; while j < c.count, c[j].isLetter || c[j].isNumber || c[j] == "_" || c[j] == "$" { j += 1 }; take(.word, j)
            } else if ch.isNumber {
                var j = i; while j < c.count, c[j].isNumber || c[j] == "." { j += 1 }; take(.number, j)
            } else if ch == ":", i + 1 < c.count, c[i + 1] == ":" {
                take(.symbol, i + 2)
            } else if (ch == "-" || ch == "<" || ch == ">" || ch == "!" || ch == "|"), i + 1 < c.count, ["=", ">", "|", ">>"].contains(String(c[i + 1])) {
                take(.symbol, (ch == "-" && i + 2 < c.count && c[i + 1] == ">" && c[i + 2] == ">") ? i + 3 : i + 2)
            } else {
                take(.symbol, i + 1)
            }
        }
        return tokens
    }
}
