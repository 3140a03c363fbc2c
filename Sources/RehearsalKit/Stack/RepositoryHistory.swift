/// The Governance OS repository as the deploy host has it: the v2.0.0 release, and Sprint 3 as
/// six commits on a branch merged into `main` with a merge commit. So on the deployed `main`,
/// `HEAD~1` (the merge's first parent) is v2.0.0, and every file Sprint 3 added is absent from
/// it: `git checkout HEAD~1 -- core/api/approvals.py` fails as git fails. docs/stack-model.md
/// lists every path and the commit that adds or changes it.
public enum RepositoryHistory {
    public static let v2 = "v2.0.0"
    public static let sprint3 = "sprint3"

    static let releaseFiles = [
        "Dockerfile", "docker-compose.yml", "alembic.ini", "alembic/env.py",
        "core/__init__.py", "core/main.py", "core/models.py", "core/celery.py", "core/evaluator.py",
        "core/api/__init__.py", "core/api/health.py", "core/api/stats.py", "core/api/signals.py",
        "core/tasks/__init__.py", "core/tests/test_api.py", "core/tests/test_determinism.py",
        "mcp/Dockerfile", "mcp/server.py", "mcp/tools/__init__.py", "mcp/tools/read_tools.py",
        "ui/Dockerfile", "ui/package.json", "ui/app/layout.tsx", "ui/app/page.tsx",
    ]

    /// The Sprint 3 commits, oldest first: (subject, paths added, paths changed). The first
    /// commit also adds the first revision after 005, the second every later one.
    static let sprint3Commits: [(subject: String, adds: [String], changes: [String])] = [
        ("Add pending proposals (006) and the approvals API",
         ["core/api/approvals.py", "core/tests/test_approvals.py"], ["core/main.py", "core/models.py"]),
        ("Add agent traces (007), trace recording and the traces API",
         ["core/agents/__init__.py", "core/agents/tracing.py", "core/api/traces.py"], ["core/main.py", "core/models.py"]),
        ("MCP write tools behind the approval gate", ["mcp/tools/write_tools.py", "core/tests/test_mcp_tools.py"], ["mcp/server.py"]),
        ("Proposal expiration task", ["core/tasks/proposal_expiration.py", "core/tests/test_expiration.py"], ["core/celery.py", "core/tasks/__init__.py"]),
        ("Traces viewer", ["ui/app/traces/page.tsx", "ui/app/traces/[id]/page.tsx", "ui/app/traces/cache.ts"], ["ui/app/layout.tsx"]),
        ("Evaluate agent signals with the rule engine", [], ["core/evaluator.py"]),
    ]

    /// Where alembic keeps a revision's file.
    public static func migrationPath(_ id: String) -> String { "alembic/versions/\(id).py" }

    /// The repository with v2.0.0 on `main` and Sprint 3 on `origin/main` (before the deploy's
    /// `git pull`), or with `main` already at the merge (`code: sprint3`).
    public static func repository(chain: RevisionChain, deployed: Bool) -> Repository {
        // A function of the revisions' ids alone, built for every world (each scenario's, each
        // explored history's): two thirds of a world's making were hashing these commits again.
        built.value(Key(revisions: chain.revisions.map(\.id), deployed: deployed)) { build(chain: chain, deployed: deployed) }
    }

    private struct Key: Hashable {
        var revisions: [String]
        var deployed: Bool
    }
    private static let built = ProcessMemo<Key, Repository>(limit: 16)

    private static func build(chain: RevisionChain, deployed: Bool) -> Repository {
        let split = chain.index(of: "005_add_immutability_triggers").map { $0 + 1 } ?? chain.revisions.count
        let releaseMigrations = chain.revisions[..<split].map { migrationPath($0.id) }
        let laterMigrations = chain.revisions[split...].map { migrationPath($0.id) }

        var commits: [String: Commit] = [:]
        func commit(_ subject: String, parents: [String], tree: FileTree) -> String {
            let text = subject + "\n" + parents.joined(separator: " ") + "\n" + tree.keys.sorted().map { "\($0)=\(tree[$0]!)" }.joined(separator: "\n")
            let id = String(SHA256.hex(text).prefix(40))
            commits[id] = Commit(id: id, subject: subject, parents: parents, tree: tree)
            return id
        }
        var tree: FileTree = [:]
        for path in releaseFiles + releaseMigrations { tree[path] = v2 }
        let release = commit("Release v2.0.0", parents: [], tree: tree)
        var tip = release
        for (index, change) in sprint3Commits.enumerated() {
            var adds = change.adds
            if index == 0 { adds += laterMigrations.prefix(1) }
            if index == 1 { adds += laterMigrations.dropFirst() }
            for path in adds + change.changes { tree[path] = sprint3 }
            tip = commit(change.subject, parents: [tip], tree: tree)
        }
        let merge = commit("Merge branch 'sprint3': the agentic coprocessor", parents: [release, tip], tree: tree)
        let main = deployed ? merge : release
        return Repository(commits: commits, tags: ["v2.0.0": release], branches: ["main": main, "sprint3": tip],
                          remote: ["origin/main": merge], head: .branch("main"), worktree: commits[main]!.tree)
    }
}
