import GRDB

/// `python -c` for the checklist's task checks (5.1), and `pytest` as the simulated suite
/// (1.4). Both run the code where they run: the container's, or the working tree on the host.
extension ShellSession {
    func python(_ invocation: Invocation) throws -> ToolOutput {
        guard let source = invocation.arguments.value("-c") else {
            return .err("rehearse: not simulated: python without -c (the checklist's checks are `python -c \"…\"`)", status: 2)
        }
        let code = code(at: invocation.place)
        let traceback = "Traceback (most recent call last):\n  File \"<string>\", line 2, in <module>\n"
        if source.contains("import proposal_expiration") || source.contains("import expire_pending_proposals") {
            let name = source.contains("import proposal_expiration") ? "proposal_expiration" : "expire_pending_proposals"
            let importable = name == "proposal_expiration" ? code.has("core/tasks/proposal_expiration.py") : code.expirationTaskImportable
            guard importable else {
                return .err(traceback + "ImportError: cannot import name '\(name)' from 'core.tasks' (/app/core/tasks/__init__.py)", status: 1)
            }
        } else {
            return .err("rehearse: not simulated: python code other than the checklist's task checks (importing core.tasks, calling expire_pending_proposals)", status: 2)
        }
        var result = 0
        if source.contains("expire_pending_proposals(") {
            guard stack.isRunning(.postgres) else {
                return .err(traceback + "sqlalchemy.exc.OperationalError: (psycopg2.OperationalError) could not translate host name \"postgres\" to address: Name or service not known", status: 1)
            }
            let dryRun = source.replacingOccurrences(of: " ", with: "").contains("dry_run=True")
            do {
                let service = invocation.place.service ?? .backend
                result = try db.inSavepointReturning { try ExpirationTask.run(db, world: world, dryRun: dryRun, in: service) }
            } catch let error as ApplicationError {
                return .err(traceback + error.message, status: 1)
            }
        }
        // The checklist's prints: `print('…')` and `print(f'…{result}…')`.
        var printed: [String] = []
        var rest = Substring(source)
        while let start = rest.range(of: "print(") {
            rest = rest[start.upperBound...]
            var body = rest.prefix { $0 != ")" }
            rest = rest.dropFirst(body.count)
            if body.hasPrefix("f") { body = body.dropFirst() }
            guard let quote = body.first, quote == "'" || quote == "\"" else { continue }
            printed.append(String(body.dropFirst().prefix { $0 != quote }).replacingOccurrences(of: "{result}", with: String(result)))
        }
        return .out(printed.joined(separator: "\n"))
    }

    func pytest(_ invocation: Invocation) -> ToolOutput {
        let code = code(at: invocation.place)
        // Test files and their test counts; a defect in a file fails the tests that cover it.
        let suites: [(file: String, tests: Int, critical: Int, covers: [Fault])] = [
            ("core/tests/test_api.py", 48, 0, []),
            ("core/tests/test_determinism.py", 22, 6, [.evaluatorNondeterministic]),
            ("core/tests/test_approvals.py", 31, 4, [.apiApprovalsBroken]),
            ("core/tests/test_mcp_tools.py", 27, 5, [.mcpBypassApproval, .tracesScrubbingOff]),
            ("core/tests/test_expiration.py", 12, 2, [.taskExpirationFails]),
        ]
        let targets = invocation.arguments.operands.isEmpty ? ["core/tests/"] : invocation.arguments.operands
        let marker = invocation.arguments.value("-m")
        var collected = 0
        var failed: [String] = []
        var lines = ["============================= test session starts ==============================",
                     "platform linux -- Python 3.11.7, pytest-8.3.2, pluggy-1.5.0"]
        var body: [String] = []
        for suite in suites where code.has(suite.file) && targets.contains(where: { Repository.pathspec($0, matches: suite.file) }) {
            let count = marker == "critical" ? suite.critical : suite.tests
            guard count > 0 else { continue }
            collected += count
            let broken = suite.covers.filter { fault in
                activeFaultsIn(fault, code: code)
            }
            let failing = broken.isEmpty ? 0 : min(count, 2 + broken.count)
            for index in 0..<failing {
                failed.append("FAILED \(suite.file)::test_\(broken[index % broken.count].name.replacingOccurrences(of: ".", with: "_"))_\(index + 1) - AssertionError")
            }
            body.append("\(suite.file) " + String(repeating: ".", count: count - failing) + String(repeating: "F", count: failing))
        }
        if targets.contains(where: { target in !code.files.keys.contains { Repository.pathspec(target, matches: $0) } }) {
            let missing = targets.first { target in !code.files.keys.contains { Repository.pathspec(target, matches: $0) } }!
            return .out((lines + ["", "ERROR: file or directory not found: \(missing)", "", "============================ no tests ran in 0.01s ============================="]).joined(separator: "\n"), status: 4)
        }
        lines.append("collected \(collected) items\(marker.map { " / \(collected) selected by -m \($0)" } ?? "")")
        lines.append("")
        lines += body
        if !failed.isEmpty { lines += ["", "=========================== short test summary info ============================"] + failed }
        let summary = failed.isEmpty ? "\(collected) passed" : "\(failed.count) failed, \(collected - failed.count) passed"
        lines.append("======================== \(summary) in \(String(format: "%.2f", Double(collected) * 0.031))s ========================")
        var output = ToolOutput.out(lines.joined(separator: "\n"), status: failed.isEmpty ? 0 : 1)
        if invocation.place == .host, code.files["core/main.py"] == RepositoryHistory.v2 {
            output.warn("pytest ran the working tree, which is v2.0.0: Sprint 3's code and tests are not there until `git pull`")
        }
        if collected == 0 { output.status = 5 }
        return output
    }

    /// Whether a fault's defect is in the given code (the tests run that code, wherever it is).
    func activeFaultsIn(_ fault: Fault, code: ApplicationCode) -> Bool {
        world.activeFaults.contains(fault.name) && code.carries(fault)
    }
}

extension Database {
    /// Runs `body` in a savepoint and returns its value; an error rolls the savepoint back.
    func inSavepointReturning<T>(_ body: () throws -> T) throws -> T {
        var value: T?
        try inSavepoint {
            value = try body()
            return .commit
        }
        return value!
    }
}
