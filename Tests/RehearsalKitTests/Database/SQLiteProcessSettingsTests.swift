import GRDB
import Testing
@testable import RehearsalKit

@Suite struct SQLiteProcessSettingsTests {
    /// Memory statistics off means SQLite's allocations take no process-wide mutex. SQLite
    /// accepts the setting only before its first connection: in this process another test may
    /// have opened one first, and then the statistics must still be on (the setting was refused,
    /// not half applied). Either way the answer is checked against SQLite's own counter.
    @Test func sqliteCountsNoMemoryOnceTheSettingApplied() throws {
        let applied = SQLiteProcessSettings.applied
        let queue = try DatabaseOpener.open(path: nil)
        try queue.write { db in
            try db.execute(sql: "CREATE TABLE t (x TEXT); WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 200) INSERT INTO t SELECT hex(randomblob(500)) FROM n")
        }
        #expect(SQLiteProcessSettings.countsMemory == !applied)
    }
}
