import Foundation
import GRDB

/// Everything an invariant may look at: the database, the baseline recorded before the
/// deploy, the revision chain, the virtual time, and (when a simulated world is running)
/// what its services show.
public struct InvariantContext {
    public var db: Database
    public var chain: RevisionChain
    public var baseline: Baseline?
    /// The revision `schema.revision` expects; the chain's head unless a scenario says otherwise.
    public var expectedRevision: String?
    /// The virtual "now". The engine never reads the machine's clock.
    public var now: Timestamp
    /// When the proposal-expiration task last ran, if it ever did.
    public var lastExpirationRun: Timestamp?
    /// Results that stay valid while their inputs do (see `InvariantCache`); nil evaluates everything.
    public var cache: InvariantCache?
    /// The simulated world, when a scenario or drill is running; invariants about services,
    /// tasks and the viewer are not applicable without one.
    public var world: World?
    /// Row-level changes since earlier evaluations, inside an incremental evaluation only
    /// (`RowLevelMemo`); nil computes everything.
    var changes: ChangeTracker?

    public init(
        db: Database, chain: RevisionChain, baseline: Baseline? = nil, expectedRevision: String? = nil,
        now: Timestamp, lastExpirationRun: Timestamp? = nil
    ) {
        self.db = db
        self.chain = chain
        self.baseline = baseline
        self.expectedRevision = expectedRevision ?? chain.head?.id
        self.now = now
        self.lastExpirationRun = lastExpirationRun
    }

    /// The index in the chain of the applied revision (-1 at base).
    public func appliedIndex() throws -> Int {
        guard let current = try changes.map({ try $0.currentRevision(db) }) ?? MigrationBookkeeping.currentRevision(db) else { return -1 }
        return chain.index(of: current) ?? -1
    }

    /// Whether the table exists (asked once per round of an incremental evaluation).
    func hasTable(_ name: String) throws -> Bool {
        try changes?.hasTable(name, db) ?? db.hasTable(name)
    }

    /// Not applicable until `revision` is applied: "revision X not yet applied".
    func requireRevision(_ revision: String) throws -> InvariantStatus? {
        guard let needed = chain.index(of: revision) else { return .notApplicable(reason: "revision \(revision) is not in the migration chain") }
        if try appliedIndex() < needed {
            return .notApplicable(reason: "revision \(revision) not yet applied")
        }
        return nil
    }
}

/// Memory between evaluations: evaluations already re-evaluated with identical stored bytes,
/// rules and payload need not be re-evaluated again; a trace row or a page already scanned with
/// the same people has the same findings; a schema already compared has the same differences.
/// Keys are 64-bit FNV-1a fingerprints of everything the answer depends on, and each answer is
/// a pure function of those inputs, so the memory is shared by every session of the process (an
/// explored history starts where a thousand others did). Sessions without an `InvariantCache`
/// (a one-off `rehearse check`) compute everything.
public final class InvariantCache: Sendable {
    public init() {}

    func isReproduced(_ key: UInt64) -> Bool { Self.store.withLock { $0.reproduced.contains(key) } }
    func markReproduced(_ keys: [UInt64]) {
        Self.store.withLock { store in
            if store.reproduced.count >= Self.limit { store.reproduced.removeAll() }
            store.reproduced.formUnion(keys)
        }
    }

    func schemaVerdict(_ key: UInt64) -> InvariantStatus? { Self.store.withLock { $0.schemaVerdicts[key] } }
    func rememberSchemaVerdict(_ key: UInt64, _ status: InvariantStatus) { Self.store.withLock { Self.remember(&$0.schemaVerdicts, key, status) } }

    func traceRowFindings(_ key: UInt64) -> [Evidence]? { Self.store.withLock { $0.traceRows[key] } }
    func rememberTraceRowFindings(_ key: UInt64, _ found: [Evidence]) { Self.store.withLock { Self.remember(&$0.traceRows, key, found) } }

    func pageFindings(_ key: UInt64) -> [PIIType]? { Self.store.withLock { $0.pages[key] } }
    func rememberPageFindings(_ key: UInt64, _ found: [PIIType]) { Self.store.withLock { Self.remember(&$0.pages, key, found) } }

    private struct Store: Sendable {
        var reproduced = Set<UInt64>()
        var schemaVerdicts: [UInt64: InvariantStatus] = [:]
        var traceRows: [UInt64: [Evidence]] = [:]
        var pages: [UInt64: [PIIType]] = [:]
    }

    private static let store = Locked(Store())
    /// Memory stays bounded in a long session (a served stack): past a limit, start again.
    private static let limit = 100_000
    private static func remember<Value>(_ table: inout [UInt64: Value], _ key: UInt64, _ value: Value) {
        if table.count >= limit { table.removeAll() }
        table[key] = value
    }
}


/// A person whose name and email are PII (the application's users, or a `--people` file).
public struct KnownPerson: Sendable, Equatable {
    public var displayName: String
    public var email: String

    public init(displayName: String, email: String) {
        self.displayName = displayName
        self.email = email
    }
}
