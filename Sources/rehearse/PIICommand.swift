import ArgumentParser
import Foundation
import RehearsalKit

struct PIICommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "pii",
        abstract: "Find or scrub PII in JSON lines (stdin to stdout).",
        subcommands: [Scan.self, Scrub.self])

    struct Options: ParsableArguments {
        @Option(name: .long, help: "JSON lines {\"display_name\": …, \"email\": …}: people whose names are PII anywhere.")
        var people: String?

        func scanner() throws -> PIIScanner {
            guard let people else { return PIIScanner() }
            guard let data = FileManager.default.contents(atPath: people) else {
                throw PeopleFileError(location: SourceLocation(file: people, line: 1, column: 1), reason: "cannot read the file")
            }
            return PIIScanner(people: try PIILineProcessor.loadPeople(text: String(decoding: data, as: UTF8.self), path: people))
        }
    }

    enum ScanFormat: String, ExpressibleByArgument, CaseIterable { case jsonl, sarif }

    struct Scan: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Find PII in JSON lines: {\"line\": N, \"findings\": [{\"pointer\": …, \"type\": …}]} per line, or one SARIF 2.1.0 log.",
            discussion: """
                Exit 0 when nothing was found, 1 when anything was (as secret scanners do, so CI can gate on it; \
                --exit-zero exits 0 either way), 2 when a line was not JSON (it is reported as sensitive and the run goes on). \
                A summary line goes to standard error: N lines, M findings (by type).
                """)
        @OptionGroup var options: Options
        @Option(name: .long, help: "Output: jsonl (a line per input line) or sarif (one SARIF 2.1.0 log for code-scanning UIs).") var format: ScanFormat = .jsonl
        @Option(name: .long, help: "The artifact name findings point at in SARIF (default: stdin).") var artifact = "stdin"
        @Flag(name: .long, help: "Exit 0 even when something was found (an invalid line still exits 2).") var exitZero = false
        @Flag(name: .long, help: .hidden) var failOnFindings = false

        func run() throws {
            try reportingErrors("pii scan") {
                let processor = PIILineProcessor(scanner: try options.scanner(), mode: .scan)
                var summary = PIIScanSummary()
                var sawInvalid = false
                var number = 0
                while let raw = readLine(strippingNewline: true) {
                    number += 1
                    let line = raw.hasSuffix("\r") ? String(raw.dropLast()) : raw
                    let (findings, error) = processor.findings(line: line, number: number)
                    if let error { sawInvalid = true; printError(error) }
                    summary.record(line: number, findings: findings)
                    if format == .jsonl { print(PIILineProcessor.findingsLine(number, findings)) }
                }
                if format == .sarif { print(summary.sarif(artifact: artifact, version: RehearseVersion.current).pretty()) }
                printError(summary.line)
                if sawInvalid { throw ExitCode(ExitStatus.invalidInput.rawValue) }
                if summary.total > 0 && !exitZero { throw ExitCode(ExitStatus.failed.rawValue) }
            }
        }
    }

    struct Scrub: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Print each input line with every finding replaced by [REDACTED:TYPE].",
            discussion: "Exit 0; 2 when a line was not JSON (it is replaced by \"[REDACTED:SENSITIVE]\" and the run goes on).")
        @OptionGroup var options: Options

        func run() throws {
            try reportingErrors("pii scrub") {
                let status = try processStandardInput(PIILineProcessor(scanner: try options.scanner(), mode: .scrub), failOnFindings: false)
                if status != .success { throw ExitCode(status.rawValue) }
            }
        }
    }
}

/// Streams stdin line by line, so a large trace export never sits in memory whole.
func processStandardInput(_ processor: PIILineProcessor, failOnFindings: Bool) throws -> ExitStatus {
    var number = 0
    var sawInvalid = false
    var sawFinding = false
    while let raw = readLine(strippingNewline: true) {
        number += 1
        let line = raw.hasSuffix("\r") ? String(raw.dropLast()) : raw
        let (output, error) = processor.process(line: line, number: number)
        if let error {
            sawInvalid = true
            printError(error)
        }
        if processor.mode == .scan && !output.hasSuffix("\"findings\":[]}") { sawFinding = true }
        print(output)
    }
    if sawInvalid { return .invalidInput }
    return failOnFindings && sawFinding ? .failed : .success
}
