import Testing
@testable import RehearsalKit

/// The prompt's line editor, key by key: what the trainee sees is what is recorded.
@Suite struct LineEditingTests {
    func type(_ text: String, into editor: inout LineEditing) {
        for character in text { _ = editor.press(.character(character)) }
    }

    @Test func arrowsHomeEndAndKillsEditInPlace() {
        var editor = LineEditing()
        type("docker compose logs celery-workr", into: &editor)
        _ = editor.press(.left)
        type("e", into: &editor)
        #expect(editor.line == "docker compose logs celery-worker")
        _ = editor.press(.home)
        _ = editor.press(.delete)
        type("D", into: &editor)
        _ = editor.press(.end)
        _ = editor.press(.killWord)
        #expect(editor.line == "Docker compose logs ")
        _ = editor.press(.home)
        _ = editor.press(.right)
        _ = editor.press(.killToEnd)
        #expect(editor.line == "D")
        type("x", into: &editor)
        _ = editor.press(.left)
        _ = editor.press(.killToStart)
        #expect(editor.line == "x" && editor.cursor == 0)
        _ = editor.press(.interrupt)
        #expect(editor.line.isEmpty)
    }

    @Test func historyRecallsLinesAndKeepsTheDraft() {
        var editor = LineEditing()
        type("alembic current", into: &editor)
        #expect(editor.press(.enter) == .submit("alembic current"))
        type("docker compose ps", into: &editor)
        #expect(editor.press(.enter) == .submit("docker compose ps"))
        type("SELECT 1", into: &editor)
        #expect(editor.press(.enter) == .submit("SELECT 1"))
        _ = editor.press(.enter)  // an empty line is not history
        #expect(editor.history == ["alembic current", "docker compose ps", "SELECT 1"])
        type("dra", into: &editor)
        _ = editor.press(.up)
        #expect(editor.line == "SELECT 1")
        _ = editor.press(.up)
        _ = editor.press(.up)
        _ = editor.press(.up)
        #expect(editor.line == "alembic current")
        _ = editor.press(.down)
        #expect(editor.line == "docker compose ps")
        _ = editor.press(.down)
        _ = editor.press(.down)
        #expect(editor.line == "dra", "past the newest entry the draft comes back")
    }

    @Test func reverseSearchFindsAndRunsAnEarlierLine() {
        var editor = LineEditing(history: ["docker compose logs celery-worker", "alembic current", "docker compose ps"])
        _ = editor.press(.reverseSearch)
        type("logs", into: &editor)
        #expect(editor.display == "(reverse-i-search)`logs': docker compose logs celery-worker")
        #expect(editor.press(.enter) == .submit("docker compose logs celery-worker"))
        // The line run again is the newest entry now, as in a shell.
        _ = editor.press(.reverseSearch)
        type("docker", into: &editor)
        #expect(editor.line == "docker compose logs celery-worker")
        _ = editor.press(.reverseSearch)
        #expect(editor.line == "docker compose ps", "Ctrl-R again looks further back")
    }

    @Test func ctrlDOnAnEmptyLineAsksAndOtherwiseDeletes() {
        var editor = LineEditing()
        #expect(editor.press(.endOfInput) == .endOfInput)
        type("ab", into: &editor)
        _ = editor.press(.left)
        #expect(editor.press(.endOfInput) == .editing)
        #expect(editor.line == "a")
        #expect(editor.press(.clearScreen) == .clearScreen)
    }

    @Test func theDebriefReadsAsTextOnATerminal() {
        let text = DebriefText.plain("# Drill debrief: X\n\n- Score: **40/100** — FAIL\n\n| Criterion | Points |\n|---|---|\n| Repaired | 0 / 35 |\n| `status --invariants` (-10 each) | -10 |\n")
        #expect(text == "Drill debrief: X\n================\n\n- Score: 40/100 — FAIL\n\nCriterion                       Points\nRepaired                        0 / 35\nstatus --invariants (-10 each)  -10\n")
    }
}
