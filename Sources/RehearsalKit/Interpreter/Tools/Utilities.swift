import Foundation
import GRDB

/// The shell utilities the checklist pipes through: `echo`, `cat`, `ls`, `grep`, `head`, `tail`,
/// `wc`, `jq`, `date`, `sleep`, `export`, `true`, `false`, and `rehearse pii scan` (this tool's
/// own scanner, for the 4.6 checks). GNU and jq 1.6 behaviour, exit codes included.
extension ShellSession {
    func utility(_ invocation: Invocation) throws -> ToolOutput {
        let arguments = invocation.arguments
        let operands = arguments.operands
        switch arguments.spec.path[0] {
        case "echo":
            return ToolOutput(stdout: operands.joined(separator: " ") + (arguments.has("-n") ? "" : "\n"))
        case "true": return ToolOutput()
        case "false": return ToolOutput(status: 1)
        case "export":
            for assignment in operands {
                guard let equals = assignment.firstIndex(of: "=") else { continue }
                stack.shellEnvironment[String(assignment[..<equals])] = String(assignment[assignment.index(after: equals)...])
            }
            var output = ToolOutput()
            if operands.contains(where: { $0.hasPrefix("TRACES_VIEWER_ENABLED=") }) {
                output.warn("export sets the operator's shell only; the containers read .env when they are created (compose's env_file)")
            }
            return output
        case "cat":
            guard !operands.isEmpty else { return ToolOutput(stdout: invocation.stdin) }
            var output = ToolOutput()
            for name in operands {
                switch stack.files[name] {
                case .text(let text)?: output.stdout += text
                case .dump?: output.stdout += "PGDMP (binary archive)\n"
                case nil:
                    output.stderr += "cat: \(name): No such file or directory\n"
                    output.status = 1
                }
            }
            return output
        case "ls":
            let all = arguments.has("-a") || arguments.has("-la")
            if operands.isEmpty {
                return .out(stack.files.keys.filter { all || !$0.hasPrefix(".") }.sorted().joined(separator: "\n"))
            }
            var output = ToolOutput()
            for name in operands {
                if stack.files[name] != nil { output.stdout += name + "\n" } else {
                    output.stderr += "ls: cannot access '\(name)': No such file or directory\n"
                    output.status = 2
                }
            }
            return output
        case "grep":
            return grep(invocation)
        case "head", "tail":
            let count = Int(arguments.value("-n") ?? arguments.value("--lines") ?? "10") ?? 10
            var lines = invocation.stdin.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
            if lines.last == "" { lines.removeLast() }
            let kept = arguments.spec.path[0] == "head" ? lines.prefix(count) : lines.suffix(count)
            return ToolOutput(stdout: kept.map { $0 + "\n" }.joined())
        case "wc":
            let text = invocation.stdin
            if arguments.has("-w") { return .out("\(text.split(whereSeparator: \.isWhitespace).count)") }
            if arguments.has("-c") { return .out("\(text.utf8.count)") }
            return .out("\(text.filter { $0 == "\n" }.count)")
        case "jq":
            return jq(invocation)
        case "date":
            return .out(DateFormat.format(world.clock, operands.first { $0.hasPrefix("+") }.map { String($0.dropFirst()) }))
        default:
            // sleep: virtual time passes, and the beat schedule with it.
            guard let text = operands.first, let seconds = DurationText.seconds(text) ?? Int64(text), seconds >= 0 else {
                return .err("sleep: invalid time interval '\(operands.first ?? "")'", status: 1)
            }
            try world.advance(db, by: seconds)
            return ToolOutput()
        }
    }

