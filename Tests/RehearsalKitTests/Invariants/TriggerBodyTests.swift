import Testing
@testable import RehearsalKit

/// The names a trigger's body mentions, read with SQLite's lexical rules.
@Suite struct TriggerBodyTests {
    /// The header (the trigger's name, the table it is on, the columns of `UPDATE OF`) is left
    /// out; comments are skipped; each kind of quoted name, and each string, comes out whole and
    /// unquoted (SQLite takes `FROM 't'` for the table `t`).
    @Test func theBodysNamesComeOutAndTheHeadersDoNot() {
        let text = """
            CREATE TRIGGER IF NOT EXISTS "audit_events_x" BEFORE UPDATE OF actor, action ON main . audit_events
            FOR EACH ROW WHEN NOT EXISTS (SELECT 1 FROM rehearse_trigger_state WHERE tgname = 'signals' /* policies */)
            BEGIN -- users
              INSERT INTO "a ""quoted"" name" SELECT * FROM [brackets] JOIN `back``ticks` ON 1;
              SELECT RAISE(ABORT, 'audit_events is immutable'), 3e5, x'00';
            END
            """
        let names = TriggerBody.names(in: text)
        for expected in ["rehearse_trigger_state", "a \"quoted\" name", "brackets", "back`ticks", "signals", "audit_events is immutable"] {
            #expect(names.contains(expected), "\(expected) in \(names)")
        }
        for unexpected in ["audit_events_x", "audit_events", "actor", "policies", "users", "main", "e5"] {
            #expect(!names.contains(unexpected), "\(unexpected) in \(names)")
        }
    }

    /// Without a qualified table, the name after `ON` is the table; a body that reads the table
    /// it is on names it again.
    @Test func aBodyThatReadsItsOwnTableNamesIt() {
        let names = TriggerBody.names(in: "CREATE TRIGGER t BEFORE DELETE ON events WHEN (SELECT COUNT(*) FROM events) > 3 BEGIN SELECT 1; END")
        #expect(names.filter { $0 == "events" }.count == 1)
        // No `ON`: nothing is taken for a header.
        #expect(TriggerBody.names(in: "SELECT x FROM y").contains("y"))
    }
}

/// The hard-override check's constraint is found by its whole name.
@Suite struct ConstraintNameTests {
    @Test func theConstraintIsFoundByItsWholeName() {
        #expect(HardOverrideInvariant.namesTheConstraint("CONSTRAINT ck_hard_override_requires_approval CHECK (x)"))
        #expect(HardOverrideInvariant.namesTheConstraint("CHECK constraint failed: ck_hard_override_requires_approval"))
        #expect(HardOverrideInvariant.namesTheConstraint("\"ck_hard_override_requires_approval\""))
        #expect(!HardOverrideInvariant.namesTheConstraint("CONSTRAINT ck_hard_override_requires_approval_v2 CHECK (x)"))
        #expect(!HardOverrideInvariant.namesTheConstraint("CONSTRAINT xck_hard_override_requires_approval CHECK (x)"))
        #expect(!HardOverrideInvariant.namesTheConstraint("CONSTRAINT ck_hard_override_requires_approval\u{301} CHECK (x)"))
        #expect(!HardOverrideInvariant.namesTheConstraint("ck_hard_override"))
    }
}
