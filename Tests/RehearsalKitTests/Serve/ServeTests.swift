import Foundation
import GRDB
import Testing
@testable import RehearsalKit

/// `rehearse serve` with real clients: curl and jq running the checklist's own lines, a
/// Python MCP client, `rehearse sql` / `check` in other processes on the same database.
@Suite(.serialized) struct ServeTests {
    static let curlAndJq = OptionalTool.has("curl") && OptionalTool.has("jq")

    /// A scenario that leaves one pending proposal and a trace, for the API and the viewer.
    static let scenario = """
        name: served
        fixtures: small
        revision: 007_add_agent_traces
        code: sprint3
        seed: 7
        steps:
          - tool: {call: propose_signal, as: "agent:triage-bot", args: {subject: acct-5, signal_type: anomaly, payload: {amount: 25000}}}

        """

    static func scenarioFile() throws -> String {
        let file = try makeTemporaryDirectory().appendingPathComponent("served.yaml")
        try scenario.write(to: file, atomically: true, encoding: .utf8)
        return file.path
    }

    /// 4.3 and 4.4 as the checklist writes them, pointed at the server, answer what the
    /// checklist expects (the lines come from the checklist file, not from this test).
    @Test(.enabled(if: curlAndJq, "needs curl and jq (apt-get install curl jq; .ci/run installs them)"))
    func theChecklistsCurlLinesAnswerAsItExpects() throws {
        let server = try ServedProcess(["--fixtures", "small"])
        defer { server.stop() }
        let checklist = try ChecklistParser.shipped()
        let lines = (checklist.items(in: "4.3") + checklist.items(in: "4.4")).compactMap { item -> String? in
            if case .command(let line) = item.kind, line.hasPrefix("curl") { return line }
            return nil
        }
        #expect(lines.count == 5, "\(lines)")
        for line in lines {
            let command = line.replacingOccurrences(of: "http://localhost:8000", with: server.backend)
            let result = try ChildProcess.run("/bin/bash", ["-c", command], timeout: 60)
            #expect(result.status == 0, "\(command): \(result.stderr)")
            let output = result.stdout.trimmingCharacters(in: .whitespacesAndNewlines)
            if line.contains("/health") {
                #expect(try JSONParser.parse(output) == JSONParser.parse(#"{"status": "healthy", "database": "connected"}"#))
            } else if line.contains("/docs") {
                #expect(output == "200")
            } else if line.contains("/api/v1/stats") {
                let counts = try JSONParser.parse(output)
                #expect(counts["decisions"] == .int(135) && counts["users"] == .int(12), "\(output)")
            } else if line.contains("/api/v1/approvals") {
                #expect(try JSONParser.parse(output) == JSONParser.parse(#"{"detail": "Not authenticated"}"#))
            } else if line.contains("/api/v1/traces") {
                #expect(try JSONParser.parse(output) == .array([]))
            } else {
                Issue.record("a curl line this test does not know: \(line)")
            }
        }
        #expect(server.stop() == 0)
        #expect(server.standardOutput.contains("stopped; "))
    }

