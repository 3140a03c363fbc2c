import GRDB

/// The deploy steps of checklist 3.1 and the commands the rollback plans use, as operations a
/// scenario can run in any order (so that a wrong order can be rehearsed). Each returns the
/// lines it would print.
public enum DeployOperations {
    public static func setMaintenance(_ world: World, on: Bool) -> [String] {
        world.maintenanceMode = on
        world.log.append(world.clock, .backend, "INFO", "maintenance mode \(on ? "enabled" : "disabled")")
        return ["maintenance mode \(on ? "on" : "off")"]
    }

    public static func stop(_ world: World, _ services: [ServiceName]) -> [String] {
        services.map { service in
            world.services[service]!.running = false
            world.log.append(world.clock, service, "INFO", "Stopping \(service.rawValue)")
            return "Container \(service.rawValue) Stopped"
        }
    }

    /// Starting a container runs the last image built for it and reads the environment now.
    public static func start(_ world: World, _ services: [ServiceName]) -> [String] {
        services.map { service in
            var state = world.services[service]!
            if let build = world.builds[service] {
                state.version = build.version
                state.revertedPaths = build.revertedPaths
            }
            state.running = true
            world.services[service] = state
            world.serviceEnvironment[service] = world.environment
            if service == .celeryWorker {
                world.expiration.revoked = false
                world.expiration.lastRunFailed = false
            }
            if service == .redis { world.cache = [:] }
            world.log.append(world.clock, service, "INFO", "Started \(service.rawValue) on \(state.version.rawValue)")
            return "Container \(service.rawValue) Started (\(state.version.rawValue)\(state.revertedPaths.isEmpty ? "" : ", reverted: \(state.revertedPaths.sorted().joined(separator: " "))"))"
        }
    }

    public static func restart(_ world: World, _ services: [ServiceName]) -> [String] {
        services.flatMap { service -> [String] in
            _ = stop(world, [service])
            return start(world, [service]).map { $0.replacingOccurrences(of: "Started", with: "Restarted") }
        }
    }

    /// `git pull` + `docker compose build`: the new code is built for each service and runs
    /// from its next start or restart.
    public static func deployCode(_ world: World, _ services: [ServiceName], version: CodeVersion) -> [String] {
        services.map { service in
            world.builds[service] = World.Build(version: version, revertedPaths: [])
            world.log.append(world.clock, service, "INFO", "image built from \(version.rawValue)")
            return "\(service.rawValue): image built from \(version.rawValue) (runs after the next start/restart)"
        }
    }

    /// `git checkout HEAD~1 -- PATH`: the working tree gets the previous version of PATH; it
    /// reaches a container only through `docker compose build` and a restart.
    public static func checkout(_ world: World, paths: [String]) -> [String] {
        world.checkedOut.formUnion(paths)
        return ["Updated \(paths.count) path\(paths.count == 1 ? "" : "s") from HEAD~1: \(paths.joined(separator: " "))"]
    }

    /// The services whose image contains `path` (celery-worker runs the backend image).
    static func services(owning path: String) -> [ServiceName] {
        if path.hasPrefix("mcp/") { return [.mcpServer] }
        if path.hasPrefix("ui/") { return [.frontend] }
        if path.hasPrefix("core/") { return [.backend, .celeryWorker] }
        return []
    }

    /// `docker compose build SERVICE`: the image gets the working tree, checked-out paths included.
    public static func build(_ world: World, _ service: ServiceName) -> [String] {
        var affected: [ServiceName] = [service]
        // The worker runs the backend's image: building the backend rebuilds the worker's code too.
        if service == .backend { affected.append(.celeryWorker) }
        for target in affected {
            let base = world.builds[target] ?? World.Build(version: world.services[target]!.version, revertedPaths: world.services[target]!.revertedPaths)
            world.builds[target] = World.Build(version: base.version, revertedPaths: base.revertedPaths.union(world.checkedOut.filter { services(owning: $0).contains(target) }))
        }
        return ["\(service.rawValue) Built"]
    }

    public static func setEnvironment(_ world: World, _ name: String, _ value: String) -> [String] {
        world.environment[name] = value
        return ["\(name)=\(value) (read by services when they restart)"]
    }

    public static func flushCache(_ world: World) throws -> [String] {
        guard world.isRunning(.redis) else { throw ApplicationError(502, "redis is not running") }
        world.cache = [:]
        return ["OK"]
    }

    /// `alembic upgrade|downgrade TARGET` through the backend container. Records the 3.1 order
    /// violations a migration reveals, and lets the migration faults act.
    public static func migrate(_ db: Database, world: World, upgrade: Bool, target: String) throws -> [String] {
        guard world.isRunning(.backend) else { throw ApplicationError(502, "service \"backend\" is not running (docker compose exec needs it)") }
        if world.isRunning(.celeryWorker) {
            world.deployOrderViolations.append((world.clock, "migration ran while celery-worker was running (3.1 step 2: stop background workers first)"))
        }
        if !world.maintenanceMode {
            world.deployOrderViolations.append((world.clock, "migration ran with maintenance mode off (3.1 step 1: enable maintenance mode first)"))
        }
        var migrator = Migrator(chain: world.chain)
        migrator.beforeStatement = MigrationFaults.hook(world)
        let currentIndex = try migrator.current(db).flatMap(world.chain.index(of:)) ?? -1
        let destination = try migrator.destinationIndex(from: currentIndex, to: target, upgrade: upgrade)
        world.expectedRevision = destination >= 0 ? world.chain.revisions[destination].id : RevisionChain.base
        defer { world.consumeMigrationFaults() }
        let lines = upgrade ? try migrator.upgrade(db, to: target) : try migrator.downgrade(db, to: target)
        world.log.append(world.clock, .backend, "INFO", lines.last ?? "alembic: nothing to do")
        return lines.isEmpty ? ["INFO  [alembic.runtime.migration] Will assume transactional DDL. (nothing to do)"] : lines
    }
}

/// How the migration faults act: one-shot, on the next upgrade.
enum MigrationFaults {
    static func hook(_ world: World) -> @Sendable (Database, Revision, Int) throws -> Void {
        let failMidway = world.faultActive("migration.fail_midway")
        let dropTrigger = world.faultActive("migration.drops_immutability_trigger")
        let disableTrigger = world.faultActive("migration.disables_immutability_trigger")
        return { db, revision, index in
            if failMidway && index == revision.upgrade.count / 2 && index > 0 {
                throw DatabaseError(resultCode: .SQLITE_ERROR, message: "canceling statement due to lock timeout (injected: migration.fail_midway)")
            }
            if index == 0 && dropTrigger {
                try db.execute(sql: "DROP TRIGGER IF EXISTS decisions_immutable_update; DROP TRIGGER IF EXISTS decisions_immutable_delete")
            }
            if index == 0 && disableTrigger {
                try db.execute(sql: "INSERT OR REPLACE INTO rehearse_trigger_state (tgname, tgenabled) VALUES ('audit_events_immutable', 'D')")
            }
        }
    }
}

extension World {
    /// Migration faults act once: the next migration that runs carries them.
    func consumeMigrationFaults() {
        activeFaults.removeAll { $0.hasPrefix("migration.") }
    }
}
