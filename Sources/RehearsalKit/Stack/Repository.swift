/// The files of one commit or of the working tree: path → the release whose content the file
/// holds (`v2.0.0`, `sprint3`). Behaviour is derived from which files exist and which content
/// they hold, never from a version flag.
public typealias FileTree = [String: String]

/// One commit of the simulated repository.
public struct Commit: Sendable, Equatable {
    public var id: String
    public var subject: String
    public var parents: [String]
    public var tree: FileTree
    public var short: String { String(id.prefix(7)) }
}

/// The application's git repository on the deploy host: history, tags, the branch, HEAD, the
/// index and the working tree. A value, so a failed step restores it by assignment.
///
/// Semantics follow git's documentation (docs/command-semantics.md cites each): `checkout REF --
/// PATH…` copies the paths from REF into the index and the working tree in overlay mode (files
/// absent from REF stay) and refuses the whole command when one pathspec matches nothing in REF;
/// `checkout TAG` detaches HEAD and refuses when a local change would be overwritten; `pull`
/// fast-forwards the branch to `origin/main`.
public struct Repository: Sendable, Equatable {
    public enum Head: Sendable, Equatable {
        case branch(String)
        case detached(String)
    }

    public var commits: [String: Commit]
    public var tags: [String: String]
    public var branches: [String: String]
    /// Remote-tracking branches (`origin/main`): what `git pull` brings.
    public var remote: [String: String]
    public var head: Head
    /// Index and working tree are one tree: every command modelled here writes both.
    public var worktree: FileTree

    public var headCommit: Commit {
        switch head {
        case .branch(let name): return commits[branches[name]!]!
        case .detached(let id): return commits[id]!
        }
    }

    /// Paths whose working-tree content differs from HEAD's.
    public var localChanges: [String] {
        let headTree = headCommit.tree
        return Set(headTree.keys).union(worktree.keys).filter { headTree[$0] != worktree[$0] }.sorted()
    }

    /// Resolves `HEAD`, `HEAD~N`, `HEAD^`, `HEAD^2`, a tag, a branch, `origin/main`, or a commit
    /// id prefix of at least 4 characters.
    public func resolve(_ revision: String) -> String? {
        var base = revision
        var suffix = ""
        if let index = revision.firstIndex(where: { $0 == "~" || $0 == "^" }) {
            base = String(revision[..<index])
            suffix = String(revision[index...])
        }
        var id: String?
        if base == "HEAD" || base == "@" { id = headCommit.id }
        else if let tag = tags[base] { id = tag }
        else if let branch = branches[base] { id = branch }
        else if let tracking = remote[base] { id = tracking }
        else if base.count >= 4, base.allSatisfy(\.isHexDigit) {
            let matches = commits.keys.filter { $0.hasPrefix(base.lowercased()) }
            if matches.count == 1 { id = matches[0] }
        }
        guard var current = id else { return nil }
        var rest = Substring(suffix)
        while let operation = rest.first {
            rest = rest.dropFirst()
            let digits = rest.prefix(while: \.isNumber)
            rest = rest.dropFirst(digits.count)
            let count = digits.isEmpty ? 1 : Int(digits) ?? -1
            guard count >= 0 else { return nil }
            if operation == "~" {
                for _ in 0..<count {
                    guard let parent = commits[current]?.parents.first else { return nil }
                    current = parent
                }
            } else if count > 0 {
                guard let parents = commits[current]?.parents, parents.indices.contains(count - 1) else { return nil }
                current = parents[count - 1]
            }
        }
        return current
    }

    /// Whether a pathspec names `path`: the path itself, or a directory that holds it.
    static func pathspec(_ spec: String, matches path: String) -> Bool {
        let directory = spec.hasSuffix("/") ? spec : spec + "/"
        return path == spec || path.hasPrefix(directory) || spec == "." || spec == "./"
    }

    /// Ancestors of `id`, newest first (every parent followed, as `git log` lists them).
    func ancestors(of id: String) -> [Commit] {
        var seen: Set<String> = []
        var order: [Commit] = []
        var frontier = [id]
        while let next = frontier.first {
            frontier.removeFirst()
            guard !seen.contains(next), let commit = commits[next] else { continue }
            seen.insert(next)
            order.append(commit)
            frontier += commit.parents
        }
        return order
    }
}
