import ArgumentParser
import Foundation
import RehearsalKit

/// `rehearse explore`: random histories, every invariant after every step, unexplained breaks
/// shrunk to scenarios. The time budget is the only clock read, here in the command: the engine
/// gives the same histories and files for the same seed, however many runs the budget allows.
struct ExploreCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "explore",
        abstract: "Play random deploy histories and shrink every invariant violation nothing explains to a scenario `rehearse run` replays.",
        discussion: """
            Exit 0 when no unexplained violation was found, 1 when one was (its reproductions are in --output), \
            2 for an unreadable checklist or an unusable output folder, 64 for invalid options (nothing runs).
            """)

    @Option(name: .long, help: "Histories to play.") var runs: Int = 1000
    @Option(name: .long, help: "Steps per history.") var steps: Int = 20
    @Option(name: .long, help: "Seed of the histories (the same seed gives the same histories and files).") var seed: UInt64 = 1
    @Option(name: .long, parsing: .upToNextOption, help: "Faults the histories may inject: none, all, or fault names (`rehearse faults`).") var faults: [String] = ["none"]
    @Option(name: .long, help: "The checklist whose command lines and rollback plans histories use (default: the shipped one).") var checklist: String?
    @Option(name: .long, help: "Stop starting new runs after this long (e.g. 90s, 10m).") var timeBudget: String = "10m"
    @Option(name: .long, help: "Folder for the reproductions (created if missing; existing files are never replaced).") var output: String = "explore-findings"

    func validate() throws {
        guard (1...1_000_000).contains(runs) else { throw ValidationError("--runs must be 1 to 1000000, not \(runs)") }
        guard (1...500).contains(steps) else { throw ValidationError("--steps must be 1 to 500, not \(steps)") }
        guard let budget = DurationText.seconds(timeBudget) else {
            throw ValidationError("--time-budget '\(timeBudget)' is not a duration (e.g. 90s, 10m, 1h)")
        }
        guard budget > 0 else { throw ValidationError("--time-budget '\(timeBudget)' allows no time; give a positive duration") }
        _ = try faultNames()
    }

    func faultNames() throws -> [String] {
        if faults == ["none"] { return [] }
        if faults == ["all"] { return FaultCatalog.names }
        if let word = faults.first(where: { $0 == "none" || $0 == "all" }) {
            throw ValidationError("--faults: '\(word)' stands alone; give --faults none, --faults all, or fault names")
        }
        for name in faults where FaultCatalog.named(name) == nil {
            let hint = NearestName.suggest(name, among: FaultCatalog.names).map { " (did you mean '\($0)'?)" } ?? ""
            throw ValidationError("--faults: unknown fault '\(name)'\(hint); give none, all, or names from `rehearse faults`")
        }
        return faults
    }

    func run() throws {
        try reportingErrors("explore") {
            let chain = try RevisionChain.shipped()
            let list = try checklist.map { try ChecklistParser.load(path: $0) } ?? ChecklistParser.shipped()
            let folder = try OutputFolder.prepare(output)
            var configuration = Explorer.Configuration(checklist: list)
            configuration.runs = runs
            configuration.steps = steps
            configuration.seed = seed
            configuration.faults = try faultNames()
            configuration.checklistPath = checklist.map { URL(fileURLWithPath: $0).standardizedFileURL.path }
            let explorer = Explorer(configuration: configuration, chain: chain)
            let budget = Double(DurationText.seconds(timeBudget)!)
            let watch = Stopwatch()
            let terminal = isatty(2) == 1
            print("rehearse explore: seed \(seed), \(runs) run(s) of \(steps) step(s), faults: \(configuration.faults.isEmpty ? "none" : configuration.faults.joined(separator: ", ")), checklist \(list.file), budget \(timeBudget)")
            var exploration = explorer.explore(shouldStop: { watch.seconds >= budget }) { run, sofar in
                guard terminal, run % 10 == 0 || run == runs else { return }
                FileHandle.standardError.write(Data(String(format: "\rexplore: run %d/%d, %d steps, %d unexplained, %.0f steps/s ",
                                                           run, runs, sofar.steps, sofar.findings.count, Double(sofar.steps) / max(watch.seconds, 1e-9)).utf8))
            }
            let seconds = watch.seconds
            if terminal { FileHandle.standardError.write(Data("\r\u{1B}[K".utf8)) }
            for index in exploration.findings.indices {
                exploration.findings[index].file = try folder.write(exploration.findings[index].reproduction.yaml,
                                                                    named: Explorer.fileName(invariant: exploration.findings[index].invariant, seed: seed, run: exploration.findings[index].firstRun))
            }
            print(ExplorationReport.text(exploration, seconds: seconds, budgetReached: exploration.skippedRuns > 0, budget: timeBudget))
            if !exploration.findings.isEmpty { throw ExitCode(ExitStatus.failed.rawValue) }
        }
    }
}

/// The reproductions' folder: checked (and created) before any run, and never a file replaced.
struct OutputFolder {
    let path: String

    /// Checked before any run; created only when a reproduction is written, so a clean
    /// exploration leaves nothing behind.
    static func prepare(_ path: String) throws -> OutputFolder {
        var isDirectory: ObjCBool = false
        if FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) {
            guard isDirectory.boolValue else { throw OutputFolderError(path: path, reason: "it exists and is not a folder") }
            guard access(path, W_OK | X_OK) == 0 else { throw OutputFolderError(path: path, reason: "it is not writable") }
            return OutputFolder(path: path)
        }
        // The nearest folder that exists must let us create the rest.
        var ancestor = (URL(fileURLWithPath: path).standardizedFileURL.path as NSString).deletingLastPathComponent
        while !FileManager.default.fileExists(atPath: ancestor, isDirectory: &isDirectory) { ancestor = (ancestor as NSString).deletingLastPathComponent }
        guard isDirectory.boolValue else { throw OutputFolderError(path: path, reason: "\(ancestor) is not a folder") }
        guard access(ancestor, W_OK | X_OK) == 0 else { throw OutputFolderError(path: path, reason: "it cannot be created in \(ancestor), which is not writable") }
        return OutputFolder(path: path)
    }

    /// Writes `text` as `name`, or beside it (`-2`, `-3`, …) when another file has that name;
    /// the same bytes already there are left as they are.
    func write(_ text: String, named name: String) throws -> String {
        do { try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true) } catch {
            throw OutputFolderError(path: path, reason: "it cannot be created (\((error as NSError).localizedDescription))")
        }
        let stem = (name as NSString).deletingPathExtension
        for attempt in 1... {
            let file = (path as NSString).appendingPathComponent(attempt == 1 ? name : "\(stem)-\(attempt).yaml")
            if let existing = FileManager.default.contents(atPath: file) {
                if existing == Data(text.utf8) { return file }
                continue
            }
            guard FileManager.default.createFile(atPath: file, contents: Data(text.utf8)) else {
                throw OutputFolderError(path: file, reason: "it cannot be written")
            }
            return file
        }
        fatalError("unreachable")
    }
}

struct OutputFolderError: UserFacingError {
    var path: String
    var reason: String
    var exitStatus: ExitStatus { .invalidInput }
    var description: String { "\(path): error: cannot write reproductions there: \(reason)" }
}
