import Foundation
import GRDB
import Testing
@testable import RehearsalKit

/// Incremental evaluation gives, after every step, exactly what a full evaluation gives, and
/// really skips what did not change.
@Suite struct IncrementalEvaluationTests {
    static let files: [String] = ScenarioLibraryTests.files + ((try? ScenarioLibrary.yamlFiles(in: ShippedResources.scenariosDirectory + "/drills")
        .map { "drills/" + ($0 as NSString).lastPathComponent }) ?? [])

    /// Every step of the library (and of the drills' set-ups): the runner evaluates both ways
    /// and throws on the first difference.
    @Test(arguments: files)
    func agreesWithAFullEvaluationOnEveryStepOfTheLibrary(file: String) throws {
        let chain = try RevisionChain.shipped()
        var scenario = try ScenarioLoader(chain: chain).load(path: ShippedResources.scenariosDirectory + "/" + file, displayPath: file)
        scenario.incident = nil
        var runner = ScenarioRunner(chain: chain)
        runner.verifyIncremental = true
        let record = try runner.run(scenario)
        #expect(record.steps.count == scenario.steps.count)
    }

    /// The mechanism itself: a step that changes nothing re-evaluates nothing; a write to a table
    /// re-evaluates the invariants that read it and no other; DDL and a restore through the
    /// backup API (no row change reported) re-evaluate everything.
    @Test func onlyInvariantsWhoseInputsChangedAreReEvaluated() throws {
        let chain = try RevisionChain.shipped()
        let queue = try DatabaseOpener.open(path: nil)
        try queue.writeWithoutTransaction { db in
            try Migrator(chain: chain).upgrade(db, to: "head")
            _ = try Seeder(profile: .small, seed: 3, now: Timestamp(seconds: 1_768_381_200)).seed(db)
            let world = World(seed: 3, start: Timestamp(seconds: 1_768_381_200), chain: chain, version: .sprint3)
            let evaluation = IncrementalEvaluation()
            evaluation.verify = true
            let count = InvariantCatalog.standard.invariants.count
            let always = InvariantCatalog.standard.invariants.filter(\.reads.always).count
            _ = try evaluation.evaluate(world.invariantContext(db))
            #expect(evaluation.evaluated == count)

            _ = try evaluation.evaluate(world.invariantContext(db))
            #expect(evaluation.evaluated == count + always, "nothing changed: only the undeclared are re-evaluated")

            var before = evaluation.evaluated
            try db.execute(sql: "UPDATE users SET display_name = display_name || '' WHERE rowid = 1")
            _ = try evaluation.evaluate(world.invariantContext(db))
            let readers = InvariantCatalog.standard.invariants.filter { $0.reads.allTables || $0.reads.tables.contains("users") || $0.reads.always }.count
            #expect(evaluation.evaluated - before == readers)
            #expect(readers < count)

            before = evaluation.evaluated
            try db.execute(sql: "DROP TRIGGER decisions_immutable_update")
            let results = try evaluation.evaluate(world.invariantContext(db))
            #expect(evaluation.evaluated - before == count, "DDL moves the schema version every invariant depends on")
            #expect(results.first { $0.info.id == "immutability.decisions" }?.status.isBroken == true)

            // A restore replaces pages: no row change is reported, the schema cookie moves.
            let backup = try Backup.take(db, name: "t", at: world.clock)
            try db.execute(sql: "CREATE TRIGGER decisions_immutable_update BEFORE UPDATE ON decisions BEGIN SELECT RAISE(ABORT, 'x'); END")
            _ = try evaluation.evaluate(world.invariantContext(db))
            try backup.restore(into: db)
            let restored = try evaluation.evaluate(world.invariantContext(db))
            #expect(restored.first { $0.info.id == "immutability.decisions" }?.status.isBroken == true)

            // A world part: moving the clock re-evaluates what reads the clock, not the data checks.
            before = evaluation.evaluated
            try world.advance(db, by: 60)
            _ = try evaluation.evaluate(world.invariantContext(db))
            let clockReaders = InvariantCatalog.standard.invariants.filter { $0.reads.world.contains(.clock) || $0.reads.always }.count
            #expect(evaluation.evaluated - before <= clockReaders + InvariantCatalog.standard.invariants.filter(\.reads.allTables).count)
            #expect(evaluation.evaluated - before < count)
        }
    }

    /// A declaration that misses an input is caught by the comparison with a full evaluation.
    @Test func aWrongDeclarationIsCaughtByTheFullComparison() throws {
        struct ForgetsItsTable: Invariant {
            var info: InvariantInfo { InvariantInfo(id: "test.users_count", title: "t", source: "t", severity: .medium) }
            var reads: InvariantReads { InvariantReads() }
            func evaluate(_ context: InvariantContext) throws -> InvariantStatus {
                let n = try Int.fetchOne(context.db, sql: "SELECT COUNT(*) FROM users")!
                return n > 5 ? .broken(detail: "too many", evidence: []) : .holds(detail: "\(n)")
            }
        }
        let chain = try RevisionChain.shipped()
        let queue = try DatabaseOpener.open(path: nil)
        try queue.writeWithoutTransaction { db in
            try db.execute(sql: "CREATE TABLE users (id INTEGER PRIMARY KEY)")
            let world = World(seed: 1, start: Timestamp(seconds: 0), chain: chain)
            let evaluation = IncrementalEvaluation(catalog: InvariantCatalog(invariants: [ForgetsItsTable()]))
            evaluation.verify = true
            _ = try evaluation.evaluate(world.invariantContext(db))
            try db.execute(sql: "INSERT INTO users (id) VALUES (1), (2), (3), (4), (5), (6)")
            #expect(throws: IncrementalMismatch.self) { try evaluation.evaluate(world.invariantContext(db)) }
        }
    }
}
