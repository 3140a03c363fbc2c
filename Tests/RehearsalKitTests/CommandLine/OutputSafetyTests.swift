import Foundation
import GRDB
import Testing
@testable import RehearsalKit

/// Nothing lost: output paths that cannot destroy, backups that prove themselves, restores
/// that cannot wipe, and corrupt input refused as invalid input. Each case was seen destroying
/// data with exit 0 before.
@Suite struct OutputSafetyTests {
    /// A migrated, seeded database and a verified backup of it, in a fresh directory.
    func workspace() throws -> (directory: URL, db: String, backup: String) {
        let directory = try makeTemporaryDirectory()
        let db = directory.appendingPathComponent("g.db").path
        #expect(try runRehearse(["migrate", "upgrade", "head", "--db", db]).status == 0)
        #expect(try runRehearse(["seed", "--db", db, "--seed", "3"]).status == 0)
        let backup = directory.appendingPathComponent("good.dump").path
        let taken = try runRehearse(["backup", "--db", db, "-o", backup])
        #expect(taken.status == 0, "\(taken.stderr)")
        #expect(taken.stdout.hasPrefix("backup written to \(backup) and verified: "))
        return (directory, db, backup)
    }

    func bytes(_ path: String) -> Data? { FileManager.default.contents(atPath: path) }

    /// Rows the backup does not have, in a table without immutability triggers.
    static func addProposals(_ db: Database, _ count: Int) throws {
        for n in 0..<count {
            try db.execute(sql: """
                INSERT INTO pending_proposals (id, proposal_type, proposed_by, proposed_at, payload, status, expires_at)
                VALUES (?, 'signal', 'agent:test', '2026-01-14T09:00:00Z', '{}', 'pending', '2026-01-15T09:00:00Z')
                """, arguments: [String(format: "00000000-0000-4000-8000-%012d", n)])
        }
    }

    @Test func outputPathsThatWouldDestroySomethingAreRefused() throws {
        let (directory, db, backup) = try workspace()
        let reports = directory.appendingPathComponent("reports")
        try FileManager.default.createDirectory(at: reports, withIntermediateDirectories: true)
        try "keep".write(to: reports.appendingPathComponent("keep.txt"), atomically: true, encoding: .utf8)
        let database = bytes(db)
        let refusals: [([String], String)] = [
            (["backup", "--db", db, "-o", reports.path], "\(reports.path): error: refusing to write here: it is a directory\n"),
            (["backup", "--db", db, "-o", db], "\(db): error: refusing to write here: it is the database this command reads\n"),
            (["baseline", "--db", db, "-o", db], "\(db): error: refusing to write here: it is the database this command reads\n"),
            (["baseline", "--db", db, "-o", "/dev/null"], "/dev/null: error: refusing to write here: it is not a regular file (a device, a pipe or a socket)\n"),
            (["baseline", "--db", db, "-o", backup], "\(backup): error: refusing to write here: it is a rehearse backup, not a text file; give --force to replace it\n"),
            (["run", "--tag", "happy-path", "--output", db], "\(db): error: refusing to write here: it is a SQLite database, not a text file; give --force to replace it\n"),
            (["backup", "--db", db, "-o", directory.appendingPathComponent("nowhere/b.dump").path], "\(directory.appendingPathComponent("nowhere/b.dump").path): error: refusing to write here: no such directory: \(directory.appendingPathComponent("nowhere").path)\n"),
        ]
        for (arguments, message) in refusals {
            let result = try runRehearse(arguments, currentDirectory: packageRoot)
            #expect(result.status == 2, "\(arguments)")
            #expect(result.stderr == message)
        }
        // Nothing was touched: the directory and its file, the database, the device.
        #expect(try String(contentsOf: reports.appendingPathComponent("keep.txt"), encoding: .utf8) == "keep")
        #expect(bytes(db) == database)
        var status = stat()
        #expect(stat("/dev/null", &status) == 0 && status.st_mode & S_IFMT == S_IFCHR)
        // A text file is replaced by a text file; --force replaces a file of another kind.
        let baseline = directory.appendingPathComponent("b.json").path
        #expect(try runRehearse(["baseline", "--db", db, "-o", baseline]).status == 0)
        #expect(try runRehearse(["baseline", "--db", db, "-o", baseline, "--label", "again"]).status == 0)
        #expect(try String(contentsOf: URL(fileURLWithPath: baseline), encoding: .utf8).contains("\"again\""))
        #expect(try runRehearse(["baseline", "--db", db, "-o", backup, "--force"]).status == 0)
        // No temporary file is left behind.
        #expect(try FileManager.default.contentsOfDirectory(atPath: directory.path).filter { $0.contains(".rehearse-") } == [])
    }

