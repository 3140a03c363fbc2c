/// The OpenAPI 3.1 description of what `rehearse serve` answers on the backend port: the
/// application's endpoints (as FastAPI would describe them, errors as `{"detail": …}`) and the
/// rehearsal's own (`/rehearse/…`, `/mcp`). `/docs` lists the same operations as HTML.
public enum OpenAPIDocument {
    public struct Operation: Sendable {
        public var method: String
        public var path: String
        public var summary: String
        public var parameters: [(name: String, location: String, type: String, description: String)] = []
        public var body: JSONValue? = nil
        public var responses: [(status: Int, description: String, contentType: String)]
        public var secured = false
    }

    static let detail: (status: Int, description: String, contentType: String) = (422, "Validation Error: `{\"detail\": […]}`", "application/json")

    public static let operations: [Operation] = [
        Operation(method: "get", path: "/health", summary: "Health check (checklist 4.3): the database connection",
                  responses: [(200, "`{\"status\": \"healthy\", \"database\": \"connected\"}`", "application/json"), (503, "the database is unreachable", "application/json")]),
        Operation(method: "get", path: "/docs", summary: "This list of endpoints, as HTML", responses: [(200, "an HTML page", "text/html")]),
        Operation(method: "get", path: "/openapi.json", summary: "This document", responses: [(200, "OpenAPI 3.1", "application/json")]),
        Operation(method: "get", path: "/api/v1/stats", summary: "Row counts per table (checklist 4.1)", responses: [(200, "table → count", "application/json"), (503, "maintenance mode", "application/json")]),
        Operation(method: "get", path: "/api/v1/approvals", summary: "Proposals awaiting review (checklist 4.4)",
                  parameters: [("status", "query", "string", "pending (default), approved, rejected, expired or all")],
                  responses: [(200, "a list of proposals", "application/json"), (401, "`{\"detail\": \"Not authenticated\"}`", "application/json")], secured: true),
        Operation(method: "get", path: "/api/v1/approvals/{proposal_id}", summary: "One proposal",
                  parameters: [("proposal_id", "path", "string", "the proposal's id")],
                  responses: [(200, "the proposal", "application/json"), (401, "not authenticated", "application/json"), (404, "no such proposal", "application/json")], secured: true),
        Operation(method: "post", path: "/api/v1/approvals/{proposal_id}/approve", summary: "Approve a proposal as the reviewer the bearer token names; applies it",
                  parameters: [("proposal_id", "path", "string", "the proposal's id")], body: notesBody,
                  responses: [(200, "the approved proposal", "application/json"), (401, "not authenticated", "application/json"), (403, "the reviewer may not approve it", "application/json"),
                              (404, "no such proposal", "application/json"), (409, "not pending, or expired", "application/json"), detail], secured: true),
        Operation(method: "post", path: "/api/v1/approvals/{proposal_id}/reject", summary: "Reject a proposal as the reviewer the bearer token names",
                  parameters: [("proposal_id", "path", "string", "the proposal's id")], body: notesBody,
                  responses: [(200, "the rejected proposal", "application/json"), (401, "not authenticated", "application/json"), (404, "no such proposal", "application/json"),
                              (409, "not pending", "application/json"), detail], secured: true),
        Operation(method: "get", path: "/api/v1/traces", summary: "Agent traces, newest first, scrubbed",
                  parameters: [("limit", "query", "integer", "at most 500 (default 50)"), ("offset", "query", "integer", "rows to skip")],
                  responses: [(200, "a list of traces", "application/json")]),
        Operation(method: "post", path: "/mcp", summary: "MCP Streamable HTTP: the write tools propose_signal, propose_policy_draft, dismiss_exception",
                  body: .object([("type", .string("object")), ("description", .string("a JSON-RPC 2.0 message"))]),
                  responses: [(200, "a JSON-RPC response (JSON or an event stream)", "application/json"), (202, "a notification accepted", "application/json"), (400, "not a JSON-RPC message or no session", "application/json")]),
        Operation(method: "get", path: "/rehearse/invariants", summary: "The rehearsal: every invariant after the latest request that changed something (rehearse-check/1)",
                  responses: [(200, "the invariant report", "application/json")]),
        Operation(method: "post", path: "/rehearse/advance", summary: "The rehearsal: move the virtual clock; the worker's schedule runs what falls due",
                  body: .object([("type", .string("object")), ("properties", .object([("by", .object([("type", .string("string")), ("examples", .array([.string("25h"), .string("15m")]))]))])),
                                 ("required", .array([.string("by")])), ("additionalProperties", .bool(false))]),
                  responses: [(200, "`{\"clock\": …}`", "application/json"), detail]),
    ]

