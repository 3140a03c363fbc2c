import Foundation
import Testing
@testable import RehearsalKit

@Suite struct BackupCommandTests {
    @Test func backupListAndRestoreOverAChangedDatabase() throws {
        let directory = try makeTemporaryDirectory()
        let db = directory.appendingPathComponent("r.db").path, dump = directory.appendingPathComponent("r.dump").path
        _ = try runRehearse(["migrate", "upgrade", "005", "--db", db])
        _ = try runRehearse(["seed", "--db", db, "--seed", "8"])
        let before = try runRehearse(["sql", "--db", db, "--json", "SELECT id, role FROM users ORDER BY id"]).stdout
        #expect(try runRehearse(["backup", "--db", db, "-o", dump]).status == 0)
        let list = try runRehearse(["backup", "--list", dump])
        #expect(list.stdout.hasPrefix("; alembic_version 005_add_immutability_triggers\n"))
        #expect(list.stdout.contains("TABLE DATA public decisions (135 rows)\n"))
        _ = try runRehearse(["migrate", "upgrade", "head", "--db", db])
        _ = try runRehearse(["sql", "--db", db, "UPDATE users SET role = 'viewer'"])
        let restore = try runRehearse(["restore", "--db", db, dump])
        #expect(restore.status == 0)
        #expect(restore.stdout.contains("  pending_proposals: dropped (0 rows lost)\n"))
        #expect(try runRehearse(["sql", "--db", db, "--json", "SELECT id, role FROM users ORDER BY id"]).stdout == before)
        #expect(try runRehearse(["migrate", "current", "--db", db]).stdout == "005_add_immutability_triggers\n")
        let missing = try runRehearse(["backup", "--list", directory.appendingPathComponent("none.dump").path])
        #expect(missing.status == 2)
    }
}