    @Test func onlyCommandsThatCreateADatabaseCreateOne() throws {
        let directory = try makeTemporaryDirectory()
        let typo = directory.appendingPathComponent("typo.db").path
        for arguments in [["migrate", "current", "--db", typo], ["migrate", "downgrade", "base", "--db", typo], ["sql", "--db", typo, "SELECT 1"],
                          ["check", "--db", typo], ["baseline", "--db", typo, "-o", directory.appendingPathComponent("b.json").path]] {
            let result = try runRehearse(arguments)
            #expect(result.status == 2, "\(arguments)")
            #expect(result.stderr == "\(typo): error: no such database (run `rehearse migrate upgrade head --db \(typo)` first)\n")
            #expect(!FileManager.default.fileExists(atPath: typo), "\(arguments)")
        }
        #expect(try runRehearse(["migrate", "upgrade", "head", "--db", typo]).status == 0)
    }

    /// Empty, random, truncated, bit-flipped, edited after writing, or another SQLite file:
    /// each is refused by `backup --list` and `restore` with the reason, and the target keeps
    /// every byte.
    @Test func backupsThatDoNotProveThemselvesAreRefused() throws {
        let (directory, db, backup) = try workspace()
        let good = bytes(backup)!
        func file(_ name: String, _ data: Data) throws -> String {
            let path = directory.appendingPathComponent(name).path
            try data.write(to: URL(fileURLWithPath: path))
            return path
        }
        var generator = SeededGenerator(seed: 5)
        var flipped = good
        // Near the end of every page, where SQLite keeps the cell content.
        for page in stride(from: 4096 * 2, to: good.count - 4096, by: 4096) { for offset in (page + 4000)..<(page + 4064) { flipped[offset] ^= 0xA5 } }
        let edited = try file("edited.dump", good)
        try DatabaseQueue(path: edited).write { db in try db.execute(sql: "UPDATE users SET display_name = 'x' WHERE rowid = 1") }
        let cases: [(String, String)] = [
            (try file("empty.dump", Data()), "the file is empty"),
            (try file("random.dump", Data((0..<8192).map { _ in UInt8(generator.below(256)) })), "file is not a database"),
            (try file("truncated.dump", good.prefix(good.count / 2)), "database disk image is malformed"),
            (try file("flipped.dump", flipped), ""),
            (edited, "the content does not match the header's checksum (the file was changed after it was written)"),
            (db, "a SQLite database, but not a rehearse backup (no rehearse_backup_header table)"),
        ]
        let target = directory.appendingPathComponent("target.db").path
        try FileManager.default.copyItem(atPath: db, toPath: target)
        let before = bytes(target)
        for (path, reason) in cases {
            for arguments in [["backup", "--list", path], ["restore", "--db", target, path]] {
                let result = try runRehearse(arguments)
                #expect(result.status == 2, "\(arguments)")
                #expect(result.stderr.hasPrefix("\(path): error: not a readable backup: \(reason)"), "\(result.stderr)")
                #expect(result.stdout == "")
            }
            #expect(bytes(target) == before, "\(path)")
        }
        // The good one restores, and says what it brought back.
        try DatabaseQueue(path: target).write { db in try Self.addProposals(db, 5) }
        let restored = try runRehearse(["restore", "--db", target, backup])
        #expect(restored.status == 0, "\(restored.stderr)")
        #expect(restored.stdout.contains("  pending_proposals: 5 → 0 rows (-5)\n"))
        #expect(try DatabaseQueue(path: target).read { db in try String.fetchAll(db, sql: "PRAGMA integrity_check") } == ["ok"])
    }