    static var notesBody: JSONValue {
        .object([("type", .string("object")), ("properties", .object([("notes", .object([("type", .string("string"))]))]))])
    }

    public static func json(serverURL: String) -> JSONValue {
        var paths: [(String, JSONValue)] = []
        let orderedPaths = operations.map(\.path).reduce(into: [String]()) { if !$0.contains($1) { $0.append($1) } }
        for path in orderedPaths {
            var methods: [(String, JSONValue)] = []
            for operation in operations where operation.path == path {
                var members: [(String, JSONValue)] = [
                    ("summary", .string(operation.summary)),
                    ("operationId", .string(operation.method + operation.path.replacingOccurrences(of: "/", with: "_").replacingOccurrences(of: "{", with: "").replacingOccurrences(of: "}", with: ""))),
                ]
                if !operation.parameters.isEmpty {
                    members.append(("parameters", .array(operation.parameters.map { parameter in
                        .object([("name", .string(parameter.name)), ("in", .string(parameter.location)), ("required", .bool(parameter.location == "path")),
                                 ("description", .string(parameter.description)), ("schema", .object([("type", .string(parameter.type))]))])
                    })))
                }
                if let body = operation.body {
                    members.append(("requestBody", .object([("required", .bool(operation.path == "/rehearse/advance" || operation.path == "/mcp")),
                                                            ("content", .object([("application/json", .object([("schema", body)]))]))])))
                }
                members.append(("responses", .object(operation.responses.map { response in
                    (String(response.status), .object([("description", .string(response.description)),
                                                       ("content", .object([(response.contentType, .object([("schema", response.contentType == "application/json" ? .object([]) : .object([("type", .string("string"))]))]))]))]))
                })))
                if operation.secured { members.append(("security", .array([.object([("bearer", .array([]))])]))) }
                methods.append((operation.method, .object(members)))
            }
            paths.append((path, .object(methods)))
        }
        return .object([
            ("openapi", .string("3.1.0")),
            ("info", .object([("title", .string("Governance OS (rehearsed by rehearse \(RehearseVersion.current))")), ("version", .string("sprint3")),
                              ("description", .string("The Sprint 3 backend as `rehearse serve` answers it from the rehearsal's application model."))])),
            ("servers", .array([.object([("url", .string(serverURL))])])),
            ("paths", .object(paths)),
            ("components", .object([("securitySchemes", .object([("bearer", .object([
                ("type", .string("http")), ("scheme", .string("bearer")),
                ("description", .string("a seeded user: `user:role:approver`, an email or a user id")),
            ]))]))])),
        ])
    }

    /// `/docs`: every operation, as a plain HTML page (no scripts, no network).
    public static func html() -> String {
        var rows = ""
        for operation in operations {
            rows += "<tr><td><code>\(operation.method.uppercased())</code></td><td><code>\(TracesViewer.escapeHTML(operation.path))</code></td><td>\(TracesViewer.escapeHTML(operation.summary))</td></tr>\n"
        }
        return """
            <!DOCTYPE html>
            <html lang="en"><head><meta charset="utf-8"><title>Governance OS - API docs</title>
            <style>body{font-family:sans-serif;max-width:60em;margin:2em auto}td{padding:.3em .8em;border-bottom:1px solid #ccc}</style></head>
            <body><h1>Governance OS API</h1><p>Served by rehearse \(RehearseVersion.current). Machine-readable: <a href="/openapi.json">/openapi.json</a> (OpenAPI 3.1).
            The traces viewer is on the frontend port: <code>/traces</code>, <code>/traces/{trace_id}</code>.</p>
            <table><thead><tr><th>Method</th><th>Path</th><th>What it does</th></tr></thead><tbody>
            \(rows)</tbody></table></body></html>

            """
    }
}
