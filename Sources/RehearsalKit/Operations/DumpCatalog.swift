import Foundation
import GRDB
import GRDBSQLite

/// The objects of a database as `pg_dump` sees them: tables with their primary keys, enum types
/// and the columns that use them, indexes, triggers and foreign keys. Read from SQLite's
/// catalog and the rehearsal's metadata tables, so the same code describes a dump and the
/// database it is restored into.
struct DumpCatalog {
    struct ForeignKey: Equatable {
        var name: String
        var table: String
        var column: String
        var references: String
    }

    struct Object: Equatable {
        var name: String
        var table: String
        var sql: String
    }

    /// Application tables and `alembic_version`, with their `CREATE TABLE`.
    var tables: [String: String] = [:]
    /// Every table's name, the bookkeeping's included (SQLite's own excepted).
    var allTables: Set<String> = []
    var types: [String: [String]] = [:]
    /// Enum type → the columns using it, as (table, column).
    var typeColumns: [String: [(table: String, column: String)]] = [:]
    var indexes: [Object] = []
    var triggers: [Object] = []
    var foreignKeys: [ForeignKey] = []
    var triggerState: [String: String] = [:]

    /// Rehearsal bookkeeping that Postgres keeps in its own catalogs.
    static let metadataTables: Set<String> = ["rehearse_enum_labels", "rehearse_trigger_state"]

    /// The catalogue of `db`'s database; `schema`: of that schema only, every name read in it
    /// (a backup's, read on the connection it was copied from, where a temp table could
    /// otherwise shadow a bookkeeping table the copy does not have).
    init(_ db: Database, schema: String? = nil) throws {
        let prefix = schema.map { "\($0)." } ?? ""
        let rows = try Row.fetchAll(db, sql: "SELECT type, name, tbl_name, sql FROM \(prefix)sqlite_master WHERE name NOT LIKE 'sqlite_%' AND sql IS NOT NULL ORDER BY name")
        for row in rows {
            let (type, name, table, sql): (String, String, String, String) = (row[0], row[1], row[2], row[3])
            if type == "table" { allTables.insert(name) }
            switch type {
            case "table" where !Self.metadataTables.contains(name): tables[name] = sql
            case "index": indexes.append(Object(name: name, table: table, sql: sql))
            case "trigger": triggers.append(Object(name: name, table: table, sql: sql))
            default: break
            }
        }
        // In creation order, as Postgres lists dependent objects (by oid).
        let created = try String.fetchAll(db, sql: "SELECT name FROM \(prefix)sqlite_master WHERE type = 'table' ORDER BY rowid").filter { tables[$0] != nil }
        for table in created {
            let keys = schema == nil
                ? try Row.fetchAll(db, cached: "SELECT \"table\", \"from\" FROM pragma_foreign_key_list(?) ORDER BY id DESC", arguments: [table])
                : try Row.fetchAll(db, cached: "SELECT \"table\", \"from\" FROM pragma_foreign_key_list(?, ?) ORDER BY id DESC", arguments: [table, schema])
            for row in keys {
                let column: String = row[1]
                foreignKeys.append(ForeignKey(name: "\(table)_\(column)_fkey", table: table, column: column, references: row[0]))
            }
        }
        // In `schema` only, by SQLite's own lookup (GRDB's schema cache is not asked).
        func exists(_ table: String) throws -> Bool {
            guard let schema else { return try db.hasTable(table) }
            return sqlite3_table_column_metadata(db.sqliteConnection, schema, table, nil, nil, nil, nil, nil, nil) == SQLITE_OK
        }
        if try exists("rehearse_enum_labels") {
            for row in try Row.fetchAll(db, sql: "SELECT typname, enumlabel FROM \(prefix)rehearse_enum_labels ORDER BY typname, enumsortorder") {
                types[row[0], default: []].append(row[1])
            }
        }
        // Tables in creation order (by oid, in Postgres), so the columns of a type come in the
        // same order in every process (a dictionary's order is not), and so does the one
        // pg_restore's error names.
        for table in created {
            for (column, type) in Self.enumColumns(in: tables[table]!, table: table) where types[type] != nil {
                typeColumns[type, default: []].append((table, column))
            }
        }
        if try exists("rehearse_trigger_state") {
            for row in try Row.fetchAll(db, sql: "SELECT tgname, tgenabled FROM \(prefix)rehearse_trigger_state") { triggerState[row[0]] = row[1] }
        }
    }

