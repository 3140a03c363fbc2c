/// The kinds of PII the checklist (4.6) names.
public enum PIIType: String, Sendable, CaseIterable, Comparable {
    case email
    case personName = "person_name"
    case accountNumber = "account_number"
    case token
    case sensitive

    public static func < (lhs: PIIType, rhs: PIIType) -> Bool { lhs.rawValue < rhs.rawValue }

    /// What a finding of this type is replaced by: `[REDACTED:EMAIL]`.
    public var placeholder: String { "[REDACTED:\(rawValue.uppercased())]" }

    /// Whether `text` is one of the placeholders: they are never PII, so scrubbing twice
    /// changes nothing.
    static func isPlaceholder(_ text: String) -> Bool {
        text.hasPrefix("[REDACTED:") && text.hasSuffix("]") && allCases.contains { $0.placeholder == text }
    }
}

/// Where PII was found: a JSON pointer and a type. Never the value itself.
public struct PIIFinding: Sendable, Hashable {
    public var pointer: String
    public var type: PIIType

    public init(pointer: String, type: PIIType) {
        self.pointer = pointer
        self.type = type
    }

    /// Pointers are the same when their bytes are: `/é` and `/e` + U+0301 name two members of a
    /// document (JSON compares code points), which Swift's `==` and hash would call one place,
    /// so a finding at one would have hidden the finding at the other.
    public static func == (lhs: PIIFinding, rhs: PIIFinding) -> Bool {
        lhs.type == rhs.type && lhs.pointer.hasSameCodePoints(as: rhs.pointer)
    }

    public func hash(into hasher: inout Hasher) {
        hasher.combine(type)
        hasher.combine(pointer.utf8.count)
        for byte in pointer.utf8 { hasher.combine(byte) }
    }
}

extension Array where Element == PIIType {
    /// Appends the types not already here, in their order: findings are listed as first seen.
    mutating func addNew(_ found: some Sequence<PIIType>) {
        for type in found where !contains(type) { append(type) }
    }
}
