import Foundation
import Hummingbird
import NIOCore
import RehearsalKit

/// Translates Hummingbird's requests into the application model's and back; nothing here
/// decides an answer. One responder per port: the backend (8000 in the model: the API, `/mcp`
/// and the rehearsal's `/rehearse/…`) and the frontend (3000: the traces viewer).
struct StackResponder: HTTPResponder {
    typealias Context = BasicRequestContext
    let stack: ServedStack
    /// The port the model's container listens on (8000 backend, 3000 frontend), whatever port
    /// the server is bound to.
    let modelPort: Int
    let mcp: MCPHTTPEndpoint?

    func respond(to request: Request, context: Context) async throws -> Response {
        let body: ByteBuffer
        do {
            body = try await request.body.collect(upTo: ServedStack.bodyLimit)
        } catch {
            return Self.response(.detail(413, "request body larger than \(ServedStack.bodyLimit) bytes"))
        }
        let path = request.uri.path
        var headers: [String: String] = [:]
        for field in request.headers { headers[field.name.rawName] = headers[field.name.rawName].map { "\($0), \(field.value)" } ?? field.value }
        let text = String(buffer: body)
        if modelPort == 8000, path == "/mcp", let mcp {
            return await mcp.respond(method: request.method.rawValue, headers: headers, body: Data(text.utf8), path: path)
        }
        if modelPort == 8000, path.hasPrefix("/rehearse/") {
            return await offload { Self.response(Self.harness(request.method.rawValue, path: path, body: text, stack: stack)) }
        }
        let modelRequest = RehearsalKit.HTTPRequest(method: request.method.rawValue, port: modelPort, path: path,
                                                    query: Self.query(request.uri.query), headers: headers, body: text.isEmpty ? nil : text)
        return await offload { Self.response(stack.respond(modelRequest)) }
    }

    /// The rehearsal's own endpoints: the invariant report and the virtual clock.
    static func harness(_ method: String, path: String, body: String, stack: ServedStack) -> RehearsalKit.HTTPResponse {
        switch (method, path) {
        case ("GET", "/rehearse/invariants"):
            return RehearsalKit.HTTPResponse(status: 200, contentType: "application/json", body: stack.invariantsJSON().pretty())
        case ("POST", "/rehearse/advance"):
            let value: JSONValue
            do { value = try JSONParser.parse(body.isEmpty ? "null" : body) } catch { return .invalidJSON(error) }
            guard let by = value["by"]?.stringValue else {
                return RehearsalKit.HTTPResponse(status: 422, contentType: "application/json", body: JSONValue.object([("detail", .array([.object([
                    ("type", .string("missing")), ("loc", .array([.string("body"), .string("by")])), ("msg", .string("Field required")),
                ])]))]).serialized())
            }
            do {
                return RehearsalKit.HTTPResponse(status: 200, contentType: "application/json", body: try stack.advance(by: by).serialized())
            } catch let error as ApplicationError {
                return .detail(error.status, error.message)
            } catch {
                return .detail(500, "\(error)")
            }
        case (_, "/rehearse/invariants"), (_, "/rehearse/advance"):
            return .detail(405, "Method Not Allowed")
        default:
            return .detail(404, "Not Found")
        }
    }

    /// `a=1&b=x%20y` as a dictionary (the last value of a repeated name wins, as FastAPI's
    /// single-valued query parameters do).
    static func query(_ text: String?) -> [String: String] {
        var result: [String: String] = [:]
        for pair in (text ?? "").split(separator: "&") {
            let parts = pair.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            func decode(_ s: Substring) -> String { String(s).replacingOccurrences(of: "+", with: " ").removingPercentEncoding ?? String(s) }
            result[decode(parts[0])] = parts.count > 1 ? decode(parts[1]) : ""
        }
        return result
    }

    static func response(_ response: RehearsalKit.HTTPResponse) -> Response {
        var buffer = ByteBuffer()
        buffer.writeString(response.body)
        let type = response.contentType.contains("charset") || !response.contentType.hasPrefix("text/") ? response.contentType : response.contentType + "; charset=utf-8"
        return Response(status: .init(code: response.status), headers: [.contentType: type], body: .init(byteBuffer: buffer))
    }
}

/// Runs blocking work (SQLite under the queue's lock) off Swift's cooperative threads, so a
/// slow request never starves the event loops that accept the others.
func offload<T: Sendable>(_ body: @escaping @Sendable () -> T) async -> T {
    await withCheckedContinuation { continuation in
        DispatchQueue.global().async { continuation.resume(returning: body()) }
    }
}
