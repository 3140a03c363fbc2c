import GRDB

/// One drill: a rehearsed deploy played up to a hidden fault, then driven by the trainee's
/// commands. Each command takes virtual time, during which the agents keep working (and a fault
/// that is not contained keeps doing damage). `done` grades the mitigation.
public final class DrillSession {
    public let scenario: Scenario
    public let incident: Incident
    let queue: DatabaseQueue
    let world: World
    let baseline: Baseline
    let faultTime: Timestamp
    var timeline: [TimelineEntry] = []
    var hintsUsed = 0
    /// Every line typed, for `history`.
    var typed: [String] = []
    /// `status --invariants`: the instructor's view, which costs the trainee points.
    var invariantPeeks = 0
    /// The invariants already broken before the incident began (before the setup's first
    /// fault): repaired means every other invariant of the whole catalogue holds again.
    let brokenBeforeIncident: Set<String>
    let seed: UInt64
    let chain: RevisionChain
    /// The pass mark, shown at the start and in the debrief.
    public static let passMark = 70
    public private(set) var finished = false
    public private(set) var lastDebrief: DrillDebrief?
    var nextActivity: Timestamp

    struct TimelineEntry {
        var time: Timestamp
        var command: String
        var summary: String
        var broken: [String]
        var damage: Int
        /// Whether every invariant that held before the incident holds after this command.
        var recovered: Bool
        /// What the command itself broke, read before the virtual minutes it took passed (the
        /// agents' activity meanwhile is the fault's doing, not the command's).
        var brokenByCommand: [String] = []
        /// Whether the command changed anything: rows, containers, files, redis, the repository.
        var changed = false
    }

    public init(scenario: Scenario, chain: RevisionChain, seed: UInt64? = nil) throws {
        guard let incident = scenario.incident else { throw ApplicationError(422, "\(scenario.file) is not a drill (no incident)") }
        self.scenario = scenario
        self.incident = incident
        self.chain = chain
        self.seed = seed ?? scenario.seed
        queue = try DatabaseOpener.open(path: nil)
        world = World(seed: seed ?? scenario.seed, start: scenario.start, chain: chain, version: scenario.code)
        let world = self.world
        let runner = ScenarioRunner(chain: chain, seedOverride: seed)
        let setUp = try queue.writeWithoutTransaction { db in
            try runner.setUp(db, for: scenario, seed: seed ?? scenario.seed)
            world.expectedRevision = scenario.revision
            // The drill's start is the baseline unless its setup takes one of its own.
            let takesOwn = scenario.steps.contains { if case .baseline = $0.action { return true }; return false }
            if !takesOwn { try world.recordBaseline(try Baseline.capture(db, label: "drill start"), db) }
            var before: Set<String>?
            for (index, step) in scenario.steps.enumerated() {
                if before == nil, case .fault = step.action {
                    var context = world.invariantContext(db)
                    if let revision = incident.revision { context.expectedRevision = revision }
                    before = Set(try InvariantCatalog.standard.evaluate(context).filter { $0.status.isBroken }.map(\.info.id))
                }
                _ = try runner.perform(step, number: index + 1, db: db, world: world)
            }
            return (world.baseline!, before ?? [])
        }
        (baseline, brokenBeforeIncident) = setUp
        faultTime = world.clock
        nextActivity = world.clock.adding(seconds: 600)
        let start = try reading()
        timeline.append(TimelineEntry(time: world.clock, command: "(page) \(incident.page)", summary: "the incident starts",
                                      broken: start.broken, damage: start.damage, recovered: start.recovered))
    }

    /// The pager's message and the dashboard, as the trainee first sees them.
    public func briefing() throws -> String {
        """
        PAGE \(world.clock.iso8601): \(incident.page)
        You are on call for the Sprint 3 deploy. Investigate and mitigate with the checklist's own commands.
        Grading starts at 0: points for containing the damage, repairing what broke, following the decision tree,
        keeping the data, and speed. Pass mark: \(Self.passMark)/100.
        Type `help` for the commands, `hint` for a hint (-10 points), `status` for what an operator sees, `done` when finished.

        \(try DrillMonitoring.dashboard(queue: queue, world: world))
        """
    }

