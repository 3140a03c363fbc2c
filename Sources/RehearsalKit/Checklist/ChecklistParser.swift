import Foundation

/// Reads a checklist's Markdown into a `Checklist`. Every command line is validated by the
/// interpreter as it is read, so a checklist with malformed quoting or an unsimulated command
/// is refused with its file, line and column before anything runs.
public enum ChecklistParser {
    public static func load(path: String, displayPath: String? = nil) throws -> Checklist {
        let shown = displayPath ?? path
        guard let data = FileManager.default.contents(atPath: path) else { throw ChecklistError(SourceLocation(file: shown, line: 1, column: 1), "cannot read the checklist") }
        let text: String
        do { text = try UTF8Text.decode(data) } catch let invalid as UTF8Text.Invalid {
            throw ChecklistError(SourceLocation(file: shown, line: invalid.line, column: invalid.column), "this byte is not UTF-8 (the checklist is UTF-8 text)")
        }
        return try parse(text, file: shown)
    }

    /// The checklist this project was written from, shipped as a resource.
    public static func shipped() throws -> Checklist {
        try load(path: ShippedResources.checklistPath, displayPath: "deployment-checklist-sprint3.md")
    }

    public static func parse(_ text: String, file: String) throws -> Checklist {
        var body = text
        if body.hasPrefix("\u{FEFF}") { body.removeFirst() }
        let lines = body.replacingOccurrences(of: "\r\n", with: "\n").components(separatedBy: "\n")
        var sections: [Checklist.Section] = []
        var items: [ChecklistItem] = []
        var phase: Int?
        var section = "0"
        var index = 0
        func location(_ line: Int, _ column: Int) -> SourceLocation { SourceLocation(file: file, line: line, column: column) }

        while index < lines.count {
            let line = lines[index]
            let trimmed = line.trimmingWhitespace()
            if trimmed.hasPrefix("## ") {
                let title = String(trimmed.dropFirst(3))
                if let match = title.range(of: #"^PHASE (\d+)"#, options: .regularExpression) {
                    phase = Int(title[match].dropFirst(6))
                    section = String(phase!)
                } else {
                    phase = nil
                    section = title.hasPrefix("Appendix") ? "appendix" : "0"
                }
                sections.append(Checklist.Section(number: section, title: title, line: index + 1, phase: phase))
            } else if trimmed.hasPrefix("### ") {
                let title = String(trimmed.dropFirst(4))
                if let number = title.range(of: #"^\d+(\.\d+)+"#, options: .regularExpression) {
                    section = String(title[number])
                    sections.append(Checklist.Section(number: section, title: title[number.upperBound...].trimmingWhitespace(), line: index + 1, phase: phase))
                }
            } else if trimmed.hasPrefix("```") {
                let language = trimmed.dropFirst(3).trimmingWhitespace().lowercased()
                let start = index + 1
                var end = start
                while end < lines.count, !lines[end].trimmingWhitespace().hasPrefix("```") { end += 1 }
                guard end < lines.count else { throw ChecklistError(location(index + 1, 1), "unterminated code block (``` without a closing ```)") }
                let block = Array(lines[start..<end])
                // "**Expected Migration:**" marks DDL shown for reading, not for running.
                let reference = lines[max(0, index - 3)..<index].contains { $0.contains("Expected Migration") }
                switch language {
                case "bash", "sh", "shell":
                    items += try bashItems(block, firstLine: start + 1, section: section, file: file)
                case "sql":
                    items += sqlItems(block, firstLine: start + 1, section: section, reference: reference)
                case "":
                    items += try stepItems(block, firstLine: start + 1, section: section, file: file)
                default:
                    break
                }
                index = end
            }
            index += 1
        }
        let tree = decisionTree(lines)
        var plans: [String: String] = [:]
        for section in sections {
            if let letter = section.title.range(of: #"Rollback Plan ([A-Z])\b"#, options: .regularExpression) {
                plans[String(section.title[letter].last!)] = section.number
            } else if section.title.hasPrefix("Full Rollback") {
                plans["full"] = section.number
            }
        }
        for (symptom, plan) in tree where plans[plan] == nil {
            let line = lines.firstIndex { $0.contains("Rollback Plan \(plan)") }.map { $0 + 1 } ?? 1
            throw ChecklistError(location(line, 1), "the decision tree names plan \(plan) for '\(symptom)', and no section is titled 'Rollback Plan \(plan)'")
        }
        return Checklist(file: file, lines: lines, sections: sections, items: items, decisionTree: tree, plans: plans)
    }

