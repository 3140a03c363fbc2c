/// How much data a seeded database holds. Counts are fixed by the profile; the seed decides
/// the values, so the same (profile, seed) always writes the same file.
public struct SeedProfile: Sendable, Equatable {
    public var name: String
    public var users: Int
    public var policies: Int
    public var versionsPerPolicy: Int
    public var signals: Int

    /// Of every 20 signals, this many evaluate to fail and to needs_review (each opens an exception).
    static let failPer20 = 6
    static let reviewPer20 = 3
    /// Of every 4 exceptions, this many get a decision (and an evidence pack).
    static let decidedPer4 = 3

    public static let small = SeedProfile(name: "small", users: 12, policies: 4, versionsPerPolicy: 3, signals: 400)
    public static let staging = SeedProfile(name: "staging", users: 60, policies: 12, versionsPerPolicy: 3, signals: 29_000)
    public static let production = SeedProfile(name: "production", users: 500, policies: 50, versionsPerPolicy: 4, signals: 300_000)

    public static let all = [small, staging, production]

    public static func named(_ name: String) -> SeedProfile? { all.first { $0.name == name } }

    public var exceptions: Int { (0..<signals).reduce(0) { $0 + (Self.opensException($1) ? 1 : 0) } }
}

extension SeedProfile {
    static func opensException(_ signalIndex: Int) -> Bool {
        signalIndex % 20 < failPer20 + reviewPer20
    }

    static func intendedOutcome(_ signalIndex: Int) -> String {
        let slot = signalIndex % 20
        if slot < failPer20 { return "fail" }
        if slot < failPer20 + reviewPer20 { return "needs_review" }
        return "pass"
    }

    static func isDecided(_ exceptionIndex: Int) -> Bool {
        exceptionIndex % 4 < decidedPer4
    }
}