    /// A corrupt database yields no baseline, no backup and no verdict, and a good backup in
    /// the way is not replaced by a corrupt one.
    @Test func aCorruptDatabaseIsInvalidInputEverywhere() throws {
        let (directory, db, backup) = try workspace()
        var data = bytes(db)!
        for offset in stride(from: 4096 * 3, to: 4096 * 7, by: 1) { data[offset] = UInt8(truncatingIfNeeded: offset &* 31) }
        let corrupt = directory.appendingPathComponent("corrupt.db").path
        try data.write(to: URL(fileURLWithPath: corrupt))
        let good = bytes(backup)
        for arguments in [["baseline", "--db", corrupt, "-o", directory.appendingPathComponent("b.json").path], ["backup", "--db", corrupt, "-o", backup], ["check", "--db", corrupt]] {
            let result = try runRehearse(arguments)
            #expect(result.status == 2, "\(arguments)")
            #expect(result.stderr.hasPrefix("\(corrupt): error: \(arguments[0]) failed: cannot open the database: "), "\(result.stderr)")
        }
        #expect(bytes(backup) == good)
        #expect(!FileManager.default.fileExists(atPath: directory.appendingPathComponent("b.json").path))
    }

    /// kill -9 at moments spread over a restore leaves the old database or the new one, never
    /// a mix: the swap is a rename of a verified copy.
    @Test func aRestoreKilledAtAnyMomentLeavesTheOldOrTheNewDatabase() throws {
        let (directory, db, backup) = try workspace()
        let newCounts = try DatabaseQueue(path: db).read { db in try Backup.counts(db) }
        try DatabaseQueue(path: db).write { db in try Self.addProposals(db, 40) }
        let oldCounts = try DatabaseQueue(path: db).read { db in try Backup.counts(db) }
        #expect(oldCounts != newCounts)
        let pristine = directory.appendingPathComponent("pristine.db").path
        try FileManager.default.copyItem(atPath: db, toPath: pristine)
        let binary = packageRoot.appendingPathComponent(".build/debug/rehearse").path
        func start() throws -> Process {
            let process = Process()
            process.executableURL = URL(fileURLWithPath: binary)
            process.arguments = ["restore", "--db", db, backup]
            process.standardOutput = FileHandle.nullDevice
            process.standardError = FileHandle.nullDevice
            try process.run()
            return process
        }
        // How long one restore takes here, to spread the kills over it.
        let clock = ContinuousClock()
        let duration = try clock.measure { let p = try start(); p.waitUntilExit() }
        var kills = 0, sawOld = 0, sawNew = 0, attempts = 0
        // Kills spread over the write phase; on a loaded machine a restore may finish before
        // its kill lands, so the delays shrink whenever one does, until 50 restores were killed.
        var scale = 1.0
        let seconds = Double(duration.components.seconds) + Double(duration.components.attoseconds) / 1e18
        while kills < 50 && attempts < 250 {
            let attempt = attempts
            attempts += 1
            try? FileManager.default.removeItem(atPath: db)
            try FileManager.default.copyItem(atPath: pristine, toPath: db)
            let process = try start()
            let fraction = 0.05 + 0.85 * Double(attempt % 35) / 35
            Thread.sleep(forTimeInterval: seconds * fraction * scale)
            kill(process.processIdentifier, SIGKILL)
            process.waitUntilExit()
            if process.terminationReason == .uncaughtSignal { kills += 1 } else { scale *= 0.85 }
            let (integrity, counts) = try DatabaseQueue(path: db).read { db in
                (try String.fetchAll(db, sql: "PRAGMA integrity_check"), try Backup.counts(db))
            }
            #expect(integrity == ["ok"], "attempt \(attempt)")
            #expect(counts == oldCounts || counts == newCounts, "attempt \(attempt): a mix")
            if counts == oldCounts { sawOld += 1 } else if counts == newCounts { sawNew += 1 }
        }
        print("restore kill -9: \(kills) kills of \(attempts) restores (one restore \(duration)); old database \(sawOld), new \(sawNew), mixed 0")
        #expect(kills >= 50)
    }
}

/// Could not evaluate is its own verdict: a locked or read-only file says nothing about the
/// deploy, so it is never reported broken (or holding).
@Suite struct UnknownVerdictTests {
    func seededFile() throws -> String {
        let path = try makeTemporaryDirectory().appendingPathComponent("u.db").path
        #expect(try runRehearse(["migrate", "upgrade", "head", "--db", path]).status == 0)
        #expect(try runRehearse(["seed", "--db", path, "--seed", "3"]).status == 0)
        return path
    }

