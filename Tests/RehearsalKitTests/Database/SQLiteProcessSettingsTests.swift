import Foundation
import GRDB
import Testing
@testable import RehearsalKit

@Suite struct SQLiteProcessSettingsTests {
    /// Memory statistics off means SQLite's allocations take no process-wide mutex. SQLite
    /// accepts the setting only before its first connection, so it is checked in a process of
    /// its own (this one has opened many), the way the command line's `main` applies it: first,
    /// then connections that allocate; and after a connection, the setting is refused and the
    /// statistics stay on (refused, not half applied).
    @Test func memoryStatisticsAreOffWhenAppliedBeforeTheFirstConnection() async {
        await #expect(processExitsWith: .success) {
            guard SQLiteProcessSettings.applied else { exit(2) }
            let queue = try DatabaseOpener.open(path: nil)
            try queue.write { db in
                try db.execute(sql: "CREATE TABLE t (x TEXT); WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 200) INSERT INTO t SELECT hex(randomblob(500)) FROM n")
            }
            exit(SQLiteProcessSettings.countsMemory ? 3 : 0)
        }
        await #expect(processExitsWith: .success) {
            let queue = try DatabaseOpener.open(path: nil)
            try queue.write { db in try db.execute(sql: "CREATE TABLE t (x TEXT); INSERT INTO t VALUES (hex(randomblob(500)))") }
            exit(SQLiteProcessSettings.applied ? 4 : (SQLiteProcessSettings.countsMemory ? 0 : 5))
        }
    }
}
