import Foundation
import Testing
@testable import RehearsalKit

/// Each drill has a known-good and a known-bad mitigation, and their grades are asserted.
@Suite struct DrillTests {
    struct Case: Sendable, CustomStringConvertible {
        var drill: String
        var good: [String]
        var bad: [String]
        /// The bad mitigation's failing grades.
        var badRestored: Bool
        var badContained: Bool
        /// Plan A followed literally is the right plan, wrongly applied.
        var badPlanMatches = false
        var description: String { drill }
    }

    static let reject = "docker compose exec postgres psql -U govos -d governance_os -c \"UPDATE pending_proposals SET status = 'rejected', review_notes = 'Emergency rollback - approval gate failure' WHERE status = 'pending';\""
    static let expireNow = "docker compose exec backend python -c \"from core.tasks import expire_pending_proposals; expire_pending_proposals(dry_run=False)\""
    /// Plan E and the full rollback as the corrected checklist writes them (the originals fail:
    /// docs/checklist.md).
    static let planE = ["echo \"TRACES_VIEWER_ENABLED=false\" >> .env", "docker compose up -d frontend", "docker compose exec redis redis-cli FLUSHALL",
                        "psql \"$DATABASE_URL\" -c \"TRUNCATE agent_traces;\""]
    static let planEAsWritten = ["echo \"TRACES_VIEWER_ENABLED=false\" >> .env", "docker compose restart frontend", "docker compose exec redis redis-cli FLUSHALL",
                                 "docker compose exec postgres psql -U govos -c \"TRUNCATE agent_traces;\"", "git checkout HEAD~1 -- ui/app/traces/",
                                 "docker compose build frontend", "docker compose restart frontend"]
    static let full = ["docker compose exec redis redis-cli SET maintenance_mode on", "docker compose stop backend celery-worker mcp-server frontend",
                       "docker compose run --rm backend alembic downgrade 005_add_immutability_triggers", "pg_restore -c -d governance_os pre_sprint3.dump",
                       "git checkout v2.0.0", "docker compose up -d --build", "docker compose exec redis redis-cli DEL maintenance_mode"]

    static let cases: [Case] = [
        Case(drill: "drill-migration-failed", good: ["alembic current", "alembic downgrade -1"], bad: ["alembic downgrade -1", "alembic downgrade -1"], badRestored: false, badContained: true, badPlanMatches: true),
        Case(drill: "drill-api-broken", good: ["curl -s http://localhost:8000/api/v1/approvals", "git checkout HEAD~1 -- core/main.py", "docker compose build backend", "docker compose up -d backend"],
             bad: ["docker compose restart backend"], badRestored: false, badContained: true),
        Case(drill: "drill-mcp-bypass", good: ["docker compose stop mcp-server", reject, "git checkout HEAD~1 -- mcp/", "docker compose build mcp-server", "docker compose up -d mcp-server"],
             bad: [reject], badRestored: true, badContained: false),
        Case(drill: "drill-expiration-task", good: ["docker compose logs celery-worker", "docker compose stop celery-worker", "git checkout HEAD~1 -- core/celery.py",
                                                    "docker compose build backend", "docker compose up -d celery-worker",
                                                    "psql \"$DATABASE_URL\" -c \"UPDATE pending_proposals SET status = 'expired' WHERE status = 'pending' AND expires_at <= NOW();\""],
             // The restarted worker runs the same failing task; within the half-hour soak no new
             // proposal falls overdue, so the damage does not grow (contained) but nothing is repaired.
             bad: ["docker compose restart celery-worker"], badRestored: false, badContained: true),
        Case(drill: "drill-pii-viewer", good: planE, bad: planEAsWritten, badRestored: false, badContained: false, badPlanMatches: true),
        Case(drill: "drill-trigger-dropped", good: ["SELECT tgname FROM pg_trigger WHERE tgname LIKE '%_immutable'"] + full,
             bad: ["alembic downgrade 005_add_immutability_triggers"], badRestored: false, badContained: true),
        Case(drill: "drill-worker-down", good: ["docker compose logs celery-worker", "docker compose start celery-worker", expireNow],
             bad: ["docker compose down", "pg_restore -c -d governance_os nightly.dump", "git checkout v2.0.0", "docker compose up -d --build"], badRestored: false, badContained: true),
        // Restarting redis keeps its keys (the image's snapshot persistence): nothing new leaks
        // with the viewer down, but the cached pages are still there.
        Case(drill: "drill-stale-cache", good: ["docker compose exec redis redis-cli KEYS '*'", "docker compose exec redis redis-cli FLUSHALL"], bad: ["docker compose restart redis"],
             badRestored: false, badContained: true, badPlanMatches: true),
    ]

