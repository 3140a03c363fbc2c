import GRDB

/// An HTTP request to the stack: the backend on port 8000, the frontend on port 3000.
public struct HTTPRequest: Sendable {
    public var method: String
    public var port: Int
    public var path: String
    public var query: [String: String]
    public var headers: [String: String]
    public var body: String?
    /// Only the status is wanted (`api.endpoints_healthy` probes after every step): a handler
    /// may stop once nothing left can change the status, and answer with no body.
    var statusOnly = false

    public init(method: String = "GET", port: Int, path: String, query: [String: String] = [:], headers: [String: String] = [:], body: String? = nil) {
        self.method = method
        self.port = port
        self.path = path
        self.query = query
        self.headers = headers
        self.body = body
    }
}

public struct HTTPResponse: Sendable, Equatable {
    public var status: Int
    public var contentType: String
    public var body: String

    public init(status: Int, contentType: String, body: String) {
        (self.status, self.contentType, self.body) = (status, contentType, body)
    }

    static func json(_ status: Int, _ value: JSONValue) -> HTTPResponse { HTTPResponse(status: status, contentType: "application/json", body: value.serialized()) }
    public static func detail(_ status: Int, _ text: String) -> HTTPResponse { json(status, .object([("detail", .string(text))])) }

    /// FastAPI's (pydantic v2) answer to a body that is not JSON: 422 with a list of errors.
    public static func invalidJSON(_ failure: Error) -> HTTPResponse {
        var offset = 0
        if case JSONParser.Failure.syntax(let at, _) = failure { offset = at }
        return json(422, .object([("detail", .array([.object([
            ("type", .string("json_invalid")), ("loc", .array([.string("body"), .int(offset)])), ("msg", .string("JSON decode error")),
            ("input", .object([])), ("ctx", .object([("error", .string("\(failure)"))])),
        ])]))]))
    }

    /// FastAPI's answer to a body field of the wrong type.
    static func invalidField(_ field: String, type: String, message: String) -> HTTPResponse {
        json(422, .object([("detail", .array([.object([
            ("type", .string(type)), ("loc", .array([.string("body"), .string(field)])), ("msg", .string(message)),
        ])]))]))
    }
}

/// The application's HTTP endpoints, answered from the code of the container that serves them:
/// the one place an endpoint is rendered, for curl in the interpreter and for `rehearse serve`.
/// Nil when nothing listens on the port (the container is not running).
public enum Endpoints {
    public static func respond(_ request: HTTPRequest, db: Database, world: World) throws -> HTTPResponse? {
        switch request.port {
        case 8000:
            guard world.isRunning(.backend) else { return nil }
            return try backend(request, db: db, world: world)
        case 3000:
            guard world.isRunning(.frontend) else { return nil }
            return try frontend(request, db: db, world: world)
        default:
            return nil
        }
    }