    /// A bash block: `[ ] command` items (a quote left open continues on the next lines),
    /// `# Verify:` / `# Expected:` checks on the item before, other comments as context.
    static func bashItems(_ block: [String], firstLine: Int, section: String, file: String) throws -> [ChecklistItem] {
        var items: [ChecklistItem] = []
        var context: [String] = []
        var index = 0
        while index < block.count {
            let raw = block[index]
            let trimmed = raw.trimmingWhitespace()
            let lineNumber = firstLine + index
            index += 1
            if trimmed.isEmpty { context = []; continue }
            if trimmed.hasPrefix("#") {
                let comment = trimmed.drop { $0 == "#" }.trimmingWhitespace()
                if let check = checkText(comment), !items.isEmpty, items.last!.section == section {
                    items[items.count - 1].checks.append(ChecklistCheck(text: check, line: lineNumber))
                } else {
                    context.append(comment)
                }
                continue
            }
            var hasBox = false
            var text = trimmed
            var column = raw.count - raw.drop { $0 == " " || $0 == "\t" }.count + 1
            if trimmed.hasPrefix("[ ]") || trimmed.hasPrefix("[x]") || trimmed.hasPrefix("[X]") {
                hasBox = true
                text = trimmed.dropFirst(3).trimmingWhitespace()
                column += trimmed.count - trimmed.dropFirst(3).drop { $0 == " " }.count
            }
            // A quoted argument may span lines (6.4's psql -c "…").
            while !quotesBalanced(text), index < block.count {
                text += "\n" + block[index]
                index += 1
            }
            let kind: ChecklistItem.Kind
            if isCommand(text) && hasBox {
                do {
                    try ShellSession.validate(text)
                } catch let error as CommandLineError {
                    let errorLine = lineNumber + error.row - 1
                    throw ChecklistError(SourceLocation(file: file, line: errorLine, column: error.row == 1 ? column + error.column - 1 : error.column), error.message)
                }
                kind = .command(text)
            } else {
                kind = .prose(text)
            }
            var item = ChecklistItem(section: section, line: lineNumber, column: column, kind: kind, hasBox: hasBox, checks: [], context: context)
            // Lines without a box (Appendix A's quick reference) are for reading, not running.
            item.isReference = !hasBox
            items.append(item)
            context = []
        }
        return items
    }

    /// Whether a line is a command line or prose: prose starts with a capital ("Deploy Sprint 3
    /// to staging", "Add … to environment"), a command line with its program's name. A command
    /// of a program the interpreter does not know is then refused by validation, with its
    /// location, instead of being passed over as prose.
    static func isCommand(_ text: String) -> Bool {
        guard let first = text.first else { return false }
        return !first.isUppercase
    }

    static func checkText(_ comment: String) -> String? {
        for prefix in ["Verify:", "Expected:", "Expected output:"] where comment.hasPrefix(prefix) {
            return comment.dropFirst(prefix.count).trimmingWhitespace()
        }
        return nil
    }

    static func quotesBalanced(_ text: String) -> Bool {
        var quote: Character?
        var escaped = false
        for c in text {
            if escaped { escaped = false; continue }
            if c == "\\" && quote != "'" { escaped = true; continue }
            if let q = quote { if c == q { quote = nil } } else if c == "\"" || c == "'" { quote = c }
        }
        return quote == nil
    }

