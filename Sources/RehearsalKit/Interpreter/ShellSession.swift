import GRDB

/// The one interpreter of the checklist's command lines: scenario steps, rollback plans read
/// from the checklist, `rehearse checklist` and the drill prompt all run their commands here.
/// Each program is modelled on the real tool's documented behaviour, failures included
/// (docs/command-semantics.md), and acts on the world's stack and database.
public final class ShellSession {
    let world: World
    let db: Database
    /// `$?` of the last pipeline.
    var lastStatus: Int32 = 0

    public init(world: World, db: Database) {
        self.world = world
        self.db = db
    }

    var stack: Stack {
        get { world.stack }
        set { world.stack = newValue }
    }

    /// Checks a command line without running it: its syntax, and every command and option it
    /// names (expansions are checked after they expand, at run time).
    public static func validate(_ line: String) throws {
        let script: ShellScript
        do {
            script = try ShellParser.parse(line)
        } catch let error as ShellSyntaxError {
            throw CommandLineError(line: line, row: error.line, column: error.column, message: error.message)
        }
        for list in script.lists {
            for pipeline in [list.first] + list.rest.map(\.1) {
                for command in pipeline.commands where !command.words.isEmpty {
                    let words = command.words.map { $0.plainText ?? "x" }
                    do {
                        try checkCommand(words)
                    } catch let refusal as NotSimulated {
                        let word = command.words[min(refusal.word, command.words.count - 1)]
                        throw CommandLineError(line: line, row: 1, column: word.column, message: refusal.message)
                    }
                }
            }
        }
    }

    /// Looks a command up and parses its options; for `docker compose exec|run`, the inner
    /// command too.
    static func checkCommand(_ words: [String]) throws {
        let (spec, start) = try CommandCatalog.lookup(words)
        let parsed = try CommandCatalog.parse(spec, Array(words[start...]), firstWord: start)
        if spec.name == "docker compose exec" || spec.name == "docker compose run", parsed.operands.count > 1 {
            let offset = words.count - (parsed.operands.count - 1)
            do {
                try checkCommand(Array(parsed.operands.dropFirst()))
            } catch var refusal as NotSimulated {
                refusal.word += offset
                throw refusal
            }
        }
    }

    /// Runs a command line (several lines, `&&`, pipelines). A line that does not parse or names
    /// an unsimulated command throws `CommandLineError` before anything runs.
    public func run(_ line: String) throws -> CommandResult {
        try Self.validate(line)
        let script = try ShellParser.parse(line)
        var terminal = ""
        var notes: [String] = []
        var warnings: [String] = []
        var seconds: Int64 = 0
        for list in script.lists {
            var status = try runPipeline(list.first, terminal: &terminal, notes: &notes, warnings: &warnings, seconds: &seconds)
            for (connector, pipeline) in list.rest {
                if (connector == .and) == (status == 0) {
                    status = try runPipeline(pipeline, terminal: &terminal, notes: &notes, warnings: &warnings, seconds: &seconds)
                }
            }
            lastStatus = status
        }
        var output = terminal.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        if output.last == "" { output.removeLast() }
        return CommandResult(line: line, output: output, status: lastStatus, notes: notes, warnings: warnings, seconds: seconds)
    }

    func runPipeline(_ pipeline: Pipeline, terminal: inout String, notes: inout [String], warnings: inout [String], seconds: inout Int64) throws -> Int32 {
        var input = ""
        var status: Int32 = 0
        for (index, command) in pipeline.commands.enumerated() {
            let isLast = index == pipeline.commands.count - 1
            for redirection in command.redirections where redirection.kind == .stdin {
                let path = try expandSingle(redirection.target!)
                guard case .text(let text)? = stack.files[path] else {
                    terminal += "bash: \(path): No such file or directory\n"
                    return 1
                }
                input = text
            }
            var output = try runCommand(command, stdin: input)
            notes += output.notes
            warnings += output.warnings
            seconds += output.seconds
            // Redirections, in bash's order: files are opened (created, truncated) before the
            // program runs, so a failing `pg_dump > f` still leaves an empty f.
            var stdoutTarget: String? = isLast ? nil : "|"
            var stderrToStdout = false
            for redirection in command.redirections {
                switch redirection.kind {
                case .stdout(let append):
                    let path = try expandSingle(redirection.target!)
                    write(path, output, append: append)
                    stdoutTarget = path
                case .both:
                    let path = try expandSingle(redirection.target!)
                    stderrToStdout = true
                    write(path, output, append: false)
                    stdoutTarget = path
                case .stderr:
                    let path = try expandSingle(redirection.target!)
                    if path != "/dev/null" { stack.files[path] = .text(output.stderr) }
                    output.stderr = ""
                case .stderrToStdout:
                    stderrToStdout = true
                case .stdoutToStderr:
                    output.stderr += output.stdout
                    output.stdout = ""
                case .stdin:
                    break
                }
            }
            if stderrToStdout {
                output.stdout += output.stderr
                output.stderr = ""
                if let target = stdoutTarget, target != "|", target != "/dev/null" { write(target, output, append: false) }
            }
            terminal += output.stderr
            if stdoutTarget == nil { terminal += output.stdout }
            input = stdoutTarget == "|" ? output.stdout : ""
            status = output.status
        }
        return status
    }

