/// One generated history: where it starts and the steps taken from there.
public struct ExploredHistory: Sendable {
    /// Production before the deploy (005, v2.0.0 running) or just after it (007, Sprint 3 running).
    public enum Start: String, Sendable {
        case beforeDeploy = "before the deploy"
        case afterDeploy = "after the deploy"

        var revision: String { self == .beforeDeploy ? "005_add_immutability_triggers" : "007_add_agent_traces" }
        var code: CodeVersion { self == .beforeDeploy ? .v2 : .sprint3 }
    }

    public var start: Start
    public var steps: [StepAction]
}

/// Draws random but valid histories from the rehearsal's step vocabulary: the deploy steps of
/// 3.1 in any order, migrations up and down, MCP tool calls by agents, approvals and rejections
/// by any user, time moved across expiry boundaries, the viewer, backups and restores, the
/// allowed faults, 6.1's rollback plans, and the checklist's own command lines. Steps name rows
/// the way scenario files do (`#2`, `latest`, `role:approver`, `open`), so a history stays
/// meaningful when the shrinker removes steps before them. The same seed draws the same history.
struct HistoryGenerator {
    let faults: [String]
    let plans: [String]
    /// The checklist's command lines and SQL statements outside its rollback plans.
    let checklistLines: [StepAction]

    init(faults: [String], checklist: Checklist) {
        self.faults = faults
        self.plans = checklist.planIds
        let planSections = Set(checklist.planIds.compactMap { checklist.planItems($0)?.map(\.section) }.joined())
        var lines: [StepAction] = []
        for item in checklist.items where item.isRunnable && !planSections.contains(item.section) {
            switch item.kind {
            case .command(let line) where (try? ShellSession.validate(line)) != nil: lines.append(.shell([line]))
            case .sql(let sql): lines.append(.sql(sql))
            default: break
            }
        }
        self.checklistLines = lines
    }

    static let agents = ["agent:triage-bot", "agent:policy-bot", "agent:rogue-bot"]
    static let reviewers = ["role:approver", "role:admin", "role:approver#2", "role:analyst", "role:viewer", "role:auditor", "role:approver!"]
    static let durations = ["5m", "1h", "6h", "23h", "24h", "25h", "3d"]

    func history(seed: UInt64, run: Int, steps: Int) -> ExploredHistory {
        var random = SeededGenerator(seed: SeededGenerator.mix(seed &* 0x9E37_79B9_7F4A_7C15 &+ UInt64(run)))
        let start: ExploredHistory.Start = random.chance(50) ? .beforeDeploy : .afterDeploy
        var state = Drawn()
        var actions: [StepAction] = []
        for _ in 0..<steps { actions.append(draw(&random, &state)) }
        return ExploredHistory(start: start, steps: actions)
    }

    /// What earlier steps made nameable: backups taken, proposals that may exist.
    struct Drawn {
        var backups: [String] = []
        var proposals = 0
    }

    private func pick<T>(_ items: [T], _ random: inout SeededGenerator) -> T { items[random.below(items.count)] }

    private func services(_ random: inout SeededGenerator) -> [ServiceName] {
        if random.chance(15) { return ServiceName.allCases }
        return [pick(ServiceName.allCases, &random)]
    }

