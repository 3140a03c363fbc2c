import Foundation
import Testing
@testable import RehearsalKit

/// The interactive prompt, used as a person would: in a real terminal under tmux, keys sent
/// with send-keys, the screen read with capture-pane. `.ci/run` installs tmux.
@Suite(.enabled(if: OptionalTool.has("tmux"), "needs tmux on PATH (apt-get install tmux; .ci/run installs it)"))
struct DrillPromptTmuxTests {
    /// One tmux session per test (each test gets its own suite value), so tests can run at once.
    let session = "rehearse-drill-\(ProcessInfo.processInfo.processIdentifier)-\(UUID().uuidString.prefix(8))"

    @discardableResult
    func tmux(_ arguments: [String]) throws -> String {
        try ChildProcess.run(OptionalTool.path("tmux") ?? "/usr/bin/tmux", arguments, timeout: 60).stdout
    }

    /// Polls the pane until `text` shows (the program runs at its own pace).
    func waitFor(_ text: String, timeout: Double = 20) throws -> String {
        var screen = ""
        for _ in 0..<Int(timeout * 10) {
            screen = try tmux(["capture-pane", "-p", "-J", "-S", "-500", "-t", session])
            if screen.contains(text) { return screen }
            Thread.sleep(forTimeInterval: 0.1)
        }
        return screen
    }

    @Test func aTraineeMitigatesAtThePrompt() throws {
        let binary = packageRoot.appendingPathComponent(".build/debug/rehearse").path
        try tmux(["new-session", "-d", "-s", session, "-x", "200", "-y", "50", "\(binary) drill --incident drill-worker-down; sleep 30"])
        defer { _ = try? tmux(["kill-session", "-t", session]) }
        var screen = try waitFor("drill> ")
        #expect(screen.contains("PAGE 2026-01-15T11:00:00Z: Pending proposals > 24h: 1"))
        try tmux(["send-keys", "-t", session, "status", "Enter"])
        screen = try waitFor("Endpoints:")
        #expect(screen.contains("celery-worker DOWN"))
        #expect(!screen.contains("tasks.expiration_healthy"), "status shows symptoms, not invariant ids")
        try tmux(["send-keys", "-t", session, "kubectl get pods", "Enter"])
        screen = try waitFor("not simulated: kubectl")
        #expect(screen.contains("rehearse: not simulated: kubectl (simulated: docker compose, git"))
        for keys in ["docker compose start celery-worker",
                     "docker compose exec backend python -c \"from core.tasks import expire_pending_proposals; expire_pending_proposals(dry_run=False)\"", "done"] {
            try tmux(["send-keys", "-t", session, keys, "Enter"])
        }
        screen = try waitFor("Score:")
        #expect(screen.contains("Drill debrief: The celery worker crashed"))
        #expect(screen.contains("- Score: 100/100 — PASS (pass mark 70)"))
    }

    /// Arrow keys edit the line, Up recalls it, Ctrl-D asks before grading, and the record
    /// (the Markdown debrief) holds the commands as seen, never an escape code.
    @Test func arrowKeysEditTheLineAndTheRecordHasNoEscapeCodes() throws {
        let binary = packageRoot.appendingPathComponent(".build/debug/rehearse").path
        let debrief = try makeTemporaryDirectory().appendingPathComponent("debrief.md").path
        try tmux(["new-session", "-d", "-s", session, "-x", "200", "-y", "50", "\(binary) drill --incident drill-worker-down --debrief \(debrief); sleep 30"])
        defer { _ = try? tmux(["kill-session", "-t", session]) }
        _ = try waitFor("drill> ")
        try tmux(["send-keys", "-t", session, "-l", "docker compose logs celery-workr"])
        try tmux(["send-keys", "-t", session, "Left"])
        try tmux(["send-keys", "-t", session, "-l", "e"])
        try tmux(["send-keys", "-t", session, "Enter"])
        var screen = try waitFor("CRITICAL worker exited")
        #expect(screen.contains("CRITICAL worker exited"))
        // Up recalls the line; Home and a typed word edit it at the start.
        try tmux(["send-keys", "-t", session, "Up", "Home"])
        try tmux(["send-keys", "-t", session, "-l", "  "])
        try tmux(["send-keys", "-t", session, "Enter", "C-d"])
        screen = try waitFor("grade it now?")
        #expect(screen.contains("End the drill and grade it now? [y/N]"))
        try tmux(["send-keys", "-t", session, "y"])
        screen = try waitFor("Score:")
        #expect(screen.contains("Drill debrief: The celery worker crashed\n===="), "the debrief reads as text on a terminal")
        let record = try String(contentsOfFile: debrief, encoding: .utf8)
        #expect(record.contains("`docker compose logs celery-worker`"))
        #expect(!record.contains("\u{1B}") && !record.contains("^[["), "no escape codes in the record")
        #expect(record.contains("- Score: **"))
    }
}
