import Foundation
import Testing
import GRDB
@testable import RehearsalKit

@Suite struct CheckCommandTests {
    func seededFile() throws -> String {
        let path = try makeTemporaryDirectory().appendingPathComponent("c.db").path
        #expect(try runRehearse(["migrate", "upgrade", "head", "--db", path]).status == 0)
        #expect(try runRehearse(["seed", "--db", path, "--seed", "3"]).status == 0)
        return path
    }

    @Test func checkLeavesTheFileByteIdenticalEvenWhenATriggerIsMissing() throws {
        let path = try seededFile()
        #expect(try runRehearse(["sql", "--sqlite", "--db", path, "DROP TRIGGER decisions_immutable_update"]).status == 0)
        let before = try Data(contentsOf: URL(fileURLWithPath: path))
        let result = try runRehearse(["check", "--db", path])
        #expect(result.status == 1)
        #expect(result.stdout.contains("  BROKEN  immutability.decisions "))
        #expect(result.stdout.contains("           - decisions: trigger decisions_immutable_update is missing"))
        #expect(try Data(contentsOf: URL(fileURLWithPath: path)) == before)
    }

    @Test func checkWithABaselinePrintsTheBaselineValuesTable() throws {
        let path = try seededFile()
        let baseline = path + ".baseline.json"
        #expect(try runRehearse(["baseline", "--db", path, "-o", baseline]).status == 0)
        #expect(try runRehearse(["sql", "--db", path, "INSERT INTO audit_events (occurred_at, actor, action, entity_type) VALUES ('2026-01-14T10:00:00Z', 'system:test', 'test', 'test')"]).status == 0)
        let result = try runRehearse(["check", "--db", path, "--baseline", baseline])
        #expect(result.status == 1)
        #expect(result.stdout.contains("| decisions count | 135 | 135 | OK |"))
        #expect(result.stdout.contains("| audit_events count | 1444 | 1445 | CHANGED (+1) |"))
        #expect(result.stdout.contains("| latest_audit_event_id | 1444 | 1445 | CHANGED (+1) |"))
        #expect(result.stdout.contains("  holds   baseline.no_data_lost"))
    }

    @Test func checkJSONIsStableAndCanBeNarrowed() throws {
        let path = try seededFile()
        let result = try runRehearse(["check", "--db", path, "--format", "json", "--only", "fk.no_orphans", "schema.revision"])
        #expect(result.status == 0)
        #expect(result.stdout == """
            {
              "format": "rehearse-check/1",
              "summary": {
                "holds": 2,
                "broken": 0,
                "not_applicable": 0,
                "unknown": 0
              },
              "invariants": [
                {
                  "id": "fk.no_orphans",
                  "title": "No orphaned foreign key relationships (decisions→exceptions, evidence_packs→decisions, …)",
                  "source": "Data Invariants, 4.1",
                  "severity": "critical",
                  "status": "holds",
                  "detail": "0 orphaned rows",
                  "evidence": []
                },
                {
                  "id": "schema.revision",
                  "title": "alembic_version is at the expected revision",
                  "source": "1.1, 3.2",
                  "severity": "high",
                  "status": "holds",
                  "detail": "at 007_add_agent_traces",
                  "evidence": []
                }
              ]
            }

            """)
    }

    @Test func badArgumentsAreUsageErrorsAndMissingFilesInvalidInput() throws {
        let path = try seededFile()
        let unknown = try runRehearse(["check", "--db", path, "--only", "fk.no_orphan"])
        #expect(unknown.status == 64)
        #expect(unknown.stderr.contains("Error: unknown invariant 'fk.no_orphan' (did you mean 'fk.no_orphans'?)"))
        let missing = try runRehearse(["check", "--db", "/nonexistent/x.db"])
        #expect(missing.status == 2)
        #expect(missing.stderr == "/nonexistent/x.db: error: no such database (run `rehearse migrate upgrade head --db /nonexistent/x.db` first)\n")
        let badBaseline = try runRehearse(["check", "--db", path, "--baseline", path])
        #expect(badBaseline.status == 2)
        #expect(badBaseline.stderr.hasPrefix("\(path):1:1: error: not a rehearse baseline: invalid JSON: "))
        let broken = try makeTemporaryDirectory().appendingPathComponent("baseline.json")
        try "{\n  \"format\": \"rehearse-baseline/1\",\n  \"table_counts\": {\"users\": 1,,}\n}\n".write(to: broken, atomically: true, encoding: .utf8)
        #expect(try runRehearse(["check", "--db", path, "--baseline", broken.path]).stderr
            == "\(broken.path):3:31: error: not a rehearse baseline: invalid JSON: expected a string key\n")
        #expect(try runRehearse(["seed", "--db", path, "--profile", "huge"]).status == 64)
        let unmigrated = try makeTemporaryDirectory().appendingPathComponent("empty.db").path
        _ = try runRehearse(["migrate", "upgrade", "002", "--db", unmigrated])
        let seeded = try runRehearse(["seed", "--db", unmigrated])
        #expect(seeded.status == 2)
        #expect(seeded.stderr.hasPrefix("\(unmigrated): error: the database is not migrated (no table exceptions)"))
    }

    /// What reads a dropped table cannot be judged (unknown); the drift itself is broken,
    /// and the rest is still evaluated.
    @Test func aSchemaChangedBehindAlembicsBackIsBrokenDriftAndUnknownReaders() throws {
        let path = try seededFile()
        let queue = try DatabaseQueue(path: path)
        try queue.writeWithoutTransaction { db in try db.execute(sql: "DROP TABLE agent_traces") }
        try queue.close()
        let result = try runRehearse(["check", "--db", path, "--format", "json"])
        #expect(result.status == 1)
        let json = try JSONParser.parse(result.stdout)
        let statuses = Dictionary(uniqueKeysWithValues: (json["invariants"]?.arrayValue ?? []).map { ($0["id"]?.stringValue ?? "", $0) })
        #expect(statuses["traces.no_pii"]?["status"]?.stringValue == "unknown")
        #expect(statuses["traces.no_pii"]?["detail"]?.stringValue == "could not evaluate: no such table: agent_traces (the schema differs from the migrations: see schema.matches_revision)")
        #expect(statuses["schema.matches_revision"]?["status"]?.stringValue == "broken")
        #expect(statuses["schema.matches_revision"]?["evidence"]?.arrayValue?.compactMap { $0["note"]?.stringValue }.contains("table agent_traces is missing") == true)
        #expect(statuses["fk.no_orphans"]?["status"]?.stringValue == "holds")
        #expect(statuses.count == 19)
    }

    @Test func invariantsListsTheCatalog() throws {
        let result = try runRehearse(["invariants"])
        #expect(result.status == 0)
        for id in InvariantCatalog.standard.ids { #expect(result.stdout.contains(id)) }
    }
}
