import Foundation
import GRDB

/// Checklist 1.2's "SAVE THESE VALUES": the nine tables' counts, the distributions, and the
/// latest audit event. It also keeps each user's role and active flag by id (no names or
/// emails), which `users.roles_retained` needs to say *which* user changed.
public struct Baseline: Sendable, Equatable {
    public static let format = "rehearse-baseline/1"
    /// In the checklist's order.
    public static let tables = ["policies", "policy_versions", "signals", "evaluations", "exceptions", "decisions", "evidence_packs", "audit_events", "users"]

    public struct Bucket: Sendable, Equatable {
        public var key: [String: JSONValue]
        public var count: Int
    }

    public struct UserRole: Sendable, Equatable {
        public var role: String
        public var isActive: Bool
    }

    public var label: String
    public var revision: String?
    public var tableCounts: [String: Int]
    public var decisionsByType: [Bucket]
    public var exceptionsByStatus: [Bucket]
    public var usersByRole: [Bucket]
    public var latestAuditEventId: Int64?
    public var latestAuditTime: String?
    public var userRoles: [String: UserRole]

    private static let countsQuery = "SELECT " + tables.map { "(SELECT COUNT(*) FROM \($0))" }.joined(separator: ", ")

    /// Runs 1.2's queries.
    public static func capture(_ db: Database, label: String = "pre-deploy") throws -> Baseline {
        for table in tables where try !db.hasTable(table) {
            throw BaselineError.notMigrated(missingTable: table)
        }
        // The nine counts in one statement: each statement prepared is most of a count's cost on
        // a connection that has not run it yet, as every scenario's has not.
        let row = try Row.fetchOne(db, cached: Self.countsQuery)!
        var counts: [String: Int] = [:]
        for (index, table) in tables.enumerated() { counts[table] = row[index] }
        let decisions = try Row.fetchAll(db, cached: "SELECT decision_type, is_hard_override, COUNT(*) FROM decisions GROUP BY decision_type, is_hard_override ORDER BY 1, 2")
            .map { Bucket(key: ["decision_type": .string($0[0]), "is_hard_override": .bool($0[1])], count: $0[2]) }
        let exceptions = try Row.fetchAll(db, cached: "SELECT status, COUNT(*) FROM exceptions GROUP BY status ORDER BY 1")
            .map { Bucket(key: ["status": .string($0[0])], count: $0[1]) }
        let users = try Row.fetchAll(db, cached: "SELECT role, is_active, COUNT(*) FROM users GROUP BY role, is_active ORDER BY 1, 2")
            .map { Bucket(key: ["role": .string($0[0]), "is_active": .bool($0[1])], count: $0[2]) }
        let latest = try Row.fetchOne(db, cached: "SELECT MAX(id), MAX(occurred_at) FROM audit_events")
        var roles: [String: UserRole] = [:]
        for row in try Row.fetchAll(db, cached: "SELECT id, role, is_active FROM users") {
            roles[row[0]] = UserRole(role: row[1], isActive: row[2])
        }
        return Baseline(
            label: label, revision: try MigrationBookkeeping.currentRevision(db), tableCounts: counts,
            decisionsByType: decisions, exceptionsByStatus: exceptions, usersByRole: users,
            latestAuditEventId: latest?[0], latestAuditTime: latest?[1], userRoles: roles)
    }

    public func json() -> JSONValue {
        func buckets(_ list: [Bucket], _ keys: [String]) -> JSONValue {
            .array(list.map { bucket in .object(keys.map { ($0, bucket.key[$0] ?? .null) } + [("count", .int(bucket.count))]) })
        }
        return .object([
            ("format", .string(Self.format)),
            ("label", .string(label)),
            ("revision", revision.map(JSONValue.string) ?? .null),
            ("table_counts", .object(Self.tables.map { ($0, .int(tableCounts[$0] ?? 0)) })),
            ("decisions_by_type", buckets(decisionsByType, ["decision_type", "is_hard_override"])),
            ("exceptions_by_status", buckets(exceptionsByStatus, ["status"])),
            ("users_by_role", buckets(usersByRole, ["role", "is_active"])),
            ("latest_audit_event", .object([
                ("id", latestAuditEventId.map { .int($0) } ?? .null),
                ("occurred_at", latestAuditTime.map(JSONValue.string) ?? .null),
            ])),
            ("user_roles", .object(userRoles.keys.sorted().map { id in
                (id, .object([("role", .string(userRoles[id]!.role)), ("is_active", .bool(userRoles[id]!.isActive))]))
            })),
        ])
    }

