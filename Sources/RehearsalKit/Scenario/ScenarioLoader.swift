import Foundation
import Yams

/// Reads scenario files strictly: an unknown action or key, a wrong type, a missing field, a
/// duration that doesn't parse, an unknown invariant, fault, service or revision is an error
/// with file, line and column (and a suggestion for a near miss), before anything runs.
public struct ScenarioLoader {
    public var chain: RevisionChain
    let invariantIds = InvariantCatalog.standard.ids

    /// The checklist of the scenario being loaded (plans are validated against it).
    let current = ChecklistCache()
    var checklist: Checklist { current.value! }

    public init(chain: RevisionChain) {
        self.chain = chain
    }

    /// The shipped checklist, parsed once per process.
    static func shippedChecklist() throws -> Checklist {
        if let cached = shippedCache.value { return cached }
        let checklist = try ChecklistParser.shipped()
        shippedCache.value = checklist
        return checklist
    }

    static let shippedCache = ChecklistCache()

    /// `compose: {code: baked|bind, redis: snapshot|none|volume}`.
    func composeOptions(_ node: YAMLNode) throws -> ComposeOptions {
        let fields = try mappingFields(node, "compose", allowed: ["code", "redis"], required: [])
        var options = ComposeOptions()
        if let codeNode = fields["code"] {
            let text = try codeNode.string("code")
            guard let code = ComposeOptions.CodeDelivery(rawValue: text) else { throw codeNode.error("compose code must be baked or bind, not '\(text)'") }
            options.code = code
        }
        if let redisNode = fields["redis"] {
            let text = try redisNode.string("redis")
            guard let redis = ComposeOptions.RedisPersistence(rawValue: text) else { throw redisNode.error("compose redis must be snapshot, none or volume, not '\(text)'") }
            options.redis = redis
        }
        return options
    }

    /// `prose: {"Restart API containers": "docker compose restart backend"}`: each value a
    /// command line or a list of them, validated like `shell:`.
    func proseOverrides(_ node: YAMLNode) throws -> [(String, [String])] {
        try node.mapping("prose").map { entry in
            let lines = try entry.value.scalarList("prose command lines")
            for line in lines {
                do { try ShellSession.validate(line) } catch let error as CommandLineError { throw entry.value.error(error.message) }
            }
            return (entry.key, lines)
        }
    }

    static let scenarioKeys = ["name", "description", "tags", "seed", "fixtures", "start", "revision", "code", "steps", "incident", "checklist", "compose", "prose", "tolerate"]
    static let incidentKeys = ["title", "plan", "must_hold", "revision", "hints", "page", "fault", "checklist_plan", "why"]
    public static let actions = [
        "baseline", "backup", "restore", "maintenance", "stop", "start", "restart", "deploy", "build", "checkout", "env",
        "flush_cache", "migrate", "verify", "tool", "approve", "reject", "approvals", "task", "advance", "fault", "rollback",
        "sql", "view_traces", "decide", "health", "shell",
    ]
    static let stepKeys = actions + ["expect", "label"]
    static let expectKeys = ["hold", "broken", "unknown", "error", "returns", "sql", "output", "revision", "exit"]

    public func load(path: String, displayPath: String? = nil) throws -> Scenario {
        let shown = displayPath ?? path
        guard let data = FileManager.default.contents(atPath: path) else {
            throw ScenarioLoadError(SourceLocation(file: shown, line: 1, column: 1), "cannot read the file")
        }
        let text: String
        do { text = try UTF8Text.decode(data) } catch let invalid as UTF8Text.Invalid {
            throw ScenarioLoadError(SourceLocation(file: shown, line: invalid.line, column: invalid.column), "this byte is not UTF-8 (scenario files are UTF-8 text)")
        }
        return try load(text: text, file: shown, directory: URL(fileURLWithPath: path).deletingLastPathComponent().path)
    }

    /// The most nodes a scenario may expand to once its aliases are followed. The largest
    /// library scenario has under 1,000; a billion-laughs file (nested aliases, a few hundred
    /// bytes) expands to hundreds of millions, and is refused before anything walks it.
    public static let nodeBudget = 100_000

