import GRDB

/// Fills a migrated database with realistic, deterministic data through every base table.
///
/// It streams: rows are generated and inserted one at a time through cached statements, and
/// rows refer to each other by ids derived from (seed, kind, index), so memory does not grow
/// with the profile. Evaluations are computed by the real `Evaluator`.
public struct Seeder {
    public var profile: SeedProfile
    public var seed: UInt64
    /// The end of the seeded history; data spans the year before it.
    public var now: Timestamp

    public static let defaultNow = Timestamp(iso8601: "2026-01-14T09:00:00Z")!
    public static let roles = ["admin", "approver", "analyst", "viewer", "auditor"]
    static let safeCountries = ["DE", "FR", "NL", "SE", "IE", "ES", "IT", "PL"]
    static let blockedCountries = ["KP", "IR", "SY"]
    static let channels = ["wire", "card", "sepa", "ach"]
    static let sources = ["tx-monitor", "kyc-service", "ingest"]
    static let policyAreas = ["AML", "KYC", "SANCTIONS", "FRAUD", "LIMITS"]

    enum Kind: UInt64 { case user = 1, policy, version, signal, evaluation, exception, decision, evidence }

    /// Called every 2,000 signals with the rows written so far (the command line shows it
    /// on a terminal); the seeder itself never reads a clock.
    public var progress: ((_ signalsDone: Int, _ signalsTotal: Int, _ rows: [String: Int]) -> Void)?

    public init(profile: SeedProfile, seed: UInt64, now: Timestamp = Seeder.defaultNow) {
        self.profile = profile
        self.seed = seed
        self.now = now
    }

    func id(_ kind: Kind, _ index: Int) -> String { UUIDText.derived(seed: seed, kind: kind.rawValue, index: index) }

    /// Counts of what was written, per table.
    public struct Summary: Sendable, Equatable {
        public var rows: [String: Int] = [:]
        public var total: Int { rows.values.reduce(0, +) }
    }

    /// Seeds in one transaction with foreign keys checked once, at the end (`PRAGMA
    /// foreign_key_check`), instead of a parent lookup per inserted row: how a bulk load is done,
    /// and what `rehearse bench` compares with SQLite's own copy of the same rows. A violation
    /// rolls everything back. Needs the connection outside a transaction (the pragma is a no-op
    /// inside one).
    public func seedCheckingForeignKeysOnce(_ db: Database) throws -> Summary {
        let enforced = try Bool.fetchOne(db, sql: "PRAGMA foreign_keys") ?? false
        try db.execute(sql: "PRAGMA foreign_keys = OFF")
        defer { if enforced { try? db.execute(sql: "PRAGMA foreign_keys = ON") } }
        var summary = Summary()
        try db.inTransaction {
            // Secondary indexes are built once after the load, from sorted keys, instead of
            // being updated row by row; the same statements recreate them, so the schema is
            // exactly the migrations' (a unique one that no longer holds fails the seed).
            let indexes = try Row.fetchAll(db, sql: """
                SELECT name, sql FROM sqlite_master WHERE type = 'index' AND sql IS NOT NULL AND tbl_name IN (\(Baseline.tables.map { "'\($0)'" }.joined(separator: ", ")))
                ORDER BY rowid
                """).map { (name: $0[0] as String, sql: $0[1] as String) }
            for index in indexes { try db.execute(sql: "DROP INDEX \(BaselineIdentity.quoted(index.name))") }
            summary = try seed(db)
            for index in indexes { try db.execute(sql: index.sql) }
            if let violation = try Row.fetchOne(db, sql: "PRAGMA foreign_key_check") {
                throw SeedError.foreignKey(table: violation[0], parent: violation[2])
            }
            return .commit
        }
        return summary
    }

