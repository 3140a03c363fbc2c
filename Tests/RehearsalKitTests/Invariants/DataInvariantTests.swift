import GRDB
import Testing
@testable import RehearsalKit

/// Each invariant holds on seeded data and breaks, with the right evidence, when the database
/// is broken the way the checklist fears.
@Suite struct DataInvariantTests {
    @Test(arguments: ["decisions", "evidence_packs", "audit_events"])
    func immutabilityHoldsThenBreaksWhenTheTriggerIsDropped(table: String) throws {
        let (queue, _) = try makeSeededDatabase()
        try queue.writeWithoutTransaction { db in
            #expect(try evaluate("immutability.\(table)", db).holds)
            try db.execute(sql: "DROP TRIGGER \(table)_immutable_update")
            let before = try dataDump(db)
            let status = try evaluate("immutability.\(table)", db)
            #expect(status.isBroken)
            #expect(status.evidence.map(\.note).contains("trigger \(table)_immutable_update is missing"))
            #expect(status.evidence.contains { $0.note == "UPDATE of a row succeeded (rolled back by the check)" && $0.table == table && $0.rowId != nil })
            #expect(!status.evidence.contains { $0.note.hasPrefix("DELETE") })
            // The probe's UPDATE went through, and was rolled back.
            #expect(try dataDump(db) == before)
        }
    }