    func evaluate(_ queue: DatabaseQueue) throws -> [String: InvariantStatus] {
        let results = try queue.writeWithoutTransaction { db in
            try InvariantCatalog.standard.evaluate(InvariantContext(db: db, chain: try RevisionChain.shipped(), baseline: nil, expectedRevision: nil, now: Seeder.defaultNow))
        }
        return Dictionary(uniqueKeysWithValues: results.map { ($0.info.id, $0.status) })
    }

    @Test func aReadOnlyFileIsUnknownNotABrokenTrigger() throws {
        var configuration = Configuration()
        configuration.readonly = true
        let statuses = try evaluate(try DatabaseQueue(path: try seededFile(), configuration: configuration))
        for table in ["decisions", "evidence_packs", "audit_events"] {
            guard case .unknown(let reason) = statuses["immutability.\(table)"] else { Issue.record("immutability.\(table): \(String(describing: statuses["immutability.\(table)"]))"); continue }
            #expect(reason.hasPrefix("could not evaluate: attempt to write a readonly database"))
        }
        #expect(!statuses.values.contains { $0.isBroken })
    }

    @Test func aFileLockedByAnotherWriterIsUnknownAndCheckExitsThree() throws {
        let path = try seededFile()
        var holding = Configuration()
        holding.allowsUnsafeTransactions = true
        let holder = try DatabaseQueue(path: path, configuration: holding)
        var configuration = Configuration()
        configuration.busyMode = .immediateError
        let checker = try DatabaseQueue(path: path, configuration: configuration)
        try holder.inDatabase { db in try db.execute(sql: "BEGIN IMMEDIATE") }  // a writer in the middle of its transaction
        let statuses = try evaluate(checker)
        #expect(statuses["immutability.decisions"]?.isUnknown == true)
        #expect(!statuses.values.contains { $0.isBroken })
        // Through the binary: 3, not 1, and the reason is printed (it waits 5 s for the lock first).
        let result = try runRehearse(["check", "--db", path])
        try holder.inDatabase { db in try db.execute(sql: "ROLLBACK") }
        #expect(result.status == 3, "\(result.stdout)\(result.stderr)")
        #expect(result.stdout.contains("  unknown immutability.decisions "))
        #expect(!result.stdout.contains("BROKEN"))
        #expect(try runRehearse(["check", "--db", path]).status == 0)
    }

    /// "database is locked" alone says neither during what nor on which file: every SQLite
    /// error a command meets names both, and the database is unchanged.
    @Test func aSQLiteErrorNamesTheOperationAndThePath() throws {
        let directory = try makeTemporaryDirectory()
        let path = directory.appendingPathComponent("locked.db").path
        #expect(try runRehearse(["migrate", "upgrade", "005", "--db", path]).status == 0)
        var holding = Configuration()
        holding.allowsUnsafeTransactions = true
        let holder = try DatabaseQueue(path: path, configuration: holding)
        try holder.inDatabase { db in try db.execute(sql: "BEGIN EXCLUSIVE") }
        let seed = try runRehearse(["seed", "--db", path])
        let upgrade = try runRehearse(["migrate", "upgrade", "head", "--db", path])
        try holder.inDatabase { db in try db.execute(sql: "ROLLBACK") }
        for (result, operation) in [(seed, "seed"), (upgrade, "migrate upgrade head")] {
            #expect(result.status == 2)
            #expect(result.stderr.hasPrefix("\(path): error: \(operation) failed: "), "\(result.stderr)")
            #expect(result.stderr.contains("the database is locked by another connection"), "\(result.stderr)")
            #expect(result.stderr.split(separator: "\n").count == 1)
        }
        #expect(try runRehearse(["migrate", "current", "--db", path]).stdout == "005_add_immutability_triggers\n")
    }
}

