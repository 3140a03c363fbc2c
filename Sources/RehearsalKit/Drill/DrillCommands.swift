import GRDB

/// The drill prompt: the checklist's command lines through the one interpreter, SQL typed
/// directly (as in a psql session on the production database), and how long each takes.
extension DrillSession {
    static let help = """
        Type the checklist's command lines; they run on the rehearsed stack with the real tools' semantics:
          docker compose ps | logs [--since D] [--tail N] [SERVICE] | stop | start | restart | build | up -d [--build] | down | exec SERVICE CMD
          git pull | checkout REF -- PATH… | checkout TAG | log --oneline | status      alembic current | history | upgrade X | downgrade X
          psql "$DATABASE_URL" -c "…" (or SQL typed directly)     pg_dump -Fc governance_os > FILE | pg_restore --list FILE | pg_restore -c -d governance_os FILE
          curl -s http://localhost:8000/health | jq .             celery -A core.celery inspect registered|scheduled | control revoke TASK_ID
          redis-cli FLUSHALL | KEYS '*' | LLEN KEY (inside: docker compose exec redis …)    echo "NAME=value" >> .env    ls, cat, grep, head
          monitor   status   status --invariants (instructor view, -10 points)   hint (-10 points)   help   done
        """

    /// `help COMMAND`: the help lines that mention it, or what the prompt itself does.
    static func help(for topic: String) -> String {
        let own = [
            "status": "status: 7.1's dashboard, the endpoints' answers, the services and the latest log lines, as an operator sees them",
            "hint": "hint: the next hint of this drill (-10 points each)",
            "history": "history: every line typed so far, numbered",
            "clear": "clear: clears the screen (Ctrl-L too)",
            "done": "done: ends the drill and grades it (Ctrl-D asks first)",
            "monitor": "monitor: 7.1's monitoring dashboard",
        ]
        if let text = own[topic] { return text }
        let lines = help.split(separator: "\n").map(String.init).filter { $0.contains(topic) }
        return lines.isEmpty ? "no help for '\(topic)': `help` lists the commands" : lines.joined(separator: "\n")
    }

    static let sqlStarts = ["SELECT", "INSERT", "UPDATE", "DELETE", "TRUNCATE", "WITH", "BEGIN", "COMMIT", "ROLLBACK", "\\D"]

    /// Runs a line typed at the prompt; returns what the terminal shows and the virtual
    /// minutes it takes (at least one: the trainee is thinking and typing too).
    static func run(_ line: String, db: Database, world: World) throws -> (String, Int64) {
        let shell = world.shell(db)
        if sqlStarts.contains(where: { line.uppercased().hasPrefix($0) }) {
            let (result, _) = shell.runChecklistSQL(line)
            return (result.text, 1)
        }
        do {
            let result = try shell.run(line)
            var text = result.text
            if result.status != 0 && text.isEmpty { text = "(exit status \(result.status))" }
            return (text, max(1, result.seconds / 60))
        } catch let error as CommandLineError {
            return (error.description, 0)
        } catch let error as ApplicationError {
            return ("error: \(error)", 1)
        } catch let error as DatabaseError {
            return ("ERROR:  \(error.message ?? "\(error)")", 1)
        }
    }
}
