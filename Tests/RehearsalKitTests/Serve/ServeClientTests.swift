import Foundation
import GRDB
import Testing
@testable import RehearsalKit

/// `rehearse serve` with the other real clients: the Python MCP client (`pip install mcp`) over
/// Streamable HTTP and stdio, and headless Chromium on the traces viewer.
@Suite(.serialized) struct ServeClientTests {
    static let client = packageRoot.appendingPathComponent("Tests/Fixtures/clients/mcp_client.py").path
    static let hasMCP = OptionalTool.hasPythonModule("mcp")
    static let hasChromium = OptionalTool.has("chromium") && OptionalTool.has("curl")

    /// Checklist 4.5's three calls and two a client can get wrong.
    static let calls = """
        [{"tool": "propose_signal", "arguments": {"subject": "acct-77", "signal_type": "anomaly", "payload": {"amount": 12000}}},
         {"tool": "propose_policy_draft", "arguments": {"policy": "POL-AML-001", "rules": {"rules": [{"id": "r1", "pointer": "/amount", "op": "gt", "value": 9000, "outcome": "fail"}], "default": "pass"}}},
         {"tool": "dismiss_exception", "arguments": {"exception": "open", "reason": "duplicate alert"}},
         {"tool": "propose_signal", "arguments": {"subject": ""}},
         {"tool": "no_such_tool", "arguments": {}}]
        """

    static func runClient(_ arguments: [String], in directory: URL) throws -> JSONValue {
        let calls = directory.appendingPathComponent("calls.json")
        try Self.calls.write(to: calls, atomically: true, encoding: .utf8)
        let result = try ChildProcess.run(OptionalTool.path("python3")!, [client] + arguments.map { $0 == "CALLS" ? calls.path : $0 }, timeout: 120)
        guard result.status == 0 else { throw ServeTestError("the MCP client failed: \(result.stderr.suffix(2000))") }
        return try JSONParser.parse(result.stdout)
    }

    /// The client lists the three tools with their schemas and calls each: a pending proposal
    /// every time, nothing written to the target tables, bad calls as tool errors; the 4.5 table
    /// is filled from what the client saw. The agent is the client's name.
    @Test(.enabled(if: hasMCP, "needs the Python package mcp (pip install mcp; .ci/run installs it)"))
    func aRealMCPClientSeesTheGateOverStreamableHTTP() throws {
        let server = try ServedProcess(["--fixtures", "small"])
        defer { server.stop() }
        let seen = try Self.runClient(["http", "\(server.backend)/mcp", "CALLS"], in: server.directory)
        let tools = seen["tools"]?.arrayValue ?? []
        #expect(tools.compactMap { $0["name"]?.stringValue } == MCPTools.writeTools)
        #expect(tools.allSatisfy { $0["input_schema"]?["type"] == .string("object") })
        let calls = seen["calls"]?.arrayValue ?? []
        try #require(calls.count == 5)
        var table: [String] = []
        for call in calls.prefix(3) {
            let structured = call["structured"]
            let proposal = structured?["status"] == .string("pending_approval") && structured?["proposal_id"]?.stringValue != nil
            table.append("| \(call["tool"]?.stringValue ?? "?") | \(proposal ? "[x]" : "[ ]") | \(call["is_error"] == .bool(false) ? "[x]" : "[ ]") |")
        }
        #expect(table == MCPTools.writeTools.map { "| \($0) | [x] | [x] |" })
        #expect(calls[3]["is_error"] == .bool(true) && calls[3]["text"]?.stringValue == "422: propose_signal: argument 'subject' must be a non-empty string")
        #expect(calls[4]["is_error"] == .bool(true) && (calls[4]["text"]?.stringValue ?? "").hasPrefix("404: unknown tool 'no_such_tool'"))
        let rows = try DatabaseQueue(path: server.database.path).read { db in
            (try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM signals WHERE subject = 'acct-77'"),
             try String.fetchAll(db, sql: "SELECT DISTINCT proposed_by FROM pending_proposals"))
        }
        #expect(rows.0 == 0, "nothing is written before a human approves")
        #expect(rows.1 == ["agent:triage-bot"], "the agent is the client's name")
        let report = try JSONParser.parse(server.curl(["\(server.backend)/rehearse/invariants"]).body)
        #expect(Self.status("approvals.gate_enforced", in: report) == "holds")
    }

