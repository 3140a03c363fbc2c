/// The application's policy evaluator: a policy version's rules applied to a signal's payload.
///
/// It is a pure function of (rules, payload, ids), so any stored evaluation can be recomputed
/// and compared: that is what `evaluation.deterministic` does. Rules look like
/// `{"rules": [{"id": "amount_limit", "pointer": "/amount", "op": "gt", "value": 10000,
/// "outcome": "fail"}], "default": "pass"}`; the most severe matching outcome wins.
public struct Evaluator: Sendable {
    public static let version = "rules-v1"

    public struct Outcome: Sendable, Equatable {
        public var result: String
        /// The stored `evaluations.output`: compact JSON, keys in a fixed order.
        public var output: String
        /// SHA-256 of `output`.
        public var outputHash: String
    }

    public struct Rule: Sendable {
        var id: String
        /// The pointer's unescaped tokens, split once when the rules are parsed.
        var path: [String]
        var op: String
        var value: JSONValue
        var outcome: String
    }

    /// Parsed rules of one policy version (parse once, evaluate many signals).
    public struct RuleSet: Sendable {
        var rules: [Rule]
        var defaultOutcome: String

        public init(json: JSONValue) {
            rules = (json["rules"]?.arrayValue ?? []).compactMap { rule in
                guard let id = rule["id"]?.stringValue, let pointer = rule["pointer"]?.stringValue,
                      let op = rule["op"]?.stringValue, let outcome = rule["outcome"]?.stringValue else { return nil }
                return Rule(id: id, path: JSONPointer.tokens(pointer), op: op, value: rule["value"] ?? .null, outcome: outcome)
            }
            defaultOutcome = json["default"]?.stringValue ?? "pass"
        }
    }

    static let severity = ["pass": 0, "needs_review": 1, "fail": 2]

    public init() {}

    /// `hashing: false` leaves `outputHash` empty, for callers that compare outputs directly.
    public func evaluate(rules: RuleSet, payload: JSONValue, signalId: String, policyVersionId: String, hashing: Bool = true) -> Outcome {
        var matched: [String] = []
        var result = rules.defaultOutcome
        for rule in rules.rules where Self.matches(rule, payload) {
            matched.append(rule.id)
            if Self.severity[rule.outcome, default: 0] > Self.severity[result, default: 0] { result = rule.outcome }
        }
        let output = JSONValue.object([
            ("evaluator", .string(Self.version)),
            ("policy_version_id", .string(policyVersionId)),
            ("signal_id", .string(signalId)),
            ("matched", .array(matched.map(JSONValue.string))),
            ("result", .string(result)),
        ]).serialized()
        return Outcome(result: result, output: output, outputHash: hashing ? SHA256.hex(output) : "")
    }

    static func matches(_ rule: Rule, _ payload: JSONValue) -> Bool {
        let actual = JSONPointer.resolve(tokens: rule.path, in: payload)
        switch rule.op {
        case "exists": return actual != nil && actual != .null
        case "eq": return actual == rule.value
        case "ne": return actual != rule.value
        case "in": return actual.map { rule.value.arrayValue?.contains($0) ?? false } ?? false
        case "gt", "gte", "lt", "lte":
            guard let a = actual?.doubleValue, let b = rule.value.doubleValue else { return false }
            switch rule.op {
            case "gt": return a > b
            case "gte": return a >= b
            case "lt": return a < b
            default: return a <= b
            }
        default: return false
        }
    }
}
