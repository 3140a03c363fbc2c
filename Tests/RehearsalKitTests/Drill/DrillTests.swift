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
        #expect(debrief.score == 100 && debrief.passed)
        #expect(debrief.minutesToMitigate != nil)
        // Phase by phase: the commands that stopped the damage are the containment's.
        #expect(debrief.markdown.contains("### Containment (stop the damage)\n\n- What you did: `"))
        #expect(debrief.markdown.contains("- The state: The damage stopped growing after "))
        #expect(debrief.markdown.contains("### Repair (until the invariants hold again)"))
    }

    @Test(arguments: cases)
    func theKnownBadMitigationIsGradedDown(drill: Case) throws {
        let debrief = try Self.play(drill.drill, drill.bad)
        #expect(debrief.restored == drill.badRestored)
        #expect(debrief.contained == drill.badContained)
        #expect(debrief.planMatches == drill.badPlanMatches)
        #expect(debrief.score <= 80 && !debrief.passed, "\(debrief.markdown)")
    }

    /// Grading starts from zero: `done` with nothing done fails every drill.
    @Test(arguments: cases)
    func aTraineeWhoDoesNothingFails(drill: Case) throws {
        let debrief = try Self.play(drill.drill, [])
        #expect(debrief.score == 0, "\(debrief.markdown)")
        #expect(!debrief.passed && !debrief.acted)
        #expect(debrief.markdown.contains("— FAIL (pass mark 70)"))
        #expect(debrief.markdown.contains("### Triage (from the page to the first change)\n\n- What you did: nothing\n- The state: At the page ("))
        #expect(!debrief.markdown.contains("### Containment"), "nothing changed: no phase after triage")
    }

    /// Following 6.1 where the drill's better answer differs is not marked wrong: the debrief
    /// explains the difference.
    @Test func aTraineeFollowingTheDecisionTreeIsNotMarkedWrong() throws {
        let debrief = try Self.play("drill-stale-cache", Self.planE)
        #expect(debrief.planMatches && debrief.restored && debrief.passed, "\(debrief.markdown)")
        #expect(debrief.plansUsed == ["E"])
        #expect(debrief.markdown.contains("- 6.1's decision tree says: plan E — 6.1 sends any PII on /traces to plan E"))
    }

    /// What no plan of the checklist removes (signals written through the bypass) is the
    /// checklist's, not the trainee's.
    @Test func whatNoPlanRepairsIsTheChecklistsNotTheTrainees() throws {
        let debrief = try Self.play("drill-mcp-bypass", Self.cases[2].good)
        #expect(debrief.stillBroken == ["approvals.gate_enforced"])
        #expect(debrief.attribution["approvals.gate_enforced"]?.hasPrefix("the checklist's: its plan C, as corrected, leaves it broken too") == true)
        #expect(debrief.passed && debrief.score == 100)
        #expect(debrief.markdown.contains("## Still broken at the end\n\n- `approvals.gate_enforced`: the checklist's"))
        // The debrief teaches: the best response, the holes of the plan as written, follow-ups.
        #expect(debrief.markdown.contains("## The best response and why\n\nPlan C of the corrected checklist"))
        #expect(debrief.markdown.contains("- The best response: Read the symptoms (`status`, the logs, the endpoints) and find 6.1's row: \"MCP tools bypassing approval\" → plan C."))
        #expect(debrief.markdown.contains("- The best response: Stop the source first: `docker compose stop mcp-server`."))
        #expect(debrief.markdown.contains("- `docker compose exec postgres psql -U govos -d governance_os -c \" UPDATE pending_proposals SET status = 'rejected',"))
        #expect(debrief.markdown.contains("## The checklist's holes this incident exposes\n\nPlan C as written, rehearsed from the page:"))
        #expect(debrief.markdown.contains("database \"govos\" does not exist"))
        #expect(debrief.markdown.contains("## Follow-ups\n\n- `approvals.gate_enforced`: no plan of the checklist repairs it"))
    }

    /// A harmful trainee: a downgrade that breaks the API and the deploy order, left broken.
    @Test func aHarmfulCommandIsNamedAndCostsPoints() throws {
        let debrief = try Self.play("drill-trigger-dropped", Self.cases[5].bad)
        #expect(debrief.worseningCommands == ["alembic downgrade 005_add_immutability_triggers"])
        #expect(debrief.attribution["api.endpoints_healthy"] == "broken by your command `alembic downgrade 005_add_immutability_triggers`")
        #expect(!debrief.passed)
        #expect(debrief.points.contains { $0.criterion.hasPrefix("Commands that made things worse") && $0.earned == -5 })
    }

    /// A command that changed nothing never made things worse, even while the fault does
    /// damage during the minutes it takes; and time to mitigate runs from the page.
    @Test func aCommandThatChangedNothingNeverMadeThingsWorse() throws {
        let debrief = try Self.play("drill-worker-down", ["alembic upgrade head", "SELECT 1"] + Self.cases[6].good)
        #expect(debrief.worseningCommands == [])
        #expect(debrief.passed)
        let bypass = try Self.play("drill-mcp-bypass", ["SELECT COUNT(*) FROM signals", "docker compose ps", "SELECT 1"])
        #expect(bypass.worseningCommands == [] && !bypass.acted && bypass.score == 0)
        let mitigated = try #require(try Self.play("drill-worker-down", Self.cases[6].good).minutesToMitigate)
        #expect(mitigated > 0, "the page is minute 0; the worker is started by the second command")
    }

    /// `status` shows what an operator sees, not the answer; the instructor's view costs points.
    @Test func statusShowsSymptomsAndTheInstructorsViewCostsPoints() throws {
        let chain = try RevisionChain.shipped()
        let scenario = try ScenarioLoader(chain: chain).load(path: ShippedResources.scenariosDirectory + "/drills/drill-migration-failed.yaml")
        let session = try DrillSession(scenario: scenario, chain: chain)
        let status = try session.execute("status")
        #expect(status.contains("Endpoints:") && status.contains("GET /health → "))
        // Log lines carry their virtual time and one level prefix (alembic's own INFO is the level).
        #expect(status.contains("  backend  | 2026-01-14T09:00:00Z INFO [alembic.runtime.migration] Running upgrade 005_add_immutability_triggers"), "\(status)")
        #expect(!status.contains("INFO INFO"))
        for id in InvariantCatalog.standard.ids { #expect(!status.contains(id), "\(id) in status") }
        // Logs may show what alembic ran (an operator sees that); never the revision to go back to.
        #expect(!status.contains("expected 005_add_immutability_triggers") && !status.contains("expected revision"), "the target revision gives the answer away")
        #expect(!(try session.briefing()).contains("schema.revision"))
        #expect(try session.briefing().contains("Pass mark: 70/100"))
        let instructor = try session.execute("status --invariants")
        #expect(instructor.hasPrefix("(instructor view, -10 points)") && instructor.contains("schema.revision"))
        for command in Self.cases[0].good { _ = try session.execute(command) }
        _ = try session.execute("done")
        #expect(session.lastDebrief?.score == 90)
        #expect(session.lastDebrief?.points.contains { $0.criterion == "`status --invariants` (-10 each)" && $0.earned == -10 } == true)
    }

    /// A drill is a scenario too: its set-up steps expect the failures they cause, so
    /// `rehearse run` replays every drill file green under the strict rule.
    @Test func everyDrillPassesAsAScenario() throws {
        let result = try runRehearse(["run", "scenarios/drills"], currentDirectory: packageRoot)
        #expect(result.status == 0, "\(result.stdout)")
        #expect(result.stdout.hasSuffix("8 scenarios, 39 steps: 8 passed, 0 failed\n"))
    }

    @Test func theDrillListShowsPagesNotAnswers() throws {
        let list = try runRehearse(["drill", "--list"]).stdout
        #expect(list.contains("drill-mcp-bypass  Security: signals created by agent:triage-bot with no approved proposal."))
        #expect(!list.contains("MCP tools bypass the approval gate"), "the title names the incident the debrief reveals")
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
        #expect(result.stdout.contains("- Score: **100/100** — PASS (pass mark 70)"))
        // A restart changes nothing: nothing done, nothing earned.
        let piped = try runRehearse(["drill", "--incident", "drill-api-broken"], stdin: "docker compose restart backend\ndone\n")
        #expect(piped.stdout.contains("- Score: **0/100** — FAIL (pass mark 70)"))
        #expect(try runRehearse(["drill", "--incident", "drill-api-brokn"]).stderr.contains("(did you mean 'drill-api-broken'?)"))
    }

    @Test func aDrillFileOfOnesOwnIsPlayedByPathAndAMissingScriptIsInvalidInput() throws {
        let own = try makeTemporaryDirectory().appendingPathComponent("my-drill.yaml")
        try FileManager.default.copyItem(atPath: packageRoot.appendingPathComponent("scenarios/drills/drill-api-broken.yaml").path, toPath: own.path)
        let played = try runRehearse(["drill", "--incident", own.path], stdin: "docker compose restart backend\r\ndone\r\n")
        #expect(played.status == 0)
        #expect(played.stdout.contains("- Score: **0/100** — FAIL (pass mark 70)"))
        let notADrill = try runRehearse(["drill", "--incident", packageRoot.appendingPathComponent("scenarios/01-happy-path-deploy.yaml").path])
        #expect(notADrill.status == 2)
        #expect(notADrill.stderr.hasSuffix("01-happy-path-deploy.yaml:1:1: error: not a drill: it has no 'incident' section\n"))
        let missing = try runRehearse(["drill", "--incident", "drill-api-broken", "--script", "/nonexistent/script.txt"])
        #expect(missing.status == 2)
        #expect(missing.stderr == "/nonexistent/script.txt: error: cannot read the script file\n")
    }
}