    static func backend(_ request: HTTPRequest, db: Database, world: World) throws -> HTTPResponse {
        let code = world.stack.code(.backend)
        // FastAPI answers a known path with the wrong method 405, an unknown one 404.
        let getOnly = ["/health", "/docs", "/openapi.json", "/api/v1/stats", "/api/v1/traces"]
        if getOnly.contains(request.path), request.method != "GET", request.method != "HEAD" { return .detail(405, "Method Not Allowed") }
        if request.path == "/health" {
            guard world.stack.isRunning(.postgres) else {
                return .json(503, .object([("status", .string("unhealthy")), ("database", .string("unreachable"))]))
            }
            return .json(200, .object([("status", .string("healthy")), ("database", .string("connected"))]))
        }
        if request.path == "/docs" { return HTTPResponse(status: 200, contentType: "text/html; charset=utf-8", body: OpenAPIDocument.html()) }
        if request.path == "/openapi.json" {
            let host = request.headers.first { $0.key.lowercased() == "host" }?.value ?? "localhost:8000"
            return .json(200, OpenAPIDocument.json(serverURL: "http://\(host)"))
        }
        if world.maintenanceMode { return .detail(503, "Service under maintenance") }
        guard world.stack.isRunning(.postgres) else { return HTTPResponse(status: 500, contentType: "text/plain", body: "Internal Server Error") }
        let segments = request.path.split(separator: "/").map(String.init)
        switch (request.method, segments) {
        case ("GET", ["api", "v1", "stats"]):
            var members: [(String, JSONValue)] = []
            for table in Baseline.tables where try db.hasTable(table) {
                members.append((table, .int(try Int.fetchOne(db, cached: "SELECT COUNT(*) FROM \"\(table)\"") ?? 0)))
            }
            return .json(200, .object(members))
        case (_, let path) where path.starts(with: ["api", "v1", "approvals"]):
            guard code.approvalsAPI else { return .detail(404, "Not Found") }
            if world.defectActs(.apiApprovalsBroken, path: "core/api/approvals.py", in: .backend) {
                return HTTPResponse(status: 500, contentType: "text/plain", body: "Internal Server Error")
            }
            guard let reviewer = bearer(request) else { return .detail(401, "Not authenticated") }
            // A token that names no seeded user is refused as FastAPI's OAuth2 dependency does.
            guard (try? UserReference.resolve(db, reviewer)) != nil else { return .detail(401, "Could not validate credentials") }
            do {
                if request.method == "GET", path.count == 3 {
                    let status = request.query["status"]
                    return .json(200, try Approvals.list(db, world: world, status: status == "all" ? nil : (status ?? "pending")))
                }
                if request.method == "POST", path.count == 5, ["approve", "reject"].contains(path[4]) {
                    var notes: String?
                    if let body = request.body, !body.trimmingWhitespace().isEmpty {
                        let value: JSONValue
                        do { value = try JSONParser.parse(body) } catch { return .invalidJSON(error) }
                        guard case .object = value else { return .invalidField("notes", type: "model_attributes_type", message: "Input should be a valid dictionary or object to extract fields from") }
                        if let given = value["notes"], given != .null {
                            guard let text = given.stringValue else { return .invalidField("notes", type: "string_type", message: "Input should be a valid string") }
                            notes = text
                        }
                    }
                    let result = path[4] == "approve"
                        ? try Approvals.approve(db, world: world, proposal: path[3], reviewer: reviewer, notes: notes)
                        : try Approvals.reject(db, world: world, proposal: path[3], reviewer: reviewer, notes: notes)
                    return .json(200, result)
                }
                if request.method == "GET", path.count == 4 { return .json(200, try Approvals.show(db, world: world, proposal: path[3])) }
            } catch let error as ApplicationError {
                return .detail(error.status, error.message)
            }
            return .detail(405, "Method Not Allowed")
        case ("GET", ["api", "v1", "traces"]):
            guard code.tracesAPI else { return .detail(404, "Not Found") }
            if world.defectActs(.apiApprovalsBroken, path: "core/api/traces.py", in: .backend) {
                return HTTPResponse(status: 500, contentType: "text/plain", body: "Internal Server Error")
            }
            guard try db.hasTable("agent_traces") else { return HTTPResponse(status: 500, contentType: "text/plain", body: "Internal Server Error") }
            let limit = min(max(Int(request.query["limit"] ?? "") ?? 50, 0), 500)
            let offset = max(Int(request.query["offset"] ?? "") ?? 0, 0)
            let people = try TraceRecorder.knownPeople(db)
            let rows = try Row.fetchAll(db, cached: "SELECT trace_id, agent_type, status, started_at, input_summary FROM agent_traces ORDER BY started_at DESC, rowid DESC LIMIT ? OFFSET ?",
                                        arguments: [limit, offset])
            // The response model's fields are required strings: a NULL or a number (a table
            // remade without its NOT NULLs or its types) fails FastAPI's response validation, a 500.
            if rows.contains(where: { row in (0..<5).contains { !row.isText(atIndex: $0) } }) {
                return HTTPResponse(status: 500, contentType: "text/plain", body: "Internal Server Error")
            }
            // What is left (parse, scrub, render) cannot fail: the status is known.
            if request.statusOnly { return HTTPResponse(status: 200, contentType: "application/json", body: "") }
            let scanner = PIIScanner(people: people)
            return .json(200, .array(rows.map { row in
                let field = { (index: Int) in row.text(atIndex: index) ?? "" }
                let summary = (try? JSONParser.parse(field(4))) ?? .string(field(4))
                return .object([("trace_id", .string(field(0))), ("agent_type", .string(field(1))), ("status", .string(field(2))),
                                ("started_at", .string(field(3))), ("input_summary", scanner.scrub(summary).value)])
            }))
        default:
            return .detail(404, "Not Found")
        }
    }

    static func frontend(_ request: HTTPRequest, db: Database, world: World) throws -> HTTPResponse {
        let segments = request.path.split(separator: "/").map(String.init)
        guard segments.first == "traces", segments.count <= 2 else {
            if segments.isEmpty { return HTTPResponse(status: 200, contentType: "text/html", body: "<h1>Governance OS</h1>") }
            return HTTPResponse(status: 404, contentType: "text/html", body: "404: This page could not be found.")
        }
        do {
            let page = try TracesViewer.view(db, world: world, trace: segments.count == 2 ? segments[1] : nil)
            return HTTPResponse(status: 200, contentType: "text/html; charset=utf-8", body: document(title: "Agent traces - Governance OS", body: page))
        } catch let error as ApplicationError {
            return HTTPResponse(status: error.status, contentType: "text/html", body: error.status == 404 ? "404: This page could not be found." : "Internal Server Error")
        }
    }

    /// The viewer's page as the browser receives it: a whole document around the page the
    /// invariants judge (what the redis cache holds), with nothing loaded from elsewhere.
    static func document(title: String, body: String) -> String {
        "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"><title>\(title)</title></head>\n<body>\n\(body)\n</body></html>\n"
    }

    /// The reviewer a bearer token names (`Authorization: Bearer user:role:approver`).
    static func bearer(_ request: HTTPRequest) -> String? {
        guard let header = request.headers.first(where: { $0.key.lowercased() == "authorization" })?.value, header.hasPrefix("Bearer ") else { return nil }
        let token = String(header.dropFirst(7)).trimmingWhitespace()
        return token.isEmpty ? nil : token
    }
}
