import GRDB

/// Fills checklist 8.1's Go/No-Go summary from what a run observed: each item reads the
/// database (`alembic_version`, the tables a revision creates), the simulated world or the
/// invariants after a step, never the text a step printed.
///
/// Items are judged within the scenario's scope: an item is GO or NO-GO only when the scenario
/// did what the item is about (a baseline step, an upgrade across 006, a code deploy, the viewer
/// opened); otherwise it is `not rehearsed`, so a migration test is not NO-GO for the backup it
/// never meant to take. A NO-GO the scenario expects (its step was expected to fail, or every
/// invariant behind it is named by `broken:` or `tolerate:`) is marked `expected`.
struct GoNoGoObserver {
    /// nil: no such step; true: one succeeded; false: every one failed (and whether expected).
    var baseline: Outcome?
    var backup: Outcome?
    /// immutability.* at the step before the first upgrade.
    var triggersBeforeDeploy: (holds: Bool, expected: Bool, step: Int)??
    var migration006: Outcome?
    var migration007: Outcome?
    /// `alembic_version` before the step being observed.
    var revision: String?
    var startsDeployed: Bool
    /// The scenario starts on v2.0.0's code: a deploy can be rehearsed.
    let startsOnOldCode: Bool
    /// The tree the first code deploy checked out, and the step.
    var deployed: (tree: FileTree, step: Int)?
    /// The first step after the deploy at which the backend ran the deployed code.
    var restartedAt: Int?
    let initialWorktree: FileTree
    var lastMigrationTime: Timestamp?
    /// baseline.counts_unchanged right after the last successful upgrade, as 4.1 checks it.
    var countsAfterMigrations: (status: InvariantStatus, expected: Bool, step: Int)?
    var viewerOpened = false
    var previous: StepRecord?

    struct Outcome {
        var succeeded: Bool
        var step: Int
        var expected: Bool
        var detail: String = ""
    }

    static let immutability = ["immutability.decisions", "immutability.evidence_packs", "immutability.audit_events"]

    init(revision: String?, world: World, startsDeployed: Bool = false) {
        self.revision = revision
        self.initialWorktree = world.stack.repository.worktree
        self.startsOnOldCode = !startsDeployed
        self.startsDeployed = startsDeployed || Self.ordinal(revision) >= 6
    }

    /// The number a revision id starts with (`006_add_pending_proposals` → 6), -1 for none.
    static func ordinal(_ revision: String?) -> Int { revision.flatMap { Int($0.prefix { $0.isNumber }) } ?? -1 }

    /// A step that succeeded wins over earlier failures; a failure counts only when nothing succeeded.
    static func merge(_ old: Outcome?, _ new: Outcome) -> Outcome {
        guard let old else { return new }
        if old.succeeded { return old }
        return new.succeeded ? new : old
    }

    mutating func observe(_ action: StepAction, _ record: StepRecord, db: Database, world: World) {
        defer { previous = record }
        let before = revision
        revision = try? MigrationBookkeeping.currentRevision(db)
        // A failure the step expects (an error it names) is the point of the step.
        let expectedFailure = !record.succeeded && record.passed
        let (from, to) = (Self.ordinal(before), Self.ordinal(revision))
        // An upgrade is whatever moved alembic_version up: a `migrate:` step or a command line
        // (`docker compose exec backend alembic upgrade head`); restores and plans are not upgrades.
        let isUpgradeAttempt: Bool
        switch action {
        case .migrate(true, _): isUpgradeAttempt = true
        case .restore, .rollback: isUpgradeAttempt = false
        default: isUpgradeAttempt = record.succeeded && to > from
        }
        switch action {
        case .baseline: baseline = Self.merge(baseline, Outcome(succeeded: record.succeeded, step: record.number, expected: expectedFailure))
        case .backup: backup = Self.merge(backup, Outcome(succeeded: record.succeeded, step: record.number, expected: expectedFailure))
        case .viewTraces where record.succeeded: viewerOpened = true
        default: break
        }
        if isUpgradeAttempt {
            if triggersBeforeDeploy == nil {
                if let previous {
                    let statuses = previous.invariants.filter { Self.immutability.contains($0.info.id) }
                    let broken = statuses.filter(\.status.isBroken).map(\.info.id)
                    triggersBeforeDeploy = .some((statuses.allSatisfy(\.status.holds), broken.allSatisfy(previous.expectedBroken.contains), previous.number))
                } else {
                    triggersBeforeDeploy = .some(nil)
                }
            }
            if record.succeeded {
                lastMigrationTime = record.time
                if from < 6, to >= 6, (try? db.hasTable("pending_proposals")) == true {
                    migration006 = Self.merge(migration006, Outcome(succeeded: true, step: record.number, expected: false))
                }
                if from < 7, to >= 7, (try? db.hasTable("agent_traces")) == true {
                    migration007 = Self.merge(migration007, Outcome(succeeded: true, step: record.number, expected: false))
                }
                if to > from, let counts = record.invariants.first(where: { $0.info.id == "baseline.counts_unchanged" }) {
                    countsAfterMigrations = (counts.status, record.expectedBroken.contains(counts.info.id), record.number)
                }
            } else if from < 7 {
                // The first revision past `from` is the one that failed (or that the failure undid).
                let failed = Outcome(succeeded: false, step: record.number, expected: expectedFailure, detail: record.error ?? "")
                if from < 6 { migration006 = Self.merge(migration006, failed) } else { migration007 = Self.merge(migration007, failed) }
            }
        }
        // The code deploy: the first step (not a fault) that changes the checked-out tree of a
        // scenario that starts on v2.0.0; 8.1's restart item asks whether the backend then ran it.
        if startsOnOldCode, deployed == nil, world.stack.repository.worktree != initialWorktree {
            if case .fault = action {} else { deployed = (world.stack.repository.worktree, record.number) }
        }
        if let deployed, restartedAt == nil, world.stack.isRunning(.backend), world.stack.code(.backend) == ApplicationCode(files: deployed.tree) {
            restartedAt = record.number
        }
    }

