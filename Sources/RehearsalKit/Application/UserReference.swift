import GRDB

/// A user as a scenario names one: a UUID, `user:<uuid>`, an email, or `role:approver`
/// (the first active user with that role, `role:approver#2` the second, `role:viewer!` an
/// inactive one). Seeded ids are long; roles keep scenarios readable.
public struct ResolvedUser: Sendable, Equatable {
    public var id: String
    public var role: String
    public var isActive: Bool
}

enum UserReference {
    static func resolve(_ db: Database, _ reference: String) throws -> ResolvedUser {
        var ref = reference
        if ref.hasPrefix("user:") { ref = String(ref.dropFirst(5)) }
        let row: Row?
        if ref.hasPrefix("role:") {
            var spec = String(ref.dropFirst(5))
            var wantActive = true
            if spec.hasSuffix("!") { wantActive = false; spec.removeLast() }
            var ordinal = 1
            if let hash = spec.firstIndex(of: "#") {
                ordinal = Int(spec[spec.index(after: hash)...]) ?? 1
                spec = String(spec[..<hash])
            }
            row = try Row.fetchOne(db, cached: "SELECT id, role, is_active FROM users WHERE role = ? AND is_active = ? ORDER BY rowid LIMIT 1 OFFSET ?",
                                   arguments: [spec, wantActive, max(0, ordinal - 1)])
        } else {
            row = try Row.fetchOne(db, cached: "SELECT id, role, is_active FROM users WHERE id = ? OR email = ?", arguments: [ref, ref])
        }
        guard let row else { throw ApplicationError(404, "no user matches '\(reference)'") }
        return ResolvedUser(id: row[0], role: row[1], isActive: row[2])
    }
}

/// A proposal as a scenario names one: a UUID, `latest`, `latest:signal`, or `#N` (the N-th
/// proposal ever created, oldest first).
enum ProposalReference {
    static func resolve(_ db: Database, _ reference: String) throws -> String {
        guard try db.hasTable("pending_proposals") else { throw ApplicationError(500, "relation \"pending_proposals\" does not exist") }
        let id: String?
        if reference == "latest" {
            id = try String.fetchOne(db, cached: "SELECT id FROM pending_proposals ORDER BY proposed_at DESC, rowid DESC LIMIT 1")
        } else if reference.hasPrefix("latest:") {
            id = try String.fetchOne(db, cached: "SELECT id FROM pending_proposals WHERE proposal_type = ? ORDER BY proposed_at DESC, rowid DESC LIMIT 1", arguments: [String(reference.dropFirst(7))])
        } else if reference.hasPrefix("#"), let n = Int(reference.dropFirst()), n >= 1 {
            id = try String.fetchOne(db, cached: "SELECT id FROM pending_proposals ORDER BY rowid LIMIT 1 OFFSET ?", arguments: [n - 1])
        } else {
            id = try String.fetchOne(db, cached: "SELECT id FROM pending_proposals WHERE id = ?", arguments: [reference])
        }
        guard let id else { throw ApplicationError(404, "no proposal matches '\(reference)'") }
        return id
    }
}

/// An exception as a scenario names one: a UUID, `open` (the oldest open one), `open#N`.
enum ExceptionReference {
    static func resolve(_ db: Database, _ reference: String) throws -> String {
        var spec = reference
        var ordinal = 1
        if let hash = spec.firstIndex(of: "#") {
            ordinal = Int(spec[spec.index(after: hash)...]) ?? 1
            spec = String(spec[..<hash])
        }
        let statuses = ["open", "under_review", "resolved", "dismissed", "expired"]
        let id: String?
        if statuses.contains(spec) {
            id = try String.fetchOne(db, cached: "SELECT id FROM exceptions WHERE status = ? ORDER BY rowid LIMIT 1 OFFSET ?", arguments: [spec, ordinal - 1])
        } else {
            id = try String.fetchOne(db, cached: "SELECT id FROM exceptions WHERE id = ?", arguments: [reference])
        }
        guard let id else { throw ApplicationError(404, "no exception matches '\(reference)'") }
        return id
    }
}

/// A policy as a scenario names one: a UUID, its key (`POL-AML-001`), or `first`.
enum PolicyReference {
    static func resolve(_ db: Database, _ reference: String) throws -> String {
        let sql = reference == "first" ? "SELECT id FROM policies ORDER BY rowid LIMIT 1" : "SELECT id FROM policies WHERE id = ? OR policy_key = ?"
        guard let id = try String.fetchOne(db, cached: sql, arguments: reference == "first" ? [] : [reference, reference]) else {
            throw ApplicationError(404, "no policy matches '\(reference)'")
        }
        return id
    }
}

/// Who an identity string names, whatever form it takes: `user:<uuid>`, a bare id, or an email
/// address, in any letter case and with surrounding spaces. Agents (`agent:NAME`) and unknown
/// text name no user. Self-approval is judged on this, never on the raw strings.
enum UserIdentity {
    static func userId(_ db: Database, _ text: String) throws -> String? {
        var value = text.trimmingWhitespace().lowercased()
        if value.hasPrefix("user:") { value = String(value.dropFirst(5)).trimmingWhitespace() }
        guard !value.isEmpty, !value.hasPrefix("agent:"), try db.hasTable("users") else { return nil }
        return try String.fetchOne(db, cached: "SELECT id FROM users WHERE lower(id) = ? OR lower(trim(email)) = ?", arguments: [value, value])
    }
}