    /// Counts the composed tree's nodes (aliases expanded, which is what every later walk
    /// sees) and stops at the budget, naming the first alias in the file.
    static func checkExpansion(_ node: Node, text: String, file: String) throws {
        var remaining = nodeBudget
        func visit(_ node: Node) -> Bool {
            remaining -= 1
            if remaining < 0 { return false }
            switch node {
            case .scalar, .alias: return true
            case .sequence(let sequence): return sequence.allSatisfy(visit)
            case .mapping(let mapping): return mapping.allSatisfy { visit($0.key) && visit($0.value) }
            }
        }
        guard !visit(node) else { return }
        // The first `*name` of an anchor `&name` the file defines: where the expansion starts.
        let lines = text.split(separator: "\n", omittingEmptySubsequences: false).map { Array($0) }
        func names(after marker: Character, in line: [Character]) -> [(Int, String)] {
            var found: [(Int, String)] = []
            for (offset, character) in line.enumerated() where character == marker && (offset == 0 || " [{,:-".contains(line[offset - 1])) {
                let name = String(line[(offset + 1)...].prefix { $0.isLetter || $0.isNumber || $0 == "_" || $0 == "-" })
                if !name.isEmpty { found.append((offset, name)) }
            }
            return found
        }
        let anchors = Set(lines.flatMap { names(after: "&", in: $0).map(\.1) })
        for (number, line) in lines.enumerated() {
            if let (offset, _) = names(after: "*", in: line).first(where: { anchors.contains($0.1) }) {
                throw ScenarioLoadError(SourceLocation(file: file, line: number + 1, column: offset + 1),
                                        "YAML aliases expand to more than \(nodeBudget) nodes (the loader's budget); this alias is where the expansion starts")
            }
        }
        throw ScenarioLoadError(SourceLocation(file: file, line: 1, column: 1), "the scenario expands to more than \(nodeBudget) YAML nodes (the loader's budget)")
    }

    /// Loads a scenario's text; `directory` is where a relative `checklist:` path starts (the
    /// scenario file's own folder).
    public func load(text: String, file: String, directory: String? = nil) throws -> Scenario {
        let node: Node?
        do {
            node = try Yams.compose(yaml: text)
        } catch let error as YamlError {
            throw Self.syntaxError(error, file: file)
        }
        guard let node else { throw ScenarioLoadError(SourceLocation(file: file, line: 1, column: 1), "empty scenario file") }
        try Self.checkExpansion(node, text: text, file: file)
        let root = YAMLNode(node: node, file: file)
        let entries = try root.mapping("a scenario")
        try YAMLNode.checkKeys(entries, allowed: Self.scenarioKeys, what: "a scenario")
        func value(_ key: String) -> YAMLNode? { entries.first { $0.key == key }?.value }
        guard let nameNode = value("name") else { throw root.error("missing required key 'name'") }
        guard let stepsNode = value("steps") else { throw root.error("missing required key 'steps'") }
        let fixtures = try value("fixtures")?.string("fixtures") ?? "small"
        guard fixtures == "none" || SeedProfile.named(fixtures) != nil else {
            throw value("fixtures")!.error("unknown fixtures '\(fixtures)' (expected none, small, staging or production)")
        }
        var start = Seeder.defaultNow
        if let startNode = value("start") {
            let text = try startNode.string("start")
            guard let parsed = Timestamp(iso8601: text) else { throw startNode.error("start '\(text)' is not an ISO-8601 time (e.g. 2026-01-14T09:00:00Z)") }
            // The schema stores four-digit years from 1970 on; a start it would refuse is refused here, at its line.
            guard parsed.seconds >= 0, parsed.seconds < Timestamp(iso8601: "9000-01-01T00:00:00Z")!.seconds else {
                throw startNode.error("start '\(text)' is outside the years the rehearsal models (1970 to 8999)")
            }
            start = parsed
        }
        let revision = try value("revision").map(revision) ?? "005_add_immutability_triggers"
        var code = CodeVersion.v2
        if let codeNode = value("code") {
            let text = try codeNode.string("code")
            guard let version = CodeVersion(rawValue: text) else { throw codeNode.error("unknown code version '\(text)' (expected v2.0.0 or sprint3)") }
            code = version
        }
        // The checklist comes first: `rollback:` steps name its plans.
        var checklist = try Self.shippedChecklist()
        if let checklistNode = value("checklist") {
            let path = try checklistNode.string("checklist")
            let base = directory ?? URL(fileURLWithPath: file).deletingLastPathComponent().path
            let resolved = path.hasPrefix("/") ? path : URL(fileURLWithPath: base).appendingPathComponent(path).standardizedFileURL.path
            do {
                checklist = try ChecklistParser.load(path: resolved, displayPath: path)
            } catch let error as ChecklistError {
                throw checklistNode.error("checklist: \(error.description)")
            }
        }
        current.value = checklist
        let compose = try value("compose").map(composeOptions) ?? ComposeOptions()
        let prose = try value("prose").map(proseOverrides) ?? []
        let tolerate = try value("tolerate").map { try invariants($0, "tolerate") } ?? []
        // Every bad step is reported, not only the first: one line each, in file order.
        var steps: [ScenarioStep] = []
        var errors: [InputError] = []
        for node in try stepsNode.sequence("steps") {
            do { steps.append(try step(node)) } catch let error as InputError { errors.append(error) }
        }
        if var first = errors.first {
            first.more = Array(errors.dropFirst())
            throw first
        }
        if steps.isEmpty { throw stepsNode.error("a scenario needs at least one step") }
        var incident: Incident?
        if let incidentNode = value("incident") { incident = try self.incident(incidentNode, steps: steps, stepsNode: stepsNode) }
        return Scenario(
            file: file, name: try nameNode.string("name"), description: try value("description")?.string("description") ?? "",
            tags: try value("tags")?.scalarList("tags") ?? [], seed: try value("seed")?.seed("seed") ?? 42,
            fixtures: fixtures, start: start, revision: revision, code: code, steps: steps, incident: incident, checklist: checklist,
            compose: compose, prose: prose, tolerate: tolerate)
    }

