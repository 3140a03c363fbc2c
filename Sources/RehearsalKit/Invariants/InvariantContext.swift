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
        guard let current = try MigrationBookkeeping.currentRevision(db) else { return -1 }
        return chain.index(of: current) ?? -1
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

/// Memory between evaluations in one session (a scenario or drill evaluates after every step):
/// evaluations already re-evaluated with identical stored bytes, rules and payload need not be
/// re-evaluated again. Keys are 64-bit FNV-1a fingerprints of everything the check reads.
public final class InvariantCache {
    var reproducedEvaluations = Set<UInt64>()
    /// `schema.matches_revision`'s last verdict, by a fingerprint of everything it reads.
    var schemaVerdict: (key: UInt64, status: InvariantStatus)?
    /// `traces.no_pii`'s evidence for a trace row, by a fingerprint of the row and the people.
    var traceRowFindings: [UInt64: [Evidence]] = [:]
    /// What the scanner finds on a rendered viewer page, by a fingerprint of the page and the people.
    var pageFindings: [UInt64: [PIIType]] = [:]

    /// Memory stays bounded in a long session (a served stack): past a limit, start again.
    func remember<Value>(_ table: inout [UInt64: Value], _ key: UInt64, _ value: Value) {
        if table.count >= 100_000 { table.removeAll() }
        table[key] = value
    }

    public init() {}
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
