import GRDB

/// `pg_restore [-c] -d DB ARCHIVE` as PostgreSQL 15 runs it (docs/command-semantics.md;
/// compared with a real PostgreSQL 15 in the differential suite): statement by statement, each
/// committed on its own, errors reported and counted but not stopping the run. With `-c` it
/// first drops the archive's objects, then recreates them and loads their data:
/// - objects created after the dump (the 006/007 tables, their enum types) are not in the
///   archive, so they are neither dropped nor restored;
/// - an archive table that such an object references by foreign key cannot be dropped
///   ("other objects depend on it"), so its CREATE fails, its COPY fails on the rows still
///   there, and it keeps today's rows; the same for an enum type a kept column uses;
/// - everything else is dropped and recreated from the archive.
/// The run ends with `pg_restore: warning: errors ignored on restore: N` and exit status 1.
/// With `-1` (`--single-transaction`) the first error rolls the whole restore back.
enum PgRestore {
    struct Outcome {
        var messages: [String] = []
        var errors = 0
    }

    static func restore(_ backup: Backup, into db: Database, clean: Bool, ifExists: Bool, singleTransaction: Bool) throws -> Outcome {
        guard !db.isInsideTransaction else { throw ApplicationError(500, "pg_restore cannot run inside a step's transaction") }
        let dump = try backup.dumpCatalog()
        let target = try DumpCatalog(db)
        var outcome = Outcome()
        func fail(_ message: String, _ command: String, multiline: Bool = false) {
            outcome.errors += 1
            outcome.messages.append("pg_restore: error: could not execute query: ERROR:  \(message)")
            outcome.messages.append("Command was: \(command)")
            if multiline { outcome.messages += ["", ""] }
        }
        let dumpTables = dump.tables.keys.filter { !$0.hasPrefix("rehearse_") }.sorted()
        let exists = Set(target.tables.keys)
        // Foreign keys of tables outside the archive keep their referenced archive tables alive.
        let outsiders = target.foreignKeys.filter { !dump.tables.keys.contains($0.table) && dump.tables.keys.contains($0.references) }
        let kept = Set(clean ? outsiders.map(\.references) : dumpTables.filter(exists.contains)).intersection(exists)
        let keptTypes = Set(dump.types.keys.filter { type in
            target.types[type] != nil && (target.typeColumns[type] ?? []).contains { kept.contains($0.table) || !dump.tables.keys.contains($0.table) }
        })
        let ifx = ifExists ? " IF EXISTS" : ""
        if clean {
            for table in dumpTables.reversed() where kept.contains(table) {
                let dependents = outsiders.filter { $0.references == table }
                fail("cannot drop constraint \(table)_pkey on table public.\(table) because other objects depend on it\nDETAIL:  "
                     + dependents.map { "constraint \($0.name) on table public.\($0.table) depends on index public.\(table)_pkey" }.joined(separator: "\n")
                     + "\nHINT:  Use DROP ... CASCADE to drop the dependent objects too.",
                     "ALTER TABLE\(ifx) ONLY public.\(table) DROP CONSTRAINT\(ifx) \(table)_pkey;")
            }
            for table in dumpTables.reversed() {
                if kept.contains(table) {
                    let dependents = outsiders.filter { $0.references == table }
                    fail("cannot drop table public.\(table) because other objects depend on it\nDETAIL:  "
                         + dependents.map { "constraint \($0.name) on table public.\($0.table) depends on table public.\(table)" }.joined(separator: "\n")
                         + "\nHINT:  Use DROP ... CASCADE to drop the dependent objects too.", "DROP TABLE\(ifx) public.\(table);")
                } else if !exists.contains(table) && !ifExists {
                    fail("table \"\(table)\" does not exist", "DROP TABLE public.\(table);")
                }
            }
            for type in dump.types.keys.sorted().reversed() {
                if keptTypes.contains(type) {
                    let column = (target.typeColumns[type] ?? []).first { kept.contains($0.table) || !dump.tables.keys.contains($0.table) }!
                    fail("cannot drop type public.\(type) because other objects depend on it\nDETAIL:  column \(column.column) of table public.\(column.table) depends on type public.\(type)\nHINT:  Use DROP ... CASCADE to drop the dependent objects too.",
                         "DROP TYPE\(ifx) public.\(type);")
                } else if target.types[type] == nil && !ifExists {
                    fail("type \"public.\(type)\" does not exist", "DROP TYPE public.\(type);")
                }
            }
        }
        let survivingTypes = clean ? keptTypes : Set(dump.types.keys.filter { target.types[$0] != nil })
        for type in dump.types.keys.sorted() where survivingTypes.contains(type) {
            fail("type \"\(type)\" already exists", "CREATE TYPE public.\(type) AS ENUM (\n" + dump.types[type]!.map { "    '\($0)'" }.joined(separator: ",\n") + "\n);", multiline: true)
        }
        let survivingTables = clean ? kept : Set(dumpTables.filter(exists.contains))
        for table in dumpTables where survivingTables.contains(table) {
            fail("relation \"\(table)\" already exists", "CREATE TABLE public.\(table) (...);", multiline: true)
        }

        try db.execute(sql: "PRAGMA foreign_keys = OFF")
        defer { try? db.execute(sql: "PRAGMA foreign_keys = ON") }
        // Attached outside any transaction (SQLite refuses to detach inside one), for the
        // whole restore, `-1`'s savepoint included.
        let archive = try ArchiveAttachment(backup, on: db)
        defer { try? archive.detach() }
        func apply() throws {
            // Data: recreated tables get the archive's rows; a surviving table's COPY fails
            // whole on the first row whose key is still there.
            for table in dumpTables {
                if survivingTables.contains(table) {
                    let present = Set(try primaryKeys(db, table))
                    if let conflict = try backup.image.read({ source in try primaryKeys(source, table) }).first(where: present.contains) {
                        outcome.errors += 1
                        outcome.messages += ["pg_restore: error: COPY failed for table \"\(table)\": ERROR:  duplicate key value violates unique constraint \"\(table == "alembic_version" ? "alembic_version_pkc" : "\(table)_pkey")\"",
                                             "DETAIL:  Key (\(try primaryKeyColumn(db, table)))=(\(conflict)) already exists.", "CONTEXT:  COPY \(table), line 1"]
                    } else {
                        try copyRows(table: table, recreated: false, into: db)
                    }
                } else {
                    try db.execute(sql: "DROP TABLE IF EXISTS main.\"\(table)\"")
                    try db.execute(sql: dump.tables[table]!)
                    try copyRows(table: table, recreated: true, into: db)
                }
            }
            for table in dumpTables where survivingTables.contains(table) {
                fail("multiple primary keys for table \"\(table)\" are not allowed",
                     "ALTER TABLE ONLY public.\(table)\n    ADD CONSTRAINT \(table == "alembic_version" ? "alembic_version_pkc" : "\(table)_pkey") PRIMARY KEY (\(try primaryKeyColumn(db, table)));", multiline: true)
            }
            // Indexes and triggers of the archive are dropped and recreated, on kept tables too.
            let objects = dump.indexes + dump.triggers
            for object in objects.filter({ survivingTables.contains($0.table) }) + objects.filter({ !survivingTables.contains($0.table) }) {
                let kind = dump.triggers.contains(object) ? "TRIGGER" : "INDEX"
                try db.execute(sql: "DROP \(kind) IF EXISTS main.\"\(object.name)\"")
                // Its table must be main's: with the archive attached, an index on a table main
                // lacks would otherwise land in the archive and vanish with it.
                guard try db.tableExists(object.table, in: "main") else {
                    throw DatabaseError(resultCode: .SQLITE_ERROR, message: "no such table: main.\(object.table)")
                }
                try db.execute(sql: object.sql)
            }
            // Catalog state Postgres keeps with the objects: trigger enablement, enum labels.
            if try db.tableExists("rehearse_trigger_state", in: "main") {
                for trigger in dump.triggers {
                    let name = DumpCatalog.postgresTriggerName(trigger.name)
                    try db.execute(sql: "INSERT OR REPLACE INTO main.rehearse_trigger_state (tgname, tgenabled) VALUES (?, ?)", arguments: [name, dump.triggerState[name] ?? "O"])
                }
            }
            if try db.tableExists("rehearse_enum_labels", in: "main") {
                for (type, labels) in dump.types.sorted(by: { $0.key < $1.key }) where !survivingTypes.contains(type) {
                    try db.execute(sql: "DELETE FROM main.rehearse_enum_labels WHERE typname = ?", arguments: [type])
                    for (order, label) in labels.enumerated() {
                        try db.cachedStatement(sql: "INSERT INTO main.rehearse_enum_labels (typname, enumsortorder, enumlabel) VALUES (?, ?, ?)").execute(arguments: [type, order + 1, label])
                    }
                }
            }
            if dump.tables["rehearse_revision_checksums"] != nil {
                try db.execute(sql: "DROP TABLE IF EXISTS main.rehearse_revision_checksums")
                try db.execute(sql: dump.tables["rehearse_revision_checksums"]!)
                try copyRows(table: "rehearse_revision_checksums", recreated: true, into: db)
            }
        }
        if singleTransaction {
            // One transaction: the first error aborts it and nothing is restored.
            var firstError: [String] = []
            try db.inSavepoint {
                try apply()
                if outcome.errors > 0 {
                    firstError = Array(outcome.messages.prefix { !$0.hasPrefix("Command was:") })
                    return .rollback
                }
                return .commit
            }
            if !firstError.isEmpty { return Outcome(messages: firstError, errors: 1) }
        } else {
            try apply()
        }
        try archive.detach()
        // Foreign keys re-added over data that breaks them fail, as ADD CONSTRAINT does.
        for key in dump.foreignKeys {
            let orphans = try Int.fetchOne(db, cached: "SELECT COUNT(*) FROM pragma_foreign_key_check(?) WHERE parent = ?", arguments: [key.table, key.references]) ?? 0
            if orphans > 0 {
                fail("insert or update on table \"\(key.table)\" violates foreign key constraint \"\(key.name)\"",
                     "ALTER TABLE ONLY public.\(key.table)\n    ADD CONSTRAINT \(key.name) FOREIGN KEY (\(key.column)) REFERENCES public.\(key.references)(id);", multiline: true)
            }
        }
        if outcome.errors > 0 { outcome.messages.append("pg_restore: warning: errors ignored on restore: \(outcome.errors)") }
        return outcome
    }

