/// Renders invariant results for a terminal (one line each, evidence under broken ones) and as
/// stable JSON (documented in docs/check-json.md).
public struct InvariantReport: Sendable {
    public var results: [InvariantResult]
    /// How many evidence items to print per broken invariant; JSON says how many were left out.
    public var evidenceLimit = 20

    public init(results: [InvariantResult]) {
        self.results = results
    }

    public var brokenCount: Int { results.filter { $0.status.isBroken }.count }
    public var holdsCount: Int { results.filter { $0.status.holds }.count }
    public var unknownCount: Int { results.filter { $0.status.isUnknown }.count }
    public var notApplicableCount: Int { results.count - brokenCount - holdsCount - unknownCount }

    public func summaryLine() -> String {
        "\(results.count) invariants: \(holdsCount) hold, \(brokenCount) broken, \(notApplicableCount) not applicable"
            + (unknownCount > 0 ? ", \(unknownCount) unknown (could not evaluate)" : "")
    }

    public func text(style: TerminalStyle = .plain) -> String {
        let width = results.map(\.info.id.count).max() ?? 0
        var lines: [String] = []
        for result in results {
            let id = result.info.id.padding(toLength: width, withPad: " ", startingAt: 0)
            switch result.status {
            case .holds(let detail):
                lines.append("  \(style.green("holds  ")) \(id)  \(detail)")
            case .notApplicable(let reason):
                lines.append("  \(style.dim("n/a    ")) \(id)  \(reason)")
            case .unknown(let reason):
                lines.append("  \(style.yellow("unknown")) \(id)  \(reason)")
            case .broken(let detail, let evidence):
                lines.append("  \(style.red("BROKEN ")) \(id)  \(detail) [\(result.info.severity.rawValue)]")
                for item in evidence.prefix(evidenceLimit) { lines.append("           - \(Self.describe(item))") }
                if evidence.count > evidenceLimit { lines.append("           … and \(evidence.count - evidenceLimit) more") }
            }
        }
        lines.append(summaryLine())
        return lines.joined(separator: "\n")
    }

    /// `table row <id> column /pointer: note`, with only the parts that are known.
    public static func describe(_ evidence: Evidence) -> String {
        var place: [String] = []
        if let table = evidence.table { place.append(table) }
        if let row = evidence.rowId { place.append("row \(row)") }
        if let column = evidence.column { place.append(evidence.pointer.map { "\(column) \($0)" } ?? column) }
        return place.isEmpty ? evidence.note : "\(place.joined(separator: " ")): \(evidence.note)"
    }

    public func json() -> JSONValue {
        .object([
            ("format", .string("rehearse-check/1")),
            ("summary", .object([("holds", .int(holdsCount)), ("broken", .int(brokenCount)), ("not_applicable", .int(notApplicableCount)), ("unknown", .int(unknownCount))])),
            ("invariants", .array(results.map { Self.json($0, evidenceLimit: evidenceLimit) })),
        ])
    }

    public static func json(_ result: InvariantResult, evidenceLimit: Int) -> JSONValue {
        var members: [(String, JSONValue)] = [
            ("id", .string(result.info.id)),
            ("title", .string(result.info.title)),
            ("source", .string(result.info.source)),
            ("severity", .string(result.info.severity.rawValue)),
            ("status", .string(result.status.keyword)),
        ]
        switch result.status {
        case .holds(let detail):
            members.append(("detail", .string(detail)))
            members.append(("evidence", .array([])))
        case .notApplicable(let reason), .unknown(let reason):
            members.append(("detail", .string(reason)))
            members.append(("evidence", .array([])))
        case .broken(let detail, let evidence):
            members.append(("detail", .string(detail)))
            members.append(("evidence", .array(evidence.prefix(evidenceLimit).map(json))))
            if evidence.count > evidenceLimit { members.append(("evidence_omitted", .int(evidence.count - evidenceLimit))) }
        }
        return .object(members)
    }

    static func json(_ evidence: Evidence) -> JSONValue {
        var members: [(String, JSONValue)] = []
        if let table = evidence.table { members.append(("table", .string(table))) }
        if let row = evidence.rowId { members.append(("row_id", .string(row))) }
        if let column = evidence.column { members.append(("column", .string(column))) }
        if let pointer = evidence.pointer { members.append(("pointer", .string(pointer))) }
        members.append(("note", .string(evidence.note)))
        return .object(members)
    }
}

/// ANSI colour only when writing to a terminal and `NO_COLOR` is unset (no-color.org).
public struct TerminalStyle: Sendable {
    public var colour: Bool

    public static let plain = TerminalStyle(colour: false)

    public init(colour: Bool) {
        self.colour = colour
    }

    func wrap(_ code: String, _ text: String) -> String { colour ? "\u{1B}[\(code)m\(text)\u{1B}[0m" : text }
    public func red(_ text: String) -> String { wrap("31;1", text) }
    public func yellow(_ text: String) -> String { wrap("33;1", text) }
    public func green(_ text: String) -> String { wrap("32", text) }
    public func dim(_ text: String) -> String { wrap("2", text) }
    public func bold(_ text: String) -> String { wrap("1", text) }
}
