import GRDB
import Testing
@testable import RehearsalKit

/// The Postgres catalogue views are made by the first script that may read them, not for every
/// run: a script that names none leaves the temp schema empty.
@Suite struct CatalogViewsTests {
    @Test func aScriptThatMayReadTheViewsIsToldApart() {
        for script in ["SELECT * FROM PG_TABLES", "select tgenabled from pg_trigger", "TRUNCATE TABLE signals", "truncate signals", "\\dt",
                       "CREATE VIEW mine AS SELECT * FROM pg_enum", "SELECT 1; -- pg_tables in a comment still counts"] {
            #expect(CatalogViews.mayBeNeeded(by: script), "\(script)")
        }
        for script in ["SELECT COUNT(*) FROM decisions", "UPDATE audit_events SET actor = 'x' WHERE id = 1", "SELECT 'pg' || '_tables'"] {
            #expect(!CatalogViews.mayBeNeeded(by: script), "\(script)")
        }
        // `truncated` has the word's letters: made, which is harmless.
        #expect(CatalogViews.mayBeNeeded(by: "SELECT truncated FROM t"))
    }

    @Test func theViewsAreMadeWhenAScriptReadsThemAndNotBefore() throws {
        let (queue, _) = try makeSeededDatabase()
        try queue.writeWithoutTransaction { db in
            let console = SQLConsole(source: "test", dialect: PostgresDialect(now: Timestamp(seconds: 1_768_381_200)))
            func tempObjects() throws -> Int { try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM sqlite_temp_master")! }
            _ = try console.run(db, script: "SELECT COUNT(*) FROM decisions")
            #expect(try tempObjects() == 0)
            let outcomes = try console.run(db, script: "SELECT COUNT(*) FROM pg_trigger WHERE tgname = 'decisions_immutable'")
            #expect(StepExecutor.value(try #require(outcomes.last)) == .int(1))
            #expect(try tempObjects() > 0)
        }
    }
}
