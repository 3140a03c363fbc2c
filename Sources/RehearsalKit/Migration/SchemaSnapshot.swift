import Foundation
import GRDB

/// The shape of a database's schema, as far as the migrations define it: tables (columns with
/// their types, NOT NULL, defaults and primary key; CHECK and UNIQUE constraints; foreign
/// keys), indexes, views, triggers with their enablement, and enum types with their labels.
///
/// Compared with the snapshot of a scratch database migrated to the same revision, it answers
/// "is this the schema alembic says it is?", which `alembic_version` alone cannot: a column
/// dropped or a trigger disabled by hand leaves `version_num` unchanged.
struct SchemaSnapshot: Equatable {
    struct Column: Equatable {
        var name: String
        var type: String
        var notNull: Bool
        var defaultValue: String?
        /// Position in the primary key (1-based), 0 when not part of it.
        var primaryKey: Int
    }

    struct Table: Equatable {
        var columns: [Column]
        var checks: [TableDefinitionText.Check]
        var foreignKeys: [String]
        /// Column lists of UNIQUE constraints (SQLite's automatic indexes), sorted.
        var uniques: [String]
        /// `STRICT`, `WITHOUT ROWID`: the options after the closing parenthesis.
        var options: String
    }

    var tables: [String: Table] = [:]
    var indexes: [String: String] = [:]
    var views: [String: String] = [:]
    var triggers: [String: String] = [:]
    /// Postgres trigger name → `tgenabled` when not `O` (enabled): `D` disabled, `A` always.
    var triggerStates: [String: String] = [:]
    var enumTypes: [String: [String]] = [:]
    /// Index and trigger → its table, so a missing table is one difference, not one per index.
    var owners: [String: String] = [:]

    /// Tables the migrator keeps for itself; they are bookkeeping, not the schema.
    static func isBookkeeping(_ name: String) -> Bool {
        MigrationBookkeeping.tableNames.contains(name) || name.hasPrefix("sqlite_") || name.hasPrefix("rehearse_")
    }

    static func read(_ db: Database) throws -> SchemaSnapshot {
        var snapshot = SchemaSnapshot()
        let objects = try Row.fetchAll(db, sql: "SELECT type, name, tbl_name, sql FROM main.sqlite_master ORDER BY type, name")
        for object in objects {
            let type: String = object["type"], name: String = object["name"]
            let sql: String? = object["sql"]
            guard !isBookkeeping(object["tbl_name"]) else { continue }
            if type == "index" || type == "trigger" { snapshot.owners[name] = object["tbl_name"] }
            switch type {
            case "table": snapshot.tables[name] = try table(db, name: name, sql: sql ?? "")
            case "index": if let sql { snapshot.indexes[name] = normalize(sql) }
            case "view": snapshot.views[name] = normalize(sql ?? "")
            case "trigger": snapshot.triggers[name] = normalize(sql ?? "")
            default: break
            }
        }
        if try db.hasTable("rehearse_trigger_state") {
            // Keyed by Postgres's trigger name (one Postgres trigger can be several SQLite
            // ones); `O`, enabled, is what a trigger without a row has.
            for row in try Row.fetchAll(db, sql: "SELECT tgname, tgenabled FROM rehearse_trigger_state WHERE tgenabled <> 'O'") {
                snapshot.triggerStates[row["tgname"]] = row["tgenabled"]
            }
        }
        if try db.hasTable("rehearse_enum_labels") {
            for row in try Row.fetchAll(db, sql: "SELECT typname, enumlabel FROM rehearse_enum_labels ORDER BY typname, enumsortorder, enumlabel") {
                snapshot.enumTypes[row["typname"], default: []].append(row["enumlabel"])
            }
        }
        return snapshot
    }

    private static let lock = NSLock()
    nonisolated(unsafe) private static var tablesBySQL: [String: Table] = [:]

    /// Everything a table's snapshot holds follows from its `CREATE TABLE` text (SQLite keeps
    /// the text current through ALTER TABLE), so it is read once per distinct text.
    private static func table(_ db: Database, name: String, sql: String) throws -> Table {
        let key = name + "\u{0}" + sql
        lock.lock()
        let known = tablesBySQL[key]
        lock.unlock()
        if let known { return known }
        let table = try readTable(db, name: name, sql: sql)
        lock.lock()
        tablesBySQL[key] = table
        lock.unlock()
        return table
    }

    private static func readTable(_ db: Database, name: String, sql: String) throws -> Table {
        let quoted = name.replacingOccurrences(of: "\"", with: "\"\"")
        let columns = try Row.fetchAll(db, sql: "PRAGMA main.table_xinfo(\"\(quoted)\")").map { row in
            Column(name: row["name"], type: (row["type"] as String).uppercased(), notNull: row["notnull"] as Bool,
                   defaultValue: (row["dflt_value"] as String?).map(normalize), primaryKey: row["pk"])
        }
        let foreignKeys = try Row.fetchAll(db, sql: "PRAGMA main.foreign_key_list(\"\(quoted)\")").map { row -> String in
            let target = (row["to"] as String?) ?? "(primary key)"
            return "(\(row["from"] as String)) → \(row["table"] as String)(\(target)) ON UPDATE \(row["on_update"] as String) ON DELETE \(row["on_delete"] as String)"
        }.sorted()
        var uniques: [String] = []
        for index in try Row.fetchAll(db, sql: "PRAGMA main.index_list(\"\(quoted)\")") where (index["origin"] as String) == "u" {
            let indexName = (index["name"] as String).replacingOccurrences(of: "\"", with: "\"\"")
            let names = try String.fetchAll(db, sql: "SELECT name FROM pragma_index_info(?) ORDER BY seqno", arguments: [indexName])
            uniques.append(names.joined(separator: ", "))
        }
        let body = TableDefinitionText(sql)
        return Table(columns: columns, checks: body.checks.sorted { ($0.column ?? "", $0.text) < ($1.column ?? "", $1.text) }, foreignKeys: foreignKeys,
                     uniques: uniques.sorted(), options: normalize(body.options).uppercased())
    }

