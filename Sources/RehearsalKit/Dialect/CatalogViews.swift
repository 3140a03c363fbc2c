import GRDB

/// Postgres catalog views answered from SQLite's: `pg_trigger`, `pg_tables`, `pg_type`,
/// `pg_enum`, `pg_indexes`, `pg_constraint`. They are TEMP views of the connection, so the
/// rehearsal database file itself holds only the schema.
enum CatalogViews {
    /// `decisions_immutable_update` → `decisions_immutable`: SQLite needs one trigger per event.
    static func postgresTriggerName(_ name: String) -> String {
        for suffix in ["_update", "_delete", "_insert"] where name.hasSuffix(suffix) { return String(name.dropLast(suffix.count)) }
        return name
    }

    static let triggerName = "CASE WHEN name LIKE '%\\_update' ESCAPE '\\' OR name LIKE '%\\_delete' ESCAPE '\\' OR name LIKE '%\\_insert' ESCAPE '\\' THEN substr(name, 1, length(name) - 7) ELSE name END"

    /// Whether `script` may read the views (a name beginning `pg_`, in any case: a view of the
    /// user's over them names them when it is made) or run a statement whose rewrite uses their
    /// temp table (TRUNCATE) or the views themselves (psql's meta-commands, after a backslash).
    /// Judged on the text, strings and comments included: more is made than needed, never less.
    static func mayBeNeeded(by script: String) -> Bool {
        var script = script
        // ASCII letters folded, as SQLite folds names.
        return script.withUTF8 { text in
            text.contains(UInt8(ascii: "\\")) || SchemaTextFlags.firstFolded(text, from: 0, of: pgPrefix) != nil || SchemaTextFlags.firstFolded(text, from: 0, of: truncate) != nil
        }
    }
    private static let pgPrefix = Array("PG_".utf8), truncate = Array("TRUNCATE".utf8)

    static func install(_ db: Database) throws {
        guard try Int.fetchOne(db, cached: "SELECT COUNT(*) FROM sqlite_temp_master WHERE name = 'rehearse_truncating'") == 0 else { return }
        try db.execute(sql: """
            CREATE TEMP TABLE rehearse_truncating (tgname TEXT);
            CREATE TEMP VIEW pg_trigger AS
                SELECT t.tgname, t.tgrelid,
                       COALESCE((SELECT s.tgenabled FROM rehearse_trigger_state s WHERE s.tgname = t.tgname), 'O') AS tgenabled
                FROM (SELECT \(triggerName) AS tgname, tbl_name AS tgrelid, MIN(rowid) AS position
                      FROM sqlite_master WHERE type = 'trigger' GROUP BY 1, 2) t
                ORDER BY t.position;
            CREATE TEMP VIEW pg_tables AS
                SELECT 'public' AS schemaname, name AS tablename, 'govos' AS tableowner
                FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite\\_%' ESCAPE '\\' AND name NOT LIKE 'rehearse\\_%' ESCAPE '\\'
                ORDER BY rowid;
            CREATE TEMP VIEW pg_type AS
                SELECT typname, 'e' AS typtype FROM rehearse_enum_labels GROUP BY typname ORDER BY MIN(rowid);
            CREATE TEMP VIEW pg_enum AS
                SELECT typname AS enumtypid, enumsortorder, enumlabel FROM rehearse_enum_labels ORDER BY typname, enumsortorder;
            CREATE TEMP VIEW pg_indexes AS
                SELECT 'public' AS schemaname, m.tbl_name AS tablename,
                       CASE WHEN m.name LIKE 'sqlite\\_autoindex\\_%' ESCAPE '\\' THEN
                           CASE (SELECT l.origin FROM pragma_index_list(m.tbl_name) l WHERE l.name = m.name)
                               WHEN 'pk' THEN m.tbl_name || '_pkey'
                               ELSE m.tbl_name || '_' || (SELECT group_concat(i.name, '_') FROM pragma_index_info(m.name) i) || '_key' END
                       ELSE m.name END AS indexname,
                       m.sql AS indexdef
                FROM sqlite_master m WHERE m.type = 'index'
                UNION ALL
                -- An INTEGER PRIMARY KEY is the rowid: SQLite needs no index, Postgres has <table>_pkey.
                SELECT 'public', m.name, m.name || '_pkey', NULL FROM sqlite_master m
                WHERE m.type = 'table' AND EXISTS (SELECT 1 FROM pragma_table_info(m.name) c WHERE c.pk = 1 AND upper(c.type) = 'INTEGER')
                  AND NOT EXISTS (SELECT 1 FROM pragma_index_list(m.name) l WHERE l.origin = 'pk');
            CREATE TEMP VIEW pg_constraint AS
                SELECT conname, conrelid, confrelid, contype FROM (
                SELECT m.name || '_' || f."from" || '_fkey' AS conname, m.name AS conrelid, f."table" AS confrelid, 'f' AS contype,
                       m.rowid AS position, -f.id AS rank
                FROM sqlite_master m, pragma_foreign_key_list(m.name) f
                WHERE m.type = 'table' AND m.name NOT LIKE 'rehearse\\_%' ESCAPE '\\'
                ORDER BY m.rowid, f.id DESC)
                UNION ALL
                SELECT m.name || '_pkey', m.name, NULL, 'p' FROM sqlite_master m
                WHERE m.type = 'table' AND m.name NOT LIKE 'sqlite\\_%' ESCAPE '\\' AND m.name NOT LIKE 'rehearse\\_%' ESCAPE '\\'
                  AND EXISTS (SELECT 1 FROM pragma_table_info(m.name) c WHERE c.pk > 0)
                UNION ALL
                SELECT 'ck_hard_override_requires_approval', 'decisions', NULL, 'c' FROM sqlite_master
                WHERE type = 'table' AND name = 'decisions' AND sql LIKE '%ck_hard_override_requires_approval%';
            """)
    }
}
