import GRDB

/// Everything a scenario step can touch besides the database: the virtual clock, the seeded id
/// generator, the simulated stack (repository, images, containers, environment, redis,
/// celery), faults, the logs, and what the deploy has done so far.
///
/// Nothing here reads the machine's clock or a real random source: a world is a pure function
/// of its seed and the steps applied to it.
public final class World {
    public var clock: Timestamp { didSet { versions.bump(.clock) } }
    var ids: SeededGenerator
    /// The stack on the deploy host, as one value (docs/stack-model.md).
    public var stack: Stack { didSet { versions.bump(.stack) } }
    public var activeFaults: [String] = [] { didSet { versions.bump(.faults) } }
    public var log = WorldLog() { didSet { versions.bump(.log) } }
    public let chain: RevisionChain
    /// What the deploy intends the schema to be at: the target of the last migration asked
    /// for, or the revision a rollback returned to.
    public var expectedRevision: String? { didSet { versions.bump(.expectedRevision) } }
    public var baseline: Baseline? { didSet { versions.bump(.baseline) } }
    public var proposalTTL: Int64 = 24 * 3600
    public var expiration = ExpirationSchedule() { didSet { versions.bump(.expiration) } }
    /// Steps of checklist 3.1 done out of order, as (time, what).
    public var deployOrderViolations: [(Timestamp, String)] = [] { didSet { versions.bump(.deployOrder) } }
    public let invariantCache = InvariantCache()
    /// A version per part, moved by every assignment or mutation: what incremental invariant
    /// evaluation compares to know what a step changed.
    public internal(set) var versions = WorldVersions()
    /// The session's incremental evaluation of the catalogue (`IncrementalEvaluation`).
    public lazy var evaluation = IncrementalEvaluation()
    /// Which MCP tools were exercised and what each did, for the 4.5 table.
    public var toolResults: [String: ToolObservation] = [:] { didSet { versions.bump(.toolResults) } }
    /// The checklist whose rollback plans `rollback:` steps run.
    public var checklist: Checklist?
    /// The command lines the prose steps of the checklist stand for.
    public var proseCommands = ProseCommands.standard

    public init(seed: UInt64, start: Timestamp, chain: RevisionChain, version: CodeVersion = .v2, compose: ComposeOptions = ComposeOptions()) {
        self.clock = start
        self.ids = SeededGenerator(seed: seed ^ 0x5EED_0F_3014D)
        self.chain = chain
        self.stack = Stack(chain: chain, code: version, options: compose, at: start)
        self.expectedRevision = nil
    }

    public func newId() -> String { ids.uuid() }

    public func isRunning(_ service: ServiceName) -> Bool { stack.isRunning(service) }

    /// Maintenance mode is a flag in redis the backend reads on every request (3.1 step 1's
    /// command line sets it; docs/stack-model.md): it is off when redis is down or flushed.
    public var maintenanceMode: Bool {
        get { stack.isRunning(.redis) && stack.redis.strings["maintenance_mode"] != nil }
        set {
            if newValue { stack.redis.strings["maintenance_mode"] = ("on", nil) } else { stack.redis.strings["maintenance_mode"] = nil }
        }
    }

    /// The rendered trace pages redis holds, by key, with the time each expires (nil: never).
    public var cache: [String: (page: String, expires: Timestamp?)] {
        get {
            var pages: [String: (page: String, expires: Timestamp?)] = [:]
            for (key, entry) in stack.redis.strings where key.hasPrefix("traces:") { pages[key] = (entry.value, entry.expires) }
            return pages
        }
        set {
            for key in stack.redis.strings.keys where key.hasPrefix("traces:") { stack.redis.strings[key] = nil }
            for (key, entry) in newValue { stack.redis.strings[key] = (entry.page, entry.expires) }
        }
    }

    /// The `pg_dump` archives in the deploy directory, by file name without `.dump`.
    public var backups: [String: Backup] {
        var found: [String: Backup] = [:]
        for (name, file) in stack.files {
            if case .dump(let backup) = file { found[name.hasSuffix(".dump") ? String(name.dropLast(5)) : name] = backup }
        }
        return found
    }

    /// Whether `fault` acts now: injected, and (for a code defect) its file's Sprint 3 content
    /// is in the code of a container of one of the services that runs it.
    public func faultActive(_ fault: Fault) -> Bool {
        guard activeFaults.contains(fault.name) else { return false }
        guard let defect = fault.defect else { return true }
        return defect.services.contains { service in defect.paths.contains { stack.code(service).isSprint3($0) } }
    }

    public func faultActive(_ name: String) -> Bool {
        FaultCatalog.named(name).map(faultActive) ?? false
    }

    /// Whether `fault`'s defect acts in `service`'s code through `path`.
    public func defectActs(_ fault: Fault, path: String, in service: ServiceName) -> Bool {
        activeFaults.contains(fault.name) && stack.code(service).isSprint3(path)
    }

    /// Whether a code defect acts in the given service (for faults whose file several run).
    public func faultActive(_ fault: Fault, in service: ServiceName) -> Bool {
        guard activeFaults.contains(fault.name) else { return false }
        guard let defect = fault.defect else { return true }
        return defect.paths.contains { stack.code(service).isSprint3($0) }
    }

    /// The flag a running service's container was created with.
    func flag(_ name: String, for service: ServiceName) -> String? { stack.containers[service]?.environment[name] }

    public var tracesViewerEnabled: Bool {
        isRunning(.frontend) && stack.code(.frontend).tracesViewer && flag("TRACES_VIEWER_ENABLED", for: .frontend)?.lowercased() != "false"
    }

    /// Moves the virtual clock; the worker's beat schedule runs what falls due meanwhile.
    public func advance(_ db: Database, by seconds: Int64) throws {
        let target = clock.adding(seconds: seconds)
        try ExpirationTask.runSchedule(db, world: self, until: target)
        clock = target
        // Keys with a TTL expire as time passes.
        stack.redis.strings = stack.redis.strings.filter { _, entry in entry.expires.map { $0 > clock } ?? true }
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

    /// A shell on the deploy host for this world and database.
    public func shell(_ db: Database) -> ShellSession { ShellSession(world: self, db: db) }
}

/// One counter per `WorldPart`.
public struct WorldVersions: Sendable, Equatable {
    private var counters = [UInt64](repeating: 0, count: WorldPart.allCases.count)
    private static let index = Dictionary(uniqueKeysWithValues: WorldPart.allCases.enumerated().map { ($1, $0) })

    public subscript(part: WorldPart) -> UInt64 { counters[Self.index[part]!] }
    mutating func bump(_ part: WorldPart) { counters[Self.index[part]!] &+= 1 }
}

/// What one MCP tool did when called (checklist 4.5's table).
public struct ToolObservation: Sendable, Equatable {
    public var createdProposal: Bool
    public var wroteDirectly: Bool
    public var approvedLater: Bool
}

/// The celery beat schedule of the proposal-expiration task (beat runs inside the worker:
/// `celery -A core.celery worker --beat`, so stopping the worker stops the schedule).
public struct ExpirationSchedule: Sendable {
    /// The beat entry's name and the task it sends.
    public static let entry = "proposal-expiration"
    public static let task = "core.tasks.proposal_expiration.expire_pending_proposals"
    /// Beat interval: every 5 virtual minutes.
    public var interval: Int64 = 300
    public var lastRun: Timestamp?
    public var lastRunFailed = false
    public var failures = 0
    public var runs = 0
    public var firstFailure: Timestamp?
}
