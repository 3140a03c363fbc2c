/// The one table that turns the checklist's prose into command lines: the 3.1 steps that name
/// no command ("Enable maintenance mode", "Deploy new code (git pull/docker pull)", "Restart API
/// containers"), the 4.5 tool tests, the 4.6 viewer checks, 6.6's "Add … to environment", the
/// smoke tests. Documented in docs/checklist.md with the reason for each choice; a scenario
/// (`prose:`) or `rehearse checklist --prose 'TEXT=COMMAND'` overrides an entry, so a
/// rehearsal can show step 8 done with `docker compose restart` instead of `up -d`.
public struct ProseCommands: Sendable {
    /// Entries by the prose's leading words, lowercased: the command lines it stands for, or
    /// nil where the checklist asks for something outside the rehearsed stack (staging).
    public var entries: [(prefix: String, commands: [String]?)]

    public static let standard = ProseCommands(entries: [
        ("enable maintenance mode", ["docker compose exec redis redis-cli SET maintenance_mode on"]),
        ("disable maintenance mode", ["docker compose exec redis redis-cli DEL maintenance_mode"]),
        ("stop background workers", ["docker compose stop celery-worker"]),
        ("start background workers", ["docker compose start celery-worker"]),
        // The backend must run the new image before 3.2 runs alembic inside it (docs/checklist.md).
        ("deploy new code", ["git pull", "docker compose build", "docker compose up -d --no-deps backend"]),
        ("restart api containers", ["docker compose up -d"]),
        ("test propose_signal", [inspector("propose_signal", ["subject=acct-deploy-check", "signal_type=anomaly"])]),
        ("test propose_policy_draft", [inspector("propose_policy_draft", ["policy=first", #"rules={"rules":[{"id":"r1","pointer":"/amount","op":"gt","value":10000,"outcome":"needs_review"}]}"#])]),
        ("test dismiss_exception", [inspector("dismiss_exception", ["exception=open", "reason=deploy check"])]),
        ("open http://localhost:3000/traces", ["curl -s -o /dev/null -w \"%{http_code}\" http://localhost:3000/traces"]),
        ("input summary display", ["curl -s http://localhost:3000/traces/latest | rehearse pii scan"]),
        ("output summary display", ["curl -s http://localhost:3000/traces/latest | rehearse pii scan"]),
        ("tool call arguments", ["curl -s http://localhost:3000/traces/latest | rehearse pii scan"]),
        ("user email addresses", ["curl -s http://localhost:3000/traces | rehearse pii scan"]),
        ("user full names", ["curl -s http://localhost:3000/traces | rehearse pii scan"]),
        ("account numbers", ["curl -s http://localhost:3000/traces | rehearse pii scan"]),
        ("authentication tokens", ["curl -s http://localhost:3000/traces | rehearse pii scan"]),
        ("any payload marked as sensitive", ["curl -s http://localhost:3000/traces | rehearse pii scan"]),
        ("run expiration task", ["docker compose exec backend python -c \"from core.tasks import expire_pending_proposals; expire_pending_proposals()\""]),
        ("run smoke tests", ["curl -sf -o /dev/null http://localhost:8000/health", "curl -sf -o /dev/null http://localhost:8000/api/v1/stats"]),
        ("deploy sprint 3 to staging", nil), ("run staging smoke tests", nil), ("verify new tables exist on staging", nil),
        ("test mcp tools on staging", nil), ("verify traces viewer does not expose pii on staging", nil),
    ])

    static func inspector(_ tool: String, _ arguments: [String]) -> String {
        "npx @modelcontextprotocol/inspector --cli http://localhost:8001/mcp --method tools/call --tool-name \(tool) "
            + arguments.map { "--tool-arg '\($0)'" }.joined(separator: " ")
    }

    /// The command lines for a piece of prose; `[]` (found, nothing to run) is never returned:
    /// nil means unknown, `.some(nil)` means deliberately not rehearsed.
    public func commands(for prose: String) -> [String]?? {
        let key = normalize(prose)
        // 6.6's `Add "NAME=value" to environment`: an edit of compose's environment file.
        if key.hasPrefix("add "), key.hasSuffix(" to environment") {
            let assignment = prose.drop { $0 != "\"" && $0 != "'" }.dropFirst().prefix { $0 != "\"" && $0 != "'" }
            if assignment.contains("=") { return .some(["echo \"\(assignment)\" >> .env"]) }
        }
        for entry in entries where key.hasPrefix(entry.prefix) { return .some(entry.commands) }
        return nil
    }

    func normalize(_ text: String) -> String {
        text.lowercased().split(whereSeparator: \.isWhitespace).joined(separator: " ")
    }

    /// This table with `overrides` (prose prefix → command lines) taking precedence.
    public func overriding(_ overrides: [(String, [String])]) -> ProseCommands {
        ProseCommands(entries: overrides.map { (normalize($0.0), Optional($0.1)) } + entries)
    }
}
