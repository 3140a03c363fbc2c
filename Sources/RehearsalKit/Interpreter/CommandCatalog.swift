/// Every command the interpreter simulates, with the options it accepts: the one table that
/// both validates command lines before anything runs (an unknown command or option is bad
/// input) and splits arguments into options and operands at run time.
struct CommandSpec: Sendable {
    /// The words that name it: `["docker", "compose", "up"]`, `["psql"]`.
    var path: [String]
    /// Options that take no value.
    var flags: Set<String> = []
    /// Options that take a value (`-U govos`, `--tail=100`, `--tail 100`).
    var valued: Set<String> = []
    /// Whether operands may follow (services, paths, a URL, SQL).
    var operands = true
    /// Options may be written as `-20` (head, tail).
    var numericOption = false

    var name: String { path.joined(separator: " ") }
}

/// A command's arguments split by its spec.
struct ParsedArguments {
    var spec: CommandSpec
    var flags: Set<String> = []
    var values: [(String, String)] = []
    var operands: [String] = []

    func has(_ flag: String) -> Bool { flags.contains(flag) }
    func value(_ option: String) -> String? { values.last { $0.0 == option }?.1 }
    func values(_ option: String) -> [String] { values.filter { $0.0 == option }.map(\.1) }
}

/// A command line the interpreter refuses: not simulated, or an option it does not know.
struct NotSimulated: Error {
    var message: String
    /// The word (index into the command's words) the refusal is about.
    var word: Int
}

