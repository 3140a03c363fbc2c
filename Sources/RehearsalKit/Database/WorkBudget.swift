import GRDB
import GRDBSQLite

/// Bounds on what one SQL script may cost (`rehearse sql`, `sql:` steps, psql at the drill
/// prompt), so a hostile or mistaken statement ends with an error instead of hours and
/// gigabytes: no value over 64 MiB (SQLite's SQLITE_LIMIT_LENGTH, so `zeroblob(1000000000)`
/// fails at once), no result over a million rows, and at most 500 million SQLite VM steps per
/// script (SQLite's progress handler; a step budget rather than a clock, so the same script
/// stops at the same place on every machine). Documented in docs/limits.md.
final class WorkBudget {
    static let steps = 500_000_000
    static let stepsPerCall: Int32 = 10_000
    static let maximumValueBytes: Int32 = 64 * 1_048_576
    static let maximumRows = 1_000_000

    struct TooManyRows: Error {}

    private var calls = 0
    private(set) var exhausted = false
    private var previousLength: Int32 = 0

    static func install(on db: Database) -> WorkBudget {
        let budget = WorkBudget()
        budget.previousLength = sqlite3_limit(db.sqliteConnection, SQLITE_LIMIT_LENGTH, maximumValueBytes)
        sqlite3_progress_handler(db.sqliteConnection, stepsPerCall, { context in
            let budget = Unmanaged<WorkBudget>.fromOpaque(context!).takeUnretainedValue()
            budget.calls += 1
            if budget.calls * Int(WorkBudget.stepsPerCall) > WorkBudget.steps { budget.exhausted = true; return 1 }
            return 0
        }, Unmanaged.passUnretained(budget).toOpaque())
        return budget
    }

    func remove(from db: Database) {
        sqlite3_progress_handler(db.sqliteConnection, 0, nil, nil)
        sqlite3_limit(db.sqliteConnection, SQLITE_LIMIT_LENGTH, previousLength)
    }
}
