import GRDB

/// What running one checklist item did: its command lines' results, each check's verdict, and
/// whether the item did what the checklist says.
public struct ItemOutcome: Sendable {
    public enum Status: Sendable, Equatable {
        /// Every command exited 0 and every check passed.
        case done
        /// A command failed, a check did not hold, or a command did not do what the checklist
        /// means by it; the reason names the first.
        case flagged(String)
        /// Nothing was run: prose with no command line, or outside the rehearsed stack.
        case notRehearsed(String)
    }

    public var item: ChecklistItem
    public var results: [CommandResult]
    public var checks: [CheckOutcome]
    public var status: Status

    public var output: [String] { results.flatMap { ["$ " + $0.line.replacingOccurrences(of: "\n", with: "\n  ")] + $0.output.map { "  " + $0 } } }

    public var isFlagged: Bool { if case .flagged = status { return true }; return false }
}

public struct CheckOutcome: Sendable, Equatable {
    public enum Verdict: Sendable, Equatable {
        case passed
        case failed(String)
        /// Prose that names nothing checkable ("Valid JSON with counts" is checked; "Run smoke
        /// tests" is not): shown, never counted as passed.
        case unchecked
    }
    public var check: ChecklistCheck
    public var verdict: Verdict
}

/// Runs checklist items through the interpreter and judges their checks.
public struct ChecklistExecutor {
    public var shell: ShellSession
    public var prose: ProseCommands
    /// Command-line rewrites applied before running (a scenario's `backup:` for the full
    /// rollback's archive glob).
    public var rewrite: (String) -> String = { $0 }

    public init(shell: ShellSession, prose: ProseCommands) {
        self.shell = shell
        self.prose = prose
    }

    public func run(_ item: ChecklistItem) throws -> ItemOutcome {
        var results: [CommandResult] = []
        var rows: [StatementOutcome] = []
        switch item.kind {
        case .command(let text):
            results.append(try shell.run(rewrite(text)))
        case .sql(let sql):
            let (result, outcomes) = shell.runChecklistSQL(sql)
            results.append(result)
            rows = outcomes
        case .step(_, let text) where text.contains("`"):
            // A step that names its command (`Start background workers: \`docker compose up -d\``).
            let commands = text.split(separator: "`", omittingEmptySubsequences: false).enumerated().filter { $0.offset % 2 == 1 }.map { String($0.element) }
            for line in commands { results.append(try shell.run(rewrite(line))) }
        case .prose(let text), .step(_, let text):
            switch prose.commands(for: text) {
            case nil:
                return ItemOutcome(item: item, results: [], checks: [], status: .notRehearsed("no command line stands for this prose (give one with `prose:` or --prose)"))
            case .some(nil):
                return ItemOutcome(item: item, results: [], checks: [], status: .notRehearsed("outside the rehearsed stack"))
            case .some(let lines?):
                for line in lines { results.append(try shell.run(rewrite(line))) }
            }
        }
        let text = results.last?.text ?? ""
        // `# Expected: 005_add_immutability_triggers (head)`: the checklist states the revision
        // the schema must be at; schema.revision judges against it from here on.
        for check in item.checks {
            let word = String(check.text.split(separator: " ").first ?? "")
            if shell.world.chain.index(of: word) != nil { shell.world.expectedRevision = word }
        }
        let checks = item.checks.map { CheckOutcome(check: $0, verdict: Self.judge($0, output: text, rows: rows, isSQL: { if case .sql = item.kind { return true }; return false }())) }
        var status = ItemOutcome.Status.done
        if let failed = results.first(where: { !$0.succeeded && !Self.isEmptySearch($0) }) {
            let lines = failed.output.filter { !$0.trimmingWhitespace().isEmpty }
            let last = lines.first { $0.lowercased().contains("error") || $0.hasPrefix("FAILED") || $0.hasPrefix("curl:") } ?? lines.last ?? ""
            // The item's own line is shown beside it; name the command only when the item ran several.
            let which = results.count > 1 ? "`\(failed.line.split(separator: "\n").first ?? "")` " : ""
            status = .flagged("\(which)exited \(failed.status)\(last.isEmpty ? "" : ": \(last.trimmingWhitespace())")")
        } else if let check = checks.first(where: { if case .failed = $0.verdict { return true }; return false }), case .failed(let why) = check.verdict {
            status = .flagged("expected \(check.check.text.isEmpty ? "the output shown" : check.check.text): \(why)")
        } else if let warning = results.flatMap(\.warnings).first {
            status = .flagged(warning)
        }
        return ItemOutcome(item: item, results: results, checks: checks, status: status)
    }

