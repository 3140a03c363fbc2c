import GRDB

/// `docker compose`, as Compose v2 behaves (docs/command-semantics.md): `restart` and `start`
/// reuse the existing container, with the image and environment it was created with; only
/// `up` recreates a container whose image or configuration changed (`--force-recreate`
/// always); `build` makes a new image from the working tree and changes no container; `down`
/// removes every container, the database's and redis's included; `exec` needs a running
/// container. Progress lines go to standard error, as Compose writes them.
extension ShellSession {
    func docker(_ invocation: Invocation) throws -> ToolOutput {
        let verb = invocation.arguments.spec.path[2]
        let arguments = invocation.arguments
        if verb == "exec" || verb == "run" { return try dockerExec(invocation, oneOff: verb == "run") }
        var named: [ServiceName] = []
        for operand in arguments.operands {
            guard let service = ServiceName(rawValue: operand) else { return .err("no such service: \(operand)", status: 1) }
            named.append(service)
        }
        let services = named.isEmpty ? ServiceName.allCases : named.sorted()
        var output = ToolOutput()
        func progress(_ service: ServiceName, _ what: String) {
            output.stderr += " ✔ Container \(ComposeService.of(service).containerName)  \(what)\n"
        }
        switch verb {
        case "ps":
            var lines = [pad("NAME", 34) + pad("IMAGE", 34) + pad("SERVICE", 16) + "STATUS"]
            for service in ServiceName.allCases {
                guard let container = stack.containers[service], container.running || arguments.has("-a") || arguments.has("--all") else { continue }
                guard named.isEmpty || named.contains(service) else { continue }
                let tag = ComposeService.of(service).image
                let image = stack.tags[tag] == container.image ? tag : "\(tag)@\(container.image)"
                let status = container.running ? "Up" : "Exited (\(container.exit?.code ?? 0))"
                lines.append(pad(ComposeService.of(service).containerName, 34) + pad(image, 34) + pad(service.rawValue, 16) + status)
            }
            return .out(lines.joined(separator: "\n"))
        case "logs":
            return dockerLogs(arguments, services: services)
        case "stop":
            for service in services where stack.containers[service] != nil {
                stack.stopProcess(service)
                world.log.append(world.clock, service, "INFO", "Stopping \(service.rawValue)")
                progress(service, "Stopped")
            }
            output.seconds = 10
        case "start":
            for service in services {
                guard stack.containers[service] != nil else { return .err("service \"\(service.rawValue)\" has no container to start", status: 1) }
            }
            for service in services where !stack.isRunning(service) {
                noteOutdated(service, verb: "start", into: &output)
                startProcess(service)
                progress(service, "Started")
            }
            output.seconds = 10
        case "restart":
            for service in services where stack.containers[service] != nil {
                noteOutdated(service, verb: "restart", into: &output)
                stack.stopProcess(service)
                startProcess(service)
                progress(service, "Restarted")
            }
            output.seconds = 20
        case "build":
            let targets = services.filter { ComposeService.of($0).builds }
            if targets.isEmpty, !named.isEmpty {
                output.warn("\(named.map(\.rawValue).joined(separator: ", ")) has no build section (it runs the image \(ComposeService.of(named[0]).image)); nothing was built")
            }
            for service in targets {
                let before = stack.tags[ComposeService.of(service).image]
                let id = stack.build(service)!
                output.stderr += " ✔ Service \(service.rawValue)  Built\n"
                world.log.append(world.clock, service, "INFO", "image \(ComposeService.of(service).image) built: \(id)")
                if before != id { noteWaitingImage(service, into: &output) }
            }
            output.seconds = Int64(targets.count) * 90
        case "up":
            guard arguments.has("-d") || arguments.has("--detach") else {
                return .err("rehearse: not simulated: docker compose up without -d (it attaches to the containers' output until interrupted)", status: 2)
            }
            var targets = Set(services)
            if !arguments.has("--no-deps") {
                var frontier = Array(targets)
                while let next = frontier.popLast() {
                    for dependency in ComposeService.of(next).dependsOn where !targets.contains(dependency) {
                        targets.insert(dependency)
                        frontier.append(dependency)
                    }
                }
            }
            let ordered = targets.sorted()
            if arguments.has("--build") {
                for service in ordered where ComposeService.of(service).builds {
                    _ = stack.build(service)
                    output.stderr += " ✔ Service \(service.rawValue)  Built\n"
                }
            }
            for service in ordered {
                if stack.containers[service] == nil {
                    stack.containers[service] = stack.newContainer(service, at: world.clock)
                    progress(service, "Created")
                    startProcess(service)
                    progress(service, "Started")
                } else if arguments.has("--force-recreate") || stack.isOutdated(service) {
                    stack.removeContainer(service, recreating: true)
                    stack.containers[service] = stack.newContainer(service, at: world.clock)
                    progress(service, "Recreated")
                    startProcess(service)
                    progress(service, "Started")
                } else if !stack.isRunning(service) {
                    startProcess(service)
                    progress(service, "Started")
                } else {
                    progress(service, "Running")
                }
            }
            output.seconds = 30 + (arguments.has("--build") ? 180 : 0)
        case "down":
            for service in ServiceName.allCases.reversed() where stack.containers[service] != nil {
                stack.removeContainer(service, recreating: false)
                world.log.append(world.clock, service, "INFO", "container removed")
                progress(service, "Removed")
            }
            output.stderr += " ✔ Network governance-os_default  Removed\n"
            if arguments.has("-v") || arguments.has("--volumes") {
                try wipeDatabase()
                output.stderr += " ✔ Volume governance-os_pgdata  Removed\n"
                output.warn("down -v removed the pgdata volume: the database is gone")
            }
            output.seconds = 15
        default:
            // pull: the application images are built here, only postgres and redis come from a registry.
            for service in services where !ComposeService.of(service).builds && service != .celeryWorker {
                output.stderr += " ✔ \(service.rawValue) Pulled\n"
            }
            output.warn("docker compose pull fetches postgres and redis only: the application's images are built from the working tree (docker compose build)")
            output.seconds = 20
        }
        return output
    }

