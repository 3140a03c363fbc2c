import Foundation
import GRDB

/// One way the live schema differs from what the migrations produce at the recorded revision.
struct SchemaDifference: Equatable {
    var table: String?
    var column: String?
    var description: String
}

extension SchemaSnapshot {
    /// Every difference between this (live) schema and `expected`, in a stable order:
    /// types, tables and their columns and constraints, indexes, views, triggers.
    func differences(from expected: SchemaSnapshot) -> [SchemaDifference] {
        var found: [SchemaDifference] = []
        func compareSets<Value: Equatable>(_ kind: String, _ live: [String: Value], _ wanted: [String: Value],
                                           table: (String) -> String? = { _ in nil }, differs: (String, Value, Value) -> [SchemaDifference]) {
            for name in Set(live.keys).union(wanted.keys).sorted() {
                // An index or trigger of a table that only one side has comes and goes with it.
                if let owner = owners[name] ?? expected.owners[name], (tables[owner] == nil) != (expected.tables[owner] == nil) { continue }
                switch (live[name], wanted[name]) {
                case (nil, _?): found.append(SchemaDifference(table: table(name), description: "\(kind) \(name) is missing"))
                case (_?, nil): found.append(SchemaDifference(table: table(name), description: "\(kind) \(name) is not created by the migrations"))
                case let (have?, want?) where have != want: found += differs(name, have, want)
                default: break
                }
            }
        }
        compareSets("type", enumTypes, expected.enumTypes) { name, have, want in
            [SchemaDifference(description: "type \(name) has labels (\(have.joined(separator: ", "))), expected (\(want.joined(separator: ", ")))")]
        }
        compareSets("table", tables, expected.tables, table: { $0 }) { name, have, want in Self.tableDifferences(name, have, want) }
        compareSets("index", indexes, expected.indexes) { name, _, _ in
            [SchemaDifference(description: "index \(name) is defined differently from the migrations")]
        }
        compareSets("view", views, expected.views) { name, _, _ in
            [SchemaDifference(description: "view \(name) is defined differently from the migrations")]
        }
        compareSets("trigger", triggers, expected.triggers) { name, _, _ in
            [SchemaDifference(description: "trigger \(name) is defined differently from the migrations")]
        }
        for name in Set(triggerStates.keys).union(expected.triggerStates.keys).sorted() where triggerStates[name] != expected.triggerStates[name] {
            found.append(SchemaDifference(description: "trigger \(name) is \(Self.describeState(triggerStates[name] ?? "O")), expected \(Self.describeState(expected.triggerStates[name] ?? "O"))"))
        }
        return found
    }

    static func describeState(_ tgenabled: String) -> String {
        switch tgenabled {
        case "D": return "disabled (tgenabled D)"
        case "A": return "enabled always (tgenabled A)"
        default: return "enabled (tgenabled \(tgenabled))"
        }
    }

    /// Long CHECK clauses (the timestamp GLOBs) cut at 200 characters: the constraint's name
    /// and its start already say which one it is.
    static func shorten(_ text: String) -> String {
        text.count > 200 ? String(text.prefix(197)) + "..." : text
    }

