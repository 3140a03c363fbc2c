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

    struct Scan: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Print {\"line\": N, \"findings\": [{\"pointer\": …, \"type\": …}]} for each input line.",
            discussion: "Exit 0; 1 with --fail-on-findings when anything was found; 2 when a line was not JSON (it is reported as sensitive and the run goes on).")
        @OptionGroup var options: Options
        @Flag(name: .long, help: "Exit 1 when any line has a finding.") var failOnFindings = false

        func run() throws {
            try reportingErrors("pii scan") {
                let status = try processStandardInput(PIILineProcessor(scanner: try options.scanner(), mode: .scan), failOnFindings: failOnFindings)
                if status != .success { throw ExitCode(status.rawValue) }
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
