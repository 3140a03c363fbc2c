/// A command line as a POSIX shell reads it, for what the checklist uses: quoting, `$VAR`,
/// `${VAR}`, `$(…)`, globs, pipelines, `&&`/`||`/`;`, redirections (`>`, `>>`, `<`, `2>&1`,
/// `2>/dev/null`) and comments.
public struct ShellScript: Sendable {
    public var lists: [AndOrList]
}

public struct AndOrList: Sendable {
    public enum Connector: Sendable { case and, or }
    public var first: Pipeline
    public var rest: [(Connector, Pipeline)]
    /// The source text of this list, as typed.
    public var source: String
}

public struct Pipeline: Sendable {
    public var commands: [SimpleCommand]
}

public struct SimpleCommand: Sendable {
    public var assignments: [(name: String, value: ShellWord)] = []
    public var words: [ShellWord] = []
    public var redirections: [Redirection] = []
}

public struct Redirection: Sendable {
    public enum Kind: Sendable, Equatable {
        /// `>` or `1>`; `>>` appends.
        case stdout(append: Bool)
        /// `2>` or `2>>`.
        case stderr(append: Bool)
        /// `2>&1`.
        case stderrToStdout
        /// `>&2` or `1>&2`.
        case stdoutToStderr
        /// `&>`: both streams.
        case both
        case stdin
    }
    public var kind: Kind
    public var target: ShellWord?
}

/// One word before expansion: quoted and unquoted pieces, variables and substitutions.
public struct ShellWord: Sendable {
    public enum Part: Sendable {
        case literal(String, quoted: Bool)
        case variable(name: String, fallback: String?, quoted: Bool)
        case substitution(String, quoted: Bool)
    }
    public var parts: [Part]
    public var column: Int

    /// The word when it holds no expansion (a command name, an option).
    public var plainText: String? {
        var text = ""
        for part in parts {
            guard case .literal(let piece, _) = part else { return nil }
            text += piece
        }
        return text
    }
}

/// Malformed input: an unterminated quote or substitution, a construct outside the subset.
public struct ShellSyntaxError: Error, Equatable, CustomStringConvertible {
    public var line: Int
    public var column: Int
    public var message: String
    public var description: String { "\(line > 1 ? "line \(line), " : "")column \(column): \(message)" }
}

/// Reads command lines into a `ShellScript`.
public enum ShellParser {
    /// A command line is parsed before it runs (`ShellSession.validate`) and again to run it,
    /// and a library's scenarios and explored histories run the same checklist lines again and
    /// again: what a text parses into is kept, by its bytes, for the process.
    public static func parse(_ text: String) throws -> ShellScript {
        func read() throws -> ShellScript {
            var reader = Reader(Array(text))
            return try reader.script()
        }
        // Only command lines are kept, not long scripts.
        guard text.utf8.count <= 4_096 else { return try read() }
        return try parsed.value(Array(text.utf8), compute: read)
    }
    private static let parsed = ProcessMemo<[UInt8], ShellScript>(limit: 4_096)

    struct Reader {
        let chars: [Character]
        var index = 0
        var line = 1
        var lineStart = 0

        init(_ chars: [Character]) { self.chars = chars }

        var column: Int { index - lineStart + 1 }
        var current: Character? { index < chars.count ? chars[index] : nil }
        func peek(_ offset: Int) -> Character? { index + offset < chars.count ? chars[index + offset] : nil }

        mutating func advance() {
            if chars[index] == "\n" { line += 1; lineStart = index + 1 }
            index += 1
        }

        func error(_ message: String, line: Int? = nil, column: Int? = nil) -> ShellSyntaxError {
            ShellSyntaxError(line: line ?? self.line, column: column ?? self.column, message: message)
        }

        mutating func skipBlanks() {
            while let c = current {
                if c == " " || c == "\t" || c == "\r" { advance() }
                else if c == "\\", peek(1) == "\n" { advance(); advance() }
                else if c == "#" { while let d = current, d != "\n" { advance() } }
                else { break }
            }
        }

        mutating func script() throws -> ShellScript {
            var lists: [AndOrList] = []
            while true {
                skipBlanks()
                guard let c = current else { break }
                if c == "\n" || c == ";" { advance(); continue }
                lists.append(try andOr())
            }
            return ShellScript(lists: lists)
        }