enum CommandCatalog {
    static let specs: [CommandSpec] = [
        CommandSpec(path: ["docker", "compose", "ps"], flags: ["-a", "--all", "-q", "--quiet"]),
        CommandSpec(path: ["docker", "compose", "logs"], flags: ["-f", "--follow", "-t", "--timestamps", "--no-color"], valued: ["--since", "--tail", "-n", "--until"]),
        CommandSpec(path: ["docker", "compose", "stop"], valued: ["-t", "--timeout"]),
        CommandSpec(path: ["docker", "compose", "start"]),
        CommandSpec(path: ["docker", "compose", "restart"], valued: ["-t", "--timeout"]),
        CommandSpec(path: ["docker", "compose", "build"], flags: ["--no-cache", "--pull", "-q", "--quiet"]),
        CommandSpec(path: ["docker", "compose", "up"], flags: ["-d", "--detach", "--build", "--force-recreate", "--no-deps", "--no-build", "--remove-orphans", "--wait"]),
        CommandSpec(path: ["docker", "compose", "down"], flags: ["-v", "--volumes", "--remove-orphans"]),
        CommandSpec(path: ["docker", "compose", "exec"], flags: ["-T", "-it", "-i", "-t", "-d", "--detach"], valued: ["-u", "--user", "-w", "--workdir", "-e", "--env"]),
        CommandSpec(path: ["docker", "compose", "run"], flags: ["--rm", "-T", "--no-deps", "-d"], valued: ["-e", "--env"]),
        CommandSpec(path: ["docker", "compose", "pull"], flags: ["-q", "--quiet"]),
        CommandSpec(path: ["git", "pull"], flags: ["--ff-only", "--rebase", "-q", "--quiet"]),
        CommandSpec(path: ["git", "checkout"], flags: ["-q", "--quiet", "-f", "--force", "--overlay", "--no-overlay"]),
        CommandSpec(path: ["git", "log"], flags: ["--oneline", "--decorate", "--all", "--graph"], valued: ["-n", "--max-count"], numericOption: true),
        CommandSpec(path: ["git", "status"], flags: ["-s", "--short", "--porcelain"]),
        CommandSpec(path: ["git", "rev-parse"], flags: ["--short"]),
        CommandSpec(path: ["git", "diff"], flags: ["--stat", "--name-only", "--cached", "--staged"]),
        CommandSpec(path: ["alembic", "upgrade"], flags: ["--sql"], valued: ["--tag"]),
        CommandSpec(path: ["alembic", "downgrade"], flags: ["--sql"], valued: ["--tag"]),
        CommandSpec(path: ["alembic", "current"], flags: ["-v", "--verbose"]),
        CommandSpec(path: ["alembic", "history"], flags: ["-v", "--verbose", "-i", "--indicate-current"], valued: ["-r", "--rev-range"]),
        CommandSpec(path: ["alembic", "heads"], flags: ["-v", "--verbose", "--resolve-dependencies"]),
        CommandSpec(path: ["psql"], flags: ["-X", "--no-psqlrc", "-q", "--quiet", "-t", "--tuples-only", "-A", "--no-align", "-x", "--expanded", "-e", "--echo-queries"],
                    valued: ["-U", "--username", "-d", "--dbname", "-h", "--host", "-p", "--port", "-c", "--command", "-f", "--file", "-v", "--set", "-F", "--field-separator"]),
        CommandSpec(path: ["pg_dump"], flags: ["-Fc", "-Fp", "-Ft", "-c", "--clean", "--if-exists", "-s", "--schema-only", "-a", "--data-only", "-v", "--verbose"],
                    valued: ["-U", "--username", "-d", "--dbname", "-h", "--host", "-p", "--port", "-f", "--file", "-F", "--format", "-t", "--table"]),
        CommandSpec(path: ["pg_restore"], flags: ["-l", "--list", "-c", "--clean", "--if-exists", "-1", "--single-transaction", "-e", "--exit-on-error", "-v", "--verbose", "--no-owner", "-O", "-a", "--data-only", "-s", "--schema-only"],
                    valued: ["-d", "--dbname", "-U", "--username", "-h", "--host", "-p", "--port", "-j", "--jobs", "-f", "--file"]),
        CommandSpec(path: ["pg_isready"], flags: ["-q", "--quiet"], valued: ["-U", "--username", "-d", "--dbname", "-h", "--host", "-p", "--port", "-t", "--timeout"], operands: false),
        CommandSpec(path: ["redis-cli"], flags: ["--raw", "--no-raw"], valued: ["-h", "-p", "-n", "-a"]),
        CommandSpec(path: ["celery"], flags: ["--json", "-q", "--quiet"], valued: ["-A", "--app", "-b", "--broker", "-d", "--destination", "-t", "--timeout", "--args", "--kwargs", "--queue"]),
        CommandSpec(path: ["curl"], flags: ["-s", "--silent", "-S", "--show-error", "-f", "--fail", "-i", "--include", "-L", "--location", "-v", "--verbose", "-k", "--insecure", "-I", "--head"],
                    valued: ["-o", "--output", "-w", "--write-out", "-H", "--header", "-X", "--request", "-d", "--data", "--data-raw", "-m", "--max-time", "--connect-timeout"]),
        CommandSpec(path: ["jq"], flags: ["-r", "--raw-output", "-c", "--compact-output", "-e", "--exit-status", "-S", "--sort-keys", "-M", "-C"]),
        CommandSpec(path: ["grep"], flags: ["-i", "--ignore-case", "-v", "--invert-match", "-c", "--count", "-E", "--extended-regexp", "-F", "--fixed-strings", "-q", "--quiet", "-n", "--line-number", "-w", "-o", "-x"],
                    valued: ["-e", "-m", "--max-count", "-A", "-B", "-C"]),
        CommandSpec(path: ["head"], valued: ["-n", "--lines"], numericOption: true),
        CommandSpec(path: ["tail"], valued: ["-n", "--lines"], numericOption: true),
        CommandSpec(path: ["wc"], flags: ["-l", "-w", "-c"]),
        CommandSpec(path: ["echo"], flags: ["-n", "-e"]),
        CommandSpec(path: ["cat"]),
        CommandSpec(path: ["ls"], flags: ["-l", "-a", "-1", "-la", "-lh", "-h", "-t", "-r"]),
        CommandSpec(path: ["date"], flags: ["-u", "--utc"]),
        CommandSpec(path: ["sleep"]),
        CommandSpec(path: ["export"]),
        CommandSpec(path: ["true"], operands: false),
        CommandSpec(path: ["false"], operands: false),
        CommandSpec(path: ["pytest"], flags: ["-v", "--verbose", "-q", "--quiet", "-x", "--exitfirst", "-s", "-vv"], valued: ["-m", "-k", "--tb", "--maxfail"]),
        CommandSpec(path: ["python"], valued: ["-c", "-m"]),
        CommandSpec(path: ["python3"], valued: ["-c", "-m"]),
        CommandSpec(path: ["rehearse", "pii", "scan"], flags: ["--exit-zero"]),
        // The MCP Inspector's command-line mode, the checklist's 4.5 tool tests.
        CommandSpec(path: ["npx"], flags: ["--cli", "-y", "--yes"], valued: ["--method", "--tool-name", "--tool-arg", "--transport", "--header"]),
    ]

    /// The command names, for the refusal message.
    static var summary: String {
        var seen: [String] = []
        for spec in specs {
            let name = spec.path.count > 1 && spec.path[0] != "rehearse" ? spec.path.dropLast().joined(separator: " ") : spec.path.joined(separator: " ")
            if !seen.contains(name) { seen.append(name) }
        }
        return seen.joined(separator: ", ")
    }

