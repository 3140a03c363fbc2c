import Foundation
import GRDB

/// Applies a `RevisionChain` with alembic's semantics on the `alembic_version` table.
///
/// Every revision runs inside its own savepoint: one that fails midway leaves the schema, the
/// data and `alembic_version` exactly as they were, and the error names the file, the line and
/// the failing statement. Used outside a transaction, the savepoint is a transaction of its own.
public struct Migrator: Sendable {
    public let chain: RevisionChain
    /// Called before each statement of a revision runs; a fault can throw here to make a
    /// migration fail midway, or run extra SQL (the "drops a trigger" fault).
    public var beforeStatement: (@Sendable (_ db: Database, _ revision: Revision, _ index: Int) throws -> Void)?

    public init(chain: RevisionChain) {
        self.chain = chain
    }

    /// The applied revision id, or nil at base.
    public func current(_ db: Database) throws -> String? {
        let id = try MigrationBookkeeping.currentRevision(db)
        if let id, chain.index(of: id) == nil { throw MigrationError.unknownDatabaseRevision(id: id) }
        return id
    }

    /// `alembic current`: "007_add_agent_traces (head)", or nothing at base.
    public func currentLine(_ db: Database) throws -> String? {
        guard let id = try current(db) else { return nil }
        return id == chain.head?.id ? "\(id) (head)" : id
    }

    /// Applied revisions whose file changed since they ran (Flyway's `validate`).
    public func changedRevisions(_ db: Database) throws -> [Revision] {
        let recorded = try MigrationBookkeeping.recordedChecksums(db)
        guard let currentIndex = try current(db).flatMap(chain.index(of:)) else { return [] }
        return chain.revisions[...currentIndex].filter { revision in
            guard let checksum = recorded[revision.id] else { return false }
            return checksum != revision.checksum
        }
    }

    /// Upgrades to `target`: `head`, `+N`, or a revision id (or unique prefix).
    /// Returns alembic's log lines, one per revision applied.
    @discardableResult
    public func upgrade(_ db: Database, to target: String, log: (String) -> Void = { _ in }) throws -> [String] {
        try refuseChangedFiles(db)
        let currentIndex = try current(db).flatMap(chain.index(of:)) ?? -1
        let destination = try destinationIndex(from: currentIndex, to: target, upgrade: true)
        var lines: [String] = []
        var index = currentIndex + 1
        while index <= destination {
            let revision = chain.revisions[index]
            let line = "INFO  [alembic.runtime.migration] Running upgrade \(revision.downRevision ?? "") -> \(revision.id), \(revision.message)"
            try preValidate(db, revision)
            try run(db, revision, statements: revision.upgrade, direction: "upgrade", newCurrent: revision.id)
            log(line)
            lines.append(line)
            index += 1
        }
        return lines
    }

    /// Downgrades to `target`: `base`, `-N`, or a revision id (or unique prefix).
    @discardableResult
    public func downgrade(_ db: Database, to target: String, log: (String) -> Void = { _ in }) throws -> [String] {
        try refuseChangedFiles(db)
        let currentIndex = try current(db).flatMap(chain.index(of:)) ?? -1
        let destination = try destinationIndex(from: currentIndex, to: target, upgrade: false)
        var lines: [String] = []
        var index = currentIndex
        while index > destination {
            let revision = chain.revisions[index]
            let line = "INFO  [alembic.runtime.migration] Running downgrade \(revision.id) -> \(revision.downRevision ?? ""), \(revision.message)"
            try run(db, revision, statements: revision.downgrade, direction: "downgrade", newCurrent: revision.downRevision)
            log(line)
            lines.append(line)
            index -= 1
        }
        return lines
    }

    /// The revision `target` designates, as an index into the chain (-1 for base): `head`, `+N`
    /// or a revision when upgrading, `base`, `-N` or a revision when downgrading. Throws
    /// alembic's messages for a target that cannot be reached in that direction.
    public func destinationIndex(from currentIndex: Int, to target: String, upgrade: Bool) throws -> Int {
        if upgrade && (target == "head" || target == "heads") { return chain.revisions.count - 1 }
        if !upgrade && target == "base" { return -1 }
        if let steps = relativeSteps(target, sign: upgrade ? "+" : "-") {
            let destination = upgrade ? currentIndex + steps : currentIndex - steps
            guard destination >= -1 && destination < chain.revisions.count else {
                throw MigrationError.invalidTarget(target: target, reason: "Relative revision \(target) didn't produce \(steps) migrations")
            }
            return destination
        }
        let destination = try chain.resolve(target)
        guard upgrade ? destination >= currentIndex : destination <= currentIndex else {
            let (direction, other) = upgrade ? ("upgrade", "downgrade") : ("downgrade", "upgrade")
            throw MigrationError.invalidTarget(
                target: target, reason: "Destination \(chain.revisions[destination].id) is not a valid \(direction) target from current head(s) (use \(other))")
        }
        return destination
    }