    static func syntaxError(_ error: YamlError, file: String) -> ScenarioLoadError {
        switch error {
        case .scanner(_, let problem, let mark, _), .parser(_, let problem, let mark, _), .composer(_, let problem, let mark, _):
            return ScenarioLoadError(SourceLocation(file: file, line: mark.line, column: mark.column), "YAML syntax: \(problem)")
        case .duplicatedKeysInMapping(let duplicates, let context):
            return ScenarioLoadError(SourceLocation(file: file, line: context.mark.line, column: context.mark.column),
                                     "duplicate key \(duplicates.map { "'\($0)'" }.joined(separator: ", ")) in a mapping")
        default:
            let oneLine = "\(error)".split(whereSeparator: \.isNewline).first.map(String.init) ?? "invalid YAML"
            return ScenarioLoadError(SourceLocation(file: file, line: 1, column: 1), "YAML: \(oneLine)")
        }
    }

    /// A `revision:` value: an id, a unique prefix, `head` or `base`.
    func revision(_ node: YAMLNode) throws -> String {
        let text = try node.string("revision")
        guard let named = chain.revisionNamed(text) else { throw node.error(unknownRevision(text)) }
        return named
    }

    func unknownRevision(_ text: String) -> String {
        "unknown revision '\(text)'" + (NearestName.suggest(text, among: chain.revisions.map(\.id) + ["head", "base"]).map { " (did you mean '\($0)'?)" } ?? "")
    }

    func incident(_ node: YAMLNode, steps: [ScenarioStep], stepsNode: YAMLNode) throws -> Incident {
        let entries = try node.mapping("incident")
        try YAMLNode.checkKeys(entries, allowed: Self.incidentKeys, what: "incident")
        var fields: [String: YAMLNode] = [:]
        for entry in entries { fields[entry.key] = entry.value }
        for key in ["title", "plan", "must_hold", "page"] where fields[key] == nil { throw node.error("incident needs '\(key)'") }
        let plan = try fields["plan"]!.string("plan")
        guard checklist.plans[plan] != nil || plan == "none" else { throw fields["plan"]!.error("unknown plan '\(plan)' (\(checklist.planIds.joined(separator: ", ")) or none)") }
        let faults = steps.compactMap { step -> String? in if case .fault(let name) = step.action { return name }; return nil }
        guard var fault = faults.last else { throw stepsNode.error("a drill's steps must inject the fault with a 'fault:' step") }
        if let faultNode = fields["fault"] {
            fault = try faultNode.string("fault")
            guard faults.contains(fault) else { throw faultNode.error("the drill's fault '\(fault)' is not injected by its steps") }
        }
        let revision = try fields["revision"].map(revision)
        // Where the drill's best answer differs from what 6.1's decision tree says for the
        // symptom, the tree's plan is named too, with why the better answer is better.
        var checklistPlan: String?
        if let node = fields["checklist_plan"] {
            let named = try node.string("checklist_plan")
            guard checklist.plans[named] != nil || named == "none" else { throw node.error("unknown plan '\(named)' (\(checklist.planIds.joined(separator: ", ")) or none)") }
            guard fields["why"] != nil else { throw node.error("checklist_plan needs 'why': the debrief explains the difference") }
            checklistPlan = named
        }
        return Incident(title: try fields["title"]!.string("title"), fault: fault, plan: plan, mustHold: try invariants(fields["must_hold"]!, "must_hold"),
                        revision: revision, hints: try fields["hints"]?.scalarList("hints") ?? [], page: try fields["page"]!.string("page"),
                        checklistPlan: checklistPlan, why: try fields["why"]?.string("why"))
    }

