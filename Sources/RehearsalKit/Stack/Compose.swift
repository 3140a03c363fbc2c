/// How the simulated `docker-compose.yml` is written, where it matters to the semantics. Each
/// option is a scenario key (`compose:`) and a `rehearse checklist` flag; docs/stack-model.md
/// states the defaults and why.
public struct ComposeOptions: Sendable, Equatable {
    public enum CodeDelivery: String, Sendable, CaseIterable {
        /// The default: code is copied into the image at `docker compose build` (the
        /// checklist's plans rebuild images, which only matters when code is baked in).
        case baked
        /// The working tree is bind-mounted into the containers: a process loads whatever the
        /// working tree holds when it (re)starts, and a build changes nothing.
        case bind
    }

    public enum RedisPersistence: String, Sendable, CaseIterable {
        /// The official image's defaults: RDB snapshots into an anonymous `/data` volume. Keys
        /// survive `restart`, `stop`/`start` and a recreate by `up` (compose carries anonymous
        /// volumes over), and are lost on `down` (the next container gets a new volume).
        case snapshot
        /// `--save "" --appendonly no`: a pure cache, every restart starts empty.
        case none
        /// A named volume with appendonly: keys survive everything, `down` included.
        case volume
    }

    public var code: CodeDelivery = .baked
    public var redis: RedisPersistence = .snapshot
    /// The database the postgres service creates (`POSTGRES_DB`); `psql -U govos` without `-d`
    /// connects to a database named after the user, as psql does.
    public var database = "governance_os"
    public var user = "govos"

    public init() {}
}

/// One service of the compose file: its image, whether compose builds that image, and what it
/// waits for.
struct ComposeService: Sendable {
    var name: ServiceName
    var image: String
    /// Only services with a `build:` section are built; celery-worker runs the backend's image.
    var builds: Bool
    var dependsOn: [ServiceName]
    /// The executables the container has, for `docker compose exec`.
    var executables: Set<String>

    static let all: [ServiceName: ComposeService] = [
        .postgres: ComposeService(name: .postgres, image: "postgres:15", builds: false, dependsOn: [],
                                  executables: ["psql", "pg_isready", "pg_dump", "pg_restore", "bash", "sh"]),
        .redis: ComposeService(name: .redis, image: "redis:7", builds: false, dependsOn: [], executables: ["redis-cli", "sh"]),
        .backend: ComposeService(name: .backend, image: "governance-os-backend", builds: true, dependsOn: [.postgres, .redis],
                                 executables: ["alembic", "python", "python3", "celery", "pytest", "bash", "sh"]),
        .celeryWorker: ComposeService(name: .celeryWorker, image: "governance-os-backend", builds: false, dependsOn: [.postgres, .redis],
                                      executables: ["alembic", "python", "python3", "celery", "bash", "sh"]),
        .mcpServer: ComposeService(name: .mcpServer, image: "governance-os-mcp-server", builds: true, dependsOn: [.postgres, .backend],
                                   executables: ["python", "python3", "bash", "sh"]),
        .frontend: ComposeService(name: .frontend, image: "governance-os-frontend", builds: true, dependsOn: [.backend],
                                  executables: ["node", "sh"]),
    ]

    static func of(_ name: ServiceName) -> ComposeService { all[name]! }

    var containerName: String { "governance-os-\(name.rawValue)-1" }
}

/// A container: the image and environment it was created with (kept until it is recreated),
/// whether it runs, and the code its process loaded when it last started.
public struct Container: Sendable, Equatable {
    public var image: String
    public var environment: [String: String]
    public var running: Bool
    /// Why it is not running: nil (stopped by hand) or the exit code and reason of a crash.
    public var exit: (code: Int, reason: String)?
    public var code: ApplicationCode
    public var createdAt: Timestamp

    public static func == (lhs: Container, rhs: Container) -> Bool {
        lhs.image == rhs.image && lhs.environment == rhs.environment && lhs.running == rhs.running
            && lhs.exit?.code == rhs.exit?.code && lhs.exit?.reason == rhs.exit?.reason && lhs.code == rhs.code && lhs.createdAt == rhs.createdAt
    }
}