    static func play(_ drill: String, _ commands: [String]) throws -> DrillDebrief {
        let chain = try RevisionChain.shipped()
        let scenario = try ScenarioLoader(chain: chain).load(path: ShippedResources.scenariosDirectory + "/drills/\(drill).yaml")
        let session = try DrillSession(scenario: scenario, chain: chain)
        for command in commands { _ = try session.execute(command) }
        _ = try session.execute("done")
        return session.lastDebrief!
    }

    @Test(arguments: cases)
    func theKnownGoodMitigationScoresFullMarks(drill: Case) throws {
        let debrief = try Self.play(drill.drill, drill.good)
        #expect(debrief.restored && debrief.contained && debrief.planMatches, "\(debrief.markdown)")
        #expect(debrief.worseningCommands == [])
        #expect(debrief.lostRows.isEmpty)
        #expect(debrief.score == 100)
        #expect(debrief.minutesToMitigate != nil)
    }

    @Test(arguments: cases)
    func theKnownBadMitigationIsGradedDown(drill: Case) throws {
        let debrief = try Self.play(drill.drill, drill.bad)
        #expect(debrief.restored == drill.badRestored)
        #expect(debrief.contained == drill.badContained)
        #expect(debrief.planMatches == drill.badPlanMatches)
        #expect(debrief.score <= 80)
    }

    @Test func everyRollbackPlanAndTwoNoRollbackAnswersHaveADrill() throws {
        let chain = try RevisionChain.shipped()
        let plans = try Self.cases.map { try ScenarioLoader(chain: chain).load(path: ShippedResources.scenariosDirectory + "/drills/\($0.drill).yaml").incident!.plan }
        #expect(Set(plans).isSuperset(of: try ChecklistParser.shipped().planIds))
        #expect(plans.filter { $0 == "none" }.count >= 2)
    }

    @Test func hintsCostPointsAndUnknownCommandsGetAMessage() throws {
        let chain = try RevisionChain.shipped()
        let scenario = try ScenarioLoader(chain: chain).load(path: ShippedResources.scenariosDirectory + "/drills/drill-worker-down.yaml")
        let session = try DrillSession(scenario: scenario, chain: chain)
        #expect(try session.briefing().contains("| Pending proposals > 24h | 1 | Any count > 0 | ALERT |"))
        #expect(try session.execute("kubectl get pods").hasPrefix("rehearse: not simulated: kubectl (simulated: docker compose, git, alembic"))
        #expect(try session.execute("hint").hasPrefix("Hint 1 (-10 points): "))
        #expect(try session.execute("docker compose logs celery-worker").contains("CRITICAL worker exited"))
        // `ps` lists running containers only; `-a` shows the crashed worker too (docker compose ps).
        #expect(!(try session.execute("docker compose ps")).contains("celery-worker"))
        let ps = try session.execute("docker compose ps -a")
        #expect(ps.contains("governance-os-celery-worker-1     governance-os-backend             celery-worker   Exited (137)"))
        #expect(ps.contains("governance-os-backend-1           governance-os-backend             backend         Up"))
        for command in DrillTests.cases[6].good.dropFirst() { _ = try session.execute(command) }
        _ = try session.execute("done")
        #expect(session.lastDebrief?.hintsUsed == 1)
        #expect(session.lastDebrief?.score == 90)
        #expect(session.lastDebrief?.markdown.contains("| 2026-01-15T11:00:00Z | `kubectl get pods` |") == true)
    }