    /// One table's rows from the archive, as COPY loads them: one `INSERT … SELECT` from the
    /// archive attached to the connection (`ArchiveAttachment`), so SQLite moves the rows
    /// itself. A table the restore created from the archive's own definition has the archive's
    /// columns in the archive's order, so it takes `SELECT *`, which lets SQLite copy the
    /// table's b-tree pages whole when nothing (a trigger, a foreign key) needs row-by-row
    /// work; a table that survived the restore is loaded by column name, and a column it lacks
    /// fails the load as COPY does.
    static func copyRows(table: String, recreated: Bool, into db: Database) throws {
        let quoted = BaselineIdentity.quoted(table)
        if recreated {
            try db.execute(sql: "INSERT INTO main.\(quoted) SELECT * FROM \(ArchiveAttachment.schema).\(quoted)")
            return
        }
        // An empty table in the archive loads nothing, whatever the columns now (COPY of no rows).
        guard try Bool.fetchOne(db, sql: "SELECT EXISTS (SELECT 1 FROM \(ArchiveAttachment.schema).\(quoted))") == true else { return }
        let columns = try String.fetchAll(db, sql: "SELECT name FROM pragma_table_info(?, ?) ORDER BY cid", arguments: [table, ArchiveAttachment.schema])
        guard !columns.isEmpty else { return }
        let list = columns.map(BaselineIdentity.quoted).joined(separator: ", ")
        try db.execute(sql: "INSERT INTO main.\(quoted) (\(list)) SELECT \(list) FROM \(ArchiveAttachment.schema).\(quoted)")
    }

    static func primaryKeyColumn(_ db: Database, _ table: String) throws -> String {
        try String.fetchOne(db, cached: "SELECT name FROM pragma_table_info(?) WHERE pk = 1", arguments: [table]) ?? "rowid"
    }

    static func primaryKeys(_ db: Database, _ table: String) throws -> [String] {
        let column = try primaryKeyColumn(db, table)
        return try String.fetchAll(db, cached: "SELECT CAST(\"\(column)\" AS TEXT) FROM \"\(table)\" ORDER BY rowid")
    }
}
