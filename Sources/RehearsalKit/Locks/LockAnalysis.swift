import Foundation
import Yams

/// One row of the lock table (Resources/locks/postgres15-lock-table.yaml).
public struct LockRule: Sendable {
    public struct Lock: Sendable {
        public var target: String
        public var mode: PostgresLockMode
        /// The planner may or may not take it: predicted as possible, never missing.
        public var may: Bool
    }
    public var statement: String
    public var locks: [Lock]
    public var rewrites: Bool
    public var scans: Bool
    /// False: PostgreSQL refuses it inside a transaction block (CREATE INDEX CONCURRENTLY).
    public var transaction: Bool
    public var source: String
}

public struct LockTableError: Error, CustomStringConvertible {
    public var description: String
}

public enum LockTable {
    static let targets: Set<String> = [
        "table", "table if it builds an index", "table if it has a foreign key", "table if it has a foreign key or a serial column",
        "new indexes", "new sequences", "referenced tables", "primary keys of referenced tables", "index", "table of index", "indexes of table", "sequences of table",
        "indexes of referenced tables", "referencing and referenced tables", "referenced table of constraint",
        "indexes of referenced table of constraint",
    ]

    /// The shipped table, read once per process (an invalid one is an error, not a crash).
    public static func shipped() throws -> [String: LockRule] {
        try cache.withLock { stored in
            if let stored { return stored }
            let loaded = try load(path: ShippedResources.lockTablePath)
            stored = loaded
            return loaded
        }
    }
    private static let cache = LockedValue<[String: LockRule]?>(nil)

    public static func load(path: String) throws -> [String: LockRule] {
        guard let text = try? String(contentsOfFile: path, encoding: .utf8) else { throw LockTableError(description: "\(path): error: cannot read the lock table") }
        guard let rows = try Yams.load(yaml: text) as? [[String: Any]] else { throw LockTableError(description: "\(path): error: the lock table is a list of rows") }
        var rules: [String: LockRule] = [:]
        for row in rows {
            guard let statement = row["statement"] as? String, let source = row["source"] as? String, !source.isEmpty else {
                throw LockTableError(description: "\(path): error: every row needs a statement and a source (the documentation it comes from)")
            }
            var locks: [LockRule.Lock] = []
            for lock in row["locks"] as? [[String: Any]] ?? [] {
                guard let target = lock["on"] as? String, targets.contains(target),
                      let modeName = lock["mode"] as? String, let mode = PostgresLockMode(rawValue: modeName) else {
                    throw LockTableError(description: "\(path): error: \(statement): a lock needs a known `on:` and `mode:` (\(lock))")
                }
                locks.append(LockRule.Lock(target: target, mode: mode, may: lock["may"] as? Bool ?? false))
            }
            rules[statement] = LockRule(statement: statement, locks: locks, rewrites: row["rewrites"] as? Bool ?? false,
                                        scans: row["scans"] as? Bool ?? false, transaction: row["transaction"] as? Bool ?? true, source: source)
        }
        return rules
    }
}

/// The relations the earlier statements built, as far as locks need them: each table's
/// indexes, sequences and foreign keys.
public struct LockSchema: Sendable {
    public struct Table: Sendable {
        public var indexes: [String] = []
        public var sequences: [String] = []
        /// (constraint name if known, referenced table)
        public var foreignKeys: [(name: String?, table: String)] = []
    }
    public var tables: [String: Table] = ["alembic_version": Table(indexes: ["alembic_version_pkc"])]

    func table(of index: String) -> String? { tables.first { $0.value.indexes.contains(index) }?.key }

    mutating func apply(_ statement: PostgresStatement) {
        guard let kind = statement.kind else { return }
        switch kind {
        case "CREATE TABLE":
            guard let name = statement.table else { return }
            var table = Table(indexes: statement.newIndexes, sequences: statement.newSequences)
            table.foreignKeys = Self.namedForeignKeys(statement.sql)
            tables[name] = table
        case "CREATE INDEX", "CREATE INDEX CONCURRENTLY":
            if let name = statement.table { tables[name, default: Table()].indexes += statement.newIndexes }
        case "DROP INDEX":
            if let index = statement.index, let table = table(of: index) { tables[table]!.indexes.removeAll { $0 == index } }
        case "DROP TABLE":
            if let name = statement.table { tables[name] = nil }
        case "ALTER TABLE ADD FOREIGN KEY", "ALTER TABLE ADD FOREIGN KEY NOT VALID":
            if let name = statement.table, let referenced = statement.references.first {
                tables[name, default: Table()].foreignKeys.append((statement.constraint, referenced))
            }
        default: break
        }
    }