    /// A pipeline that ends in `grep` and exits 1 found no matching line: for a log search
    /// ("check for errors"), that is the answer hoped for, not a failure.
    static func isEmptySearch(_ result: CommandResult) -> Bool {
        result.status == 1 && result.line.contains("| grep ") && (result.output.isEmpty || result.output == ["0"])
    }

    /// Judges a `# Verify:` / `# Expected:` text against what the command printed (and, for
    /// SQL, the rows it returned).
    static func judge(_ check: ChecklistCheck, output: String, rows: [StatementOutcome], isSQL: Bool) -> CheckOutcome.Verdict {
        let text = check.text.trimmingWhitespace()
        var trimmedOutput = output.trimmingWhitespace()
        // redis-cli on a terminal prints `(integer) 0` for 0.
        if trimmedOutput.hasPrefix("(integer) ") { trimmedOutput = String(trimmedOutput.dropFirst(10)) }
        // An expected table: each listed row must be among the rows returned.
        if !check.rows.isEmpty {
            guard case .rows? = rows.last else { return .failed("no rows returned") }
            let cells = rows.last!.psqlCells.map { $0.map { $0.trimmingWhitespace() } }
            for row in check.rows where !cells.contains(row) { return .failed("row \(row.joined(separator: " | ")) is missing") }
            return .passed
        }
        // Alternatives: `[] or {"detail": "Not authenticated"}`.
        let alternatives = text.components(separatedBy: " or ")
        if alternatives.count > 1, alternatives.allSatisfy({ Self.isLiteral($0.trimmingWhitespace()) }) {
            for alternative in alternatives where judge(ChecklistCheck(text: alternative, line: check.line), output: output, rows: rows, isSQL: isSQL) == .passed { return .passed }
            return .failed("got \(abbreviate(trimmedOutput))")
        }
        if text.hasPrefix("\""), text.hasSuffix("\""), text.count >= 2 {
            let quoted = String(text.dropFirst().dropLast())
            return output.contains(quoted) ? .passed : .failed("\"\(quoted)\" is not in the output")
        }
        if let first = text.first, first == "{" || first == "[", let expected = try? JSONParser.parse(text) {
            guard let actual = try? JSONParser.parse(trimmedOutput) else { return .failed("the output is not JSON: \(abbreviate(trimmedOutput))") }
            return actual == expected ? .passed : .failed("got \(abbreviate(actual.serialized()))")
        }
        // Row counts: `2 rows`, `0 rows`, `5+ indexes`, `3 rows (unchanged)`.
        if isSQL, let match = text.range(of: #"^(\d+)(\+)?\s+(rows?|indexes|triggers|tables)"#, options: .regularExpression) {
            let head = text[match]
            let number = Int(head.prefix { $0.isNumber })!
            let atLeast = head.contains("+")
            guard case .rows(_, let values, _)? = rows.last else { return .failed("the statement returned no rows") }
            let ok = atLeast ? values.count >= number : values.count == number
            return ok ? .passed : .failed("\(values.count) row\(values.count == 1 ? "" : "s")")
        }
        // `column = 'value'`: every row has it.
        if isSQL, let match = text.range(of: #"^([a-z_]+)\s*=\s*'([^']*)'$"#, options: .regularExpression) {
            let parts = text[match].split(separator: "=", maxSplits: 1).map { $0.trimmingWhitespace() }
            let column = parts[0], value = String(parts[1].dropFirst().dropLast())
            guard case .rows(let columns, _, _)? = rows.last, let index = columns.firstIndex(of: column) else { return .failed("no column \(column)") }
            let cells = rows.last!.psqlCells
            if cells.isEmpty { return .failed("no rows") }
            let wrong = cells.filter { $0[index] != value }
            return wrong.isEmpty ? .passed : .failed("\(column) is \(wrong.map { $0[index] }.joined(separator: ", "))")
        }
        // A bare value: `0`, `200`, a single cell.
        if Self.isLiteral(text) {
            if isSQL, case .rows? = rows.last, let cell = rows.last!.psqlCells.first?.first, rows.last!.psqlCells.count == 1 {
                return cell.trimmingWhitespace() == text ? .passed : .failed("got \(cell)")
            }
            if trimmedOutput == text { return .passed }
            return output.contains(text) && !text.allSatisfy(\.isNumber) ? .passed : .failed("got \(abbreviate(trimmedOutput))")
        }
        if text.lowercased().hasPrefix("valid json") {
            return (try? JSONParser.parse(trimmedOutput)) != nil ? .passed : .failed("the output is not JSON: \(abbreviate(trimmedOutput))")
        }
        // Prose: what it names in code style (`proposal_expiration`, `'expired'`) must be shown.
        let named = text.split(whereSeparator: { $0 == " " || $0 == "," }).map { String($0).trimmingCharacters(in: "'\".():") }
            .filter { $0.contains("_") || $0.contains(".") && !$0.hasSuffix(".") }
        if named.isEmpty { return .unchecked }
        for word in named where !output.contains(word) { return .failed("\(word) is not in the output") }
        return .passed
    }