    func pad(_ text: String, _ width: Int) -> String { text.count >= width ? text + " " : text.padding(toLength: width, withPad: " ", startingAt: 0) }

    /// Starts a container's process and logs what it loaded, or why it crashed.
    func startProcess(_ service: ServiceName) {
        if let crash = stack.startProcess(service) {
            world.log.append(world.clock, service, "ERROR", "Traceback (most recent call last): \(crash)")
            world.log.append(world.clock, service, "ERROR", "container exited with code 1")
        } else {
            world.log.append(world.clock, service, "INFO", "Started \(service.rawValue)")
        }
        if service == .celeryWorker, stack.isRunning(service) { runQueuedTasks() }
    }

    /// The note a `start` or `restart` earns when the container is older than what the operator
    /// prepared: a newer image, or a changed `.env`, that only a recreate applies.
    func noteOutdated(_ service: ServiceName, verb: String, into output: inout ToolOutput) {
        guard let container = stack.containers[service], stack.options.code == .baked || container.environment != stack.environmentFile else { return }
        var reasons: [String] = []
        if let current = stack.currentImage(service), container.image != current, stack.options.code == .baked {
            reasons.append("runs its old image \(container.image), not the newer \(current)")
        }
        let environment = stack.environmentFile
        let changed = Set(container.environment.keys).union(environment.keys).filter { container.environment[$0] != environment[$0] }.sorted()
        if !changed.isEmpty {
            reasons.append("keeps the environment it was created with (\(changed.map { "\($0)=\(container.environment[$0] ?? "unset")" }.joined(separator: ", ")), not .env's)")
        }
        if !reasons.isEmpty {
            output.warn("\(service.rawValue): docker compose \(verb) reuses the existing container, which \(reasons.joined(separator: " and ")); only `docker compose up -d \(service.rawValue)` recreates it")
        }
    }