    public func seed(_ db: Database) throws -> Summary {
        try SeedPreconditions.check(db)
        var summary = Summary()
        var generator = SeededGenerator(seed: seed)
        var clock = now.adding(seconds: -366 * 86_400)
        func audit(_ actor: String, _ action: String, _ entityType: String, _ entityId: String, _ details: JSONValue = .object([])) throws {
            try AuditLog.record(db, at: clock, actor: actor, action: action, entityType: entityType, entityId: entityId, details: details)
            summary.rows["audit_events", default: 0] += 1
        }

        // Users: the first five cover every role, active; the sixth is an inactive analyst.
        var roles: [String] = []
        var active: [Bool] = []
        let insertUser = try db.cachedStatement(sql: "INSERT INTO users (id, email, display_name, role, is_active, created_at) VALUES (?, ?, ?, ?, ?, ?)")
        for index in 0..<profile.users {
            let role = index < Self.roles.count ? Self.roles[index] : (index == 5 ? "analyst" : Self.roles[weightedRole(&generator)])
            let isActive = index < 5 ? true : (index == 5 ? false : !generator.chance(10))
            let person = PeopleNames.person(index, &generator)
            try insertUser.execute(arguments: [id(.user, index), person.email, person.displayName, role, isActive, clock.iso8601])
            roles.append(role)
            active.append(isActive)
            try audit("system:seed", "user.created", "user", id(.user, index), .object([("role", .string(role))]))
            clock = clock.adding(seconds: 3600)
        }
        summary.rows["users"] = profile.users
        let deciders = roles.indices.filter { active[$0] && ["admin", "approver", "analyst"].contains(roles[$0]) }
        let approvers = roles.indices.filter { active[$0] && ["admin", "approver"].contains(roles[$0]) }
        let analysts = roles.indices.filter { roles[$0] == "analyst" }

        // Policies and their versions: earlier versions retired, the last active.
        var ruleSets: [Evaluator.RuleSet] = []
        var limits: [Int] = []
        let insertPolicy = try db.cachedStatement(sql: "INSERT INTO policies (id, policy_key, name, description, owner_id, created_at) VALUES (?, ?, ?, ?, ?, ?)")
        let insertVersion = try db.cachedStatement(sql: "INSERT INTO policy_versions (id, policy_id, version, status, rules, created_by, created_at) VALUES (?, ?, ?, ?, ?, ?, ?)")
        for p in 0..<profile.policies {
            let area = Self.policyAreas[p % Self.policyAreas.count]
            let owner = id(.user, approvers[p % approvers.count])
            try insertPolicy.execute(arguments: [id(.policy, p), "POL-\(area)-\(threeDigits(p + 1))", "\(area) policy \(p + 1)", "Screens \(area.lowercased()) signals", owner, clock.iso8601])
            try audit("user:\(owner)", "policy.created", "policy", id(.policy, p))
            var limit = 0
            for v in 1...profile.versionsPerPolicy {
                limit = 5_000 + 1_000 * (p % 7) + 500 * v
                let rules = Self.rules(limit: limit)
                let versionIndex = p * profile.versionsPerPolicy + (v - 1)
                try insertVersion.execute(arguments: [
                    id(.version, versionIndex), id(.policy, p), v, v == profile.versionsPerPolicy ? "active" : "retired",
                    rules.serialized(), owner, clock.iso8601,
                ])
                try audit("user:\(owner)", "policy_version.created", "policy_version", id(.version, versionIndex), .object([("version", .int(v))]))
                clock = clock.adding(seconds: 600)
                if v == profile.versionsPerPolicy { ruleSets.append(Evaluator.RuleSet(json: rules)) }
            }
            limits.append(limit)
        }
        summary.rows["policies"] = profile.policies
        summary.rows["policy_versions"] = profile.policies * profile.versionsPerPolicy

        let insertSignal = try db.cachedStatement(sql: "INSERT INTO signals (id, source, signal_type, subject, payload, received_at, created_by) VALUES (?, ?, ?, ?, ?, ?, ?)")
        let insertEvaluation = try db.cachedStatement(sql: "INSERT INTO evaluations (id, signal_id, policy_version_id, result, output, output_hash, evaluator_version, evaluated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)")
        let insertException = try db.cachedStatement(sql: "INSERT INTO exceptions (id, evaluation_id, policy_id, title, status, assigned_to, opened_at, resolved_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)")
        let insertDecision = try db.cachedStatement(sql: "INSERT INTO decisions (id, exception_id, decision_type, is_hard_override, rationale, decided_by, decided_at, approved_by, approved_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)")
        let insertEvidence = try db.cachedStatement(sql: "INSERT INTO evidence_packs (id, decision_id, content, content_hash, created_by, created_at) VALUES (?, ?, ?, ?, ?, ?)")
        let evaluator = Evaluator()
        let step = max(1, Int64(360 * 86_400) / Int64(max(profile.signals, 1)))
        var exceptionIndex = 0
        var decisionIndex = 0
        let decisionTypes = ["accept_risk", "remediate", "escalate", "reject"]
        for k in 0..<profile.signals {
            let p = k % profile.policies
            let versionId = id(.version, p * profile.versionsPerPolicy + profile.versionsPerPolicy - 1)
            let signalId = id(.signal, k)
            let source = Self.sources[generator.below(Self.sources.count)]
            let payload = Self.payload(for: SeedProfile.intendedOutcome(k), limit: limits[p], &generator)
            try insertSignal.execute(arguments: [signalId, source, "transaction", "acct-\(100_000 + generator.below(900_000))", payload.serialized(), clock.iso8601, source])
            try audit("system:\(source)", "signal.received", "signal", signalId)

            let outcome = evaluator.evaluate(rules: ruleSets[p], payload: payload, signalId: signalId, policyVersionId: versionId)
            let evaluationId = id(.evaluation, k)
            let evaluatedAt = clock.adding(seconds: 2)
            try insertEvaluation.execute(arguments: [evaluationId, signalId, versionId, outcome.result, outcome.output, outcome.outputHash, Evaluator.version, evaluatedAt.iso8601])
            try audit("system:evaluator", "evaluation.completed", "evaluation", evaluationId, .object([("result", .string(outcome.result))]))

            if outcome.result != "pass" {
                let exceptionId = id(.exception, exceptionIndex)
                let decided = SeedProfile.isDecided(exceptionIndex)
                let decisionType = decisionTypes[generator.below(decisionTypes.count)]
                let status = decided ? (decisionType == "reject" ? "dismissed" : "resolved") : ["open", "under_review", "expired"][generator.below(3)]
                let openedAt = clock.adding(seconds: 5)
                let resolvedAt = status == "open" || status == "under_review" ? nil : openedAt.adding(seconds: 7_200)
                let assignee = analysts.isEmpty ? nil : id(.user, analysts[generator.below(analysts.count)])
                try insertException.execute(arguments: [exceptionId, evaluationId, id(.policy, p), "\(outcome.result == "fail" ? "Policy breach" : "Review needed") on signal \(k + 1)", status, assignee, openedAt.iso8601, resolvedAt?.iso8601])
                try audit("system:evaluator", "exception.opened", "exception", exceptionId)
                if status != "open" {
                    try audit("system:workflow", "exception.status_changed", "exception", exceptionId, .object([("status", .string(status))]))
                }
                if decided {
                    let decisionId = id(.decision, decisionIndex)
                    let decider = deciders[generator.below(deciders.count)]
                    let hardOverride = generator.chance(5)
                    let approver = approvers.first { $0 != decider } ?? approvers[0]
                    let decidedAt = openedAt.adding(seconds: 3_600)
                    try insertDecision.execute(arguments: [
                        decisionId, exceptionId, decisionType, hardOverride, "Decision \(decisionType) after review of exception \(exceptionIndex + 1)",
                        id(.user, decider), decidedAt.iso8601, hardOverride ? id(.user, approver) : nil, hardOverride ? decidedAt.adding(seconds: 1_800).iso8601 : nil,
                    ])
                    try audit("user:\(id(.user, decider))", "decision.recorded", "decision", decisionId, .object([("hard_override", .bool(hardOverride))]))
                    let content = JSONValue.object([
                        ("decision_id", .string(decisionId)), ("exception_id", .string(exceptionId)),
                        ("evaluation_id", .string(evaluationId)), ("output_hash", .string(outcome.outputHash)),
                    ]).serialized()
                    let evidenceId = id(.evidence, decisionIndex)
                    try insertEvidence.execute(arguments: [evidenceId, decisionId, content, SHA256.hex(content), id(.user, decider), decidedAt.iso8601])
                    try audit("user:\(id(.user, decider))", "evidence_pack.created", "evidence_pack", evidenceId)
                    decisionIndex += 1
                }
                exceptionIndex += 1
            }
            clock = clock.adding(seconds: step)
            if let progress, (k + 1) % 2_000 == 0 || k + 1 == profile.signals {
                var rows = summary.rows
                rows["signals"] = k + 1
                rows["evaluations"] = k + 1
                rows["exceptions"] = exceptionIndex
                rows["decisions"] = decisionIndex
                progress(k + 1, profile.signals, rows)
            }
        }
        summary.rows["signals"] = profile.signals
        summary.rows["evaluations"] = profile.signals
        summary.rows["exceptions"] = exceptionIndex
        summary.rows["decisions"] = decisionIndex
        summary.rows["evidence_packs"] = decisionIndex
        return summary
    }

