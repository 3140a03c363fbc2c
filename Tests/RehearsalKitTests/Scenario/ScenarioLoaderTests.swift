import Testing
@testable import RehearsalKit

/// Each kind of loading error, with its exact message, line and column.
@Suite struct ScenarioLoaderTests {
    func error(_ yaml: String) throws -> String {
        let loader = ScenarioLoader(chain: try RevisionChain.shipped())
        do {
            _ = try loader.load(text: yaml, file: "scenarios/x.yaml")
            return "loaded"
        } catch let error as ScenarioLoadError {
            return error.description
        }
    }

    let head = "name: x\nsteps:\n"

    @Test func unknownActionWithSuggestion() throws {
        #expect(try error(head + "  - migrat: {upgrade: head}\n")
            == "scenarios/x.yaml:3:5: error: unknown key 'migrat' in a step (did you mean 'migrate'?); expected one of: \(ScenarioLoader.stepKeys.joined(separator: ", "))")
    }

    /// Every bad step of a file is reported at once, each at its own line and column.
    @Test func everyBadStepIsReportedNotOnlyTheFirst() throws {
        let text = head + "  - migrat: {upgrade: head}\n  - health: true\n  - stop: {service: backend}\n  - fault: no.such_fault\n"
        let message = try error(text)
        let lines = message.split(separator: "\n").map(String.init)
        #expect(lines.count == 3, "\(message)")
        #expect(lines[0].hasPrefix("scenarios/x.yaml:3:5: error: unknown key 'migrat'"))
        #expect(lines[1] == "scenarios/x.yaml:5:11: error: stop must be a string or a list of strings, not a mapping")
        #expect(lines[2].hasPrefix("scenarios/x.yaml:6:12: error: unknown fault 'no.such_fault'"))
        let file = try makeTemporaryDirectory().appendingPathComponent("bad.yaml")
        try text.write(to: file, atomically: true, encoding: .utf8)
        let result = try runRehearse(["run", file.path])
        #expect(result.status == 2)
        #expect(result.stderr.split(separator: "\n").count == 3, "\(result.stderr)")
    }

    @Test func unknownScenarioKey() throws {
        #expect(try error("name: x\nseeed: 3\nsteps:\n  - health: true\n").hasPrefix("scenarios/x.yaml:2:1: error: unknown key 'seeed' in a scenario (did you mean 'seed'?)"))
    }

    @Test func wrongType() throws {
        #expect(try error(head + "  - stop: {service: backend}\n") == "scenarios/x.yaml:3:11: error: stop must be a string or a list of strings, not a mapping")
        #expect(try error("name: x\nseed: forty-two\nsteps:\n  - health: true\n") == "scenarios/x.yaml:2:7: error: seed must be a whole number from 0 to 18446744073709551615")
    }

    /// A seed is what `--seed` takes, 0 to 2^64 - 1; -1 wrapped to 2^64 - 1 silently before.
    @Test func seedsOutsideTheRangeAreRefusedAtTheirColumn() throws {
        for bad in ["-1", "1e30", "18446744073709551616", "2.5", "0x10"] {
            #expect(try error("name: x\nseed: \(bad)\nsteps:\n  - health: true\n") == "scenarios/x.yaml:2:7: error: seed must be a whole number from 0 to 18446744073709551615", "\(bad)")
        }
        let chain = try RevisionChain.shipped()
        let largest = try ScenarioLoader(chain: chain).load(text: "name: x\nseed: 18446744073709551615\nsteps:\n  - health: true\n", file: "x.yaml")
        #expect(largest.seed == UInt64.max)
    }

    @Test func missingField() throws {
        #expect(try error("name: x\n") == "scenarios/x.yaml:1:1: error: missing required key 'steps'")
        #expect(try error(head + "  - tool: {call: propose_signal}\n") == "scenarios/x.yaml:3:11: error: 'tool' needs 'as'")
        #expect(try error(head + "  - expect: {hold: [fk.no_orphans]}\n").hasPrefix("scenarios/x.yaml:3:5: error: a step needs one action"))
    }

    @Test func durationThatDoesNotParse() throws {
        #expect(try error(head + "  - advance: 25 hours\n") == "scenarios/x.yaml:3:14: error: advance '25 hours' is not a duration (e.g. 90s, 15m, 25h, 2d, 1h30m; at most 3650d)")
        #expect(try error(head + "  - advance: 0s\n") == "scenarios/x.yaml:3:14: error: advance '0s' moves no time; give a positive duration")
        // Digits that would overflow 64-bit seconds are refused, not a crash.
        #expect(try error(head + "  - advance: 99999999999999999999999s\n").hasSuffix("is not a duration (e.g. 90s, 15m, 25h, 2d, 1h30m; at most 3650d)"))
        #expect(try error(head + "  - advance: 3651d\n").hasSuffix("is not a duration (e.g. 90s, 15m, 25h, 2d, 1h30m; at most 3650d)"))
        #expect(try error(head + "  - advance: 1h30m\n") == "loaded")
    }

    @Test func revisionsAreNamedAsAlembicNamesThem() throws {
        let loader = ScenarioLoader(chain: try RevisionChain.shipped())
        #expect(try loader.load(text: "name: x\nrevision: head\nsteps:\n  - health: true\n", file: "x.yaml").revision == "007_add_agent_traces")
        #expect(try loader.load(text: "name: x\nrevision: base\nfixtures: none\nsteps:\n  - health: true\n", file: "x.yaml").revision == "base")
        #expect(try loader.load(text: "name: x\nrevision: \"006\"\nsteps:\n  - health: true\n", file: "x.yaml").revision == "006_add_pending_proposals")
        #expect(try error("name: x\nrevision: haed\nsteps:\n  - health: true\n") == "scenarios/x.yaml:2:11: error: unknown revision 'haed' (did you mean 'head'?)")
    }

    @Test func unknownInvariantFaultAndRevision() throws {
        #expect(try error(head + "  - health: true\n    expect: {hold: [immutability.decision]}\n")
            == "scenarios/x.yaml:4:20: error: unknown invariant 'immutability.decision' (did you mean 'immutability.decisions'?)")
        #expect(try error(head + "  - fault: mcp.bypass_aproval\n")
            == "scenarios/x.yaml:3:12: error: unknown fault 'mcp.bypass_aproval' (did you mean 'mcp.bypass_approval'?); `rehearse faults` lists them")
        #expect(try error(head + "  - migrate: {upgrade: 009_add_things}\n")
            == "scenarios/x.yaml:3:24: error: unknown revision '009_add_things'")
        #expect(try error(head + "  - migrate: {upgrade: 007_add_agent_tracez}\n")
            == "scenarios/x.yaml:3:24: error: unknown revision '007_add_agent_tracez' (did you mean '007_add_agent_traces'?)")
    }

    @Test func unknownServiceToolAndPlan() throws {
        #expect(try error(head + "  - stop: celery-workers\n").hasPrefix("scenarios/x.yaml:3:11: error: unknown service 'celery-workers' (did you mean 'celery-worker'?)"))
        #expect(try error(head + "  - tool: {call: propose_signals, as: \"agent:x\"}\n") == "scenarios/x.yaml:3:18: error: unknown tool 'propose_signals' (did you mean 'propose_signal'?)")
        #expect(try error(head + "  - rollback: F\n") == "scenarios/x.yaml:3:15: error: unknown rollback plan 'F': deployment-checklist-sprint3.md has A, B, C, D, E, full")
    }

    @Test func shellLinesAreCheckedWhereTheyStand() throws {
        #expect(try error(head + "  - shell: kubectl rollout undo deploy/x\n").hasPrefix("scenarios/x.yaml:3:12: error: not simulated: kubectl (simulated: docker compose"))
        #expect(try error(head + "  - shell: \"docker compose up -d --bild\"\n")
            == "scenarios/x.yaml:3:34: error: docker compose up: option --bild is not simulated (options: --build --detach --force-recreate --no-build --no-deps --remove-orphans --wait -d)")
        #expect(try error(head + "  - shell:\n      - git status\n      - psql -c 'SELECT 1\n") == "scenarios/x.yaml:5:17: error: unterminated single quote")
        #expect(try error(head + "  - shell: git status\n    expect: {exit: 300}\n") == "scenarios/x.yaml:4:20: error: exit must be an exit status, 0 to 255")
        #expect(try error("name: x\ncompose: {code: mounted}\nsteps:\n  - health: true\n") == "scenarios/x.yaml:2:17: error: compose code must be baked or bind, not 'mounted'")
        #expect(try error("name: x\nprose: {\"Restart API containers\": \"docker compose bounce\"}\nsteps:\n  - health: true\n")
            .hasPrefix("scenarios/x.yaml:2:35: error: not simulated: docker compose bounce"))
        #expect(try error("name: x\nchecklist: nowhere.md\nsteps:\n  - health: true\n") == "scenarios/x.yaml:2:12: error: checklist: nowhere.md:1:1: error: cannot read the checklist")
    }

    @Test func aShellStepRunsCommandLinesAndChecksTheirExitStatus() throws {
        let yaml = "name: s\ncode: sprint3\nrevision: head\nsteps:\n  - shell: git checkout HEAD~1 -- core/api/approvals.py\n    expect: {exit: 1, output: [\"error: pathspec\"]}\n"
            + "  - shell: [\"git checkout HEAD~1 -- core/main.py\", \"docker compose build backend\", \"docker compose up -d backend\"]\n    expect: {exit: 0}\n"
            + "  - shell: git checkout HEAD~1 -- nowhere/\n"
        let chain = try RevisionChain.shipped()
        let record = try ScenarioRunner(chain: chain).run(try ScenarioLoader(chain: chain).load(text: yaml, file: "s.yaml"))
        #expect(record.steps.map(\.passed) == [true, true, false])
        #expect(record.steps[2].error == "`git checkout HEAD~1 -- nowhere/` exited 1: error: pathspec 'nowhere/' did not match any file(s) known to git")
        #expect(record.steps[1].output.contains(" ✔ Container governance-os-backend-1  Recreated"))
    }

    /// 8.1's migration items read alembic_version and the schema after each upgrade step: an
    /// upgrade that was undone says so, and one the scenario never attempted is not rehearsed
    /// (outside its scope), never NO-GO.
    @Test func goNoGoMigrationItemsReadTheDatabase() throws {
        let yaml = "name: g\ncode: sprint3\nrevision: 005_add_immutability_triggers\nfixtures: small\nsteps:\n  - migrate: {upgrade: +1}\n  - migrate: {downgrade: -1}\n"
        let chain = try RevisionChain.shipped()
        let record = try ScenarioRunner(chain: chain).run(try ScenarioLoader(chain: chain).load(text: yaml, file: "g.yaml"))
        let items = Dictionary(uniqueKeysWithValues: record.goNoGo.map { ($0.item, $0) })
        #expect(items["Migration 006 successful"]?.status == .go)
        #expect(items["Migration 006 successful"]?.evidence
            == "step 1 moved alembic_version to 006 and created pending_proposals; downgraded since (alembic_version is 005_add_immutability_triggers at the end)")
        #expect(items["Migration 007 successful"]?.status == .notRehearsed)
        #expect(items["Migration 007 successful"]?.evidence == "no upgrade step reached or attempted 007")
        #expect(items["Backup created"]?.status == .notRehearsed)
    }

    /// Stopping postgres is a step like any other: the viewer then answers an error page (no
    /// PII), the endpoints fail, and the run goes on instead of stopping with the viewer's error.
    @Test func aStoppedDatabaseIsJudgedNotThrown() throws {
        let yaml = "name: down\nfixtures: small\nrevision: 007_add_agent_traces\ncode: sprint3\nsteps:\n  - stop: postgres\n    expect: {broken: [api.endpoints_healthy]}\n"
        let chain = try RevisionChain.shipped()
        let record = try ScenarioRunner(chain: chain).run(try ScenarioLoader(chain: chain).load(text: yaml, file: "down.yaml"))
        #expect(record.passed, "\(record.steps[0].expectations)")
        let viewer = record.steps[0].invariants.first { $0.info.id == "traces.viewer_no_pii" }
        #expect(viewer?.status.holds == true, "\(String(describing: viewer))")
    }

    /// A few hundred bytes of nested aliases (billion laughs) are refused at the first alias,
    /// before anything walks the expansion; ordinary aliases still work.
    @Test func aliasExpansionHasABudget() throws {
        var lines = ["name: x", "description: &a0 [lol, lol, lol, lol, lol, lol, lol, lol, lol]"]
        for i in 1...8 { lines.append("x\(i): &a\(i) [" + Array(repeating: "*a\(i - 1)", count: 9).joined(separator: ", ") + "]") }
        lines.append("steps: []")
        let text = lines.joined(separator: "\n") + "\n"
        #expect(text.utf8.count < 600)
        let chain = try RevisionChain.shipped()
        let error = #expect(throws: ScenarioLoadError.self) { try ScenarioLoader(chain: chain).load(text: text, file: "bomb.yaml") }
        #expect(error?.description == "bomb.yaml:3:10: error: YAML aliases expand to more than 100000 nodes (the loader's budget); this alias is where the expansion starts")
        let small = "name: x\ntags: &t [a, b]\nsteps:\n  - verify: [schema.revision]\n    label: \"SELECT * FROM x\"\n"
        #expect(try ScenarioLoader(chain: chain).load(text: small, file: "ok.yaml").tags == ["a", "b"])
    }

    @Test func yamlSyntaxErrorsCarryTheirPosition() throws {
        #expect(try error(head + "  - migrate: {upgrade: head\n").hasPrefix("scenarios/x.yaml:4:1: error: YAML syntax:"))
    }

    @Test func contradictoryAndDuplicateExpectations() throws {
        #expect(try error(head + "  - health: true\n    expect: {hold: [fk.no_orphans], broken: [fk.no_orphans]}\n")
            == "scenarios/x.yaml:4:13: error: invariant 'fk.no_orphans' cannot be expected both to hold and to be broken")
        #expect(try error(head + "  - health: true\n    health: true\n") == "scenarios/x.yaml:3:5: error: duplicate key 'health' in a mapping")
    }

    @Test func aValidScenarioLoadsEveryStepKind() throws {
        let yaml = """
            name: every step
            tags: [a]
            seed: 3
            fixtures: none
            start: 2026-02-01T00:00:00Z
            revision: 006
            code: sprint3
            steps:
              - baseline: pre
              - backup: b
              - restore: b
              - maintenance: on
              - stop: [celery-worker]
              - start: all
              - restart: api
              - deploy: {version: sprint3, services: [backend]}
              - build: backend
              - checkout: [mcp/]
              - env: {TRACES_VIEWER_ENABLED: "false"}
              - flush_cache: true
              - migrate: {downgrade: -1}
              - verify: [fk.no_orphans]
              - tool: {call: propose_signal, as: "agent:a", args: {subject: s, signal_type: t}}
              - approve: {as: "role:approver"}
              - reject: {proposal: "#1", as: "role:approver", notes: n}
              - approvals: pending
              - task: {run: expire_pending_proposals, dry_run: true}
              - advance: 1h30m
              - fault: worker.down
              - rollback: {plan: full, backup: b}
              - sql: SELECT 1
              - view_traces: latest
              - decide: {exception: open, type: escalate, by: "role:analyst"}
              - health: true
                expect: {returns: healthy, output: healthy, revision: 006_add_pending_proposals, sql: {"SELECT 1": 1}}
            """
        let scenario = try ScenarioLoader(chain: try RevisionChain.shipped()).load(text: yaml, file: "x.yaml")
        #expect(scenario.steps.count == 26)
        let kinds: [String] = scenario.steps.map { step in String(String(describing: step.action).prefix { $0 != "(" }) }
        #expect(Set(kinds).count == 26)
        #expect(scenario.revision == "006_add_pending_proposals")
        #expect(scenario.code == .sprint3)
        #expect(scenario.steps[13].expect.hold == ["fk.no_orphans"])
    }
}
