/// The debrief's phase-by-phase account: for triage, containment, repair and what came after,
/// what the trainee did, what the state was, and what the best response was and why. Phases are
/// cut from the timeline itself: triage ends at the first command that changed anything,
/// containment when the damage stopped growing for good, repair when the catalogue held again.
extension DrillSession {
    struct Phase {
        var name: String
        var entries: ArraySlice<TimelineEntry>
        var state: String
        var best: String
    }

    /// - Parameters:
    ///   - firstChange: the timeline index of the first command that changed anything.
    ///   - containedAt: the index from which the damage never grew (nil: not contained).
    ///   - mitigatedAt: the index after which the catalogue held again (nil: not repaired).
    ///   - stillBroken: what is broken at `done`, with whose doing it is.
    func phasesMarkdown(firstChange: Int?, containedAt: Int?, mitigatedAt: Int?, stillBroken: [String], attribution: [String: String]) -> String {
        guard let page = timeline.first else { return "" }
        let end = timeline.count
        let planLines = bestPlanLines()
        let row = decisionTreeRow()
        func broken(_ entry: TimelineEntry?) -> String {
            guard let entry else { return "" }
            return entry.broken.isEmpty ? "nothing broken" : entry.broken.map { "`\($0)`" }.joined(separator: ", ") + " broken"
        }
        var phases: [Phase] = []
        let triageEnd = firstChange ?? end
        phases.append(Phase(
            name: "Triage (from the page to the first change)", entries: timeline[1..<triageEnd],
            state: "At the page (\(Self.clock(page.time))): \(broken(page)); damage so far: \(page.damage) row(s) or event(s).",
            best: row.map { "Read the symptoms (`status`, the logs, the endpoints) and find 6.1's row: \"\($0.symptom)\" → \($0.plan == "none" ? "no rollback" : "plan \($0.plan)")." }
                ?? "Read the symptoms (`status`, the logs, the endpoints) before changing anything."))
        if let firstChange {
            let containEnd = containedAt.map { $0 + 1 } ?? end
            phases.append(Phase(
                name: "Containment (stop the damage)", entries: timeline[firstChange..<max(firstChange, containEnd)],
                state: containedAt.map { "The damage stopped growing after \(Self.clock(timeline[$0].time)) (\(timeline[$0].damage) in all); \(broken(timeline[$0]))." }
                    ?? "Not contained: the fault kept doing damage through the 30-minute soak after `done`.",
                best: planLines.first.map { "Stop the source first: `\($0)`." + (incident.why.map { " \($0)" } ?? "") }
                    ?? "Stop the source first. " + incident.hints.joined(separator: " ")))
            if let containedAt {
                let repairEnd = mitigatedAt.map { $0 + 1 } ?? end
                phases.append(Phase(
                    name: "Repair (until the invariants hold again)", entries: timeline[(containedAt + 1)..<max(containedAt + 1, repairEnd)],
                    state: mitigatedAt.map { "Everything that held before the incident (but what no plan repairs) held again after \(Self.clock(timeline[$0].time)), \(Self.minutes(from: page.time, to: timeline[$0].time)) after the page." }
                        ?? "Not repaired by `done`: " + stillBroken.map { "`\($0)` (\(attribution[$0] ?? ""))" }.joined(separator: "; ") + ".",
                    best: planLines.count > 1 ? "The rest of the plan: " + planLines.dropFirst().map { "`\($0)`" }.joined(separator: ", ") + "." : "Verify with the checklist's checks (4.3–4.6) that the symptom is gone."))
                if let mitigatedAt, mitigatedAt + 1 < end {
                    phases.append(Phase(
                        name: "After the invariants held again", entries: timeline[(mitigatedAt + 1)..<end],
                        state: stillBroken.isEmpty ? "At `done`: the system is where it was before the incident." : "At `done`: " + stillBroken.map { "`\($0)` broken" }.joined(separator: ", ") + ".",
                        best: "Finish the plan's remaining lines (what it does beyond the invariants: pending work, the code), then check without changing anything: `status`, the endpoints of 4.3 and 4.4, the alert rows of 7.1."))
                }
            }
        }
        var md = "## Phase by phase\n"
        for phase in phases {
            md += "\n### \(phase.name)\n\n"
            md += "- What you did: " + (phase.entries.isEmpty ? (phase.name.hasPrefix("Repair") ? "nothing more: stopping the source was the repair" : "nothing") : phase.entries.map { "`\($0.command)` (\(Self.clock($0.time)))" }.joined(separator: ", ")) + "\n"
            md += "- The state: \(phase.state)\n"
            md += "- The best response: \(phase.best)\n"
        }
        return md
    }

    /// The corrected checklist's lines for the drill's best plan, one line each.
    func bestPlanLines() -> [String] {
        guard incident.plan != "none", let items = Self.corrected?.planItems(incident.plan) else { return [] }
        return items.compactMap { item in
            if case .command(let line) = item.kind { return line.split(whereSeparator: \.isNewline).map { $0.trimmingWhitespace() }.joined(separator: " ") }
            return nil
        }
    }

    /// 6.1's row that sends the symptom to the checklist's plan.
    func decisionTreeRow() -> (symptom: String, plan: String)? {
        guard let shipped = try? ChecklistParser.shipped() else { return nil }
        return shipped.decisionTree.first { $0.plan == checklistPlan }
    }

    static func minutes(from start: Timestamp, to end: Timestamp) -> String {
        let minutes = Int((end.seconds - start.seconds) / 60)
        return "\(minutes) virtual minute\(minutes == 1 ? "" : "s")"
    }

    /// `09:20` on the drill's virtual clock.
    static func clock(_ time: Timestamp) -> String { String(time.iso8601.dropFirst(11).prefix(5)) }
}
