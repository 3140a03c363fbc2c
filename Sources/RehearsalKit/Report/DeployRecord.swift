/// What the deploy record says about a run as a whole: the overall GO/NO-GO with its reasons,
/// and 8.1's items judged across every scenario. Rendered by `RunReport.markdown(context:)`;
/// the rules are documented in docs/deploy-record.md.
///
/// The verdict is NO-GO when the rehearsal found something the team has not accepted or a
/// safety net that does not hold:
/// - a scenario failed (an expectation was not met, or an invariant broke that no step names);
/// - a rehearsed rollback plan ends with invariants still broken (the plan does not repair what
///   it is for, even when its scenario expects exactly that: a known hole is still a hole);
/// - an 8.1 item is NO-GO where its scenario does not expect it, or no scenario showed it GO.
/// Breaks a scenario expects outside a rollback plan (a tampering demonstration, a guard) are
/// listed as accepted, not blocking; items no scenario reached are "not rehearsed", never NO-GO.
public struct DeployVerdict: Sendable {
    public var go: Bool
    public var blocking: [String]
    public var accepted: [String]
    public var notRehearsed: [String]
    public var items: [AggregatedItem]

    /// One 8.1 item across the run.
    public struct AggregatedItem: Sendable {
        public var section: String
        public var item: String
        public var status: GoNoGoItem.Status
        public var summary: String
    }

    public init(_ report: RunReport, context: DeployRecordContext) {
        var blocking: [String] = []
        var accepted: [String] = []
        for scenario in report.scenarios {
            let name = DeployVerdict.shortName(scenario)
            if let step = scenario.firstFailingStep {
                let unmet = step.expectations.first { !$0.met }
                blocking.append("`\(name)` failed at step \(step.number) (\(step.action)): expected \(unmet?.description ?? "?")\(unmet?.detail.map { " — \($0)" } ?? "")")
                continue
            }
            let broken = scenario.brokenAtEnd.map(\.info.id)
            guard !broken.isEmpty else { continue }
            if !scenario.plansRun.isEmpty {
                let plans = scenario.plansRun.map { context.planName($0, checklist: scenario.checklist) }.joined(separator: ", then ")
                blocking.append("`\(name)`: \(plans) leaves \(broken.joined(separator: ", ")) broken at the end (expected by the scenario: a known hole in the plan)")
            } else {
                accepted.append("`\(name)` ends with \(broken.joined(separator: ", ")) broken, as the scenario expects")
            }
        }
        var items: [AggregatedItem] = []
        var order: [String] = []
        var byItem: [String: [(scenario: String, item: GoNoGoItem)]] = [:]
        for scenario in report.scenarios {
            for item in scenario.goNoGo {
                if byItem[item.item] == nil { order.append(item.item) }
                byItem[item.item, default: []].append((DeployVerdict.shortName(scenario), item))
            }
        }
        var notRehearsed: [String] = []
        for name in order {
            let results = byItem[name]!
            let section = results[0].item.section
            let go = results.filter { $0.item.status == .go }.map(\.scenario)
            let unexpected = results.filter { $0.item.status == .noGo && !$0.item.expected }
            let expected = results.filter { $0.item.status == .noGo && $0.item.expected }.map(\.scenario)
            let unknown = results.filter { $0.item.status == .unknown }
            func list(_ names: [String]) -> String { names.count > 4 ? "\(names.prefix(4).joined(separator: ", ")) and \(names.count - 4) more" : names.joined(separator: ", ") }
            let expectedNote = expected.isEmpty ? "" : "; NO-GO where the scenario expects it: \(list(expected))"
            if !unexpected.isEmpty {
                items.append(AggregatedItem(section: section, item: name, status: .noGo,
                                            summary: "NO-GO in \(unexpected.map { "\($0.scenario) (\($0.item.evidence))" }.joined(separator: "; "))"))
                blocking.append("8.1 \(name): NO-GO in \(list(unexpected.map(\.scenario))), which does not expect it")
            } else if !unknown.isEmpty {
                items.append(AggregatedItem(section: section, item: name, status: .unknown, summary: "could not be evaluated in \(list(unknown.map(\.scenario)))"))
                blocking.append("8.1 \(name): could not be evaluated in \(list(unknown.map(\.scenario)))")
            } else if !go.isEmpty {
                items.append(AggregatedItem(section: section, item: name, status: .go, summary: "GO in \(go.count == 1 ? go[0] : "\(go.count) scenarios")\(expectedNote)"))
            } else if !expected.isEmpty {
                items.append(AggregatedItem(section: section, item: name, status: .noGo, summary: "never GO: NO-GO in \(list(expected)), as expected there"))
                blocking.append("8.1 \(name): no scenario shows it GO (NO-GO in \(list(expected)))")
            } else {
                let reasons = Set(results.map(\.item.evidence))
                items.append(AggregatedItem(section: section, item: name, status: .notRehearsed, summary: reasons.count == 1 ? reasons.first! : "no scenario reached it"))
                notRehearsed.append(name)
            }
        }
        self.go = blocking.isEmpty
        self.blocking = blocking
        self.accepted = accepted
        self.notRehearsed = notRehearsed
        self.items = items
    }

    /// A scenario as the record names it: its file's base name.
    static func shortName(_ scenario: ScenarioRecord) -> String {
        String(scenario.file.split(separator: "/").last ?? Substring(scenario.file))
    }
}

/// What the record's header needs beyond the run: the checklist's fields filled from options
/// (or left blank to fill by hand), the release and the migrations that were rehearsed.
public struct DeployRecordContext: Sendable {
    public var deployDate: String?
    public var deployLead: String?
    public var commit: String?
    /// The checklist whose header, Baseline Values and sign-off tables the record follows.
    public var checklist: Checklist?
    public var migrations: [(id: String, checksum: String)]
    public var version: String
    /// The checklist's migration Risk Assessments (2.1, 2.2) against `rehearse locks`.
    public var locks: [LockAssessment.Section] = []

    public init(deployDate: String? = nil, deployLead: String? = nil, commit: String? = nil, checklist: Checklist?,
                migrations: [(id: String, checksum: String)], version: String = RehearseVersion.current) {
        (self.deployDate, self.deployLead, self.commit, self.checklist, self.migrations, self.version) = (deployDate, deployLead, commit, checklist, migrations, version)
    }

    public init(chain: RevisionChain, checklist: Checklist?, deployDate: String? = nil, deployLead: String? = nil, commit: String? = nil) {
        self.init(deployDate: deployDate, deployLead: deployLead, commit: commit, checklist: checklist,
                  migrations: chain.revisions.map { ($0.id, $0.checksum) })
        locks = LockAssessment.forChecklist(checklist)
    }

    /// "plan C (6.4)" when the record's checklist has the plan's section, else "plan C".
    func planName(_ plan: String, checklist file: String) -> String {
        let label = plan == "full" ? "the full rollback" : "plan \(plan)"
        guard let checklist, checklist.file == file || file.isEmpty, let section = checklist.plans[plan] else {
            return file.isEmpty ? label : "\(label) of \(file.split(separator: "/").last ?? "")"
        }
        return "\(label) (\(section))"
    }
}
