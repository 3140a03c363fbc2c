import GRDB

/// `npx @modelcontextprotocol/inspector --cli URL --method tools/list|tools/call --tool-name T
/// --tool-arg k=v…`: the MCP Inspector's command-line mode against the mcp-server on port 8001.
/// The calling agent is the inspector's client (`agent:mcp-inspector`) unless an
/// `X-Agent: NAME` header names another.
extension ShellSession {
    func mcpInspector(_ invocation: Invocation) throws -> ToolOutput {
        let arguments = invocation.arguments
        guard arguments.operands.first == "@modelcontextprotocol/inspector", arguments.has("--cli") else {
            return .err("rehearse: not simulated: npx \(arguments.operands.first ?? "") (simulated: npx @modelcontextprotocol/inspector --cli URL --method …)", status: 2)
        }
        guard let url = arguments.operands.dropFirst().first, url.contains("localhost:8001") || url.contains("127.0.0.1:8001") else {
            return .err("Failed to connect to MCP server: fetch failed", status: 1)
        }
        guard stack.isRunning(.mcpServer) else { return .err("Failed to connect to MCP server: fetch failed (connect ECONNREFUSED 127.0.0.1:8001)", status: 1) }
        let caller = arguments.values("--header").first { $0.lowercased().hasPrefix("x-agent:") }
            .map { "agent:" + $0.dropFirst(8).trimmingWhitespace().replacingOccurrences(of: "agent:", with: "") } ?? "agent:mcp-inspector"
        switch arguments.value("--method") {
        case "tools/list":
            let tools = stack.code(.mcpServer).mcpWriteTools ? ["search_signals", "get_exception"] + MCPTools.writeTools : ["search_signals", "get_exception"]
            return .out(JSONValue.object([("tools", .array(tools.map { .object([("name", .string($0))]) }))]).pretty())
        case "tools/call":
            guard let tool = arguments.value("--tool-name") else { return .err("Error: --tool-name is required for tools/call", status: 1) }
            var members: [(String, JSONValue)] = []
            for pair in arguments.values("--tool-arg") {
                guard let equals = pair.firstIndex(of: "=") else { return .err("Error: invalid --tool-arg '\(pair)' (expected key=value)", status: 1) }
                let text = String(pair[pair.index(after: equals)...])
                members.append((String(pair[..<equals]), (try? JSONParser.parse(text)).flatMap { $0.arrayValue != nil || $0["rules"] != nil ? $0 : nil } ?? .string(text)))
            }
            do {
                let result = try db.inSavepointReturning { try MCPTools.call(db, world: world, tool: tool, caller: caller, arguments: .object(members)) }
                return .out(JSONValue.object([("content", .array([.object([("type", .string("text")), ("text", .string(result.serialized()))])])), ("isError", .bool(false))]).pretty())
            } catch let error as ApplicationError {
                return .out(JSONValue.object([("content", .array([.object([("type", .string("text")), ("text", .string(error.message))])])), ("isError", .bool(true))]).pretty(), status: 1)
            }
        default:
            return .err("rehearse: not simulated: inspector method \(arguments.value("--method") ?? "(none)") (simulated: tools/list, tools/call)", status: 2)
        }
    }
}