/// Numbers in a baseline file are validated where they are read: no value of any numeric
/// field traps the process (1e19 crashed `check` with SIGILL before).
@Suite struct BaselineNumberTests {
    @Test func everyNumericFieldRefusesWhatIsNotARowCount() throws {
        let directory = try makeTemporaryDirectory()
        let db = directory.appendingPathComponent("n.db").path
        #expect(try runRehearse(["migrate", "upgrade", "head", "--db", db]).status == 0)
        #expect(try runRehearse(["seed", "--db", db, "--seed", "3"]).status == 0)
        let path = directory.appendingPathComponent("b.json").path
        #expect(try runRehearse(["baseline", "--db", db, "-o", path]).status == 0)
        let good = try JSONParser.parse(try String(contentsOfFile: path, encoding: .utf8))
        // Every number in the file, by its path.
        func numbers(_ value: JSONValue, _ path: [String]) -> [[String]] {
            switch value {
            case .number: return [path]
            case .object(let members): return members.flatMap { numbers($0.1, path + [$0.0]) }
            case .array(let items): return items.enumerated().flatMap { numbers($0.element, path + [String($0.offset)]) }
            default: return []
            }
        }
        func replacing(_ value: JSONValue, _ path: ArraySlice<String>, with literal: String) -> JSONValue {
            guard let key = path.first else { return .number(literal) }
            switch value {
            case .object(let members): return .object(members.map { $0.0 == key ? ($0.0, replacing($0.1, path.dropFirst(), with: literal)) : $0 })
            case .array(let items): return .array(items.enumerated().map { String($0.offset) == key ? replacing($0.element, path.dropFirst(), with: literal) : $0.element })
            default: return value
            }
        }
        let fields = numbers(good, []).filter { $0.first != "format" }
        #expect(fields.count >= 15)
        var runs = 0
        for field in fields {
            for literal in ["1e19", "-1e19", "9223372036854775807", "-1", "2.5", "1e308"] {
                try replacing(good, field[...], with: literal).pretty().write(toFile: path, atomically: true, encoding: .utf8)
                let result = try runRehearse(["check", "--db", db, "--baseline", path])
                runs += 1
                #expect(result.status == 2, "\(field.joined(separator: ".")) = \(literal): \(result.status) \(result.stderr)")
                #expect(result.stderr.contains("must be a whole row count from 0 to 2^53, not \(literal)"), "\(result.stderr)")
            }
        }
        print("baseline numbers: \(runs) mutants over \(fields.count) numeric fields, every one exit 2")
    }

    @Test func alembicVersionWithSeveralRowsOrNoneIsBroken() throws {
        let queue = try makeDatabase()
        try queue.writeWithoutTransaction { db in
            func status() throws -> InvariantStatus {
                let context = InvariantContext(db: db, chain: try RevisionChain.shipped(), baseline: nil, expectedRevision: "007_add_agent_traces", now: Seeder.defaultNow)
                return try InvariantCatalog.standard.evaluate(context, only: ["schema.revision"])[0].status
            }
            #expect(try status().holds)
            try db.execute(sql: "INSERT INTO alembic_version VALUES ('006_add_pending_proposals')")
            guard case .broken(let detail, let evidence) = try status() else { Issue.record("two rows hold"); return }
            #expect(detail == "alembic_version has 2 rows: 006_add_pending_proposals, 007_add_agent_traces")
            #expect(evidence.count == 2)
            try db.execute(sql: "DELETE FROM alembic_version")
            #expect(try status().isBroken)
        }
    }
}

/// No PII in any artefact: the whole library in every report format, the checklist record
/// with the viewer fault, and every drill's transcript and debrief, each scanned line by line
/// with `rehearse pii scan` (the viewer-fault scenarios and drills render names and e-mails).
@Suite struct ReportPIITests {
    /// Findings of `rehearse pii scan` over every line of `text`, each line given as a JSON string.
    func findings(_ text: String) throws -> Int {
        let lines = text.split(separator: "\n", omittingEmptySubsequences: false).map { JSONValue.string(String($0)).serialized() }
        let scan = try runRehearse(["pii", "scan"], stdin: lines.joined(separator: "\n") + "\n")
        #expect(scan.status == 0 || scan.status == 1, "\(scan.stderr)")
        return try scan.stdout.split(separator: "\n").reduce(0) { total, line in
            total + ((try JSONParser.parse(String(line)))["findings"]?.arrayValue?.count ?? 0)
        }
    }

