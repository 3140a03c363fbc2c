import ArgumentParser
import Foundation
import RehearsalKit

struct RunCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "run",
        abstract: "Replay scenarios and report, step by step, which invariants hold (default: ./scenarios, else the shipped library).",
        discussion: "Exit 0 when every scenario passed, 1 when one failed, 2 when a scenario file is invalid or nothing is selected (nothing runs).")

    @Argument(help: "Scenario files or directories.") var paths: [String] = []
    @Option(name: .long, help: "Only scenarios with this tag (repeatable).") var tag: [String] = []
    @Option(name: .long, help: "text, json, junit, markdown (the deploy record) or html (one self-contained page).") var format: Format = .text
    @Option(name: .long, help: "Write the report here instead of stdout.") var output: String?
    @Flag(name: .long, help: "Replace an existing output file of another kind (never a directory, a device or the database).") var force = false
    @Option(name: .long, help: "Replace every scenario's seed.") var seed: UInt64?
    @Option(name: .long, help: "Scenarios run at once, each on its own in-memory database, at most one per core (default: the number of cores; the report is the same for any number).") var jobs: Int?
    @Option(name: .long, help: "A directory of SQLite revisions to use instead of the shipped ones.") var migrations: String?
    @Option(name: .long, help: "The checklist whose plans `rollback:` steps run, for every scenario (instead of each scenario's own).") var checklist: String?
    @Flag(name: .long, help: "Check named expectations only: an invariant broken that no step expects does not fail the step (the rule before strict scenarios).") var lenient = false
    @Flag(name: .long, help: "List the selected scenarios (file, name, tags) without running them.") var list = false
    @Flag(name: .long, help: "Text: one line per scenario and the summary.") var quiet = false
    @Flag(name: .long, help: "Text: the steps of failed scenarios only.") var onlyFailures = false
    @Option(name: .long, help: "Markdown: the checklist's Deploy Date (YYYY-MM-DD); blank to fill by hand without it.") var deployDate: String?
    @Option(name: .long, help: "Markdown: the checklist's Deploy Lead; blank to fill by hand without it.") var deployLead: String?
    @Option(name: .long, help: "Markdown: the checklist's Commit SHA (7 to 40 hex digits); blank to fill by hand without it.") var commit: String?

    func validate() throws {
        if let jobs, jobs < 1 { throw ValidationError("--jobs must be at least 1 (got \(jobs))") }
        if format != .markdown, format != .html, let option = [("--deploy-date", deployDate), ("--deploy-lead", deployLead), ("--commit", commit)].first(where: { $0.1 != nil }) {
            throw ValidationError("\(option.0) fills the deploy record's header: it needs --format markdown or html")
        }
        if let deployDate, !Self.isDate(deployDate) {
            throw ValidationError("--deploy-date '\(deployDate)' is not a date: write it as YYYY-MM-DD (e.g. 2026-01-14)")
        }
        if let commit, !(7...40).contains(commit.count) || !commit.allSatisfy(\.isHexDigit) {
            throw ValidationError("--commit '\(commit)' is not a commit SHA: 7 to 40 hexadecimal digits")
        }
        if let deployLead, deployLead.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty || deployLead.contains(where: \.isNewline) {
            throw ValidationError("--deploy-lead must be a name on one line")
        }
    }

    /// YYYY-MM-DD naming a real day (2026-02-30 is refused).
    static func isDate(_ text: String) -> Bool {
        let parts = text.split(separator: "-", omittingEmptySubsequences: false)
        guard text.count == 10, parts.count == 3, parts[0].count == 4, parts[1].count == 2, parts[2].count == 2,
              let year = Int(parts[0]), let month = Int(parts[1]), let day = Int(parts[2]), (1...12).contains(month), day >= 1 else { return false }
        let leap = year % 4 == 0 && (year % 100 != 0 || year % 400 == 0)
        let days = [31, leap ? 29 : 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31][month - 1]
        return day <= days
    }

    enum Format: String, ExpressibleByArgument, CaseIterable { case text, json, junit, markdown, html }

    func run() throws {
        try reportingErrors("run") {
            let chain = try migrations.map { try RevisionChain.load(directory: $0) } ?? RevisionChain.shipped()
            let loader = ScenarioLoader(chain: chain)
            // Load everything first: an invalid file stops the run before anything runs.
            var scenarios = try ScenarioLibrary.files(paths: paths).map { try loader.load(path: $0.path, displayPath: $0.shown) }
            var recordChecklist: Checklist?
            if let checklist {
                let replacement = try ChecklistParser.load(path: checklist)
                scenarios = try scenarios.map { try $0.runningPlans(of: replacement) }
                recordChecklist = replacement
            }
            // Drills are played with `rehearse drill`; the library run replays the rehearsals.
            if paths.isEmpty { scenarios = scenarios.filter { $0.incident == nil } }
            let tagsInUse = Set(scenarios.flatMap(\.tags)).sorted()
            if !tag.isEmpty { scenarios = scenarios.filter { !Set($0.tags).isDisjoint(with: tag) } }
            // Nothing selected is a mistake (a misspelt tag, an empty folder), not a green run.
            if scenarios.isEmpty { throw NothingToRun(paths: paths, tags: tag, tagsInUse: tagsInUse) }
            if list {
                for scenario in scenarios {
                    print("\(scenario.file)  \(scenario.name)" + (scenario.tags.isEmpty ? "" : "  [\(scenario.tags.joined(separator: ", "))]"))
                }
                return
            }
            // The output path is checked before the work, so a refused path costs nothing.
            if let output { _ = try OutputFile.check(output, kind: .text, force: force) }
            var runner = ScenarioRunner(chain: chain, seedOverride: seed)
            runner.strict = !lenient
            let report = RunReport(scenarios: try runner.run(scenarios, workers: jobs ?? ProcessInfo.processInfo.activeProcessorCount))
            let text: String
            switch format {
            case .text: text = report.text(style: output == nil ? .forStandardOutput : .plain, detail: quiet ? .quiet : onlyFailures ? .onlyFailures : .full)
            case .json: text = report.json().pretty()
            case .junit: text = report.junit()
            case .markdown, .html:
                let context = DeployRecordContext(chain: chain, checklist: recordChecklist ?? scenarios.first?.checklist,
                                                  deployDate: deployDate, deployLead: deployLead, commit: commit)
                text = format == .html ? report.html(context: context) : report.markdown(context: context)
            }
            if let output {
                try OutputFile.write(text, to: output, force: force)
                print("\(report.scenarios.filter(\.passed).count) of \(report.scenarios.count) scenarios passed; \(format.rawValue) report written to \(output)")
            } else {
                print(text, terminator: text.hasSuffix("\n") ? "" : "\n")
            }
            if !report.passed { throw ExitCode(ExitStatus.failed.rawValue) }
        }
    }
}

struct NothingToRun: UserFacingError {
    var paths: [String]
    var tags: [String]
    var tagsInUse: [String]
    var exitStatus: ExitStatus { .invalidInput }
    var description: String {
        if !tags.isEmpty && !tagsInUse.isEmpty {
            let suggestion = tags.count == 1 ? NearestName.suggest(tags[0], among: tagsInUse).map { " (did you mean '\($0)'?)" } ?? "" : ""
            return "error: no scenario has the tag \(tags.map { "'\($0)'" }.joined(separator: " or "))\(suggestion); tags in use: \(tagsInUse.joined(separator: ", "))"
        }
        return "error: no scenario files in \(paths.isEmpty ? "scenarios/" : paths.joined(separator: ", "))"
    }
}

struct FaultsCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "faults", abstract: "List the faults a scenario or drill can inject, with what each breaks.")

    func run() throws {
        let width = FaultCatalog.names.map(\.count).max() ?? 0
        for fault in FaultCatalog.all {
            print("\(fault.name.padding(toLength: width, withPad: " ", startingAt: 0))  breaks \(fault.breaks.joined(separator: ", "))  (rollback \(fault.rollback))")
            print(String(repeating: " ", count: width + 2) + fault.description)
        }
    }
}