    @Test func immutabilityBreaksWhenTheTriggerIsDisabled() throws {
        let (queue, _) = try makeSeededDatabase()
        try queue.writeWithoutTransaction { db in
            try db.execute(sql: "INSERT INTO rehearse_trigger_state VALUES ('audit_events_immutable', 'D')")
            let status = try evaluate("immutability.audit_events", db)
            #expect(status.evidence.map(\.note) == [
                "trigger audit_events_immutable is disabled (tgenabled = D)",
                "UPDATE of a row succeeded (rolled back by the check)",
                "DELETE of a row succeeded (rolled back by the check)",
            ])
            #expect(status.evidence[1].rowId == "1")
            // The DELETE that went through names the row it took (its RETURNING), and was rolled back.
            #expect(status.evidence[2].rowId == "1")
            #expect(try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM audit_events WHERE id = 1") == 1)
        }
    }

    /// A table whose `id` column is gone cannot name the row it probes: the check is unknown,
    /// whatever its triggers do (not broken by a statement that could not even be written).
    @Test func immutabilityIsUnknownWhenTheTableHasNoIdColumn() throws {
        let (queue, _) = try makeSeededDatabase()
        try queue.writeWithoutTransaction { db in
            try db.execute(sql: "ALTER TABLE decisions RENAME COLUMN id TO decision_id")
            let status = try evaluate("immutability.decisions", db)
            #expect(status.isUnknown, "\(status)")
        }
    }

    /// The usual probe column dropped behind the migrator's back: the UPDATE sets another column
    /// to itself, and still finds a missing trigger (not a "no such column" failure).
    @Test func immutabilityIsProbedThroughAnotherColumnWhenTheUsualOneIsGone() throws {
        let (queue, _) = try makeSeededDatabase()
        try queue.writeWithoutTransaction { db in
            try db.execute(sql: "DROP TRIGGER decisions_immutable_update")
            try db.execute(sql: "ALTER TABLE decisions DROP COLUMN rationale")
            let notes = try evaluate("immutability.decisions", db).evidence.map(\.note)
            #expect(notes.contains("UPDATE of a row succeeded (rolled back by the check)"), "\(notes)")
            #expect(!notes.contains { $0.contains("not by the trigger") }, "\(notes)")
        }
    }

    @Test func immutabilityIsProbedOnAnEmptyTableToo() throws {
        let queue = try makeDatabase()
        try queue.writeWithoutTransaction { db in
            #expect(try evaluate("immutability.decisions", db).holds)
            try db.execute(sql: "DROP TRIGGER decisions_immutable_delete")
            #expect(try evaluate("immutability.decisions", db).evidence.map(\.note).contains("DELETE of a row succeeded (rolled back by the check)"))
            #expect(try Int.fetchOne(db, sql: "SELECT count(*) FROM decisions") == 0)
        }
    }

    @Test func immutabilityIsNotApplicableBeforeRevision005() throws {
        let queue = try makeDatabase(migratedTo: "004")
        let status = try queue.writeWithoutTransaction { db in try evaluate("immutability.decisions", db) }
        #expect(status == .notApplicable(reason: "revision 005_add_immutability_triggers not yet applied"))
    }

    @Test func hardOverrideWrittenBehindTheConstraintsBackIsReported() throws {
        let (queue, _) = try makeSeededDatabase()
        try queue.writeWithoutTransaction { db in
            #expect(try evaluate("constraint.hard_override_requires_approval", db).holds)
            let exception = try String.fetchOne(db, sql: "SELECT id FROM exceptions LIMIT 1")!
            let user = try String.fetchOne(db, sql: "SELECT id FROM users LIMIT 1")!
            try db.execute(sql: "PRAGMA ignore_check_constraints = ON")
            try db.execute(sql: """
                INSERT INTO decisions (id, exception_id, decision_type, is_hard_override, rationale, decided_by, decided_at)
                VALUES ('eeeeeeee-eeee-4eee-8eee-eeeeeeeeeeee', ?, 'accept_risk', 1, 'sneaky', ?, '2026-01-14T09:00:00Z')
                """, arguments: [exception, user])
            let status = try evaluate("constraint.hard_override_requires_approval", db)
            // While checks are ignored, the probe is accepted too: the constraint is not enforced.
            #expect(status.evidence.map(\.note) == [
                "a hard override without approval was accepted (rolled back by the check)",
                "hard override without approver or approval time",
            ])
            #expect(status.evidence[1].rowId == "eeeeeeee-eeee-4eee-8eee-eeeeeeeeeeee")
            try db.execute(sql: "PRAGMA ignore_check_constraints = OFF")
            #expect(try evaluate("constraint.hard_override_requires_approval", db).evidence.count == 1)
        }
    }

    /// The constraint dropped by remaking the table without it (SQLite cannot drop a constraint):
    /// it is reported as not declared, and the probe's hard override goes through.
    @Test func hardOverrideConstraintRemovedIsReportedAsNotDeclared() throws {
        let (queue, _) = try makeSeededDatabase()
        try queue.writeWithoutTransaction { db in
            let text = try String.fetchOne(db, sql: "SELECT sql FROM sqlite_master WHERE name = 'decisions'")!
            let clause = try #require(text.range(of: ",\n    CONSTRAINT ck_hard_override_requires_approval CHECK"))
            // The clause ends where the table's closing parenthesis line starts.
            let end = try #require(text.range(of: "\n)", range: clause.upperBound..<text.endIndex))
            let without = (String(text[..<clause.lowerBound]) + String(text[end.lowerBound...])).replacingOccurrences(of: "CREATE TABLE decisions", with: "CREATE TABLE decisions_new")
            try db.execute(sql: "PRAGMA foreign_keys = OFF")
            try db.execute(sql: without)
            try db.execute(sql: "INSERT INTO decisions_new SELECT * FROM decisions; DROP TABLE decisions; ALTER TABLE decisions_new RENAME TO decisions")
            try db.execute(sql: "PRAGMA foreign_keys = ON")
            let notes = try evaluate("constraint.hard_override_requires_approval", db).evidence.map(\.note)
            #expect(notes == ["constraint ck_hard_override_requires_approval is not declared",
                              "a hard override without approval was accepted (rolled back by the check)"], "\(notes)")
        }
    }

    @Test func anOrphanedEvidencePackIsReportedWithItsRowAndColumn() throws {
        let (queue, _) = try makeSeededDatabase()
        try queue.writeWithoutTransaction { db in
            #expect(try evaluate("fk.no_orphans", db).holds)
            let user = try String.fetchOne(db, sql: "SELECT id FROM users LIMIT 1")!
            try db.execute(sql: "PRAGMA foreign_keys = OFF")
            try db.execute(sql: """
                INSERT INTO evidence_packs (id, decision_id, content, content_hash, created_by, created_at)
                VALUES ('eeeeeeee-eeee-4eee-8eee-eeeeeeeeeeee', 'dddddddd-dddd-4ddd-8ddd-dddddddddddd', '{}', 'x', ?, '2026-01-14T09:00:00Z')
                """, arguments: [user])
            try db.execute(sql: "PRAGMA foreign_keys = ON")
            let status = try evaluate("fk.no_orphans", db)
            #expect(status == .broken(detail: "1 orphaned row(s)", evidence: [
                Evidence(table: "evidence_packs", rowId: "eeeeeeee-eeee-4eee-8eee-eeeeeeeeeeee", column: "decision_id", note: "references a missing decisions row"),
            ]))
        }
    }

    @Test func anUndeclaredForeignKeyIsReported() throws {
        let queue = try makeDatabase()
        try queue.writeWithoutTransaction { db in
            // Rebuild evidence_packs without its decision_id foreign key, as a careless migration might.
            try db.execute(sql: "PRAGMA foreign_keys = OFF")
            try db.execute(sql: "DROP TABLE evidence_packs")
            try db.execute(sql: "CREATE TABLE evidence_packs (id TEXT PRIMARY KEY, decision_id TEXT, created_by TEXT REFERENCES users(id))")
            try db.execute(sql: "PRAGMA foreign_keys = ON")
            #expect(try evaluate("fk.no_orphans", db).evidence == [
                Evidence(table: "evidence_packs", column: "decision_id", note: "foreign key evidence_packs.decision_id → decisions is not declared"),
            ])
        }
    }

    @Test func aChangedRoleIsReportedByUserId() throws {
        let (queue, baseline) = try makeSeededDatabase()
        try queue.writeWithoutTransaction { db in
            #expect(try evaluate("users.roles_retained", db, baseline: baseline).holds)
            #expect(try evaluate("users.roles_retained", db) == .notApplicable(reason: "no baseline recorded"))
            let approver = try String.fetchOne(db, sql: "SELECT id FROM users WHERE role = 'approver' LIMIT 1")!
            try db.execute(sql: "UPDATE users SET role = 'viewer', is_active = 0 WHERE id = ?", arguments: [approver])
            let status = try evaluate("users.roles_retained", db, baseline: baseline)
            #expect(status.evidence == [
                Evidence(table: "users", rowId: approver, column: "role", note: "role changed from approver to viewer"),
                Evidence(table: "users", rowId: approver, column: "is_active", note: "is_active changed from true to false"),
            ])
            // Evidence never carries the user's email or name.
            let email = try String.fetchOne(db, sql: "SELECT email FROM users WHERE id = ?", arguments: [approver])!
            #expect(!InvariantReport(results: [InvariantResult(info: InvariantCatalog.standard.info("users.roles_retained")!, status: status)]).json().serialized().contains(email))
        }
    }

    @Test func aTamperedEvaluationOutputIsReported() throws {
        let (queue, _) = try makeSeededDatabase()
        try queue.writeWithoutTransaction { db in
            #expect(try evaluate("evaluation.deterministic", db).holds)
            let ids = try String.fetchAll(db, sql: "SELECT id FROM evaluations ORDER BY rowid LIMIT 2")
            // Output changed, hash left: the stored hash no longer matches.
            try db.execute(sql: "UPDATE evaluations SET output = json_set(output, '$.result', 'pass') WHERE id = ?", arguments: [ids[0]])
            // Result changed consistently with nothing: re-evaluation disagrees.
            let flipped = try String.fetchOne(db, sql: "SELECT CASE result WHEN 'pass' THEN 'fail' ELSE 'pass' END FROM evaluations WHERE id = ?", arguments: [ids[1]])!
            try db.execute(sql: "UPDATE evaluations SET result = ? WHERE id = ?", arguments: [flipped, ids[1]])
            let status = try evaluate("evaluation.deterministic", db)
            #expect(status == .broken(detail: "2 of 400 evaluations do not reproduce", evidence: [
                Evidence(table: "evaluations", rowId: ids[0], column: "output_hash", note: "stored hash is not the hash of the stored output"),
                Evidence(table: "evaluations", rowId: ids[1], column: "result", note: "re-evaluation gives a different result"),
            ]))
        }
    }

    @Test func aChangedPolicyRuleMakesStoredEvaluationsIrreproducible() throws {
        let (queue, _) = try makeSeededDatabase()
        try queue.writeWithoutTransaction { db in
            try db.execute(sql: "UPDATE policy_versions SET rules = json_set(rules, '$.rules[0].value', 1) WHERE status = 'active' AND rowid = (SELECT min(rowid) FROM policy_versions WHERE status = 'active')")
            let status = try evaluate("evaluation.deterministic", db)
            #expect(status.isBroken)
            #expect(status.evidence.allSatisfy { $0.table == "evaluations" && $0.rowId != nil })
        }
    }

    @Test func deletedRowsBreakCountsAndNoDataLost() throws {
        let (queue, baseline) = try makeSeededDatabase()
        try queue.writeWithoutTransaction { db in
            #expect(try evaluate("baseline.counts_unchanged", db, baseline: baseline).holds)
            #expect(try evaluate("baseline.no_data_lost", db, baseline: baseline).holds)
            try db.execute(sql: "DELETE FROM exceptions WHERE id NOT IN (SELECT exception_id FROM decisions) AND rowid IN (SELECT rowid FROM exceptions WHERE id NOT IN (SELECT exception_id FROM decisions) LIMIT 3)")
            let counts = try evaluate("baseline.counts_unchanged", db, baseline: baseline)
            #expect(counts.evidence == [Evidence(table: "exceptions", note: "count 180 → 177 (-3)")])
            #expect(try evaluate("baseline.no_data_lost", db, baseline: baseline).evidence == [
                Evidence(table: "exceptions", note: "3 row(s) fewer than the baseline (180 → 177)"),
            ])
        }
    }

    @Test func newRowsChangeCountsButLoseNoData() throws {
        let (queue, baseline) = try makeSeededDatabase()
        try queue.writeWithoutTransaction { db in
            try AuditLog.record(db, at: Seeder.defaultNow, actor: "system:test", action: "test", entityType: "test", entityId: nil)
            let latest = baseline.latestAuditEventId!
            #expect(try evaluate("baseline.counts_unchanged", db, baseline: baseline).evidence.map(\.note) == [
                "count \(baseline.tableCounts["audit_events"]!) → \(baseline.tableCounts["audit_events"]! + 1) (+1)",
                "latest audit event id \(latest) → \(latest + 1)",
            ])
            #expect(try evaluate("baseline.no_data_lost", db, baseline: baseline).holds)
        }
    }

    @Test func schemaRevisionAndSprint3ObjectsFollowTheMigrations() throws {
        let queue = try makeDatabase()
        try queue.writeWithoutTransaction { db in
            #expect(try evaluate("schema.revision", db) == .holds(detail: "at 007_add_agent_traces"))
            #expect(try evaluate("schema.sprint3_objects", db) == .holds(detail: "9 objects present"))
            try db.execute(sql: "DROP INDEX idx_agent_traces_status")
            #expect(try evaluate("schema.sprint3_objects", db).evidence == [Evidence(note: "index idx_agent_traces_status of 007_add_agent_traces is missing")])
            // Its downgrade drops that index, so it must exist again to downgrade.
            try db.execute(sql: "CREATE INDEX idx_agent_traces_status ON agent_traces (status)")
            try Migrator(chain: RevisionChain.shipped()).downgrade(db, to: "006")
            #expect(try evaluate("schema.sprint3_objects", db) == .holds(detail: "5 objects present"))
            #expect(try evaluate("schema.revision", db).evidence == [
                Evidence(table: "alembic_version", column: "version_num", note: "version_num is 006_add_pending_proposals, expected 007_add_agent_traces"),
            ])
            try Migrator(chain: RevisionChain.shipped()).downgrade(db, to: "005")
            #expect(try evaluate("schema.sprint3_objects", db) == .notApplicable(reason: "revision 006_add_pending_proposals not yet applied"))
        }
    }

    @Test func unknownInvariantIdsGetASuggestion() {
        #expect(throws: UnknownInvariantError(id: "immutability.decision", suggestion: "immutability.decisions")) {
            try InvariantCatalog.standard.validate(ids: ["immutability.decision"])
        }
    }
}