    func noteWaitingImage(_ service: ServiceName, into output: inout ToolOutput) {
        let users = ServiceName.allCases.filter { ComposeService.of($0).image == ComposeService.of(service).image && stack.containers[$0] != nil }
        guard stack.options.code == .baked, !users.isEmpty else { return }
        output.note("the new image runs only in containers created from now on: \(users.map(\.rawValue).joined(separator: ", ")) keep\(users.count == 1 ? "s" : "") the old one until `docker compose up -d` recreates \(users.count == 1 ? "it" : "them")")
    }

    func dockerLogs(_ arguments: ParsedArguments, services: [ServiceName]) -> ToolOutput {
        var since: Timestamp?
        if let text = arguments.value("--since") {
            guard let seconds = DurationText.seconds(text) else { return .err("invalid value \"\(text)\" for flag --since", status: 1) }
            since = world.clock.adding(seconds: -seconds)
        }
        var lines: [String] = []
        for service in services {
            var serviceLines = world.log.lines(for: service, since: since).map(\.formatted)
            if let tail = arguments.value("--tail") ?? arguments.value("-n"), tail != "all" {
                guard let count = Int(tail), count >= 0 else { return .err("invalid value \"\(tail)\" for flag --tail", status: 1) }
                serviceLines = Array(serviceLines.suffix(count))
            }
            lines += serviceLines
        }
        var output = ToolOutput.out(lines.joined(separator: "\n"))
        if arguments.has("-f") || arguments.has("--follow") { output.note("logs -f follows until interrupted; the rehearsal prints what there is and returns") }
        return output
    }

    func dockerExec(_ invocation: Invocation, oneOff: Bool) throws -> ToolOutput {
        let operands = invocation.operands
        guard let name = operands.first else { return .err("\"docker compose \(oneOff ? "run" : "exec")\" requires at least 2 arguments.", status: 1) }
        guard let service = ServiceName(rawValue: name) else { return .err("no such service: \(name)", status: 1) }
        guard operands.count > 1 else { return .err("\"docker compose \(oneOff ? "run" : "exec")\" requires at least 2 arguments.", status: 1) }
        if oneOff {
            var output = ToolOutput()
            for dependency in ComposeService.of(service).dependsOn where !stack.isRunning(dependency) {
                if stack.containers[dependency] == nil { stack.containers[dependency] = stack.newContainer(dependency, at: world.clock) }
                startProcess(dependency)
                output.stderr += " ✔ Container \(ComposeService.of(dependency).containerName)  Started\n"
            }
            let inner = try execute(Array(operands.dropFirst()), stdin: invocation.stdin, place: .oneOff(service))
            output.stdout = inner.stdout
            output.stderr += inner.stderr
            output.status = inner.status
            output.notes = inner.notes
            output.warnings = inner.warnings
            output.dump = inner.dump
            output.seconds = inner.seconds + 5
            return output
        }
        guard stack.isRunning(service) else { return .err("service \"\(service.rawValue)\" is not running", status: 1) }
        return try execute(Array(operands.dropFirst()), stdin: invocation.stdin, place: .container(service))
    }

    /// `down -v`: the postgres volume goes, and the database with it.
    func wipeDatabase() throws {
        try db.execute(sql: "PRAGMA foreign_keys = OFF")
        for (type, name) in try Row.fetchAll(db, sql: "SELECT type, name FROM sqlite_master WHERE type IN ('table', 'view') AND name NOT LIKE 'sqlite_%'").map({ ($0[0] as String, $0[1] as String) }) {
            try db.execute(sql: "DROP \(type == "view" ? "VIEW" : "TABLE") IF EXISTS \"\(name)\"")
        }
        try db.execute(sql: "PRAGMA foreign_keys = ON")
    }

    /// The code a program runs with, by where it runs: the working tree on the host, the
    /// container's loaded code inside it, the current image in a one-off container.
    func code(at place: Place) -> ApplicationCode {
        switch place {
        case .host: return ApplicationCode(files: stack.repository.worktree)
        case .container(let service): return stack.code(service)
        case .oneOff(let service):
            if stack.options.code == .bind { return ApplicationCode(files: stack.repository.worktree) }
            return ApplicationCode(files: stack.currentImage(service).flatMap { stack.images[$0] } ?? [:])
        }
    }
}