        mutating func andOr() throws -> AndOrList {
            let start = index
            let first = try pipeline()
            var rest: [(AndOrList.Connector, Pipeline)] = []
            while true {
                skipBlanks()
                if current == "&", peek(1) == "&" {
                    advance(); advance()
                    try skipNewlines()
                    rest.append((.and, try pipeline()))
                } else if current == "|", peek(1) == "|" {
                    advance(); advance()
                    try skipNewlines()
                    rest.append((.or, try pipeline()))
                } else { break }
            }
            let source = String(chars[start..<index]).trimmingWhitespace()
            return AndOrList(first: first, rest: rest, source: source)
        }

        mutating func skipNewlines() throws {
            skipBlanks()
            while current == "\n" { advance(); skipBlanks() }
        }

        mutating func pipeline() throws -> Pipeline {
            var commands = [try command()]
            while true {
                skipBlanks()
                guard current == "|", peek(1) != "|" else { break }
                advance()
                try skipNewlines()
                commands.append(try command())
            }
            return Pipeline(commands: commands)
        }

        mutating func command() throws -> SimpleCommand {
            var command = SimpleCommand()
            skipBlanks()
            let startColumn = column
            while let c = current {
                if c == " " || c == "\t" || c == "\r" || (c == "\\" && peek(1) == "\n") || c == "#" { skipBlanks(); continue }
                if c == "\n" || c == ";" || c == "|" { break }
                if c == "&" {
                    if peek(1) == "&" { break }
                    if peek(1) == ">" {
                        advance(); advance()
                        command.redirections.append(Redirection(kind: .both, target: try redirectTarget()))
                        continue
                    }
                    throw error("background jobs (&) are not simulated")
                }
                if c == "(" || c == ")" { throw error("subshells and grouping are not simulated") }
                if c == "<" {
                    advance()
                    command.redirections.append(Redirection(kind: .stdin, target: try redirectTarget()))
                    continue
                }
                if let redirection = try redirection() {
                    command.redirections.append(redirection)
                    continue
                }
                let word = try self.word()
                if command.words.isEmpty, case .literal(let text, quoted: false)? = word.parts.first, word.parts.count <= 2,
                   let equals = text.firstIndex(of: "="), text[..<equals].allSatisfy({ $0.isLetter || $0.isNumber || $0 == "_" }),
                   !text[..<equals].isEmpty, text.first?.isNumber == false {
                    var value = word
                    value.parts[0] = .literal(String(text[text.index(after: equals)...]), quoted: false)
                    command.assignments.append((String(text[..<equals]), value))
                    continue
                }
                command.words.append(word)
            }
            if command.words.isEmpty && command.assignments.isEmpty && command.redirections.isEmpty {
                throw error("a command is missing here", column: startColumn)
            }
            return command
        }

        /// `>`, `>>`, `1>`, `2>`, `2>>`, `2>&1`, `>&2`, `1>&2` at the current position.
        mutating func redirection() throws -> Redirection? {
            var offset = 0
            var fd: Character?
            if let c = current, c == "1" || c == "2", peek(1) == ">" { fd = c; offset = 1 }
            guard (offset == 0 ? current : peek(offset)) == ">" else { return nil }
            for _ in 0...offset { advance() }
            var append = false
            if current == ">" { append = true; advance() }
            if current == "&" {
                advance()
                guard let target = current, target == "1" || target == "2" else { throw error("expected a file descriptor after >&") }
                advance()
                if fd == "2" && target == "1" { return Redirection(kind: .stderrToStdout, target: nil) }
                if fd != "2" && target == "2" { return Redirection(kind: .stdoutToStderr, target: nil) }
                return Redirection(kind: fd == "2" ? .stderr(append: false) : .stdout(append: false), target: nil)
            }
            return Redirection(kind: fd == "2" ? .stderr(append: append) : .stdout(append: append), target: try redirectTarget())
        }

        mutating func redirectTarget() throws -> ShellWord {
            skipBlanks()
            guard let c = current, !"\n;|&<>".contains(c) else { throw error("a redirection needs a file name") }
            return try word()
        }