    @Test func noReportCarriesPII() throws {
        var artefacts: [(String, String)] = []
        for format in ["text", "json", "junit", "markdown"] {
            artefacts.append(("run \(format)", try runRehearse(["run", "--format", format], currentDirectory: packageRoot).stdout))
        }
        artefacts.append(("checklist viewer.unsanitized", try runRehearse(["checklist", "--format", "markdown", "--fault", "viewer.unsanitized", "--no-plans"]).stdout))
        // Replays are identical across processes, not only within one: Swift seeds its hashing
        // per process, so an order taken from a dictionary or set would show here.
        let again = try runRehearse(["run", "--format", "json"], currentDirectory: packageRoot).stdout
        #expect(again == artefacts[1].1, "the library's JSON report differs between two processes")
        let checklist = ["checklist", "--format", "json", "--fault", "mcp.bypass_approval", "--plan", "auto"]
        #expect(try runRehearse(checklist).stdout == (try runRehearse(checklist).stdout), "the checklist record differs between two processes")
        let directory = try makeTemporaryDirectory()
        let script = directory.appendingPathComponent("probe.txt")
        try """
            curl -s http://localhost:3000/traces
            curl -s -H "Authorization: Bearer user:role:approver" http://localhost:8000/api/v1/traces
            docker compose exec postgres psql -U govos -d governance_os -c "SELECT input_summary, output_summary FROM agent_traces LIMIT 5"
            done
            """.write(to: script, atomically: true, encoding: .utf8)
        let drills = try runRehearse(["drill", "--list"]).stdout.split(separator: "\n").compactMap { $0.split(separator: " ").first.map(String.init) }
        #expect(drills.count >= 8)
        for drill in drills {
            let debrief = directory.appendingPathComponent("\(drill).md").path
            artefacts.append(("drill \(drill)", try runRehearse(["drill", "--incident", drill, "--script", script.path, "--debrief", debrief]).stdout))
            artefacts.append(("debrief \(drill)", try String(contentsOfFile: debrief, encoding: .utf8)))
        }
        // The scan finds PII where there is some (so zero below means something).
        #expect(try findings("reviewer: Aoife Dahl <aoife.dahl.2@example.org>") > 0)
        for (name, text) in artefacts {
            #expect(!text.isEmpty, "\(name)")
            #expect(try findings(text) == 0, "\(name)")
        }
    }
}

/// Values the rehearsal would refuse later are refused where they are written.
@Suite struct EarlyRefusalTests {
    @Test func aStartTheSchemaCannotHoldIsRefusedAtItsLine() throws {
        let chain = try RevisionChain.shipped()
        let error = #expect(throws: ScenarioLoadError.self) {
            try ScenarioLoader(chain: chain).load(text: "name: x\nstart: 0000-01-01T00:00:00Z\nsteps:\n  - health: true\n", file: "y.yaml")
        }
        #expect(error?.description == "y.yaml:2:8: error: start '0000-01-01T00:00:00Z' is outside the years the rehearsal models (1970 to 8999)")
    }

    @Test func invalidUTF8IsReportedAtItsByteAndAByteOrderMarkIsAccepted() throws {
        let directory = try makeTemporaryDirectory()
        let bad = directory.appendingPathComponent("bad.yaml")
        try Data("name: x\ndescription: caf".utf8 + [0xE9] + Data(" ok\nsteps:\n  - health: true\n".utf8)).write(to: bad)
        let result = try runRehearse(["run", bad.path])
        #expect(result.status == 2)
        #expect(result.stderr == "\(bad.path):2:17: error: this byte is not UTF-8 (scenario files are UTF-8 text)\n")
        let bom = directory.appendingPathComponent("bom.yaml")
        try Data([0xEF, 0xBB, 0xBF] + Array("name: x\nsteps:\n  - health: true\n".utf8)).write(to: bom)
        #expect(try runRehearse(["run", bom.path]).status == 0)
        #expect(throws: UTF8Text.Invalid(line: 3, column: 2)) { try UTF8Text.decode(Data("a\nb\nc".utf8 + [0xF0, 0x28])) }
    }

    @Test func anUnknownExpectedRevisionIsAUsageError() throws {
        let path = try makeTemporaryDirectory().appendingPathComponent("r.db").path
        #expect(try runRehearse(["migrate", "upgrade", "head", "--db", path]).status == 0)
        let result = try runRehearse(["check", "--db", path, "--expect-revision", "009_nope"])
        #expect(result.status == 64)
        #expect(result.stderr.hasPrefix("Error: --expect-revision '009_nope' is not a revision of the chain (revisions: 001_create_users_and_policies, "))
        #expect(try runRehearse(["check", "--db", path, "--expect-revision", "007_add_agent_traces"]).status == 0)
    }
}
