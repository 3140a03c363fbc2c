import GRDB

/// The grade of a drill and its debrief, from what the trainee typed and what the system did.
public struct DrillDebrief: Sendable {
    public var restored: Bool
    /// Invariants that held before the incident and are broken at `done`, each with whose
    /// doing it is: the incident's (not repaired), a command's, or the checklist's.
    public var stillBroken: [String]
    public var attribution: [String: String]
    public var contained: Bool
    /// Whether any command changed anything (points are only for what the trainee did).
    public var acted: Bool
    public var plansUsed: [String]
    public var planMatches: Bool
    public var lostRows: [String: Int]
    public var minutesToMitigate: Int?
    public var hintsUsed: Int
    public var invariantPeeks: Int
    public var worseningCommands: [String]
    /// Each criterion: what it is, the points earned, the points possible (penalties negative).
    public var points: [(criterion: String, earned: Int, possible: Int)]
    public var score: Int
    public var passed: Bool
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
        let checklists = [try? ChecklistParser.shipped(), corrected].compactMap { $0 }
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

    /// The plan 6.1 sends the symptom to (or the drill's, when 6.1 has none for it).
    var checklistPlan: String { incident.checklistPlan ?? incident.plan }

    /// The drill replayed from its page with a checklist's plan, followed as a `rollback:` step
    /// follows it (command lines and prose items alike, the archive glob naming the drill's
    /// latest backup), then soaked 30 virtual minutes: what it leaves broken, and the plan's
    /// lines the rehearsal flagged.
    func replay(plan: String, checklist: Checklist) throws -> (remains: Set<String>, flagged: [String]) {
        let replay = try DrillSession(scenario: scenario, chain: chain, seed: seed)
        let world = replay.world
        let output = try replay.queue.writeWithoutTransaction { db in
            let own = world.checklist
            world.checklist = checklist
            defer { world.checklist = own }
            let backup = world.backups.sorted { ($0.value.takenAt, $0.key) < ($1.value.takenAt, $1.key) }.last?.key
            return try StepExecutor.rollback(plan: plan, backup: backup, db: db, world: world)
        }
        try replay.passTime(minutes: 30)
        let flagged = output.lines.filter { $0.hasPrefix("rehearse: [!]") }.map { String($0.dropFirst("rehearse: [!] ".count)) }
        return (Set(try replay.reading().broken).subtracting(replay.brokenBeforeIncident), flagged)
    }

    /// The corrected checklist, read once per process.
    static let corrected = try? ChecklistParser.load(path: ShippedResources.correctedChecklistPath)

    /// What the checklist's own plan for the symptom leaves broken, even as corrected. Nil when
    /// the answer is not a plan.
    func checklistRemains() throws -> Set<String>? {
        guard checklistPlan != "none", let corrected = Self.corrected, corrected.planItems(checklistPlan) != nil else { return nil }
        return try replay(plan: checklistPlan, checklist: corrected).remains
    }

    /// The debrief's lesson: the best response (the corrected plan's lines, or the drill's
    /// hints when the answer is not to roll back), the holes of the checklist as written that
    /// this incident exposes (the plan rehearsed from the page), and the follow-ups left open.
    func lesson(followUps: [String]) throws -> String {
        var md = "## The best response and why\n\n"
        if let corrected = Self.corrected, incident.plan != "none",
           let items = corrected.planItems(incident.plan) {
            md += "Plan \(incident.plan) of the corrected checklist (`checklists/deployment-checklist-sprint3-corrected.md`):\n\n"
            for item in items {
                switch item.kind {
                case .command(let line): md += "- `\(line.split(whereSeparator: \.isNewline).map { $0.trimmingWhitespace() }.joined(separator: " "))`\n"
                case .prose(let text): md += "- \(text)\n"
                default: break
                }
            }
        } else {
            md += "No rollback: fix the cause. " + incident.hints.joined(separator: " ") + "\n"
        }
        if let why = incident.why { md += "\n\(why)\n" }
        if checklistPlan != "none", let shipped = try? ChecklistParser.shipped(), shipped.planItems(checklistPlan) != nil {
            let asWritten = try replay(plan: checklistPlan, checklist: shipped)
            md += "\n## The checklist's holes this incident exposes\n\n"
            md += asWritten.flagged.isEmpty
                ? "Plan \(checklistPlan) as written did what it means here.\n"
                : "Plan \(checklistPlan) as written, rehearsed from the page:\n\n" + asWritten.flagged.map { "- \($0)\n" }.joined()
            if !asWritten.remains.isEmpty { md += "\nIt leaves broken: \(asWritten.remains.sorted().map { "`\($0)`" }.joined(separator: ", ")).\n" }
        }
        md += "\n## Follow-ups\n\n" + (followUps.isEmpty ? "None: the system is back where it was before the incident.\n" : followUps.map { "- \($0)\n" }.joined())
        return md
    }

