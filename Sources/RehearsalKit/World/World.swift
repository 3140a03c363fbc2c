import GRDB

/// Everything a scenario step can touch besides the database: the virtual clock, the seeded id
/// generator, the services, maintenance mode, environment flags, faults, the redis cache, the
/// backups, the logs, and what the deploy has done so far.
///
/// Nothing here reads the machine's clock or a real random source: a world is a pure function
/// of its seed and the steps applied to it.
public final class World {
    public var clock: Timestamp
    var ids: SeededGenerator
    public var services: [ServiceName: ServiceState]
    public var maintenanceMode = false
    /// Environment flags as they are set now; a service reads them when it (re)starts.
    public var environment: [String: String] = ["TRACES_VIEWER_ENABLED": "true"]
    /// The flags each running service started with.
    var serviceEnvironment: [ServiceName: [String: String]] = [:]
    public var activeFaults: [String] = []
    /// The redis cache: rendered trace pages by key, with the virtual time they expire (nil: never).
    public var cache: [String: (page: String, expires: Timestamp?)] = [:]
    public var backups: [String: Backup] = [:]
    public var log = WorldLog()
    public let chain: RevisionChain
    /// What the deploy intends the schema to be at: the target of the last migration asked
    /// for, or the revision a rollback returned to.
    public var expectedRevision: String?
    public var baseline: Baseline?
    public var proposalTTL: Int64 = 24 * 3600
    public var expiration = ExpirationSchedule()
    /// Steps of checklist 3.1 done out of order, as (time, what).
    public var deployOrderViolations: [(Timestamp, String)] = []
    public let invariantCache = InvariantCache()
    /// Images built and not yet running, by service.
    var builds: [ServiceName: Build] = [:]
    /// Paths restored from `HEAD~1` in the working tree, waiting for a build.
    var checkedOut: Set<String> = []

    struct Build: Sendable {
        var version: CodeVersion
        var revertedPaths: Set<String>
    }

    /// Which MCP tools were exercised and what each did, for the 4.5 table.
    public var toolResults: [String: ToolObservation] = [:]

    public init(seed: UInt64, start: Timestamp, chain: RevisionChain, version: CodeVersion = .v2) {
        self.clock = start
        self.ids = SeededGenerator(seed: seed ^ 0x5EED_0F_3014D)
        self.chain = chain
        self.services = Dictionary(uniqueKeysWithValues: ServiceName.allCases.map { ($0, ServiceState(running: true, version: version)) })
        for name in ServiceName.allCases { serviceEnvironment[name] = environment }
        self.expectedRevision = nil
    }

    public func newId() -> String { ids.uuid() }

    public func isRunning(_ service: ServiceName) -> Bool { services[service]?.running ?? false }

    /// Sprint 3 code in a running service, and not reverted at `path`.
    func runsSprint3(_ service: ServiceName) -> Bool { services[service]?.version == .sprint3 }

    /// Whether `fault` acts now: injected, and its code not reverted or redeployed away.
    public func faultActive(_ name: String) -> Bool {
        guard activeFaults.contains(name), let fault = FaultCatalog.named(name) else { return false }
        if let (service, path) = fault.fixedByReverting {
            guard let state = services[service] else { return false }
            if state.version != .sprint3 { return false }
            if state.revertedPaths.contains(where: { path.hasPrefix($0) }) { return false }
        }
        return true
    }

    /// The flag a running service started with.
    func flag(_ name: String, for service: ServiceName) -> String? { serviceEnvironment[service]?[name] }

    public var tracesViewerEnabled: Bool {
        isRunning(.frontend) && runsSprint3(.frontend) && flag("TRACES_VIEWER_ENABLED", for: .frontend)?.lowercased() != "false"
    }

    /// Moves the virtual clock; the worker's beat schedule runs what falls due meanwhile.
    public func advance(_ db: Database, by seconds: Int64) throws {
        let target = clock.adding(seconds: seconds)
        try ExpirationTask.runSchedule(db, world: self, until: target)
        clock = target
        // Cache entries with a TTL expire as time passes.
        cache = cache.filter { _, entry in entry.expires.map { $0 > clock } ?? true }
    }

    /// The state invariants need from the world, besides the database.
    public func invariantContext(_ db: Database) -> InvariantContext {
        var context = InvariantContext(
            db: db, chain: chain, baseline: baseline, expectedRevision: expectedRevision ?? chain.head?.id, now: clock,
            lastExpirationRun: expiration.lastRun)
        context.world = self
        context.cache = invariantCache
        return context
    }
}

/// What one MCP tool did when called (checklist 4.5's table).
public struct ToolObservation: Sendable, Equatable {
    public var createdProposal: Bool
    public var wroteDirectly: Bool
    public var approvedLater: Bool
}

/// The celery beat schedule of the proposal-expiration task.
public struct ExpirationSchedule: Sendable {
    /// Beat interval: every 5 virtual minutes.
    public var interval: Int64 = 300
    public var lastRun: Timestamp?
    public var lastRunFailed = false
    public var failures = 0
    public var runs = 0
    /// `celery control revoke proposal_expiration`: cleared when the worker restarts.
    public var revoked = false
    public var firstFailure: Timestamp?
}