    /// Bad input gets FastAPI's status and `detail`, and writes nothing.
    @Test(.enabled(if: curlAndJq, "needs curl and jq (apt-get install curl jq; .ci/run installs them)"))
    func badInputIsRefusedAsFastAPIWouldAndWritesNothing() throws {
        let server = try ServedProcess(["--scenario", try Self.scenarioFile()])
        defer { server.stop() }
        let api = server.backend
        func auditEvents() throws -> Int? { try DatabaseQueue(path: server.database.path).read { db in try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM audit_events") } }
        let auditBefore = try auditEvents()
        func detail(_ body: String) throws -> JSONValue? { try JSONParser.parse(body)["detail"] }
        #expect(try server.curl(["\(api)/nowhere"]) == (404, #"{"detail":"Not Found"}"#))
        #expect(try server.curl(["-X", "POST", "\(api)/health"]) == (405, #"{"detail":"Method Not Allowed"}"#))
        #expect(try server.curl(["\(api)/api/v1/approvals"]) == (401, #"{"detail":"Not authenticated"}"#))
        #expect(try server.curl(["-H", "Authorization: Bearer nobody@example.invalid", "\(api)/api/v1/approvals"]) == (401, #"{"detail":"Could not validate credentials"}"#))
        let pending = try server.curl(["-H", "Authorization: Bearer role:approver", "\(api)/api/v1/approvals"])
        #expect(pending.status == 200)
        let id = try #require(JSONParser.parse(pending.body).arrayValue?.first?["id"]?.stringValue)
        let malformed = try server.curl(["-X", "POST", "-H", "Authorization: Bearer role:approver", "-d", "{\"notes\":", "\(api)/api/v1/approvals/\(id)/approve"])
        #expect(malformed.status == 422)
        #expect(try detail(malformed.body)?.arrayValue?.first?["type"] == .string("json_invalid"))
        let wrongType = try server.curl(["-X", "POST", "-H", "Authorization: Bearer role:approver", "-d", "{\"notes\": 5}", "\(api)/api/v1/approvals/\(id)/approve"])
        #expect(wrongType.status == 422 && wrongType.body.contains("string_type"))
        let big = server.directory.appendingPathComponent("big.json")
        try Data(repeating: UInt8(ascii: "a"), count: ServedStack.bodyLimit + 1).write(to: big)
        let oversized = try server.curl(["-X", "POST", "--data-binary", "@\(big.path)", "\(api)/rehearse/advance"])
        #expect(oversized.status == 413)
        #expect(try server.curl(["-X", "POST", "-d", "{\"by\": \"soon\"}", "\(api)/rehearse/advance"]).status == 422)
        #expect(try server.curl(["-X", "POST", "-H", "Authorization: Bearer role:approver", "\(api)/api/v1/approvals/nope/approve"]).status == 404)
        // Nothing was written: the proposal is still pending, no audit event was added.
        let state = try runRehearse(["sql", "--db", server.database.path, "SELECT status FROM pending_proposals; SELECT COUNT(*) FROM audit_events"])
        #expect(state.stdout.contains(" pending\n"), "\(state.stdout)")
        #expect(try auditEvents() == auditBefore)
    }

    /// One state: what a client does through the server, `rehearse sql` and `check` see from
    /// other processes while it runs; the invariants are re-evaluated after each write; the
    /// virtual clock moves only on request, and the worker's schedule runs what falls due.
    @Test(.enabled(if: curlAndJq, "needs curl and jq (apt-get install curl jq; .ci/run installs them)"))
    func clientsAndOtherProcessesShareOneState() throws {
        let server = try ServedProcess(["--scenario", try Self.scenarioFile()])
        defer { server.stop() }
        let api = server.backend
        let before = try JSONParser.parse(server.curl(["\(api)/rehearse/invariants"]).body)
        #expect(before["format"] == .string("rehearse-check/1"))
        let evaluations = try #require(before["evaluations"].flatMap { $0.doubleValue })
        let pending = try JSONParser.parse(server.curl(["-H", "Authorization: Bearer role:approver", "\(api)/api/v1/approvals"]).body)
        let id = try #require(pending.arrayValue?.first?["id"]?.stringValue)
        let approved = try server.curl(["-X", "POST", "-H", "Authorization: Bearer role:approver", "-H", "Content-Type: application/json",
                                        "-d", #"{"notes": "checked by hand"}"#, "\(api)/api/v1/approvals/\(id)/approve"])
        #expect(approved.status == 200, "\(approved.body)")
        let seen = try runRehearse(["sql", "--db", server.database.path, "SELECT status, review_notes FROM pending_proposals WHERE id = '\(id)'"])
        #expect(seen.status == 0 && seen.stdout.contains("approved") && seen.stdout.contains("checked by hand"), "\(seen.stdout)\(seen.stderr)")
        let signals = try runRehearse(["sql", "--db", server.database.path, "SELECT COUNT(*) FROM signals WHERE subject = 'acct-5'"])
        #expect(signals.stdout.contains(" 1\n"), "approving applied the proposal: \(signals.stdout)")
        let check = try runRehearse(["check", "--db", server.database.path])
        #expect(check.status == 0, "\(check.stdout)\(check.stderr)")
        let after = try JSONParser.parse(server.curl(["\(api)/rehearse/invariants"]).body)
        #expect((after["evaluations"]?.doubleValue ?? 0) > evaluations, "the approval was followed by an evaluation")
        #expect(after["clock"] == before["clock"], "time moves only on request")
        let moved = try JSONParser.parse(server.curl(["-X", "POST", "-d", #"{"by": "25h"}"#, "\(api)/rehearse/advance"]).body)
        #expect(moved["clock"] != before["clock"])
        #expect(server.stop() == 0)
    }

    /// `/openapi.json` is a valid OpenAPI 3.1 document (checked by openapi-spec-validator) and
    /// lists every operation `/docs` shows.
    @Test(.enabled(if: OptionalTool.has("curl") && OptionalTool.hasPythonModule("openapi_spec_validator"),
                   "needs curl and the Python package openapi-spec-validator (pip install openapi-spec-validator; .ci/run installs it)"))
    func theOpenAPIDocumentIsValid() throws {
        let server = try ServedProcess(["--fixtures", "small"])
        defer { server.stop() }
        let document = try server.curl(["\(server.backend)/openapi.json"])
        #expect(document.status == 200)
        let file = server.directory.appendingPathComponent("openapi.json")
        try document.body.write(to: file, atomically: true, encoding: .utf8)
        let check = try ChildProcess.run(OptionalTool.path("python3")!, ["-c", "import json, sys; from openapi_spec_validator import validate; validate(json.load(open(sys.argv[1]))); print('valid')", file.path])
        #expect(check.status == 0 && check.stdout == "valid\n", "\(check.stderr)")
        let parsed = try JSONParser.parse(document.body)
        #expect(parsed["openapi"] == .string("3.1.0"))
        let docs = try server.curl(["\(server.backend)/docs"]).body
        for operation in OpenAPIDocument.operations {
            #expect(parsed["paths"]?[operation.path]?[operation.method] != nil, "\(operation.path)")
            #expect(docs.contains("<code>\(operation.path.replacingOccurrences(of: "{", with: "{"))</code>"), "\(operation.path) on /docs")
        }
    }

    /// `/health` says why it is unhealthy: postgres stopped (the database is unreachable), or
    /// the backend container itself down; the viewer is down with the frontend.
    @Test(.enabled(if: curlAndJq, "needs curl and jq (apt-get install curl jq; .ci/run installs them)"))
    func healthSaysWhyWhenAContainerIsDown() throws {
        let directory = try makeTemporaryDirectory()
        for (service, expected) in [("postgres", #"{"status":"unhealthy","database":"unreachable"}"#),
                                    ("backend", #"{"status":"unhealthy","detail":"the backend container is not running"}"#)] {
            let file = directory.appendingPathComponent("\(service).yaml")
            try "name: down\nfixtures: small\nrevision: 007_add_agent_traces\ncode: sprint3\nsteps:\n  - stop: \(service)\n".write(to: file, atomically: true, encoding: .utf8)
            let server = try ServedProcess(["--scenario", file.path])
            defer { server.stop() }
            #expect(try server.curl(["\(server.backend)/health"]) == (503, expected))
        }
        let file = directory.appendingPathComponent("frontend.yaml")
        try "name: down\nfixtures: small\nrevision: 007_add_agent_traces\ncode: sprint3\nsteps:\n  - stop: frontend\n".write(to: file, atomically: true, encoding: .utf8)
        let server = try ServedProcess(["--scenario", file.path])
        defer { server.stop() }
        #expect(try server.curl(["\(server.viewer)/traces"]).status == 503)
    }

    /// `--clock real`: the virtual clock follows the wall clock.
    @Test(.enabled(if: curlAndJq, "needs curl and jq (apt-get install curl jq; .ci/run installs them)"))
    func aRealClockMovesOnItsOwn() throws {
        let server = try ServedProcess(["--fixtures", "small", "--clock", "real"])
        defer { server.stop() }
        let first = try JSONParser.parse(server.curl(["\(server.backend)/rehearse/invariants"]).body)["clock"]?.stringValue
        Thread.sleep(forTimeInterval: 3)
        let later = try JSONParser.parse(server.curl(["\(server.backend)/rehearse/invariants"]).body)["clock"]?.stringValue
        let seconds = try #require(later.flatMap { Timestamp(iso8601: $0) }).seconds - #require(first.flatMap { Timestamp(iso8601: $0) }).seconds
        #expect(seconds >= 1, "\(String(describing: first)) → \(String(describing: later))")
    }

    /// Load from a second process on loopback (bounded: 20 clients, 3 s): no errors, every
    /// successful MCP write is a row and no more, p50/p99 reported, a clean stop under load.
    @Test func underLoadNoRequestFailsAndNoWriteIsLost() throws {
        let result = try runRehearse(["bench", "--parts", "serve", "--clients", "20", "--seconds", "3"])
        #expect(result.status == 0, "\(result.stderr)")
        #expect(result.stdout.contains(", 0 errors"), "\(result.stdout)")
        #expect(result.stdout.contains("no lost writes"), "\(result.stdout)")
        let written = try #require(result.stdout.firstMatch(of: /writes: (\d+) proposals created/))
        #expect(Int(written.1)! > 0)
        #expect(result.stdout.contains("mcp propose_signal") && result.stdout.contains("p99"))
        #expect(result.stdout.contains("server exit status after SIGTERM: 0"))
    }

    /// A port another process holds is a clear error and exit 2, not a stack trace.
    @Test func aPortInUseIsAClearError() throws {
        let first = try ServedProcess(["--fixtures", "small"])
        defer { first.stop() }
        let directory = try makeTemporaryDirectory()
        let result = try runRehearse(["serve", "--db", directory.appendingPathComponent("b.db").path, "--fixtures", "small",
                                      "--port", String(first.backendPort), "--viewer-port", "0"])
        #expect(result.status == 2)
        #expect(result.stderr.contains("error: serve failed: address already in use"), "\(result.stderr)")
        let exists = try runRehearse(["serve", "--db", first.database.path, "--fixtures", "small"])
        #expect(exists.status == 2 && exists.stderr.contains("the database exists"), "\(exists.stderr)")
        let fault = try runRehearse(["serve", "--db", "x.db", "--fault", "mcp.bypass"])
        #expect(fault.status == 64 && fault.stderr.contains("did you mean 'mcp.bypass_approval'?"), "\(fault.stderr)")
    }
}
