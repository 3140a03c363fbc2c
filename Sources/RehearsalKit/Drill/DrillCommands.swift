import Foundation
import GRDB

/// The checklist's own commands, as a trainee types them, and how long each takes.
enum DrillCommands {
    static let help = """
        Commands (the checklist's own; `docker compose exec SERVICE` prefixes are accepted):
          SQL: a statement, or psql -U govos -c "…"          alembic current | history | upgrade X | downgrade X
          docker compose ps | stop|start|restart|build|logs [--tail N] SERVICE…   docker compose down | up -d [--build]
          curl http://localhost:8000/health | /api/v1/stats | /api/v1/approvals | /api/v1/traces, curl http://localhost:3000/traces
          celery -A core.celery inspect scheduled | control revoke proposal_expiration
          redis-cli FLUSHALL | LLEN celery_dead_letter        git checkout HEAD~1 -- PATH… | git checkout v2.0.0
          TRACES_VIEWER_ENABLED=false (or export NAME=value)   pg_dump -Fc governance_os > FILE | pg_restore --list FILE | pg_restore -c -d governance_os FILE
          python -c "…expire_pending_proposals(dry_run=True)…"
          monitor   status (invariants)   hint (-10 points)   help   done
        """

    /// Runs a command; returns its output and the virtual minutes it takes.
    static func run(_ raw: String, db: Database, world: World) throws -> (String, Int64) {
        var command = raw
        for prefix in ["docker compose exec backend ", "docker compose exec postgres ", "docker compose exec redis ", "docker-compose exec backend "] where command.hasPrefix(prefix) {
            command = String(command.dropFirst(prefix.count))
        }
        do {
            return try dispatch(command, db: db, world: world)
        } catch let error as ApplicationError {
            return ("error: \(error)", 1)
        } catch let error as UserFacingError {
            return ("error: \(error.description)", 1)
        } catch let error as DatabaseError {
            return ("ERROR:  \(error.message ?? "\(error)")", 1)
        }
    }

    static func words(_ text: String) -> [String] { text.split(separator: " ").map(String.init) }

    static func dispatch(_ command: String, db: Database, world: World) throws -> (String, Int64) {
        let w = words(command)
        let upper = command.uppercased()
        if command.hasPrefix("psql"), let start = command.range(of: "-c \"") {
            let body = String(command[start.upperBound...].dropLast(command.hasSuffix("\"") ? 1 : 0))
            return (try sql(body, db: db, world: world), 1)
        }
        if ["SELECT", "INSERT", "UPDATE", "DELETE", "TRUNCATE", "WITH"].contains(where: { upper.hasPrefix($0) }) || command.hasPrefix("\\dt") {
            return (try sql(command, db: db, world: world), 1)
        }
        switch w.first {
        case "alembic":
            guard w.count >= 2 else { return ("usage: alembic current | history | upgrade X | downgrade X", 0) }
            let migrator = Migrator(chain: world.chain)
            switch w[1] {
            case "current": return (try migrator.currentLine(db) ?? "", 1)
            case "history": return (migrator.history(verbose: w.contains("--verbose"), current: try migrator.current(db)).joined(separator: "\n"), 1)
            case "upgrade", "downgrade":
                guard w.count >= 3 else { return ("usage: alembic \(w[1]) TARGET", 0) }
                return (try DeployOperations.migrate(db, world: world, upgrade: w[1] == "upgrade", target: w[2]).joined(separator: "\n"), 1)
            default: return ("alembic: unknown command '\(w[1])'", 0)
            }
        case "docker", "docker-compose":
            return try docker(Array(w.drop { $0 == "docker" || $0 == "compose" || $0 == "docker-compose" }), db: db, world: world)
        case "curl":
            return (try curl(command, db: db, world: world), 1)
        case "celery":
            if command.contains("inspect scheduled") {
                guard world.isRunning(.celeryWorker) else { return ("Error: No nodes replied within time constraint.", 1) }
                let scheduled = world.runsSprint3(.celeryWorker) && !world.expiration.revoked
                return ("-> celery@worker: OK\n" + (scheduled ? "    * {'name': 'core.tasks.proposal_expiration', 'interval': '300s'}" : "    - empty -"), 1)
            }
            if command.contains("control revoke") {
                world.expiration.revoked = true
                return ("-> celery@worker: OK\n    tasks revoked: proposal_expiration", 1)
            }
            return ("celery: unsupported command (inspect scheduled, control revoke proposal_expiration)", 0)
        case "redis-cli":
            if upper.contains("FLUSHALL") { return (try DeployOperations.flushCache(world).joined(), 1) }
            if upper.contains("LLEN") { return ("(integer) \(world.expiration.failures)", 1) }
            return ("redis-cli: unsupported command (FLUSHALL, LLEN celery_dead_letter)", 0)
        case "git":
            if w.count >= 3, w[1] == "checkout", w[2] == "v2.0.0" {
                world.checkedOut = []
                return (DeployOperations.deployCode(world, ServiceName.allCases, version: .v2).joined(separator: "\n"), 1)
            }
            if w.count >= 5, w[1] == "checkout", w[2] == "HEAD~1", w[3] == "--" {
                return (DeployOperations.checkout(world, paths: Array(w[4...])).joined(), 1)
            }
            return ("git: supported: git checkout HEAD~1 -- PATH…, git checkout v2.0.0", 0)
        case "pg_dump":
            let name = command.components(separatedBy: ">").last.map { $0.trimmingWhitespace() } ?? "backup.dump"
            return (try BackupOperations.backup(db, world: world, name: name).prefix(2).joined(separator: "\n"), 3)
        case "pg_restore":
            if w.contains("--list") { return (try world.backups[w.last ?? ""].map { try $0.tableOfContents().joined(separator: "\n") } ?? "pg_restore: error: could not open input file \"\(w.last ?? "")\"", 1) }
            let name = w.last ?? ""
            guard world.backups[name] != nil else { return ("pg_restore: error: could not open input file \"\(name)\": no such backup (taken: \(world.backups.keys.sorted().joined(separator: ", ")))", 1) }
            return (try BackupOperations.restore(db, world: world, name: name).joined(separator: "\n"), 5)
        case "python", "python3":
            guard command.contains("expire_pending_proposals") else { return ("python: only the checklist's task check is supported", 0) }
            let dry = command.contains("dry_run=True")
            let count = try ExpirationTask.run(db, world: world, dryRun: dry)
            return (dry ? "Would expire \(count) proposals" : "Expired \(count) proposals", 1)
        case "export":
            guard w.count == 2, let equals = w[1].firstIndex(of: "=") else { return ("usage: export NAME=value", 0) }
            return (DeployOperations.setEnvironment(world, String(w[1][..<equals]), String(w[1][w[1].index(after: equals)...])).joined(), 1)
        default:
            if w.count == 1, let equals = command.firstIndex(of: "="), command.first?.isUppercase == true {
                return (DeployOperations.setEnvironment(world, String(command[..<equals]), String(command[command.index(after: equals)...])).joined(), 1)
            }
            return ("unknown command '\(w.first ?? command)'. Type `help` for the commands this drill understands.", 0)
        }
    }