    /// `grep` with basic regular expressions (`\|` alternates), `-E` extended, `-F` fixed.
    func grep(_ invocation: Invocation) -> ToolOutput {
        let arguments = invocation.arguments
        var operands = arguments.operands
        let explicit = arguments.values("-e")
        guard !explicit.isEmpty || !operands.isEmpty else { return .err("Usage: grep [OPTION]... PATTERNS [FILE]...", status: 2) }
        let patterns = explicit.isEmpty ? [operands.removeFirst()] : explicit
        var input = invocation.stdin
        if let file = operands.first {
            guard case .text(let text)? = stack.files[file] else { return .err("grep: \(file): No such file or directory", status: 2) }
            input = text
        }
        var options: NSRegularExpression.Options = []
        if arguments.has("-i") || arguments.has("--ignore-case") { options.insert(.caseInsensitive) }
        let expressions: [NSRegularExpression]
        do {
            expressions = try patterns.map { pattern in
                let source: String
                if arguments.has("-F") || arguments.has("--fixed-strings") { source = NSRegularExpression.escapedPattern(for: pattern) }
                else if arguments.has("-E") || arguments.has("--extended-regexp") { source = pattern }
                else { source = Self.basicToExtended(pattern) }
                return try NSRegularExpression(pattern: arguments.has("-w") ? "\\b(?:\(source))\\b" : source, options: options)
            }
        } catch {
            return .err("grep: Unmatched ( or \\(", status: 2)
        }
        let invert = arguments.has("-v") || arguments.has("--invert-match")
        var lines = input.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        if lines.last == "" { lines.removeLast() }
        var selected: [String] = []
        for (index, line) in lines.enumerated() {
            let range = NSRange(line.startIndex..., in: line)
            let matches = expressions.contains { $0.firstMatch(in: line, range: range) != nil }
            if matches != invert { selected.append(arguments.has("-n") ? "\(index + 1):\(line)" : line) }
        }
        let status: Int32 = selected.isEmpty ? 1 : 0
        if arguments.has("-q") || arguments.has("--quiet") { return ToolOutput(status: status) }
        if arguments.has("-c") || arguments.has("--count") { return .out("\(selected.count)", status: status) }
        return ToolOutput(stdout: selected.map { $0 + "\n" }.joined(), status: status)
    }

    /// POSIX basic regular expressions as ICU patterns: `\|`, `\(`, `\)`, `\{`, `\}`, `\+`, `\?`
    /// are the operators (GNU), and the unescaped `| ( ) { } + ?` are literals.
    static func basicToExtended(_ pattern: String) -> String {
        var result = ""
        var characters = Array(pattern)[...]
        while let c = characters.popFirst() {
            if c == "\\", let next = characters.popFirst() {
                if "|(){}+?".contains(next) { result.append(next) } else { result.append("\\"); result.append(next) }
            } else if "|(){}+?".contains(c) {
                result += "\\\(c)"
            } else {
                result.append(c)
            }
        }
        return result
    }

    /// `jq` for the filters the checklist uses: `.`, `.key`, `.key.sub`, `.[N]`, `.[]`, `length`,
    /// `keys`; `-r` prints strings raw, `-c` compactly; `-e` sets the exit status from the output.
    func jq(_ invocation: Invocation) -> ToolOutput {
        let arguments = invocation.arguments
        let filter = arguments.operands.first ?? "."
        var output = ToolOutput()
        var lastValue: JSONValue?
        var line = 0
        for text in invocation.stdin.split(separator: "\n") where !text.trimmingWhitespace().isEmpty {
            line += 1
            let value: JSONValue
            do {
                value = try JSONParser.parse(String(text))
            } catch {
                return ToolOutput(stdout: output.stdout, stderr: "jq: error (at <stdin>:\(line)): Cannot parse the input as JSON: \(text.prefix(40))\n", status: 2)
            }
            let results: [JSONValue]
            switch Self.jqApply(filter, to: value) {
            case .success(let values): results = values
            case .failure(let message): return ToolOutput(stdout: output.stdout, stderr: "jq: error (at <stdin>:\(line)): \(message)\n", status: 5)
            }
            for result in results {
                lastValue = result
                if arguments.has("-r") || arguments.has("--raw-output"), case .string(let s) = result { output.stdout += s + "\n" }
                else { output.stdout += (arguments.has("-c") ? result.serialized() : result.pretty()) + "\n" }
            }
        }
        if arguments.has("-e") {
            if lastValue == nil || lastValue == .null || lastValue == .bool(false) { output.status = 1 }
        }
        return output
    }

    enum JQResult { case success([JSONValue]); case failure(String) }

