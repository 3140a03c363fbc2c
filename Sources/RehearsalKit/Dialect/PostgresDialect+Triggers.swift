import GRDB

/// Statements about triggers and sessions, with Postgres's semantics on the SQLite schema (each
/// Postgres trigger is a pair of SQLite triggers, `NAME_update` and `NAME_delete`, whose
/// enablement is `rehearse_trigger_state`; docs/postgres-translation.md):
/// - `ALTER TABLE [ONLY] t DISABLE TRIGGER name|ALL|USER`, `ENABLE [ALWAYS] TRIGGER name|ALL|USER`;
/// - `DROP TRIGGER [IF EXISTS] name ON t`;
/// - `SET session_replication_role = replica|origin|DEFAULT`: ordinary (`O`) triggers do not fire
///   under `replica` until the session (the script) ends or sets `origin` again.
extension PostgresDialect {
    /// Rewrites a trigger or session statement, or returns nil for any other statement. The
    /// first element is `-- TAG <command tag>`.
    func triggerStatement(_ tokens: [SQLToken], db: Database) throws -> [String]? {
        let words = tokens.filter { $0.kind == .word || $0.kind == .quoted || $0.kind == .string }.map { $0.text.trimmingCharacters(in: ["\"", "'"]) }
        let upper = words.map { $0.uppercased() }
        if upper.starts(with: ["ALTER", "TABLE"]), let action = upper.firstIndex(where: { $0 == "DISABLE" || $0 == "ENABLE" }) {
            let table = words[upper[2] == "ONLY" ? 3 : 2]
            var index = action + 1
            var state = upper[action] == "DISABLE" ? "D" : "O"
            if upper[index] == "ALWAYS" { state = "A"; index += 1 }
            if upper[index] == "REPLICA" {
                throw DialectError(construct: "ENABLE REPLICA TRIGGER", reason: "not supported by the rehearsal dialect (DISABLE, ENABLE and ENABLE ALWAYS are)")
            }
            guard upper[index] == "TRIGGER", words.indices.contains(index + 1) else { return nil }
            guard try db.hasTable(table) else { throw DatabaseError(resultCode: .SQLITE_ERROR, message: "relation \"\(table)\" does not exist") }
            let target = words[index + 1]
            var names = try triggerNames(db, table: table)
            if !["ALL", "USER"].contains(target.uppercased()) {
                guard names.contains(target) else { throw DatabaseError(resultCode: .SQLITE_ERROR, message: "trigger \"\(target)\" for table \"\(table)\" does not exist") }
                names = [target]
            }
            return ["-- TAG ALTER TABLE"] + names.map { "INSERT OR REPLACE INTO rehearse_trigger_state (tgname, tgenabled) VALUES ('\($0)', '\(state)')" }
        }
        if upper.starts(with: ["DROP", "TRIGGER"]) {
            let ifExists = upper.count > 3 && upper[2] == "IF" && upper[3] == "EXISTS"
            let nameIndex = ifExists ? 4 : 2
            guard words.indices.contains(nameIndex + 2), upper[nameIndex + 1] == "ON" else {
                throw DatabaseError(resultCode: .SQLITE_ERROR, message: "syntax error at or near \"\(words.last ?? "TRIGGER")\"")
            }
            let name = words[nameIndex]
            let table = words[nameIndex + 2]
            guard try db.hasTable(table) else { throw DatabaseError(resultCode: .SQLITE_ERROR, message: "relation \"\(table)\" does not exist") }
            guard try triggerNames(db, table: table).contains(name) else {
                if ifExists { return ["-- TAG DROP TRIGGER"] }
                throw DatabaseError(resultCode: .SQLITE_ERROR, message: "trigger \"\(name)\" for table \"\(table)\" does not exist")
            }
            let sqlite = try String.fetchAll(db, cached: "SELECT name FROM sqlite_master WHERE type = 'trigger' AND tbl_name = ? AND name IN (?, ?, ?)",
                                             arguments: [table, name, name + "_update", name + "_delete"])
            return ["-- TAG DROP TRIGGER"] + sqlite.map { "DROP TRIGGER \"\($0)\"" } + ["DELETE FROM rehearse_trigger_state WHERE tgname = '\(name)'"]
        }
        if upper.first == "SET" || upper.first == "RESET", upper.contains("SESSION_REPLICATION_ROLE") {
            let value = upper.first == "RESET" ? "DEFAULT" : (upper.last ?? "")
            switch value {
            case "REPLICA":
                // Ordinary triggers stop firing for the rest of the session; remembered so the
                // session's end (or `origin`) turns them back on.
                return ["-- TAG SET",
                        "CREATE TEMP TABLE IF NOT EXISTS rehearse_replica_disabled (tgname TEXT PRIMARY KEY)"]
                    + (try triggerNames(db, table: nil)).flatMap { name in [
                        "INSERT OR IGNORE INTO temp.rehearse_replica_disabled (tgname) SELECT '\(name)' WHERE NOT EXISTS (SELECT 1 FROM rehearse_trigger_state WHERE tgname = '\(name)' AND tgenabled IN ('D', 'A'))",
                        "INSERT OR REPLACE INTO rehearse_trigger_state (tgname, tgenabled) SELECT '\(name)', 'D' WHERE '\(name)' IN (SELECT tgname FROM temp.rehearse_replica_disabled)",
                    ] }
            case "ORIGIN", "DEFAULT", "LOCAL":
                return ["-- TAG \(upper.first!)"] + Self.endReplica
            default:
                throw DatabaseError(resultCode: .SQLITE_ERROR, message: "invalid value for parameter \"session_replication_role\": \"\(words.last ?? "")\"")
            }
        }
        return nil
    }

    /// Turns back on the triggers `replica` turned off.
    static let endReplica = [
        "CREATE TEMP TABLE IF NOT EXISTS rehearse_replica_disabled (tgname TEXT PRIMARY KEY)",
        "DELETE FROM rehearse_trigger_state WHERE tgname IN (SELECT tgname FROM temp.rehearse_replica_disabled)",
        "DELETE FROM temp.rehearse_replica_disabled",
    ]

    /// The Postgres names of the triggers on a table (or on every table).
    func triggerNames(_ db: Database, table: String?) throws -> [String] {
        let sql = table == nil ? "SELECT name FROM sqlite_master WHERE type = 'trigger'" : "SELECT name FROM sqlite_master WHERE type = 'trigger' AND tbl_name = ?"
        let names = try String.fetchAll(db, cached: sql, arguments: table.map { [$0] } ?? [])
        return Array(Set(names.map(CatalogViews.postgresTriggerName))).sorted()
    }

    /// SQLite-only statements Postgres rejects at parse time: refused with Postgres's message.
    static func refuseSQLiteSyntax(_ tokens: [SQLToken]) throws {
        let words = tokens.filter { $0.kind == .word }.map(\.upper)
        guard let first = words.first else { return }
        if ["REPLACE", "PRAGMA", "ATTACH", "DETACH", "REINDEX"].contains(first) {
            throw PostgresError.syntax(near: tokens.first { $0.kind == .word }!.text)
        }
        if (first == "INSERT" || first == "UPDATE"), words.count > 1, words[1] == "OR" {
            throw PostgresError.syntax(near: tokens.filter { $0.kind == .word }[1].text)
        }
    }
}

/// An error Postgres itself would give, with its wording.
public struct PostgresError: Error, Equatable, CustomStringConvertible {
    public var description: String

    static func syntax(near word: String) -> PostgresError { PostgresError(description: "syntax error at or near \"\(word)\"") }
}
