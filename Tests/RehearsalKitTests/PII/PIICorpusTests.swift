import Foundation
import Testing
@testable import RehearsalKit

/// A labelled PII corpus: rows of {id, people, input, labels, negatives, secrets}.
struct LabelledPIICorpus {
    struct Row {
        var id: Int
        var people: [KnownPerson]
        var input: JSONValue
        var labels: Set<PIIFinding>
        var negatives: [String]
        var secrets: [String]
    }

    var rows: [Row]

    init(file: String) {
        let text = try! String(contentsOf: packageRoot.appendingPathComponent("Tests/Fixtures/\(file)"), encoding: .utf8)
        rows = text.split(separator: "\n").map { line in
            let value = try! JSONParser.parse(String(line))
            return Row(
                id: Int(value["id"]!.doubleValue!),
                people: value["people"]!.arrayValue!.map { KnownPerson(displayName: $0["display_name"]!.stringValue!, email: $0["email"]!.stringValue!) },
                input: value["input"]!,
                labels: Set(value["labels"]!.arrayValue!.map { PIIFinding(pointer: $0["pointer"]!.stringValue!, type: PIIType(rawValue: $0["type"]!.stringValue!)!) }),
                negatives: value["negatives"]!.arrayValue!.map { $0.stringValue! },
                secrets: value["secrets"]!.arrayValue!.map { $0.stringValue! })
        }
    }

    struct Metrics: CustomStringConvertible {
        var rowTP = 0, rowFP = 0, rowFN = 0, rowTN = 0
        var findingTP = 0, findingFP = 0, findingFN = 0
        var misses: [String] = []
        var extras: [String] = []
        var rowRecall: Double { Double(rowTP) / Double(rowTP + rowFN) }
        var rowPrecision: Double { Double(rowTP) / Double(rowTP + rowFP) }
        var findingRecall: Double { Double(findingTP) / Double(findingTP + findingFN) }
        var findingPrecision: Double { Double(findingTP) / Double(findingTP + findingFP) }
        var description: String {
            String(format: "rows: recall %.4f precision %.4f (TP %d FP %d FN %d TN %d); findings: recall %.4f precision %.4f",
                   rowRecall, rowPrecision, rowTP, rowFP, rowFN, rowTN, findingRecall, findingPrecision)
        }
    }

    func measure() -> Metrics {
        var metrics = Metrics()
        for row in rows {
            let found = Set(PIIScanner(people: row.people).scan(row.input))
            switch (row.labels.isEmpty, found.isEmpty) {
            case (false, false): metrics.rowTP += 1
            case (false, true): metrics.rowFN += 1
            case (true, false): metrics.rowFP += 1
            case (true, true): metrics.rowTN += 1
            }
            metrics.findingTP += row.labels.intersection(found).count
            metrics.findingFN += row.labels.subtracting(found).count
            metrics.findingFP += found.subtracting(row.labels).count
            for miss in row.labels.subtracting(found) { metrics.misses.append("row \(row.id): missed \(miss.type.rawValue) at \(miss.pointer)") }
            for extra in found.subtracting(row.labels) { metrics.extras.append("row \(row.id): extra \(extra.type.rawValue) at \(extra.pointer)") }
        }
        return metrics
    }

    /// Rows whose scrubbed text still holds a labelled value, negatives the scrub changed, and
    /// rows whose scrub is not idempotent.
    func scrubFailures() -> (leaks: [String], changed: [String], unstable: [Int]) {
        var leaks: [String] = []
        var changed: [String] = []
        var unstable: [Int] = []
        for row in rows {
            let scanner = PIIScanner(people: row.people)
            let scrubbed = scanner.scrub(row.input).value
            let text = scrubbed.serialized()
            for secret in row.secrets where text.contains(secret) || text.contains(JSONValue.string(secret).serialized().dropFirst().dropLast()) {
                leaks.append("row \(row.id)")
            }
            for pointer in row.negatives where JSONPointer.resolve(pointer, in: scrubbed) != JSONPointer.resolve(pointer, in: row.input) {
                changed.append("row \(row.id) \(pointer)")
            }
            if scanner.scrub(scrubbed).value != scrubbed || !scanner.scan(scrubbed).isEmpty { unstable.append(row.id) }
        }
        return (leaks, changed, unstable)
    }
}