    /// The spec a command's words name, and the index of its first argument. `docker-compose`
    /// is read as `docker compose`; global options before a verb (`docker compose -f x ps`,
    /// `alembic -c alembic.ini current`) are skipped.
    static func lookup(_ words: [String]) throws -> (spec: CommandSpec, arguments: Int) {
        guard let first = words.first else { throw NotSimulated(message: "an empty command", word: 0) }
        let normalized = first == "docker-compose" ? ["docker", "compose"] + words.dropFirst() : words
        let shift = normalized.count - words.count
        let candidates = specs.filter { $0.path[0] == normalized[0] }
        guard !candidates.isEmpty else {
            throw NotSimulated(message: "not simulated: \(first) (simulated: \(summary))", word: 0)
        }
        if candidates.count == 1 && candidates[0].path.count == 1 { return (candidates[0], 1) }
        var index = 1
        let prefix = candidates[0].path.dropLast()
        for fixed in prefix.dropFirst() {
            guard index < normalized.count, normalized[index] == fixed else {
                throw NotSimulated(message: "not simulated: \(normalized.prefix(index + 1).joined(separator: " ")) (simulated: \(prefix.joined(separator: " ")))", word: max(0, index - shift))
            }
            index += 1
        }
        while index < normalized.count, normalized[index].hasPrefix("-") {
            index += ["-f", "--file", "-p", "--project-name", "-c", "--config", "-x"].contains(normalized[index]) ? 2 : 1
        }
        let verbs = candidates.map { $0.path.last! }
        guard index < normalized.count else {
            throw NotSimulated(message: "\(prefix.joined(separator: " ")): a command is expected (\(verbs.joined(separator: ", ")))", word: max(0, words.count - 1))
        }
        guard let spec = candidates.first(where: { $0.path.last == normalized[index] }) else {
            throw NotSimulated(message: "not simulated: \(prefix.joined(separator: " ")) \(normalized[index]) (simulated: \(verbs.joined(separator: ", ")))", word: index - shift)
        }
        return (spec, index + 1 - shift)
    }

    /// Splits `arguments` into options and operands by `spec`; an unknown option is refused.
    static func parse(_ spec: CommandSpec, _ arguments: [String], firstWord: Int = 1) throws -> ParsedArguments {
        var parsed = ParsedArguments(spec: spec)
        var index = 0
        var onlyOperands = false
        while index < arguments.count {
            let word = arguments[index]
            defer { index += 1 }
            // `docker compose exec SERVICE CMD…`: everything after the service is the command's.
            if !parsed.operands.isEmpty && (spec.name == "docker compose exec" || spec.name == "docker compose run") { onlyOperands = true }
            if onlyOperands || !word.hasPrefix("-") || word == "-" || (spec.path == ["alembic", "downgrade"] && Int(word) != nil) {
                parsed.operands.append(word)
                continue
            }
            if word == "--" { onlyOperands = true; parsed.operands.append(word); continue }
            if spec.numericOption, Int(word.dropFirst()) != nil {
                parsed.values.append(("-n", String(word.dropFirst())))
                continue
            }
            if spec.flags.contains(word) { parsed.flags.insert(word); continue }
            if let equals = word.firstIndex(of: "="), spec.valued.contains(String(word[..<equals])) {
                parsed.values.append((String(word[..<equals]), String(word[word.index(after: equals)...])))
                continue
            }
            if spec.valued.contains(word) {
                guard index + 1 < arguments.count else {
                    throw NotSimulated(message: "\(spec.name): option \(word) needs a value", word: firstWord + index)
                }
                parsed.values.append((word, arguments[index + 1]))
                index += 1
                continue
            }
            // `-U govos` also written `-Ugovos`; `-sS` as two flags; `-Fc` as `-F c`.
            let short = String(word.prefix(2))
            if !word.hasPrefix("--"), word.count > 2, spec.valued.contains(short) {
                parsed.values.append((short, String(word.dropFirst(2))))
                continue
            }
            if !word.hasPrefix("--"), word.count > 2, word.dropFirst().allSatisfy({ spec.flags.contains("-\($0)") }) {
                for letter in word.dropFirst() { parsed.flags.insert("-\(letter)") }
                continue
            }
            // redis-cli and python pass their own arguments through.
            if spec.path == ["redis-cli"] || spec.path[0] == "python" || spec.path == ["echo"] {
                parsed.operands.append(word)
                continue
            }
            throw NotSimulated(message: "\(spec.name): option \(word) is not simulated (options: \((spec.flags.union(spec.valued)).sorted().joined(separator: " ")))",
                               word: firstWord + index)
        }
        if !spec.operands && !parsed.operands.isEmpty {
            throw NotSimulated(message: "\(spec.name): unexpected argument '\(parsed.operands[0])'", word: firstWord)
        }
        return parsed
    }
}
