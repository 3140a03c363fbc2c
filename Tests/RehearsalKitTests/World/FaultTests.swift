import Testing
@testable import RehearsalKit

/// Each fault breaks exactly the invariants it names: the same steps run with and without the
/// fault, and the difference in broken invariants is the fault's list.
@Suite struct FaultTests {
    /// Steps that let each fault show itself; `{fault}` is where it is injected.
    static let triggers: [String: (revision: String, steps: String)] = [
        "mcp.bypass_approval": ("007", "{fault}\n  - tool: {call: propose_signal, as: \"agent:bot\", args: {subject: s, signal_type: t}}"),
        "migration.fail_midway": ("006", "  - maintenance: on\n  - stop: celery-worker\n{fault}\n  - migrate: {upgrade: +1}"),
        "migration.drops_immutability_trigger": ("006", "  - maintenance: on\n  - stop: celery-worker\n{fault}\n  - migrate: {upgrade: +1}"),
        "migration.disables_immutability_trigger": ("006", "  - maintenance: on\n  - stop: celery-worker\n{fault}\n  - migrate: {upgrade: +1}"),
        "task.expiration_fails": ("007", "  - tool: {call: propose_signal, as: \"agent:bot\", args: {subject: s, signal_type: t}}\n{fault}\n  - advance: 25h"),
        "worker.down": ("007", "  - tool: {call: propose_signal, as: \"agent:bot\", args: {subject: s, signal_type: t}}\n{fault}\n  - advance: 25h"),
        "api.approvals_broken": ("007", "{fault}\n  - health: true"),
        "traces.scrubbing_off": ("007", "{fault}\n  - tool: {call: dismiss_exception, as: \"agent:bot\", args: {exception: open, reason: r}}"),
        "viewer.unsanitized": ("007", "  - tool: {call: propose_signal, as: \"user:role:analyst\", args: {subject: s, signal_type: t}}\n{fault}\n  - view_traces: latest"),
        "cache.stale_pii": ("007", "{fault}\n  - fault: viewer.unsanitized\n  - tool: {call: propose_signal, as: \"user:role:analyst\", args: {subject: s, signal_type: t}}\n  - view_traces: latest\n  - env: {TRACES_VIEWER_ENABLED: \"false\"}\n  - shell: docker compose up -d frontend\n  - advance: 2h"),
        "evaluator.nondeterministic": ("007", "{fault}\n  - tool: {call: propose_signal, as: \"agent:bot\", args: {subject: s, signal_type: t}}\n  - approve: {as: \"role:approver\"}"),
    ]

    func brokenAtTheEnd(_ fault: String, injected: Bool) throws -> Set<String> {
        let trigger = Self.triggers[fault]!
        let steps = trigger.steps.replacingOccurrences(of: "{fault}", with: injected ? "  - fault: \(fault)" : "  - health: true")
        let yaml = "name: \(fault)\nfixtures: small\nrevision: \"\(trigger.revision)\"\ncode: sprint3\nsteps:\n\(steps)\n"
        let chain = try RevisionChain.shipped()
        let record = try ScenarioRunner(chain: chain).run(try ScenarioLoader(chain: chain).load(text: yaml, file: "\(fault).yaml"))
        return Set(record.steps.last!.invariants.filter { $0.status.isBroken }.map(\.info.id))
    }

    @Test func everyFaultHasATrigger() {
        #expect(Set(Self.triggers.keys) == Set(FaultCatalog.names))
    }

    @Test(arguments: FaultCatalog.names)
    func faultBreaksExactlyItsInvariants(fault: String) throws {
        let with = try brokenAtTheEnd(fault, injected: true)
        let without = try brokenAtTheEnd(fault, injected: false)
        #expect(with.subtracting(without) == Set(FaultCatalog.named(fault)!.breaks))
        #expect(without.isDisjoint(with: FaultCatalog.named(fault)!.breaks))
    }

    @Test func restoreBringsBackTheBackedUpDataExactly() throws {
        let queue = try makeDatabase(migratedTo: "005")
        try queue.writeWithoutTransaction { db in
            _ = try Seeder(profile: .small, seed: 5).seed(db)
            let world = World(seed: 5, start: Seeder.defaultNow, chain: try RevisionChain.shipped())
            let before = try dataDump(db)
            let backup = try Backup.take(db, name: "b", at: world.clock)
            try db.execute(sql: "DELETE FROM exceptions WHERE id NOT IN (SELECT exception_id FROM decisions)")
            try db.execute(sql: "UPDATE users SET role = 'viewer'")
            try AuditLog.record(db, at: world.clock, actor: "t", action: "t", entityType: "t", entityId: nil)
            _ = try Migrator(chain: RevisionChain.shipped()).upgrade(db, to: "head")
            #expect(try dataDump(db) != before)
            let lines = try backup.replaceContents(of: db)
            #expect(try dataDump(db) == before)
            #expect(lines.contains("  pending_proposals: dropped (0 rows lost)"))
            #expect(try MigrationBookkeeping.currentRevision(db) == "005_add_immutability_triggers")
            #expect(throws: BackupError.unreadable(path: "/nonexistent.dump", reason: "no such file")) {
                try Backup.load(path: "/nonexistent.dump", name: "x")
            }
            // Written to a file and read back (pg_dump -Fc > file; pg_restore --list file).
            let file = try makeTemporaryDirectory().appendingPathComponent("b.dump").path
            try backup.write(to: file)
            let reloaded = try Backup.load(path: file, name: "b")
            #expect(try reloaded.tableOfContents() == backup.tableOfContents())
            #expect(try reloaded.tableOfContents().contains("TABLE DATA public decisions (135 rows)"))
        }
    }
}
