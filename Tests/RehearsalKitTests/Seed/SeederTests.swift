import Foundation
import GRDB
import Testing
@testable import RehearsalKit

@Suite struct SeederTests {
    @Test func theSameSeedWritesByteIdenticalFilesAndAnotherSeedDoesNot() throws {
        let directory = try makeTemporaryDirectory()
        func seededFile(_ name: String, seed: String) throws -> Data {
            let path = directory.appendingPathComponent(name).path
            #expect(try runRehearse(["migrate", "upgrade", "head", "--db", path]).status == 0)
            let result = try runRehearse(["seed", "--db", path, "--profile", "small", "--seed", seed])
            #expect(result.status == 0)
            return try Data(contentsOf: URL(fileURLWithPath: path))
        }
        let a = try seededFile("a.db", seed: "9")
        let b = try seededFile("b.db", seed: "9")
        let c = try seededFile("c.db", seed: "10")
        #expect(a == b)
        #expect(a != c)
    }

    @Test func seededDataCoversEveryRoleStatusAndDecisionType() throws {
        let (queue, baseline) = try makeSeededDatabase()
        try queue.read { db in
            let roles = Set(try String.fetchAll(db, sql: "SELECT DISTINCT role FROM users WHERE is_active = 1"))
            #expect(roles == ["admin", "approver", "analyst", "viewer", "auditor"])
            #expect(try Int.fetchOne(db, sql: "SELECT count(*) FROM users WHERE is_active = 0")! >= 1)
            #expect(Set(try String.fetchAll(db, sql: "SELECT DISTINCT status FROM exceptions")) == ["open", "under_review", "resolved", "dismissed", "expired"])
            #expect(Set(try String.fetchAll(db, sql: "SELECT DISTINCT decision_type FROM decisions")) == ["accept_risk", "remediate", "escalate", "reject"])
            #expect(try Int.fetchOne(db, sql: "SELECT count(*) FROM decisions WHERE is_hard_override = 1 AND approved_by IS NOT NULL AND approved_at IS NOT NULL")! >= 1)
            #expect(try Int.fetchOne(db, sql: "SELECT count(*) FROM decisions WHERE is_hard_override = 1 AND approved_by = decided_by") == 0)
            #expect(try Int.fetchOne(db, sql: "SELECT max(version) FROM policy_versions") == 3)
            #expect(Set(try String.fetchAll(db, sql: "SELECT DISTINCT result FROM evaluations")) == ["pass", "fail", "needs_review"])
            // Every write has its audit event.
            let writes = Baseline.tables.filter { $0 != "audit_events" }.reduce(0) { $0 + baseline.tableCounts[$1]! }
            let statusChanges = try Int.fetchOne(db, sql: "SELECT count(*) FROM audit_events WHERE action = 'exception.status_changed'")!
            #expect(baseline.tableCounts["audit_events"] == writes + statusChanges)
        }
    }

    @Test func everyInvariantHoldsOnSeededData() throws {
        let (queue, baseline) = try makeSeededDatabase()
        let results = try queue.writeWithoutTransaction { db in
            try InvariantCatalog.standard.evaluate(InvariantContext(db: db, chain: RevisionChain.shipped(), baseline: baseline, now: Seeder.defaultNow))
        }
        #expect(results.filter { $0.status.isBroken }.map(\.info.id) == [])
        #expect(results.filter { $0.status.holds }.count == 15)
    }

    @Test func profilesHaveTheAdvertisedScale() {
        // Counts are fixed by the profile, so they can be computed without seeding.
        func auditEvents(_ p: SeedProfile) -> Int {
            let exceptions = p.exceptions
            let decided = (0..<exceptions).filter(SeedProfile.isDecided).count
            let base = p.users + p.policies + p.policies * p.versionsPerPolicy + 2 * p.signals + exceptions + 2 * decided
            return base + decided  // at least every decided exception changes status
        }
        #expect(auditEvents(.production) >= 1_000_000)
        #expect((0..<SeedProfile.production.exceptions).filter(SeedProfile.isDecided).count >= 100_000)
        #expect(auditEvents(.staging) >= 100_000)
    }

    @Test func seedingRefusesANonEmptyOrUnmigratedDatabase() throws {
        let (queue, _) = try makeSeededDatabase()
        try queue.write { db in
            _ = #expect(throws: SeedError.notEmpty(table: "users")) { try Seeder(profile: .small, seed: 1).seed(db) }
        }
        let empty = try makeDatabase(migratedTo: "002")
        try empty.write { db in
            _ = #expect(throws: SeedError.notMigrated(missingTable: "exceptions")) { try Seeder(profile: .small, seed: 1).seed(db) }
        }
    }

    @Test func theEvaluatorIsAPureFunctionOfRulesAndPayload() throws {
        let rules = Evaluator.RuleSet(json: Seeder.rules(limit: 1000))
        let payload = try JSONParser.parse(#"{"amount": 1500, "country": "DE", "counterparty_age_days": 3}"#)
        let a = Evaluator().evaluate(rules: rules, payload: payload, signalId: "s", policyVersionId: "v")
        let b = Evaluator().evaluate(rules: rules, payload: payload, signalId: "s", policyVersionId: "v")
        #expect(a == b)
        #expect(a.result == "fail")
        #expect(a.output == #"{"evaluator":"rules-v1","policy_version_id":"v","signal_id":"s","matched":["amount_limit","new_counterparty"],"result":"fail"}"#)
        #expect(a.outputHash == SHA256.hex(a.output))
        let review = Evaluator().evaluate(rules: rules, payload: try JSONParser.parse(#"{"amount": 10, "counterparty_age_days": 3}"#), signalId: "s", policyVersionId: "v")
        #expect(review.result == "needs_review")
    }

    @Test func sha256MatchesKnownVectors() {
        #expect(SHA256.hex("") == "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855")
        #expect(SHA256.hex("abc") == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad")
        #expect(SHA256.hex(String(repeating: "a", count: 1000)) == "41edece42d63e8d9bf515a9ba6932e1c20cbc9f5a5d134645adb5db1b9737ea3")
    }
}