/// Quality on the labelled corpus (tools/generate-pii-corpus.py): every PII type crossed with
/// every container, plus tricky negatives and rows with no PII at all.
@Suite struct PIICorpusTests {
    static let corpus = LabelledPIICorpus(file: "pii-corpus.jsonl")
    static var rows: [LabelledPIICorpus.Row] { corpus.rows }

    @Test func recallAndPrecisionMeetTheTargets() {
        let metrics = Self.corpus.measure()
        print("PII corpus (\(Self.rows.count) rows): \(metrics)")
        #expect(metrics.rowRecall >= 0.99, "\(metrics.misses.prefix(400))")
        #expect(metrics.rowPrecision >= 0.98, "\(metrics.extras.prefix(400))")
        #expect(metrics.findingRecall >= 0.99, "\(metrics.misses.prefix(400))")
        #expect(metrics.findingPrecision >= 0.98, "\(metrics.extras.prefix(400))")
    }

    @Test func scrubbingLeaksNothingAndChangesNoNegative() {
        let (leaks, changed, unstable) = Self.corpus.scrubFailures()
        #expect(leaks == [])
        #expect(changed == [])
        #expect(unstable == [], "scrub(scrub(x)) must equal scrub(x) and find nothing")
    }

    @Test func theCorpusCoversEveryTypeAndContainer() {
        let types = Set(Self.rows.flatMap { $0.labels.map(\.type) })
        #expect(types == Set(PIIType.allCases))
        #expect(Self.rows.filter { $0.labels.isEmpty }.count >= 400)
    }
}

/// The held-out corpus (tools/generate-pii-heldout-corpus.py): other locales, other templates,
/// the shapes of OpenTelemetry GenAI spans, OpenAI and Anthropic tool calls and MCP requests,
/// written apart from the detectors and never used to tune them. Scored at the same targets.
@Suite struct PIIHeldOutCorpusTests {
    static let corpus = LabelledPIICorpus(file: "pii-heldout-corpus.jsonl")

    @Test func recallAndPrecisionMeetTheTargetsOnDataTheScannerWasNotTunedOn() {
        let metrics = Self.corpus.measure()
        print("PII held-out corpus (\(Self.corpus.rows.count) rows): \(metrics)")
        #expect(metrics.rowRecall >= 0.99, "\(metrics.misses.prefix(400))")
        #expect(metrics.rowPrecision >= 0.98, "\(metrics.extras.prefix(400))")
        #expect(metrics.findingRecall >= 0.99, "\(metrics.misses.prefix(400))")
        #expect(metrics.findingPrecision >= 0.98, "\(metrics.extras.prefix(400))")
    }

    @Test func scrubbingLeaksNothingChangesNoNegativeAndIsIdempotent() {
        let (leaks, changed, unstable) = Self.corpus.scrubFailures()
        #expect(leaks == [], "\(leaks.prefix(20))")
        #expect(changed == [], "\(changed.prefix(20))")
        #expect(unstable == [], "scrub(scrub(x)) must equal scrub(x) and find nothing: \(unstable.prefix(20))")
    }

    @Test func everyTypeAndEveryTraceShapeIsThere() {
        #expect(Set(Self.corpus.rows.flatMap { $0.labels.map(\.type) }) == [.email, .personName, .accountNumber, .token])
        #expect(Self.corpus.rows.filter { $0.labels.isEmpty }.count >= 400)
        let shapes = Self.corpus.rows.map { row -> String in
            if row.input["traceId"] != nil { return "otel" }
            if row.input["object"] != nil { return "openai" }
            if row.input["stop_reason"] != nil { return "anthropic" }
            return row.input["jsonrpc"] != nil ? "mcp" : "other"
        }
        #expect(Set(shapes) == ["otel", "openai", "anthropic", "mcp"])
    }
}
