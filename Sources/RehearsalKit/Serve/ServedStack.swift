import Foundation
import GRDB

/// The rehearsed stack behind `rehearse serve`: one world and one database file, shared by
/// every client (curl, an MCP client, a browser) and by `rehearse sql` / `check` in other
/// processes. The HTTP and MCP adapters only translate; every answer comes from the same
/// application model the scenarios play (`Endpoints`, `MCPTools`, `TracesViewer`).
///
/// Requests are serialised through the database queue, which also guards the world (a
/// single-threaded model). A request runs in a savepoint: one that fails (a 4xx or 5xx answer,
/// an MCP tool error) is rolled back and the world restored, so it writes nothing. After every
/// request that changed the database or the world, the whole invariant catalogue is evaluated
/// and kept for `GET /rehearse/invariants`.
public final class ServedStack: @unchecked Sendable {
    let queue: DatabaseQueue
    let world: World
    /// The latest evaluation of the catalogue, and after which request it was made.
    private(set) var latest: [InvariantResult] = []
    private(set) var evaluations = 0
    /// The largest request body the HTTP adapter accepts (FastAPI has no default; 1 MiB is
    /// far above any body the application takes).
    public static let bodyLimit = 1 << 20

    init(queue: DatabaseQueue, world: World) throws {
        self.queue = queue
        self.world = world
        try queue.writeWithoutTransaction { db in try evaluate(db) }
    }

    /// The stack a scenario leaves, built into a new database file: its revision and fixtures,
    /// then every step (expectations are not checked: `rehearse run` does that).
    public static func build(path: String, scenario: Scenario, chain: RevisionChain, seed: UInt64?) throws -> ServedStack {
        let queue = try DatabaseOpener.open(path: path)
        try queue.writeWithoutTransaction { db in try db.execute(sql: "PRAGMA journal_mode = WAL") }
        let runner = ScenarioRunner(chain: chain, seedOverride: seed)
        let world = try queue.writeWithoutTransaction { db in try runner.prepare(scenario, db: db) }
        return try ServedStack(queue: queue, world: world)
    }

    /// An existing database served as it is, by the Sprint 3 code at the revision it records.
    public static func open(path: String, chain: RevisionChain, seed: UInt64, start: Timestamp) throws -> ServedStack {
        let queue = try DatabaseOpener.openVerified(path: path)
        try queue.writeWithoutTransaction { db in try db.execute(sql: "PRAGMA journal_mode = WAL") }
        let revision = try queue.read { db in try MigrationBookkeeping.currentRevision(db) }
        let world = World(seed: seed, start: start, chain: chain, version: .sprint3)
        world.expectedRevision = revision
        return try ServedStack(queue: queue, world: world)
    }

    /// Injects faults from the catalogue (`--fault NAME`).
    public func inject(_ fault: String) throws -> [String] {
        try queue.writeWithoutTransaction { db in
            let lines = try FaultInjection.inject(world, fault)
            try evaluate(db)
            return lines
        }
    }

    /// Runs `body` in a savepoint; when `failed` says its result is a failure, nothing it did
    /// stays (rows rolled back, world restored). Evaluates the catalogue when something changed.
    func transact<T>(_ body: (Database) throws -> T, failed: (T) -> Bool) throws -> T {
        try queue.writeWithoutTransaction { db in
            let saved = world.saveState()
            let marker = world.changeMarker
            let changesBefore = db.totalChangesCount
            var result: T?
            do {
                try db.inSavepoint {
                    let value = try body(db)
                    result = value
                    return failed(value) ? .rollback : .commit
                }
            } catch {
                world.restoreState(saved)
                throw error
            }
            if failed(result!) {
                world.restoreState(saved)
            } else if db.totalChangesCount != changesBefore || world.changeMarker != marker {
                try evaluate(db)
            }
            return result!
        }
    }

    func evaluate(_ db: Database) throws {
        latest = try world.evaluation.evaluate(world.invariantContext(db))
        evaluations += 1
    }

    // MARK: - HTTP

    /// One HTTP request to the backend (port 8000) or the frontend (port 3000), answered as the
    /// application would; nothing listening answers 502 with the reason (the container is down).
    public func respond(_ request: HTTPRequest) -> HTTPResponse {
        do {
            return try transact({ db in
                guard let response = try Endpoints.respond(request, db: db, world: world) else {
                    let service = request.port == 3000 ? "frontend" : "backend"
                    return HTTPResponse(status: 503, contentType: "application/json",
                                        body: JSONValue.object([("status", .string("unhealthy")), ("detail", .string("the \(service) container is not running"))]).serialized())
                }
                return response
            }, failed: { $0.status >= 400 })
        } catch {
            return HTTPResponse(status: 500, contentType: "application/json",
                                body: JSONValue.object([("detail", .string(ScenarioRunner.message(error)))]).serialized())
        }
    }

    // MARK: - MCP

    /// The three write tools, called by an agent: the application's result (a pending proposal,
    /// or the bypass's direct write), or the application's refusal as an error.
    public func callTool(_ name: String, caller: String, arguments: JSONValue) -> Result<JSONValue, ApplicationError> {
        do {
            let outcome: Result<JSONValue, ApplicationError> = try transact({ db in
                do { return .success(try MCPTools.call(db, world: world, tool: name, caller: caller, arguments: arguments)) } catch let error as ApplicationError { return .failure(error) }
            }, failed: { if case .failure = $0 { return true }; return false })
            return outcome
        } catch {
            return .failure(ApplicationError(500, ScenarioRunner.message(error)))
        }
    }

    // MARK: - The rehearsal's own endpoints

    /// `GET /rehearse/invariants`: the latest evaluation, as `rehearse check --format json` prints it.
    public func invariantsJSON() -> JSONValue {
        queue.inDatabase { _ in
            var report = InvariantReport(results: latest).json()
            if case .object(var members) = report {
                members.insert(("clock", .string(world.clock.iso8601)), at: 1)
                members.insert(("evaluations", .int(evaluations)), at: 2)
                report = .object(members)
            }
            return report
        }
    }

    /// `POST /rehearse/advance {"by": "25h"}`: moves the virtual clock; the worker's schedule runs
    /// what falls due, the agents' traffic does not (a served stack's agents are its clients).
    public func advance(by text: String) throws -> JSONValue {
        guard let seconds = DurationText.seconds(text), seconds > 0 else {
            throw ApplicationError(422, "'by' must be a duration such as 90s, 15m, 25h or 2d (at most \(DurationText.maximumSeconds / 86_400) days)")
        }
        return try transact({ db in
            try world.advance(db, by: seconds)
            return .object([("clock", .string(world.clock.iso8601))])
        }, failed: { _ in false })
    }
}
