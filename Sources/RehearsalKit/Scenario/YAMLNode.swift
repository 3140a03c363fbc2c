import Yams

/// A YAML node with the file it came from, so every accessor can fail with a location.
struct YAMLNode {
    let node: Node
    let file: String

    var location: SourceLocation {
        SourceLocation(file: file, line: node.mark?.line ?? 1, column: node.mark?.column ?? 1)
    }

    func error(_ message: String) -> ScenarioLoadError { ScenarioLoadError(location, message) }

    var kind: String {
        switch node {
        case .scalar: return "a scalar"
        case .mapping: return "a mapping"
        case .sequence: return "a list"
        case .alias: return "an alias"
        }
    }

    /// Mapping entries in document order, keys as strings.
    func mapping(_ what: String) throws -> [(key: String, keyNode: YAMLNode, value: YAMLNode)] {
        guard case .mapping(let mapping) = node else { throw error("\(what) must be a mapping, not \(kind)") }
        return try mapping.map { key, value in
            guard case .scalar(let scalar) = key else { throw YAMLNode(node: key, file: file).error("keys must be plain strings") }
            return (scalar.string, YAMLNode(node: key, file: file), YAMLNode(node: value, file: file))
        }
    }

    func sequence(_ what: String) throws -> [YAMLNode] {
        guard case .sequence(let sequence) = node else { throw error("\(what) must be a list, not \(kind)") }
        return sequence.map { YAMLNode(node: $0, file: file) }
    }

    /// A list, or a single scalar taken as a list of one (`stop: celery-worker`).
    func scalarList(_ what: String) throws -> [String] {
        if case .scalar = node { return [try string(what)] }
        guard case .sequence = node else { throw error("\(what) must be a string or a list of strings, not \(kind)") }
        return try sequence(what).map { try $0.string(what) }
    }

    func string(_ what: String) throws -> String {
        guard case .scalar(let scalar) = node else { throw error("\(what) must be a string, not \(kind)") }
        return scalar.string
    }

    func bool(_ what: String) throws -> Bool {
        guard case .scalar(let scalar) = node else { throw error("\(what) must be true or false, not \(kind)") }
        switch scalar.string.lowercased() {
        case "true", "yes", "on": return true
        case "false", "no", "off": return false
        default: throw error("\(what) must be true or false, not '\(scalar.string)'")
        }
    }

    func integer(_ what: String) throws -> Int64 {
        guard case .scalar(let scalar) = node, scalar.style == .plain, let value = Int64(scalar.string) else {
            throw error("\(what) must be an integer")
        }
        return value
    }

    /// A seed: a whole number from 0 to 2^64 - 1, as `rehearse run --seed` takes it.
    func seed(_ what: String) throws -> UInt64 {
        guard case .scalar(let scalar) = node, scalar.style == .plain, let value = UInt64(scalar.string) else {
            throw error("\(what) must be a whole number from 0 to 18446744073709551615")
        }
        return value
    }

    /// Any YAML value as JSON: plain scalars are typed (numbers, booleans, null), quoted ones are strings.
    func json() throws -> JSONValue {
        switch node {
        case .scalar(let scalar):
            guard scalar.style == .plain else { return .string(scalar.string) }
            let text = scalar.string
            switch text {
            case "null", "~", "": return .null
            case "true", "True", "TRUE": return .bool(true)
            case "false", "False", "FALSE": return .bool(false)
            default:
                if let int = Int64(text) { return .number(String(int)) }
                if let double = Double(text), text.contains(where: { $0 == "." || $0 == "e" || $0 == "E" }), double.isFinite,
                   (try? JSONParser.parse(text)) != nil { return .number(text) }
                return .string(text)
            }
        case .mapping:
            return .object(try mapping("a value").map { ($0.key, try $0.value.json()) })
        case .sequence:
            return .array(try sequence("a value").map { try $0.json() })
        case .alias:
            throw error("YAML aliases are not supported")
        }
    }

    /// Rejects keys not in `allowed`, suggesting the nearest.
    static func checkKeys(_ entries: [(key: String, keyNode: YAMLNode, value: YAMLNode)], allowed: [String], what: String) throws {
        for entry in entries where !allowed.contains(entry.key) {
            let hint = NearestName.suggest(entry.key, among: allowed).map { " (did you mean '\($0)'?)" } ?? ""
            throw entry.keyNode.error("unknown key '\(entry.key)' in \(what)\(hint); expected one of: \(allowed.joined(separator: ", "))")
        }
        var seen = Set<String>()
        for entry in entries where !seen.insert(entry.key).inserted {
            throw entry.keyNode.error("duplicate key '\(entry.key)' in \(what)")
        }
    }
}
