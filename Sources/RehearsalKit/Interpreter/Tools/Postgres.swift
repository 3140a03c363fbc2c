import GRDB

/// The PostgreSQL clients: `psql`, `pg_dump`, `pg_restore`, `pg_isready`, and `alembic`
/// (docs/command-semantics.md). The database is a service: with the postgres container down,
/// every client fails with its connection error. psql connects to the database named after the
/// user unless `-d` says otherwise, so `psql -U govos` reaches a database called `govos`.
extension ShellSession {
    /// Where a client connects, from its options, the environment and where it runs; nil when
    /// it connects, else the client's error (without the program's prefix).
    func connectionError(_ arguments: ParsedArguments, place: Place, database given: String?) -> String? {
        let options = stack.options
        let environment = place == .host ? stack.shellEnvironment : (stack.containers[place.service ?? .backend]?.environment ?? [:])
        let user = arguments.value("-U") ?? arguments.value("--username") ?? environment["PGUSER"] ?? (place == .host ? "deploy" : "root")
        let database = given ?? environment["PGDATABASE"] ?? user
        let host = arguments.value("-h") ?? arguments.value("--host") ?? (place == .host ? environment["PGHOST"] : nil)
        let endpoint: String
        if let host, !host.hasPrefix("/") {
            endpoint = "connection to server at \"\(host)\" (\(host == "localhost" ? "127.0.0.1" : "172.18.0.2")), port 5432 failed"
        } else {
            endpoint = "connection to server on socket \"/var/run/postgresql/.s.PGSQL.5432\" failed"
        }
        if case .host = place, host == nil {
            // The host has no server of its own: postgres runs in its container.
            return "\(endpoint): No such file or directory\n\tIs the server running locally and accepting connections on that socket?"
        }
        guard stack.isRunning(.postgres) else {
            if host == "postgres" { return "could not translate host name \"postgres\" to address: Name or service not known" }
            return host == nil ? "\(endpoint): No such file or directory\n\tIs the server running locally and accepting connections on that socket?"
                               : "\(endpoint): Connection refused\n\tIs the server running on that host and accepting TCP/IP connections?"
        }
        if user != options.user { return "\(endpoint): FATAL:  role \"\(user)\" does not exist" }
        if ![options.database, "postgres", "template1"].contains(database) { return "\(endpoint): FATAL:  database \"\(database)\" does not exist" }
        if database != options.database { return "\(endpoint): FATAL:  relation lookups in database \"\(database)\" are not simulated" }
        return nil
    }

    /// A `postgresql://user:pass@host:port/db` URL as psql's first operand.
    func connectionFromURL(_ text: String, _ arguments: inout ParsedArguments) -> String? {
        guard text.hasPrefix("postgresql://") || text.hasPrefix("postgres://") else { return text }
        let rest = text.split(separator: "/", maxSplits: 3, omittingEmptySubsequences: false)
        guard rest.count >= 4 else { return nil }
        let authority = rest[2]
        let hostPart = authority.split(separator: "@").last.map(String.init) ?? ""
        if let credentials = authority.split(separator: "@").first, authority.contains("@") {
            arguments.values.append(("-U", String(credentials.split(separator: ":").first ?? "")))
        }
        arguments.values.append(("-h", String(hostPart.split(separator: ":").first ?? "localhost")))
        return String(rest[3].split(separator: "?").first ?? "")
    }

    func psql(_ invocation: Invocation) throws -> ToolOutput {
        var arguments = invocation.arguments
        var database = arguments.value("-d") ?? arguments.value("--dbname")
        if let first = arguments.operands.first { database = connectionFromURL(first, &arguments) }
        if let error = connectionError(arguments, place: invocation.place, database: database) { return .err("psql: error: \(error)", status: 2) }
        let script: String
        if let command = arguments.value("-c") ?? arguments.value("--command") {
            script = command
        } else if let file = arguments.value("-f") ?? arguments.value("--file") {
            guard case .text(let text)? = stack.files[file] else { return .err("psql: error: \(file): No such file or directory", status: 1) }
            script = text
        } else if !invocation.stdin.isEmpty {
            script = invocation.stdin
        } else {
            return .err("rehearse: not simulated: an interactive psql session (give the SQL with -c or -f)", status: 2)
        }
        return runSQL(script, tuplesOnly: arguments.has("-t") || arguments.has("--tuples-only"), unaligned: arguments.has("-A") || arguments.has("--no-align"),
                      singleTransaction: arguments.value("-c") != nil || arguments.value("--command") != nil)
    }

