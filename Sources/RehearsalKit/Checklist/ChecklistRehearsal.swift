import GRDB

/// `rehearse checklist`: the checklist's phases in order on a seeded world, every command line
/// through the interpreter, every check judged, the invariants after every item; with a fault,
/// the fault strikes (migration faults before 3.1 step 4, the others after phase 3), phases 4
/// and 5 show its symptoms, an hour of traffic passes, and the plan 6.1's tree prescribes for
/// the symptom (or the one named) runs as written.
public struct ChecklistRehearsal {
    public var checklist: Checklist
    public var chain: RevisionChain
    public var seed: UInt64 = 42
    public var fixtures = "small"
    public var start = Seeder.defaultNow
    public var compose = ComposeOptions()
    public var prose: [(String, [String])] = []
    /// The last phase to run (1…8); nil runs them all.
    public var through: Int?
    public var fault: Fault?
    /// The plan to run after the fault; nil follows 6.1's tree.
    public var plan: String?
    /// What the fault-free deploy has broken at the decision point, once computed.
    var control: Set<String>?

    public init(checklist: Checklist, chain: RevisionChain) {
        self.checklist = checklist
        self.chain = chain
    }

    /// One item as the run met it, with the invariants broken after it.
    public struct Entry: Sendable {
        public var outcome: ItemOutcome
        public var phase: Int
        public var broken: [String]
        public var time: Timestamp
        /// Whether the item belongs to the rollback plan that ran.
        public var inPlan = false
    }

    /// The plan of 6.1 for a fault: the tree's branch whose symptom the fault shows, else the
    /// catalogue's plan (with the reason).
    public func decide(_ fault: Fault) -> (plan: String, reason: String) {
        let keywords: [String: [String]] = [
            "A": ["migration"], "B": ["endpoint"], "C": ["mcp", "approval"], "D": ["background task", "task"], "E": ["pii", "traces viewer"],
        ]
        let wanted = keywords[fault.rollback] ?? []
        if let branch = checklist.decisionTree.first(where: { branch in wanted.contains { branch.symptom.lowercased().contains($0) } }), branch.plan == fault.rollback {
            return (branch.plan, "6.1: \(branch.symptom)")
        }
        return (fault.rollback, "6.1 has no branch for this symptom; the catalogue's plan (\(fault.rollback))")
    }

    public func run() throws -> ChecklistRecord {
        let queue = try DatabaseOpener.open(path: nil)
        return try queue.writeWithoutTransaction { db in try run(db) }
    }

