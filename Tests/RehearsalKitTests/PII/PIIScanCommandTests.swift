import Foundation
import GRDB
import Testing
@testable import RehearsalKit

/// `rehearse pii scan` as a CI gate: exit codes, the summary line, and a SARIF 2.1.0 log that
/// a real SARIF consumer reads; and the two PII invariants agreeing on the same bytes.
@Suite struct PIIScanCommandTests {
    static let input = [
        #"{"note": "reply to jane.doe@example.com", "ok": 1}"#,
        #"{"clean": "nothing here"}"#,
        #"{"jane.roe@example.org": {"card": "card 4111 1111 1111 1111"}}"#,
        #"{"u": "https://app.example.com/u/ann%40example.net"}"#,
    ].joined(separator: "\n") + "\n"

    @Test func sarifCarriesEveryFindingAtItsLineAndPointerAndNoValue() throws {
        let result = try runRehearse(["pii", "scan", "--format", "sarif", "--artifact", "traces.jsonl"], stdin: Self.input)
        #expect(result.status == 1)
        #expect(result.stderr == "4 lines, 4 findings (account_number 1, email 3)\n")
        let log = try JSONParser.parse(result.stdout)
        #expect(log["version"]?.stringValue == "2.1.0")
        #expect(log["$schema"]?.stringValue == "https://json.schemastore.org/sarif-2.1.0.json")
        let run = try #require(log["runs"]?.arrayValue?.first)
        #expect(run["tool"]?["driver"]?["name"]?.stringValue == "rehearse pii scan")
        let rules = run["tool"]?["driver"]?["rules"]?.arrayValue ?? []
        let ruleIds = rules.compactMap { $0["id"]?.stringValue }
        #expect(ruleIds == ["pii/account_number", "pii/email", "pii/person_name", "pii/sensitive", "pii/token"])
        let results = run["results"]?.arrayValue ?? []
        let located = results.map { result -> String in
            let ruleId = result["ruleId"]?.stringValue ?? ""
            let index = Int(result["ruleIndex"]?.doubleValue ?? -1)
            #expect(index >= 0 && index < ruleIds.count && ruleIds[index] == ruleId)
            #expect(result["level"]?.stringValue == "error")
            let location = result["locations"]?.arrayValue?.first
            #expect(location?["physicalLocation"]?["artifactLocation"]?["uri"]?.stringValue == "traces.jsonl")
            let line = Int(location?["physicalLocation"]?["region"]?["startLine"]?.doubleValue ?? 0)
            let pointer = location?["logicalLocations"]?.arrayValue?.first?["fullyQualifiedName"]?.stringValue ?? ""
            return "\(ruleId) \(line) \(pointer)"
        }
        #expect(located == ["pii/email 1 /note", "pii/email 3 /[REDACTED:EMAIL]", "pii/account_number 3 /[REDACTED:EMAIL]/card", "pii/email 4 /u"])
        for value in ["jane.doe", "jane.roe", "4111", "ann%40"] { #expect(!result.stdout.contains(value), "\(value) in the SARIF log") }

        let clean = try runRehearse(["pii", "scan", "--format", "sarif"], stdin: #"{"a": 1}"# + "\n")
        #expect(clean.status == 0)
        #expect(try JSONParser.parse(clean.stdout)["runs"]?.arrayValue?.first?["results"]?.arrayValue?.isEmpty == true)
    }

    func sarifFile() throws -> String {
        let path = try makeTemporaryDirectory().appendingPathComponent("pii.sarif").path
        try runRehearse(["pii", "scan", "--format", "sarif"], stdin: Self.input).stdout.write(toFile: path, atomically: true, encoding: .utf8)
        return path
    }

    /// Read by Microsoft's sarif-tools (`sarif summary`), a real SARIF consumer.
    @Test(.enabled(if: OptionalTool.has("sarif"), "needs sarif-tools on PATH (pip install sarif-tools; .ci/run installs it)"))
    func aRealSARIFConsumerReadsTheLog() throws {
        let summary = try ChildProcess.run(OptionalTool.path("sarif")!, ["summary", try sarifFile()])
        #expect(summary.status == 0, "\(summary.stdout)")
        #expect(summary.stdout.contains("error: 4"), "\(summary.stdout)")
        #expect(summary.stdout.contains("warning: 0"))
    }

    /// Validated against the OASIS SARIF 2.1.0 JSON schema when REHEARSE_SARIF_SCHEMA names
    /// it: the schema is on neither PyPI nor Debian, so no install step can provide it here.
    @Test func theLogValidatesAgainstTheSARIFSchemaWhenOneIsGiven() throws {
        guard let schema = ProcessInfo.processInfo.environment["REHEARSE_SARIF_SCHEMA"] else {
            print("note: SARIF schema validation not run (set REHEARSE_SARIF_SCHEMA to sarif-schema-2.1.0.json)")
            return
        }
        let script = """
            import json, sys, jsonschema
            jsonschema.validate(json.load(open(sys.argv[2])), json.load(open(sys.argv[1])))
            """
        let validation = try ChildProcess.run(OptionalTool.path("python3") ?? "/usr/bin/python3", ["-c", script, schema, try sarifFile()])
        #expect(validation.status == 0, "\(validation.stdout)")
    }

    /// A name the application does not know, under a name key, and an address as a key: the
    /// table and the unsanitised viewer both call them PII; the sanitised viewer shows none.
    @Test func theTwoInvariantsAgreeOnTheSameTrace() throws {
        let directory = try makeTemporaryDirectory()
        let path = directory.appendingPathComponent("agree.yaml").path
        try """
            name: one verdict
            seed: 5
            fixtures: small
            revision: 007_add_agent_traces
            code: sprint3
            tolerate: [baseline.counts_unchanged]
            steps:
              - sql: >-
                  INSERT INTO agent_traces (id, trace_id, agent_type, triggered_by, input_summary, status, started_at)
                  VALUES ('aaaaaaaa-aaaa-4aaa-8aaa-aaaaaaaaaaaa', 'trace-agree', 'triage', 'agent:triage-bot',
                  '{"reviewer_name": "Tamsin Achterberg", "votes": {"t.achterberg@example.org": "yes"}}', 'completed', '2026-01-15T10:00:00Z')
                expect: {broken: [traces.no_pii], hold: [traces.viewer_no_pii]}
              - fault: viewer.unsanitized
                expect: {broken: [traces.no_pii, traces.viewer_no_pii]}
            """.write(toFile: path, atomically: true, encoding: .utf8)
        let result = try runRehearse(["run", path, "--format", "json"])
        #expect(result.status == 0, "\(result.stdout)\(result.stderr)")
        let report = try JSONParser.parse(result.stdout)
        let steps = report["scenarios"]?.arrayValue?.first?["steps"]?.arrayValue ?? []
        func notes(_ step: Int, _ id: String) -> Set<String> {
            let invariant = steps[step]["invariants"]?.arrayValue?.first { $0["id"]?.stringValue == id }
            return Set((invariant?["evidence"]?.arrayValue ?? []).filter { ($0["row_id"]?.stringValue ?? "").contains("agree") || $0["row_id"]?.stringValue == "aaaaaaaa-aaaa-4aaa-8aaa-aaaaaaaaaaaa" }
                .compactMap { $0["note"]?.stringValue })
        }
        #expect(steps.count == 2)
        #expect(notes(0, "traces.no_pii") == ["contains person_name", "contains email"])
        #expect(notes(1, "traces.viewer_no_pii") == ["/traces/trace-agree shows person_name", "/traces/trace-agree shows email"])
    }
}