    func items(final: StepRecord?, world: World, scenarioPassed: Bool) -> [GoNoGoItem] {
        let results = Dictionary(uniqueKeysWithValues: (final?.invariants ?? []).map { ($0.info.id, $0) })
        let expectedAtEnd = final?.expectedBroken ?? []
        let upgraded = migration006?.succeeded == true || migration007?.succeeded == true
        let deployedState = startsDeployed || deployed != nil || upgraded
        func item(_ section: String, _ name: String, _ status: GoNoGoItem.Status, _ evidence: String, expected: Bool = false) -> GoNoGoItem {
            GoNoGoItem(section: section, item: name, status: status, evidence: evidence, expected: status == .noGo && expected)
        }
        func notRehearsed(_ section: String, _ name: String, _ why: String) -> GoNoGoItem { item(section, name, .notRehearsed, why) }
        /// The invariants at the end: n/a is not rehearsed, unknown is unknown, any broken is NO-GO.
        func invariants(_ section: String, _ name: String, _ ids: [String]) -> GoNoGoItem {
            let found = ids.compactMap { results[$0] }
            let named = ids == Self.immutability ? "immutability.*" : ids.joined(separator: ", ")
            if found.count < ids.count || found.contains(where: { if case .notApplicable = $0.status { return true }; return false }) {
                return notRehearsed(section, name, "\(named) not applicable at the end")
            }
            let broken = found.filter(\.status.isBroken).map(\.info.id)
            if !broken.isEmpty {
                return item(section, name, .noGo, "broken at the end: \(broken.joined(separator: ", "))", expected: broken.allSatisfy(expectedAtEnd.contains))
            }
            if found.contains(where: \.status.isUnknown) { return item(section, name, .unknown, "\(found.filter(\.status.isUnknown).map(\.info.id).joined(separator: ", ")) could not be evaluated") }
            return item(section, name, .go, "\(named) \(ids.count == 1 ? "holds" : "hold") at the end")
        }
        func step(_ section: String, _ name: String, _ outcome: Outcome?, _ what: String) -> GoNoGoItem {
            guard let outcome else { return notRehearsed(section, name, "no \(what) step") }
            return outcome.succeeded ? item(section, name, .go, "\(what) at step \(outcome.step)")
                : item(section, name, .noGo, "the \(what) step \(outcome.step) failed", expected: outcome.expected)
        }
        func migration(_ number: String, _ table: String, _ outcome: Outcome?) -> GoNoGoItem {
            let name = "Migration \(number) successful"
            guard let outcome else { return notRehearsed("Deploy", name, "no upgrade step reached or attempted \(number)") }
            guard outcome.succeeded else {
                return item("Deploy", name, .noGo, "the upgrade at step \(outcome.step) failed: \(outcome.detail)", expected: outcome.expected)
            }
            let now = Self.ordinal(revision) >= Int(number)! ? "" : "; downgraded since (alembic_version is \(revision ?? "empty") at the end)"
            return item("Deploy", name, .go, "step \(outcome.step) moved alembic_version to \(number) and created \(table)\(now)")
        }
        func restarted() -> GoNoGoItem {
            let name = "API containers restarted"
            guard let deployed else { return notRehearsed("Deploy", name, startsOnOldCode ? "no code was deployed" : "the scenario starts on the deployed code") }
            guard let restartedAt else {
                return item("Deploy", name, .noGo, "the backend never ran the code deployed at step \(deployed.step)", expected: scenarioPassed)
            }
            return item("Deploy", name, .go, restartedAt == deployed.step ? "the backend ran the deployed code from step \(restartedAt), the deploy itself"
                        : "the backend ran the code deployed at step \(deployed.step) from step \(restartedAt)")
        }
        func counts() -> GoNoGoItem {
            let name = "Data counts unchanged"
            guard baseline?.succeeded == true else { return notRehearsed("Post-Deploy", name, "no baseline to compare with") }
            guard let (status, expected, step) = countsAfterMigrations else {
                return notRehearsed("Post-Deploy", name, "no upgrade ran after the baseline")
            }
            switch status {
            case .holds: return item("Post-Deploy", name, .go, "baseline.counts_unchanged held right after the migrations (step \(step)), as 4.1 checks it")
            case .broken: return item("Post-Deploy", name, .noGo, "baseline.counts_unchanged broken right after the migrations (step \(step))", expected: expected)
            case .unknown: return item("Post-Deploy", name, .unknown, "baseline.counts_unchanged could not be evaluated at step \(step)")
            case .notApplicable: return notRehearsed("Post-Deploy", name, "baseline.counts_unchanged not applicable at step \(step)")
            }
        }
        func triggers() -> GoNoGoItem {
            let name = "Immutability triggers verified"
            guard let checked = triggersBeforeDeploy else { return notRehearsed("Pre-Deploy", name, "no upgrade step") }
            guard let (holds, expected, step) = checked else { return notRehearsed("Pre-Deploy", name, "the first step is the upgrade: nothing was checked before it") }
            return holds ? item("Pre-Deploy", name, .go, "immutability.* held at step \(step), before the first upgrade")
                : item("Pre-Deploy", name, .noGo, "immutability.* not holding at step \(step), before the first upgrade", expected: expected)
        }
        let postDeploy = "the scenario never reaches the deployed state (no upgrade past 005, no code deployed)"
        func afterDeploy(_ name: String, _ body: () -> GoNoGoItem) -> GoNoGoItem { deployedState ? body() : notRehearsed("Post-Deploy", name, postDeploy) }
        let elapsed = lastMigrationTime.map { world.clock.seconds - $0.seconds } ?? -1
        func monitoring(_ hours: Int64) -> GoNoGoItem {
            let name = "+\(hours)h check completed"
            guard lastMigrationTime != nil, elapsed >= hours * 3600 else { return notRehearsed("Monitoring", name, "the run did not reach +\(hours)h after the migrations") }
            let critical = (final?.invariants ?? []).filter { $0.status.isBroken && $0.info.severity == .critical }.map(\.info.id)
            return critical.isEmpty ? item("Monitoring", name, .go, "no critical invariant broken at +\(elapsed / 3600)h")
                : item("Monitoring", name, .noGo, "critical invariant(s) broken at +\(elapsed / 3600)h: \(critical.joined(separator: ", "))", expected: critical.allSatisfy(expectedAtEnd.contains))
        }
        return [
            step("Pre-Deploy", "Baseline counts recorded", baseline, "baseline"),
            triggers(),
            notRehearsed("Pre-Deploy", "All tests passing", "pytest is outside the rehearsal"),
            notRehearsed("Pre-Deploy", "Staging verified", "staging is outside the rehearsal"),
            step("Pre-Deploy", "Backup created", backup, "backup"),
            migration("006", "pending_proposals", migration006),
            migration("007", "agent_traces", migration007),
            restarted(),
            afterDeploy("Data counts unchanged", counts),
            afterDeploy("Immutability triggers still active") { invariants("Post-Deploy", "Immutability triggers still active", Self.immutability) },
            afterDeploy("API health check passed") { invariants("Post-Deploy", "API health check passed", ["api.endpoints_healthy"]) },
            afterDeploy("MCP approval gate verified") {
                world.toolResults.isEmpty ? notRehearsed("Post-Deploy", "MCP approval gate verified", "no MCP tool was called")
                    : invariants("Post-Deploy", "MCP approval gate verified", ["approvals.gate_enforced"])
            },
            afterDeploy("Traces viewer PII check passed") {
                viewerOpened ? invariants("Post-Deploy", "Traces viewer PII check passed", ["traces.no_pii", "traces.viewer_no_pii"])
                    : notRehearsed("Post-Deploy", "Traces viewer PII check passed", "the viewer was not opened")
            },
            afterDeploy("Background task running") { invariants("Post-Deploy", "Background task running", ["tasks.expiration_healthy"]) },
            notRehearsed("Monitoring", "Alerts configured", "alerting is outside the rehearsal"),
            monitoring(1), monitoring(4), monitoring(24),
        ]
    }
}