    func weightedRole(_ generator: inout SeededGenerator) -> Int {
        // admin 4%, approver 16%, analyst 40%, viewer 30%, auditor 10%
        let roll = generator.below(100)
        if roll < 4 { return 0 }
        if roll < 20 { return 1 }
        if roll < 60 { return 2 }
        if roll < 90 { return 3 }
        return 4
    }

    public static func rules(limit: Int) -> JSONValue {
        .object([
            ("rules", .array([
                .object([("id", .string("amount_limit")), ("pointer", .string("/amount")), ("op", .string("gt")), ("value", .int(limit)), ("outcome", .string("fail"))]),
                .object([("id", .string("blocked_country")), ("pointer", .string("/country")), ("op", .string("in")), ("value", .array(blockedCountries.map(JSONValue.string))), ("outcome", .string("fail"))]),
                .object([("id", .string("new_counterparty")), ("pointer", .string("/counterparty_age_days")), ("op", .string("lt")), ("value", .int(30)), ("outcome", .string("needs_review"))]),
            ])),
            ("default", .string("pass")),
        ])
    }

    /// A payload that the active rules evaluate to `intended` (the evaluator decides; this only aims).
    static func payload(for intended: String, limit: Int, _ generator: inout SeededGenerator) -> JSONValue {
        var amount = 10 + generator.below(limit - 10)
        var country = safeCountries[generator.below(safeCountries.count)]
        var age = 30 + generator.below(2_000)
        switch intended {
        case "fail":
            if generator.chance(20) { country = blockedCountries[generator.below(blockedCountries.count)] } else { amount = limit + 1 + generator.below(50_000) }
        case "needs_review":
            age = generator.below(30)
        default:
            break
        }
        return .object([
            ("amount", .int(amount)), ("currency", .string("EUR")), ("country", .string(country)),
            ("channel", .string(channels[generator.below(channels.count)])), ("counterparty_age_days", .int(age)),
        ])
    }
}