    private func draw(_ random: inout SeededGenerator, _ state: inout Drawn) -> StepAction {
        // Weights: application activity and time most often, deploy steps next, the rest rarer.
        var kinds: [(Int, String)] = [
            (14, "tool"), (12, "review"), (10, "advance"), (5, "maintenance"), (6, "service"), (5, "deploy"), (6, "migrate"),
            (3, "backup"), (3, "restore"), (3, "view"), (3, "task"), (2, "read"), (3, "decide"), (3, "baseline"), (4, "checklist"), (2, "flush"),
        ]
        if !plans.isEmpty { kinds.append((2, "plan")) }
        if !faults.isEmpty { kinds.append((4, "fault")) }
        var roll = random.below(kinds.reduce(0) { $0 + $1.0 })
        var kind = kinds[0].1
        for (weight, name) in kinds {
            if roll < weight { kind = name; break }
            roll -= weight
        }
        switch kind {
        case "tool":
            state.proposals += 1
            let caller = pick(Self.agents, &random)
            switch random.below(3) {
            case 0:
                let amount = [150, 9500, 25000, 120000][random.below(4)]
                return .tool(name: "propose_signal", caller: caller, arguments: .object([
                    ("subject", .string("acct-\(random.below(60))")), ("signal_type", .string(pick(["anomaly", "threshold_breach", "manual_review"], &random))),
                    ("payload", .object([("amount", .int(amount)), ("country", .string(pick(["DE", "FR", "US"], &random)))])),
                ]))
            case 1:
                return .tool(name: "propose_policy_draft", caller: caller, arguments: .object([
                    ("policy", .string(pick(["POL-AML-001", "POL-KYC-002"], &random))),
                    ("rules", .object([("rules", .array([.object([("id", .string("amount_limit")), ("pointer", .string("/amount")), ("op", .string("gt")),
                                                                  ("value", .int(pick([5000, 9000], &random))), ("outcome", .string("fail"))])])),
                                       ("default", .string("pass"))])),
                ]))
            default:
                return .tool(name: "dismiss_exception", caller: caller, arguments: .object([
                    ("exception", .string(pick(["open", "open#2", "under_review"], &random))), ("reason", .string("duplicate of an earlier alert")),
                ]))
            }
        case "review":
            let proposal = state.proposals == 0 || random.chance(20) ? "latest" : "#\(1 + random.below(state.proposals))"
            let reviewer = pick(Self.reviewers, &random)
            return random.chance(70) ? .approve(proposal: proposal, reviewer: reviewer, notes: nil) : .reject(proposal: proposal, reviewer: reviewer, notes: "not now")
        case "advance":
            let text = pick(Self.durations, &random)
            return .advance(seconds: DurationText.seconds(text)!, text: text)
        case "maintenance": return .maintenance(on: random.chance(50))
        case "service":
            switch random.below(3) {
            case 0: return .stop(services(&random))
            case 1: return .start(services(&random))
            default: return .restart(services(&random))
            }
        case "deploy":
            switch random.below(5) {
            case 0: return .deploy(version: .v2, services: ServiceName.allCases)
            case 1: return .build(pick(ServiceName.application, &random))
            case 2: return .shell(["docker compose up -d"])
            default: return .deploy(version: .sprint3, services: ServiceName.allCases)
            }
        case "migrate":
            switch random.below(5) {
            case 0: return .migrate(upgrade: true, target: "head")
            case 1, 2: return .migrate(upgrade: true, target: "+1")
            case 3: return .migrate(upgrade: false, target: "-1")
            default: return .migrate(upgrade: false, target: "005_add_immutability_triggers")
            }
        case "backup":
            let name = "explore_\(state.backups.count + 1)"
            state.backups.append(name)
            return .backup(name: name)
        case "restore":
            return .restore(name: state.backups.isEmpty ? "explore_1" : pick(state.backups, &random))
        case "view": return .viewTraces(random.chance(60) ? nil : "latest")
        case "task": return .expireTask(dryRun: random.chance(25))
        case "read": return random.chance(50) ? .health : .listApprovals(status: pick(["pending", "approved", "expired"], &random))
        case "decide":
            let hard = random.chance(40)
            return .decide(exception: pick(["open", "under_review"], &random), type: pick(["accept_risk", "remediate", "escalate", "reject"], &random),
                           hardOverride: hard, by: pick(["role:analyst", "role:approver"], &random),
                           approvedBy: hard && random.chance(60) ? pick(["role:approver", "role:admin", "role:viewer"], &random) : nil,
                           rationale: "explored decision")
        case "baseline": return .baseline(label: "explore")
        case "checklist": return checklistLines.isEmpty ? .health : pick(checklistLines, &random)
        case "flush": return .flushCache
        case "plan": return .rollback(plan: pick(plans, &random), backup: state.backups.last)
        default: return .fault(pick(faults, &random))
        }
    }
}