    /// `CONSTRAINT n … REFERENCES t` elements of a CREATE TABLE, with their names when given.
    static func namedForeignKeys(_ sql: String) -> [(name: String?, table: String)] {
        PostgresStatements.tableElements(sql).compactMap { element in
            let words = element.split(whereSeparator: { $0.isWhitespace || $0 == "(" || $0 == ")" }).map { $0.replacingOccurrences(of: "\"", with: "") }
            guard let at = words.firstIndex(where: { $0.uppercased() == "REFERENCES" }), at + 1 < words.count else { return nil }
            let name = words.firstIndex { $0.uppercased() == "CONSTRAINT" }.flatMap { $0 + 1 < words.count ? words[$0 + 1].lowercased() : nil }
            return (name, PostgresStatements.bare(words[at + 1]))
        }
    }
}

/// A lock a statement is predicted to take.
public struct PredictedLock: Sendable, Hashable {
    public var relation: String
    public var mode: PostgresLockMode
    public var may: Bool
}

/// One statement's prediction: its locks, whether it scans or rewrites, and the rule's source.
public struct StatementLocks: Sendable {
    public var revision: String
    public var statement: PostgresStatement
    public var rule: LockRule?
    public var locks: [PredictedLock]
    public var isBookkeeping = false

    public var known: Bool { rule != nil }
    public var required: Set<String> { Set(locks.filter { !$0.may }.map { "\($0.relation) \($0.mode.rawValue)" }) }
    public var possible: Set<String> { Set(locks.map { "\($0.relation) \($0.mode.rawValue)" }) }
}

public enum LockPredictor {
    /// Predicts every statement of `statements`, in order, against `schema` (updated as it goes).
    static func predict(_ statement: PostgresStatement, revision: String, schema: inout LockSchema, table rules: [String: LockRule]) -> StatementLocks {
        defer { schema.apply(statement) }
        guard let kind = statement.kind, let rule = rules[kind] else {
            return StatementLocks(revision: revision, statement: statement, rule: nil, locks: [])
        }
        var locks: [PredictedLock] = []
        let table = statement.table
        func constraintTable() -> String? {
            guard let table, let name = statement.constraint else { return nil }
            return schema.tables[table]?.foreignKeys.first { $0.name == name }?.table
        }
        for lock in rule.locks {
            let relations: [String]
            switch lock.target {
            case "table": relations = table.map { [$0] } ?? []
            case "table if it builds an index": relations = statement.newIndexes.isEmpty ? [] : table.map { [$0] } ?? []
            case "table if it has a foreign key": relations = statement.references.isEmpty ? [] : table.map { [$0] } ?? []
            case "table if it has a foreign key or a serial column":
                relations = statement.references.isEmpty && statement.newSequences.isEmpty ? [] : table.map { [$0] } ?? []
            case "new indexes": relations = statement.newIndexes
            case "new sequences": relations = statement.newSequences
            case "referenced tables": relations = statement.references
            case "primary keys of referenced tables":
                relations = statement.references.filter { $0 != table }.compactMap { referenced in
                    schema.tables[referenced]?.indexes.contains("\(referenced)_pkey") == true ? "\(referenced)_pkey" : nil
                }
            case "index": relations = statement.index.map { [$0] } ?? []
            case "table of index": relations = statement.index.flatMap { schema.table(of: $0) }.map { [$0] } ?? []
            case "indexes of table": relations = table.flatMap { schema.tables[$0]?.indexes } ?? []
            case "sequences of table": relations = table.flatMap { schema.tables[$0]?.sequences } ?? []
            case "indexes of referenced tables": relations = statement.references.flatMap { schema.tables[$0]?.indexes ?? [] }
            case "referencing and referenced tables":
                guard let table else { relations = []; break }
                let referenced = schema.tables[table]?.foreignKeys.map(\.table) ?? []
                let referencing = schema.tables.filter { $0.key != table && $0.value.foreignKeys.contains { $0.table == table } }.keys.sorted()
                relations = (referenced + referencing).filter { $0 != table }
            case "referenced table of constraint": relations = constraintTable().map { [$0] } ?? []
            case "indexes of referenced table of constraint": relations = constraintTable().flatMap { schema.tables[$0]?.indexes } ?? []
            default: relations = []
            }
            for relation in relations where !locks.contains(PredictedLock(relation: relation, mode: lock.mode, may: lock.may)) {
                locks.append(PredictedLock(relation: relation, mode: lock.mode, may: lock.may))
            }
        }
        // DROP INDEX/TABLE also lock the sequences the table owns (ACCESS EXCLUSIVE).
        if kind == "DROP TABLE", let table { for sequence in schema.tables[table]?.sequences ?? [] { locks.append(PredictedLock(relation: sequence, mode: .accessExclusive, may: false)) } }
        return StatementLocks(revision: revision, statement: statement, rule: rule, locks: locks)
    }
}

/// A value behind a lock, for caches and counters shared across threads.
public final class LockedValue<Value>: @unchecked Sendable {
    private let lock = NSLock()
    private var value: Value
    public init(_ value: Value) { self.value = value }
    public func withLock<T>(_ body: (inout Value) throws -> T) rethrows -> T {
        lock.lock()
        defer { lock.unlock() }
        return try body(&value)
    }
}
