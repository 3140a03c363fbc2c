import Foundation
import Hummingbird
import HTTPTypes
import MCP
import NIOCore
import RehearsalKit

/// The mcp-server's write tools over the official MCP Swift SDK: stdio (`rehearse serve --mcp
/// stdio`) or Streamable HTTP on `/mcp`. The tools answer from `ServedStack.callTool` — the
/// same application model the scenarios play — so a pending proposal, the bypass's direct
/// write and every refusal are the application's; a refusal is an MCP tool error (`isError`).
enum MCPService {
    /// The agent a call is made as: the `X-Agent-Id` header of the HTTP request, else the
    /// client's name from `initialize` (`agent:NAME`).
    static func caller(clientName: String?) -> String {
        if let header = Server.currentHandlerContext?.httpContext?.header("X-Agent-Id")?.trimmingCharacters(in: .whitespaces), !header.isEmpty {
            return header.hasPrefix("agent:") || header.hasPrefix("user:") ? header : "agent:" + header
        }
        let name = clientName?.trimmingCharacters(in: .whitespaces) ?? ""
        return "agent:" + (name.isEmpty ? "mcp-client" : name)
    }

    static func value(_ json: JSONValue) -> Value {
        (try? JSONDecoder().decode(Value.self, from: Data(json.serialized().utf8))) ?? .null
    }

    static func json(_ arguments: [String: Value]?) -> JSONValue {
        guard let arguments, let data = try? JSONEncoder().encode(arguments), let text = String(data: data, encoding: .utf8) else { return .object([]) }
        return (try? JSONParser.parse(text)) ?? .object([])
    }

    /// A server for one client (one stdio connection or one HTTP session); `clientName` is set
    /// by `initialize` and read by every call.
    static func makeServer(stack: ServedStack, clientName: LockedValue<String?>) async -> Server {
        let server = Server(name: "governance-os-mcp", version: RehearseVersion.current,
                            instructions: "Governance OS Sprint 3 write tools, rehearsed: every write becomes a pending proposal a human approves.",
                            capabilities: .init(tools: .init(listChanged: false)))
        let tools = MCPTools.writeTools.map { name in
            Tool(name: name, description: MCPTools.descriptions[name], inputSchema: value(MCPTools.inputSchemas[name]!))
        }
        await server.withMethodHandler(ListTools.self) { _ in .init(tools: tools) }
        await server.withMethodHandler(CallTool.self) { params in
            let caller = caller(clientName: clientName.withLock { $0 })
            let arguments = json(params.arguments)
            let name = params.name
            let outcome = await offload { stack.callTool(name, caller: caller, arguments: arguments) }
            switch outcome {
            case .success(let result):
                return try .init(content: [.text(text: result.serialized(), annotations: nil, _meta: nil)], structuredContent: value(result), isError: false)
            case .failure(let error):
                return .init(content: [.text(text: "\(error.status): \(error.message)", annotations: nil, _meta: nil)], isError: true)
            }
        }
        return server
    }

    /// `rehearse serve --mcp stdio`: one client on stdin/stdout until it closes them.
    static func serveStdio(stack: ServedStack) async throws {
        let name = LockedValue<String?>(nil)
        let server = await makeServer(stack: stack, clientName: name)
        try await server.start(transport: StdioTransport()) { info, _ in name.withLock { $0 = info.name } }
        await server.waitUntilCompleted()
    }
}

/// Streamable HTTP on `/mcp`: a session per client, created by its `initialize` request, as
/// the SDK's stateful transport expects; session ids are sequential (no random source).
actor MCPHTTPEndpoint {
    let stack: ServedStack
    private var sessions: [String: (server: Server, transport: StatefulHTTPServerTransport)] = [:]
    private var next = 0

    init(stack: ServedStack) {
        self.stack = stack
    }

    struct FixedSessionID: SessionIDGenerator {
        let id: String
        func generateSessionID() -> String { id }
    }

    func respond(method: String, headers: [String: String], body: Data, path: String) async -> Response {
        let request = MCP.HTTPRequest(method: method, headers: headers, body: body.isEmpty ? nil : body, path: path)
        if let id = request.header(HTTPHeaderName.sessionID) {
            guard let session = sessions[id] else {
                return Self.response(.error(statusCode: 404, .invalidRequest("Not Found: Session not found or expired")))
            }
            let response = await session.transport.handleRequest(request)
            if method == "DELETE", response.statusCode == 200 {
                sessions[id] = nil
                await session.transport.disconnect()
            }
            return Self.response(response)
        }
        guard method == "POST", Self.isInitialize(body) else {
            return Self.response(.error(statusCode: 400, .invalidRequest("Bad Request: Missing \(HTTPHeaderName.sessionID) header")))
        }
        next += 1
        let id = "rehearse-session-\(next)"
        let transport = StatefulHTTPServerTransport(sessionIDGenerator: FixedSessionID(id: id))
        let name = LockedValue<String?>(nil)
        let server = await MCPService.makeServer(stack: stack, clientName: name)
        do {
            try await server.start(transport: transport) { info, _ in name.withLock { $0 = info.name } }
        } catch {
            return Self.response(.error(statusCode: 500, .internalError("could not start the session: \(error)")))
        }
        sessions[id] = (server, transport)
        let response = await transport.handleRequest(request)
        if case .error = response {
            sessions[id] = nil
            await transport.disconnect()
        }
        return Self.response(response)
    }

    /// An `initialize` request (alone or in a batch) starts a session.
    static func isInitialize(_ body: Data) -> Bool {
        guard let text = String(data: body, encoding: .utf8), let message = try? JSONParser.parse(text) else { return false }
        let messages = message.arrayValue ?? [message]
        return messages.contains { $0["method"]?.stringValue == "initialize" && $0["id"] != nil }
    }

    func closeAll() async {
        for session in sessions.values { await session.transport.disconnect() }
        sessions = [:]
    }

    static func response(_ response: MCP.HTTPResponse) -> Response {
        var fields = HTTPFields()
        for (name, value) in response.headers {
            if let field = HTTPField.Name(name) { fields[field] = value }
        }
        switch response {
        case .stream(let stream, _):
            let buffers = stream.map { data -> ByteBuffer in
                var buffer = ByteBuffer()
                buffer.writeBytes(data)
                return buffer
            }
            return Response(status: .init(code: response.statusCode), headers: fields, body: .init(asyncSequence: buffers))
        default:
            var buffer = ByteBuffer()
            if let data = response.bodyData { buffer.writeBytes(data) }
            return Response(status: .init(code: response.statusCode), headers: fields, body: .init(byteBuffer: buffer))
        }
    }
}