    /// Enum columns carry a CHECK named `<table>_<column>_<type>` (docs/postgres-translation.md):
    /// each `CONSTRAINT <table>_<name> CHECK` of the table's SQL, as the (column, type) pairs its
    /// name can be split into — one per way of cutting it at an underscore, as the pattern
    /// `CONSTRAINT <table>_([A-Za-z0-9_]+)_<type> CHECK` would match for each type (the caller
    /// keeps the types that exist). Read on the bytes: a regular expression per table and type
    /// was most of the catalogue's time (it is read twice per restore).
    static func enumColumns(in sql: String, table: String) -> [(column: String, type: String)] {
        let text = Array(sql.utf8), prefix = Array("CONSTRAINT \(table)_".utf8), check = Array(" CHECK".utf8)
        func isWord(_ byte: UInt8) -> Bool {
            (byte >= 0x30 && byte <= 0x39) || (byte >= 0x41 && byte <= 0x5A) || (byte >= 0x61 && byte <= 0x7A) || byte == 0x5F
        }
        var found: [(column: String, type: String)] = []
        var from = 0
        while let index = TextDetectors.find(prefix, in: text, from: from) {
            let start = index + prefix.count
            var end = start
            while end < text.count && isWord(text[end]) { end += 1 }
            // The name runs to the first byte outside [A-Za-z0-9_]; it must be followed by " CHECK".
            if text[end...].starts(with: check) {
                let name = text[start..<end]
                // <column>_<type>, both non-empty: every underscore but the first and last byte.
                for cut in name.indices where name[cut] == 0x5F && cut > start && cut < end - 1 {
                    found.append((String(decoding: name[start..<cut], as: UTF8.self), String(decoding: name[(cut + 1)..<end], as: UTF8.self)))
                }
            }
            // A later prefix may start inside this name (`CONSTRAINT t_aCONSTRAINT t_b_…`), as
            // the pattern would find it: go on from the next byte.
            from = index + 1
        }
        return found
    }

    /// Postgres names one immutability trigger per table where SQLite needs one per event.
    static func postgresTriggerName(_ name: String) -> String {
        for suffix in ["_update", "_delete"] where name.hasSuffix(suffix) { return String(name.dropLast(suffix.count)) }
        return name
    }

    /// `pg_restore --list`: the archive's table of contents in pg_restore's layout, ids numbered
    /// in dump order.
    func tableOfContents(database: String, createdAt: Timestamp) -> [String] {
        var entries: [String] = []
        for type in types.keys.sorted() { entries.append("TYPE public \(type) govos") }
        if !triggers.isEmpty { entries.append("FUNCTION public reject_mutation() govos") }
        let names = tables.keys.filter { !$0.hasPrefix("rehearse_") }.sorted()
        for table in names { entries.append("TABLE public \(table) govos") }
        for table in names { entries.append("TABLE DATA public \(table) govos") }
        for table in names { entries.append("CONSTRAINT public \(table) \(table == "alembic_version" ? "alembic_version_pkc" : "\(table)_pkey") govos") }
        for index in indexes where !index.name.hasPrefix("sqlite_") { entries.append("INDEX public \(index.name) govos") }
        for name in Set(triggers.map { Self.postgresTriggerName($0.name) }).sorted() {
            let table = triggers.first { Self.postgresTriggerName($0.name) == name }!.table
            entries.append("TRIGGER public \(table) \(name) govos")
        }
        for key in foreignKeys { entries.append("FK CONSTRAINT public \(key.table) \(key.name) govos") }
        let date = createdAt.iso8601.replacingOccurrences(of: "T", with: " ").replacingOccurrences(of: "Z", with: " UTC")
        return [";", "; Archive created at \(date)", ";     dbname: \(database)", ";     TOC Entries: \(entries.count)", ";     Compression: -1",
                ";     Dump Version: 1.14-0", ";     Format: CUSTOM", ";     Dumped from database version: 15.8", ";     Dumped by pg_dump version: 15.8",
                ";", ";", "; Selected TOC Entries:", ";"]
            + entries.enumerated().map { "\(3000 + $0.offset); 0 \(16384 + $0.offset) \($0.element)" }
    }
}