    /// A literal the output can equal: a number, an identifier-like token, a revision line.
    static func isLiteral(_ text: String) -> Bool {
        if text.first == "{" || text.first == "[" || text.first == "\"" { return true }
        if Int(text) != nil { return true }
        return !text.contains(" ") || text.range(of: #"^[0-9a-z_]+ \((head|current)\)$"#, options: .regularExpression) != nil
    }

    static func abbreviate(_ text: String) -> String {
        let line = text.split(separator: "\n").first.map(String.init) ?? ""
        return line.isEmpty ? "(nothing)" : (line.count > 80 ? String(line.prefix(77)) + "..." : line)
    }
}

extension String {
    func trimmingCharacters(in set: String) -> String {
        var text = Substring(self)
        while let first = text.first, set.contains(first) { text = text.dropFirst() }
        while let last = text.last, set.contains(last) { text = text.dropLast() }
        return String(text)
    }
}

extension ShellSession {
    /// A statement of a checklist `sql` block, run as the operator runs it: in psql connected
    /// to the production database from the deploy host (`psql "$DATABASE_URL"`).
    func runChecklistSQL(_ sql: String) -> (CommandResult, [StatementOutcome]) {
        var arguments = ParsedArguments(spec: CommandCatalog.specs.first { $0.path == ["psql"] }!)
        _ = connectionFromURL(stack.shellEnvironment["DATABASE_URL"] ?? "", &arguments)
        if let error = connectionError(arguments, place: .host, database: stack.options.database) {
            let result = CommandResult(line: sql, output: ["psql: error: \(error)"], status: 2, notes: [], seconds: 0)
            return (result, [])
        }
        let console = SQLConsole(source: "psql", dialect: PostgresDialect(now: world.clock, seed: world.ids.next()))
        do {
            let outcomes = try console.run(db, script: sql)
            return (CommandResult(line: sql, output: outcomes.map { $0.psqlTable() }.joined(separator: "\n").split(separator: "\n", omittingEmptySubsequences: false).map(String.init),
                                  status: 0, notes: [], seconds: 1), outcomes)
        } catch let error as SQLStatementError {
            return (CommandResult(line: sql, output: ["ERROR:  \(error.message)"], status: 1, notes: [], seconds: 1), [])
        } catch {
            return (CommandResult(line: sql, output: ["ERROR:  \(error)"], status: 1, notes: [], seconds: 1), [])
        }
    }
}