    /// With the bypass injected the same client's call writes directly, and the invariant the
    /// server re-evaluates after it says so. Over stdio too (a client that launches rehearse).
    @Test(.enabled(if: hasMCP, "needs the Python package mcp (pip install mcp; .ci/run installs it)"))
    func theBypassBreaksTheGateAndStdioWorks() throws {
        let server = try ServedProcess(["--fixtures", "small", "--fault", "mcp.bypass_approval"])
        defer { server.stop() }
        let seen = try Self.runClient(["http", "\(server.backend)/mcp", "CALLS", #"{"X-Agent-Id": "rogue-bot"}"#], in: server.directory)
        let first = seen["calls"]?.arrayValue?.first
        #expect(first?["structured"]?["status"] == .string("created"), "\(String(describing: first))")
        let report = try JSONParser.parse(server.curl(["\(server.backend)/rehearse/invariants"]).body)
        #expect(Self.status("approvals.gate_enforced", in: report) == "broken")
        let writer = try DatabaseQueue(path: server.database.path).read { db in try String.fetchOne(db, sql: "SELECT created_by FROM signals WHERE subject = 'acct-77'") }
        #expect(writer == "agent:rogue-bot", "the X-Agent-Id header names the agent")
        #expect(server.stop() == 0)

        // stdio: the client launches `rehearse serve --mcp stdio` on the database just served.
        let binary = packageRoot.appendingPathComponent(".build/debug/rehearse").path
        let stdio = try Self.runClient(["stdio", "CALLS", "--", binary, "serve", "--db", server.database.path, "--mcp", "stdio"], in: server.directory)
        #expect(stdio["tools"]?.arrayValue?.count == 3)
        #expect(stdio["calls"]?.arrayValue?.first?["structured"]?["status"] == .string("pending_approval"), "a new process: no fault injected")
    }

    static func status(_ id: String, in report: JSONValue) -> String? {
        report["invariants"]?.arrayValue?.first { $0["id"]?.stringValue == id }?["status"]?.stringValue
    }

    /// Headless Chromium renders the viewer; the text it shows is scanned with `rehearse pii
    /// scan`: nothing with scrubbing on, findings with `viewer.unsanitized`. A screenshot of each
    /// is kept under .build/test-artefacts/.
    @Test(.enabled(if: hasChromium, "needs chromium and curl (apt-get install chromium curl; .ci/run installs them)"))
    func chromiumShowsTheViewerAndItsTextHasNoPII() throws {
        let artefacts = packageRoot.appendingPathComponent(".build/test-artefacts")
        try FileManager.default.createDirectory(at: artefacts, withIntermediateDirectories: true)
        let scenario = try makeTemporaryDirectory().appendingPathComponent("viewer.yaml")
        try """
            name: viewer
            fixtures: small
            revision: 007_add_agent_traces
            code: sprint3
            steps:
              - tool: {call: propose_signal, as: "user:role:analyst", args: {subject: acct-5, signal_type: anomaly}}

            """.write(to: scenario, atomically: true, encoding: .utf8)
        for (fault, clean) in [(nil as String?, true), ("viewer.unsanitized", false)] {
            let server = try ServedProcess(["--scenario", scenario.path] + (fault.map { ["--fault", $0] } ?? []))
            defer { server.stop() }
            let name = fault == nil ? "traces-viewer" : "traces-viewer-unsanitized"
            let url = "\(server.viewer)/traces"
            let dom = try Self.chromium(["--dump-dom", url])
            #expect(dom.contains("Agent traces"), "\(dom.prefix(500))")
            _ = try Self.chromium(["--screenshot=\(artefacts.appendingPathComponent("\(name).png").path)", "--window-size=1280,800", url])
            #expect(FileManager.default.fileExists(atPath: artefacts.appendingPathComponent("\(name).png").path))
            // The page's text, one JSON line, scanned with the people the database knows.
            let text = TracesViewer.unescapeHTML(dom.replacingOccurrences(of: "<[^>]+>", with: " ", options: .regularExpression))
            let input = JSONValue.object([("page", .string(text))]).serialized() + "\n"
            let people = try DatabaseQueue(path: server.database.path).read { db in
                try Row.fetchAll(db, sql: "SELECT display_name, email FROM users").map {
                    JSONValue.object([("display_name", .string($0[0])), ("email", .string($0[1]))]).serialized()
                }.joined(separator: "\n") + "\n"
            }
            let peopleFile = server.directory.appendingPathComponent("people.jsonl")
            try people.write(to: peopleFile, atomically: true, encoding: .utf8)
            let scan = try runRehearse(["pii", "scan", "--people", peopleFile.path], stdin: input)
            if clean {
                #expect(scan.status == 0, "the viewer shows no PII: \(scan.stdout)")
            } else {
                #expect(scan.status == 1, "the unsanitized viewer shows PII: \(scan.stderr)")
            }
        }
    }

    static func chromium(_ arguments: [String]) throws -> String {
        let profile = try makeTemporaryDirectory()
        let result = try ChildProcess.run(OptionalTool.path("chromium")!, ["--headless", "--no-sandbox", "--disable-gpu", "--user-data-dir=\(profile.path)"] + arguments, timeout: 120)
        guard result.status == 0 else { throw ServeTestError("chromium failed: \(result.stderr.suffix(1500))") }
        return result.stdout
    }
}