/// Zero-padded to three digits (`007`), without Foundation's format strings.
func threeDigits(_ value: Int) -> String {
    let text = String(value)
    return String(repeating: "0", count: Swift.max(0, 3 - text.count)) + text
}

/// Seeding needs a migrated, empty database.
enum SeedPreconditions {
    static let tables = ["users", "policies", "policy_versions", "signals", "evaluations", "exceptions", "decisions", "evidence_packs", "audit_events"]

    static func check(_ db: Database) throws {
        for table in tables {
            guard try db.hasTable(table) else { throw SeedError.notMigrated(missingTable: table) }
            if try Int.fetchOne(db, sql: "SELECT count(*) FROM \(table)")! > 0 { throw SeedError.notEmpty(table: table) }
        }
    }
}

public enum SeedError: UserFacingError, Equatable {
    case notMigrated(missingTable: String)
    case notEmpty(table: String)
    case unknownProfile(String)
    /// A seeded row names a parent that does not exist (a seeder defect; nothing is kept).
    case foreignKey(table: String, parent: String)

    public var exitStatus: ExitStatus { .invalidInput }
    public var description: String {
        switch self {
        case .notMigrated(let table): return "error: the database is not migrated (no table \(table)); run `rehearse migrate upgrade head` first"
        case .notEmpty(let table): return "error: the database already holds data (table \(table) is not empty); seed a freshly migrated database"
        case .unknownProfile(let name): return "error: unknown profile '\(name)' (expected small, staging or production)"
        case .foreignKey(let table, let parent): return "error: seeding left a row of \(table) without its \(parent) parent; nothing was written"
        }
    }
}