    /// Runs SQL as psql does: a `-c` string is one transaction (all or nothing); a file runs
    /// statement by statement and goes on after an error. Every result is printed (psql 15).
    func runSQL(_ script: String, tuplesOnly: Bool = false, unaligned: Bool = false, singleTransaction: Bool = true) -> ToolOutput {
        var output = ToolOutput()
        let console = SQLConsole(source: "psql", dialect: PostgresDialect(now: world.clock, seed: world.ids.next()))
        let pieces = singleTransaction ? [script] : SQLScript.statements(in: script).map(\.sql)
        for piece in pieces {
            do {
                for outcome in try console.run(db, script: piece) {
                    output.stdout += render(outcome, tuplesOnly: tuplesOnly, unaligned: unaligned)
                }
            } catch let error as SQLStatementError {
                output.stderr += "ERROR:  \(error.message)\n"
                output.status = 1
            } catch {
                output.stderr += "ERROR:  \(error)\n"
                output.status = 1
            }
        }
        return output
    }

    func render(_ outcome: StatementOutcome, tuplesOnly: Bool, unaligned: Bool) -> String {
        guard tuplesOnly || unaligned, case .rows = outcome else { return outcome.psqlTable() + "\n" }
        var lines: [String] = []
        if !tuplesOnly, case .rows(let columns, _, _) = outcome { lines.append(columns.joined(separator: "|")) }
        lines += outcome.psqlCells.map { unaligned ? $0.joined(separator: "|") : " " + $0.joined(separator: " | ") }
        return lines.joined(separator: "\n") + "\n"
    }

    func pgIsReady(_ invocation: Invocation) -> ToolOutput {
        let place = invocation.place == .host ? "localhost:5432" : "/var/run/postgresql:5432"
        if stack.isRunning(.postgres) && (invocation.place != .host || stack.shellEnvironment["PGHOST"] != nil) {
            return .out("\(place) - accepting connections")
        }
        return .out("\(place) - no response", status: 2)
    }

    func pgDump(_ invocation: Invocation) throws -> ToolOutput {
        let arguments = invocation.arguments
        let database = arguments.operands.first ?? arguments.value("-d") ?? arguments.value("--dbname")
        if let error = connectionError(arguments, place: invocation.place, database: database) { return .err("pg_dump: error: \(error)", status: 1) }
        let format = arguments.has("-Fc") ? "c" : (arguments.value("-F") ?? arguments.value("--format") ?? "p")
        var backup = try Backup.take(db, name: database ?? stack.options.database, at: world.clock)
        backup.format = format.hasPrefix("c") ? "custom" : format.hasPrefix("t") ? "tar" : "plain"
        var output = ToolOutput(dump: backup)
        if let file = arguments.value("-f") ?? arguments.value("--file") {
            stack.files[file] = .dump(backup)
            output.dump = nil
        }
        output.seconds = 60
        world.log.append(world.clock, .postgres, "INFO", "pg_dump of \(database ?? stack.options.database) (\(backup.format))")
        return output
    }

    func pgRestore(_ invocation: Invocation) throws -> ToolOutput {
        let arguments = invocation.arguments
        let files = arguments.operands
        if files.count > 1 {
            return .err("pg_restore: error: too many command-line arguments (first is \"\(files[1])\")\npg_restore: hint: Try \"pg_restore --help\" for more information.", status: 1)
        }
        let archive: Backup
        if let name = files.first {
            switch stack.files[name] {
            case .dump(let backup)?:
                guard backup.format != "plain" else { return .err("pg_restore: error: input file appears to be a text format dump. Please use psql.", status: 1) }
                archive = backup
            case .text(let text)?:
                return .err(text.isEmpty ? "pg_restore: error: input file is too short (read 0, expected 5)" : "pg_restore: error: input file does not appear to be a valid archive", status: 1)
            case nil:
                return .err("pg_restore: error: could not open input file \"\(name)\": No such file or directory", status: 1)
            }
        } else {
            return .err("rehearse: not simulated: pg_restore reading an archive from standard input", status: 2)
        }
        if arguments.has("-l") || arguments.has("--list") {
            return .out(try archive.dumpCatalog().tableOfContents(database: archive.name, createdAt: archive.takenAt).joined(separator: "\n"))
        }
        guard let database = arguments.value("-d") ?? arguments.value("--dbname") else {
            var output = ToolOutput.out("--\n-- PostgreSQL database dump\n--\n(the restore script of \(files[0]))")
            output.note("without -d, pg_restore writes the restore script to standard output and changes no database")
            return output
        }
        if let error = connectionError(arguments, place: invocation.place, database: database) { return .err("pg_restore: error: \(error)", status: 1) }
        let before = try Backup.counts(db)
        let outcome = try PgRestore.restore(archive, into: db, clean: arguments.has("-c") || arguments.has("--clean"),
                                            ifExists: arguments.has("--if-exists"), singleTransaction: arguments.has("-1") || arguments.has("--single-transaction"))
        world.expectedRevision = try MigrationBookkeeping.currentRevision(db) ?? RevisionChain.base
        let after = try Backup.counts(db)
        var output = ToolOutput(stderr: outcome.messages.isEmpty ? "" : outcome.messages.joined(separator: "\n") + "\n", status: outcome.errors > 0 ? 1 : 0)
        let archived = archive.tableNames
        let unchanged = before.keys.filter { after[$0] != nil && !archived.contains($0) }.sorted()
        if !unchanged.isEmpty {
            output.warn("pg_restore -c restores only what the archive holds: \(unchanged.joined(separator: ", ")) (created after the dump) \(unchanged.count == 1 ? "is" : "are") untouched")
        }
        output.seconds = 300
        world.log.append(world.clock, .postgres, outcome.errors > 0 ? "ERROR" : "INFO", "pg_restore into \(database): \(outcome.errors) error(s)")
        return output
    }