    static func tableDifferences(_ table: String, _ have: Table, _ want: Table) -> [SchemaDifference] {
        var found: [SchemaDifference] = []
        let haveColumns = Dictionary(have.columns.map { ($0.name, $0) }, uniquingKeysWith: { first, _ in first })
        let wantColumns = Dictionary(want.columns.map { ($0.name, $0) }, uniquingKeysWith: { first, _ in first })
        for column in want.columns where haveColumns[column.name] == nil {
            found.append(SchemaDifference(table: table, column: column.name, description: "column \(table).\(column.name) is missing"))
        }
        for column in have.columns {
            guard let wanted = wantColumns[column.name] else {
                found.append(SchemaDifference(table: table, column: column.name, description: "column \(table).\(column.name) is not created by the migrations"))
                continue
            }
            var parts: [String] = []
            if column.type != wanted.type { parts.append("type \(column.type.isEmpty ? "(none)" : column.type), expected \(wanted.type.isEmpty ? "(none)" : wanted.type)") }
            if column.notNull != wanted.notNull { parts.append(wanted.notNull ? "NOT NULL is missing" : "NOT NULL is not in the migrations") }
            if column.defaultValue != wanted.defaultValue { parts.append("default \(column.defaultValue ?? "(none)"), expected \(wanted.defaultValue ?? "(none)")") }
            if column.primaryKey != wanted.primaryKey { parts.append(wanted.primaryKey > 0 ? "not in the primary key" : "in a primary key the migrations do not define") }
            if !parts.isEmpty { found.append(SchemaDifference(table: table, column: column.name, description: "column \(table).\(column.name): \(parts.joined(separator: "; "))")) }
        }
        let haveOrder = have.columns.map(\.name).filter { wantColumns[$0] != nil }
        let wantOrder = want.columns.map(\.name).filter { haveColumns[$0] != nil }
        if haveOrder != wantOrder { found.append(SchemaDifference(table: table, description: "columns of \(table) are in a different order from the migrations")) }
        func compareList(_ kind: String, _ live: [String], _ wanted: [String]) {
            for item in wanted where !live.contains(item) {
                found.append(SchemaDifference(table: table, description: "\(kind)\(Self.shorten(item)) of \(table) is missing"))
            }
            for item in live where !wanted.contains(item) {
                found.append(SchemaDifference(table: table, description: "\(kind)\(Self.shorten(item)) of \(table) is not in the migrations"))
            }
        }
        // A column's own CHECKs go with it: a dropped column is one difference, not two.
        let shared = { (check: TableDefinitionText.Check) in check.column.map { haveColumns[$0] != nil && wantColumns[$0] != nil } ?? true }
        compareList("", have.checks.filter(shared).map(\.text), want.checks.filter(shared).map(\.text))
        compareList("FOREIGN KEY ", have.foreignKeys, want.foreignKeys)
        compareList("UNIQUE ", have.uniques.map { "(\($0))" }, want.uniques.map { "(\($0))" })
        if have.options != want.options {
            found.append(SchemaDifference(table: table, description: "table \(table) has options '\(have.options)', expected '\(want.options)'"))
        }
        return found
    }
}

/// What the migrations produce at each revision, computed once per process on a scratch
/// in-memory database and kept, keyed by the chain's checksums and the revision.
enum ExpectedSchema {
    private static let lock = NSLock()
    nonisolated(unsafe) private static var cache: [String: SchemaSnapshot] = [:]

    static func at(_ revision: String?, chain: RevisionChain) throws -> SchemaSnapshot {
        let key = chain.revisions.map(\.checksum).joined(separator: ",") + "@" + (revision ?? "<base>")
        lock.lock()
        if let cached = cache[key] { lock.unlock(); return cached }
        lock.unlock()
        let scratch = try DatabaseQueue()
        let snapshot = try scratch.writeWithoutTransaction { db -> SchemaSnapshot in
            if let revision { try Migrator(chain: chain).upgrade(db, to: revision) }
            return try SchemaSnapshot.read(db)
        }
        lock.lock()
        cache[key] = snapshot
        lock.unlock()
        return snapshot
    }

    /// The live schema's differences from the migrations at the revision `alembic_version`
    /// records. Throws `SchemaDriftUnknown` when there is no single known revision to compare with.
    static func differences(_ db: Database, chain: RevisionChain) throws -> (revision: String?, differences: [SchemaDifference]) {
        var revision: String?
        if try db.hasTable("alembic_version") {
            let rows = try String.fetchAll(db, sql: "SELECT version_num FROM alembic_version")
            if rows.count > 1 { throw SchemaDriftUnknown(reason: "alembic_version has \(rows.count) rows, so there is no one revision to compare with") }
            revision = rows.first
        }
        if let revision, chain.index(of: revision) == nil {
            throw SchemaDriftUnknown(reason: "revision \(revision) is not in the migration chain")
        }
        let expected = try at(revision, chain: chain)
        return (revision, try SchemaSnapshot.read(db).differences(from: expected))
    }
}

struct SchemaDriftUnknown: Error {
    var reason: String
}

extension Migrator {
    /// `migrate validate`'s second half: the live schema's differences from what the
    /// migrations produce at the recorded revision, one line each (empty when it matches).
    /// Throws `MigrationError.notOneRevision` when `alembic_version` does not hold one row.
    public func schemaDifferences(_ db: Database) throws -> [String] {
        do {
            return try ExpectedSchema.differences(db, chain: chain).differences.map(\.description)
        } catch let unknown as SchemaDriftUnknown {
            throw MigrationError.cannotCompareSchema(reason: unknown.reason)
        }
    }
}
