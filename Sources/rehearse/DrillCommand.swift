import ArgumentParser
import Foundation
import RehearsalKit

struct DrillCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "drill",
        abstract: "Train on call: a fault is hidden in a rehearsed deploy; find and mitigate it with the checklist's commands, then be graded.",
        discussion: "Commands come from the prompt on a terminal, or from --script / stdin otherwise. `done` ends the drill with a debrief.")

    @Option(name: .long, help: "The drill to play: its name (--list shows them) or the path of a drill file.") var incident: String?
    @Flag(name: .long, help: "Play a drill chosen from the seed.") var random = false
    @Flag(name: .long, help: "List the drills.") var list = false
    @Option(name: .long, help: "The seed for the world (and for --random).") var seed: UInt64?
    @Option(name: .long, help: "Run the commands of this file, one per line, instead of prompting.") var script: String?
    @Option(name: .long, help: "Also write the Markdown debrief to this file.") var debrief: String?
    @Flag(name: .long, help: "Replace an existing output file of another kind (never a directory, a device or the database).") var force = false

    func validate() throws {
        if !list && (incident == nil) == !random { throw ValidationError("give --incident NAME or --random (or --list)") }
    }

    func run() throws {
        try reportingErrors("drill") {
            let chain = try RevisionChain.shipped()
            let loader = ScenarioLoader(chain: chain)
            let drills = try ScenarioLibrary.files(paths: []).compactMap { file -> (String, Scenario)? in
                let scenario = try loader.load(path: file.path, displayPath: file.shown)
                guard scenario.incident != nil else { return nil }
                return (((file.path as NSString).lastPathComponent as NSString).deletingPathExtension, scenario)
            }
            if list {
                for (name, scenario) in drills { print("\(name)  \(scenario.incident!.page)") }
                return
            }
            var chosen = drills.first { $0.0 == incident }
            // A drill file of one's own: `--incident path/to/drill.yaml`.
            if chosen == nil, let incident, incident.hasSuffix(".yaml") || incident.hasSuffix(".yml"),
               FileManager.default.fileExists(atPath: incident) {
                let scenario = try loader.load(path: incident, displayPath: incident)
                guard scenario.incident != nil else {
                    throw ScenarioLoadError(SourceLocation(file: incident, line: 1, column: 1), "not a drill: it has no 'incident' section")
                }
                chosen = (incident, scenario)
            }
            if random {
                var generator = SeededGenerator(seed: seed ?? 1)
                chosen = drills[generator.below(drills.count)]
            }
            guard let (_, scenario) = chosen else {
                throw DrillNotFound(name: incident ?? "", known: drills.map(\.0))
            }
            if let debrief { _ = try OutputFile.check(debrief, kind: .text, force: force) }
            let session = try DrillSession(scenario: scenario, chain: chain, seed: seed)
            print(try session.briefing())
            let interactive = script == nil && isatty(STDIN_FILENO) == 1
            var lines: [String] = []
            if let script {
                guard let data = FileManager.default.contents(atPath: script) else { throw InputFileError(path: script, what: "script file") }
                lines = TextLines.split(String(decoding: data, as: UTF8.self)).filter { !$0.isEmpty }
            }
            var index = 0
            // On a terminal: line editing, history and Ctrl-R; Ctrl-D asks before grading.
            let reader = interactive && isatty(STDOUT_FILENO) == 1 ? TerminalLineReader(prompt: "drill> ") : nil
            func nextLine() -> String? {
                if script != nil { defer { index += 1 }; return index < lines.count ? lines[index] : nil }
                if let reader { return reader.readLine() }
                if interactive { FileHandle.standardOutput.write(Data("drill> ".utf8)) }
                return readLine()
            }
            func show(_ output: String) {
                guard !output.isEmpty else { return }
                // The debrief reads as text on a terminal; --debrief keeps the Markdown.
                print(reader != nil && session.finished ? DebriefText.plain(output) : output)
            }
            while !session.finished, let line = nextLine() {
                if !interactive { print("drill> \(PIIScanner().scrub(text: line).text)") }
                if reader != nil && line.trimmingCharacters(in: .whitespaces) == "clear" {
                    FileHandle.standardOutput.write(Data("\u{1B}[2J\u{1B}[H".utf8))
                }
                show(try session.execute(line))
            }
            reader?.finish()
            if !session.finished { show(try session.execute("done")) }
            if let debrief, let markdown = session.lastDebrief?.markdown { try OutputFile.write(markdown, to: debrief, force: force) }
        }
    }
}

struct DrillNotFound: UserFacingError {
    var name: String
    var known: [String]
    var exitStatus: ExitStatus { .usage }
    var description: String {
        "error: no drill '\(name)'" + (NearestName.suggest(name, among: known).map { " (did you mean '\($0)'?)" } ?? "") + "; `rehearse drill --list` shows them"
    }
}
