/// Everything that can go wrong loading or applying the revision chain, each naming its file.
public enum MigrationError: UserFacingError, Equatable {
    /// The migrations directory is missing or unreadable.
    case unreadableDirectory(path: String)
    /// A revision file is malformed: empty, missing a header or a section, or misnamed.
    case malformedFile(location: SourceLocation, reason: String)
    case duplicateRevision(id: String, path: String, otherPath: String)
    case missingDownRevision(location: SourceLocation, id: String, downRevision: String)
    case branchedChain(id: String, paths: [String], children: [String])
    case noBaseRevision(path: String)
    case multipleBaseRevisions(paths: [String])
    /// The database names a revision that no file provides (alembic: "Can't locate revision").
    case unknownDatabaseRevision(id: String)
    /// `upgrade X` / `downgrade X` with an X that is not a valid destination.
    case invalidTarget(target: String, reason: String)
    /// An applied revision whose file no longer has the checksum recorded when it ran.
    case changedSinceApplied(revisions: [(id: String, path: String)])
    /// Checklist 2.3: the revision would create objects that already exist.
    case conflictingObjects(revision: String, path: String, objects: [String])
    /// A statement of a revision failed; everything the revision did was rolled back.
    case statementFailed(location: SourceLocation, revision: String, direction: String, statement: String, message: String)
    /// `migrate validate`: there is no single recorded revision to compare the schema with.
    case cannotCompareSchema(reason: String)
    /// `migrate validate`: the schema is not what the migrations produce at the recorded revision.
    case schemaDrift(revision: String, differences: Int)

    public var exitStatus: ExitStatus {
        switch self {
        case .invalidTarget: return .usage
        case .statementFailed, .conflictingObjects, .schemaDrift, .cannotCompareSchema: return .failed
        default: return .invalidInput
        }
    }

    public var description: String {
        switch self {
        case .unreadableDirectory(let path):
            return "\(path): error: cannot read the migrations directory"
        case .malformedFile(let location, let reason):
            return "\(location): error: \(reason)"
        case .duplicateRevision(let id, let path, let otherPath):
            return "\(path): error: duplicate revision '\(id)' (also defined in \(otherPath))"
        case .missingDownRevision(let location, let id, let downRevision):
            return "\(location): error: revision '\(id)' revises '\(downRevision)', which no file defines"
        case .branchedChain(let id, let paths, let children):
            return "\(paths.joined(separator: ", ")): error: revisions \(children.map { "'\($0)'" }.joined(separator: " and ")) both revise '\(id)'; the chain must be linear"
        case .noBaseRevision(let path):
            return "\(path): error: no base revision (every revision has a down_revision): the chain is a cycle"
        case .multipleBaseRevisions(let paths):
            return "\(paths.joined(separator: ", ")): error: more than one base revision (empty down_revision)"
        case .unknownDatabaseRevision(let id):
            return "error: Can't locate revision identified by '\(id)' (the database is at a revision no migration file defines)"
        case .invalidTarget(let target, let reason):
            return "error: invalid revision target '\(target)': \(reason)"
        case .changedSinceApplied(let revisions):
            let list = revisions.map { "\($0.id) (\($0.path))" }.joined(separator: ", ")
            return "error: applied revision file changed since it was applied: \(list); restore the file or re-create the database"
        case .conflictingObjects(let revision, let path, let objects):
            return "\(path): error: pre-migration validation failed: revision \(revision) would create \(objects.joined(separator: ", ")), which already \(objects.count == 1 ? "exists" : "exist"); nothing was changed"
        case .statementFailed(let location, let revision, let direction, let statement, let message):
            return "\(location): error: \(direction) \(revision) failed and was rolled back: \(message) (statement: \(Self.abbreviate(statement)))"
        case .cannotCompareSchema(let reason):
            return "error: the schema matches no revision: \(reason)"
        case .schemaDrift(let revision, let differences):
            return "error: the schema differs from what the migrations produce at \(revision): \(differences) difference(s), listed above"
        }
    }

    static func abbreviate(_ sql: String) -> String {
        let oneLine = sql.split(whereSeparator: \.isNewline).map { $0.trimmingWhitespace() }.joined(separator: " ")
        return oneLine.count > 80 ? String(oneLine.prefix(77)) + "..." : oneLine
    }

    public static func == (lhs: MigrationError, rhs: MigrationError) -> Bool {
        lhs.description == rhs.description
    }
}

extension Substring {
    func trimmingWhitespace() -> String { String(self).trimmingWhitespace() }
}

extension MigrationError {
    /// The text alembic prints after `FAILED: ` for this error.
    var alembicMessage: String {
        switch self {
        case .unknownDatabaseRevision(let id): return "Can't locate revision identified by '\(id)'"
        case .invalidTarget(_, let reason): return reason
        default: return description
        }
    }
}
