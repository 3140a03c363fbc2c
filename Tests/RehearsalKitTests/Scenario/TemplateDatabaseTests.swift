import Foundation
import GRDB
import Testing
@testable import RehearsalKit

/// A run starts from a copy of a template: the same bytes a fresh migrate-and-seed gives, and a
/// damaged cache file is rebuilt, never used.
@Suite struct TemplateDatabaseTests {
    /// Every row of every table, in order, and the schema: what "the same database" means here.
    static func contents(_ db: Database) throws -> [String] {
        var lines = try String.fetchAll(db, sql: "SELECT type || ' ' || name || ' ' || IFNULL(sql, '') FROM sqlite_master ORDER BY type, name")
        for table in try String.fetchAll(db, sql: "SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name") {
            for row in try Row.fetchAll(db, sql: "SELECT * FROM \"\(table)\" ORDER BY rowid") { lines.append("\(table) \(row)") }
        }
        return lines
    }

    @Test func aCopyIsWhatAFreshSetUpGivesAndADamagedCacheFileIsRebuilt() throws {
        let chain = try RevisionChain.shipped()
        // A start no other test uses, so this key's template is built here.
        let start = Timestamp(iso8601: "2031-03-03T03:03:03Z")!
        let key = TemplateDatabase.Key(migrations: chain.fingerprint, revision: "005_add_immutability_triggers", fixtures: "small", seed: 77, start: start.seconds)
        func build(_ db: Database) throws {
            try Migrator(chain: chain).upgrade(db, to: "005_add_immutability_triggers")
            _ = try Seeder(profile: .small, seed: 77, now: start).seedCheckingForeignKeysOnce(db)
        }
        let fresh = try DatabaseOpener.open(path: nil)
        let expected = try fresh.writeWithoutTransaction { db in try build(db); return try Self.contents(db) }
        #expect(expected.count > 2_000)

        let first = try DatabaseOpener.open(path: nil)
        #expect(try first.writeWithoutTransaction { db in try TemplateDatabase.copy(key, into: db, build: build); return try Self.contents(db) } == expected)
        let again = try DatabaseOpener.open(path: nil)
        #expect(try again.writeWithoutTransaction { db in try TemplateDatabase.copy(key, into: db) { _ in Issue.record("built twice") }; return try Self.contents(db) } == expected)

        guard let path = TemplateDatabase.cachePath(key), FileManager.default.fileExists(atPath: path) else { return }
        // Damage the cached file: its digest no longer matches, so it is rebuilt, not used.
        let handle = try #require(FileHandle(forWritingAtPath: path))
        try handle.seek(toOffset: 4096)
        handle.write(Data(repeating: 0xAB, count: 512))
        try handle.close()
        TemplateDatabase.forgetInMemory()
        var rebuilt = false
        let third = try DatabaseOpener.open(path: nil)
        #expect(try third.writeWithoutTransaction { db in try TemplateDatabase.copy(key, into: db) { try build($0); rebuilt = true }; return try Self.contents(db) } == expected)
        #expect(rebuilt)
        let digest = try String(contentsOfFile: path + ".sha256", encoding: .utf8).trimmingCharacters(in: .whitespacesAndNewlines)
        #expect(SHA256.hex(bytes: [UInt8](try Data(contentsOf: URL(fileURLWithPath: path)))) == digest, "the rebuilt template replaced the damaged file")
    }
}

