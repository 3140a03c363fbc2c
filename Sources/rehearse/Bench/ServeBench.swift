import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif
import GRDB
import RehearsalKit

/// `rehearse bench --parts serve`: `rehearse serve` in a child process on loopback, and this
/// process as its load: N concurrent clients for a bounded time, each cycling through the
/// health check, the approvals list, the traces viewer and an MCP `propose_signal` over
/// Streamable HTTP (the one request that writes). Reports requests, errors, throughput and
/// p50/p99 latency per kind, then counts the proposals in the database: every call that
/// succeeded must be there (no lost writes), and no failed one.
enum ServeBench {
    struct Sample: Sendable {
        var kind: String
        var seconds: Double
        var ok: Bool
    }

    static func run(directory: String, clients: Int, seconds: Double) async throws {
        let database = (directory as NSString).appendingPathComponent("serve-bench.db")
        try? FileManager.default.removeItem(atPath: database)
        let server = Process()
        server.executableURL = URL(fileURLWithPath: Bundle.main.executablePath ?? CommandLine.arguments[0])
        server.arguments = ["serve", "--db", database, "--fixtures", "small", "--port", "0", "--viewer-port", "0"]
        let output = Pipe()
        server.standardOutput = output
        server.standardError = FileHandle.nullDevice
        try server.run()
        defer { if server.isRunning { server.terminate(); server.waitUntilExit() } }
        var text = ""
        var ports: (Int, Int)?
        while ports == nil {
            let data = output.fileHandleForReading.availableData
            if data.isEmpty { throw ServeError("bench: rehearse serve exited before listening") }
            text += String(decoding: data, as: UTF8.self)
            func port(_ name: String) -> Int? {
                text.split(separator: "\n").first { $0.hasPrefix(name) }.flatMap { line in line.lastIndex(of: ":").flatMap { Int(line[line.index(after: $0)...]) } }
            }
            if let backend = port("backend"), let viewer = port("traces viewer") { ports = (backend, viewer) }
        }
        let (backend, viewer) = ports!
        let before = try proposals(database)
        print("serve: \(clients) clients for \(seconds) s against http://127.0.0.1:\(backend) and :\(viewer) (a child process; this one is the load)")
        let configuration = URLSessionConfiguration.ephemeral
        configuration.httpMaximumConnectionsPerHost = clients * 2
        configuration.timeoutIntervalForRequest = 30
        let session = URLSession(configuration: configuration)
        let watch = Stopwatch()
        let samples = await withTaskGroup(of: [Sample].self) { group in
            for client in 0..<clients {
                group.addTask { await loop(client: client, session: session, backend: backend, viewer: viewer, until: seconds, watch: watch) }
            }
            var all: [Sample] = []
            for await part in group { all += part }
            return all
        }
        let elapsed = watch.seconds
        server.terminate()
        server.waitUntilExit()
        let after = try proposals(database)
        let written = samples.filter { $0.kind == "mcp propose_signal" && $0.ok }.count
        let errors = samples.filter { !$0.ok }.count
        print(String(format: "  %d requests in %.1f s (the last ones finish after the %.0f s of load): %.0f requests/s, %d errors",
                     samples.count, elapsed, seconds, Double(samples.count) / elapsed, errors))
        for kind in ["GET /health", "GET /api/v1/approvals", "GET /traces (viewer)", "mcp propose_signal"] {
            let times = samples.filter { $0.kind == kind }.map(\.seconds).sorted()
            guard !times.isEmpty else { continue }
            func percentile(_ p: Double) -> Double { times[min(times.count - 1, Int(Double(times.count - 1) * p))] * 1000 }
            let label = "  " + kind.padding(toLength: 24, withPad: " ", startingAt: 0)
            print(label + String(format: " %6d requests  p50 %7.1f ms  p99 %7.1f ms  max %7.1f ms", times.count, percentile(0.5), percentile(0.99), times.last! * 1000))
        }
        print("  writes: \(written) proposals created by successful calls, \(after - before) new rows in pending_proposals: "
              + (after - before == written ? "no lost writes" : "MISMATCH (\(after - before - written))"))
        print("  server exit status after SIGTERM: \(server.terminationStatus)")
    }

