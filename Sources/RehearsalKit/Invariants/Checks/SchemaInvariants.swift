import GRDB

/// `schema.revision`: `alembic_version` is at the expected revision (the head, unless a
/// scenario expects another).
struct SchemaRevisionInvariant: Invariant {
    var reads: InvariantReads { .tables("alembic_version", world: [.expectedRevision]) }

    var info: InvariantInfo {
        InvariantInfo(id: "schema.revision", title: "alembic_version is at the expected revision", source: "1.1, 3.2", severity: .high)
    }

    func evaluate(_ context: InvariantContext) throws -> InvariantStatus {
        // alembic keeps exactly one row; several make "the" revision meaningless (alembic
        // itself stops with "Online migration expected to match one row when updating").
        if try context.hasTable("alembic_version") {
            let rows = try String.fetchAll(context.db, cached: "SELECT version_num FROM alembic_version ORDER BY version_num")
            if rows.count > 1 {
                return .broken(detail: "alembic_version has \(rows.count) rows: \(rows.joined(separator: ", "))",
                               evidence: rows.map { Evidence(table: "alembic_version", rowId: $0, column: "version_num", note: "one of \(rows.count) rows; alembic keeps exactly one") })
            }
        }
        let current = try MigrationBookkeeping.currentRevision(context.db)
        guard let expected = context.expectedRevision else { return .notApplicable(reason: "no expected revision") }
        if current == expected || (current == nil && expected == RevisionChain.base) { return .holds(detail: "at \(expected)") }
        return .broken(detail: "at \(current ?? "<base>"), expected \(expected)",
                       evidence: [Evidence(table: "alembic_version", column: "version_num", note: "version_num is \(current ?? "absent"), expected \(expected)")])
    }
}

/// `schema.sprint3_objects`: what checklist 3.3 verifies after migrating: the new tables,
/// enum types and indexes of every applied Sprint 3 revision exist.
struct Sprint3ObjectsInvariant: Invariant {
    var reads: InvariantReads { InvariantReads() }
    static let objects: [(revision: String, kind: String, name: String)] = [
        ("006_add_pending_proposals", "table", "pending_proposals"),
        ("006_add_pending_proposals", "type", "proposal_status"),
        ("006_add_pending_proposals", "type", "proposal_type"),
        ("006_add_pending_proposals", "index", "idx_pending_proposals_status"),
        ("006_add_pending_proposals", "index", "idx_pending_proposals_expires"),
        ("007_add_agent_traces", "table", "agent_traces"),
        ("007_add_agent_traces", "index", "idx_agent_traces_trace_id"),
        ("007_add_agent_traces", "index", "idx_agent_traces_agent_type"),
        ("007_add_agent_traces", "index", "idx_agent_traces_status"),
    ]

    var info: InvariantInfo {
        InvariantInfo(id: "schema.sprint3_objects", title: "Sprint 3 tables, enum types and indexes exist", source: "3.3, 4.2", severity: .high)
    }

    func evaluate(_ context: InvariantContext) throws -> InvariantStatus {
        if let notYet = try context.requireRevision("006_add_pending_proposals") { return notYet }
        let applied = try context.appliedIndex()
        var evidence: [Evidence] = []
        var checked = 0
        for object in Self.objects where (context.chain.index(of: object.revision) ?? Int.max) <= applied {
            checked += 1
            let exists: Bool
            if object.kind == "type" {
                exists = try MigrationBookkeeping.enumTypeExists(context.db, object.name)
            } else {
                exists = try Bool.fetchOne(context.db, cached: "SELECT EXISTS (SELECT 1 FROM sqlite_master WHERE type = ? AND name = ?)", arguments: [object.kind, object.name])!
            }
            if !exists { evidence.append(Evidence(table: object.kind == "table" ? object.name : nil, note: "\(object.kind) \(object.name) of \(object.revision) is missing")) }
        }
        if evidence.isEmpty { return .holds(detail: "\(checked) objects present") }
        return .broken(detail: "\(evidence.count) object(s) missing", evidence: evidence)
    }
}

/// `schema.matches_revision`: the live schema is what the migrations produce at the revision
/// `alembic_version` records — no table, column, type, constraint, index or trigger added,
/// dropped, changed or disabled behind the migrator's back. Every difference is listed.
struct SchemaMatchesRevisionInvariant: Invariant {
    var reads: InvariantReads { InvariantReads() }

    var info: InvariantInfo {
        InvariantInfo(id: "schema.matches_revision", title: "the schema is what the migrations produce at the recorded revision", source: "2.3, 3.3", severity: .high)
    }

    func evaluate(_ context: InvariantContext) throws -> InvariantStatus {
        // Scenarios evaluate after every step and most steps change no schema: the verdict
        // stands while the catalog, the enum labels, the trigger states, alembic_version and
        // the migration files are byte for byte the same.
        guard let cache = context.cache else { return try compare(context) }
        let key = try Self.fingerprint(context)
        if let status = cache.schemaVerdict(key) { return status }
        let status = try compare(context)
        cache.rememberSchemaVerdict(key, status)
        return status
    }

    static func fingerprint(_ context: InvariantContext) throws -> UInt64 {
        var fields: [[UInt8]] = context.chain.revisions.map { Array($0.checksum.utf8) }
        // The catalogue's rows hashed where they are, as numbers: its long CREATE statements are
        // not copied out at every evaluation.
        BaselineIdentity.registerFingerprint(context.db)
        for fingerprint in try Int64.fetchAll(context.db, cached: "SELECT rehearse_fingerprint(type, name, tbl_name, sql) FROM main.sqlite_master ORDER BY type, name") {
            withUnsafeBytes(of: fingerprint.littleEndian) { fields.append(Array($0)) }
        }
        fields.append([1])
        for (table, sql) in [("rehearse_enum_labels", "SELECT * FROM rehearse_enum_labels ORDER BY 1, 2, 3"),
                             ("rehearse_trigger_state", "SELECT * FROM rehearse_trigger_state ORDER BY 1"),
                             ("alembic_version", "SELECT version_num FROM alembic_version ORDER BY 1")] {
            if try !context.hasTable(table) { fields.append([0]); continue }
            // Each row by its value fingerprint (type and bytes of every column). Not a cached
            // statement: `SELECT *` of a table another process may alter.
            for row in try Row.fetchAll(context.db, sql: sql) {
                withUnsafeBytes(of: BaselineIdentity.fingerprintValue(Array(row.databaseValues)).littleEndian) { fields.append(Array($0)) }
            }
            fields.append([1])
        }
        return Fingerprint.of(fields)
    }

    func compare(_ context: InvariantContext) throws -> InvariantStatus {
        let compared: (revision: String?, differences: [SchemaDifference])
        do {
            compared = try ExpectedSchema.differences(context.db, chain: context.chain)
        } catch let unknown as SchemaDriftUnknown {
            return .unknown(reason: "could not evaluate: \(unknown.reason)")
        }
        let revision = compared.revision ?? "<base>"
        if compared.differences.isEmpty { return .holds(detail: "schema matches \(revision)") }
        return .broken(detail: "\(compared.differences.count) difference(s) from the schema of \(revision)",
                       evidence: compared.differences.map { Evidence(table: $0.table, column: $0.column, note: $0.description) })
    }
}
