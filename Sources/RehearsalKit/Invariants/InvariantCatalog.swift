import GRDB

/// The deploy's invariants, in report order. Ids are stable: scenarios and CI refer to them.
public struct InvariantCatalog: Sendable {
    public let invariants: [any Invariant]
    /// Each invariant's description and declared reads, made once: they are computed properties
    /// (an id is built from a table's name), asked for every invariant after every step.
    public let infos: [InvariantInfo]
    let reads: [InvariantReads]

    public init(invariants: [any Invariant]) {
        self.invariants = invariants
        infos = invariants.map(\.info)
        reads = invariants.map(\.reads)
    }

    public static let standard = InvariantCatalog(invariants: [
        ImmutabilityInvariant(table: "decisions", probeColumn: "rationale"),
        ImmutabilityInvariant(table: "evidence_packs", probeColumn: "content_hash"),
        ImmutabilityInvariant(table: "audit_events", probeColumn: "action"),
        HardOverrideInvariant(),
        ForeignKeyInvariant(),
        RolesRetainedInvariant(),
        EvaluationDeterminismInvariant(),
        CountsUnchangedInvariant(),
        NoDataLostInvariant(),
        SchemaRevisionInvariant(),
        SchemaMatchesRevisionInvariant(),
        Sprint3ObjectsInvariant(),
    ] + InvariantCatalog.behaviourInvariants)

    public var ids: [String] { infos.map(\.id) }

    public func info(_ id: String) -> InvariantInfo? { infos.first { $0.id == id } }

    /// Evaluates every invariant (or those of `only`), in catalog order.
    public func evaluate(_ context: InvariantContext, only: Set<String>? = nil) throws -> [InvariantResult] {
        try evaluate(context, at: infos.indices.filter { only?.contains(infos[$0].id) ?? true })
    }

    /// Evaluates the invariants at `indices` (ascending), in catalog order.
    func evaluate(_ context: InvariantContext, at indices: [Int]) throws -> [InvariantResult] {
        try indices.map { index in
            let invariant = invariants[index], info = infos[index]
            let status: InvariantStatus
            do {
                status = try InvariantCatalog.timer(info.id) { try invariant.evaluate(context) }
            } catch let error as DatabaseError where Self.couldNotEvaluate.contains(error.resultCode) {
                // Locked by another process, a read-only file, an I/O error: nothing is known
                // about the deploy, so nothing is claimed.
                status = .unknown(reason: "could not evaluate: \(error.message ?? "\(error)")")
            } catch let error as DatabaseError {
                // The schema is not what the invariant reads (a column dropped, a table renamed
                // behind alembic's back): nothing is known about this invariant, so it is
                // unknown; the drift itself is broken in `schema.matches_revision`, which
                // lists every difference.
                let reason = error.message ?? "\(error)"
                let drift = reason.hasPrefix("no such") || reason.contains("has no column") ? " (the schema differs from the migrations: see schema.matches_revision)" : ""
                status = .unknown(reason: "could not evaluate: \(reason)\(drift)")
            } catch let error as ApplicationError {
                // The application refused what the check needed (a service down): unknown, and
                // the run goes on instead of stopping at the first step that stops a container.
                status = .unknown(reason: "could not evaluate: \(error.status): \(error.message)")
            }
            return InvariantResult(info: info, status: status)
        }
    }
    /// SQLite's answers that say the check could not run, not that the deploy is unsafe.
    static let couldNotEvaluate: [ResultCode] = [.SQLITE_BUSY, .SQLITE_LOCKED, .SQLITE_READONLY, .SQLITE_IOERR, .SQLITE_CANTOPEN, .SQLITE_FULL, .SQLITE_PERM, .SQLITE_NOMEM, .SQLITE_INTERRUPT, .SQLITE_PROTOCOL]

    /// Wraps every invariant evaluation, so `rehearse bench` can say which invariants dominate.
    /// Set only by the benchmark, before it runs anything; the engine never reads a clock.
    nonisolated(unsafe) public static var timer: (String, () throws -> InvariantStatus) throws -> InvariantStatus = { _, body in try body() }

    /// Throws a usage error naming the unknown id, with the nearest known one as a suggestion.
    public func validate(ids requested: [String]) throws {
        for id in requested where info(id) == nil {
            throw UnknownInvariantError(id: id, suggestion: NearestName.suggest(id, among: ids))
        }
    }
}

public struct UnknownInvariantError: UserFacingError, Equatable {
    public var id: String
    public var suggestion: String?
    public var exitStatus: ExitStatus { .usage }
    public var description: String {
        "error: unknown invariant '\(id)'" + (suggestion.map { " (did you mean '\($0)'?)" } ?? "") + "; `rehearse invariants` lists them"
    }
}
