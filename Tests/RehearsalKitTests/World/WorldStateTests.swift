import GRDB
import Testing
@testable import RehearsalKit

/// A failed step puts the world back as it was: the parts it changed, and only those, so the
/// answers that depend on the parts it did not touch (the baseline's rows above all) stand.
@Suite struct WorldStateTests {
    @Test func aFailedStepPutsBackWhatItChangedAndMovesNothingElse() throws {
        let rig = try StackRig()
        try rig.read { db in try rig.world.recordBaseline(try Baseline.capture(db), db) }
        let world = rig.world
        let before = world.versions
        let baseline = world.baseline

        // Refused by the application (no such proposal): nothing of the world is its to change.
        let refused = try rig.read { db in ScenarioRunner.act(.approve(proposal: "#404", reviewer: "role:approver", notes: nil), db: db, world: world) }
        #expect(refused.failure != nil)
        for part in WorldPart.allCases where part != .log {
            #expect(world.versions[part] == before[part], "\(part) moved though the failed step left it alone")
        }
        #expect(world.baseline == baseline)

        // Every part changed, then put back: the values are the saved ones, and the parts that
        // changed keep moved versions (they changed, and changed back).
        let saved = world.saveState()
        let clock = world.clock, revision = world.expectedRevision
        world.clock = Timestamp(seconds: clock.seconds + 3600)
        world.activeFaults.append("redis.down")
        world.expectedRevision = "005_add_immutability_triggers"
        world.baseline = nil
        world.deployOrderViolations.append((clock, "out of order"))
        world.toolResults["propose_signal"] = ToolObservation(createdProposal: true, wroteDirectly: false, approvedLater: false)
        world.stack.redis.strings["rehearse:test"] = ("set by the failed step", nil)
        let moved = world.versions
        world.restoreState(saved)
        #expect(world.clock == clock)
        #expect(world.activeFaults.isEmpty)
        #expect(world.expectedRevision == revision)
        #expect(world.baseline == baseline)
        #expect(world.deployOrderViolations.isEmpty)
        #expect(world.toolResults.isEmpty)
        #expect(world.stack.redis.strings["rehearse:test"] == nil)
        for part in [WorldPart.clock, .faults, .expectedRevision, .baseline, .deployOrder, .toolResults, .stack] {
            #expect(world.versions[part] != saved.versions[part] && world.versions[part] != moved[part], "\(part)")
        }
        #expect(world.versions[.expiration] == saved.versions[.expiration], "untouched: not assigned")
    }
}