    static func proposals(_ path: String) throws -> Int {
        try DatabaseQueue(path: path).read { db in try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM pending_proposals") ?? 0 }
    }

    /// One client: an MCP session, then the four requests in turn until the time is up.
    static func loop(client: Int, session: URLSession, backend: Int, viewer: Int, until seconds: Double, watch: Stopwatch) async -> [Sample] {
        var samples: [Sample] = []
        let api = "http://127.0.0.1:\(backend)"
        guard let mcpSession = await initialize(session: session, url: "\(api)/mcp", client: client) else {
            return [Sample(kind: "mcp initialize", seconds: 0, ok: false)]
        }
        var round = 0
        while watch.seconds < seconds {
            round += 1
            let kind: String
            var request: URLRequest
            switch round % 4 {
            case 0:
                kind = "GET /health"
                request = URLRequest(url: URL(string: "\(api)/health")!)
            case 1:
                kind = "GET /api/v1/approvals"
                request = URLRequest(url: URL(string: "\(api)/api/v1/approvals")!)
                request.setValue("Bearer role:approver", forHTTPHeaderField: "Authorization")
            case 2:
                kind = "GET /traces (viewer)"
                request = URLRequest(url: URL(string: "http://127.0.0.1:\(viewer)/traces")!)
            default:
                kind = "mcp propose_signal"
                request = mcpRequest("\(api)/mcp", session: mcpSession, body: """
                    {"jsonrpc":"2.0","id":\(round),"method":"tools/call","params":{"name":"propose_signal","arguments":{"subject":"load-\(client)-\(round)","signal_type":"anomaly"}}}
                    """, agent: client)
            }
            let watchOne = Stopwatch()
            var ok = false
            if let (data, response) = try? await session.data(for: request), let http = response as? HTTPURLResponse, http.statusCode == 200 {
                ok = kind != "mcp propose_signal" || String(decoding: data, as: UTF8.self).contains("pending_approval")
            }
            samples.append(Sample(kind: kind, seconds: watchOne.seconds, ok: ok))
        }
        return samples
    }

    static func mcpRequest(_ url: String, session: String?, body: String, agent: Int) -> URLRequest {
        var request = URLRequest(url: URL(string: url)!)
        request.httpMethod = "POST"
        request.setValue("application/json", forHTTPHeaderField: "Content-Type")
        request.setValue("application/json, text/event-stream", forHTTPHeaderField: "Accept")
        request.setValue("2025-06-18", forHTTPHeaderField: "MCP-Protocol-Version")
        if let session { request.setValue(session, forHTTPHeaderField: "MCP-Session-Id") }
        request.setValue("load-\(agent)", forHTTPHeaderField: "X-Agent-Id")
        request.httpBody = Data(body.utf8)
        return request
    }

    /// `initialize` and `notifications/initialized`: the session id, or nil.
    static func initialize(session: URLSession, url: String, client: Int) async -> String? {
        let hello = mcpRequest(url, session: nil, body: """
            {"jsonrpc":"2.0","id":0,"method":"initialize","params":{"protocolVersion":"2025-06-18","capabilities":{},"clientInfo":{"name":"load-\(client)","version":"1"}}}
            """, agent: client)
        guard let (_, response) = try? await session.data(for: hello), let http = response as? HTTPURLResponse,
              let id = http.value(forHTTPHeaderField: "MCP-Session-Id") else { return nil }
        let initialized = mcpRequest(url, session: id, body: #"{"jsonrpc":"2.0","method":"notifications/initialized"}"#, agent: client)
        _ = try? await session.data(for: initialized)
        return id
    }
}
