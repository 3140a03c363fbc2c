/// What a whole `pii scan` found, for the summary on standard error and the SARIF log.
public struct PIIScanSummary: Sendable {
    public var lines = 0
    /// Findings by input line, in input order; lines without findings are not kept.
    public var findingsByLine: [(line: Int, findings: [PIIFinding])] = []

    public init() {}

    public mutating func record(line: Int, findings: [PIIFinding]) {
        lines = max(lines, line)
        if !findings.isEmpty { findingsByLine.append((line, findings)) }
    }

    public var total: Int { findingsByLine.reduce(0) { $0 + $1.findings.count } }

    /// `12 lines, 3 findings (email 2, person_name 1)`, types in a fixed order.
    public var line: String {
        var counts: [PIIType: Int] = [:]
        for (_, findings) in findingsByLine { for finding in findings { counts[finding.type, default: 0] += 1 } }
        let byType = PIIType.allCases.sorted().compactMap { type in counts[type].map { "\(type.rawValue) \($0)" } }
        return "\(lines) line\(lines == 1 ? "" : "s"), \(total) finding\(total == 1 ? "" : "s")" + (byType.isEmpty ? "" : " (\(byType.joined(separator: ", ")))")
    }

    /// A SARIF 2.1.0 log: one rule per PII type, one result per finding at its line, with the
    /// JSON pointer as the logical location. Never the value.
    public func sarif(artifact: String, version: String) -> JSONValue {
        let rules: [JSONValue] = PIIType.allCases.sorted().map { type in
            .object([
                ("id", .string("pii/\(type.rawValue)")),
                ("name", .string(Self.ruleName(type))),
                ("shortDescription", .object([("text", .string(Self.description(type)))])),
                ("defaultConfiguration", .object([("level", .string("error"))])),
            ])
        }
        let ruleIndex = Dictionary(uniqueKeysWithValues: PIIType.allCases.sorted().enumerated().map { ($1, $0) })
        var results: [JSONValue] = []
        for (line, findings) in findingsByLine {
            for finding in findings {
                let pointer = finding.pointer.isEmpty ? "(the whole line)" : finding.pointer
                results.append(.object([
                    ("ruleId", .string("pii/\(finding.type.rawValue)")),
                    ("ruleIndex", .int(ruleIndex[finding.type]!)),
                    ("level", .string("error")),
                    ("message", .object([("text", .string("\(finding.type.rawValue) at \(pointer) on line \(line)"))])),
                    ("locations", .array([.object([
                        ("physicalLocation", .object([
                            ("artifactLocation", .object([("uri", .string(artifact))])),
                            ("region", .object([("startLine", .int(line))])),
                        ])),
                        ("logicalLocations", .array([.object([("fullyQualifiedName", .string(finding.pointer)), ("kind", .string("member"))])])),
                    ])])),
                ]))
            }
        }
        return .object([
            ("$schema", .string("https://json.schemastore.org/sarif-2.1.0.json")),
            ("version", .string("2.1.0")),
            ("runs", .array([.object([
                ("tool", .object([("driver", .object([
                    ("name", .string("rehearse pii scan")),
                    ("version", .string(version)),
                    ("rules", .array(rules)),
                ]))])),
                ("artifacts", .array([.object([("location", .object([("uri", .string(artifact))]))])])),
                ("results", .array(results)),
            ])])),
        ])
    }

    static func ruleName(_ type: PIIType) -> String {
        type.rawValue.split(separator: "_").map { $0.prefix(1).uppercased() + $0.dropFirst() }.joined() + "InTrace"
    }

    static func description(_ type: PIIType) -> String {
        switch type {
        case .email: return "An e-mail address (plain, percent-encoded, in a URL, a key or a carried document)"
        case .personName: return "A person's name (a known person in running text, or a value under a name key)"
        case .accountNumber: return "A payment card (Luhn, 12 to 19 digits) or IBAN (mod-97) number"
        case .token: return "A secret: API key, JWT, bearer or basic credential, private key, password"
        case .sensitive: return "A value marked sensitive, or a line that could not be analysed (redacted whole)"
        }
    }
}