    func alembic(_ invocation: Invocation) throws -> ToolOutput {
        let verb = invocation.arguments.spec.path[1]
        let revisions = code(at: invocation.place).migrations(of: world.chain)
        let chain = try RevisionChain(revisions: revisions, directory: world.chain.directory)
        var arguments = ParsedArguments(spec: invocation.arguments.spec)
        arguments.values = [("-h", invocation.place == .host ? "localhost" : "postgres"), ("-U", stack.options.user)]
        if let error = connectionError(arguments, place: invocation.place, database: stack.options.database) {
            return .err("sqlalchemy.exc.OperationalError: (psycopg2.OperationalError) \(error)", status: 1)
        }
        let context = "INFO  [alembic.runtime.migration] Context impl PostgresqlImpl.\nINFO  [alembic.runtime.migration] Will assume transactional DDL.\n"
        let migrator = Migrator(chain: chain)
        do {
            switch verb {
            case "current":
                let line = try migrator.currentLine(db)
                return ToolOutput(stdout: line.map { $0 + "\n" } ?? "", stderr: context)
            case "history":
                return .out(migrator.history(verbose: invocation.arguments.has("--verbose") || invocation.arguments.has("-v"), current: try? migrator.current(db)).joined(separator: "\n"))
            case "heads":
                return .out(chain.head.map { "\($0.id) (head)" } ?? "")
            default:
                guard let target = invocation.operands.first else { return .err("alembic \(verb): error: the following arguments are required: revision", status: 2) }
                var output = ToolOutput(stderr: context)
                let lines = try migrate(upgrade: verb == "upgrade", target: target, chain: chain)
                output.stderr += lines.map { $0 + "\n" }.joined()
                output.seconds = 10
                return output
            }
        } catch let error as MigrationError {
            return ToolOutput(stderr: context + "FAILED: \(error.alembicMessage)\n", status: 1)
        } catch let error as ApplicationError {
            return ToolOutput(stderr: context + "FAILED: \(error.message)\n", status: 1)
        }
    }

    /// `alembic upgrade|downgrade TARGET` with the revisions the running code carries. Records
    /// the 3.1 order violations a migration reveals, and lets the migration faults act.
    func migrate(upgrade: Bool, target: String, chain: RevisionChain) throws -> [String] {
        if stack.isRunning(.celeryWorker) {
            world.deployOrderViolations.append((world.clock, "migration ran while celery-worker was running (3.1 step 2: stop background workers first)"))
        }
        if !world.maintenanceMode {
            world.deployOrderViolations.append((world.clock, "migration ran with maintenance mode off (3.1 step 1: enable maintenance mode first)"))
        }
        var migrator = Migrator(chain: chain)
        migrator.beforeStatement = MigrationFaults.hook(world)
        let currentIndex = try migrator.current(db).flatMap(chain.index(of:)) ?? -1
        let destination = try migrator.destinationIndex(from: currentIndex, to: target, upgrade: upgrade)
        world.expectedRevision = destination >= 0 ? chain.revisions[destination].id : RevisionChain.base
        defer { world.consumeMigrationFaults() }
        let lines = upgrade ? try migrator.upgrade(db, to: target) : try migrator.downgrade(db, to: target)
        world.log.append(world.clock, .backend, "INFO", lines.last ?? "alembic: nothing to do")
        return lines
    }
}

extension Place {
    var service: ServiceName? {
        switch self {
        case .host: return nil
        case .container(let service), .oneOff(let service): return service
        }
    }
}
