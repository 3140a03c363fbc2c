/// The write tools as an MCP server lists them: a description and a JSON Schema for the
/// arguments, written from what `MCPTools.validate` accepts (the schema is what a client sees;
/// the application still validates every call itself and answers a tool error).
extension MCPTools {
    public static let descriptions: [String: String] = [
        "propose_signal": "Propose a new signal. Creates a pending proposal that a human reviewer must approve; nothing is written to signals until then.",
        "propose_policy_draft": "Propose a draft version of a policy's rules. Creates a pending proposal; the draft is written only when a reviewer approves it.",
        "dismiss_exception": "Propose dismissing an open exception. Creates a pending proposal; the exception stays open until a reviewer approves it.",
    ]

    /// `signal_type` or its alias `kind` is required: `anyOf` says so.
    public static let inputSchemas: [String: JSONValue] = {
        func string(_ description: String, max: Int) -> JSONValue {
            .object([("type", .string("string")), ("minLength", .int(1)), ("maxLength", .int(max)), ("description", .string(description))])
        }
        func object(_ properties: [(String, JSONValue)], required: [String]) -> JSONValue {
            .object([("type", .string("object")), ("properties", .object(properties)),
                     ("required", .array(required.map(JSONValue.string))), ("additionalProperties", .bool(false))])
        }
        let rule: JSONValue = .object([
            ("type", .string("object")),
            ("properties", .object([
                ("id", .object([("type", .string("string"))])),
                ("pointer", .object([("type", .string("string")), ("pattern", .string("^/")), ("description", .string("a JSON pointer into the signal's payload"))])),
                ("op", .object([("enum", .array(["eq", "ne", "gt", "gte", "lt", "lte", "in", "exists"].map(JSONValue.string)))])),
                ("value", .object([("description", .string("the value compared with"))])),
                ("outcome", .object([("enum", .array(["pass", "fail", "needs_review"].map(JSONValue.string)))])),
            ])),
            ("required", .array(["id", "pointer", "op", "outcome"].map(JSONValue.string))),
        ])
        return [
            "propose_signal": object([
                ("subject", string("what the signal is about (an account, a customer reference)", max: 255)),
                ("signal_type", string("the kind of signal (anomaly, threshold, …)", max: 100)),
                ("kind", string("accepted for signal_type", max: 100)),
                ("source", string("where the signal comes from (default: mcp)", max: 100)),
                ("payload", .object([("type", .string("object")), ("description", .string("the signal's data, evaluated by the policies"))])),
            ], required: ["subject"]).adding("anyOf", .array([
                .object([("required", .array([.string("signal_type")]))]), .object([("required", .array([.string("kind")]))]),
            ])),
            "propose_policy_draft": object([
                ("policy", string("the policy: its id or its code (POL-AML-001)", max: 255)),
                ("rules", .object([("type", .string("object")), ("properties", .object([
                    ("rules", .object([("type", .string("array")), ("items", rule)])),
                    ("default", .object([("enum", .array(["pass", "fail", "needs_review"].map(JSONValue.string)))])),
                ])), ("required", .array([.string("rules")]))])),
                ("note", .object([("type", .string("string"))])),
            ], required: ["policy", "rules"]),
            "dismiss_exception": object([
                ("exception", string("the exception: its id, or `open` for the oldest open one", max: 255)),
                ("reason", string("why it should be dismissed", max: 2000)),
            ], required: ["exception", "reason"]),
        ]
    }()
}

extension JSONValue {
    /// The object with one more member (or the value unchanged when it is not an object).
    func adding(_ key: String, _ value: JSONValue) -> JSONValue {
        guard case .object(var members) = self else { return self }
        members.append((key, value))
        return .object(members)
    }
}
