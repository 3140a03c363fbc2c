import GRDB

/// How the migration faults act: one-shot, on the next upgrade.
enum MigrationFaults {
    static func hook(_ world: World) -> @Sendable (Database, Revision, Int) throws -> Void {
        let failMidway = world.faultActive(.migrationFailMidway)
        let dropTrigger = world.faultActive(.migrationDropsTrigger)
        let disableTrigger = world.faultActive(.migrationDisablesTrigger)
        return { db, revision, index in
            if failMidway && index == revision.upgrade.count / 2 && index > 0 {
                throw DatabaseError(resultCode: .SQLITE_ERROR, message: "canceling statement due to lock timeout (injected: migration.fail_midway)")
            }
            if index == 0 && dropTrigger {
                try db.execute(sql: "DROP TRIGGER IF EXISTS decisions_immutable_update; DROP TRIGGER IF EXISTS decisions_immutable_delete")
            }
            if index == 0 && disableTrigger {
                try db.execute(sql: "INSERT OR REPLACE INTO rehearse_trigger_state (tgname, tgenabled) VALUES ('audit_events_immutable', 'D')")
            }
        }
    }
}

extension World {
    /// Migration faults act once: the next migration that runs carries them.
    func consumeMigrationFaults() {
        activeFaults.removeAll { $0.hasPrefix("migration.") }
    }
}
