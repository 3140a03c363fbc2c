/// The run as one self-contained HTML page (`rehearse run --format html`): the deploy record's
/// summary (verdict, reasons, scenarios), then per scenario an invariant × step matrix and its
/// timeline. Every cell has a colour and a symbol, so it reads in greyscale; a broken cell links
/// to its evidence (row ids and JSON pointers, never raw PII). No script, font, image or style
/// comes from anywhere else, and no script at all: the links and `:target` do the clicking.
extension RunReport {
    public func html(context: DeployRecordContext) -> String {
        let verdict = DeployVerdict(self, context: context)
        var out = """
            <!DOCTYPE html>
            <html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
            <title>Deploy rehearsal — \(Self.escape(context.checklistTitle))</title>
            <style>\(Self.style)</style></head>
            <body>
            <h1>Deploy rehearsal — \(Self.escape(context.checklistTitle))</h1>
            <p class="meta">rehearse \(Self.escape(context.version)) · \(scenarios.count) scenario(s) · \(scenarios.reduce(0) { $0 + $1.steps.count }) steps · \
            \(scenarios.filter(\.passed).count) passed, \(scenarios.filter { !$0.passed }.count) failed</p>
            <p class="verdict \(verdict.go ? "go" : "nogo")">Verdict: <strong>\(verdict.go ? "GO" : "NO-GO")</strong></p>

            """
        if !verdict.blocking.isEmpty {
            out += "<h2>Blocking</h2>\n<ul>\n" + verdict.blocking.map { "<li>\(Self.inlineCode($0))</li>\n" }.joined() + "</ul>\n"
        }
        if !verdict.accepted.isEmpty {
            out += "<h2>Accepted (expected by their scenarios)</h2>\n<ul>\n" + verdict.accepted.map { "<li>\(Self.inlineCode($0))</li>\n" }.joined() + "</ul>\n"
        }
        if !verdict.notRehearsed.isEmpty {
            out += "<p>Not rehearsed (check by hand): \(Self.escape(verdict.notRehearsed.joined(separator: ", "))).</p>\n"
        }
        out += Self.legend
        out += "<h2>Scenarios</h2>\n<table class=\"summary\"><thead><tr><th>Scenario</th><th>Result</th><th>Broken at the end</th><th>First failing step</th></tr></thead><tbody>\n"
        for (index, scenario) in scenarios.enumerated() {
            let broken = scenario.brokenAtEndLabels
            let failing = scenario.firstFailureSummary
            out += "<tr><td><a href=\"#s\(index + 1)\">\(Self.escape(DeployVerdict.shortName(scenario)))</a></td>"
                + "<td class=\"\(scenario.passed ? "pass" : "fail")\">\(scenario.passed ? "✓ pass" : "✗ FAIL")</td>"
                + "<td>\(broken.isEmpty ? "—" : Self.escape(broken.joined(separator: ", ")))</td><td>\(failing.map(Self.escape) ?? "—")</td></tr>\n"
        }
        out += "</tbody></table>\n"
        for (index, scenario) in scenarios.enumerated() { out += matrix(scenario, number: index + 1) }
        out += "</body></html>\n"
        return out
    }

