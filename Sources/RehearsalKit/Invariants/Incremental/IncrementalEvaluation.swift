import Foundation
import GRDB

/// Evaluates the catalogue after every step of one session (a scenario, a drill, an explored
/// history, a served stack), re-evaluating only the invariants whose inputs changed since they
/// were last evaluated: the tables they read (`ChangeTracker`), the schema, and the parts of the
/// world they read. The others keep their last result, which is what a full evaluation would
/// give, since nothing they read has changed.
public final class IncrementalEvaluation {
    public let catalog: InvariantCatalog
    private let tracker = ChangeTracker()
    private weak var attachedTo: Database?
    private var last: [String: (key: [UInt64], result: InvariantResult)] = [:]
    /// The schema cookies last seen (GRDB's schema cache is cleared when another process moved
    /// main's), and whether the schema has a table the update hook cannot see (then every
    /// invariant is evaluated after every step).
    private var checkedSchema: UInt64?
    private var blind = false
    /// How many evaluations ran (the tests count what a change re-evaluates).
    public private(set) var evaluated = 0
    /// How many baseline answers were reused because their table was only added to.
    public var reusedRowAnswers: Int { tracker.reused }
    /// How many times the answer kept under `name` (`RowLevelMemo`) was reused.
    func reusedRowAnswers(named name: String) -> Int { tracker.reusedByName[name] ?? 0 }
    /// How many of those were known from a baseline just recorded, without a scan.
    var answersKnownFromTheBaseline: Int { tracker.knownFromTheBaseline }

    /// Evaluate everything as well and fail on any difference: the test suite's check that the
    /// declarations are right. On for every evaluation made inside `$verifying.withValue(true)`
    /// or, for any command, with `REHEARSE_VERIFY_INCREMENTAL=1`.
    public var verify = IncrementalEvaluation.verifying || IncrementalEvaluation.verifyEverywhere
    @TaskLocal public static var verifying = false
    static let verifyEverywhere = ProcessInfo.processInfo.environment["REHEARSE_VERIFY_INCREMENTAL"] == "1"

    public init(catalog: InvariantCatalog = .standard) {
        self.catalog = catalog
        plans = catalog.reads.map(Plan.init)
    }

    /// An invariant's declared reads in the order its key lists them, sorted once.
    private struct Plan {
        var tables: [String]
        var allTables: Bool
        var always: Bool
        var world: [WorldPart]
        var expectedRevision: Bool
        var firesTriggers: Bool

        init(_ reads: InvariantReads) {
            firesTriggers = reads.firesTriggers
            tables = reads.tables.sorted()
            allTables = reads.allTables
            always = reads.always
            world = WorldPart.allCases.filter(reads.world.contains)
            expectedRevision = reads.world.contains(.expectedRevision)
        }
    }
    private let plans: [Plan]

    /// The catalogue's results now, in catalogue order.
    public func evaluate(_ context: InvariantContext) throws -> [InvariantResult] {
        // Without a simulated world (a one-off `rehearse check`) there is nothing to remember.
        guard let world = context.world else { return try catalog.evaluate(context) }
        let db = context.db
        attach(to: db)
        tracker.paused = true
        defer { tracker.paused = false }
        // Another process writing the same file (`rehearse sql` beside `rehearse serve`) is not
        // seen by this connection's update hook; SQLite's data_version moves when it commits.
        let marks = try ChangeTracker.Marks.read(db)
        if marks.cookie != checkedSchema {
            // GRDB forgets what it knew of the schema (cached statements and their column
            // maps) only after DDL on this connection: another process's counts too (it can
            // only change main; the temp schema is this connection's own).
            if let checked = checkedSchema, checked >> 32 != marks.main { db.clearSchemaCache() }
            checkedSchema = marks.cookie
        }
        try tracker.beginRound(db, marks, baseline: world.versions[.baseline])
        // SQLite's update hook says nothing about a WITHOUT ROWID table: with one in either
        // schema (a scenario's raw SQL can make one), no change can be ruled out. The round's
        // scan of the schema (made whenever a cookie moved) says whether there is one.
        blind = tracker.hasWithoutRowidTable
        var stale: [Int] = []
        var keys: [[UInt64]] = []
        var results: [InvariantResult?] = []
        keys.reserveCapacity(plans.count)
        results.reserveCapacity(plans.count)
        for (index, plan) in plans.enumerated() {
            let key = self.key(plan, external: marks.external, world: world, expectedRevision: context.expectedRevision)
            keys.append(key)
            if !plan.always, !blind, let previous = last[catalog.infos[index].id], previous.key == key {
                results.append(previous.result)
            } else {
                results.append(nil)
                stale.append(index)
            }
        }
        if !stale.isEmpty {
            var tracked = context
            tracked.changes = blind ? nil : tracker
            let fresh = try catalog.evaluate(tracked, at: stale)
            evaluated += fresh.count
            for (index, result) in zip(stale, fresh) {
                results[index] = result
                last[result.info.id] = (keys[index], result)
            }
        }
        let final = results.map { $0! }
        if verify {
            // Independent of every shortcut: no row-level memory, no remembered answers.
            var independent = context
            independent.cache = nil
            let full = try catalog.evaluate(independent)
            for (incremental, whole) in zip(final, full) where incremental != whole {
                throw IncrementalMismatch(id: whole.info.id, incremental: incremental.status, full: whole.status)
            }
        }
        return final
    }

