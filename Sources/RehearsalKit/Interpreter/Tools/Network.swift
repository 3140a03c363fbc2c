import Foundation
import GRDB

/// `curl` against the stack's published ports, and `redis-cli` inside the redis container
/// (docs/command-semantics.md). curl's `-s` hides its own error messages, so a refused
/// connection prints nothing and exits 7; piped into `jq .`, the pipeline exits 0.
extension ShellSession {
    func curl(_ invocation: Invocation) throws -> ToolOutput {
        let arguments = invocation.arguments
        guard let url = arguments.operands.first else { return .err("curl: no URL specified!", status: 2) }
        let silent = arguments.has("-s") || arguments.has("--silent")
        let showError = arguments.has("-S") || arguments.has("--show-error")
        guard let parsed = URLComponents(string: url), let host = parsed.host else { return .err("curl: (3) URL using bad/illegal format or missing URL", status: 3) }
        let port = parsed.port ?? (parsed.scheme == "https" ? 443 : 80)
        var headers: [String: String] = [:]
        for header in arguments.values("-H") + arguments.values("--header") {
            guard let colon = header.firstIndex(of: ":") else { continue }
            headers[String(header[..<colon]).trimmingWhitespace()] = String(header[header.index(after: colon)...]).trimmingWhitespace()
        }
        let body = arguments.value("-d") ?? arguments.value("--data") ?? arguments.value("--data-raw")
        let method = arguments.value("-X") ?? arguments.value("--request") ?? (body == nil ? "GET" : "POST")
        var query: [String: String] = [:]
        for item in parsed.queryItems ?? [] { query[item.name] = item.value ?? "" }
        var response: HTTPResponse?
        if ["localhost", "127.0.0.1"].contains(host), invocation.place == .host {
            response = try Endpoints.respond(HTTPRequest(method: method, port: port, path: parsed.path.isEmpty ? "/" : parsed.path, query: query, headers: headers, body: body),
                                             db: db, world: world)
        }
        let writeOut = arguments.value("-w") ?? arguments.value("--write-out")
        guard let response else {
            var output = ToolOutput(status: 7)
            if let writeOut { output.stdout = writeOut.replacingOccurrences(of: "%{http_code}", with: "000") }
            if !silent || showError { output.stderr = "curl: (7) Failed to connect to \(host) port \(port) after 0 ms: Couldn't connect to server\n" }
            return output
        }
        var output = ToolOutput()
        if arguments.has("-f") || arguments.has("--fail"), response.status >= 400 {
            output.status = 22
            if !silent || showError { output.stderr = "curl: (22) The requested URL returned error: \(response.status)\n" }
            return output
        }
        let target = arguments.value("-o") ?? arguments.value("--output")
        if let target, target != "/dev/null" { stack.files[target] = .text(response.body) }
        if target == nil {
            if arguments.has("-i") || arguments.has("--include") {
                output.stdout += "HTTP/1.1 \(response.status)\ncontent-type: \(response.contentType)\n\n"
            }
            output.stdout += response.body
        }
        if let writeOut {
            output.stdout += writeOut.replacingOccurrences(of: "%{http_code}", with: String(response.status)).replacingOccurrences(of: "\\n", with: "\n")
        }
        if !output.stdout.hasSuffix("\n") { output.stdout += "\n" }
        return output
    }

    func redisCLI(_ invocation: Invocation) -> ToolOutput {
        guard case .container(.redis) = invocation.place else {
            return .err("Could not connect to Redis at 127.0.0.1:6379: Connection refused", status: 1)
        }
        let operands = invocation.arguments.operands
        guard let name = operands.first else { return .err("rehearse: not simulated: an interactive redis-cli session (give the command as arguments)", status: 2) }
        let raw = invocation.arguments.has("--raw")
        func integer(_ value: Int) -> ToolOutput { .out(raw ? "\(value)" : "(integer) \(value)") }
        let arguments = Array(operands.dropFirst())
        switch name.uppercased() {
        case "PING": return .out("PONG")
        case "FLUSHALL", "FLUSHDB":
            let had = stack.redis.keyCount
            stack.redis = RedisStore()
            world.log.append(world.clock, .redis, "INFO", "\(name.uppercased()): \(had) key(s) removed")
            return .out("OK")
        case "DBSIZE": return integer(stack.redis.keyCount)
        case "KEYS":
            let pattern = arguments.first ?? "*"
            let keys = stack.redis.keys.filter { Glob.matches(pattern, $0) }
            if keys.isEmpty { return .out(raw ? "" : "(empty array)") }
            return .out(keys.enumerated().map { raw ? $0.element : "\($0.offset + 1)) \"\($0.element)\"" }.joined(separator: "\n"))
        case "LLEN":
            guard let key = arguments.first else { return .out("(error) ERR wrong number of arguments for 'llen' command", status: 0) }
            if stack.redis.strings[key] != nil { return .out("(error) WRONGTYPE Operation against a key holding the wrong kind of value") }
            var output = integer(stack.redis.lists[key]?.count ?? 0)
            if key == "celery_dead_letter" {
                output.warn("celery on a redis broker keeps no dead-letter queue: nothing writes celery_dead_letter, so this reads 0 whatever fails (failures are in the worker's log)")
            }
            return output
        case "GET":
            guard let key = arguments.first else { return .out("(error) ERR wrong number of arguments for 'get' command") }
            return .out(stack.redis.strings[key].map { raw ? $0.value : "\"\($0.value)\"" } ?? (raw ? "" : "(nil)"))
        case "SET":
            guard arguments.count >= 2 else { return .out("(error) ERR wrong number of arguments for 'set' command") }
            stack.redis.strings[arguments[0]] = (arguments[1], nil)
            return .out("OK")
        case "DEL":
            var removed = 0
            for key in arguments {
                if stack.redis.strings.removeValue(forKey: key) != nil { removed += 1 }
                if stack.redis.lists.removeValue(forKey: key) != nil { removed += 1 }
            }
            return integer(removed)
        default:
            return .out("(error) ERR unknown command '\(name)', with args beginning with: \(arguments.map { "'\($0)' " }.joined())")
        }
    }
}