    func run(_ db: Database) throws -> ChecklistRecord {
        let scenario = Scenario(file: checklist.file, name: "checklist", description: "", tags: [], seed: seed, fixtures: fixtures, start: start,
                                revision: "005_add_immutability_triggers", code: .v2, steps: [], incident: nil, checklist: checklist, compose: compose, prose: prose)
        let runner = ScenarioRunner(chain: chain)
        try runner.setUp(db, for: scenario, seed: seed)
        let world = runner.makeWorld(scenario, seed: seed)
        world.evaluation.attach(to: db)
        try world.recordBaseline(try Baseline.capture(db, label: "pre-deploy"), db)
        let executor = ChecklistExecutor(shell: world.shell(db), prose: world.proseCommands)
        var record = ChecklistRecord(checklist: checklist, seed: seed, fault: fault?.name, baseline: world.baseline)
        var heldBeforeFault: Set<String> = []
        var struck = false

        func broken() throws -> (broken: [String], holding: Set<String>) {
            let results = try world.evaluation.evaluate(world.invariantContext(db))
            return (results.filter { $0.status.isBroken }.map(\.info.id), Set(results.filter { $0.status.holds }.map(\.info.id)))
        }
        func historyEvidence() throws -> [String: Set<String>] {
            let results = try InvariantCatalog.standard.evaluate(world.invariantContext(db), only: Set(PlanVerdict.historyInvariants))
            var evidence: [String: Set<String>] = [:]
            for result in results {
                if case .broken(_, let items) = result.status { evidence[result.info.id] = Set(items.map(InvariantReport.describe)) }
            }
            return evidence
        }
        func strike() throws {
            guard let fault, !struck else { return }
            struck = true
            heldBeforeFault = try broken().holding
            _ = try FaultInjection.inject(world, fault.name)
            record.struckAt = world.clock
        }
        func perform(_ item: ChecklistItem, phase: Int, inPlan: Bool = false) throws {
            let outcome = try executor.run(item)
            // A deploy takes time: each command's duration passes, and the beat schedule with it.
            let seconds = outcome.results.reduce(0) { $0 + $1.seconds }
            if seconds > 0 { try world.advance(db, by: seconds) }
            record.entries.append(Entry(outcome: outcome, phase: phase, broken: try broken().broken, time: world.clock, inPlan: inPlan))
        }

        let stepItems = checklist.items.filter { $0.isRunnable && $0.context.contains { $0.range(of: #"^Step \d+:"#, options: .regularExpression) != nil } }
        let phases = checklist.sections.compactMap(\.phase).reduce(into: [Int]()) { if !$0.contains($1) { $0.append($1) } }
        for phase in phases where phase <= (through ?? Int.max) {
            if phase == 6 {
                // The monitoring window before any decision: an hour of production traffic.
                try Traffic.run(db, world: world, from: world.clock.adding(seconds: 60), until: world.clock.adding(seconds: 3600))
                guard let fault else {
                    try Traffic.run(db, world: world, from: world.clock.adding(seconds: 60), until: world.clock.adding(seconds: 3600))
                    continue
                }
                let decision = plan.map { ($0, "named with --plan") } ?? decide(fault)
                guard let items = checklist.planItems(decision.0) else {
                    throw ChecklistError(SourceLocation(file: checklist.file, line: 1, column: 1), "the checklist has no rollback plan '\(decision.0)' (plans: \(checklist.planIds.joined(separator: ", ")))")
                }
                record.plan = decision.0
                record.planReason = decision.1
                record.planStart = record.entries.count
                let evidenceBefore = try historyEvidence()
                for item in items { try perform(item, phase: 6, inPlan: true) }
                // Judged after another hour: a plan must keep the invariants, not just touch them.
                try Traffic.run(db, world: world, from: world.clock.adding(seconds: 60), until: world.clock.adding(seconds: 3600))
                // Judged against the same deploy without the fault: what the plan leaves broken
                // that the fault-free deploy does not have broken (the traffic's own writes are
                // in both).
                // History invariants (the gate, the deploy order) judge what happened: their
                // evidence from before the plan is damage no plan undoes (reported as residue);
                // the plan fails them only by letting new evidence appear from its start on.
                let after = try broken()
                let unaffected = try control ?? controlBroken()
                let evidenceAfter = try historyEvidence()
                var stillBroken: [String] = []
                var residue: [String] = []
                for id in after.broken where heldBeforeFault.contains(id) && !unaffected.contains(id) {
                    if let now = evidenceAfter[id] {
                        let before = evidenceBefore[id] ?? []
                        if now.isSubset(of: before) { residue.append("\(id): \(before.count) item(s) of evidence from before the plan") } else { stillBroken.append(id) }
                    } else {
                        stillBroken.append(id)
                    }
                }
                record.planVerdict = PlanVerdict(plan: decision.0, section: checklist.plans[decision.0]!, fault: fault.name,
                                                 outcomes: record.entries[record.planStart!...].map(\.outcome), stillBroken: stillBroken, residue: residue)
                continue
            }
            let sections = checklist.sections.filter { $0.phase == phase && $0.number.contains(".") }
            for section in sections {
                for item in checklist.items(in: section.number) where item.isRunnable {
                    if case .step(let number, _) = item.kind {
                        if number == 4, fault?.name.hasPrefix("migration.") == true { try strike() }
                        let mapped = stepItems.filter { $0.context.contains { $0.hasPrefix("Step \(number):") } }
                        if mapped.isEmpty { try perform(item, phase: phase) } else {
                            let first = record.entries.count
                            for step in mapped { try perform(step, phase: phase) }
                            // The step itself carries the verdict of the lines that stand for it.
                            let flagged = record.entries[first...].first { $0.outcome.isFlagged }
                            let status: ItemOutcome.Status = flagged.map { .flagged("line \($0.outcome.item.line): " + { if case .flagged(let why) = $0.outcome.status { return why }; return "" }($0)) } ?? .done
                            record.entries.append(Entry(outcome: ItemOutcome(item: item, results: [], checks: [], status: status), phase: phase,
                                                        broken: record.entries.last?.broken ?? [], time: world.clock))
                        }
                        continue
                    }
                    if stepItems.contains(where: { $0.line == item.line }) { continue }
                    try perform(item, phase: phase)
                }
            }
            if phase == 3 { try strike() }
        }
        record.final = try? Baseline.capture(db, label: "post-deploy")
        record.finalBroken = try broken().broken
        record.toolGate = try ToolGateTable.derive(db)
        record.commit = world.stack.repository.headCommit.id
        record.revision = try MigrationBookkeeping.currentRevision(db)
        return record
    }

    /// The invariants broken at the end of phase 6 by the same deploy without a fault.
    func controlBroken() throws -> Set<String> {
        var rehearsal = self
        rehearsal.fault = nil
        rehearsal.plan = nil
        rehearsal.through = 6
        return try rehearsal.finalBroken()
    }

    /// Runs the rehearsal and returns what is broken at its end.
    func finalBroken() throws -> Set<String> {
        let queue = try DatabaseOpener.open(path: nil)
        return try queue.writeWithoutTransaction { db in
            Set(try run(db).finalBroken)
        }
    }

    /// The fault each plan is rehearsed against: the symptom its branch of 6.1 names.
    static let representative: [String: Fault] = [
        "A": .migrationFailMidway, "B": .apiApprovalsBroken, "C": .mcpBypassApproval, "D": .taskExpirationFails, "E": .viewerUnsanitized,
        "full": .migrationDropsTrigger,
    ]

    /// Every plan of the checklist rehearsed against the fault 6.1 sends to it.
    public func rehearsePlans() throws -> [PlanVerdict] {
        var base = self
        base.control = try controlBroken()
        return try checklist.planIds.map { plan in
            guard let fault = Self.representative[plan] ?? FaultCatalog.all.first(where: { $0.rollback == plan }) else {
                return PlanVerdict(plan: plan, section: checklist.plans[plan]!, fault: nil, outcomes: [], stillBroken: [])
            }
            var rehearsal = base
            rehearsal.fault = fault
            rehearsal.plan = plan
            rehearsal.through = 6
            return try rehearsal.run().planVerdict!
        }
    }
}

/// Whether a plan, followed as written, restored what the fault broke.
public struct PlanVerdict: Sendable {
    public var plan: String
    public var section: String
    /// The fault it was rehearsed against; nil when no fault of the catalogue calls for it.
    public var fault: String?
    public var outcomes: [ItemOutcome]
    /// Invariants that held before the fault and are still broken after the plan (for a
    /// history invariant: that gained evidence from the plan's start on).
    public var stillBroken: [String]
    /// Damage done before the plan that no plan undoes (rows written through a bypass).
    public var residue: [String] = []

    /// Invariants that judge what happened rather than what is: the audit trail of gated writes,
    /// the order migrations ran in.
    public static let historyInvariants = ["approvals.gate_enforced", "deploy.order_followed"]

    public enum Verdict: String, Sendable { case works, worksWithErrors = "restores, with errors", fails = "does not work", notRehearsed = "not rehearsed" }

    public var verdict: Verdict {
        guard fault != nil else { return .notRehearsed }
        if !stillBroken.isEmpty { return .fails }
        return firstWrong == nil ? .works : .worksWithErrors
    }

    /// The first command line that did not do what the checklist says, and why.
    public var firstWrong: ItemOutcome? {
        outcomes.first { if case .flagged = $0.status { return true }; return false }
    }
}

/// What `rehearse checklist` found: the checklist filled in.
public struct ChecklistRecord: Sendable {
    public var checklist: Checklist
    public var seed: UInt64
    public var fault: String?
    public var baseline: Baseline?
    public var final: Baseline?
    public var entries: [ChecklistRehearsal.Entry] = []
    public var plan: String?
    public var planReason: String?
    public var planStart: Int?
    public var planVerdict: PlanVerdict?
    public var plans: [PlanVerdict] = []
    public var struckAt: Timestamp?
    /// Checklist 4.5's table as the database shows it at the end.
    public var toolGate: [String: ToolGateRow] = [:]
    public var commit: String = ""
    public var revision: String?
    /// The invariants broken when the rehearsal ended.
    public var finalBroken: [String] = []

    init(checklist: Checklist, seed: UInt64, fault: String?, baseline: Baseline?) {
        self.checklist = checklist
        self.seed = seed
        self.fault = fault
        self.baseline = baseline
    }

    public var flagged: [ChecklistRehearsal.Entry] {
        entries.filter { if case .flagged = $0.outcome.status { return true }; return false }
    }
}