    /// The baseline was just recorded from `tables` on `db`: until anything at all changes,
    /// its rows are all there and unchanged (`ChangeTracker.baselineJustRecorded`).
    func baselineRecorded(_ db: Database, tables: Set<String>, baseline: UInt64) throws {
        guard attachedTo === db else { return }
        try tracker.noteBaselineRecorded(db, tables: tables, baseline: baseline)
    }

    /// Starts watching `db` (a new connection, or the first call: nothing known about it). A
    /// session calls it before its first step, so that step is seen too — a baseline recorded
    /// there is then known whole at the first evaluation (`baselineRecorded`).
    public func attach(to db: Database) {
        guard attachedTo !== db else { return }
        db.add(transactionObserver: tracker, extent: .databaseLifetime)
        attachedTo = db
        last = [:]
        checkedSchema = nil
        // Another connection's schema may have the same cookies: read it again.
        tracker.forgetSchemaScan()
        tracker.memo = [:]
        tracker.forgetBaselineRecorded()
    }

    /// The PII scanner for the people `users` holds now, which scrubs what a step printed before
    /// it is kept: built again only when `users` had a row event, its definition or the lineage
    /// moved (`ChangeTracker.shape(of:)`, `lineage`), another process wrote or the database was
    /// replaced. Built each time inside a transaction (GRDB
    /// delivers the row events of a nested savepoint only when it is released, so a user added
    /// in it would not be counted yet), on a connection this evaluation does not follow, and
    /// when `users` is not a plain table or a WITHOUT ROWID table hides row events.
    public func peopleScanner(_ db: Database) throws -> PIIScanner {
        guard attachedTo === db, !db.isInsideTransaction, !blind else { return PIIScanner(people: try TraceRecorder.knownPeople(db)) }
        let marks = try ChangeTracker.Marks.read(db)
        // `users` must be the table whose row events are counted: not a view or a virtual table
        // under its name (their rows change with events of other tables), as the last round read
        // this very schema.
        guard marks.cookie == tracker.schemaCookie, try tracker.isPlainTable("users", db) else { return PIIScanner(people: try TraceRecorder.knownPeople(db)) }
        // DDL elsewhere (a migration adding tables, the baseline's temp tables) leaves the
        // people as they were: `users`' own definition and the lineage say when its rows could be
        // others, as for a row count.
        let key = [tracker.version(of: "users"), try tracker.shape(of: "users", db), tracker.lineage, marks.external, tracker.wholesale]
        if let known = scanner, known.key == key { return known.scanner }
        peopleScannersBuilt += 1
        let fresh = PIIScanner(people: try TraceRecorder.knownPeople(db))
        scanner = (key, fresh)
        return fresh
    }
    private var scanner: (key: [UInt64], scanner: PIIScanner)?
    /// How many scanners were built for the followed connection (the tests count them).
    private(set) var peopleScannersBuilt = 0

    /// Everything the invariant's verdict depends on, as numbers that change when it does.
    private func key(_ plan: Plan, external: UInt64, world: World, expectedRevision: String?) -> [UInt64] {
        var key: [UInt64] = [tracker.schemaCookie, external, tracker.bookkeeping, tracker.wholesale]
        key.reserveCapacity(5 + 2 * plan.tables.count + plan.world.count)
        if plan.allTables { key.append(tracker.total) } else {
            for table in plan.tables {
                key.append(tracker.version(of: table))
                // A view or a virtual table under the name: its rows change with other tables'
                // events, so any change at all counts.
                if tracker.resolvesToViewOrVirtualTable(table) { key.append(tracker.total) }
            }
        }
        if plan.firesTriggers { key += tracker.triggerInputs() }
        for part in plan.world { key.append(world.versions[part]) }
        // A caller may expect another revision than the world does (a drill's incident).
        if plan.expectedRevision { key.append(UInt64(truncatingIfNeeded: (expectedRevision ?? "").hashValue)) }
        return key
    }
}

/// Incremental and full evaluation disagreed: an invariant's declared reads miss something.
public struct IncrementalMismatch: Error, CustomStringConvertible {
    public var id: String
    public var incremental: InvariantStatus
    public var full: InvariantStatus
    public var description: String {
        "incremental evaluation of \(id) gave \(incremental.keyword) where a full evaluation gives \(full.keyword): its declared reads, or a row-level shortcut (RowLevelMemo), miss an input"
    }
}

extension IncrementalEvaluation {
    /// What a session knows after its first evaluation, for sessions that start from the same
    /// bytes and the same world (`rehearse explore` plays a thousand histories from two
    /// templates): their first evaluation is then the remembered one. Every key still has to
    /// match (the schema cookie, the change counts, each world part's version), so a session that
    /// differs in any of those evaluates for itself.
    public struct Start: @unchecked Sendable {
        fileprivate let last: [String: (key: [UInt64], result: InvariantResult)]
        fileprivate let memo: [String: RowLevelMemo.Entry]
        fileprivate let checkedSchema: UInt64?
        fileprivate let blind: Bool
    }

    /// This session's knowledge, taken right after its first evaluation (nil otherwise: later,
    /// the change counts are its own history's).
    public var start: Start? {
        guard attachedTo != nil, tracker.total == 0, tracker.bookkeeping == 0 else { return nil }
        return Start(last: last, memo: tracker.memo, checkedSchema: checkedSchema, blind: blind)
    }

    /// Starts this session on `db` knowing what `start`'s session knew. Only for a database
    /// copied from the same template into the same state, with a world built the same way.
    public func adopt(_ start: Start, on db: Database) {
        db.add(transactionObserver: tracker, extent: .databaseLifetime)
        attachedTo = db
        last = start.last
        tracker.memo = start.memo
        checkedSchema = start.checkedSchema
        blind = start.blind
    }
}
