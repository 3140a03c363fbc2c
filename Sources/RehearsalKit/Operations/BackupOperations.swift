import GRDB

/// `pg_dump` / `pg_restore` in the world: named backups kept in memory (and writable to files).
public enum BackupOperations {
    public static func backup(_ db: Database, world: World, name: String) throws -> [String] {
        let backup = try Backup.take(db, name: name, at: world.clock)
        world.backups[name] = backup
        let contents = try backup.tableOfContents()
        return ["pg_dump -Fc governance_os > \(name).dump", "pg_restore --list \(name).dump: \(contents.count) entries"] + contents.prefix(20)
    }

    /// `pg_restore -c`: everything written since the backup is lost; the lines say how much.
    public static func restore(_ db: Database, world: World, name: String?) throws -> [String] {
        guard let backup = name.flatMap({ world.backups[$0] }) ?? (name == nil ? world.backups.values.max(by: { $0.takenAt < $1.takenAt }) : nil) else {
            throw ApplicationError(404, BackupError.unknown(name: name ?? "(latest)", known: world.backups.keys.sorted()).description)
        }
        let before = try Backup.counts(db)
        try backup.restore(into: db)
        let after = try Backup.counts(db)
        world.expectedRevision = try MigrationBookkeeping.currentRevision(db) ?? RevisionChain.base
        var lines = ["pg_restore -c -d governance_os \(backup.name).dump (taken \(backup.takenAt.iso8601))"]
        for table in Set(before.keys).union(after.keys).sorted() where before[table] != after[table] {
            let b = before[table], a = after[table]
            if let b, let a { lines.append("  \(table): \(b) → \(a) rows (\(a - b >= 0 ? "+" : "")\(a - b))") }
            else if let b { lines.append("  \(table): dropped (\(b) rows lost)") }
            else if let a { lines.append("  \(table): restored (\(a) rows)") }
        }
        return lines
    }
}
