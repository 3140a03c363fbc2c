import Foundation

/// The validated, linear list of revisions from base to head.
///
/// Loading checks the whole chain before anything runs: a duplicate, a dangling
/// `down_revision`, a branch or a cycle is an error naming the file.
public struct RevisionChain: Sendable {
    /// Revisions in application order: `revisions[0]` is the base, the last is the head.
    public let revisions: [Revision]
    public let directory: String

    public var head: Revision? { revisions.last }

    public init(revisions unordered: [Revision], directory: String) throws {
        self.directory = directory
        var byId: [String: Revision] = [:]
        for revision in unordered {
            if let other = byId[revision.id] {
                throw MigrationError.duplicateRevision(id: revision.id, path: revision.path, otherPath: other.path)
            }
            byId[revision.id] = revision
        }
        var children: [String: [Revision]] = [:]
        var bases: [Revision] = []
        for revision in unordered {
            guard let down = revision.downRevision else { bases.append(revision); continue }
            guard byId[down] != nil else {
                let line = revision.upgrade.isEmpty ? 1 : 2
                throw MigrationError.missingDownRevision(
                    location: SourceLocation(file: revision.path, line: line, column: 1), id: revision.id, downRevision: down)
            }
            children[down, default: []].append(revision)
        }
        for (parent, kids) in children.sorted(by: { $0.key < $1.key }) where kids.count > 1 {
            throw MigrationError.branchedChain(id: parent, paths: kids.map(\.path), children: kids.map(\.id))
        }
        if unordered.isEmpty { throw MigrationError.unreadableDirectory(path: directory) }
        if bases.count > 1 { throw MigrationError.multipleBaseRevisions(paths: bases.map(\.path)) }
        guard let base = bases.first else { throw MigrationError.noBaseRevision(path: unordered[0].path) }
        var ordered = [base]
        while let next = children[ordered[ordered.count - 1].id]?.first { ordered.append(next) }
        if ordered.count != unordered.count {
            // Revisions not reachable from the base form a cycle among themselves.
            let stray = unordered.first { revision in !ordered.contains { $0.id == revision.id } }!
            throw MigrationError.noBaseRevision(path: stray.path)
        }
        self.revisions = ordered
    }

    /// Reads every `*.sql` file of `directory` (other files, such as a README, are ignored).
    /// `displayDirectory` replaces the directory in the paths that messages print.
    public static func load(directory: String, displayDirectory: String? = nil) throws -> RevisionChain {
        let names: [String]
        do {
            names = try FileManager.default.contentsOfDirectory(atPath: directory)
        } catch {
            throw MigrationError.unreadableDirectory(path: directory)
        }
        var revisions: [Revision] = []
        for name in names.sorted() where name.hasSuffix(".sql") {
            let path = (directory as NSString).appendingPathComponent(name)
            let shownPath = ((displayDirectory ?? directory) as NSString).appendingPathComponent(name)
            guard let data = FileManager.default.contents(atPath: path) else {
                throw MigrationError.malformedFile(location: SourceLocation(file: path, line: 1, column: 1), reason: "cannot read the file")
            }
            let text: String
            do { text = try UTF8Text.decode(data) } catch let invalid as UTF8Text.Invalid {
                throw MigrationError.malformedFile(location: SourceLocation(file: path, line: invalid.line, column: invalid.column), reason: "this byte is not UTF-8 (revision files are UTF-8 text)")
            }
            revisions.append(try RevisionParser.parse(text: text, path: shownPath, fileStem: String(name.dropLast(4))))
        }
        if revisions.isEmpty { throw MigrationError.unreadableDirectory(path: directory) }
        return try RevisionChain(revisions: revisions, directory: directory)
    }

    /// The migrations shipped with rehearse, found as package resources so any working directory works.
    public static func shipped() throws -> RevisionChain {
        try load(directory: ShippedResources.migrationsDirectory, displayDirectory: "migrations-sqlite")
    }

    func index(of id: String) -> Int? { revisions.firstIndex { $0.id == id } }

    /// alembic's name for "no revision applied": an expected revision of `base` means an empty
    /// `alembic_version`.
    public static let base = "base"

    /// A revision as a scenario names it: `head`, `base`, a full id or a unique prefix; the id
    /// (or `base`), nil when there is no such revision.
    func revisionNamed(_ text: String) -> String? {
        if text == Self.base { return Self.base }
        if text == "head" { return head?.id }
        return (try? resolve(text)).map { revisions[$0].id }
    }

    /// Resolves a full id or a unique prefix (`006`), as alembic accepts partial ids.
    func resolve(_ text: String) throws -> Int {
        if let exact = index(of: text) { return exact }
        let matches = revisions.indices.filter { revisions[$0].id.hasPrefix(text) }
        if matches.count == 1 { return matches[0] }
        if matches.isEmpty { throw MigrationError.invalidTarget(target: text, reason: "no such revision") }
        throw MigrationError.invalidTarget(target: text, reason: "ambiguous: matches \(matches.map { revisions[$0].id }.joined(separator: ", "))")
    }
}
