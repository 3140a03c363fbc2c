import Foundation
import Testing
@testable import RehearsalKit

/// The simulated repository against a real git repository built with the same history
/// (v2.0.0, six Sprint 3 commits merged with a merge commit): the same commands give the same
/// exit status, the same error lines and the same working tree.
@Suite(.enabled(if: OptionalTool.has("git"), "needs git on PATH (apt-get install git; .ci/run installs it)"))
struct GitDifferentialTests {
    /// A real repository: every path of a commit's tree written with its content label.
    static func realRepository() throws -> URL {
        let chain = try RevisionChain.shipped()
        let model = RepositoryHistory.repository(chain: chain, deployed: true)
        let directory = try makeTemporaryDirectory()
        func git(_ arguments: [String]) throws {
            let result = try ChildProcess.run(OptionalTool.path("git") ?? "/usr/bin/git", ["-c", "user.email=r@example.com", "-c", "user.name=r", "-c", "init.defaultBranch=main"] + arguments,
                                              currentDirectory: directory)
            precondition(result.status == 0, "git \(arguments): \(result.stderr)")
        }
        func write(_ tree: FileTree) throws {
            for (path, _) in try currentFiles(directory) where tree[path] == nil {
                try FileManager.default.removeItem(at: directory.appendingPathComponent(path))
            }
            for (path, content) in tree {
                let file = directory.appendingPathComponent(path)
                try FileManager.default.createDirectory(at: file.deletingLastPathComponent(), withIntermediateDirectories: true)
                try (content + "\n").write(to: file, atomically: true, encoding: .utf8)
            }
        }
        try git(["init", "-q"])
        let merge = model.headCommit
        let release = model.commits[model.tags["v2.0.0"]!]!
        try write(release.tree)
        try git(["add", "-A"]); try git(["commit", "-qm", release.subject]); try git(["tag", "v2.0.0"])
        try git(["checkout", "-qb", "sprint3"])
        for commit in model.ancestors(of: merge.parents[1]).reversed() where commit.id != release.id {
            try write(commit.tree)
            try git(["add", "-A"]); try git(["commit", "-qm", commit.subject])
        }
        try git(["checkout", "-q", "main"])
        try git(["merge", "-q", "--no-ff", "sprint3", "-m", merge.subject])
        return directory
    }

    static func currentFiles(_ directory: URL) throws -> [String: String] {
        var files: [String: String] = [:]
        let enumerator = FileManager.default.enumerator(at: directory, includingPropertiesForKeys: [.isRegularFileKey])!
        for case let url as URL in enumerator where !url.path.contains("/.git/") && !url.path.hasSuffix("/.git") {
            guard (try url.resourceValues(forKeys: [.isRegularFileKey])).isRegularFile == true else { continue }
            let path = String(url.standardizedFileURL.path.dropFirst(directory.standardizedFileURL.path.count + 1))
            files[path] = try String(contentsOf: url, encoding: .utf8).trimmingCharacters(in: .whitespacesAndNewlines)
        }
        return files
    }

    static let commands = [
        ["checkout", "HEAD~1", "--", "core/api/approvals.py", "core/api/traces.py"],
        ["checkout", "HEAD~1", "--", "core/main.py", "core/api/traces.py"],
        ["checkout", "HEAD~1", "--", "core/main.py"],
        ["checkout", "HEAD~1", "--", "mcp/"],
        ["checkout", "HEAD~1", "--", "ui/app/traces/"],
        ["checkout", "HEAD~1", "--", "core/tasks/proposal_expiration.py"],
        ["checkout", "HEAD~1", "--", "core/celery.py"],
        ["checkout", "v2.0.0"],
        ["checkout", "HEAD^2", "--", "mcp/server.py"],
        ["checkout", "HEAD~1", "core/main.py"],
        ["checkout", "--no-overlay", "HEAD~1", "--", "mcp/"],
    ]

    @Test(arguments: commands)
    func theSimulatedRepositoryAnswersAsGitDoes(command: [String]) throws {
        let directory = try Self.realRepository()
        let real = try ChildProcess.run(OptionalTool.path("git") ?? "/usr/bin/git", command, currentDirectory: directory)
        let rig = try StackRig()
        let simulated = try rig.run((["git"] + command).joined(separator: " "))
        #expect(simulated.status == real.status, "\(command): git exited \(real.status): \(real.stderr)")
        let realErrors = real.stderr.split(separator: "\n").filter { $0.hasPrefix("error:") || $0.hasPrefix("fatal:") }.map(String.init)
        #expect(simulated.output.filter { $0.hasPrefix("error:") || $0.hasPrefix("fatal:") } == realErrors)
        #expect(rig.world.stack.repository.worktree == (try Self.currentFiles(directory)), "\(command): the working trees differ")
    }

    @Test func headTildeOneIsTheRelease() throws {
        let directory = try Self.realRepository()
        let real = try ChildProcess.run(OptionalTool.path("git") ?? "/usr/bin/git", ["rev-parse", "HEAD~1", "v2.0.0^{commit}"], currentDirectory: directory)
        let lines = real.stdout.split(separator: "\n")
        #expect(lines.count == 2 && lines[0] == lines[1])
        let rig = try StackRig()
        #expect(rig.world.stack.repository.resolve("HEAD~1") == rig.world.stack.repository.tags["v2.0.0"])
    }
}
