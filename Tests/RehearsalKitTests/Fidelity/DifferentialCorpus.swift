import GRDB
@testable import RehearsalKit

/// Statements run on both PostgreSQL (`migrations-postgres/`) and SQLite (`migrations-sqlite/`):
/// valid and invalid inserts for every column of every table, enum labels, NOT NULL, foreign
/// keys, JSON, UUIDs, timestamps with offsets, VARCHAR limits, defaults, updates, immutability,
/// the hard-override constraint, and the checklist's queries.
struct DifferentialCorpus {
    struct Statement {
        var label: String
        var sql: String
        /// The row to read back when both accept it: (table, id).
        var readBack: (table: String, id: String)?
        /// A divergence of docs/postgres-translation.md that explains a disagreement here.
        var divergence: String?
        /// A query whose rows are compared (as a multiset).
        var isQuery = false
    }

    /// Column facts read from the SQLite schema's named checks (`<table>_<column>_<kind>`).
    struct Column {
        var name: String
        var notNull: Bool
        var hasDefault: Bool
        var kind: String
        var limit: Int?
        var labels: [String]
    }

    static let tables = ["users", "policies", "policy_versions", "signals", "evaluations", "exceptions", "decisions", "evidence_packs", "audit_events", "pending_proposals", "agent_traces"]

    static func columns(_ db: Database, _ table: String) throws -> [Column] {
        let sql = try String.fetchOne(db, sql: "SELECT sql FROM sqlite_master WHERE name = ?", arguments: [table])!
        return try Row.fetchAll(db, sql: "SELECT name, \"notnull\", dflt_value FROM pragma_table_info(?)", arguments: [table]).map { row in
            let name: String = row[0]
            var kind = "text", limit: Int?, labels: [String] = []
            for candidate in ["uuid", "timestamptz", "jsonb", "varchar", "boolean"] where sql.contains("CONSTRAINT \(table)_\(name)_\(candidate) ") { kind = candidate }
            if kind == "varchar", let range = sql.range(of: "length(\(name)) <= ") {
                limit = Int(sql[range.upperBound...].prefix { $0.isNumber })
            }
            for type in try String.fetchAll(db, sql: "SELECT DISTINCT typname FROM rehearse_enum_labels") where sql.contains("CONSTRAINT \(table)_\(name)_\(type) ") {
                kind = "enum"
                labels = try String.fetchAll(db, sql: "SELECT enumlabel FROM rehearse_enum_labels WHERE typname = ? ORDER BY enumsortorder", arguments: [type])
            }
            if name == "version" || (table == "audit_events" && name == "id") { kind = "integer" }
            return Column(name: name, notNull: row[1], hasDefault: row[2] != nil, kind: kind, limit: limit, labels: labels)
        }
    }

    /// Base rows in Postgres-compatible literals (booleans as true/false).
    static var baseRows: [(table: String, values: [(String, String)])] {
        SchemaFixture.rows.map { row in
            (row.table, row.values.map { name, value in
                (name, ["is_active", "is_hard_override"].contains(name) ? (value == "1" ? "true" : "false") : value)
            })
        }
    }

    var statements: [Statement] = []
    var counter = 0

    mutating func freshId() -> String {
        counter += 1
        return String(format: "00000000-0000-4000-8000-%012d", counter)
    }

    static func quoted(_ text: String) -> String { "'" + text.replacingOccurrences(of: "'", with: "''") + "'" }

    /// The base row of `table` with fresh key and unique values and `column` set to `literal`.
    mutating func variant(_ table: String, _ column: String, _ literal: String?, label: String, divergence: String? = nil) {
        let id = freshId()
        let n = counter
        var values = Self.baseRows.last { $0.table == table }!.values
        let fresh: [String: String] = ["id": Self.quoted(id), "email": "'v\(n)@example.com'", "policy_key": "'POL-V-\(n)'", "trace_id": "'t-v\(n)'", "version": "\(n + 10)"]
        values = values.map { ($0.0, fresh[$0.0] ?? $0.1) }
        if let literal {
            if let index = values.firstIndex(where: { $0.0 == column }) { values[index].1 = literal } else { values.append((column, literal)) }
        } else {
            values.removeAll { $0.0 == column }
        }
        let sql = "INSERT INTO \(table) (\(values.map(\.0).joined(separator: ", "))) VALUES (\(values.map(\.1).joined(separator: ", ")))"
        let key = table == "audit_events" ? nil : (table, id)
        statements.append(Statement(label: "\(table).\(column): \(label)", sql: sql, readBack: key, divergence: divergence))
    }