    func step(_ node: YAMLNode) throws -> ScenarioStep {
        let entries = try node.mapping("a step")
        try YAMLNode.checkKeys(entries, allowed: Self.stepKeys, what: "a step")
        let actions = entries.filter { Self.actions.contains($0.key) }
        guard actions.count == 1, let action = actions.first else {
            throw node.error(actions.isEmpty ? "a step needs one action (\(Self.actions.joined(separator: ", ")))"
                                             : "a step has one action, not \(actions.map(\.key).joined(separator: " and "))")
        }
        var expectation = Expectation()
        if let expectNode = entries.first(where: { $0.key == "expect" })?.value { expectation = try expect(expectNode) }
        if case .verify(let ids) = try parseAction(action.key, action.value) { expectation.hold += ids }
        return ScenarioStep(line: node.location.line, column: node.location.column, action: try parseAction(action.key, action.value),
                            expect: expectation, label: try entries.first { $0.key == "label" }?.value.string("label"))
    }

    func services(_ node: YAMLNode, _ what: String) throws -> [ServiceName] {
        let names = try node.scalarList(what)
        if names == ["all"] { return ServiceName.allCases }
        return try names.map { name in
            if name == "api" { return .backend }
            guard let service = ServiceName.named(name) else {
                throw node.error("unknown service '\(name)'" + (NearestName.suggest(name, among: ServiceName.allCases.map(\.rawValue)).map { " (did you mean '\($0)'?)" } ?? "")
                                 + "; services: \(ServiceName.allCases.map(\.rawValue).joined(separator: ", ")), all")
            }
            return service
        }
    }

    func invariants(_ node: YAMLNode, _ what: String) throws -> [String] {
        let ids = try node.scalarList(what)
        if ids == ["all"] { return invariantIds }
        for id in ids where !invariantIds.contains(id) {
            throw node.error("unknown invariant '\(id)'" + (NearestName.suggest(id, among: invariantIds).map { " (did you mean '\($0)'?)" } ?? ""))
        }
        return ids
    }

    func migrationTarget(_ node: YAMLNode, upgrade: Bool) throws -> String {
        let target = try node.string(upgrade ? "upgrade target" : "downgrade target")
        if target == (upgrade ? "head" : "base") { return target }
        if let sign = target.first, sign == (upgrade ? "+" : "-"), Int(target.dropFirst()).map({ $0 > 0 }) == true { return target }
        guard (try? chain.resolve(target)) != nil else { throw node.error(unknownRevision(target)) }
        return target
    }

    func mappingFields(_ node: YAMLNode, _ action: String, allowed: [String], required: [String]) throws -> [String: YAMLNode] {
        let entries = try node.mapping("'\(action)'")
        try YAMLNode.checkKeys(entries, allowed: allowed, what: "'\(action)'")
        var fields: [String: YAMLNode] = [:]
        for entry in entries { fields[entry.key] = entry.value }
        for key in required where fields[key] == nil { throw node.error("'\(action)' needs '\(key)'") }
        return fields
    }

