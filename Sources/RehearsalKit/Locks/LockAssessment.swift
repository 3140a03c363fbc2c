/// The checklist's own Risk Assessment of a migration (2.1, 2.2) held against `rehearse locks`:
/// for each row, whether the lock analysis agrees, what the table misses, and what the
/// "Estimated Runtime" leaves out. Used by the deploy record and `rehearse checklist`.
public struct LockAssessment: Sendable {
    public struct Row: Sendable {
        public var risk: String
        public var mitigation: String
        /// true: the analysis agrees; false: it does not; nil: not a lock risk.
        public var right: Bool?
        public var why: String
    }

    public struct Section: Sendable {
        public var number: String
        public var revision: String
        /// 1-based line of the table's last row in the checklist (where notes go after it).
        public var tableEnd: Int
        public var rows: [Row]
        public var missing: [String]
        public var runtime: String?
        public var runtimeRight = false
    }

    /// The sections of `checklist` titled "Migration NNN" with a Risk Assessment table, each
    /// against the analysis of revision NNN.
    public static func assess(_ checklist: Checklist, report: LockReport) -> [Section] {
        var sections: [Section] = []
        for section in checklist.sections {
            guard let match = section.title.firstMatch(of: /Migration (\d{3})/),
                  let migration = report.migrations.first(where: { $0.revision.hasPrefix(String(match.1)) }) else { continue }
            let end = checklist.sections.first { $0.line > section.line }?.line ?? checklist.lines.count + 1
            let lines = Array(checklist.lines[(section.line - 1)..<(end - 1)])
            guard let heading = lines.firstIndex(where: { $0.contains("Risk Assessment") }) else { continue }
            var rows: [(String, String)] = []
            var last = heading
            for (offset, line) in lines.enumerated().dropFirst(heading + 1) {
                let trimmed = line.trimmingWhitespace()
                if trimmed.isEmpty && rows.isEmpty { continue }
                guard trimmed.hasPrefix("|") else { if !rows.isEmpty || offset > heading + 2 { break } else { continue } }
                let cells = trimmed.split(separator: "|", omittingEmptySubsequences: false).dropFirst().dropLast().map { String($0).trimmingWhitespace() }
                last = offset
                guard cells.count >= 2, !cells[0].allSatisfy({ $0 == "-" || $0 == ":" }), cells[0] != "Risk" else { continue }
                rows.append((cells[0], cells[1]))
            }
            let runtime = lines.first { $0.contains("Estimated Runtime") }.map { $0.replacingOccurrences(of: "**", with: "").trimmingWhitespace() }
            sections.append(judge(number: section.number, migration: migration, rows: rows, tableEnd: section.line + last, runtime: runtime))
        }
        return sections
    }

    static func judge(number: String, migration: LockReport.Migration, rows: [(String, String)], tableEnd: Int, runtime: String?) -> Section {
        let blocked = migration.blocked
        let blockedText = blocked.map { "\($0.operations.joined(separator: ", ")) on \($0.relation)" }.joined(separator: "; ")
        let creates = migration.statements.first { $0.statement.kind == "CREATE TABLE" }
        let foreignKeys = creates?.statement.references.filter { migration.existing.contains($0) } ?? []
        var judged: [Row] = []
        var mentionsBusyTables = false
        for (risk, mitigation) in rows {
            let text = (risk + " " + mitigation).lowercased()
            if foreignKeys.contains(where: { text.contains($0) }) { mentionsBusyTables = true }
            if text.contains("lock") || text.contains("pg_class") || text.contains("table creation") {
                if blocked.isEmpty {
                    judged.append(Row(risk: risk, mitigation: mitigation, right: true, why: "right: the migration blocks nothing the application does"))
                } else {
                    judged.append(Row(risk: risk, mitigation: mitigation, right: false,
                        why: "wrong: \(creates.map { "`\($0.statement.summary.prefix(40))…`" } ?? "the migration") also locks the tables its foreign keys reference — it blocks \(blockedText) until the migration commits, and with no lock_timeout it waits behind any long transaction while every later write to them queues behind it"))
                }
            } else if text.contains("enum") || text.contains("type") {
                let types = migration.statements.filter { $0.statement.kind == "CREATE TYPE" }
                judged.append(Row(risk: risk, mitigation: mitigation, right: types.allSatisfy { $0.locks.isEmpty },
                                  why: types.allSatisfy { $0.locks.isEmpty } ? "right: CREATE TYPE takes no table lock" : "wrong: the type statements lock tables"))
            } else if text.contains("index") {
                let indexes = migration.statements.filter { $0.statement.kind == "CREATE INDEX" }
                let onNew = indexes.allSatisfy { !migration.existing.contains($0.statement.table ?? "") }
                judged.append(Row(risk: risk, mitigation: mitigation, right: onNew,
                                  why: onNew ? "right: the indexes are on the new table, which no one else uses yet" : "wrong: an index is built on a table with rows, blocking its writes"))
            } else {
                judged.append(Row(risk: risk, mitigation: mitigation, right: nil, why: "not a lock risk"))
            }
        }
        var missing: [String] = []
        if !blocked.isEmpty && !mentionsBusyTables {
            missing.append("not in the table: the foreign keys lock \(blocked.map(\.relation).joined(separator: ", ")) against writes until the migration commits")
        }
        if migration.findings.contains(where: { $0.message.hasPrefix("no lock_timeout") }) {
            missing.append("not in the table: no lock_timeout is set")
        }
        let runtimeNote = runtime.map { text in
            blocked.isEmpty ? "\(text): plausible: nothing the migration locks is busy"
                : "\(text): the DDL itself is fast, but the migration first waits for every transaction holding a conflicting lock on \(blocked.map(\.relation).joined(separator: ", ")) (one open transaction that has written to one of them is enough: its RowExclusiveLock conflicts; a SELECT … FOR UPDATE alone does not); the estimate leaves that wait out"
        }
        return Section(number: number, revision: migration.revision, tableEnd: tableEnd, rows: judged, missing: missing, runtime: runtimeNote, runtimeRight: blocked.isEmpty)
    }

    /// The assessment as Markdown lines (a quote block, so it sits under the checklist's table).
    public static func markdown(_ section: Section) -> [String] {
        var lines = ["", "> **rehearse locks** (PostgreSQL 15; predictions confirmed against pg_locks in CI):"]
        for row in section.rows {
            let mark = row.right.map { $0 ? "[x]" : "[!]" } ?? "[ ]"
            lines.append("> - \(mark) \"\(row.risk)\" — \(row.why)")
        }
        for note in section.missing { lines.append("> - [!] \(note)") }
        if let runtime = section.runtime { lines.append("> - \(section.runtimeRight ? "[x]" : "[!]") \(runtime)") }
        return lines
    }
}

extension LockAssessment {
    /// The shipped Postgres migrations analysed and held against `checklist`'s 2.x sections;
    /// empty when either is missing (the record then says nothing about locks).
    public static func forChecklist(_ checklist: Checklist?) -> [Section] {
        guard let checklist, let files = try? LockReport.loadMigrations(directory: ShippedResources.postgresMigrationsDirectory),
              let report = try? LockReport.analyse(files) else { return [] }
        return assess(checklist, report: report)
    }
}