    static func build(_ db: Database) throws -> DifferentialCorpus {
        var corpus = DifferentialCorpus()
        for (table, values) in baseRows {
            let id = values.first { $0.0 == "id" }?.1.trimmingCharacters(in: ["'"])
            corpus.statements.append(Statement(label: "\(table): base row", sql: SchemaFixture.insertSQL(table, values), readBack: id.map { (table, $0) }))
        }
        for table in tables {
            for column in try columns(db, table) {
                let c = column.name
                if table == "audit_events" && c == "id" { continue }
                switch column.kind {
                case "uuid" where c == "id":
                    corpus.variant(table, c, Self.quoted(corpus.freshId().uppercased()), label: "upper-case UUID", divergence: "D1")
                    corpus.variant(table, c, "'not-a-uuid'", label: "malformed UUID")
                    corpus.variant(table, c, "'{00000000-0000-4000-8000-000000000999}'", label: "braced UUID", divergence: "D1")
                case "uuid":
                    corpus.variant(table, c, "'dddddddd-dddd-4ddd-8ddd-dddddddddddd'", label: "missing parent (foreign key)")
                    corpus.variant(table, c, "'not-a-uuid'", label: "malformed UUID")
                case "timestamptz":
                    corpus.variant(table, c, "'2026-01-14T09:00:00Z'", label: "UTC")
                    corpus.variant(table, c, "'2026-01-14 09:00:00+05:30'", label: "offset")
                    corpus.variant(table, c, "'2026-01-14T09:00:00.123456Z'", label: "microseconds")
                    corpus.variant(table, c, "'2026-02-30T10:00:00Z'", label: "impossible day")
                    corpus.variant(table, c, "'2026-01-14T25:00:00Z'", label: "impossible hour")
                    corpus.variant(table, c, "'2026-01-14 09:00:00+00'", label: "two-digit offset")
                    corpus.variant(table, c, "'2026-01-14 09:00:00-0330'", label: "four-digit offset")
                    corpus.variant(table, c, "'2026-01-15'", label: "date alone")
                    corpus.variant(table, c, "'2026-01-14 09:00+01'", label: "no seconds")
                    corpus.variant(table, c, "'2026-01-14T09:00:00.5+05:30'", label: "fraction and offset")
                    corpus.variant(table, c, "'2026-01-14 9:00'", label: "one-digit hour", divergence: "D2")
                    // Postgres reads 'tomorrow' on its own clock, the rehearsal on the virtual one.
                    corpus.variant(table, c, "'tomorrow'", label: "special value", divergence: "D2")
                case "jsonb":
                    corpus.variant(table, c, "'{\"a\": [1, 2, {\"b\": null}]}'", label: "nested")
                    corpus.variant(table, c, "'\"a string\"'", label: "scalar")
                    corpus.variant(table, c, "'[1,]'", label: "malformed")
                    corpus.variant(table, c, "'{\"a\": 1, \"a\": 2}'", label: "duplicate keys", divergence: "D4")
                case "varchar":
                    let n = column.limit!
                    corpus.variant(table, c, Self.quoted(String(repeating: "x", count: n)), label: "\(n) characters")
                    corpus.variant(table, c, Self.quoted(String(repeating: "é", count: n)), label: "\(n) two-byte characters")
                    corpus.variant(table, c, Self.quoted(String(repeating: "x", count: n + 1)), label: "\(n + 1) characters")
                case "enum":
                    for label in column.labels { corpus.variant(table, c, Self.quoted(label), label: "label \(label)") }
                    corpus.variant(table, c, "'bogus'", label: "unknown label")
                    corpus.variant(table, c, Self.quoted(column.labels[0].uppercased()), label: "label in the wrong case")
                case "boolean":
                    corpus.variant(table, c, "true", label: "true")
                    corpus.variant(table, c, "2", label: "integer 2")
                    corpus.variant(table, c, "'t'", label: "string 't'", divergence: "D5")
                case "integer":
                    corpus.variant(table, c, "0", label: "zero (check)")
                    corpus.variant(table, c, "'abc'", label: "not a number")
                default:
                    corpus.variant(table, c, "'any text, with ''quotes'''", label: "text")
                }
                if column.notNull && !column.hasDefault && c != "id" { corpus.variant(table, c, "NULL", label: "NULL in a NOT NULL column") }
                if !column.notNull { corpus.variant(table, c, "NULL", label: "NULL") }
                if column.hasDefault { corpus.variant(table, c, nil, label: "omitted (default)") }
            }
        }
        // Uniqueness.
        corpus.statements.append(Statement(label: "users.email: duplicate", sql: "INSERT INTO users (id, email, display_name, role, is_active, created_at) VALUES ('00000000-0000-4000-8000-999999999901', 'ana@example.com', 'Dup', 'viewer', true, '2026-01-14T09:00:00Z')"))
        corpus.statements.append(Statement(label: "agent_traces.trace_id: duplicate", sql: "INSERT INTO agent_traces (id, agent_type, trace_id, started_at, status, input_summary) VALUES ('00000000-0000-4000-8000-999999999902', 'a', 't-1', '2026-01-14T09:00:00Z', 'ok', '{}')"))
        corpus.statements.append(Statement(label: "policy_versions: duplicate (policy_id, version)", sql: "INSERT INTO policy_versions (id, policy_id, version, status, rules, created_by, created_at) VALUES ('00000000-0000-4000-8000-999999999903', '\(SchemaFixture.policyId)', 1, 'draft', '{}', '\(SchemaFixture.userId)', '2026-01-14T09:00:00Z')"))
        // The hard-override constraint.
        let decision = "INSERT INTO decisions (id, exception_id, decision_type, is_hard_override, rationale, decided_by, decided_at, approved_by, approved_at) VALUES "
        corpus.statements.append(Statement(label: "ck_hard_override: no approval", sql: decision + "('00000000-0000-4000-8000-999999999904', '\(SchemaFixture.exceptionId)', 'accept_risk', true, 'r', '\(SchemaFixture.userId)', '2026-01-14T09:00:00Z', NULL, NULL)"))
        corpus.statements.append(Statement(label: "ck_hard_override: approver only", sql: decision + "('00000000-0000-4000-8000-999999999905', '\(SchemaFixture.exceptionId)', 'accept_risk', true, 'r', '\(SchemaFixture.userId)', '2026-01-14T09:00:00Z', '\(SchemaFixture.approverId)', NULL)"))
        corpus.statements.append(Statement(label: "ck_hard_override: approved", sql: decision + "('00000000-0000-4000-8000-999999999906', '\(SchemaFixture.exceptionId)', 'accept_risk', true, 'r', '\(SchemaFixture.userId)', '2026-01-14T09:00:00Z', '\(SchemaFixture.approverId)', '2026-01-14T09:30:00Z')",
                                           readBack: ("decisions", "00000000-0000-4000-8000-999999999906")))
        // Immutability and ordinary updates.
        for (table, column, key) in [("decisions", "rationale", "id = '\(SchemaFixture.decisionId)'"), ("evidence_packs", "content_hash", "id = '\(SchemaFixture.evidenceId)'"), ("audit_events", "action", "actor = 'system'")] {
            corpus.statements.append(Statement(label: "\(table): UPDATE (immutable)", sql: "UPDATE \(table) SET \(column) = 'changed' WHERE \(key)"))
            corpus.statements.append(Statement(label: "\(table): DELETE (immutable)", sql: "DELETE FROM \(table) WHERE \(key)"))
        }
        corpus.statements.append(Statement(label: "pending_proposals: UPDATE status", sql: "UPDATE pending_proposals SET status = 'approved', reviewed_by = 'r', reviewed_at = '2026-01-14T10:00:00Z' WHERE id = '\(SchemaFixture.proposalId)'",
                                           readBack: ("pending_proposals", SchemaFixture.proposalId)))
        corpus.statements.append(Statement(label: "pending_proposals: UPDATE to a bad label", sql: "UPDATE pending_proposals SET status = 'Approved' WHERE id = '\(SchemaFixture.proposalId)'"))
        corpus.statements.append(Statement(label: "users: DELETE a referenced row", sql: "DELETE FROM users WHERE id = '\(SchemaFixture.userId)'"))
        corpus.statements.append(Statement(label: "exceptions: UPDATE status", sql: "UPDATE exceptions SET status = 'dismissed' WHERE id = '\(SchemaFixture.exceptionId)'", readBack: ("exceptions", SchemaFixture.exceptionId)))
        // SQLite-only syntax is refused as Postgres refuses it; RETURNING works; trigger control
        // and replica sessions have Postgres's semantics; psql's transaction commands.
        let decisionRow = "WHERE id = '\(SchemaFixture.decisionId)'"
        corpus.statements += [
            Statement(label: "SQLite-only: REPLACE INTO", sql: "REPLACE INTO users (id, email, display_name, role, is_active, created_at) VALUES ('\(SchemaFixture.userId)', 'r@example.com', 'R', 'viewer', true, '2026-01-14T09:00:00Z')"),
            Statement(label: "SQLite-only: INSERT OR IGNORE", sql: "INSERT OR IGNORE INTO users (id, email, display_name, role, is_active, created_at) VALUES ('\(SchemaFixture.userId)', 'r@example.com', 'R', 'viewer', true, '2026-01-14T09:00:00Z')"),
            Statement(label: "SQLite-only: UPDATE OR REPLACE", sql: "UPDATE OR REPLACE users SET display_name = 'x' WHERE id = '\(SchemaFixture.userId)'"),
            Statement(label: "RETURNING on UPDATE", sql: "UPDATE exceptions SET title = 'returned' WHERE id = '\(SchemaFixture.exceptionId)' RETURNING id, title", isQuery: true),
            Statement(label: "RETURNING on an immutable table still aborts", sql: "UPDATE decisions SET rationale = 'returned' \(decision) RETURNING id"),
            Statement(label: "DISABLE TRIGGER, UPDATE, ENABLE TRIGGER", sql: "ALTER TABLE decisions DISABLE TRIGGER decisions_immutable; UPDATE decisions SET rationale = 'while disabled' \(decision); ALTER TABLE decisions ENABLE TRIGGER decisions_immutable",
                      readBack: ("decisions", SchemaFixture.decisionId)),
            Statement(label: "after ENABLE TRIGGER the UPDATE aborts again", sql: "UPDATE decisions SET rationale = 'enabled' \(decision)"),
            Statement(label: "a replica session does not fire ordinary triggers", sql: "SET session_replication_role = replica; UPDATE decisions SET rationale = 'replica' \(decision)",
                      readBack: ("decisions", SchemaFixture.decisionId)),
            Statement(label: "the replica role ends with the session", sql: "UPDATE decisions SET rationale = 'origin' \(decision)"),
            Statement(label: "ENABLE ALWAYS fires in a replica session", sql: "ALTER TABLE decisions ENABLE ALWAYS TRIGGER decisions_immutable; SET session_replication_role = replica; UPDATE decisions SET rationale = 'always' \(decision)"),
            Statement(label: "ENABLE TRIGGER after ALWAYS", sql: "ALTER TABLE decisions ENABLE TRIGGER decisions_immutable"),
            Statement(label: "DISABLE TRIGGER ALL", sql: "ALTER TABLE evidence_packs DISABLE TRIGGER ALL"),
            Statement(label: "DELETE … RETURNING with the triggers off", sql: "DELETE FROM evidence_packs WHERE id = '\(SchemaFixture.evidenceId)' RETURNING id", isQuery: true),
            Statement(label: "ENABLE TRIGGER ALL", sql: "ALTER TABLE evidence_packs ENABLE TRIGGER ALL"),
            Statement(label: "DROP TRIGGER of a trigger that does not exist", sql: "DROP TRIGGER no_such_trigger ON decisions"),
            Statement(label: "DROP TRIGGER IF EXISTS of a trigger that does not exist", sql: "DROP TRIGGER IF EXISTS no_such_trigger ON decisions"),
            Statement(label: "COMMIT outside a transaction is a warning", sql: "COMMIT"),
            Statement(label: "ROLLBACK undoes an explicit transaction", sql: "BEGIN; UPDATE users SET display_name = 'rolled back' WHERE id = '\(SchemaFixture.userId)'; ROLLBACK",
                      readBack: ("users", SchemaFixture.userId)),
        ]
        // The checklist's queries, compared row by row.
        for (index, sql) in try ChecklistSQLTests.statements().enumerated() where sql.hasPrefix("SELECT") {
            // 1.2's latest audit event: ids after failed inserts (D6) and MAX over mixed timestamp texts (D3).
            let divergence = sql.contains("latest_audit_event_id") ? "D3,D6" : nil
            corpus.statements.append(Statement(label: "checklist query \(index + 1)", sql: sql, divergence: divergence, isQuery: true))
        }
        return corpus
    }
}
