/// A file in the deploy directory on the host: text (`.env`, redirected output) or a
/// `pg_dump -Fc` archive.
public enum HostFile {
    case text(String)
    case dump(Backup)
}

/// Redis's keyspace: strings with an optional expiry (rendered trace pages, flags) and lists
/// (celery's queues).
public struct RedisStore {
    public var strings: [String: (value: String, expires: Timestamp?)] = [:]
    public var lists: [String: [String]] = [:]

    public var keyCount: Int { strings.count + lists.count }
    public var keys: [String] { (Array(strings.keys) + Array(lists.keys)).sorted() }
}

/// Celery's state beyond the beat schedule: the task ids workers were told to revoke (kept in
/// the worker's memory, so lost when it restarts without `--statedb`), and the id of each run.
public struct CeleryState {
    public var revoked: Set<String> = []
    public var lastTaskId: String?
    /// Messages sent with `celery call` while no worker consumes them.
    public var queued: [String] = []
}

/// The simulated stack on the deploy host, as one value: the repository, the images, the
/// containers with the image and environment each was created with, the host's files and
/// shell environment, redis and celery. A step copies it and assigns it back to undo itself.
public struct Stack {
    public var options: ComposeOptions
    public var repository: Repository
    /// Image id → the files baked into it; tags point at ids.
    public var images: [String: FileTree]
    public var tags: [String: String]
    public var containers: [ServiceName: Container]
    public var files: [String: HostFile]
    /// The operator's shell: `DATABASE_URL` and whatever `export` set.
    public var shellEnvironment: [String: String]
    public var redis = RedisStore()
    /// What redis's `/data` volume holds while its container is stopped or recreated.
    var redisVolume: RedisStore?
    public var celery = CeleryState()

    /// The stack as it runs before the deploy (`code: v2.0.0`) or after it (`code: sprint3`):
    /// images built from the checked-out tree, every container created from them and running.
    public init(chain: RevisionChain, code: CodeVersion, options: ComposeOptions = ComposeOptions(), at time: Timestamp) {
        self.options = options
        repository = RepositoryHistory.repository(chain: chain, deployed: code == .sprint3)
        images = [:]
        tags = ["postgres:15": "postgres:15", "redis:7": "redis:7"]
        images["postgres:15"] = [:]
        images["redis:7"] = [:]
        containers = [:]
        files = [".env": .text(Self.defaultEnvironmentFile)]
        // The deploy host's shell reaches postgres through the published port (docs/stack-model.md).
        shellEnvironment = ["DATABASE_URL": "postgresql://\(options.user):\(options.user)@localhost:5432/\(options.database)", "HOME": "/home/deploy",
                            "PGHOST": "localhost", "PGUSER": options.user, "PGPASSWORD": options.user]
        for service in ServiceName.allCases where ComposeService.of(service).builds {
            _ = build(service)
        }
        for service in ServiceName.allCases {
            containers[service] = newContainer(service, at: time)
            _ = startProcess(service)
        }
    }

    /// The compose environment file as the deploy host has it.
    static let defaultEnvironmentFile = "TRACES_VIEWER_ENABLED=true\nLOG_LEVEL=info\n"

    /// `.env`'s variables: `NAME=value` lines; the last assignment of a name wins, comments and
    /// blank lines are ignored, surrounding quotes are removed (compose's env_file rules).
    public var environmentFile: [String: String] {
        guard case .text(let text)? = files[".env"] else { return [:] }
        var values: [String: String] = [:]
        for raw in text.split(whereSeparator: \.isNewline) {
            let line = raw.trimmingWhitespace()
            guard !line.isEmpty, !line.hasPrefix("#"), let equals = line.firstIndex(of: "=") else { continue }
            var name = String(line[..<equals]).trimmingWhitespace()
            if name.hasPrefix("export ") { name = String(name.dropFirst(7)).trimmingWhitespace() }
            var value = String(line[line.index(after: equals)...]).trimmingWhitespace()
            if value.count >= 2, let first = value.first, first == "\"" || first == "'", value.last == first { value = String(value.dropFirst().dropLast()) }
            values[name] = value
        }
        return values
    }

    /// The image a service's next container would run.
    func currentImage(_ service: ServiceName) -> String? { tags[ComposeService.of(service).image] }

    /// `docker compose build SERVICE`: a new image from the working tree (the same tree gives
    /// the same id, as a cached build does). Nil for a service without a `build:` section.
    mutating func build(_ service: ServiceName) -> String? {
        let definition = ComposeService.of(service)
        guard definition.builds else { return nil }
        let tree = repository.worktree
        let id = String(SHA256.hex(tree.keys.sorted().map { "\($0)=\(tree[$0]!)" }.joined(separator: "\n")).prefix(12))
        images[id] = tree
        tags[definition.image] = id
        return id
    }

