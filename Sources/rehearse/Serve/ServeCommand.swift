import ArgumentParser
import Foundation
import Hummingbird
import Logging
import RehearsalKit
import ServiceLifecycle

struct ServeCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "serve",
        abstract: "Serve the rehearsed stack to real clients: the API and MCP (backend port), the traces viewer (viewer port).",
        discussion: """
            With --scenario or --fixtures, builds a new database at --db (it must not exist); \
            without, serves an existing one as the Sprint 3 code at its recorded revision. \
            Listens on 127.0.0.1 unless --host says otherwise. `rehearse sql` and `rehearse check` \
            on the same --db see what clients did. SIGINT or SIGTERM stops it cleanly (exit 0). \
            Exit 2: bad input (an existing database with --fixtures, an unknown fault, a port in use).
            """)

    @Option(name: .long, help: "The database to serve (and build, with --scenario or --fixtures).") var db: String
    @Option(name: .long, help: "Build the stack a scenario leaves: its revision, fixtures and steps.") var scenario: String?
    @Option(name: .long, help: "Build a stack at head with these fixtures: small, staging or production.") var fixtures: String?
    @Option(name: .long, help: "The seed for fixtures and identifiers (default: the scenario's, else 42).") var seed: UInt64?
    @Option(name: .long, help: "The backend's port: the API, /docs, /openapi.json, /mcp, /rehearse/… (0: any free port).") var port: Int = 8000
    @Option(name: .long, help: "The traces viewer's port: /traces, /traces/{id} (0: any free port).") var viewerPort: Int = 3000
    @Option(name: .long, help: "The address to listen on (default 127.0.0.1; another address must be given explicitly).") var host: String?
    @Option(name: .long, help: "Inject a fault before serving (repeatable; `rehearse faults` lists them).") var fault: [String] = []
    @Option(name: .long, help: "`stdio`: speak MCP on stdin/stdout instead of serving HTTP (for an MCP client that launches rehearse).") var mcp: String?
    @Option(name: .long, help: "`virtual` (default): time moves only with POST /rehearse/advance; `real`: with the wall clock.") var clock: String = "virtual"
    @Option(name: .long, help: "The virtual time to start from when serving an existing database (ISO 8601; default 2026-01-14T09:00:00Z).") var start: String?

    func validate() throws {
        if scenario != nil && fixtures != nil { throw ValidationError("--scenario and --fixtures both build the stack: give one") }
        if let fixtures, SeedProfile.named(fixtures) == nil { throw ValidationError("--fixtures '\(fixtures)' is not a profile: small, staging or production") }
        for (name, value) in [("--port", port), ("--viewer-port", viewerPort)] where !(0...65535).contains(value) {
            throw ValidationError("\(name) \(value) is not a port (0 to 65535)")
        }
        if port != 0 && port == viewerPort { throw ValidationError("--port and --viewer-port are both \(port): give two ports") }
        if let mcp, mcp != "stdio" { throw ValidationError("--mcp '\(mcp)': the one transport chosen here is stdio (Streamable HTTP is always on /mcp)") }
        if !["virtual", "real"].contains(clock) { throw ValidationError("--clock '\(clock)' must be virtual or real") }
        if let start, Timestamp(iso8601: start) == nil { throw ValidationError("--start '\(start)' is not an ISO 8601 time such as 2026-01-14T09:00:00Z") }
        for name in fault where FaultCatalog.named(name) == nil {
            let suggestion = NearestName.suggest(name, among: FaultCatalog.names).map { " (did you mean '\($0)'?)" } ?? ""
            throw ValidationError("--fault '\(name)' is not a fault\(suggestion); `rehearse faults` lists them")
        }
    }

    func run() async throws {
        var stack: ServedStack?
        try reportingErrors("serve", file: db) { stack = try buildStack() }
        guard let stack else { return }
        if mcp == "stdio" {
            printError("rehearse serve: MCP on stdio, database \(db)")
            try await MCPService.serveStdio(stack: stack)
            return
        }
        try await serveHTTP(stack)
    }

    func buildStack() throws -> ServedStack {
        let chain = try RevisionChain.shipped()
        let stack: ServedStack
        if scenario != nil || fixtures != nil {
            guard !FileManager.default.fileExists(atPath: db) else { throw ServeError("\(db): error: the database exists; serve it as it is (without --scenario/--fixtures) or give a new path") }
            let loader = ScenarioLoader(chain: chain)
            let plan = try scenario.map { try loader.load(path: $0) }
                ?? loader.load(text: "name: serve\nfixtures: \(fixtures!)\nrevision: head\ncode: sprint3\nsteps:\n  - verify: [schema.revision]\n", file: "--fixtures \(fixtures!)")
            stack = try ServedStack.build(path: db, scenario: plan, chain: chain, seed: seed)
        } else {
            stack = try ServedStack.open(path: db, chain: chain, seed: seed ?? 42,
                                         start: start.flatMap { Timestamp(iso8601: $0) } ?? Timestamp(iso8601: "2026-01-14T09:00:00Z")!)
        }
        for name in fault { for line in try stack.inject(name) { printError(line) } }
        return stack
    }

    func serveHTTP(_ stack: ServedStack) async throws {
        let address = host ?? "127.0.0.1"
        var logger = Logger(label: "rehearse.serve")
        logger.logLevel = .error
        let endpoint = MCPHTTPEndpoint(stack: stack)
        func application(_ port: Int, modelPort: Int, name: String) -> Application<StackResponder> {
            Application(
                responder: StackResponder(stack: stack, modelPort: modelPort, mcp: modelPort == 8000 ? endpoint : nil),
                configuration: .init(address: .hostname(address, port: port), serverName: "rehearse"),
                onServerRunning: { channel in
                    let bound = channel.localAddress?.port ?? port
                    let shown = address.contains(":") ? "[\(address)]" : address
                    // Unbuffered: a client (or a test) waits for this line to connect.
                    FileHandle.standardOutput.write(Data("\(name) listening on http://\(shown):\(bound)\n".utf8))
                },
                logger: logger)
        }
        let backend = application(port, modelPort: 8000, name: "backend (API, /docs, /mcp, /rehearse)")
        let viewer = application(viewerPort, modelPort: 3000, name: "traces viewer (/traces)")
        var services: [any Service] = [backend, viewer]
        if clock == "real" { services.append(RealClock(stack: stack)) }
        let group = ServiceGroup(configuration: .init(services: services, gracefulShutdownSignals: [.sigterm, .sigint], logger: logger))
        do {
            try await group.run()
        } catch {
            await endpoint.closeAll()
            printError("\(db): error: serve failed: \(Self.describe(error)) (is another process listening on port \(port) or \(viewerPort)?)")
            throw ExitCode(ExitStatus.invalidInput.rawValue)
        }
        await endpoint.closeAll()
        print("stopped; \(db) holds everything the clients did")
    }

    static func describe(_ error: Error) -> String {
        let text = "\(error)"
        if text.contains("Address already in use") || text.contains("EADDRINUSE") { return "address already in use" }
        return text.split(whereSeparator: \.isNewline).first.map(String.init) ?? text
    }
}

/// `--clock real`: the virtual clock follows the wall clock, a second at a time.
struct RealClock: Service {
    let stack: ServedStack

    func run() async throws {
        let watch = Stopwatch()
        var advanced: Int64 = 0
        while !Task.isCancelled && !Task.isShuttingDownGracefully {
            try? await Task.sleep(for: .seconds(1))
            let elapsed = Int64(watch.seconds)
            if elapsed > advanced {
                _ = try? stack.advance(by: "\(elapsed - advanced)s")
                advanced = elapsed
            }
        }
    }
}

struct ServeError: UserFacingError {
    var description: String
    var exitStatus: ExitStatus { .invalidInput }
    init(_ description: String) { self.description = description }
}
