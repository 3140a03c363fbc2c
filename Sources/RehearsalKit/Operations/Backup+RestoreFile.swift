import Foundation
import GRDB

extension Backup {
    /// `rehearse restore`: the restored database is built beside the target, checked
    /// (integrity_check, and every table's count against the backup's header), and only then
    /// renamed over the target, so a failure — or a kill -9 at any moment — leaves the old
    /// database or the new one, never a mix. Says per table what changed.
    public func restore(intoFile path: String) throws -> [String] {
        let exists = FileManager.default.fileExists(atPath: path)
        let target = try OutputFile.check(path, kind: .database)
        var before: [String: Int]?
        if exists {
            // Opening read-write rolls back a hot journal and leaves WAL mode, so no journal of
            // the old file can be applied to the new one after the rename.
            if let old = try? DatabaseQueue(path: target) {
                before = try? old.read { db in try Backup.counts(db) }
                _ = try? old.writeWithoutTransaction { db in try db.execute(sql: "PRAGMA journal_mode = DELETE") }
                try? old.close()
            }
        }
        let expected = try counts()
        try OutputFile.replace(target, displayPath: path) { temporary in
            let file = try DatabaseQueue(path: temporary)
            try image.read { source in try file.writeWithoutTransaction { copy in try source.backup(to: copy) } }
            try file.read { db in
                let integrity = try String.fetchAll(db, sql: "PRAGMA integrity_check")
                guard integrity == ["ok"] else { throw BackupError.unreadable(path: path, reason: "the restored copy failed integrity_check: \(integrity.prefix(3).joined(separator: "; "))") }
                guard try Backup.counts(db) == expected else { throw BackupError.unreadable(path: path, reason: "the restored copy's row counts differ from the backup's") }
            }
            try file.close()
            let descriptor = open(temporary, O_RDONLY)
            if descriptor >= 0 { fsync(descriptor); close(descriptor) }
        }
        var lines = Backup.changes(before: before ?? [:], after: expected)
        if exists && before == nil { lines.insert("  (the database replaced could not be read; its counts are unknown)", at: 0) }
        return lines
    }
}
