import Foundation
import GRDB

/// Production's state before a deploy — the schema at a revision, then a profile seeded — built
/// once per (migrations, revision, profile, seed, start) and copied (SQLite's backup API, page
/// by page) into each run's in-memory database, instead of migrating and seeding again. A
/// library run, an explored history and a served stack all start from the same bytes a fresh
/// set-up would give: the copy is exact, and which template is used depends only on the key.
///
/// Templates are kept in memory for the process and on disk between processes, in
/// `$REHEARSE_CACHE_DIR` (else `$XDG_CACHE_HOME/rehearse`, else `~/.cache/rehearse`);
/// `REHEARSE_TEMPLATE_CACHE=off` turns the disk cache off. A cached file is named by the
/// SHA-256 of its key — the migrations' checksums and the seeder, which is code, identified by
/// the executable's size and modification time — and used only when the SHA-256 of its bytes
/// matches the digest written beside it, so a stale or damaged file is rebuilt, never used.
///
/// The disk cache is bounded (`DiskCacheBound`): every build of the binary has keys of its own,
/// so without a bound each rebuild and test run would add its templates for good.
public enum TemplateDatabase {
    struct Key: Hashable {
        var migrations: String
        var revision: String
        var fixtures: String
        var seed: UInt64
        var start: Int64
    }

    private static let lock = NSLock()
    nonisolated(unsafe) private static var templates: [Key: DatabaseQueue] = [:]
    /// One lock per key being loaded or built: scenarios run at once (`rehearse run --jobs`)
    /// load or build different templates side by side, and one key is built only once.
    nonisolated(unsafe) private static var building: [Key: NSLock] = [:]

    /// Fills `db` (empty, outside a transaction) with the template for `key`, building it with
    /// `build` the first time.
    static func copy(_ key: Key, into db: Database, build: (Database) throws -> Void) throws {
        let template = try lock.withLock({ templates[key] }) ?? loadOrBuild(key, build: build)
        try template.read { source in try source.backup(to: db) }
    }

    private static func loadOrBuild(_ key: Key, build: (Database) throws -> Void) throws -> DatabaseQueue {
        let slot = lock.withLock { () -> NSLock in
            if let slot = building[key] { return slot }
            let slot = NSLock()
            building[key] = slot
            return slot
        }
        return try slot.withLock {
            // Another thread may have made it while this one waited.
            if let known = lock.withLock({ templates[key] }) { return known }
            let made = try load(key) ?? make(key, build: build)
            lock.withLock {
                // The library has a few dozen keys of the small profile; a larger profile is
                // kept only while it is the one in use.
                if templates.count >= 64 || key.fixtures == "production" { templates.removeAll() }
                templates[key] = made
                // A thread still waiting on this slot finds the template when it gets it. Only
                // this slot: after an eviction, another thread may have made a new one.
                if building[key] === slot { building[key] = nil }
            }
            return made
        }
    }

    /// Forgets the templates held in memory (the disk cache stays): for tests of the disk cache.
    static func forgetInMemory() { lock.withLock { templates.removeAll() } }

    private static func make(_ key: Key, build: (Database) throws -> Void) throws -> DatabaseQueue {
        let queue = try DatabaseOpener.open(path: nil)
        try queue.writeWithoutTransaction { db in try build(db) }
        if let path = cachePath(key) { store(queue, at: path) }
        return queue
    }

    // MARK: The disk cache

    static var cacheDirectory: String? {
        let environment = ProcessInfo.processInfo.environment
        if environment["REHEARSE_TEMPLATE_CACHE"] == "off" { return nil }
        if let dir = environment["REHEARSE_CACHE_DIR"], !dir.isEmpty { return (dir as NSString).appendingPathComponent("templates") }
        if let xdg = environment["XDG_CACHE_HOME"], !xdg.isEmpty { return (xdg as NSString).appendingPathComponent("rehearse/templates") }
        guard let home = environment["HOME"], !home.isEmpty else { return nil }
        return (home as NSString).appendingPathComponent(".cache/rehearse/templates")
    }

    /// The seeder is code: a rebuilt binary may seed differently, so its identity is in the key.
    private static let executableIdentity: String = {
        let path = "/proc/self/exe"
        let resolved = (try? FileManager.default.destinationOfSymbolicLink(atPath: path)) ?? CommandLine.arguments.first ?? ""
        guard let attributes = try? FileManager.default.attributesOfItem(atPath: resolved) else { return "unknown" }
        let size = (attributes[.size] as? NSNumber)?.int64Value ?? 0
        let modified = (attributes[.modificationDate] as? Date)?.timeIntervalSince1970 ?? 0
        return "\(resolved) \(size) \(modified)"
    }()

    static func cachePath(_ key: Key) -> String? {
        guard let dir = cacheDirectory else { return nil }
        let name = SHA256.hex("rehearse template 1\n\(key.migrations)\n\(key.revision)\n\(key.fixtures)\n\(key.seed)\n\(key.start)\n\(executableIdentity)\nsqlite \(sqliteVersion)")
        return (dir as NSString).appendingPathComponent("\(name).sqlite")
    }

    private static let sqliteVersion: String = (try? DatabaseQueue().read { try String.fetchOne($0, sql: "SELECT sqlite_version()") }) ?? "?"

    private static func load(_ key: Key) throws -> DatabaseQueue? {
        guard let path = cachePath(key), let bytes = FileManager.default.contents(atPath: path),
              let digest = try? String(contentsOfFile: path + ".sha256", encoding: .utf8),
              SHA256.hex(bytes: [UInt8](bytes)) == digest.trimmingCharacters(in: .whitespacesAndNewlines) else { return nil }
        do {
            let file = try DatabaseQueue(path: path, configuration: { var c = Configuration(); c.readonly = true; return c }())
            let queue = try DatabaseOpener.open(path: nil)
            try file.read { source in try queue.writeWithoutTransaction { copy in try source.backup(to: copy) } }
            try file.close()
            // Used now: the bound removes the templates used longest ago first.
            DiskCacheBound.markUsed(path)
            return queue
        } catch {
            return nil
        }
    }

    /// Written to a temporary file and renamed, digest last: a reader sees a whole template or
    /// none. A cache that cannot be written is only slower.
    private static let storeCount = Locked(0)

    private static func store(_ queue: DatabaseQueue, at path: String) {
        let dir = (path as NSString).deletingLastPathComponent
        // This process's own name for it, and each write's own (two threads may write one key
        // after an eviction): never another writer's file.
        let temporary = path + ".\(ProcessInfo.processInfo.processIdentifier).\(storeCount.withLock { $0 += 1; return $0 }).tmp"
        do {
            try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
            try? FileManager.default.removeItem(atPath: temporary)
            let file = try DatabaseQueue(path: temporary)
            try queue.read { source in try file.writeWithoutTransaction { copy in try source.backup(to: copy) } }
            try file.close()
            guard let bytes = FileManager.default.contents(atPath: temporary) else { return }
            _ = rename(temporary, path)
            try (SHA256.hex(bytes: [UInt8](bytes)) + "\n").write(toFile: path + ".sha256", atomically: true, encoding: .utf8)
            DiskCacheBound.prune(dir, keeping: path, limit: DiskCacheBound.limit)
        } catch {
            try? FileManager.default.removeItem(atPath: temporary)
        }
    }
}

extension RevisionChain {
    /// One line that changes when any migration does.
    var fingerprint: String { revisions.map { "\($0.id):\($0.checksum)" }.joined(separator: ",") }
}
