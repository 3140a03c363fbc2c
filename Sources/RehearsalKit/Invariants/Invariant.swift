import GRDB

/// How bad it is when an invariant breaks, in the checklist's words.
public enum Severity: String, Sendable, Codable, CaseIterable {
    case critical, high, medium
}

/// What identifies an invariant in reports, scenarios and the catalog listing.
public struct InvariantInfo: Sendable, Equatable {
    /// Stable id used by scenarios (`immutability.decisions`); never renamed.
    public var id: String
    public var title: String
    /// The checklist section(s) it comes from (`Data Invariants, 1.3, 3.3`).
    public var source: String
    public var severity: Severity
}

/// One piece of proof that an invariant is broken: where, never what (no raw PII).
public struct Evidence: Sendable, Equatable {
    public var table: String?
    /// The row's primary key (a UUID or an integer id), never a value from the row.
    public var rowId: String?
    public var column: String?
    /// A JSON pointer inside `column`, for findings inside JSON documents.
    public var pointer: String?
    public var note: String

    public init(table: String? = nil, rowId: String? = nil, column: String? = nil, pointer: String? = nil, note: String) {
        self.table = table
        self.rowId = rowId
        self.column = column
        self.pointer = pointer
        self.note = note
    }
}

public enum InvariantStatus: Sendable, Equatable {
    case holds(detail: String)
    case broken(detail: String, evidence: [Evidence])
    case notApplicable(reason: String)
    /// Could not be evaluated (the file is locked by another process, read-only, an I/O
    /// error): neither holds nor broken, so it never makes a deploy look unsafe or safe.
    case unknown(reason: String)

    public var isBroken: Bool { if case .broken = self { return true }; return false }
    public var holds: Bool { if case .holds = self { return true }; return false }
    public var isUnknown: Bool { if case .unknown = self { return true }; return false }

    /// `holds`, `broken`, `not_applicable` or `unknown`, as JSON reports and scenarios spell it.
    public var keyword: String {
        switch self {
        case .holds: return "holds"
        case .broken: return "broken"
        case .notApplicable: return "not_applicable"
        case .unknown: return "unknown"
        }
    }
}

/// An invariant of the deploy: a named property of the database and the world, evaluated
/// after every step. Evaluation must never change data: probes run in savepoints that are
/// always rolled back.
public protocol Invariant: Sendable {
    var info: InvariantInfo { get }
    /// What the verdict depends on (`InvariantReads`); unless declared, everything.
    var reads: InvariantReads { get }
    func evaluate(_ context: InvariantContext) throws -> InvariantStatus
}

/// The result of one invariant at one moment.
public struct InvariantResult: Sendable, Equatable {
    public var info: InvariantInfo
    public var status: InvariantStatus
}