    func write(_ path: String, _ output: ToolOutput, append: Bool) {
        guard path != "/dev/null" else { return }
        if let dump = output.dump {
            stack.files[path] = .dump(dump)
            return
        }
        var text = ""
        if append, case .text(let old)? = stack.files[path] { text = old }
        stack.files[path] = .text(text + output.stdout)
    }

    func runCommand(_ command: SimpleCommand, stdin: String) throws -> ToolOutput {
        for (name, value) in command.assignments where command.words.isEmpty {
            stack.shellEnvironment[name] = try expandSingle(value)
        }
        guard !command.words.isEmpty else { return ToolOutput() }
        let words = try command.words.flatMap(expand)
        return try execute(words, stdin: stdin, place: .host)
    }

    /// Runs one program with its (expanded) words.
    func execute(_ words: [String], stdin: String, place: Place) throws -> ToolOutput {
        let spec: CommandSpec
        let arguments: ParsedArguments
        do {
            let (found, start) = try CommandCatalog.lookup(words)
            spec = found
            arguments = try CommandCatalog.parse(found, Array(words[start...]), firstWord: start)
        } catch let refusal as NotSimulated {
            return .err("rehearse: \(refusal.message)", status: 127)
        }
        if let service = place.service, !ComposeService.of(service).executables.contains(words[0]),
           !["echo", "cat", "ls", "grep", "head", "tail", "wc", "date", "sleep", "true", "false", "export"].contains(words[0]) {
            return .err("OCI runtime exec failed: exec failed: unable to start container process: exec: \"\(words[0])\": executable file not found in $PATH: unknown", status: 126)
        }
        let invocation = Invocation(words: words, arguments: arguments, stdin: stdin, place: place)
        switch spec.path[0] {
        case "docker": return try docker(invocation)
        case "git": return git(invocation)
        case "alembic": return try alembic(invocation)
        case "psql": return try psql(invocation)
        case "pg_dump": return try pgDump(invocation)
        case "pg_restore": return try pgRestore(invocation)
        case "pg_isready": return pgIsReady(invocation)
        case "redis-cli": return redisCLI(invocation)
        case "celery": return try celery(invocation)
        case "curl": return try curl(invocation)
        case "pytest": return pytest(invocation)
        case "python", "python3": return try python(invocation)
        case "rehearse": return try piiScan(invocation)
        case "npx": return try mcpInspector(invocation)
        default: return try utility(invocation)
        }
    }

    // MARK: Expansion

    /// Expands a word into fields: variables, command substitutions, field splitting of
    /// unquoted expansions, and pathname expansion against the host's files.
    func expand(_ word: ShellWord) throws -> [String] {
        var fields: [String] = []
        var current = ""
        var hasContent = false
        var pattern = false
        for part in word.parts {
            switch part {
            case .literal(let text, let quoted):
                current += text
                hasContent = true
                if !quoted && Glob.isPattern(text) { pattern = true }
            case .variable(let name, let fallback, let quoted):
                let value = variable(name) ?? fallback ?? ""
                split(value, quoted: quoted, fields: &fields, current: &current, hasContent: &hasContent)
            case .substitution(let source, let quoted):
                split(try substitute(source), quoted: quoted, fields: &fields, current: &current, hasContent: &hasContent)
            }
        }
        if hasContent { fields.append(current) }
        if pattern, fields.count == 1 {
            let matches = stack.files(matching: fields[0])
            if !matches.isEmpty { return matches }
        }
        return fields
    }

    func split(_ value: String, quoted: Bool, fields: inout [String], current: inout String, hasContent: inout Bool) {
        if quoted {
            current += value
            hasContent = true
            return
        }
        let pieces = value.split(whereSeparator: { $0 == " " || $0 == "\t" || $0 == "\n" }).map(String.init)
        guard !pieces.isEmpty else { return }
        if value.first?.isWhitespace == true, hasContent { fields.append(current); current = "" }
        for (index, piece) in pieces.enumerated() {
            if index > 0 { fields.append(current); current = "" }
            current += piece
            hasContent = true
        }
        if value.last?.isWhitespace == true { fields.append(current); current = ""; hasContent = false }
    }

    func expandSingle(_ word: ShellWord) throws -> String { try expand(word).joined(separator: " ") }

    func variable(_ name: String) -> String? {
        if name == "?" { return String(lastStatus) }
        return stack.shellEnvironment[name]
    }

    /// `$(…)`: runs the inner command line and takes its output, trailing newlines removed.
    func substitute(_ source: String) throws -> String {
        let script = try ShellParser.parse(source)
        var terminal = ""
        var captured = ""
        for list in script.lists {
            for command in list.first.commands {
                let output = try runCommand(command, stdin: "")
                captured += output.stdout
                terminal += output.stderr
            }
        }
        while captured.hasSuffix("\n") { captured.removeLast() }
        return captured
    }
}

/// One program's invocation.
struct Invocation {
    var words: [String]
    var arguments: ParsedArguments
    var stdin: String
    var place: Place

    var operands: [String] { arguments.operands }
}