        mutating func word() throws -> ShellWord {
            let startColumn = column
            var parts: [ShellWord.Part] = []
            var literal = ""
            func flush(quoted: Bool) {
                if !literal.isEmpty { parts.append(.literal(literal, quoted: quoted)) }
                literal = ""
            }
            while let c = current {
                if " \t\r\n;|&<>()".contains(c) { break }
                switch c {
                case "\\":
                    advance()
                    guard let next = current else { break }
                    if next == "\n" { advance(); continue }
                    flush(quoted: false)
                    literal.append(next)
                    advance()
                    flush(quoted: true)
                case "'":
                    flush(quoted: false)
                    let (openLine, openColumn) = (line, column)
                    advance()
                    while let d = current, d != "'" { literal.append(d); advance() }
                    guard current == "'" else { throw error("unterminated single quote", line: openLine, column: openColumn) }
                    advance()
                    parts.append(.literal(literal, quoted: true))
                    literal = ""
                case "\"":
                    flush(quoted: false)
                    try doubleQuoted(into: &parts)
                case "$":
                    flush(quoted: false)
                    parts.append(try dollar(quoted: false))
                case "`":
                    flush(quoted: false)
                    parts.append(try backquoted(quoted: false))
                default:
                    literal.append(c)
                    advance()
                }
            }
            flush(quoted: false)
            return ShellWord(parts: parts.isEmpty ? [.literal("", quoted: true)] : parts, column: startColumn)
        }

        mutating func doubleQuoted(into parts: inout [ShellWord.Part]) throws {
            let (openLine, openColumn) = (line, column)
            advance()
            var literal = ""
            var sawAnything = false
            func flush() {
                if !literal.isEmpty { parts.append(.literal(literal, quoted: true)) }
                literal = ""
            }
            while let c = current, c != "\"" {
                sawAnything = true
                if c == "\\", let next = peek(1), "$`\"\\\n".contains(next) {
                    advance()
                    if next != "\n" { literal.append(next) }
                    advance()
                } else if c == "$" {
                    flush()
                    parts.append(try dollar(quoted: true))
                } else if c == "`" {
                    flush()
                    parts.append(try backquoted(quoted: true))
                } else {
                    literal.append(c)
                    advance()
                }
            }
            guard current == "\"" else { throw error("unterminated double quote", line: openLine, column: openColumn) }
            advance()
            if !literal.isEmpty || !sawAnything { parts.append(.literal(literal, quoted: true)) }
        }

        mutating func dollar(quoted: Bool) throws -> ShellWord.Part {
            let (openLine, openColumn) = (line, column)
            advance()
            guard let c = current else { return .literal("$", quoted: quoted) }
            if c == "(" {
                advance()
                var depth = 1
                var body = ""
                var quote: Character?
                while let d = current {
                    if let q = quote {
                        if d == q { quote = nil }
                    } else if d == "'" || d == "\"" {
                        quote = d
                    } else if d == "(" {
                        depth += 1
                    } else if d == ")" {
                        depth -= 1
                        if depth == 0 { break }
                    }
                    body.append(d)
                    advance()
                }
                guard current == ")" else { throw error("unterminated $( substitution", line: openLine, column: openColumn) }
                advance()
                return .substitution(body, quoted: quoted)
            }
            if c == "{" {
                advance()
                var body = ""
                while let d = current, d != "}" { body.append(d); advance() }
                guard current == "}" else { throw error("unterminated ${ expansion", line: openLine, column: openColumn) }
                advance()
                if let range = body.range(of: ":-") {
                    return .variable(name: String(body[..<range.lowerBound]), fallback: String(body[range.upperBound...]), quoted: quoted)
                }
                return .variable(name: body, fallback: nil, quoted: quoted)
            }
            if c.isLetter || c == "_" {
                var name = ""
                while let d = current, d.isLetter || d.isNumber || d == "_" { name.append(d); advance() }
                return .variable(name: name, fallback: nil, quoted: quoted)
            }
            if c == "?" || c.isNumber {
                advance()
                return .variable(name: String(c), fallback: nil, quoted: quoted)
            }
            return .literal("$", quoted: quoted)
        }

        mutating func backquoted(quoted: Bool) throws -> ShellWord.Part {
            let (openLine, openColumn) = (line, column)
            advance()
            var body = ""
            while let d = current, d != "`" { body.append(d); advance() }
            guard current == "`" else { throw error("unterminated backquote", line: openLine, column: openColumn) }
            advance()
            return .substitution(body, quoted: quoted)
        }
    }
}
