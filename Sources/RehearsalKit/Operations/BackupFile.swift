import Foundation
import GRDB

/// The file form of a backup (`rehearse backup -o`): a SQLite database holding the copied
/// tables plus a header table — the format, the rehearse version, the schema revision, each
/// table's row count and a checksum of the content. A file proves itself: `backup --list` and
/// `restore` read nothing that does not pass `integrity_check` and match its own header, so an
/// empty, random, truncated or corrupted file, or some other SQLite database, is refused with
/// the reason instead of being restored over good data.
public enum BackupFile {
    public static let format = "rehearse-backup/1"
    public static let version = RehearseVersion.current
    static let headerTable = "rehearse_backup_header"

    public struct Header: Equatable, Sendable {
        public var format: String
        public var version: String
        public var revision: String?
        public var counts: [String: Int]
        public var checksum: String
    }

    /// True when `path` is a SQLite file with a backup header (not yet verified).
    public static func isBackup(path: String) -> Bool {
        guard let queue = try? DatabaseQueue(path: path, configuration: readOnly) else { return false }
        return (try? queue.read { db in try db.hasTable(headerTable) }) == true
    }

    static var readOnly: Configuration {
        var configuration = Configuration()
        configuration.readonly = true
        return configuration
    }

    /// Row counts of every table but the header, and a SHA-256 over every row of them in
    /// table-name and rowid order (each row as its per-value fingerprint).
    static func summary(_ db: Database) throws -> (counts: [String: Int], checksum: String) {
        let tables = try String.fetchAll(db, sql: "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' AND name <> ? ORDER BY name", arguments: [headerTable])
        var counts: [String: Int] = [:]
        var bytes: [UInt8] = []
        for table in tables {
            bytes += Array(table.utf8) + [0]
            let rows = try Row.fetchCursor(db, sql: "SELECT * FROM \(BaselineIdentity.quoted(table)) ORDER BY rowid")
            var count = 0
            while let row = try rows.next() {
                count += 1
                let hash = BaselineIdentity.fingerprintValue(Array(row.databaseValues))
                withUnsafeBytes(of: hash.littleEndian) { bytes += $0 }
            }
            counts[table] = count
        }
        return (counts, SHA256.hex(bytes: bytes))
    }

    /// Writes `image` to `path` with its header, verifies the written file, and only then
    /// renames it over whatever was there; the destination is checked by `OutputFile` first.
    public static func write(_ image: DatabaseQueue, to path: String, protecting: [String] = [], force: Bool = false) throws -> Header {
        let target = try OutputFile.check(path, kind: .backup, protecting: protecting, force: force)
        var header: Header?
        try OutputFile.replace(target, displayPath: path) { temporary in
            let file = try DatabaseQueue(path: temporary)
            try image.read { source in try file.writeWithoutTransaction { copy in try source.backup(to: copy) } }
            let written = try file.write { db -> Header in
                let (counts, checksum) = try summary(db)
                let header = Header(format: format, version: version, revision: try MigrationBookkeeping.currentRevision(db), counts: counts, checksum: checksum)
                try db.execute(sql: "CREATE TABLE \(headerTable) (key TEXT PRIMARY KEY, value TEXT NOT NULL)")
                let countsText = JSONValue.object(counts.keys.sorted().map { ($0, .number(String(counts[$0]!))) }).serialized()
                for (key, value) in [("format", format), ("version", version), ("revision", header.revision ?? ""), ("counts", countsText), ("checksum", checksum)] {
                    try db.execute(sql: "INSERT INTO \(headerTable) (key, value) VALUES (?, ?)", arguments: [key, value])
                }
                return header
            }
            try file.close()
            header = try verify(path: temporary, displayPath: path)
            guard header == written else { throw BackupError.unreadable(path: path, reason: "the written file does not match what was copied") }
        }
        return header!
    }

    /// Reads and checks a backup file: SQLite's integrity check, the header, and every
    /// table's count and the checksum against it.
    public static func verify(path: String, displayPath: String? = nil) throws -> Header {
        let shown = displayPath ?? path
        func refuse(_ reason: String) -> BackupError { .unreadable(path: shown, reason: reason) }
        var status = stat()
        guard stat(path, &status) == 0 else { throw refuse("no such file") }
        guard status.st_mode & S_IFMT == S_IFREG else { throw refuse("not a regular file") }
        guard status.st_size > 0 else { throw refuse("the file is empty") }
        do {
            let queue = try DatabaseQueue(path: path, configuration: readOnly)
            defer { try? queue.close() }
            return try queue.read { db in
                let integrity = try String.fetchAll(db, sql: "PRAGMA integrity_check")
                guard integrity == ["ok"] else { throw refuse("the file is corrupt (integrity_check: \(integrity.prefix(3).joined(separator: "; ")))") }
                guard try db.hasTable(headerTable) else { throw refuse("a SQLite database, but not a rehearse backup (no \(headerTable) table)") }
                let values = Dictionary(try Row.fetchAll(db, sql: "SELECT key, value FROM \(headerTable)").map { ($0[0] as String, $0[1] as String) }) { a, _ in a }
                guard values["format"] == format else { throw refuse("unknown backup format '\(values["format"] ?? "none")' (this rehearse reads \(format))") }
                guard let countsText = values["counts"], case .object(let members)? = try? JSONParser.parse(countsText),
                      let checksum = values["checksum"], let written = values["version"] else { throw refuse("the header is incomplete") }
                var counts: [String: Int] = [:]
                for (table, value) in members {
                    guard case .number(let text) = value, let count = Int(text), count >= 0 else { throw refuse("the header's count of \(table) is not a row count") }
                    counts[table] = count
                }
                let actual = try summary(db)
                for table in Set(counts.keys).union(actual.counts.keys).sorted() where counts[table] != actual.counts[table] {
                    throw refuse("\(table) has \(actual.counts[table].map(String.init) ?? "no table") rows, the header says \(counts[table].map(String.init) ?? "no table")")
                }
                guard actual.checksum == checksum else { throw refuse("the content does not match the header's checksum (the file was changed after it was written)") }
                return Header(format: format, version: written, revision: values["revision"].flatMap { $0.isEmpty ? nil : $0 }, counts: counts, checksum: checksum)
            }
        } catch let error as BackupError {
            throw error
        } catch let error as DatabaseError {
            throw refuse(error.message ?? "\(error)")
        }
    }
}
