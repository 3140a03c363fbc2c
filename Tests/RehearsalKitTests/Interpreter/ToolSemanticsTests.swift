import Testing
@testable import RehearsalKit

/// The shell, PostgreSQL clients, redis, celery, curl and the utilities, each as its
/// documentation says (docs/command-semantics.md).
@Suite struct ToolSemanticsTests {
    @Test func globThatMatchesNothingStaysLiteral() throws {
        let rig = try StackRig()
        let list = try rig.run("pg_restore --list backup_pre_sprint3_*.dump")
        #expect(list.status == 1)
        #expect(list.output == [#"pg_restore: error: could not open input file "backup_pre_sprint3_*.dump": No such file or directory"#])
        #expect(try rig.run("ls backup_*.dump").output == ["ls: cannot access 'backup_*.dump': No such file or directory"])
    }

    @Test func dateSubstitutionUsesTheVirtualClock() throws {
        let rig = try StackRig()
        try rig.run("pg_dump -Fc governance_os > backup_pre_sprint3_$(date +%Y%m%d_%H%M%S).dump")
        #expect(try rig.run("ls").output == ["backup_pre_sprint3_20260114_090000.dump"])
    }

    @Test func globMatchingTwoDumpsIsTooManyArguments() throws {
        let rig = try StackRig()
        try rig.run("pg_dump -Fc governance_os > backup_pre_sprint3_a.dump")
        try rig.run("pg_dump -Fc governance_os > backup_pre_sprint3_b.dump")
        let restore = try rig.run("pg_restore -c -d governance_os backup_pre_sprint3_*.dump")
        #expect(restore.status == 1)
        #expect(restore.output == [#"pg_restore: error: too many command-line arguments (first is "backup_pre_sprint3_b.dump")"#,
                                   #"pg_restore: hint: Try "pg_restore --help" for more information."#])
    }

    @Test func failedDumpStillLeavesTheRedirectedFile() throws {
        let rig = try StackRig()
        try rig.run("docker compose stop postgres")
        #expect(try rig.run("pg_dump -Fc governance_os > pre.dump").status == 1)
        #expect(try rig.run("ls").output == ["pre.dump"])
        try rig.run("docker compose start postgres")
        #expect(try rig.run("pg_restore --list pre.dump").output == ["pg_restore: error: input file is too short (read 0, expected 5)"])
        try rig.run("echo garbage > junk.dump")
        #expect(try rig.run("pg_restore -c -d governance_os junk.dump").output == ["pg_restore: error: input file does not appear to be a valid archive"])
    }

