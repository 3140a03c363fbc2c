import GRDB
import Testing
@testable import RehearsalKit

/// `api.endpoints_healthy` asks the traces endpoint for its status only, after every step: it
/// must get the status the full answer has, and a row the response model refuses is a 500 for
/// both. Such rows (a table remade by raw SQL without its NOT NULLs or types) used to stop the
/// engine wherever a trace was read as a required string: the endpoint, the viewer, the scanner.
@Suite struct EndpointProbeTests {
    func get(_ rig: StackRig, statusOnly: Bool) throws -> HTTPResponse? {
        try rig.read { db in
            var request = HTTPRequest(port: 8000, path: "/api/v1/traces", headers: ["Authorization": "Bearer user:role:approver"])
            request.statusOnly = statusOnly
            return try Endpoints.respond(request, db: db, world: rig.world)
        }
    }

    @Test func theProbeGetsTheStatusOfTheFullAnswer() throws {
        let rig = try StackRig()
        try rig.read { db in
            _ = try MCPTools.call(db, world: rig.world, tool: "propose_signal", caller: "agent:triage-bot", arguments: .object([("subject", .string("s")), ("signal_type", .string("t"))]))
        }
        let full = try #require(try get(rig, statusOnly: false)), probe = try #require(try get(rig, statusOnly: true))
        #expect(full.status == 200 && probe.status == 200)
        #expect(full.body.hasPrefix("[{") && probe.body.isEmpty)

        // agent_traces remade without its NOT NULLs, one trace with no status.
        try rig.read { db in
            try db.execute(sql: """
                DROP TABLE agent_traces;
                CREATE TABLE agent_traces (id INTEGER PRIMARY KEY, trace_id TEXT, agent_type TEXT, status TEXT, started_at TEXT, input_summary TEXT,
                                           output_summary TEXT, tool_calls TEXT, error_message TEXT, triggered_by TEXT);
                INSERT INTO agent_traces (trace_id, agent_type, status, started_at, input_summary) VALUES ('t-1', 'triage', NULL, '2026-01-14T09:00:00Z', '{}');
                """)
        }
        #expect(try get(rig, statusOnly: false)?.status == 500)
        #expect(try get(rig, statusOnly: true)?.status == 500)
        #expect(try rig.broken().contains("api.endpoints_healthy"))
        // The viewer shows the NULL as nothing; a number where text belongs is shown and scanned.
        try rig.read { db in try db.execute(sql: "INSERT INTO agent_traces (trace_id, agent_type, status, started_at, input_summary) VALUES (NULL, 7, 'ok', '2026-01-14T10:00:00Z', 42)") }
        let page = try rig.read { db in try TracesViewer.render(db, world: rig.world) }
        #expect(page.contains("<tr><td></td><td>7</td><td>ok</td>"))
        #expect(try get(rig, statusOnly: true)?.status == 500)
        let statuses = try rig.read { db in try InvariantCatalog.standard.evaluate(rig.world.invariantContext(db), only: ["traces.no_pii", "traces.viewer_no_pii"]) }
        #expect(statuses.count == 2 && statuses.allSatisfy { !$0.status.isBroken && !$0.status.isUnknown }, "\(statuses.map(\.status))")
    }
}