/// The disk cache stays under its bound: the templates used longest ago go first, with their
/// digests; the one just written, other files and a writer's recent temporary file stay.
@Suite struct DiskCacheBoundTests {
    @Test func theTemplatesUsedLongestAgoAreRemovedFirst() throws {
        let manager = FileManager.default
        let dir = NSTemporaryDirectory() + "rehearse-cache-bound-\(UUID().uuidString)"
        try manager.createDirectory(atPath: dir, withIntermediateDirectories: true)
        defer { try? manager.removeItem(atPath: dir) }
        let now = Date(timeIntervalSince1970: 2_000_000_000)
        func name(_ index: Int) -> String { String(repeating: String(index, radix: 16), count: 64) }
        // Ten templates of 100 bytes with digests of 50, template i last used i hours before `now`.
        for index in 0..<10 {
            let path = dir + "/" + name(index) + ".sqlite"
            try Data(repeating: 1, count: 100).write(to: URL(fileURLWithPath: path))
            try Data(repeating: 2, count: 50).write(to: URL(fileURLWithPath: path + ".sha256"))
            try manager.setAttributes([.modificationDate: now.addingTimeInterval(Double(-3600 * index))], ofItemAtPath: path)
        }
        // Not the cache's: they stay, and do not count.
        for other in ["notes.sqlite", "notes.sqlite.sha256"] {
            try Data(repeating: 2, count: 5_000).write(to: URL(fileURLWithPath: dir + "/" + other))
        }
        // A digest without its template (another process removed it between a writer's rename
        // and its digest), a writer's recent temporary file, and one left for two hours with
        // SQLite's journal beside it.
        let orphan = dir + "/" + name(10) + ".sqlite.sha256"
        try Data(repeating: 2, count: 50).write(to: URL(fileURLWithPath: orphan))
        let recentTemporary = dir + "/" + name(1) + ".sqlite.42.1.tmp", staleTemporary = dir + "/" + name(2) + ".sqlite.42.2.tmp"
        for path in [recentTemporary, staleTemporary, staleTemporary + "-journal"] {
            try Data(repeating: 3, count: 10).write(to: URL(fileURLWithPath: path))
            try manager.setAttributes([.modificationDate: now.addingTimeInterval(path == recentTemporary ? 0 : -7200)], ofItemAtPath: path)
        }

        // Under the bound: no template goes; the orphaned digest and the stale temporary files do.
        DiskCacheBound.prune(dir, keeping: dir + "/" + name(0) + ".sqlite", limit: 10_000, now: now)
        #expect(try manager.contentsOfDirectory(atPath: dir).count == 23)
        #expect(!manager.fileExists(atPath: orphan) && !manager.fileExists(atPath: staleTemporary) && !manager.fileExists(atPath: staleTemporary + "-journal"))

        // Over it: 1,510 bytes of templates, digests and the recent temporary file against 1,200,
        // down to 900, the oldest first, 150 bytes each with its digest: five go (none if the
        // digests were not counted, seven if they were counted but not taken off), and the one
        // just written (the oldest here) stays.
        DiskCacheBound.prune(dir, keeping: dir + "/" + name(9) + ".sqlite", limit: 1_200, now: now)
        let left = Set(try manager.contentsOfDirectory(atPath: dir))
        for index in [0, 1, 2, 3, 9] {
            #expect(left.contains(name(index) + ".sqlite") && left.contains(name(index) + ".sqlite.sha256"), "template \(index) stays")
        }
        for index in [4, 5, 6, 7, 8] {
            #expect(!left.contains(name(index) + ".sqlite") && !left.contains(name(index) + ".sqlite.sha256"), "template \(index) is removed with its digest")
        }
        #expect(left.isSuperset(of: ["notes.sqlite", "notes.sqlite.sha256"]), "files that are not the cache's stay")
        #expect(left.contains((recentTemporary as NSString).lastPathComponent), "a writer's recent temporary file stays")
    }

    /// Through the command: a run that writes its template removes older templates beyond the
    /// bound, and a run that loads a template from the disk marks it used.
    @Test func aRunKeepsTheCacheUnderItsBoundAndMarksTheTemplateItLoads() throws {
        let manager = FileManager.default
        let dir = NSTemporaryDirectory() + "rehearse-cache-run-\(UUID().uuidString)"
        let templates = dir + "/templates"
        try manager.createDirectory(atPath: templates, withIntermediateDirectories: true)
        defer { try? manager.removeItem(atPath: dir) }
        let old = Date(timeIntervalSince1970: 1_000_000_000)
        let stale = (0..<3).map { templates + "/" + String(repeating: String($0, radix: 16), count: 64) + ".sqlite" }
        for path in stale {
            try Data(repeating: 1, count: 400_000).write(to: URL(fileURLWithPath: path))
            try "digest\n".write(toFile: path + ".sha256", atomically: true, encoding: .utf8)
            try manager.setAttributes([.modificationDate: old], ofItemAtPath: path)
        }
        let environment = ["REHEARSE_CACHE_DIR": dir, "REHEARSE_TEMPLATE_CACHE_MB": "1"]
        let scenario = packageRoot.appendingPathComponent("scenarios/01-happy-path-deploy.yaml").path
        let first = try runRehearse(["run", scenario, "--quiet"], environment: environment)
        #expect(first.status == 0, "\(first.stderr)")
        let written = try manager.contentsOfDirectory(atPath: templates).filter { $0.hasSuffix(".sqlite") }
        #expect(written.count == 1, "the three older templates went, the new one stayed: \(written)")
        #expect(stale.allSatisfy { !manager.fileExists(atPath: $0) && !manager.fileExists(atPath: $0 + ".sha256") })
        guard let template = written.first.map({ templates + "/" + $0 }) else { return }

        try manager.setAttributes([.modificationDate: old], ofItemAtPath: template)
        let second = try runRehearse(["run", scenario, "--quiet"], environment: environment)
        #expect(second.status == 0, "\(second.stderr)")
        let used = try #require(try manager.attributesOfItem(atPath: template)[.modificationDate] as? Date)
        #expect(used > old.addingTimeInterval(365 * 86_400), "the second run loaded the template and marked it used")
    }
}