    public func debrief() throws -> DrillDebrief {
        let results = try results()
        let brokenAtDone = Set(results.filter { $0.status.isBroken }.map(\.info.id))
        let unknownAtDone = Set(results.filter { $0.status.isUnknown }.map(\.info.id))
        // The whole catalogue against the state before the incident, and the drill's own
        // must-hold list (not unknown either: unknown is not repaired).
        // What the scenario tolerates (the application's own writes changing 4.1's counts) is
        // not the trainee's to repair.
        let tolerated = Set(scenario.tolerate)
        let remaining = brokenAtDone.subtracting(brokenBeforeIncident).union(Set(incident.mustHold).intersection(brokenAtDone.union(unknownAtDone)))
            .subtracting(tolerated)
        let stillBroken = remaining.sorted()
        let damageAtDone = reading(of: results).damage
        let final = try queue.read { db in try Baseline.capture(db, label: "done") }
        // Soak: 30 more virtual minutes of agent activity; a contained fault does no more harm.
        try passTime(minutes: 30)
        let contained = try damage() <= damageAtDone
        let commands = timeline.dropFirst().map(\.command)
        let acted = timeline.dropFirst().contains { $0.changed }
        let plansUsed = Self.plans(in: commands)
        func follows(_ plan: String) -> Bool { plan == "none" ? plansUsed.isEmpty : plansUsed.contains(plan) && (plan == "full" || !plansUsed.contains("full")) }
        let planMatches = follows(incident.plan) || (incident.checklistPlan.map(follows) ?? false)
        var lost: [String: Int] = [:]
        for table in Baseline.tables where (final.tableCounts[table] ?? 0) < (baseline.tableCounts[table] ?? 0) {
            lost[table] = (baseline.tableCounts[table] ?? 0) - (final.tableCounts[table] ?? 0)
        }
        // A command made things worse when what it broke by itself is still broken at the
        // end; a command that changed nothing broke nothing.
        let worsening = timeline.dropFirst().filter { !Set($0.brokenByCommand).intersection(remaining).isEmpty }.map(\.command)
        let pageBroken = Set(timeline.first?.broken ?? [])
        let incidentBroken = pageBroken.subtracting(brokenBeforeIncident).union(pageBroken.intersection(incident.mustHold)).subtracting(tolerated)
        // What even the checklist's own plan cannot repair is not held against the trainee.
        let checklistLeaves = try checklistRemains() ?? []
        var attribution: [String: String] = [:]
        for id in stillBroken {
            if let command = timeline.dropFirst().first(where: { $0.brokenByCommand.contains(id) })?.command {
                attribution[id] = "broken by your command `\(command)`"
            } else if checklistLeaves.contains(id) {
                attribution[id] = "the checklist's: its plan \(incident.checklistPlan ?? incident.plan), as corrected, leaves it broken too"
            } else if incidentBroken.contains(id) || unknownAtDone.contains(id) {
                attribution[id] = "left by the incident: not repaired"
            } else {
                attribution[id] = "broken while the incident ran (the agents kept working)"
            }
        }
        let repairable = remaining.subtracting(checklistLeaves)
        let acceptable = brokenBeforeIncident.union(tolerated).union(checklistLeaves)
        func recovered(_ entry: TimelineEntry) -> Bool {
            Set(entry.broken).isSubset(of: acceptable) && !incident.mustHold.contains { entry.broken.contains($0) && !checklistLeaves.contains($0) }
        }
        // Contained at the first command from which the damage never grew again (the soak after
        // `done` confirms it stayed so); never before the trainee changed anything.
        let firstChange = timeline.indices.dropFirst().first { timeline[$0].changed }
        var containedAt: Int?
        if contained, let firstChange, let last = timeline.last {
            var index = timeline.count - 1
            while index > firstChange, timeline[index - 1].damage == last.damage { index -= 1 }
            containedAt = index
        }
        var minutes: Int?
        var mitigatedAt: Int?
        if let containedAt, repairable.isEmpty, let last = timeline.last, recovered(last) {
            // From the page to the first command after which the catalogue held again (and
            // kept holding), and not before the damage stopped.
            var first = timeline.count - 1
            while first > containedAt, recovered(timeline[first - 1]) { first -= 1 }
            minutes = Int((timeline[first].time.seconds - faultTime.seconds) / 60)
            mitigatedAt = first
        }
        // Grading starts from zero: points only for what the trainee did.
        let repairPossible = 35
        let repaired: Int
        let ownDamage = Set(stillBroken.filter { attribution[$0]?.hasPrefix("broken by your command") ?? false })
        let toRepair = incidentBroken.subtracting(checklistLeaves)
        if toRepair.isEmpty {
            repaired = acted && repairable.isEmpty ? repairPossible : 0
        } else {
            let fixed = toRepair.subtracting(remaining).count - ownDamage.count
            repaired = acted ? max(0, repairPossible * fixed / toRepair.count) : 0
        }
        var points: [(criterion: String, earned: Int, possible: Int)] = [
            ("Repaired: what the incident broke holds again", repaired, repairPossible),
            ("Contained: no more damage in a 30-minute soak", acted && contained ? 25 : 0, 25),
            ("Decision tree: the plan 6.1 prescribes, or the better answer", acted && planMatches ? 15 : 0, 15),
            ("Data kept: no rows lost against the baseline", acted && lost.isEmpty ? 10 : 0, 10),
            ("Speed: mitigated within 30 virtual minutes (0 at 90)", minutes.map { $0 <= 30 ? 15 : max(0, 15 * (90 - $0) / 60) } ?? 0, 15),
        ]
        if hintsUsed > 0 { points.append(("Hints (-10 each)", -10 * hintsUsed, 0)) }
        if invariantPeeks > 0 { points.append(("`status --invariants` (-10 each)", -10 * invariantPeeks, 0)) }
        if !worsening.isEmpty { points.append(("Commands that made things worse (-5 each)", -5 * worsening.count, 0)) }
        let score = max(0, min(100, points.reduce(0) { $0 + $1.earned }))
        let passed = score >= Self.passMark
        var md = "# Drill debrief: \(incident.title)\n\n"
        md += "- Fault: `\(incident.fault)` — \(FaultCatalog.named(incident.fault)?.description ?? "")\n"
        md += "- The best answer: \(incident.plan == "none" ? "no rollback: fix the cause" : "rollback plan \(incident.plan)")\n"
        if let checklistPlan = incident.checklistPlan {
            md += "- 6.1's decision tree says: \(checklistPlan == "none" ? "no rollback" : "plan \(checklistPlan)") — \(incident.why ?? "")\n"
        }
        md += "- Score: **\(score)/100** — \(passed ? "PASS" : "FAIL") (pass mark \(Self.passMark))\n\n"
        md += "| Criterion | Points |\n|---|---|\n"
        for point in points { md += "| \(point.criterion) | \(point.earned)\(point.possible > 0 ? " / \(point.possible)" : "") |\n" }
        md += "\n| Grade | Result |\n|---|---|\n"
        md += "| Invariants back to their state before the incident | \(repairable.isEmpty ? (stillBroken.isEmpty ? "yes" : "yes, but for what the checklist's plan cannot repair either") : "no") |\n"
        md += "| Damage contained (30 min soak) | \(contained ? "yes" : "no: the fault kept doing damage") |\n"
        md += "| Mitigation matches the decision tree | \(planMatches ? "yes" : "no") (used: \(plansUsed.isEmpty ? "no rollback plan" : plansUsed.joined(separator: ", ")); expected: \(incident.plan)\(incident.checklistPlan.map { " or 6.1's \($0)" } ?? "")) |\n"
        md += "| Data lost against the baseline | \(lost.isEmpty ? "none" : lost.keys.sorted().map { "\($0): \(lost[$0]!) rows" }.joined(separator: ", ")) |\n"
        md += "| Time to mitigate (from the page) | \(minutes.map { "\($0) virtual minute\($0 == 1 ? "" : "s")" } ?? "not mitigated") |\n"
        md += "| Hints used | \(hintsUsed) |\n"
        md += "| Commands that made things worse | \(worsening.isEmpty ? "none" : worsening.map { "`\($0)`" }.joined(separator: ", ")) |\n\n"
        if !stillBroken.isEmpty {
            md += "## Still broken at the end\n\n"
            for id in stillBroken { md += "- `\(id)`: \(attribution[id]!)\n" }
            md += "\n"
        }
        let followUps = stillBroken.map { id -> String in
            attribution[id]!.hasPrefix("the checklist's")
                ? "`\(id)`: no plan of the checklist repairs it; fix the data or the checklist (\(attribution[id]!))"
                : "`\(id)`: still broken (\(attribution[id]!))"
        }
        md += phasesMarkdown(firstChange: firstChange, containedAt: containedAt, mitigatedAt: mitigatedAt, stillBroken: stillBroken, attribution: attribution) + "\n"
        md += try lesson(followUps: followUps) + "\n"
        md += "## Timeline\n\n| Time | Command | System | Broken invariants |\n|---|---|---|---|\n"
        for entry in timeline {
            md += "| \(entry.time.iso8601) | `\(entry.command.replacingOccurrences(of: "|", with: "\\|"))` | \(entry.summary.replacingOccurrences(of: "|", with: "\\|").prefix(80)) | \(entry.broken.isEmpty ? "none" : entry.broken.joined(separator: ", ")) |\n"
        }
        return DrillDebrief(restored: repairable.isEmpty, stillBroken: stillBroken, attribution: attribution, contained: contained, acted: acted,
                            plansUsed: plansUsed, planMatches: planMatches, lostRows: lost, minutesToMitigate: minutes, hintsUsed: hintsUsed,
                            invariantPeeks: invariantPeeks, worseningCommands: worsening, points: points, score: score, passed: passed, markdown: md)
    }
}