    public static func load(path: String) throws -> Baseline {
        guard let data = FileManager.default.contents(atPath: path) else { throw BaselineError.unreadable(path: path) }
        let value: JSONValue
        let text = String(decoding: data, as: UTF8.self)
        do {
            value = try JSONParser.parse(text)
        } catch JSONParser.Failure.syntax(let offset, let reason) {
            let (line, column) = JSONParser.lineAndColumn(ofByte: offset, in: text)
            throw BaselineError.malformed(path: path, reason: "invalid JSON: \(reason)", line: line, column: column)
        } catch {
            throw BaselineError.malformed(path: path, reason: "\(error)")
        }
        return try decode(value, path: path)
    }

    static func decode(_ value: JSONValue, path: String) throws -> Baseline {
        func fail(_ reason: String) -> BaselineError { .malformed(path: path, reason: reason) }
        guard value["format"]?.stringValue == format else { throw fail("expected \"format\": \"\(format)\"") }
        guard case .object(let countMembers)? = value["table_counts"] else { throw fail("missing table_counts") }
        // Counts are whole numbers a table can hold; anything else (1e19, -1, 2.5) is refused
        // here, never trapped on later.
        func rowCount(_ value: JSONValue, _ field: String) throws -> Int {
            guard let n = value.doubleValue else { throw fail("\(field) is not a number") }
            guard n >= 0, n <= 9_007_199_254_740_992, let whole = Int(exactly: n) else {
                throw fail("\(field) must be a whole row count from 0 to 2^53, not \(value.serialized())")
            }
            return whole
        }
        var counts: [String: Int] = [:]
        for (table, count) in countMembers {
            counts[table] = try rowCount(count, "table_counts.\(table)")
        }
        func buckets(_ key: String) throws -> [Bucket] {
            guard let items = value[key]?.arrayValue else { throw fail("missing \(key)") }
            return try items.map { item in
                guard case .object(let members) = item, let count = item["count"] else { throw fail("malformed entry in \(key)") }
                return Bucket(key: Dictionary(members.filter { $0.0 != "count" }) { first, _ in first }, count: try rowCount(count, "\(key)[].count"))
            }
        }
        var roles: [String: UserRole] = [:]
        if case .object(let members)? = value["user_roles"] {
            for (id, entry) in members {
                guard let role = entry["role"]?.stringValue, let active = entry["is_active"]?.boolValue else { throw fail("malformed user_roles.\(id)") }
                roles[id] = UserRole(role: role, isActive: active)
            }
        }
        return Baseline(
            label: value["label"]?.stringValue ?? "baseline", revision: value["revision"]?.stringValue, tableCounts: counts,
            decisionsByType: try buckets("decisions_by_type"), exceptionsByStatus: try buckets("exceptions_by_status"),
            usersByRole: try buckets("users_by_role"),
            latestAuditEventId: try value["latest_audit_event"]?["id"].flatMap { $0 == .null ? nil : Int64(try rowCount($0, "latest_audit_event.id")) },
            latestAuditTime: value["latest_audit_event"]?["occurred_at"]?.stringValue, userRoles: roles)
    }
}

public enum BaselineError: UserFacingError, Equatable {
    case notMigrated(missingTable: String)
    case unreadable(path: String)
    /// Where the file stops being a baseline: the place of a JSON syntax error, else its start.
    case malformed(path: String, reason: String, line: Int = 1, column: Int = 1)

    public var exitStatus: ExitStatus { .invalidInput }
    public var description: String {
        switch self {
        case .notMigrated(let table): return "error: cannot record a baseline: table \(table) does not exist (migrate first)"
        case .unreadable(let path): return "\(path): error: cannot read the baseline file"
        case .malformed(let path, let reason, let line, let column): return "\(path):\(line):\(column): error: not a rehearse baseline: \(reason)"
        }
    }
}
