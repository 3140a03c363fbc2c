extension LockReport {
    /// A statement's locks as one line each: `exceptions ShareRowExclusiveLock — blocks writes`.
    static func describe(_ lock: PredictedLock, existing: Set<String>, trace: TracedStatement?) -> String {
        var text = "\(lock.relation) \(lock.mode.rawValue)"
        if lock.may { text += " (may: planner-dependent)" }
        if !existing.contains(lock.relation) { text += " (new)" }
        else if !lock.mode.blocks.isEmpty { text += " — blocks \(lock.mode.blocks.joined(separator: ", ")) on \(lock.relation)" }
        return text
    }

    public func text(trace: LockTrace? = nil) -> String {
        var lines: [String] = []
        for migration in migrations {
            lines.append("\(migration.revision)  (\(migration.file.split(separator: "/").last ?? ""))")
            for statement in migration.statements {
                let traced = trace?.statement(migration.revision, statement.statement)
                let place = statement.isBookkeeping ? "alembic " : "line \(statement.statement.line)".padding(toLength: 8, withPad: " ", startingAt: 0)
                var head = "  \(place) \(statement.statement.summary)"
                if let rule = statement.rule {
                    if rule.rewrites { head += "  [rewrites]" } else if rule.scans { head += "  [scans]" }
                    if !rule.transaction { head += "  [cannot run in a transaction]" }
                } else {
                    head += "  [unknown: check by tracing]"
                }
                if let traced { head += "  \(traced.verdict)" }
                lines.append(head)
                if statement.known && statement.locks.isEmpty { lines.append("             no relation lock") }
                for lock in statement.locks { lines.append("             " + Self.describe(lock, existing: migration.existing, trace: traced)) }
                if let traced, !traced.confirmed {
                    if !traced.missing.isEmpty { lines.append("             mismatch: predicted, not observed: \(traced.missing.sorted().joined(separator: ", "))") }
                    if !traced.extra.isEmpty { lines.append("             mismatch: observed, not predicted: \(traced.extra.sorted().joined(separator: ", "))") }
                }
            }
            lines.append("  held until the transaction commits: " + migration.held.map { "\($0.relation) (\($0.modes.map(\.rawValue).joined(separator: ", ")))" }.joined(separator: "; "))
            lines.append("  blocks: " + (migration.blocked.isEmpty ? "nothing the application does" : migration.blocked.map { "\($0.operations.joined(separator: ", ")) on \($0.relation)" }.joined(separator: "; ")))
            for finding in migration.findings {
                lines.append("  \(finding.severity.rawValue.uppercased().padding(toLength: 7, withPad: " ", startingAt: 0)) \(finding.line.map { "line \($0): " } ?? "")\(finding.message)")
                lines.append("          fix: \(finding.fix)")
            }
            lines.append("")
        }
        if let trace {
            lines.append("traced on PostgreSQL (\(trace.server)): \(trace.confirmedCount) of \(trace.statements.count) statements confirmed\(trace.committed ? "; committed (--commit)" : "; rolled back, the database is unchanged")")
        }
        return lines.joined(separator: "\n")
    }

    public func json(trace: LockTrace? = nil) -> JSONValue {
        .object([
            ("format", .string("rehearse-locks/1")),
            ("migrations", .array(migrations.map { migration in
                .object([
                    ("revision", .string(migration.revision)), ("file", .string(migration.file)),
                    ("statements", .array(migration.statements.map { statement in
                        let traced = trace?.statement(migration.revision, statement.statement)
                        return .object([
                            ("line", statement.isBookkeeping ? .null : .int(statement.statement.line)), ("sql", .string(statement.statement.summary)),
                            ("kind", statement.statement.kind.map(JSONValue.string) ?? .null), ("known", .bool(statement.known)),
                            ("rewrites", .bool(statement.rule?.rewrites ?? false)), ("scans", .bool(statement.rule?.scans ?? false)),
                            ("source", statement.rule.map { .string($0.source) } ?? .null),
                            ("locks", .array(statement.locks.map { lock in
                                .object([("relation", .string(lock.relation)), ("mode", .string(lock.mode.rawValue)), ("may", .bool(lock.may)),
                                         ("blocks", .array(migration.existing.contains(lock.relation) ? lock.mode.blocks.map(JSONValue.string) : []))])
                            })),
                            ("trace", traced.map { t in .object([("confirmed", .bool(t.confirmed)), ("observed", .array(t.observed.sorted().map(JSONValue.string))),
                                                                 ("missing", .array(t.missing.sorted().map(JSONValue.string))), ("extra", .array(t.extra.sorted().map(JSONValue.string)))]) } ?? .null),
                        ])
                    })),
                    ("held_until_commit", .array(migration.held.map { .object([("relation", .string($0.relation)), ("modes", .array($0.modes.map { .string($0.rawValue) }))]) })),
                    ("blocks", .array(migration.blocked.map { .object([("relation", .string($0.relation)), ("operations", .array($0.operations.map(JSONValue.string)))]) })),
                    ("findings", .array(migration.findings.map { .object([("severity", .string($0.severity.rawValue)), ("line", $0.line.map { .int($0) } ?? .null),
                                                                          ("message", .string($0.message)), ("fix", .string($0.fix))]) })),
                ])
            })),
        ])
    }

    public func markdown(trace: LockTrace? = nil) -> String {
        var out = "# Migration locks (PostgreSQL 15)\n"
        for migration in migrations {
            out += "\n## \(migration.revision)\n\n| Line | Statement | Locks | Blocks |\n|---|---|---|---|\n"
            for statement in migration.statements {
                let locks = statement.known ? (statement.locks.isEmpty ? "none" : statement.locks.map { "\($0.relation) \($0.mode.rawValue)\($0.may ? " (may)" : "")" }.joined(separator: "<br>")) : "**unknown: check by tracing**"
                let blocks = statement.locks.filter { migration.existing.contains($0.relation) && !$0.may && !$0.mode.blocks.isEmpty }
                    .map { "\($0.mode.blocks.joined(separator: ", ")) on \($0.relation)" }
                out += "| \(statement.isBookkeeping ? "alembic" : String(statement.statement.line)) | `\(statement.statement.summary.replacingOccurrences(of: "|", with: "\\|"))` | \(locks) | \(blocks.isEmpty ? "—" : blocks.joined(separator: "<br>")) |\n"
            }
            out += "\nFindings:\n\n" + migration.findings.map { "- **\($0.severity.rawValue)**\($0.line.map { " (line \($0))" } ?? ""): \($0.message). Fix: \($0.fix).\n" }.joined()
        }
        return out
    }
}