    static func jqApply(_ filter: String, to value: JSONValue) -> JQResult {
        let trimmed = filter.trimmingWhitespace()
        if trimmed == "." { return .success([value]) }
        if trimmed == "length" {
            switch value {
            case .array(let items): return .success([.int(items.count)])
            case .object(let members): return .success([.int(members.count)])
            case .string(let s): return .success([.int(s.count)])
            case .null: return .success([.int(0)])
            default: return .failure("\(value.serialized()) has no length")
            }
        }
        if trimmed == "keys", case .object(let members) = value { return .success([.array(members.map { .string($0.0) }.sorted { $0.serialized() < $1.serialized() })]) }
        guard trimmed.hasPrefix(".") else { return .failure("filter '\(filter)' is not simulated (., .key, .[N], .[], length, keys)") }
        var values = [value]
        var rest = Substring(trimmed.dropFirst())
        while !rest.isEmpty {
            if rest.hasPrefix("[]") {
                rest = rest.dropFirst(2)
                var next: [JSONValue] = []
                for item in values {
                    switch item {
                    case .array(let items): next += items
                    case .object(let members): next += members.map(\.1)
                    default: return .failure("Cannot iterate over \(item.serialized())")
                    }
                }
                values = next
            } else if rest.hasPrefix("["), let close = rest.firstIndex(of: "]"), let index = Int(rest[rest.index(after: rest.startIndex)..<close]) {
                rest = rest[rest.index(after: close)...]
                values = values.map { item in
                    guard let items = item.arrayValue else { return .null }
                    let position = index < 0 ? items.count + index : index
                    return items.indices.contains(position) ? items[position] : .null
                }
            } else {
                if rest.hasPrefix(".") { rest = rest.dropFirst() }
                let key = rest.prefix { $0 != "." && $0 != "[" }
                rest = rest.dropFirst(key.count)
                guard !key.isEmpty else { continue }
                var next: [JSONValue] = []
                for item in values {
                    switch item {
                    case .object: next.append(item[String(key)] ?? .null)
                    case .null: next.append(.null)
                    default: return .failure("Cannot index \(item.kindName) with \"\(key)\"")
                    }
                }
                values = next
            }
        }
        return .success(values)
    }

    /// `rehearse pii scan` on standard input: one finding per line (type and JSON pointer, never
    /// the value); exit 1 when anything is found.
    func piiScan(_ invocation: Invocation) throws -> ToolOutput {
        let scanner = PIIScanner(people: (try? TraceRecorder.knownPeople(db)) ?? [])
        var findings: [String] = []
        for (index, line) in invocation.stdin.split(separator: "\n").enumerated() {
            if let value = try? JSONParser.parse(String(line)) {
                findings += scanner.scan(value).map { "line \(index + 1): \($0.type.rawValue) at \($0.pointer)" }
            } else {
                findings += scanner.scrub(text: String(line)).types.map { "line \(index + 1): \($0.rawValue)" }
            }
        }
        let exitZero = invocation.arguments.has("--exit-zero")
        return ToolOutput(stdout: findings.map { $0 + "\n" }.joined(), stderr: "\(findings.count) finding(s)\n", status: findings.isEmpty || exitZero ? 0 : 1)
    }
}

extension JSONValue {
    /// jq's name for the value's type, for its error messages.
    var kindName: String {
        switch self {
        case .null: return "null"
        case .bool: return "boolean"
        case .number: return "number"
        case .string: return "string"
        case .array: return "array"
        case .object: return "object"
        }
    }
}

/// `date +FORMAT` on the virtual clock (UTC).
enum DateFormat {
    static func format(_ time: Timestamp, _ format: String?) -> String {
        let iso = time.iso8601
        let year = String(iso.prefix(4)), month = String(iso.dropFirst(5).prefix(2)), day = String(iso.dropFirst(8).prefix(2))
        let hour = String(iso.dropFirst(11).prefix(2)), minute = String(iso.dropFirst(14).prefix(2)), second = String(iso.dropFirst(17).prefix(2))
        guard let format else {
            let days = ["Thu", "Fri", "Sat", "Sun", "Mon", "Tue", "Wed"]
            let months = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]
            let weekday = days[Int(((time.seconds / 86400) % 7 + 7) % 7)]
            return "\(weekday) \(months[(Int(month) ?? 1) - 1]) \(day) \(hour):\(minute):\(second) UTC \(year)"
        }
        var result = ""
        var characters = Array(format)[...]
        while let c = characters.popFirst() {
            guard c == "%", let code = characters.popFirst() else { result.append(c); continue }
            switch code {
            case "Y": result += year
            case "m": result += month
            case "d": result += day
            case "H": result += hour
            case "M": result += minute
            case "S": result += second
            case "s": result += String(time.seconds)
            case "F": result += "\(year)-\(month)-\(day)"
            case "T": result += "\(hour):\(minute):\(second)"
            case "%": result += "%"
            default: result += "%\(code)"
            }
        }
        return result
    }
}
