/// `git`, on the simulated repository (docs/command-semantics.md): `checkout REF -- PATH…`
/// refuses the whole command when a pathspec matches nothing in REF (exit 1, nothing checked
/// out) and otherwise works in overlay mode (files REF lacks stay); `checkout TAG` detaches
/// HEAD and aborts when a local change would be overwritten; `pull` fast-forwards `main`.
extension ShellSession {
    func git(_ invocation: Invocation) -> ToolOutput {
        let verb = invocation.arguments.spec.path[1]
        let operands = invocation.operands
        var repository = stack.repository
        defer { stack.repository = repository }
        switch verb {
        case "checkout":
            if let separator = operands.firstIndex(of: "--") {
                let revision = operands[..<separator].first ?? "HEAD"
                let paths = Array(operands[(separator + 1)...])
                guard !paths.isEmpty else { return .err("error: you must specify path(s) to restore", status: 1) }
                return checkoutPaths(&repository, revision: revision, paths: paths, overlay: !invocation.arguments.has("--no-overlay"))
            }
            // `git checkout REV PATH…` without `--` reads the rest as paths when REV is a commit.
            if operands.count > 1, repository.resolve(operands[0]) != nil {
                return checkoutPaths(&repository, revision: operands[0], paths: Array(operands.dropFirst()), overlay: !invocation.arguments.has("--no-overlay"))
            }
            guard operands.count == 1 else { return .err("error: pathspec '\(operands.dropFirst().first ?? "")' did not match any file(s) known to git", status: 1) }
            return checkoutRevision(&repository, operands[0])
        case "pull":
            guard case .branch(let branch) = repository.head else {
                return .err("You are not currently on a branch.\nPlease specify which branch you want to merge with.\nSee git-pull(1) for details.\n\n    git pull <remote> <branch>\n", status: 1)
            }
            let here = repository.branches[branch]!
            guard let upstream = repository.remote["origin/\(branch)"] else { return .err("There is no tracking information for the current branch.", status: 1) }
            if here == upstream || repository.ancestors(of: here).contains(where: { $0.id == upstream }) { return .out("Already up to date.") }
            guard repository.ancestors(of: upstream).contains(where: { $0.id == here }) else {
                return .err("fatal: Not possible to fast-forward, aborting.", status: 128)
            }
            let target = repository.commits[upstream]!.tree
            let from = repository.commits[here]!.tree
            let blocked = repository.localChanges.filter { target[$0] != from[$0] }
            if !blocked.isEmpty {
                return .err("error: Your local changes to the following files would be overwritten by merge:\n" + blocked.map { "\t\($0)" }.joined(separator: "\n")
                            + "\nPlease commit your changes or stash them before you merge.\nAborting", status: 1)
            }
            var worktree = target
            for path in repository.localChanges { worktree[path] = repository.worktree[path] }
            let changed = Set(target.keys).union(from.keys).filter { target[$0] != from[$0] }.sorted()
            repository.branches[branch] = upstream
            repository.worktree = worktree
            let lines = ["Updating \(String(here.prefix(7)))..\(String(upstream.prefix(7)))", "Fast-forward"]
                + changed.map { " \($0) | \(from[$0] == nil ? "new" : target[$0] == nil ? "deleted" : "changed")" }
                + [" \(changed.count) files changed"]
            return .out(lines.joined(separator: "\n"))
        case "log":
            var commits = repository.ancestors(of: repository.headCommit.id)
            if let limit = invocation.arguments.value("-n") ?? invocation.arguments.value("--max-count"), let count = Int(limit) { commits = Array(commits.prefix(count)) }
            let lines = commits.map { commit -> String in
                var decorations: [String] = []
                if commit.id == repository.headCommit.id {
                    if case .branch(let name) = repository.head { decorations.append("HEAD -> \(name)") } else { decorations.append("HEAD") }
                }
                for (name, id) in repository.branches.sorted(by: { $0.key < $1.key }) where id == commit.id && repository.head != .branch(name) { decorations.append(name) }
                for (name, id) in repository.remote.sorted(by: { $0.key < $1.key }) where id == commit.id { decorations.append(name) }
                for (name, id) in repository.tags.sorted(by: { $0.key < $1.key }) where id == commit.id { decorations.append("tag: \(name)") }
                let decoration = decorations.isEmpty ? "" : " (\(decorations.joined(separator: ", ")))"
                return invocation.arguments.has("--oneline") ? "\(commit.short)\(decoration) \(commit.subject)" : "commit \(commit.id)\(decoration)\n\n    \(commit.subject)\n"
            }
            return .out(lines.joined(separator: "\n"))
        case "status":
            var lines: [String] = []
            switch repository.head {
            case .branch(let name):
                lines.append("On branch \(name)")
                if let upstream = repository.remote["origin/\(name)"], let here = repository.branches[name] {
                    let behind = repository.ancestors(of: upstream).count - repository.ancestors(of: here).count
                    lines.append(behind > 0 ? "Your branch is behind 'origin/\(name)' by \(behind) commits, and can be fast-forwarded." : "Your branch is up to date with 'origin/\(name)'.")
                }
            case .detached(let id):
                let tag = repository.tags.first { $0.value == id }?.key
                lines.append("HEAD detached at \(tag ?? String(id.prefix(7)))")
            }
            let changes = repository.localChanges
            if invocation.arguments.has("-s") || invocation.arguments.has("--short") || invocation.arguments.has("--porcelain") {
                return .out(changes.map { "\(statusLetter(repository, $0))  \($0)" }.joined(separator: "\n"))
            }
            if changes.isEmpty {
                lines.append("nothing to commit, working tree clean")
            } else {
                lines += ["Changes to be committed:", "  (use \"git restore --staged <file>...\" to unstage)"]
                lines += changes.map { "\t\(statusWord(repository, $0)):   \($0)" }
            }
            return .out(lines.joined(separator: "\n"))
        case "rev-parse":
            guard let name = operands.first, let id = repository.resolve(name) else {
                return .err("fatal: ambiguous argument '\(operands.first ?? "")': unknown revision or path not in the working tree.", status: 128)
            }
            return .out(invocation.arguments.has("--short") ? String(id.prefix(7)) : id)
        default:
            // diff: what differs from HEAD.
            let changes = repository.localChanges
            return .out(changes.map { invocation.arguments.has("--name-only") ? $0 : " \($0) | \(statusWord(repository, $0))" }.joined(separator: "\n"))
        }
    }