    /// `alembic history`: newest first, "006 -> 007 (head), message".
    public func history(verbose: Bool, current: String? = nil) -> [String] {
        chain.revisions.reversed().map { revision in
            var marks: [String] = []
            if revision.id == chain.head?.id { marks.append("head") }
            if revision.id == current { marks.append("current") }
            let suffix = marks.isEmpty ? "" : " (\(marks.joined(separator: ", ")))"
            guard verbose else {
                return "\(revision.downRevision ?? "<base>") -> \(revision.id)\(suffix), \(revision.message)"
            }
            return """
                Rev: \(revision.id)\(suffix)
                Parent: \(revision.downRevision ?? "<base>")
                Path: \(revision.path)

                    \(revision.message)

                    Revision ID: \(revision.id)
                    Revises: \(revision.downRevision ?? "")
                    Checksum: sha256:\(revision.checksum)

                """
        }
    }

    func relativeSteps(_ target: String, sign: Character) -> Int? {
        guard target.first == sign, let steps = Int(target.dropFirst()), steps > 0 else { return nil }
        return steps
    }

    public func refuseChangedFiles(_ db: Database) throws {
        let changed = try changedRevisions(db)
        if !changed.isEmpty {
            throw MigrationError.changedSinceApplied(revisions: changed.map { ($0.id, $0.path) })
        }
    }

    /// Checklist 2.3: refuse before touching anything when the revision would create a type,
    /// table, index, view or trigger that already exists.
    func preValidate(_ db: Database, _ revision: Revision) throws {
        var conflicts: [String] = []
        for statement in revision.upgrade {
            if case .create(let name, _)? = EnumStatement.parse(statement.sql) {
                if try MigrationBookkeeping.enumTypeExists(db, name) { conflicts.append("type \"\(name)\"") }
            } else if let (kind, name) = CreatedObject.parse(statement.sql) {
                let exists = try Bool.fetchOne(
                    db, sql: "SELECT EXISTS (SELECT 1 FROM sqlite_master WHERE type = ? AND name = ? COLLATE NOCASE)",
                    arguments: [kind, name]) ?? false
                if exists { conflicts.append("\(kind) \"\(name)\"") }
            }
        }
        if !conflicts.isEmpty {
            throw MigrationError.conflictingObjects(revision: revision.id, path: revision.path, objects: conflicts)
        }
    }

    func run(_ db: Database, _ revision: Revision, statements: [ScriptStatement], direction: String, newCurrent: String?) throws {
        var failure: MigrationError?
        // The statement being run when an error comes, so the message can point at it;
        // bookkeeping failures point at the file's first line.
        var failing = ScriptStatement(sql: "(bookkeeping of alembic_version)", line: 1, column: 1)
        try db.inSavepoint {
            do {
                try MigrationBookkeeping.create(db)
                for (index, statement) in statements.enumerated() {
                    failing = statement
                    try beforeStatement?(db, revision, index)
                    if let enumStatement = EnumStatement.parse(statement.sql) {
                        try enumStatement.apply(db)
                    } else {
                        try db.execute(sql: statement.sql)
                    }
                }
                failing = ScriptStatement(sql: "(bookkeeping of alembic_version)", line: 1, column: 1)
                try MigrationBookkeeping.setCurrentRevision(db, to: newCurrent)
                if direction == "upgrade" {
                    try db.cachedStatement(sql: "INSERT OR REPLACE INTO rehearse_revision_checksums (revision, checksum) VALUES (?, ?)")
                        .execute(arguments: [revision.id, revision.checksum])
                } else {
                    try db.execute(sql: "DELETE FROM rehearse_revision_checksums WHERE revision = ?", arguments: [revision.id])
                }
                return .commit
            } catch let error as DatabaseError {
                failure = .statementFailed(
                    location: SourceLocation(file: revision.path, line: failing.line, column: failing.column),
                    revision: revision.id, direction: direction, statement: failing.sql,
                    message: error.message ?? "\(error)")
                return .rollback
            }
        }
        if let failure { throw failure }
    }
}

/// `CREATE TABLE|INDEX|VIEW|TRIGGER name` without `IF NOT EXISTS`, for pre-migration validation.
enum CreatedObject {
    private static let pattern = try! NSRegularExpression(
        pattern: #"^\s*CREATE\s+(?:TEMP\s+|TEMPORARY\s+)?(?:UNIQUE\s+)?(TABLE|INDEX|VIEW|TRIGGER)\s+(?!IF\s)["`\[]?([A-Za-z_][A-Za-z0-9_]*)"#,
        options: [.caseInsensitive])

    static func parse(_ sql: String) -> (kind: String, name: String)? {
        guard let match = pattern.firstMatch(in: sql, range: NSRange(sql.startIndex..., in: sql)) else { return nil }
        let kind = String(sql[Range(match.range(at: 1), in: sql)!]).lowercased()
        return (kind, String(sql[Range(match.range(at: 2), in: sql)!]))
    }
}
