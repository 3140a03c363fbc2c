import Foundation
import GRDB

/// `CREATE TYPE name AS ENUM (...)` and `DROP TYPE name`, which SQLite has no syntax for.
///
/// The revision keeps Postgres's statement so it reads like the checklist; the migrator records
/// the labels in `rehearse_enum_labels` (answering `pg_type` questions) while the table's CHECK
/// constraint does the enforcing.
enum EnumStatement: Equatable {
    case create(name: String, labels: [String])
    case drop(name: String, ifExists: Bool)

    private static let createPattern = try! NSRegularExpression(
        pattern: #"^\s*CREATE\s+TYPE\s+([A-Za-z_][A-Za-z0-9_]*)\s+AS\s+ENUM\s*\((.*)\)\s*;?\s*$"#,
        options: [.caseInsensitive, .dotMatchesLineSeparators])
    private static let dropPattern = try! NSRegularExpression(
        pattern: #"^\s*DROP\s+TYPE\s+(IF\s+EXISTS\s+)?([A-Za-z_][A-Za-z0-9_]*)\s*;?\s*$"#,
        options: [.caseInsensitive])

    /// Recognises the statement, or returns nil for ordinary SQL that SQLite runs itself.
    static func parse(_ sql: String) -> EnumStatement? {
        let range = NSRange(sql.startIndex..., in: sql)
        if let match = createPattern.firstMatch(in: sql, range: range) {
            let name = String(sql[Range(match.range(at: 1), in: sql)!]).lowercased()
            let body = String(sql[Range(match.range(at: 2), in: sql)!])
            return .create(name: name, labels: quotedStrings(in: body))
        }
        if let match = dropPattern.firstMatch(in: sql, range: range) {
            let name = String(sql[Range(match.range(at: 2), in: sql)!]).lowercased()
            return .drop(name: name, ifExists: match.range(at: 1).location != NSNotFound)
        }
        return nil
    }

    /// Single-quoted SQL literals, with `''` as an escaped quote.
    static func quotedStrings(in text: String) -> [String] {
        var labels: [String] = []
        var current: String?
        var characters = Array(text)[...]
        while let character = characters.popFirst() {
            if var literal = current {
                if character == "'" {
                    if characters.first == "'" { characters.removeFirst(); literal.append("'"); current = literal }
                    else { labels.append(literal); current = nil }
                } else {
                    literal.append(character); current = literal
                }
            } else if character == "'" {
                current = ""
            }
        }
        return labels
    }

    func apply(_ db: Database) throws {
        switch self {
        case .create(let name, let labels):
            if try MigrationBookkeeping.enumTypeExists(db, name) {
                throw DatabaseError(resultCode: .SQLITE_ERROR, message: "type \"\(name)\" already exists")
            }
            for (order, label) in labels.enumerated() {
                try db.cachedStatement(sql: "INSERT INTO rehearse_enum_labels (typname, enumsortorder, enumlabel) VALUES (?, ?, ?)")
                    .execute(arguments: [name, order + 1, label])
            }
        case .drop(let name, let ifExists):
            if try !MigrationBookkeeping.enumTypeExists(db, name) {
                if ifExists { return }
                throw DatabaseError(resultCode: .SQLITE_ERROR, message: "type \"\(name)\" does not exist")
            }
            try db.execute(sql: "DELETE FROM rehearse_enum_labels WHERE typname = ?", arguments: [name])
        }
    }
}
