import GRDB

/// Records `agent_traces` rows. Input and output summaries and tool calls go through the PII
/// scrubber before they are stored, unless the `traces.scrubbing_off` fault is active.
public enum TraceRecorder {
    static func record(
        _ db: Database, world: World, agentType: String, tool: String, arguments: JSONValue, context: JSONValue,
        output: JSONValue, triggeredBy: String, relatedException: String?
    ) throws {
        guard try db.hasTable("agent_traces") else { throw ApplicationError(500, "relation \"agent_traces\" does not exist") }
        var input: JSONValue = .object([("tool", .string(tool)), ("args", arguments), ("context", context)])
        var summary = output
        var calls: JSONValue = .array([.object([("tool", .string(tool)), ("args", arguments)])])
        if !world.faultActive(.tracesScrubbingOff, in: .mcpServer) {
            let scanner = PIIScanner(people: try knownPeople(db))
            input = scanner.scrub(input).value
            summary = scanner.scrub(summary).value
            calls = scanner.scrub(calls).value
        }
        let traceId = "trace-" + String(world.newId().replacingOccurrences(of: "-", with: "").prefix(16))
        try db.cachedStatement(sql: """
            INSERT INTO agent_traces (id, agent_type, trace_id, started_at, completed_at, status, input_summary, output_summary, tool_calls, triggered_by, related_exception_id)
            VALUES (?, ?, ?, ?, ?, 'ok', ?, ?, ?, ?, ?)
            """).execute(arguments: [world.newId(), String(agentType.prefix(100)), traceId, world.clock.iso8601, world.clock.adding(seconds: 1).iso8601,
                             input.serialized(), summary.serialized(), calls.serialized(), triggeredBy, relatedException])
    }

    /// The application's users: their names and emails are PII wherever they appear.
    /// One number that changes when any known person's name or email does.
    static func fingerprint(_ people: [KnownPerson]) -> UInt64 {
        Fingerprint.of(people.flatMap { [Array($0.displayName.utf8), Array($0.email.utf8)] })
    }

    public static func knownPeople(_ db: Database) throws -> [KnownPerson] {
        guard try db.hasTable("users") else { return [] }
        return try Row.fetchAll(db, cached: "SELECT display_name, email FROM users ORDER BY rowid").map { KnownPerson(displayName: $0[0], email: $0[1]) }
    }
}
