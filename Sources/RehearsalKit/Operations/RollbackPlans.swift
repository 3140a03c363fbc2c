import GRDB

/// Rollback plans A–E and the full rollback of checklist 6.2–6.7, step by step as written.
/// They are followed literally, so a rehearsal shows where a plan does not restore an
/// invariant (plan C leaves rows written through the bypass; plan A assumes both migrations
/// ran; plan E does not fix a scrubber in the backend).
public enum RollbackPlans {
    public static let names = ["A", "B", "C", "D", "E", "full"]

    public static func run(_ db: Database, world: World, plan: String, backup: String? = nil) throws -> [String] {
        var lines: [String] = []
        func step(_ command: String, _ output: [String]) {
            lines.append("$ \(command)")
            lines += output.map { "  \($0)" }
        }
        switch plan {
        case "A":
            step("docker compose exec backend alembic downgrade -1", try DeployOperations.migrate(db, world: world, upgrade: false, target: "-1"))
            step("docker compose exec backend alembic downgrade -1", try DeployOperations.migrate(db, world: world, upgrade: false, target: "-1"))
            // Plan A's goal is 6.2's "Expected: 005_add_immutability_triggers", whatever the two
            // downgrades actually reached.
            world.expectedRevision = "005_add_immutability_triggers"
            let current = try Migrator(chain: world.chain).currentLine(db) ?? ""
            step("docker compose exec backend alembic current", [current, current.hasPrefix("005_add_immutability_triggers")
                ? "verified: 005_add_immutability_triggers" : "NOT the expected 005_add_immutability_triggers"])
            step("docker compose restart backend", DeployOperations.restart(world, [.backend]))
        case "B":
            step("git checkout HEAD~1 -- core/api/approvals.py core/api/traces.py", DeployOperations.checkout(world, paths: ["core/api/approvals.py", "core/api/traces.py"]))
            step("docker compose build backend", DeployOperations.build(world, .backend))
            step("docker compose restart backend", DeployOperations.restart(world, [.backend]))
        case "C":
            step("docker compose stop mcp-server", DeployOperations.stop(world, [.mcpServer]))
            let script = "UPDATE pending_proposals SET status = 'rejected', review_notes = 'Emergency rollback - approval gate failure' WHERE status = 'pending';"
            let outcome = try SQLConsole(source: "plan C").run(db, script: script)
            step("docker compose exec postgres psql -U govos -c \"\(script)\"", outcome.map { $0.psqlTable() })
            step("git checkout HEAD~1 -- mcp/", DeployOperations.checkout(world, paths: ["mcp/"]))
            step("docker compose build mcp-server", DeployOperations.build(world, .mcpServer))
            step("docker compose start mcp-server", DeployOperations.start(world, [.mcpServer]))
        case "D":
            world.expiration.revoked = true
            step("docker compose exec backend celery -A core.celery control revoke proposal_expiration", ["-> celery@worker: OK (revoked)"])
            step("docker compose stop celery-worker", DeployOperations.stop(world, [.celeryWorker]))
            step("git checkout HEAD~1 -- core/tasks/proposal_expiration.py", DeployOperations.checkout(world, paths: ["core/tasks/proposal_expiration.py"]))
            step("docker compose build backend", DeployOperations.build(world, .backend))
            step("docker compose start celery-worker", DeployOperations.start(world, [.celeryWorker]))
        case "E":
            step("export TRACES_VIEWER_ENABLED=false", DeployOperations.setEnvironment(world, "TRACES_VIEWER_ENABLED", "false"))
            step("docker compose restart frontend", DeployOperations.restart(world, [.frontend]))
            step("docker compose exec redis redis-cli FLUSHALL", try DeployOperations.flushCache(world))
            _ = try SQLConsole(source: "plan E").run(db, script: "DELETE FROM agent_traces;")
            step("docker compose exec postgres psql -U govos -c \"TRUNCATE agent_traces;\"", ["TRUNCATE TABLE"])
            step("git checkout HEAD~1 -- ui/app/traces/", DeployOperations.checkout(world, paths: ["ui/app/traces/"]))
            step("docker compose build frontend", DeployOperations.build(world, .frontend))
            step("docker compose restart frontend", DeployOperations.restart(world, [.frontend]))
        case "full":
            step("docker compose down", DeployOperations.stop(world, ServiceName.allCases))
            world.cache = [:]
            step("pg_restore -c -d governance_os \(backup ?? "<latest backup>").dump", try BackupOperations.restore(db, world: world, name: backup))
            world.checkedOut = []
            step("git checkout v2.0.0", ["HEAD is now at v2.0.0"])
            step("docker compose up -d --build", DeployOperations.deployCode(world, ServiceName.allCases, version: .v2) + DeployOperations.start(world, ServiceName.allCases))
            // Every fault here is a Sprint 3 defect or a crashed container: v2.0.0, freshly started, has none.
            world.activeFaults = []
            step("curl -s http://localhost:8000/health", [Health.check(db, world: world).serialized()])
        default:
            throw ApplicationError(422, "unknown rollback plan '\(plan)' (plans: \(names.joined(separator: ", ")))")
        }
        return lines
    }
}

/// `/health`: what the checklist's curl expects.
public enum Health {
    public static func check(_ db: Database, world: World) -> JSONValue {
        guard world.isRunning(.backend) else { return .object([("status", .string("unreachable"))]) }
        return .object([("status", .string("healthy")), ("database", .string("connected"))])
    }
}