    /// Runs one line typed at the prompt and returns what the terminal shows.
    public func execute(_ line: String) throws -> String {
        let command = line.trimmingWhitespace()
        guard !command.isEmpty, !finished else { return "" }
        typed.append(command)
        switch command {
        case "help": return Self.help
        case "history":
            return typed.dropLast().enumerated().map { String(format: "%4d  ", $0 + 1) + $1 }.joined(separator: "\n")
        case "clear":
            // The terminal clears itself (the prompt does it); a script's record keeps nothing.
            return ""
        case _ where command.hasPrefix("help "):
            return Self.help(for: String(command.dropFirst(5)).trimmingWhitespace())
        case "hint":
            guard hintsUsed < incident.hints.count else { return "No more hints. Think about 6.1's decision tree: what is broken?" }
            hintsUsed += 1
            return "Hint \(hintsUsed) (-10 points): \(incident.hints[hintsUsed - 1])"
        case "status":
            return try symptoms()
        case "status --invariants":
            invariantPeeks += 1
            return "(instructor view, -10 points)\n" + (try status())
        case "monitor", "dashboard":
            return try DrillMonitoring.dashboard(queue: queue, world: world)
        case "done", "exit", "quit":
            finished = true
            lastDebrief = try debrief()
            return lastDebrief!.markdown
        default:
            break
        }
        // Nothing changes the world between commands, so the last entry is the state before this one.
        let before = timeline.last?.broken ?? []
        let signature = try stateSignature()
        let (raw, minutes) = try queue.writeWithoutTransaction { db in try Self.run(command, db: db, world: world) }
        let changed = try stateSignature() != signature
        // What the command broke by itself, before its minutes pass and the agents act.
        let brokenByCommand = changed ? Set(try reading().broken).subtracting(before).sorted() : []
        // The trainee sees that PII leaked ([REDACTED:EMAIL] where an address was), never the
        // values: the transcript and the debrief are written down and shared.
        let scanner = try queue.read { db in PIIScanner(people: (try? TraceRecorder.knownPeople(db)) ?? []) }
        let output = raw.split(separator: "\n", omittingEmptySubsequences: false).map { scanner.scrub(text: String($0)).text }.joined(separator: "\n")
        let shown = scanner.scrub(text: command).text
        try passTime(minutes: minutes)
        let after = try reading()
        timeline.append(TimelineEntry(time: world.clock, command: shown, summary: output.split(separator: "\n").first.map(String.init) ?? "",
                                      broken: after.broken, damage: after.damage, recovered: after.recovered, brokenByCommand: brokenByCommand, changed: changed))
        return output
    }

    /// Virtual time passes; every ten minutes the agents call a tool and someone opens /traces,
    /// so an uncontained fault keeps doing damage.
    func passTime(minutes: Int64) throws {
        let target = world.clock.adding(seconds: minutes * 60)
        try queue.writeWithoutTransaction { db in
            nextActivity = try Traffic.run(db, world: world, from: nextActivity, until: target)
        }
    }

    func context(_ db: Database) -> InvariantContext {
        var context = world.invariantContext(db)
        if let revision = incident.revision { context.expectedRevision = revision }
        return context
    }

    func results() throws -> [InvariantResult] {
        try queue.writeWithoutTransaction { db in try InvariantCatalog.standard.evaluate(context(db)) }
    }

    /// What one evaluation of the catalog says about the incident: the broken invariants, the
    /// damage (the evidence against the invariants the fault breaks), and whether every
    /// invariant the incident needs back holds. One evaluation serves all three.
    struct Reading {
        var broken: [String]
        var damage: Int
        var recovered: Bool
    }

    func reading(of results: [InvariantResult]) -> Reading {
        let faultBreaks = Set(FaultCatalog.named(incident.fault)?.breaks ?? [])
        let damage = results.filter { faultBreaks.contains($0.info.id) }.reduce(0) { total, result in
            if case .broken(_, let evidence) = result.status { return total + evidence.count }
            return total
        }
        let broken = Set(results.filter { $0.status.isBroken }.map(\.info.id))
        // Recovered: the whole catalogue is back where it was before the incident, and what
        // the drill names as its point holds (not broken, and not unknown).
        let mustHold = incident.mustHold.allSatisfy { id in !broken.contains(id) && !(results.first { $0.info.id == id }?.status.isUnknown ?? false) }
        return Reading(broken: results.filter { $0.status.isBroken }.map(\.info.id), damage: damage,
                       recovered: broken.isSubset(of: brokenBeforeIncident) && mustHold)
    }

    func reading() throws -> Reading { reading(of: try results()) }

    /// How much harm the fault has done so far.
    func damage() throws -> Int { try reading().damage }

    /// The invariants, as `status --invariants` shows them (the instructor's view).
    public func status() throws -> String {
        InvariantReport(results: try results()).text()
    }

    /// What an operator would see: the dashboards of 7.1, the endpoints' answers, the services
    /// and the latest log lines. Never an invariant id or the revision the schema should be at.
    public func symptoms() throws -> String {
        try queue.writeWithoutTransaction { db in
            var lines = [try DrillMonitoring.dashboard(db, world: world), "", "Endpoints:"]
            for path in ["/health", "/api/v1/approvals", "/api/v1/traces"] {
                let request = HTTPRequest(port: 8000, path: path, headers: ["Authorization": "Bearer user:role:approver"])
                let status = try Endpoints.respond(request, db: db, world: world).map { String($0.status) } ?? "no answer (connection refused)"
                lines.append("  GET \(path) → \(status)")
            }
            let scanner = PIIScanner(people: (try? TraceRecorder.knownPeople(db)) ?? [])
            let recent = world.log.lines.suffix(5).map { "  \(scanner.scrub(text: $0.formatted).text)" }
            if !recent.isEmpty { lines += ["", "Latest log lines:"] + recent }
            return lines.joined(separator: "\n")
        }
    }

    /// A fingerprint of what a command can change: rows written, containers and their images,
    /// host files, redis keys, the repository's HEAD and the active faults.
    func stateSignature() throws -> String {
        let changes = try queue.read { db in db.totalChangesCount }
        let containers = world.stack.containers.keys.sorted { $0.rawValue < $1.rawValue }.map { "\($0.rawValue)=\(world.isRunning($0))/\(world.stack.containers[$0]!.image)" }
        return ([String(changes), world.stack.files.keys.sorted().joined(separator: ","), world.stack.redis.keys.joined(separator: ","),
                 "\(world.stack.repository.head)", world.activeFaults.joined(separator: ",")] + containers).joined(separator: "|")
    }
}
