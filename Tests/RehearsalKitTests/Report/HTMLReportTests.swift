import Foundation
import Testing
@testable import RehearsalKit

/// `rehearse run --format html`: one self-contained page, an invariant × step matrix per
/// scenario whose broken cells link to their evidence, readable at 1280×800 in a real browser.
@Suite(.serialized) struct HTMLReportTests {
    static func libraryReport() throws -> (URL, String) {
        let output = try makeTemporaryDirectory().appendingPathComponent("report.html")
        let result = try runRehearse(["run", "--format", "html", "--output", output.path], currentDirectory: packageRoot)
        #expect(result.status == 0, "\(result.stderr)")
        return (output, try String(contentsOf: output, encoding: .utf8))
    }

    @Test func theReportIsOneSelfContainedPage() throws {
        let (_, html) = try Self.libraryReport()
        #expect(html.hasPrefix("<!DOCTYPE html>"))
        // Nothing from anywhere else: no script, stylesheet link, image, font or URL.
        for forbidden in ["<script", "<link", "<img", "<iframe", "<object", "src=", "url(", "@import", "@font-face", "href=\"http", "href=\"//"] {
            #expect(!html.contains(forbidden), "found \(forbidden)")
        }
        // Every link stays in the page.
        #expect(html.matches(of: /href="([^"#][^"]*)"/).isEmpty)
        #expect(html.components(separatedBy: "<table class=\"matrix\">").count - 1 == 31)
        #expect(html.contains("<p class=\"verdict nogo\">Verdict: <strong>NO-GO</strong></p>"))
        // Every cell has a symbol as well as a colour (greyscale), and every broken cell's link
        // reaches an evidence block.
        for cell in ["<td class=\"h\" title=\"holds\">✓</td>", "<td class=\"n\"", "<td class=\"x\""] { #expect(html.contains(cell), "\(cell)") }
        let links = Set(html.matches(of: /href="#(e[0-9-]+)"/).map { String($0.1) })
        let anchors = Set(html.matches(of: /id="(e[0-9-]+)"/).map { String($0.1) })
        #expect(!links.isEmpty && links == anchors)
        // The evidence of the bypass names the row, never a person.
        #expect(html.contains("written by agent:triage-bot without a proposal"))
        #expect(!html.contains("@example."), "no email address in the report")
    }

    /// An unexpected break is marked apart from an expected one, and a failed step is outlined.
    @Test func anUnexpectedBreakAndAFailedStepStandOut() throws {
        let file = try makeTemporaryDirectory().appendingPathComponent("slip.yaml")
        try "name: slip\nfixtures: small\nrevision: 007_add_agent_traces\ncode: sprint3\nsteps:\n  - fault: mcp.bypass_approval\n  - tool: {call: propose_signal, as: \"agent:x\", args: {subject: a, signal_type: b}}\n"
            .write(to: file, atomically: true, encoding: .utf8)
        let result = try runRehearse(["run", "--format", "html", file.path])
        #expect(result.status == 1)
        #expect(result.stdout.contains("<td class=\"b\" title=\"broken: 1 write(s) bypassed the approval gate\"><a href=\"#e1-"))
        #expect(result.stdout.contains("<th title=\"2. mcp propose_signal as agent:x\" class=\"failstep\">2</th>"))
        #expect(result.stdout.contains("<td class=\"fail\">✗ FAIL</td>"))
    }

    /// Headless Chromium: the library's page at 1280 px needs no horizontal scrolling, logs no
    /// console error, and shows every matrix; a screenshot is kept under .build/test-artefacts/.
    @Test(.enabled(if: OptionalTool.has("chromium"), "needs chromium (apt-get install chromium; .ci/run installs it)"))
    func chromiumShowsItAt1280WithoutHorizontalScrolling() throws {
        let (report, _) = try Self.libraryReport()
        let directory = report.deletingLastPathComponent()
        // A page beside the report measures it in an iframe 1280 px wide (file pages may read
        // each other with --allow-file-access-from-files).
        try """
            <!DOCTYPE html><html><body style="margin:0"><iframe id="f" src="report.html" style="width:1280px;height:800px;border:0"></iframe>
            <pre id="out">pending</pre><script>
            document.getElementById('f').addEventListener('load', function () {
              var d = document.getElementById('f').contentDocument;
              document.getElementById('out').textContent = 'scroll=' + d.documentElement.scrollWidth + ' client=' + d.documentElement.clientWidth
                + ' matrices=' + d.querySelectorAll('table.matrix').length + ' visible=' + (d.querySelector('table.matrix').getBoundingClientRect().width > 0);
            });
            </script></body></html>
            """.write(to: directory.appendingPathComponent("measure.html"), atomically: true, encoding: .utf8)
        let measured = try Self.chromium(["--allow-file-access-from-files", "--dump-dom", directory.appendingPathComponent("measure.html").absoluteString])
        let line = try #require(measured.stdout.firstMatch(of: /scroll=(\d+) client=(\d+) matrices=(\d+) visible=(\w+)/), "\(measured.stdout.suffix(500))")
        #expect(Int(line.1)! <= Int(line.2)!, "the page scrolls horizontally at 1280 px: \(line.0)")
        #expect(line.3 == "31" && line.4 == "true")
        let artefacts = packageRoot.appendingPathComponent(".build/test-artefacts")
        try FileManager.default.createDirectory(at: artefacts, withIntermediateDirectories: true)
        let shot = artefacts.appendingPathComponent("report.png")
        let shown = try Self.chromium(["--enable-logging=stderr", "--v=0", "--window-size=1280,800", "--screenshot=\(shot.path)", report.absoluteString])
        #expect(FileManager.default.fileExists(atPath: shot.path))
        #expect(!shown.stderr.contains("CONSOLE") && !shown.stderr.contains("Uncaught"), "console messages: \(shown.stderr.suffix(1000))")
    }

    static func chromium(_ arguments: [String]) throws -> ChildProcess.Result {
        let profile = try makeTemporaryDirectory()
        return try ChildProcess.run(OptionalTool.path("chromium")!, ["--headless=new", "--no-sandbox", "--disable-gpu", "--run-all-compositor-stages-before-draw",
                                                                    "--virtual-time-budget=5000", "--user-data-dir=\(profile.path)"] + arguments, timeout: 120)
    }
}
