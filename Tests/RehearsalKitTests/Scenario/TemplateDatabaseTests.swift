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
        // Ten templates of 100 bytes, template i last used i hours before `now`.
        for index in 0..<10 {
            let path = dir + "/" + name(index) + ".sqlite"
            try Data(repeating: 1, count: 100).write(to: URL(fileURLWithPath: path))
            try "digest\n".write(toFile: path + ".sha256", atomically: true, encoding: .utf8)
            try manager.setAttributes([.modificationDate: now.addingTimeInterval(Double(-3600 * index))], ofItemAtPath: path)
        }
        let other = dir + "/notes.sqlite"
        try Data(repeating: 2, count: 500).write(to: URL(fileURLWithPath: other))
        let recentTemporary = dir + "/" + name(1) + ".sqlite.42.1.tmp", staleTemporary = dir + "/" + name(2) + ".sqlite.42.2.tmp"
        try Data(repeating: 3, count: 10).write(to: URL(fileURLWithPath: recentTemporary))
        try Data(repeating: 3, count: 10).write(to: URL(fileURLWithPath: staleTemporary))
        try manager.setAttributes([.modificationDate: now.addingTimeInterval(-7200)], ofItemAtPath: staleTemporary)
        try manager.setAttributes([.modificationDate: now], ofItemAtPath: recentTemporary)

        // Under the bound: no template goes; a temporary file left for two hours does.
        DiskCacheBound.prune(dir, keeping: dir + "/" + name(0) + ".sqlite", limit: 10_000, now: now)
        #expect(try manager.contentsOfDirectory(atPath: dir).count == 22)
        #expect(!manager.fileExists(atPath: staleTemporary))

        // Over it (1,080 bytes of templates, digests and the recent temporary file against 800):
        // down to 600, the oldest first (107 bytes each with its digest: five go), the one just
        // written (the oldest here) kept.
        DiskCacheBound.prune(dir, keeping: dir + "/" + name(9) + ".sqlite", limit: 800, now: now)
        let left = Set(try manager.contentsOfDirectory(atPath: dir))
        for index in [0, 1, 2, 3, 9] {
            #expect(left.contains(name(index) + ".sqlite") && left.contains(name(index) + ".sqlite.sha256"), "template \(index) stays")
        }
        for index in [4, 5, 6, 7, 8] {
            #expect(!left.contains(name(index) + ".sqlite") && !left.contains(name(index) + ".sqlite.sha256"), "template \(index) is removed with its digest")
        }
        #expect(left.contains("notes.sqlite"), "a file that is not the cache's stays")
        #expect(left.contains((recentTemporary as NSString).lastPathComponent), "a writer's recent temporary file stays")
    }

    @Test func aLoadedTemplateCountsAsUsedNow() throws {
        let path = NSTemporaryDirectory() + "rehearse-cache-used-\(UUID().uuidString)"
        try Data(repeating: 1, count: 10).write(to: URL(fileURLWithPath: path))
        defer { try? FileManager.default.removeItem(atPath: path) }
        try FileManager.default.setAttributes([.modificationDate: Date(timeIntervalSince1970: 1_000_000_000)], ofItemAtPath: path)
        DiskCacheBound.markUsed(path)
        let modified = try #require(try FileManager.default.attributesOfItem(atPath: path)[.modificationDate] as? Date)
        #expect(modified > Date(timeIntervalSince1970: 1_500_000_000))
    }
}
