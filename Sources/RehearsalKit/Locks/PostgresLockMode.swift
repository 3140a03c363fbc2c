/// PostgreSQL's table-level lock modes and which conflict (PostgreSQL 15 documentation §13.3.1,
/// Table 13.2 "Conflicting Lock Modes"), and what each blocks of the application's own work.
public enum PostgresLockMode: String, CaseIterable, Sendable, Comparable {
    case accessShare = "AccessShareLock"
    case rowShare = "RowShareLock"
    case rowExclusive = "RowExclusiveLock"
    case shareUpdateExclusive = "ShareUpdateExclusiveLock"
    case share = "ShareLock"
    case shareRowExclusive = "ShareRowExclusiveLock"
    case exclusive = "ExclusiveLock"
    case accessExclusive = "AccessExclusiveLock"

    var strength: Int { Self.allCases.firstIndex(of: self)! }
    public static func < (a: Self, b: Self) -> Bool { a.strength < b.strength }

    /// Table 13.2: the modes that conflict with this one.
    public var conflicts: Set<PostgresLockMode> {
        switch self {
        case .accessShare: return [.accessExclusive]
        case .rowShare: return [.exclusive, .accessExclusive]
        case .rowExclusive: return [.share, .shareRowExclusive, .exclusive, .accessExclusive]
        case .shareUpdateExclusive: return [.shareUpdateExclusive, .share, .shareRowExclusive, .exclusive, .accessExclusive]
        case .share: return [.rowExclusive, .shareUpdateExclusive, .shareRowExclusive, .exclusive, .accessExclusive]
        case .shareRowExclusive: return [.rowExclusive, .shareUpdateExclusive, .share, .shareRowExclusive, .exclusive, .accessExclusive]
        case .exclusive: return [.rowShare, .rowExclusive, .shareUpdateExclusive, .share, .shareRowExclusive, .exclusive, .accessExclusive]
        case .accessExclusive: return Set(Self.allCases)
        }
    }

    /// The application's statements on a table, by the lock each takes (§13.3.1: SELECT takes
    /// ACCESS SHARE, SELECT FOR UPDATE/SHARE ROW SHARE, INSERT/UPDATE/DELETE ROW EXCLUSIVE).
    public static let applicationOperations: [(name: String, mode: PostgresLockMode)] = [
        ("reads (SELECT)", .accessShare),
        ("row locks (SELECT … FOR UPDATE)", .rowShare),
        ("writes (INSERT, UPDATE, DELETE)", .rowExclusive),
    ]

    /// What this lock, held on a table, blocks of the application's work on it.
    public var blocks: [String] {
        Self.applicationOperations.filter { conflicts.contains($0.mode) }.map(\.name)
    }
}
