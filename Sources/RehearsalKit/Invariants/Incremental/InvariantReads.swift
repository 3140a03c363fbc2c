/// What an invariant's verdict depends on, so the engine can skip re-evaluating it after a step
/// that changed none of it. Every invariant also depends on the schema (`PRAGMA schema_version`,
/// which DDL and a restore through SQLite's backup API both move) and on the bookkeeping tables
/// (`alembic_version`, `rehearse_*`), whatever it declares.
///
/// A declaration that leaves out something the check reads would let a stale verdict stand, so
/// the test suite re-evaluates everything after every step of the library and of explored
/// histories and compares, and checks every table a check's SQL reads is declared.
public struct InvariantReads: Sendable, Equatable {
    /// The tables read, lower-case; ignored when `allTables`.
    public var tables: Set<String>
    /// Reads tables it cannot name in advance (every table, or the application's answers).
    public var allTables: Bool
    public var world: Set<WorldPart>
    /// Re-evaluated after every step, whatever changed (the default for an invariant that
    /// declares nothing).
    public var always: Bool
    /// Runs a statement that fires triggers (a probe rolled back): its verdict depends on
    /// whatever those triggers read too (`ChangeTracker.triggerInputs`).
    public var firesTriggers: Bool

    public init(tables: Set<String> = [], allTables: Bool = false, world: Set<WorldPart> = [], always: Bool = false, firesTriggers: Bool = false) {
        self.tables = tables
        self.allTables = allTables
        self.world = world
        self.always = always
        self.firesTriggers = firesTriggers
    }

    public static let everything = InvariantReads(allTables: true, world: Set(WorldPart.allCases), always: true)
    public static func tables(_ names: String..., world: Set<WorldPart> = []) -> InvariantReads {
        InvariantReads(tables: Set(names), world: world)
    }
}

/// The parts of the simulated world a verdict can depend on; each has its own version, moved
/// whenever the part is assigned or mutated (`World`'s `didSet`s).
public enum WorldPart: String, Sendable, CaseIterable, Hashable {
    case clock, stack, faults, log, expectedRevision, baseline, expiration, deployOrder, toolResults
}

extension Invariant {
    /// Unless an invariant says what it reads, it is re-evaluated after every step.
    public var reads: InvariantReads { .everything }
}
