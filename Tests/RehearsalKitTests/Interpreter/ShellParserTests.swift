import Testing
@testable import RehearsalKit

/// Command lines are read as a POSIX shell reads them, for what the checklist uses; malformed
/// ones are refused with the column before anything runs.
@Suite struct ShellParserTests {
    func words(_ line: String) throws -> [[String?]] {
        try ShellParser.parse(line).lists.flatMap { [$0.first] + $0.rest.map(\.1) }.flatMap(\.commands).map { $0.words.map(\.plainText) }
    }

    @Test func quotesAndEscapesFollowPOSIX() throws {
        #expect(try words(#"grep -i "error\|exception\|failed""#) == [["grep", "-i", #"error\|exception\|failed"#]])
        #expect(try words(#"echo 'a "b" $HOME' "c\"d" e\ f"#) == [["echo", #"a "b" $HOME"#, #"c"d"#, "e f"]])
        #expect(try words("git checkout v2.0.0  # or previous tag") == [["git", "checkout", "v2.0.0"]])
    }

    @Test func aQuotedArgumentSpansLines() throws {
        let line = "docker compose exec postgres psql -U govos -c \"\n    UPDATE pending_proposals\n    SET status = 'rejected'\n    WHERE status = 'pending';\n\""
        let parsed = try words(line)
        #expect(parsed.count == 1)
        #expect(parsed[0].last == "\n    UPDATE pending_proposals\n    SET status = 'rejected'\n    WHERE status = 'pending';\n")
    }

    @Test func pipelinesListsAndRedirections() throws {
        let script = try ShellParser.parse("docker compose logs --since 1h backend 2>&1 | grep -i x && echo ok || echo no; pg_dump -Fc governance_os > b_$(date +%Y).dump")
        #expect(script.lists.count == 2)
        #expect(script.lists[0].first.commands.count == 2)
        #expect(script.lists[0].first.commands[0].redirections.map(\.kind) == [.stderrToStdout])
        #expect(script.lists[0].rest.map { $0.0 == .and } == [true, false])
        let dump = script.lists[1].first.commands[0]
        #expect(dump.redirections.map(\.kind) == [.stdout(append: false)])
        guard case .substitution("date +%Y", quoted: false)? = dump.redirections[0].target?.parts.dropFirst().first else {
            Issue.record("the file name keeps its $(…) substitution: \(String(describing: dump.redirections[0].target?.parts))")
            return
        }
    }

    @Test func malformedLinesNameTheColumn() {
        func error(_ line: String) -> String? {
            do { try ShellSession.validate(line); return nil } catch { return (error as? CommandLineError)?.message.appending(" @\((error as! CommandLineError).column)") }
        }
        #expect(error(#"psql -U govos -c "UPDATE x"#) == "unterminated double quote @18")
        #expect(error("echo 'x") == "unterminated single quote @6")
        #expect(error("echo $(date") == "unterminated $( substitution @6")
        #expect(error("kubectl get pods")?.hasPrefix("not simulated: kubectl (simulated: docker compose, git, alembic") == true)
        #expect(error("docker compose frobnicate backend") == "not simulated: docker compose frobnicate (simulated: ps, logs, stop, start, restart, build, up, down, exec, run, pull) @16")
        #expect(error("git checkout --bogus HEAD") == "git checkout: option --bogus is not simulated (options: --force --no-overlay --overlay --quiet -f -q) @14")
        #expect(error("docker compose exec backend kubectl apply") == "not simulated: kubectl (simulated: docker compose, git, alembic, psql, pg_dump, pg_restore, pg_isready, redis-cli, celery, curl, jq, grep, head, tail, wc, echo, cat, ls, date, sleep, export, true, false, pytest, python, python3, rehearse pii scan, npx) @29")
        #expect(error("sleep 5 &") == "background jobs (&) are not simulated @9")
        #expect(error("alembic upgrade +1") == nil)
        #expect(error(#"curl -s -o /dev/null -w "%{http_code}" http://localhost:8000/docs"#) == nil)
    }
}
