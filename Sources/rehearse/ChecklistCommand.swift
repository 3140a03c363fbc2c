import ArgumentParser
import Foundation
import RehearsalKit

struct ChecklistCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "checklist",
        abstract: "Rehearse the deploy checklist as written: its phases, command lines, checks and rollback plans.",
        discussion: """
            Runs the checklist's phases in order on a seeded world (every command line through the interpreter, every \
            # Verify:/# Expected: judged, the invariants after each item) and rehearses each rollback plan against the \
            fault 6.1 sends to it. With --fault, the fault strikes and the plan of 6.1 (or --plan) runs as written. \
            --format markdown writes the checklist back as a filled deploy record. Exit 0 when every item did what the \
            checklist says and every plan works, 1 otherwise, 2 for an invalid checklist or option.
            """)

    @Argument(help: "The checklist (default: the shipped deployment-checklist-sprint3.md).") var file: String?
    @Option(name: .long, help: "The checklist, as an option (the same as the argument).") var checklist: String?
    @Option(name: .long, help: "The last phase to run (1-8).") var through: Int?
    @Option(name: .long, help: "A fault that strikes during the deploy (`rehearse faults`).") var fault: String?
    @Option(name: .long, help: "The plan to run after the fault: auto (6.1's tree) or a plan id.") var plan: String = "auto"
    @Option(name: .long, help: "text, json or markdown.") var format: Format = .text
    @Option(name: .long, help: "Write the record here instead of stdout.") var output: String?
    @Flag(name: .long, help: "Replace an existing output file of another kind (never a directory, a device or the database).") var force = false
    @Option(name: .long, help: "The seed of the fixtures and ids.") var seed: UInt64 = 42
    @Option(name: .long, help: "Code delivery of the simulated compose file: baked or bind.") var code: String = "baked"
    @Option(name: .long, help: "Replace a prose step's command line: 'PROSE=COMMAND' (repeatable).") var prose: [String] = []
    @Flag(name: .long, help: "Skip rehearsing every plan against its fault.") var noPlans = false

    enum Format: String, ExpressibleByArgument, CaseIterable { case text, json, markdown }

    func validate() throws {
        if file != nil && checklist != nil { throw ValidationError("give the checklist once: as the argument or with --checklist") }
        if let through, !(1...8).contains(through) { throw ValidationError("--through must be a phase, 1 to 8") }
        if let fault, FaultCatalog.named(fault) == nil {
            throw ValidationError("unknown fault '\(fault)'" + (NearestName.suggest(fault, among: FaultCatalog.names).map { " (did you mean '\($0)'?)" } ?? ""))
        }
        if ComposeOptions.CodeDelivery(rawValue: code) == nil { throw ValidationError("--code must be baked or bind") }
        for entry in prose where !entry.contains("=") { throw ValidationError("--prose takes 'PROSE=COMMAND', got '\(entry)'") }
    }

    func run() throws {
        try reportingErrors("checklist") {
            let checklist = try (file ?? self.checklist).map { try ChecklistParser.load(path: $0) } ?? ChecklistParser.shipped()
            if plan != "auto", checklist.plans[plan] == nil {
                throw ChecklistError(SourceLocation(file: checklist.file, line: 1, column: 1), "no rollback plan '\(plan)' (plans: \(checklist.planIds.joined(separator: ", ")))")
            }
            if let output { _ = try OutputFile.check(output, kind: .text, force: force) }
            var rehearsal = ChecklistRehearsal(checklist: checklist, chain: try RevisionChain.shipped())
            rehearsal.seed = seed
            rehearsal.through = through
            rehearsal.fault = fault.flatMap(FaultCatalog.named)
            rehearsal.plan = plan == "auto" ? nil : plan
            rehearsal.compose.code = ComposeOptions.CodeDelivery(rawValue: code)!
            rehearsal.prose = try prose.map { entry in
                let parts = entry.split(separator: "=", maxSplits: 1).map(String.init)
                try ShellSession.validate(parts[1])
                return (parts[0], [parts[1]])
            }
            var record = try rehearsal.run()
            if !noPlans {
                var summary = rehearsal
                summary.fault = nil
                summary.plan = nil
                record.plans = try summary.rehearsePlans()
            }
            let text: String
            switch format {
            case .text: text = record.text()
            case .json: text = record.json().pretty()
            case .markdown: text = record.markdown()
            }
            if let output {
                try OutputFile.write(text, to: output, force: force)
                print("checklist record written to \(output)")
            } else {
                print(text)
            }
            let plansWork = record.plans.allSatisfy { $0.verdict == .works || $0.verdict == .notRehearsed } && (record.planVerdict.map { $0.verdict == .works } ?? true)
            if !record.flagged.isEmpty || !plansWork { throw ExitCode(ExitStatus.failed.rawValue) }
        }
    }
}
