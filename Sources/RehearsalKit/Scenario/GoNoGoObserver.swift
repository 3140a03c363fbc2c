import GRDB

/// Fills checklist 8.1's Go/No-Go summary from what a run observed: each item reads the
/// database (`alembic_version`, the tables a revision creates) or the simulated world after
/// the step, never the text a step printed.
struct GoNoGoObserver {
    var baselineRecorded = false
    var backupCreated = false
    var triggersVerifiedBeforeDeploy: Bool?
    /// The step whose upgrade moved `alembic_version` past the revision and left its table in place.
    var migration006: Int?
    var migration007: Int?
    /// `alembic_version` before the step being observed.
    var revision: String?
    var apiRestarted = false
    var deployed = false
    var lastMigrationTime: Timestamp?
    var viewerOpened = false

    static let immutability = ["immutability.decisions", "immutability.evidence_packs", "immutability.audit_events"]

    init(revision: String?) {
        self.revision = revision
    }

    /// The number a revision id starts with (`006_add_pending_proposals` → 6), -1 for none.
    static func ordinal(_ revision: String?) -> Int { revision.flatMap { Int($0.prefix { $0.isNumber }) } ?? -1 }

    mutating func observe(_ action: StepAction, _ record: StepRecord, db: Database) {
        let holds = Dictionary(uniqueKeysWithValues: record.invariants.map { ($0.info.id, $0.status.holds) })
        let before = revision
        revision = try? MigrationBookkeeping.currentRevision(db)
        if case .migrate(true, _) = action, record.succeeded {
            let (from, to) = (Self.ordinal(before), Self.ordinal(revision))
            if from < 6, to >= 6, (try? db.tableExists("pending_proposals")) == true { migration006 = record.number }
            if from < 7, to >= 7, (try? db.tableExists("agent_traces")) == true { migration007 = record.number }
        }
        switch action {
        case .baseline where record.succeeded: baselineRecorded = true
        case .backup where record.succeeded: backupCreated = true
        case .migrate(true, _):
            if triggersVerifiedBeforeDeploy == nil { triggersVerifiedBeforeDeploy = false }
            if record.succeeded { lastMigrationTime = record.time }
        case .restart(let services) where record.succeeded && services.contains(.backend) && deployed: apiRestarted = true
        case .deploy(.sprint3, _) where record.succeeded: deployed = true
        case .viewTraces where record.succeeded: viewerOpened = true
        default: break
        }
        if triggersVerifiedBeforeDeploy == nil && Self.immutability.allSatisfy({ holds[$0] == true }) {
            triggersVerifiedBeforeDeploy = true
        }
    }

    func items(final: StepRecord?, world: World) -> [GoNoGoItem] {
        let status = Dictionary(uniqueKeysWithValues: (final?.invariants ?? []).map { ($0.info.id, $0.status) })
        func item(_ section: String, _ name: String, _ ok: Bool?, _ evidence: String) -> GoNoGoItem {
            GoNoGoItem(section: section, item: name, status: ok.map { $0 ? .go : .noGo } ?? .notRehearsed, evidence: evidence)
        }
        func holds(_ ids: [String]) -> Bool? {
            let statuses = ids.compactMap { status[$0] }
            if statuses.contains(where: { if case .notApplicable = $0 { return true }; return false }) { return nil }
            return statuses.allSatisfy(\.holds)
        }
        let elapsed = lastMigrationTime.map { world.clock.seconds - $0.seconds } ?? -1
        let healthyAtEnd = !(final?.invariants.contains { $0.status.isBroken && $0.info.severity == .critical } ?? true)
        func monitoring(_ hours: Int64) -> GoNoGoItem {
            guard lastMigrationTime != nil, elapsed >= hours * 3600 else { return item("Monitoring", "+\(hours)h check completed", nil, "the run did not reach +\(hours)h after the migrations") }
            return item("Monitoring", "+\(hours)h check completed", healthyAtEnd, healthyAtEnd ? "no critical invariant broken at +\(elapsed / 3600)h" : "a critical invariant is broken at the end")
        }
        func migration(_ number: String, _ table: String, _ step: Int?) -> GoNoGoItem {
            guard let step else { return item("Deploy", "Migration \(number) successful", false, "no upgrade step moved alembic_version to \(number) with \(table) in place") }
            let now = Self.ordinal(revision) >= Int(number)! ? "" : "; downgraded since (alembic_version is \(revision ?? "empty") at the end)"
            return item("Deploy", "Migration \(number) successful", true, "step \(step) moved alembic_version to \(number) and created \(table)\(now)")
        }
        return [
            item("Pre-Deploy", "Baseline counts recorded", baselineRecorded, baselineRecorded ? "baseline step" : "no baseline step"),
            item("Pre-Deploy", "Immutability triggers verified", triggersVerifiedBeforeDeploy ?? false, "immutability.* held before the first migration"),
            item("Pre-Deploy", "All tests passing", nil, "pytest is outside the rehearsal"),
            item("Pre-Deploy", "Staging verified", nil, "staging is outside the rehearsal"),
            item("Pre-Deploy", "Backup created", backupCreated, backupCreated ? "backup step" : "no backup step"),
            migration("006", "pending_proposals", migration006),
            migration("007", "agent_traces", migration007),
            item("Deploy", "API containers restarted", apiRestarted, apiRestarted ? "backend restarted after the code deploy" : "no restart after deploy"),
            item("Post-Deploy", "Data counts unchanged", holds(["baseline.counts_unchanged"]), "baseline.counts_unchanged at the end"),
            item("Post-Deploy", "Immutability triggers still active", holds(Self.immutability), "immutability.* at the end"),
            item("Post-Deploy", "API health check passed", holds(["api.endpoints_healthy"]), "api.endpoints_healthy at the end"),
            item("Post-Deploy", "MCP approval gate verified", world.toolResults.isEmpty ? nil : holds(["approvals.gate_enforced"]),
                 world.toolResults.isEmpty ? "no MCP tool was called" : "approvals.gate_enforced at the end, \(world.toolResults.count) tool(s) exercised"),
            item("Post-Deploy", "Traces viewer PII check passed", viewerOpened ? holds(["traces.viewer_no_pii", "traces.no_pii"]) : nil,
                 viewerOpened ? "traces.no_pii and traces.viewer_no_pii at the end" : "the viewer was not opened"),
            item("Post-Deploy", "Background task running", holds(["tasks.expiration_healthy"]), "tasks.expiration_healthy at the end"),
            item("Monitoring", "Alerts configured", nil, "alerting is outside the rehearsal"),
            monitoring(1), monitoring(4), monitoring(24),
        ]
    }
}
