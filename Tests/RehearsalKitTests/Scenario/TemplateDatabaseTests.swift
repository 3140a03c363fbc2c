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