    func newContainer(_ service: ServiceName, at time: Timestamp) -> Container {
        let image = currentImage(service) ?? ""
        return Container(image: image, environment: environmentFile, running: false, exit: nil,
                         code: ApplicationCode(files: images[image] ?? [:]), createdAt: time)
    }

    /// Whether `up` would recreate the container: its image or its configuration changed.
    func isOutdated(_ service: ServiceName) -> Bool {
        guard let container = containers[service] else { return false }
        return container.image != currentImage(service) || container.environment != environmentFile
    }

    /// Starts the container's process: it loads its code (the image's files, or the working
    /// tree when bind-mounted) and crashes at once when a module it registers is missing.
    /// Returns the crash reason, if any.
    mutating func startProcess(_ service: ServiceName) -> String? {
        guard var container = containers[service] else { return nil }
        if ComposeService.of(service).builds || service == .celeryWorker {
            container.code = ApplicationCode(files: options.code == .bind ? repository.worktree : images[container.image] ?? [:])
        }
        container.exit = nil
        container.running = true
        if let missing = container.code.importFailure(for: service) {
            let module = missing.replacingOccurrences(of: "/", with: ".").replacingOccurrences(of: ".py", with: "")
            container.running = false
            container.exit = (1, "ModuleNotFoundError: No module named '\(module)'")
        }
        if service == .redis {
            redis = options.redis == .none ? RedisStore() : (redisVolume ?? redis)
            redisVolume = nil
        }
        if service == .celeryWorker { celery.revoked = [] }
        containers[service] = container
        return container.exit?.reason
    }

    /// Stops the container's process (the container stays, with its image and environment).
    mutating func stopProcess(_ service: ServiceName) {
        guard containers[service]?.running == true else { return }
        containers[service]!.running = false
        if service == .redis {
            redisVolume = options.redis == .none ? nil : redis
            redis = RedisStore()
        }
    }

    /// Removes the container (`down`, or a recreate): redis keeps its keys only through a
    /// volume that outlives the container.
    mutating func removeContainer(_ service: ServiceName, recreating: Bool) {
        stopProcess(service)
        containers[service] = nil
        if service == .redis {
            switch options.redis {
            case .none: redisVolume = nil
            case .snapshot: if !recreating { redisVolume = nil }
            case .volume: break
            }
        }
    }

    public func isRunning(_ service: ServiceName) -> Bool { containers[service]?.running ?? false }

    /// The code a service's container runs (empty when it has none).
    public func code(_ service: ServiceName) -> ApplicationCode { containers[service]?.code ?? ApplicationCode(files: [:]) }

    /// Host files whose names match a glob (`*`, `?`), sorted as bash sorts them.
    func files(matching pattern: String) -> [String] {
        files.keys.filter { Glob.matches(pattern, $0) }.sorted()
    }
}

/// Shell pathname patterns: `*`, `?` and `[…]`.
enum Glob {
    static func isPattern(_ text: String) -> Bool { text.contains { $0 == "*" || $0 == "?" || $0 == "[" } }

    static func matches(_ pattern: String, _ name: String) -> Bool {
        let p = Array(pattern), n = Array(name)
        func match(_ i: Int, _ j: Int) -> Bool {
            if i == p.count { return j == n.count }
            switch p[i] {
            case "*":
                var k = j
                while true {
                    if match(i + 1, k) { return true }
                    if k == n.count { return false }
                    k += 1
                }
            case "?":
                return j < n.count && match(i + 1, j + 1)
            case "[":
                guard j < n.count, let close = p[(i + 1)...].firstIndex(of: "]") else { return j < n.count && n[j] == "[" && match(i + 1, j + 1) }
                var set = Array(p[(i + 1)..<close])
                let negate = set.first == "!" || set.first == "^"
                if negate { set.removeFirst() }
                var found = false
                var k = 0
                while k < set.count {
                    if k + 2 < set.count, set[k + 1] == "-" {
                        if set[k] <= n[j] && n[j] <= set[k + 2] { found = true }
                        k += 3
                    } else {
                        if set[k] == n[j] { found = true }
                        k += 1
                    }
                }
                return found != negate && match(close + 1, j + 1)
            default:
                return j < n.count && p[i] == n[j] && match(i + 1, j + 1)
            }
        }
        return match(0, 0)
    }
}
