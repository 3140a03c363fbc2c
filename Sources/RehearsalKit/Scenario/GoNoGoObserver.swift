/// Fills checklist 8.1's Go/No-Go summary from what a run observed.
struct GoNoGoObserver {
    var baselineRecorded = false
    var backupCreated = false
    var triggersVerifiedBeforeDeploy: Bool?
    var migration006 = false
    var migration007 = false
    var apiRestarted = false
    var deployed = false
    var lastMigrationTime: Timestamp?
    var viewerOpened = false

    static let immutability = ["immutability.decisions", "immutability.evidence_packs", "immutability.audit_events"]

    mutating func observe(_ action: StepAction, _ record: StepRecord) {
        let holds = Dictionary(uniqueKeysWithValues: record.invariants.map { ($0.info.id, $0.status.holds) })
        switch action {
        case .baseline where record.succeeded: baselineRecorded = true
        case .backup where record.succeeded: backupCreated = true
        case .migrate(true, _):
            if triggersVerifiedBeforeDeploy == nil { triggersVerifiedBeforeDeploy = false }
            if record.succeeded {
                if record.output.contains(where: { $0.contains("-> 006_add_pending_proposals") }) { migration006 = true }
                if record.output.contains(where: { $0.contains("-> 007_add_agent_traces") }) { migration007 = true }
                lastMigrationTime = record.time
            }
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
        return [
            item("Pre-Deploy", "Baseline counts recorded", baselineRecorded, baselineRecorded ? "baseline step" : "no baseline step"),
            item("Pre-Deploy", "Immutability triggers verified", triggersVerifiedBeforeDeploy ?? false, "immutability.* held before the first migration"),
            item("Pre-Deploy", "All tests passing", nil, "pytest is outside the rehearsal"),
            item("Pre-Deploy", "Staging verified", nil, "staging is outside the rehearsal"),
            item("Pre-Deploy", "Backup created", backupCreated, backupCreated ? "backup step" : "no backup step"),
            item("Deploy", "Migration 006 successful", migration006, migration006 ? "Running upgrade 005 -> 006 observed" : "not observed"),
            item("Deploy", "Migration 007 successful", migration007, migration007 ? "Running upgrade 006 -> 007 observed" : "not observed"),
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