    func statusLetter(_ repository: Repository, _ path: String) -> String {
        repository.headCommit.tree[path] == nil ? "A" : repository.worktree[path] == nil ? "D" : "M"
    }

    func statusWord(_ repository: Repository, _ path: String) -> String {
        switch statusLetter(repository, path) {
        case "A": return "new file"
        case "D": return "deleted"
        default: return "modified"
        }
    }

    /// `git checkout REV -- PATH…`: every pathspec must match a file of REV, or nothing changes.
    func checkoutPaths(_ repository: inout Repository, revision: String, paths: [String], overlay: Bool) -> ToolOutput {
        guard let id = repository.resolve(revision) else {
            return .err("fatal: invalid reference: \(revision)", status: 128)
        }
        let tree = repository.commits[id]!.tree
        let unmatched = paths.filter { spec in
            !tree.keys.contains { Repository.pathspec(spec, matches: $0) }
                && (overlay || !repository.worktree.keys.contains { Repository.pathspec(spec, matches: $0) })
        }
        if !unmatched.isEmpty {
            var output = ToolOutput.err(unmatched.map { "error: pathspec '\($0)' did not match any file(s) known to git" }.joined(separator: "\n"), status: 1)
            let added = unmatched.filter { spec in repository.worktree.keys.contains { Repository.pathspec(spec, matches: $0) } }
            if !added.isEmpty {
                output.note("\(added.joined(separator: ", ")) did not exist at \(revision) (\(repository.commits[id]!.short) \(repository.commits[id]!.subject)): Sprint 3 added \(added.count == 1 ? "it" : "them"), so there is no previous version to check out; nothing was checked out")
            }
            return output
        }
        var updated = 0
        for spec in paths {
            for path in tree.keys where Repository.pathspec(spec, matches: path) {
                if repository.worktree[path] != tree[path] { updated += 1 }
                repository.worktree[path] = tree[path]
            }
            if !overlay {
                for path in repository.worktree.keys where Repository.pathspec(spec, matches: path) && tree[path] == nil {
                    repository.worktree[path] = nil
                    updated += 1
                }
            }
        }
        var output = ToolOutput.err("Updated \(updated) path\(updated == 1 ? "" : "s") from \(String(id.prefix(7)))", status: 0)
        let kept = paths.flatMap { spec in repository.worktree.keys.filter { Repository.pathspec(spec, matches: $0) && tree[$0] == nil } }.sorted()
        if overlay && !kept.isEmpty {
            output.note("overlay mode: \(kept.joined(separator: ", ")) \(kept.count == 1 ? "is" : "are") not in \(revision) and stay\(kept.count == 1 ? "s" : "") in the working tree")
        }
        return output
    }

    /// `git checkout TAG|BRANCH|COMMIT`.
    func checkoutRevision(_ repository: inout Repository, _ name: String) -> ToolOutput {
        guard let id = repository.resolve(name) else {
            return .err("error: pathspec '\(name)' did not match any file(s) known to git", status: 1)
        }
        let target = repository.commits[id]!.tree
        let from = repository.headCommit.tree
        let blocked = repository.localChanges.filter { target[$0] != from[$0] && repository.worktree[$0] != target[$0] }
        if !blocked.isEmpty {
            return .err("error: Your local changes to the following files would be overwritten by checkout:\n" + blocked.map { "\t\($0)" }.joined(separator: "\n")
                        + "\nPlease commit your changes or stash them before you switch branches.\nAborting", status: 1)
        }
        var worktree = target
        let carried = repository.localChanges.filter { target[$0] == from[$0] }
        for path in carried { worktree[path] = repository.worktree[path] }
        let commit = repository.commits[id]!
        var lines = carried.map { "\(statusLetter(repository, $0))\t\($0)" }
        if repository.branches[name] != nil {
            repository.head = .branch(name)
            lines.append("Switched to branch '\(name)'")
        } else {
            repository.head = .detached(id)
            lines += ["Note: switching to '\(name)'.", "", "You are in 'detached HEAD' state. You can look around, make experimental",
                      "changes and commit them, and you can discard any commits you make in this", "state without impacting any branches by switching back to a branch.",
                      "", "HEAD is now at \(commit.short) \(commit.subject)"]
        }
        repository.worktree = worktree
        var output = ToolOutput.err(lines.joined(separator: "\n"), status: 0)
        if !carried.isEmpty { output.note("local changes carried over into \(name): \(carried.joined(separator: ", "))") }
        return output
    }
}