    func parseAction(_ key: String, _ node: YAMLNode) throws -> StepAction {
        switch key {
        case "baseline": return .baseline(label: try node.string("baseline label"))
        case "backup": return .backup(name: try node.string("backup name"))
        case "restore": return .restore(name: try node.string("backup name"))
        case "maintenance": return .maintenance(on: try node.bool("maintenance"))
        case "stop": return .stop(try services(node, "stop"))
        case "start": return .start(try services(node, "start"))
        case "restart": return .restart(try services(node, "restart"))
        case "build":
            let list = try services(node, "build")
            guard list.count == 1 else { throw node.error("build takes one service") }
            return .build(list[0])
        case "deploy":
            var versionNode = node
            var targets = ServiceName.allCases
            if case .mapping = node.node {
                let fields = try mappingFields(node, key, allowed: ["version", "services"], required: ["version"])
                versionNode = fields["version"]!
                if let servicesNode = fields["services"] { targets = try services(servicesNode, "services") }
            }
            let text = try versionNode.string("version")
            guard let version = CodeVersion(rawValue: text) else { throw versionNode.error("unknown version '\(text)' (expected sprint3 or v2.0.0)") }
            return .deploy(version: version, services: targets)
        case "checkout": return .checkout(try node.scalarList("checkout paths"))
        case "env":
            let entries = try node.mapping("env")
            guard entries.count == 1 else { throw node.error("env sets one variable: {NAME: value}") }
            return .env(name: entries[0].key, value: try entries[0].value.string("env value"))
        case "flush_cache":
            guard try node.bool("flush_cache") else { throw node.error("flush_cache must be true") }
            return .flushCache
        case "migrate":
            let fields = try mappingFields(node, key, allowed: ["upgrade", "downgrade"], required: [])
            guard fields.count == 1 else { throw node.error("migrate needs exactly one of upgrade or downgrade") }
            if let target = fields["upgrade"] { return .migrate(upgrade: true, target: try migrationTarget(target, upgrade: true)) }
            return .migrate(upgrade: false, target: try migrationTarget(fields["downgrade"]!, upgrade: false))
        case "verify": return .verify(try invariants(node, "verify"))
        case "tool":
            let fields = try mappingFields(node, key, allowed: ["call", "as", "args"], required: ["call", "as"])
            let name = try fields["call"]!.string("call")
            guard MCPTools.writeTools.contains(name) else {
                throw fields["call"]!.error("unknown tool '\(name)'" + (NearestName.suggest(name, among: MCPTools.writeTools).map { " (did you mean '\($0)'?)" } ?? ""))
            }
            let arguments = try fields["args"]?.json() ?? .object([])
            guard case .object = arguments else { throw fields["args"]!.error("args must be a mapping") }
            return .tool(name: name, caller: try fields["as"]!.string("as"), arguments: arguments)
        case "approve", "reject":
            let fields = try mappingFields(node, key, allowed: ["proposal", "as", "notes"], required: ["as"])
            let proposal = try fields["proposal"]?.string("proposal") ?? "latest"
            let reviewer = try fields["as"]!.string("as")
            let notes = try fields["notes"]?.string("notes")
            return key == "approve" ? .approve(proposal: proposal, reviewer: reviewer, notes: notes) : .reject(proposal: proposal, reviewer: reviewer, notes: notes)
        case "approvals":
            let status = try node.string("approvals status")
            guard ["pending", "approved", "rejected", "expired", "all"].contains(status) else { throw node.error("approvals status must be pending, approved, rejected, expired or all") }
            return .listApprovals(status: status == "all" ? nil : status)
        case "task":
            let fields = try mappingFields(node, key, allowed: ["run", "dry_run"], required: ["run"])
            let name = try fields["run"]!.string("run")
            guard name == "expire_pending_proposals" else { throw fields["run"]!.error("unknown task '\(name)' (tasks: expire_pending_proposals)") }
            return .expireTask(dryRun: try fields["dry_run"]?.bool("dry_run") ?? false)
        case "advance":
            let text = try node.string("advance")
            guard let seconds = DurationText.seconds(text) else {
                throw node.error("advance '\(text)' is not a duration (e.g. 90s, 15m, 25h, 2d, 1h30m; at most 3650d)")
            }
            guard seconds > 0 else { throw node.error("advance '\(text)' moves no time; give a positive duration") }
            return .advance(seconds: seconds, text: text)
        case "fault":
            let name = try node.string("fault")
            guard FaultCatalog.named(name) != nil else {
                throw node.error("unknown fault '\(name)'" + (NearestName.suggest(name, among: FaultCatalog.names).map { " (did you mean '\($0)'?)" } ?? "") + "; `rehearse faults` lists them")
            }
            return .fault(name)
        case "rollback":
            var planNode = node
            var backup: String?
            if case .mapping = node.node {
                let fields = try mappingFields(node, key, allowed: ["plan", "backup"], required: ["plan"])
                planNode = fields["plan"]!
                backup = try fields["backup"]?.string("backup")
            }
            let plan = try planNode.string("plan")
            guard checklist.plans[plan] != nil else {
                throw planNode.error("unknown rollback plan '\(plan)': \(checklist.file) has \(checklist.planIds.joined(separator: ", "))")
            }
            return .rollback(plan: plan, backup: backup)
        case "sql": return .sql(try node.string("sql"))
        case "shell":
            let lines = try node.scalarList("shell")
            let nodes: [YAMLNode] = { if case .sequence = node.node { return (try? node.sequence("shell")) ?? [] }; return [node] }()
            for (line, lineNode) in zip(lines, nodes) {
                do {
                    try ShellSession.validate(line)
                } catch let error as CommandLineError {
                    let location = lineNode.location
                    let quoted = lineNode.node.scalar.map { $0.style == .doubleQuoted || $0.style == .singleQuoted } ?? false
                    throw ScenarioLoadError(SourceLocation(file: location.file, line: location.line + error.row - 1,
                                                           column: error.row == 1 ? location.column + error.column - 1 + (quoted ? 1 : 0) : error.column), error.message)
                }
            }
            return .shell(lines)
        case "view_traces":
            let target = try node.string("view_traces")
            return .viewTraces(target == "list" || target == "true" ? nil : target)
        case "decide":
            let fields = try mappingFields(node, key, allowed: ["exception", "type", "hard_override", "by", "approved_by", "rationale"], required: ["exception", "type", "by"])
            let type = try fields["type"]!.string("type")
            let types = ["accept_risk", "remediate", "escalate", "reject"]
            guard types.contains(type) else { throw fields["type"]!.error("unknown decision type '\(type)' (\(types.joined(separator: ", ")))") }
            return .decide(exception: try fields["exception"]!.string("exception"), type: type, hardOverride: try fields["hard_override"]?.bool("hard_override") ?? false,
                           by: try fields["by"]!.string("by"), approvedBy: try fields["approved_by"]?.string("approved_by"),
                           rationale: try fields["rationale"]?.string("rationale") ?? "rehearsed decision")
        default:
            guard try node.bool("health") else { throw node.error("health must be true") }
            return .health
        }
    }