    @Test func pgDumpThenListShowsTheArchive() throws {
        let rig = try StackRig(code: .v2, revision: "005_add_immutability_triggers")
        #expect(try rig.run("pg_dump -Fc governance_os > pre.dump").succeeded)
        let list = try rig.run("pg_restore --list pre.dump | grep -e TRIGGER -e 'TYPE public'")
        #expect(list.output.map { String($0.split(separator: " ", maxSplits: 3).last!) } == [
            "TYPE public decision_type govos", "TYPE public evaluation_result govos", "TYPE public exception_status govos", "TYPE public policy_version_status govos",
            "TYPE public user_role govos", "TRIGGER public audit_events audit_events_immutable govos", "TRIGGER public decisions decisions_immutable govos",
            "TRIGGER public evidence_packs evidence_packs_immutable govos",
        ])
    }

    @Test func pgRestoreOverSprint3KeepsReferencedTables() throws {
        let rig = try StackRig(code: .v2, revision: "005_add_immutability_triggers")
        try rig.run("pg_dump -Fc governance_os > pre.dump")
        try rig.run("git pull && docker compose build && docker compose up -d")
        #expect(try rig.run("docker compose exec backend alembic upgrade head").succeeded)
        try rig.read { db in try db.execute(sql: "DELETE FROM evidence_packs WHERE rowid IN (SELECT rowid FROM evidence_packs LIMIT 0)") }
        let restore = try rig.run("pg_restore -c -d governance_os pre.dump")
        #expect(restore.status == 1)
        #expect(restore.output.last == "pg_restore: warning: errors ignored on restore: 19")
        #expect(restore.output.filter { $0.hasPrefix("pg_restore: error:") }.count == 19)
        #expect(restore.output.contains("DETAIL:  constraint pending_proposals_exception_id_fkey on table public.pending_proposals depends on table public.exceptions"))
        #expect(restore.warnings.first?.hasPrefix("pg_restore -c restores only what the archive holds: agent_traces, pending_proposals") == true)
        #expect(try rig.count("SELECT COUNT(*) FROM sqlite_master WHERE name IN ('pending_proposals', 'agent_traces')") == 2)
        #expect(try rig.read { db in try MigrationBookkeeping.currentRevision(db) } == "005_add_immutability_triggers")
        // --single-transaction: the first error rolls everything back.
        let before = try rig.read { db in try dataDump(db) }
        let single = try rig.run("pg_restore -1 -c -d governance_os pre.dump")
        #expect(single.status == 1)
        #expect(try rig.read { db in try dataDump(db) } == before)
        // The archive is attached only while its rows are copied: nothing is left behind that a
        // later unqualified statement could resolve to (temp holds the catalogue views).
        #expect(try rig.read { db in try String.fetchAll(db, sql: "SELECT name FROM pragma_database_list WHERE name <> 'temp' ORDER BY seq") } == ["main"])
    }

    @Test func clientsFailWhenPostgresIsDown() throws {
        let rig = try StackRig()
        try rig.run("docker compose stop postgres")
        let psql = try rig.run(#"psql "$DATABASE_URL" -c "SELECT 1""#)
        #expect(psql.status == 2)
        #expect(psql.output.first == #"psql: error: connection to server at "localhost" (127.0.0.1), port 5432 failed: Connection refused"#)
        let alembic = try rig.run("docker compose exec backend alembic current")
        #expect(alembic.status == 1)
        #expect(alembic.output.first?.contains(#"could not translate host name "postgres" to address"#) == true)
        #expect(try rig.run("curl -s http://localhost:8000/health").output == [#"{"status":"unhealthy","database":"unreachable"}"#])
    }

    @Test func psqlWithoutDatabaseConnectsToTheUsersDatabase() throws {
        let rig = try StackRig()
        let wrong = try rig.run(#"docker compose exec postgres psql -U govos -c "SELECT 1""#)
        #expect(wrong.status == 2)
        #expect(wrong.output == [#"psql: error: connection to server on socket "/var/run/postgresql/.s.PGSQL.5432" failed: FATAL:  database "govos" does not exist"#])
        #expect(try rig.run(#"docker compose exec postgres psql -U postgres -d governance_os -c "SELECT 1""#).output.first?.hasSuffix(#"FATAL:  role "postgres" does not exist"#) == true)
        let right = try rig.run(#"docker compose exec postgres psql -U govos -d governance_os -c "SELECT COUNT(*) FROM decisions""#)
        #expect(right.succeeded)
        #expect(right.output == [" count", "-------", "   135", "(1 row)"])
    }

    @Test func psqlCommandIsOneTransaction() throws {
        let rig = try StackRig()
        let result = try rig.run(#"psql "$DATABASE_URL" -c "DELETE FROM pending_proposals; SELECT * FROM no_such_table;""#)
        #expect(result.status == 1)
        #expect(result.output.first?.hasPrefix("ERROR:  ") == true)
        #expect(try rig.run(#"psql "$DATABASE_URL" -tA -c "SELECT 7""#).output == ["7"])
    }

    @Test func standardInputComesFromAFile() throws {
        let rig = try StackRig()
        try rig.run(#"echo "SELECT COUNT(*) FROM decisions;" > count.sql"#)
        #expect(try rig.run(#"psql "$DATABASE_URL" -tA < count.sql"#).output == ["135"])
        #expect(try rig.run(#"psql "$DATABASE_URL" -tA -f count.sql"#).output == ["135"])
        #expect(try rig.run("cat < missing.sql").output == ["bash: missing.sql: No such file or directory"])
    }

    @Test func curlRefusedIntoJqExitsZero() throws {
        let rig = try StackRig()
        try rig.run("docker compose stop backend")
        let piped = try rig.run("curl -s http://localhost:8000/health | jq .")
        #expect(piped.status == 0)
        #expect(piped.output == [])
        let shown = try rig.run("curl -sS http://localhost:8000/health")
        #expect(shown.status == 7)
        #expect(shown.output == ["curl: (7) Failed to connect to localhost port 8000 after 0 ms: Couldn't connect to server"])
        #expect(try rig.run(#"curl -s -o /dev/null -w "%{http_code}" http://localhost:8000/docs"#).output == ["000"])
        try rig.run("docker compose start backend")
        #expect(try rig.run("curl -s http://localhost:8000/health | jq -r .status").output == ["healthy"])
        #expect(try rig.run("curl -s http://localhost:8000/api/v1/approvals | jq .").output == ["{", #"  "detail": "Not authenticated""#, "}"])
        #expect(try rig.run("curl -sf http://localhost:8000/nope").status == 22)
    }

    @Test func grepExitStatusAndAlternation() throws {
        let rig = try StackRig()
        try rig.run(#"echo "a task failed" > log.txt"#)
        #expect(try rig.run(#"cat log.txt | grep -i "error\|FAILED""#).output == ["a task failed"])
        #expect(try rig.run(#"cat log.txt | grep "error\|exception""#).status == 1)
        #expect(try rig.run(#"cat log.txt | grep -c "nothing""#).output == ["0"])
        #expect(try rig.run("cat log.txt | grep -E 'task|x' | wc -l").output == ["1"])
    }

    @Test func flushAllEmptiesRedis() throws {
        let rig = try StackRig()
        try rig.read { db in _ = try TracesViewer.view(db, world: rig.world) }
        #expect(try rig.run("docker compose exec redis redis-cli KEYS '*'").output == [#"1) "traces:list""#])
        #expect(try rig.run("docker compose exec redis redis-cli FLUSHALL").output == ["OK"])
        #expect(try rig.run("docker compose exec redis redis-cli KEYS '*'").output == ["(empty array)"])
    }

    @Test func deadLetterQueueIsAlwaysEmpty() throws {
        let rig = try StackRig()
        try rig.read { db in
            _ = try FaultInjection.inject(rig.world, "task.expiration_fails")
            try rig.world.advance(db, by: 3600)
        }
        #expect(rig.world.expiration.failures > 0)
        let llen = try rig.run("docker compose exec redis redis-cli LLEN celery_dead_letter")
        #expect(llen.output == ["(integer) 0"])
        #expect(llen.warnings.first?.hasPrefix("celery on a redis broker keeps no dead-letter queue") == true)
    }

    @Test func revokeByNameRevokesNothing() throws {
        let rig = try StackRig()
        let revoke = try rig.run("docker compose exec backend celery -A core.celery control revoke proposal_expiration")
        #expect(revoke.output == ["->  celery@celery-worker: OK", "        tasks proposal_expiration flagged as revoked", "", "1 node online."])
        #expect(revoke.warnings.first?.hasPrefix("celery revokes task ids, not names") == true)
        let runs = rig.world.expiration.runs
        try rig.read { db in try rig.world.advance(db, by: 900) }
        #expect(rig.world.expiration.runs > runs)
        // The worker forgets revoked ids when it restarts.
        try rig.run("docker compose restart celery-worker")
        #expect(rig.world.stack.celery.revoked.isEmpty)
        try rig.run("docker compose stop celery-worker")
        let none = try rig.run("docker compose exec backend celery -A core.celery inspect registered")
        #expect(none.status == 69)
        #expect(none.output == ["Error: No nodes replied within time constraint"])
    }

    @Test func inspectScheduledNeverListsBeatEntries() throws {
        let rig = try StackRig()
        let scheduled = try rig.run("docker compose exec backend celery -A core.celery inspect scheduled")
        #expect(scheduled.output == ["->  celery@celery-worker: OK", "    - empty -", "", "1 node online."])
        #expect(try rig.run("docker compose exec backend celery -A core.celery inspect registered").output.contains("    * core.tasks.proposal_expiration.expire_pending_proposals"))
    }

    @Test func workerRunsItsOwnImagesTask() throws {
        let rig = try StackRig(code: .v2, revision: "007_add_agent_traces")
        try rig.run("git pull && docker compose build")
        let runs = rig.world.expiration.runs
        try rig.read { db in try rig.world.advance(db, by: 900) }
        #expect(rig.world.expiration.runs == runs)
        try rig.run("docker compose up -d celery-worker")
        try rig.read { db in try rig.world.advance(db, by: 900) }
        #expect(rig.world.expiration.runs > runs)
    }

    @Test func pytestRunsTheWorkingTree() throws {
        let rig = try StackRig(code: .v2, revision: "005_add_immutability_triggers")
        let before = try rig.run("pytest core/tests/ -v --tb=short")
        #expect(before.succeeded)
        #expect(before.output.contains("collected 70 items"))
        #expect(before.warnings == ["pytest ran the working tree, which is v2.0.0: Sprint 3's code and tests are not there until `git pull`"])
        try rig.run("git pull")
        _ = try FaultInjection.inject(rig.world, "mcp.bypass_approval")
        let after = try rig.run("pytest core/tests/")
        #expect(after.status == 1)
        #expect(after.output.last?.hasPrefix("======================== 3 failed, 137 passed") == true)
    }

    @Test func pythonTaskCheckRunsTheContainersCode() throws {
        let rig = try StackRig(code: .v2, revision: "007_add_agent_traces")
        let check = #"docker compose exec backend python -c "from core.tasks import proposal_expiration; print('Task registered')""#
        let old = try rig.run(check)
        #expect(old.status == 1)
        #expect(old.output.last == "ImportError: cannot import name 'proposal_expiration' from 'core.tasks' (/app/core/tasks/__init__.py)")
        try rig.run("git pull && docker compose build && docker compose up -d backend")
        #expect(try rig.run(check).output == ["Task registered"])
        let dry = #"docker compose exec backend python -c "from core.tasks import expire_pending_proposals; result = expire_pending_proposals(dry_run=True); print(f'Would expire {result} proposals')""#
        #expect(try rig.run(dry).output == ["Would expire 0 proposals"])
    }

    @Test func inspectorCallsTheTools() throws {
        let rig = try StackRig()
        let base = "npx @modelcontextprotocol/inspector --cli http://localhost:8001/mcp"
        #expect(try rig.run("\(base) --method tools/list").text.contains("\"propose_signal\""))
        let call = try rig.run("\(base) --method tools/call --tool-name propose_signal --tool-arg subject=acct-1 --tool-arg signal_type=anomaly")
        #expect(call.succeeded)
        #expect(call.text.contains(#"\"status\":\"pending_approval\""#))
        #expect(rig.world.toolResults["propose_signal"]?.createdProposal == true)
        let bad = try rig.run("\(base) --method tools/call --tool-name propose_signal --tool-arg subject=acct-1")
        #expect(bad.status == 1)
        #expect(bad.text.contains(#""isError" : true"#) || bad.text.contains(#""isError": true"#))
    }
}