    static func sql(_ text: String, db: Database, world: World) throws -> String {
        try SQLConsole(source: "drill", dialect: PostgresDialect(now: world.clock, seed: world.ids.next())).run(db, script: text).map { $0.psqlTable() }.joined(separator: "\n")
    }

    static func docker(_ args: [String], db: Database, world: World) throws -> (String, Int64) {
        guard let verb = args.first else { return ("usage: docker compose ps | stop|start|restart|build|logs SERVICE", 0) }
        var names = Array(args.dropFirst()).filter { !$0.hasPrefix("-") && Int($0) == nil }
        if names.isEmpty && ["up", "down", "ps", "logs"].contains(verb) { names = ServiceName.allCases.map(\.rawValue) }
        let services = try names.map { name -> ServiceName in
            guard let service = ServiceName.named(name) else { throw ApplicationError(404, "no such service: \(name)") }
            return service
        }
        switch verb {
        case "stop", "down": return (DeployOperations.stop(world, services).joined(separator: "\n"), 1)
        case "start": return (DeployOperations.start(world, services).joined(separator: "\n"), 1)
        case "restart": return (DeployOperations.restart(world, services).joined(separator: "\n"), 1)
        case "build": return (services.flatMap { DeployOperations.build(world, $0) }.joined(separator: "\n"), 2)
        case "up":
            var lines: [String] = []
            if args.contains("--build") { lines += services.flatMap { DeployOperations.build(world, $0) } }
            lines += DeployOperations.start(world, services)
            return (lines.joined(separator: "\n"), 2)
        case "ps":
            // What `docker compose ps` shows: every service, running or exited, and its image.
            let rows = services.map { service -> String in
                let state = world.isRunning(service) ? "running" : "exited"
                let name = "governance-os-\(service.rawValue)-1"
                return name.padding(toLength: 32, withPad: " ", startingAt: 0) + service.rawValue.padding(toLength: 16, withPad: " ", startingAt: 0)
                    + "governance-os:\(world.services[service]!.version.rawValue)".padding(toLength: 28, withPad: " ", startingAt: 0) + state
            }
            let header = "NAME".padding(toLength: 32, withPad: " ", startingAt: 0) + "SERVICE".padding(toLength: 16, withPad: " ", startingAt: 0)
                + "IMAGE".padding(toLength: 28, withPad: " ", startingAt: 0) + "STATUS"
            return (([header] + rows).joined(separator: "\n"), 0)
        case "logs":
            let tail = args.firstIndex(of: "--tail").flatMap { args.indices.contains($0 + 1) ? Int(args[$0 + 1]) : nil } ?? 20
            let lines = services.flatMap { world.log.lines(for: $0) }.sorted { $0.time < $1.time }.suffix(tail).map(\.formatted)
            return (lines.isEmpty ? "(no log lines)" : lines.joined(separator: "\n"), 1)
        default: return ("docker compose: unsupported command '\(verb)' (ps, stop, start, restart, build, up, down, logs)", 0)
        }
    }

    static func curl(_ command: String, db: Database, world: World) throws -> String {
        if command.contains(":3000/traces") { return try TracesViewer.view(db, world: world) }
        if command.contains("/health") { return Health.check(db, world: world).serialized() }
        guard world.isRunning(.backend) else { return "curl: (7) Failed to connect to localhost port 8000: Connection refused" }
        if command.contains("/api/v1/approvals") { return try Approvals.list(db, world: world).serialized() }
        if command.contains("/api/v1/traces") {
            try Approvals.requireAPI(world)
            guard try db.tableExists("agent_traces") else { throw ApplicationError(500, "relation \"agent_traces\" does not exist") }
            return "[\(try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM agent_traces") ?? 0) traces]"
        }
        if command.contains("/api/v1/stats") {
            let counts = try Baseline.tables.filter { try db.tableExists($0) }.map { "\"\($0)\": \(try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM \($0)") ?? 0)" }
            return "{" + counts.joined(separator: ", ") + "}"
        }
        return "curl: 404 Not Found"
    }
}
