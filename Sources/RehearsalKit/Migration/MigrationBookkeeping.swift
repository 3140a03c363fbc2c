import GRDB

/// The tables the migrator keeps beside the application's: alembic's own `alembic_version`,
/// plus what SQLite lacks and Postgres keeps in its catalogs (enum labels, trigger enablement)
/// and the checksums that detect an edited revision.
enum MigrationBookkeeping {
    /// Tables that are not the application's, so "no application table left" can ignore them.
    static let tableNames: Set<String> = [
        "alembic_version", "rehearse_enum_labels", "rehearse_trigger_state", "rehearse_revision_checksums", "sqlite_sequence",
    ]

    static func create(_ db: Database) throws {
        try db.execute(sql: """
            CREATE TABLE IF NOT EXISTS alembic_version (
                version_num TEXT NOT NULL CONSTRAINT alembic_version_pkc PRIMARY KEY CHECK (length(version_num) <= 32)
            ) STRICT;
            CREATE TABLE IF NOT EXISTS rehearse_enum_labels (
                typname TEXT NOT NULL,
                enumsortorder INTEGER NOT NULL,
                enumlabel TEXT NOT NULL,
                PRIMARY KEY (typname, enumlabel)
            ) STRICT;
            CREATE TABLE IF NOT EXISTS rehearse_trigger_state (
                tgname TEXT NOT NULL PRIMARY KEY,
                tgenabled TEXT NOT NULL CHECK (tgenabled IN ('O', 'D', 'A'))
            ) STRICT;
            CREATE TABLE IF NOT EXISTS rehearse_revision_checksums (
                revision TEXT NOT NULL PRIMARY KEY,
                checksum TEXT NOT NULL
            ) STRICT;
            """)
    }

    static func currentRevision(_ db: Database) throws -> String? {
        guard try db.hasTable("alembic_version") else { return nil }
        return try String.fetchOne(db, cached: "SELECT version_num FROM alembic_version")
    }

    static func setCurrentRevision(_ db: Database, to id: String?) throws {
        try db.cachedStatement(sql: "DELETE FROM alembic_version").execute()
        if let id { try db.cachedStatement(sql: "INSERT INTO alembic_version (version_num) VALUES (?)").execute(arguments: [id]) }
    }

    static func recordedChecksums(_ db: Database) throws -> [String: String] {
        guard try db.hasTable("rehearse_revision_checksums") else { return [:] }
        let rows = try Row.fetchAll(db, cached: "SELECT revision, checksum FROM rehearse_revision_checksums")
        return Dictionary(uniqueKeysWithValues: rows.map { ($0["revision"] as String, $0["checksum"] as String) })
    }

    static func enumTypeExists(_ db: Database, _ name: String) throws -> Bool {
        guard try db.hasTable("rehearse_enum_labels") else { return false }
        return try Bool.fetchOne(db, cached: "SELECT EXISTS (SELECT 1 FROM rehearse_enum_labels WHERE typname = ?)", arguments: [name]) ?? false
    }
}