    /// Collapses whitespace outside string literals and around punctuation, so the same
    /// definition written twice compares equal while any change of words or values does not.
    static func normalize(_ sql: String) -> String {
        var result = ""
        var pendingSpace = false
        var quote: Character?
        for character in sql {
            if let open = quote {
                result.append(character)
                if character == open { quote = nil }
                continue
            }
            if character.isWhitespace { pendingSpace = true; continue }
            if pendingSpace, let last = result.last, !"(,".contains(last), !"),;".contains(character) { result.append(" ") }
            pendingSpace = false
            if character == "'" || character == "\"" { quote = character }
            result.append(character)
        }
        while result.last == ";" { result.removeLast() }
        return result
    }
}

/// The parts of a `CREATE TABLE` statement that SQLite's pragmas do not report: CHECK
/// constraints (column or table level, with their names and the column they belong to) and
/// the table options after the definitions.
struct TableDefinitionText {
    struct Check: Equatable {
        /// The column whose definition carries it; nil for a table constraint.
        var column: String?
        /// `CONSTRAINT name CHECK (…)` or `CHECK (…)`, whitespace normalised.
        var text: String
    }

    var checks: [Check] = []
    var options = ""

    init(_ sql: String) {
        let characters = Array(sql)
        guard let open = characters.firstIndex(of: "("), let body = Self.parenthesized(after: open, in: characters) else { return }
        if body.upperBound < characters.count { options = String(characters[body.upperBound...]) }
        for segment in Self.topLevelSegments(characters, in: (body.lowerBound + 1)..<(body.upperBound - 1)) {
            let words = segment.split(whereSeparator: \.isWhitespace)
            guard let first = words.first else { continue }
            let isTableConstraint = ["CONSTRAINT", "CHECK", "PRIMARY", "UNIQUE", "FOREIGN"].contains(first.uppercased()) || first.hasPrefix("CHECK(")
            let column = isTableConstraint ? nil : Self.unquote(String(first))
            let text = Array(segment)
            var index = 0
            while index < text.count {
                if text[index] == "'" || text[index] == "\"" {
                    let quote = text[index]
                    index += 1
                    while index < text.count, text[index] != quote { index += 1 }
                } else if Self.keyword("CHECK", at: index, in: text), let clause = Self.parenthesized(after: index + 5, in: text) {
                    let name = Self.constraintName(before: index, in: text)
                    let body = SchemaSnapshot.normalize(String(text[clause]))
                    checks.append(Check(column: column, text: (name.map { "CONSTRAINT \($0) " } ?? "") + "CHECK " + body))
                    index = clause.upperBound
                    continue
                }
                index += 1
            }
        }
    }

    /// The definitions between the table's parentheses, split at commas outside parentheses and quotes.
    static func topLevelSegments(_ characters: [Character], in range: Range<Int>) -> [String] {
        var segments: [String] = []
        var current = ""
        var depth = 0
        var quote: Character?
        for character in characters[range] {
            if let open = quote {
                current.append(character)
                if character == open { quote = nil }
                continue
            }
            switch character {
            case "'", "\"", "`": quote = character
            case "[": quote = "]"
            case "(": depth += 1
            case ")": depth -= 1
            case "," where depth == 0:
                segments.append(current)
                current = ""
                continue
            default: break
            }
            current.append(character)
        }
        segments.append(current)
        return segments.map { $0.trimmingCharacters(in: .whitespacesAndNewlines) }
    }

    /// `name` of a `CONSTRAINT name` written right before the CHECK at `index`.
    static func constraintName(before index: Int, in text: [Character]) -> String? {
        let before = String(text[..<index]).split(whereSeparator: \.isWhitespace)
        guard before.count >= 2, before[before.count - 2].uppercased() == "CONSTRAINT" else { return nil }
        return unquote(String(before[before.count - 1]))
    }

    static func unquote(_ name: String) -> String {
        guard let first = name.first, "\"`[".contains(first), name.count >= 2 else { return name }
        return String(name.dropFirst().dropLast())
    }

    /// `word` as a whole keyword at `index`, in any case.
    static func keyword(_ word: String, at index: Int, in characters: [Character]) -> Bool {
        let letters = Array(word)
        guard index + letters.count <= characters.count else { return false }
        for (offset, letter) in letters.enumerated() where characters[index + offset].uppercased() != String(letter) { return false }
        let before = index == 0 ? " " : characters[index - 1]
        let after = index + letters.count < characters.count ? characters[index + letters.count] : " "
        return !(before.isLetter || before.isNumber || before == "_") && !(after.isLetter || after.isNumber || after == "_")
    }

    /// The range of the balanced `( … )` that starts at the first non-blank at or after `start`.
    static func parenthesized(after start: Int, in characters: [Character]) -> Range<Int>? {
        var index = start
        while index < characters.count, characters[index].isWhitespace { index += 1 }
        guard index < characters.count, characters[index] == "(" else { return nil }
        let open = index
        var depth = 0
        while index < characters.count {
            let character = characters[index]
            if character == "'" || character == "\"" {
                index += 1
                while index < characters.count, characters[index] != character { index += 1 }
            } else if character == "(" {
                depth += 1
            } else if character == ")" {
                depth -= 1
                if depth == 0 { return open..<(index + 1) }
            }
            index += 1
        }
        return nil
    }
}