    func expect(_ node: YAMLNode) throws -> Expectation {
        let entries = try node.mapping("expect")
        try YAMLNode.checkKeys(entries, allowed: Self.expectKeys, what: "expect")
        var expectation = Expectation()
        for (key, _, value) in entries {
            switch key {
            case "hold": expectation.hold = try invariants(value, "hold")
            case "broken": expectation.broken = try invariants(value, "broken")
            case "unknown": expectation.unknown = try invariants(value, "unknown")
            case "error": expectation.error = try value.string("error")
            case "returns": expectation.returns = try value.json()
            case "output": expectation.output = try value.scalarList("output")
            case "exit":
                let status = try value.integer("exit")
                guard (0...255).contains(status) else { throw value.error("exit must be an exit status, 0 to 255") }
                expectation.exit = Int32(status)
            case "revision":
                let named = try revision(value)
                if named == RevisionChain.base { expectation.expectsBase = true } else { expectation.revision = named }
            default:
                expectation.sql = try value.mapping("expect sql").map { ($0.key, try $0.value.json()) }
            }
        }
        for (first, firstName, second, secondName) in [(expectation.hold, "to hold", expectation.broken, "to be broken"),
                                                       (expectation.hold, "to hold", expectation.unknown, "to be unknown"),
                                                       (expectation.broken, "to be broken", expectation.unknown, "to be unknown")] {
            if let conflict = Set(first).intersection(second).sorted().first {
                throw node.error("invariant '\(conflict)' cannot be expected both \(firstName) and \(secondName)")
            }
        }
        return expectation
    }
}
