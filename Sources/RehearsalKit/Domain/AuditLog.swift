import GRDB

/// Writes `audit_events`: every write of the application records one, and they are only ever
/// inserted (the immutability trigger makes sure of it).
public enum AuditLog {
    public static func record(
        _ db: Database, at time: Timestamp, actor: String, action: String,
        entityType: String, entityId: String?, details: JSONValue = .object([])
    ) throws {
        let statement = try db.cachedStatement(sql: """
            INSERT INTO audit_events (occurred_at, actor, action, entity_type, entity_id, details) VALUES (?, ?, ?, ?, ?, ?)
            """)
        try statement.execute(arguments: [time.iso8601, actor, action, entityType, entityId, details.serialized()])
    }
}