    /// One scenario: the matrix (rows: invariants; columns: steps), the timeline, the evidence.
    func matrix(_ scenario: ScenarioRecord, number: Int) -> String {
        var out = "<section id=\"s\(number)\">\n<h2>\(scenario.passed ? "✓" : "✗") \(Self.escape(scenario.name))</h2>\n"
        out += "<p class=\"meta\">\(Self.escape(scenario.file)) · seed \(scenario.seed) · \(scenario.passed ? "pass" : "<strong>FAIL</strong>")</p>\n"
        if !scenario.description.isEmpty { out += "<p>\(Self.escape(scenario.description))</p>\n" }
        let ids = scenario.steps.first?.invariants.map(\.info.id) ?? []
        out += "<table class=\"matrix\"><thead><tr><th class=\"inv\">Invariant</th>"
        for step in scenario.steps {
            out += "<th title=\"\(Self.escape("\(step.number). \(step.action)"))\"\(step.passed ? "" : " class=\"failstep\"")>\(step.number)</th>"
        }
        out += "</tr></thead><tbody>\n"
        var evidence: [String] = []
        for (row, id) in ids.enumerated() {
            out += "<tr><th class=\"inv\">\(Self.escape(id))</th>"
            var previous: (anchor: String, text: String)?
            for step in scenario.steps {
                guard let result = step.invariants.first(where: { $0.info.id == id }) else { out += "<td></td>"; continue }
                switch result.status {
                case .holds: out += "<td class=\"h\" title=\"holds\">✓</td>"; previous = nil
                case .notApplicable(let why): out += "<td class=\"n\" title=\"\(Self.escape("not applicable: \(why)"))\">·</td>"; previous = nil
                case .unknown(let why): out += "<td class=\"u\" title=\"\(Self.escape("could not evaluate: \(why)"))\">?</td>"; previous = nil
                case .broken(let why, let items):
                    let expected = step.expectedBroken.contains(id)
                    let text = ([why] + items.prefix(20).map(InvariantReport.describe)).joined(separator: "\n")
                    // A break that carries the same evidence as the step before links to the same block.
                    let anchor: String
                    if let previous, previous.text == text {
                        anchor = previous.anchor
                    } else {
                        anchor = "e\(number)-\(row)-\(step.number)"
                        var block = "<div class=\"ev\" id=\"\(anchor)\"><h4>\(Self.escape(id)) — broken\(expected ? " (expected)" : "") from step \(step.number): \(Self.escape(why))</h4>"
                        if !items.isEmpty {
                            block += "<ul>" + items.prefix(20).map { "<li>\(Self.escape(InvariantReport.describe($0)))</li>" }.joined() + "</ul>"
                            if items.count > 20 { block += "<p>… and \(items.count - 20) more</p>" }
                        }
                        evidence.append(block + "</div>\n")
                    }
                    previous = (anchor, text)
                    out += "<td class=\"\(expected ? "x" : "b")\" title=\"\(Self.escape("broken\(expected ? " (expected)" : ""): \(why)"))\"><a href=\"#\(anchor)\">\(expected ? "!" : "✗")</a></td>"
                }
            }
            out += "</tr>\n"
        }
        out += "</tbody></table>\n<h3>Timeline</h3>\n<ol class=\"timeline\">\n"
        for step in scenario.steps {
            let unmet = step.expectations.filter { !$0.met }
            let outcome = !unmet.isEmpty ? "FAIL: " + unmet.map { "expected \($0.description)\($0.detail.map { " — \($0)" } ?? "")" }.joined(separator: "; ")
                : step.succeeded ? "ok" : "error (expected): \(step.error ?? "")"
            out += "<li\(unmet.isEmpty ? "" : " class=\"failstep\"")><span class=\"t\">\(Self.escape(RunReport.clock(step.time)))</span> \(Self.escape(step.action)) — \(Self.escape(outcome))</li>\n"
        }
        out += "</ol>\n"
        if !evidence.isEmpty { out += "<h3>Evidence</h3>\n" + evidence.joined() }
        return out + "</section>\n"
    }

    static let legend = """
        <p class="legend"><span class="h">✓</span> holds <span class="b">✗</span> broken <span class="x">!</span> broken, expected by the step \
        <span class="n">·</span> not applicable <span class="u">?</span> could not evaluate — a broken cell links to its evidence; \
        a column's number shows its step on hover and in the timeline.</p>

        """

    static let style = """
        body{font:14px/1.4 system-ui,sans-serif;margin:16px auto;max-width:1240px;padding:0 8px;color:#111}\
        h1{font-size:20px}h2{font-size:17px;margin-top:28px}h3{font-size:15px}.meta{color:#555}\
        .verdict{font-size:18px;padding:6px 10px;display:inline-block;border:2px solid}.go{border-color:#1a7f37}.nogo{border-color:#b42318}\
        table{border-collapse:collapse}table.summary{width:100%;table-layout:fixed;word-wrap:break-word}\
        .summary td,.summary th{border-bottom:1px solid #ddd;padding:3px 6px;text-align:left;vertical-align:top}\
        .matrix{table-layout:fixed}.matrix th,.matrix td{border:1px solid #ccc;width:22px;height:20px;text-align:center;padding:0;font-size:12px}\
        .matrix th.inv{width:290px;text-align:left;padding:0 4px;font-weight:normal;font-family:ui-monospace,monospace;overflow:hidden;white-space:nowrap}\
        .h{background:#d3f0d8;color:#1a7f37}.b{background:#f9d0cc;color:#b42318;font-weight:bold}.x{background:#fde9b8;color:#8a5300;font-weight:bold}\
        .n{background:#f2f2f2;color:#888}.u{background:#e6dcf5;color:#5b2a86}.pass{color:#1a7f37}.fail{color:#b42318;font-weight:bold}\
        .matrix a{color:inherit;text-decoration:none;display:block}.failstep{outline:2px solid #b42318}\
        .legend span{display:inline-block;width:18px;text-align:center;border:1px solid #ccc;margin:0 2px 0 10px}\
        .timeline{font-size:13px}.timeline .t{font-family:ui-monospace,monospace;color:#555}\
        .ev{border-left:4px solid #b42318;padding:2px 8px;margin:6px 0;font-size:13px;overflow-wrap:anywhere}.ev:target{background:#fff3c4}\
        .ev h4{margin:2px 0;font-size:13px}code{font-family:ui-monospace,monospace}
        """

    /// Text and attribute values alike: quotes too, since labels hold shell commands.
    static func escape(_ text: String) -> String {
        TracesViewer.escapeHTML(text).replacingOccurrences(of: "\"", with: "&quot;").replacingOccurrences(of: "'", with: "&#39;")
    }

    /// Text whose `backtick` spans become <code>, the rest escaped.
    static func inlineCode(_ text: String) -> String {
        text.split(separator: "`", omittingEmptySubsequences: false).enumerated()
            .map { $0.offset % 2 == 1 ? "<code>\(escape(String($0.element)))</code>" : escape(String($0.element)) }.joined()
    }
}