    /// 7.1's dashboard shows only what the world computes: the error rate follows the backend,
    /// the clients follow the containers, and rows the world has no figure for say so.
    @Test func theMonitoringDashboardShowsOnlyComputedFigures() throws {
        let chain = try RevisionChain.shipped()
        let scenario = try ScenarioLoader(chain: chain).load(path: ShippedResources.scenariosDirectory + "/drills/drill-worker-down.yaml")
        let session = try DrillSession(scenario: scenario, chain: chain)
        let before = try session.execute("monitor")
        #expect(before.contains("| API latency p99 | — | > 500ms for 5 min | not simulated |"))
        #expect(before.contains("| Database connections | clients: backend, mcp-server | > 80% pool | not simulated |"))
        #expect(before.contains("| API error rate | 0% | > 1% for 5 min | ok |"))
        _ = try session.execute("docker compose stop backend")
        let after = try session.execute("monitor")
        #expect(after.contains("| API error rate | 100% | > 1% for 5 min | ALERT |"))
        #expect(after.contains("| Database connections | clients: mcp-server | > 80% pool | not simulated |"))
        #expect(!after.contains("ms |"))
    }

    @Test func theDamageContinuesWhileTheFaultIsNotContained() throws {
        let chain = try RevisionChain.shipped()
        let scenario = try ScenarioLoader(chain: chain).load(path: ShippedResources.scenariosDirectory + "/drills/drill-mcp-bypass.yaml")
        let session = try DrillSession(scenario: scenario, chain: chain)
        let before = try session.damage()
        _ = try session.execute("docker compose logs --tail 5 mcp-server")
        for _ in 0..<10 { _ = try session.execute("SELECT COUNT(*) FROM signals WHERE created_by LIKE 'agent:%'") }
        #expect(try session.damage() > before)
    }

    @Test func aScriptedDrillRunsNonInteractivelyThroughTheBinary() throws {
        let script = try makeTemporaryDirectory().appendingPathComponent("good.txt")
        try Self.cases[1].good.joined(separator: "\n").write(to: script, atomically: true, encoding: .utf8)
        let result = try runRehearse(["drill", "--incident", "drill-api-broken", "--script", script.path])
        #expect(result.status == 0)
        #expect(result.stdout.contains("drill> docker compose up -d backend"))
        #expect(result.stdout.contains("- Score: **100/100**"))
        let piped = try runRehearse(["drill", "--incident", "drill-api-broken"], stdin: "docker compose restart backend\ndone\n")
        #expect(piped.stdout.contains("- Score: **40/100**"))
        #expect(try runRehearse(["drill", "--incident", "drill-api-brokn"]).stderr.contains("(did you mean 'drill-api-broken'?)"))
    }

    @Test func aDrillFileOfOnesOwnIsPlayedByPathAndAMissingScriptIsInvalidInput() throws {
        let own = try makeTemporaryDirectory().appendingPathComponent("my-drill.yaml")
        try FileManager.default.copyItem(atPath: packageRoot.appendingPathComponent("scenarios/drills/drill-api-broken.yaml").path, toPath: own.path)
        let played = try runRehearse(["drill", "--incident", own.path], stdin: "docker compose restart backend\r\ndone\r\n")
        #expect(played.status == 0)
        #expect(played.stdout.contains("- Score: **40/100**"))
        let notADrill = try runRehearse(["drill", "--incident", packageRoot.appendingPathComponent("scenarios/01-happy-path-deploy.yaml").path])
        #expect(notADrill.status == 2)
        #expect(notADrill.stderr.hasSuffix("01-happy-path-deploy.yaml:1:1: error: not a drill: it has no 'incident' section\n"))
        let missing = try runRehearse(["drill", "--incident", "drill-api-broken", "--script", "/nonexistent/script.txt"])
        #expect(missing.status == 2)
        #expect(missing.stderr == "/nonexistent/script.txt: error: cannot read the script file\n")
    }
}
