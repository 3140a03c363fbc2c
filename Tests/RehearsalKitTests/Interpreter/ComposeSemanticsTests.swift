import Testing
@testable import RehearsalKit

/// docker compose as Compose v2 behaves (docs/command-semantics.md): each test fails if the
/// behaviour is idealised (a restart that picks up a new image, a down that spares postgres).
@Suite struct ComposeSemanticsTests {
    @Test func buildChangesNoRunningContainer() throws {
        let rig = try StackRig(code: .v2, revision: "005_add_immutability_triggers")
        let before = rig.world.stack.containers[.backend]!.image
        #expect(try rig.run("git pull").succeeded)
        let build = try rig.run("docker compose build backend")
        #expect(build.output == [" ✔ Service backend  Built"])
        #expect(rig.world.stack.containers[.backend]!.image == before)
        #expect(rig.world.stack.currentImage(.backend) != before)
        #expect(!rig.world.stack.code(.backend).approvalsAPI)
        #expect(build.notes.contains { $0.contains("backend, celery-worker keep the old one until `docker compose up -d` recreates them") })
    }

    @Test func restartKeepsTheOldImageAndEnvironment() throws {
        let rig = try StackRig(code: .v2, revision: "005_add_immutability_triggers")
        try rig.run("git pull && docker compose build")
        try rig.run(#"echo "TRACES_VIEWER_ENABLED=false" >> .env"#)
        let restart = try rig.run("docker compose restart backend frontend")
        #expect(restart.succeeded)
        #expect(!rig.world.stack.code(.backend).approvalsAPI)
        #expect(rig.world.stack.containers[.frontend]!.environment["TRACES_VIEWER_ENABLED"] == "true")
        #expect(restart.warnings.contains { $0.hasPrefix("frontend: docker compose restart reuses the existing container, which runs its old image") && $0.contains("TRACES_VIEWER_ENABLED=true") })
        // export changes the operator's shell, not a container.
        let export = try rig.run("export TRACES_VIEWER_ENABLED=false")
        #expect(export.warnings == ["export sets the operator's shell only; the containers read .env when they are created (compose's env_file)"])
    }

    @Test func startReusesTheStoppedContainer() throws {
        let rig = try StackRig()
        try rig.run("docker compose stop mcp-server")
        try rig.run("git checkout HEAD~1 -- mcp/ && docker compose build mcp-server")
        let start = try rig.run("docker compose start mcp-server")
        #expect(start.succeeded && rig.world.isRunning(.mcpServer))
        #expect(rig.world.stack.code(.mcpServer).mcpWriteTools)
        #expect(start.warnings.first?.hasPrefix("mcp-server: docker compose start reuses the existing container") == true)
        try rig.run("docker compose down")
        let none = try rig.run("docker compose start backend")
        #expect(none.status == 1)
        #expect(none.output == [#"service "backend" has no container to start"#])
    }

    @Test func upRecreatesAnOutdatedContainer() throws {
        let rig = try StackRig()
        try rig.run("git checkout HEAD~1 -- mcp/ && docker compose build mcp-server")
        let up = try rig.run("docker compose up -d mcp-server")
        #expect(up.output.contains(" ✔ Container governance-os-mcp-server-1  Recreated"))
        #expect(!rig.world.stack.code(.mcpServer).mcpWriteTools)
        // Nothing changed: up leaves a running container alone; --force-recreate does not.
        #expect(try rig.run("docker compose up -d backend").output.contains(" ✔ Container governance-os-backend-1  Running"))
        #expect(try rig.run("docker compose up -d --force-recreate backend").output.contains(" ✔ Container governance-os-backend-1  Recreated"))
        #expect(try rig.run("docker compose up backend").status == 2)
    }

    @Test func downTakesTheDatabaseDown() throws {
        let rig = try StackRig()
        let down = try rig.run("docker compose down")
        #expect(down.output.last == " ✔ Network governance-os_default  Removed")
        #expect(rig.world.stack.containers.isEmpty)
        let restore = try rig.run("pg_dump -Fc governance_os > after_down.dump")
        #expect(restore.status == 1)
        #expect(restore.output == [#"pg_dump: error: connection to server at "localhost" (127.0.0.1), port 5432 failed: Connection refused"#,
                                   "\tIs the server running on that host and accepting TCP/IP connections?"])
        // The data is in the named volume: up brings it back.
        try rig.run("docker compose up -d")
        #expect(try rig.count("SELECT COUNT(*) FROM decisions") == 135)
        #expect(try rig.run("curl -s http://localhost:8000/health").output == [#"{"status":"healthy","database":"connected"}"#])
    }

    @Test func execIntoAStoppedServiceFails() throws {
        let rig = try StackRig()
        try rig.run("docker compose stop backend")
        let exec = try rig.run("docker compose exec backend alembic current")
        #expect(exec.status == 1)
        #expect(exec.output == [#"service "backend" is not running"#])
        let missing = try rig.run("docker compose exec redis psql -c 'SELECT 1'")
        #expect(missing.status == 126)
        #expect(missing.output.first?.contains(#"exec: "psql": executable file not found in $PATH"#) == true)
    }

    @Test func runUsesTheNewImage() throws {
        let rig = try StackRig(code: .v2, revision: "005_add_immutability_triggers")
        try rig.run("git pull && docker compose build backend")
        // The running backend knows no 006; a one-off container from the new image does.
        let exec = try rig.run("docker compose exec backend alembic upgrade +1")
        #expect(exec.status == 1)
        #expect(exec.output.last == "FAILED: Relative revision +1 didn't produce 1 migrations")
        let run = try rig.run("docker compose run --rm backend alembic upgrade +1")
        #expect(run.succeeded)
        #expect(run.output.contains("INFO  [alembic.runtime.migration] Running upgrade 005_add_immutability_triggers -> 006_add_pending_proposals, add pending proposals"))
    }

    @Test func alembicSeesTheContainersMigrations() throws {
        let rig = try StackRig()
        try rig.run("git checkout v2.0.0 && docker compose build && docker compose up -d")
        let current = try rig.run("docker compose exec backend alembic current")
        #expect(current.status == 1)
        #expect(current.output.last == "FAILED: Can't locate revision identified by '007_add_agent_traces'")
    }

    @Test func logsSinceAndTail() throws {
        let rig = try StackRig()
        try rig.run("docker compose restart backend")
        try rig.read { db in try rig.world.advance(db, by: 7200) }
        try rig.run("docker compose restart backend")
        let recent = try rig.run("docker compose logs --since 1h backend")
        #expect(recent.output == ["backend  | 2026-01-14T11:00:00Z INFO Started backend"])
        #expect(try rig.run("docker compose logs backend").output.count == 2)
        #expect(try rig.run("docker compose logs --tail=1 backend").output.count == 1)
        #expect(try rig.run("docker compose logs --since nonsense backend").status == 1)
    }

    @Test func bindMountedCodeIsLoadedOnRestart() throws {
        var options = ComposeOptions()
        options.code = .bind
        let rig = try StackRig(code: .v2, revision: "005_add_immutability_triggers", compose: options)
        try rig.run("git pull")
        #expect(!rig.world.stack.code(.backend).approvalsAPI)
        let restart = try rig.run("docker compose restart backend")
        #expect(restart.warnings.isEmpty)
        #expect(rig.world.stack.code(.backend).approvalsAPI)
    }

    @Test func redisPersistenceFollowsTheComposeOption() throws {
        for (persistence, afterRestart, afterDown) in [(ComposeOptions.RedisPersistence.snapshot, 1, 0), (.none, 0, 0), (.volume, 1, 1)] {
            var options = ComposeOptions()
            options.redis = persistence
            let rig = try StackRig(compose: options)
            try rig.run("docker compose exec redis redis-cli SET k v")
            try rig.run("docker compose restart redis")
            #expect(try rig.run("docker compose exec redis redis-cli DBSIZE").output == ["(integer) \(afterRestart)"], "\(persistence) after restart")
            try rig.run("docker compose exec redis redis-cli SET k v")
            try rig.run("docker compose down && docker compose up -d")
            #expect(try rig.run("docker compose exec redis redis-cli DBSIZE").output == ["(integer) \(afterDown)"], "\(persistence) after down")
        }
    }
}