    /// A sql block: one item per statement; `-- Expected: …` after a statement checks it,
    /// `-- Must return …` before one checks the next; an "Expected output:" comment table lists
    /// rows; any other comment that the prose table knows (`-- Run expiration task`) is an action.
    static func sqlItems(_ block: [String], firstLine: Int, section: String, reference: Bool) -> [ChecklistItem] {
        var items: [ChecklistItem] = []
        var pending: [ChecklistCheck] = []
        var context: [String] = []
        var statement = ""
        var statementLine = 0
        var statementColumn = 1
        var tableCheck: Int?
        for (offset, raw) in block.enumerated() {
            let lineNumber = firstLine + offset
            let trimmed = raw.trimmingWhitespace()
            if statement.isEmpty && trimmed.hasPrefix("--") {
                let comment = trimmed.dropFirst(2).trimmingWhitespace()
                if let table = tableCheck, comment.contains("|") {
                    let cells = comment.split(separator: "|").map { $0.trimmingWhitespace() }
                    if items[table].checks.last?.rows.isEmpty == true && cells.contains(where: { $0 == "tgname" || $0 == "table_name" }) { continue }
                    items[table].checks[items[table].checks.count - 1].rows.append(cells)
                    continue
                }
                tableCheck = nil
                if comment.hasPrefix("Expected output:"), !items.isEmpty {
                    items[items.count - 1].checks.append(ChecklistCheck(text: "output", line: lineNumber))
                    tableCheck = items.count - 1
                } else if let check = checkText(comment), !items.isEmpty {
                    items[items.count - 1].checks.append(ChecklistCheck(text: check, line: lineNumber))
                } else if comment.hasPrefix("Must return") {
                    pending.append(ChecklistCheck(text: comment.dropFirst("Must return".count).trimmingWhitespace(), line: lineNumber))
                } else if ProseCommands.standard.commands(for: comment) != nil, !reference {
                    items.append(ChecklistItem(section: section, line: lineNumber, column: raw.firstIndex(of: "-").map { raw.distance(from: raw.startIndex, to: $0) + 1 } ?? 1,
                                               kind: .prose(comment), hasBox: true, checks: [], context: context))
                    context = []
                } else if !comment.isEmpty, !comment.allSatisfy({ $0 == "=" }) {
                    context.append(comment)
                }
                continue
            }
            if trimmed.isEmpty && statement.isEmpty { continue }
            if statement.isEmpty {
                statementLine = lineNumber
                statementColumn = raw.count - raw.drop { $0 == " " }.count + 1
            }
            // Trailing `-- comment` on a statement line stays in the SQL (the dialect skips it).
            statement += (statement.isEmpty ? "" : "\n") + raw
            if trimmed.hasSuffix(";") || (trimmed.contains(";") && trimmed.range(of: #";\s*--"#, options: .regularExpression) != nil) {
                var item = ChecklistItem(section: section, line: statementLine, column: statementColumn, kind: .sql(statement.trimmingWhitespace()),
                                         hasBox: false, checks: pending, context: context)
                item.isReference = reference
                items.append(item)
                pending = []
                context = []
                statement = ""
            }
        }
        return items
    }

    /// The 3.1 table: `| N | Command | … | [ ] |` rows become steps.
    static func stepItems(_ block: [String], firstLine: Int, section: String, file: String) throws -> [ChecklistItem] {
        try block.enumerated().compactMap { offset, raw in
            let cells = raw.split(separator: "|", omittingEmptySubsequences: false).map { $0.trimmingWhitespace() }
            guard cells.count >= 4, let number = Int(cells[1]), raw.contains("[ ]") else { return nil }
            // A command named in the step (`…`) is validated like any other command line.
            for command in cells[2].split(separator: "`", omittingEmptySubsequences: false).enumerated().filter({ $0.offset % 2 == 1 }) {
                do {
                    try ShellSession.validate(String(command.element))
                } catch let error as CommandLineError {
                    let start = raw.range(of: "`" + command.element + "`").map { raw.distance(from: raw.startIndex, to: $0.lowerBound) + 2 } ?? 1
                    throw ChecklistError(SourceLocation(file: file, line: firstLine + offset, column: start + error.column - 1), error.message)
                }
            }
            let column = raw.range(of: cells[2]).map { raw.distance(from: raw.startIndex, to: $0.lowerBound) + 1 } ?? 1
            return ChecklistItem(section: section, line: firstLine + offset, column: column, kind: .step(number, cells[2]), hasBox: true, checks: [], context: [])
        }
    }

    /// 6.1's tree: a `+-- symptom` line followed by `--> … Rollback Plan X` (or the full rollback).
    static func decisionTree(_ lines: [String]) -> [(symptom: String, plan: String)] {
        var tree: [(String, String)] = []
        var symptom: String?
        for line in lines {
            if let range = line.range(of: "+-- ") {
                symptom = line[range.upperBound...].trimmingWhitespace()
            } else if let current = symptom, line.contains("-->") {
                if let letter = line.range(of: #"Rollback Plan ([A-Z])\b"#, options: .regularExpression) {
                    tree.append((current, String(line[letter].last!)))
                } else if line.contains("Full Rollback") {
                    tree.append((current, "full"))
                }
                symptom = nil
            }
        }
        return tree
    }
}
