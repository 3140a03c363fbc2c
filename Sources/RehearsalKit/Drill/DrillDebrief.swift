import GRDB

/// The grade of a drill and its debrief, from what the trainee typed and what the system did.
public struct DrillDebrief: Sendable {
    public var restored: Bool
    public var stillBroken: [String]
    public var contained: Bool
    public var plansUsed: [String]
    public var planMatches: Bool
    public var lostRows: [String: Int]
    public var minutesToMitigate: Int?
    public var hintsUsed: Int
    public var worseningCommands: [String]
    public var score: Int
    public var markdown: String
}

extension DrillSession {
    /// Which of 6.1's plans the commands amount to: two or more of a plan's own command lines,
    /// as the checklist or the corrected checklist writes them (with or without the `docker
    /// compose exec SERVICE` prefix). A line several plans share (turning maintenance mode on)
    /// identifies none, and one shared step (starting the worker, flushing redis) is not a plan.
    static func plans(in commands: [String]) -> [String] {
        let typed = commands.map(normalize)
        return planCommands.filter { plan in typed.filter(plan.value.contains).count >= 2 }.map(\.key).sorted()
    }

    static func normalize(_ command: String) -> String {
        var text = command
        if let comment = text.range(of: " #") { text = String(text[..<comment.lowerBound]) }
        var words = text.split(whereSeparator: \.isWhitespace).map(String.init)
        if words.starts(with: ["docker", "compose", "exec"]), words.count > 4 { words.removeFirst(4) }
        return words.joined(separator: " ")
    }

    /// Each plan's command lines in the shipped checklist and its corrected version.
    static let planCommands: [String: Set<String>] = {
        var byPlan: [String: Set<String>] = [:]
        let checklists = [try? ChecklistParser.shipped(), try? ChecklistParser.load(path: ShippedResources.correctedChecklistPath)].compactMap { $0 }
        for checklist in checklists {
            for plan in checklist.planIds {
                for item in checklist.planItems(plan) ?? [] {
                    if case .command(let line) = item.kind { byPlan[plan, default: []].insert(normalize(line)) }
                }
            }
        }
        var counts: [String: Int] = [:]
        for lines in byPlan.values { for line in lines { counts[line, default: 0] += 1 } }
        return byPlan.mapValues { $0.filter { counts[$0] == 1 } }
    }()

    public func debrief() throws -> DrillDebrief {
        let results = try results()
        let byId = Dictionary(uniqueKeysWithValues: results.map { ($0.info.id, $0.status) })
        // Repaired means not broken: the viewer taken down with its cache flushed serves
        // nothing, so traces.viewer_no_pii is not applicable there, and that is the repair.
        let stillBroken = incident.mustHold.filter { byId[$0]?.isBroken ?? true }
        let damageAtDone = reading(of: results).damage
        let final = try queue.read { db in try Baseline.capture(db, label: "done") }
        // Soak: 30 more virtual minutes of agent activity; a contained fault does no more harm.
        try passTime(minutes: 30)
        let contained = try damage() <= damageAtDone
        let commands = timeline.dropFirst().map(\.command)
        let plansUsed = Self.plans(in: commands)
        let planMatches = incident.plan == "none" ? plansUsed.isEmpty : plansUsed.contains(incident.plan) && (incident.plan == "full" || !plansUsed.contains("full"))
        var lost: [String: Int] = [:]
        for table in Baseline.tables where (final.tableCounts[table] ?? 0) < (baseline.tableCounts[table] ?? 0) {
            lost[table] = (baseline.tableCounts[table] ?? 0) - (final.tableCounts[table] ?? 0)
        }
        // A command made things worse when what it broke is still broken at the end (a full
        // rollback's `docker compose down` breaks things on the way to fixing them).
        let brokenAtEnd = Set(results.filter { $0.status.isBroken }.map(\.info.id))
        var worsening: [String] = []
        for (previous, entry) in zip(timeline, timeline.dropFirst())
        where !Set(entry.broken).subtracting(previous.broken).intersection(brokenAtEnd).isEmpty {
            worsening.append(entry.command)
        }
        var minutes: Int?
        if contained && stillBroken.isEmpty, let last = timeline.last {
            // Mitigated at the first command from which the incident's invariants held and the
            // damage stayed where it ended.
            var first = timeline.count - 1
            while first > 0, timeline[first - 1].recovered, timeline[first - 1].damage == last.damage { first -= 1 }
            minutes = Int((timeline[first].time.seconds - faultTime.seconds) / 60)
        }
        var score = 100
        if !stillBroken.isEmpty { score -= 40 }
        if !contained { score -= 25 }
        if !planMatches { score -= 20 }
        if !lost.isEmpty { score -= 15 }
        score -= 10 * hintsUsed + 5 * worsening.count
        if let minutes, minutes > 30 { score -= (minutes - 30) / 10 }
        score = max(0, min(100, score))
        var md = "# Drill debrief: \(incident.title)\n\n"
        md += "- Fault: `\(incident.fault)` — \(FaultCatalog.named(incident.fault)?.description ?? "")\n"
        md += "- The checklist's answer (6.1): \(incident.plan == "none" ? "no rollback: fix the cause" : "rollback plan \(incident.plan)")\n"
        md += "- Score: **\(score)/100**\n\n"
        md += "| Grade | Result |\n|---|---|\n"
        md += "| Invariants hold again | \(stillBroken.isEmpty ? "yes" : "no: " + stillBroken.joined(separator: ", ")) |\n"
        md += "| Damage contained (30 min soak) | \(contained ? "yes" : "no: the fault kept doing damage") |\n"
        md += "| Mitigation matches the decision tree | \(planMatches ? "yes" : "no") (used: \(plansUsed.isEmpty ? "no rollback plan" : plansUsed.joined(separator: ", ")); expected: \(incident.plan)) |\n"
        md += "| Data lost against the baseline | \(lost.isEmpty ? "none" : lost.keys.sorted().map { "\($0): \(lost[$0]!) rows" }.joined(separator: ", ")) |\n"
        md += "| Time to mitigate | \(minutes.map { "\($0) virtual minutes" } ?? "not mitigated") |\n"
        md += "| Hints used | \(hintsUsed) |\n"
        md += "| Commands that made things worse | \(worsening.isEmpty ? "none" : worsening.map { "`\($0)`" }.joined(separator: ", ")) |\n\n"
        md += "## Timeline\n\n| Time | Command | System | Broken invariants |\n|---|---|---|---|\n"
        for entry in timeline {
            md += "| \(entry.time.iso8601) | `\(entry.command.replacingOccurrences(of: "|", with: "\\|"))` | \(entry.summary.replacingOccurrences(of: "|", with: "\\|").prefix(80)) | \(entry.broken.isEmpty ? "none" : entry.broken.joined(separator: ", ")) |\n"
        }
        return DrillDebrief(restored: stillBroken.isEmpty, stillBroken: stillBroken, contained: contained, plansUsed: plansUsed, planMatches: planMatches,
                            lostRows: lost, minutesToMitigate: minutes, hintsUsed: hintsUsed, worseningCommands: worsening, score: score, markdown: md)
    }
}
