import Foundation
import GRDB
import Testing
@testable import RehearsalKit

/// Incremental evaluation gives, after every step, exactly what a full evaluation gives, and
/// really skips what did not change.
@Suite struct IncrementalEvaluationTests {
    static let files: [String] = ScenarioLibraryTests.files + ((try? ScenarioLibrary.yamlFiles(in: ShippedResources.scenariosDirectory + "/drills")
        .map { "drills/" + ($0 as NSString).lastPathComponent }) ?? [])

    /// Every step of the library (and of the drills' set-ups): the runner evaluates both ways
    /// and throws on the first difference.
    @Test(arguments: files)
    func agreesWithAFullEvaluationOnEveryStepOfTheLibrary(file: String) throws {
        let chain = try RevisionChain.shipped()
        var scenario = try ScenarioLoader(chain: chain).load(path: ShippedResources.scenariosDirectory + "/" + file, displayPath: file)
        scenario.incident = nil
        var runner = ScenarioRunner(chain: chain)
        runner.verifyIncremental = true
        let record = try runner.run(scenario)
        #expect(record.steps.count == scenario.steps.count)
    }

    /// The sanitized list is judged row by row (a new trace judges its own row only): a value the
    /// viewer does not scrub (here an address as the agent's type) is found on the list as on the
    /// rendered page, and still found once later traces push it down the list.
    @Test func theListIsJudgedRowByRowAsThePageWouldBe() throws {
        let chain = try RevisionChain.shipped()
        func trace(_ n: Int, agent: String) -> String {
            """
              - sql: >-
                  INSERT INTO agent_traces (id, trace_id, agent_type, triggered_by, input_summary, status, started_at)
                  VALUES ('aaaaaaaa-aaaa-4aaa-8aaa-aaaaaaaaaa\(10 + n)', 'trace-list-\(n)', '\(agent)', 'agent:triage-bot',
                  '{"note": "nothing here"}', 'completed', '2026-01-15T1\(n):00:00Z')
            """
        }
        let scenario = try ScenarioLoader(chain: chain).load(text: """
            name: list row by row
            seed: 5
            fixtures: small
            revision: 007_add_agent_traces
            code: sprint3
            tolerate: [baseline.counts_unchanged, traces.no_pii, traces.viewer_no_pii]
            steps:
            \(trace(1, agent: "ops.lead@example.org"))
            \(trace(2, agent: "triage"))
            \(trace(3, agent: "triage"))
            """, file: "list.yaml")
        var runner = ScenarioRunner(chain: chain)
        runner.verifyIncremental = true
        let record = try runner.run(scenario)
        for step in record.steps {
            let viewer = try #require(step.invariants.first { $0.info.id == "traces.viewer_no_pii" })
            guard case .broken(_, let evidence) = viewer.status else { Issue.record("step \(step.number): \(viewer.status)"); continue }
            #expect(evidence.contains { $0.rowId == nil && $0.note == "/traces shows email" }, "step \(step.number)")
            #expect(evidence.contains { $0.rowId == "trace-list-1" && $0.note == "/traces/trace-list-1 shows email" })
        }
    }

    /// The mechanism itself: a step that changes nothing re-evaluates nothing; a write to a table
    /// re-evaluates the invariants that read it and no other; DDL and a restore through the
    /// backup API (no row change reported) re-evaluate everything.
    @Test func onlyInvariantsWhoseInputsChangedAreReEvaluated() throws {
        try Self.seededSession { db, world, evaluation in
            let count = InvariantCatalog.standard.invariants.count
            let always = InvariantCatalog.standard.invariants.filter(\.reads.always).count
            _ = try evaluation.evaluate(world.invariantContext(db))
            #expect(evaluation.evaluated == count)

            _ = try evaluation.evaluate(world.invariantContext(db))
            #expect(evaluation.evaluated == count + always, "nothing changed: only the undeclared are re-evaluated")

            var before = evaluation.evaluated
            try db.execute(sql: "UPDATE users SET display_name = display_name || '' WHERE rowid = 1")
            _ = try evaluation.evaluate(world.invariantContext(db))
            let readers = InvariantCatalog.standard.invariants.filter { $0.reads.allTables || $0.reads.tables.contains("users") || $0.reads.always }.count
            #expect(evaluation.evaluated - before == readers)
            #expect(readers < count)

            before = evaluation.evaluated
            try db.execute(sql: "DROP TRIGGER decisions_immutable_update")
            let results = try evaluation.evaluate(world.invariantContext(db))
            #expect(evaluation.evaluated - before == count, "DDL moves the schema version every invariant depends on")
            #expect(results.first { $0.info.id == "immutability.decisions" }?.status.isBroken == true)

            // A restore replaces pages: no row change is reported, the schema cookie moves.
            let backup = try Backup.take(db, name: "t", at: world.clock)
            try db.execute(sql: "CREATE TRIGGER decisions_immutable_update BEFORE UPDATE ON decisions BEGIN SELECT RAISE(ABORT, 'x'); END")
            _ = try evaluation.evaluate(world.invariantContext(db))
            try backup.restore(into: db)
            let restored = try evaluation.evaluate(world.invariantContext(db))
            #expect(restored.first { $0.info.id == "immutability.decisions" }?.status.isBroken == true)

            // A world part: moving the clock re-evaluates what reads the clock, not the data checks.
            before = evaluation.evaluated
            try world.advance(db, by: 60)
            _ = try evaluation.evaluate(world.invariantContext(db))
            let clockReaders = InvariantCatalog.standard.invariants.filter { $0.reads.world.contains(.clock) || $0.reads.always }.count
            #expect(evaluation.evaluated - before <= clockReaders + InvariantCatalog.standard.invariants.filter(\.reads.allTables).count)
            #expect(evaluation.evaluated - before < count)

            // SQLite's update hook says nothing about a WITHOUT ROWID table: with one in the
            // schema nothing can be ruled out, so everything is evaluated after every step.
            try db.execute(sql: "CREATE TABLE notes_without_rowid (id TEXT PRIMARY KEY, body TEXT) WITHOUT ROWID")
            _ = try evaluation.evaluate(world.invariantContext(db))
            before = evaluation.evaluated
            try db.execute(sql: "INSERT INTO notes_without_rowid VALUES ('a', 'b')")
            _ = try evaluation.evaluate(world.invariantContext(db))
            #expect(evaluation.evaluated - before == count)
        }
    }

    /// Baseline answers (rows gone, immutable rows changed) are reused while a table is only
    /// added to, and never when a step could have removed or changed a baseline row: a DELETE,
    /// an `INSERT OR REPLACE` (whose deletion SQLite's update hook does not report, and which
    /// fires no DELETE trigger), a second row under a baseline id.
    @Test func baselineAnswersAreReusedOnlyWhileTablesAreOnlyAddedTo() throws {
        try Self.baselineSession { db, world, evaluation, status in
            let evidence = Self.evidence
            #expect(try status("baseline.no_data_lost").status.holds)

            // Inserts only: the invariant runs again (its table changed), its baseline scans do not.
            try db.execute(sql: "INSERT INTO audit_events (occurred_at, actor, action, entity_type) VALUES ('2026-01-14T09:00:00Z', 'test', 'insert', 'test')")
            let reused = evaluation.reusedRowAnswers
            #expect(try status("immutability.audit_events").status.holds)
            #expect(evaluation.reusedRowAnswers > reused, "only an insert since: the baseline answers stand")

            // INSERT OR REPLACE of a baseline row: reported as an insert, yet a baseline row changed.
            let id = try #require(try Int64.fetchOne(db, sql: "SELECT id FROM audit_events ORDER BY id LIMIT 1"))
            try db.execute(sql: "INSERT OR REPLACE INTO audit_events (id, occurred_at, actor, action, entity_type) VALUES (?, '2026-01-14T09:00:00Z', 'test', 'rewritten', 'test')", arguments: [id])
            let replaced = try status("immutability.audit_events")
            #expect(replaced.status.isBroken)
            #expect(evidence(replaced).contains { $0.rowId == String(id) && $0.note == "baseline row was changed" })

            // A REPLACE that conflicts on the rowid and writes a new id: the baseline row is gone,
            // and SQLite reports only an insert, of a row whose id the baseline never had.
            _ = try status("immutability.decisions")
            let first = try #require(try Row.fetchOne(db, sql: "SELECT rowid, id FROM decisions ORDER BY rowid LIMIT 1"))
            let columns = try String.fetchAll(db, sql: "SELECT name FROM pragma_table_info('decisions') WHERE name <> 'id'").map { "\"\($0)\"" }.joined(separator: ", ")
            try db.execute(sql: "PRAGMA foreign_keys = OFF")
            try db.execute(sql: """
                INSERT OR REPLACE INTO decisions (rowid, id, \(columns))
                SELECT rowid, 'aaaaaaaa-aaaa-4aaa-8aaa-aaaaaaaaaaaa', \(columns) FROM decisions WHERE rowid = ?
                """, arguments: [first["rowid"] as Int64])
            try db.execute(sql: "PRAGMA foreign_keys = ON")
            let gone = try status("immutability.decisions")
            #expect(evidence(gone).contains { $0.rowId == (first["id"] as String) && $0.note == "baseline row was deleted" })

            // A DELETE of a baseline row (triggers off, as a careless fix would) is found too.
            let policy = try #require(try String.fetchOne(db, sql: "SELECT id FROM signals ORDER BY rowid LIMIT 1"))
            _ = try status("baseline.no_data_lost")
            try db.execute(sql: "PRAGMA foreign_keys = OFF")
            try db.execute(sql: "DELETE FROM signals WHERE id = ?", arguments: [policy])
            try db.execute(sql: "PRAGMA foreign_keys = ON")
            let lost = try status("baseline.no_data_lost")
            #expect(evidence(lost).contains { $0.table == "signals" && $0.rowId == policy })
        }
    }

    /// Right after a baseline is recorded from the rows, its answers are known without a scan;
    /// anything that happens after it — here its own table tampered with — makes them computed.
    @Test func aBaselineJustRecordedIsKnownWholeUntilAnythingChanges() throws {
        // The world's own evaluation: recording the baseline tells it.
        func session(_ body: (Database, World, IncrementalEvaluation) throws -> Void) throws {
            try Self.seededSession { db, world, _ in
                world.evaluation.verify = true
                _ = try Self.result("baseline.no_data_lost", world.evaluation, world, db)
                try world.recordBaseline(Baseline.capture(db, label: "pre"), db)
                try body(db, world, world.evaluation)
            }
        }
        try session { (db: Database, world: World, evaluation: IncrementalEvaluation) throws in
            #expect(try Self.result("baseline.no_data_lost", evaluation, world, db).status.holds)
            #expect(try Self.result("immutability.decisions", evaluation, world, db).status.holds)
            // The nine tables' missing rows, and the three immutable tables' changed ones.
            #expect(evaluation.answersKnownFromTheBaseline == 12, "nothing changed since the rows were recorded: no scan")
        }
        try session { (db: Database, world: World, evaluation: IncrementalEvaluation) throws in
            try db.execute(sql: "INSERT INTO temp.rehearse_baseline_rows (tbl, id) VALUES ('signals', 'eeeeeeee-eeee-4eee-8eee-eeeeeeeeeeee')")
            let lost = try Self.result("baseline.no_data_lost", evaluation, world, db)
            #expect(Self.evidence(lost).contains { $0.table == "signals" && $0.rowId == "eeeeeeee-eeee-4eee-8eee-eeeeeeeeeeee" })
            #expect(evaluation.answersKnownFromTheBaseline == 0)
        }
    }

    /// Baseline answers are keyed on the table's own definition, not the whole schema: DDL on
    /// another table (a migration adding its tables) keeps them, while a table rebuilt under its
    /// name (no row change reported on it) or a restore through the backup API to a state with
    /// as many rows (no row change reported at all) makes them be computed again.
    @Test func baselineAnswersSurviveDDLElsewhereButNotARebuildOrARestore() throws {
        try Self.baselineSession { db, world, evaluation, status in
            let evidence = Self.evidence
            #expect(try status("baseline.no_data_lost").status.holds)

            try db.execute(sql: "CREATE TABLE unrelated_notes (id INTEGER PRIMARY KEY, body TEXT)")
            let reused = evaluation.reusedRowAnswers
            #expect(try status("baseline.no_data_lost").status.holds)
            #expect(evaluation.reusedRowAnswers - reused >= Baseline.tables.count, "DDL on another table: every table's baseline answer stands")

            // Rebuilt under its own name with one row rewritten on the way: SQLite reports inserts
            // into the new table only, and the rebuilt table has as many rows as before.
            let id = try #require(try Int64.fetchOne(db, sql: "SELECT id FROM audit_events ORDER BY id LIMIT 1"))
            try Self.rebuildInPlace("audit_events", db, rewrite: "UPDATE audit_events_rebuilt SET action = 'rewritten' WHERE id = ?", arguments: [id])
            let rebuilt = try status("immutability.audit_events")
            #expect(evidence(rebuilt).contains { $0.rowId == String(id) && $0.note == "baseline row was changed" })

            // A restore through the backup API to a state with the same row count but a baseline
            // signal missing, after the answer "nothing missing" was computed on as many rows.
            let signal = try #require(try Row.fetchOne(db, sql: "SELECT * FROM signals ORDER BY rowid LIMIT 1"))
            let columns = signal.columnNames.map { "\"\($0)\"" }.joined(separator: ", ")
            let values = StatementArguments(Array(signal.databaseValues))
            let placeholders = signal.columnNames.map { _ in "?" }.joined(separator: ", ")
            try db.execute(sql: "PRAGMA foreign_keys = OFF")
            try db.execute(sql: "DELETE FROM signals WHERE id = ?", arguments: [signal["id"]])
            try db.execute(sql: "INSERT INTO signals (\(columns)) VALUES (\(placeholders))", arguments: values)
            try db.execute(sql: "UPDATE signals SET id = 'bbbbbbbb-bbbb-4bbb-8bbb-bbbbbbbbbbbb' WHERE id = ?", arguments: [signal["id"]])
            #expect(try status("baseline.no_data_lost").status.isBroken)
            let backup = try Backup.take(db, name: "one-signal-short", at: world.clock)
            try db.execute(sql: "DELETE FROM signals WHERE id = 'bbbbbbbb-bbbb-4bbb-8bbb-bbbbbbbbbbbb'")
            try db.execute(sql: "INSERT INTO signals (\(columns)) VALUES (\(placeholders))", arguments: values)
            try db.execute(sql: "PRAGMA foreign_keys = ON")
            #expect(try status("baseline.no_data_lost").status.holds)
            try backup.restore(into: db)
            let restored = try status("baseline.no_data_lost")
            #expect(evidence(restored).contains { $0.table == "signals" && $0.rowId == (signal["id"] as String) })

            // Dropped and created again from its own text, empty: the root page freed by the
            // DROP is likely the one the CREATE gets, so the definition can be the same number.
            let pack = try #require(try String.fetchOne(db, sql: "SELECT id FROM evidence_packs ORDER BY rowid LIMIT 1"))
            let packs = try #require(try String.fetchOne(db, sql: "SELECT sql FROM sqlite_master WHERE type = 'table' AND name = 'evidence_packs'"))
            _ = try status("immutability.evidence_packs")
            try db.execute(sql: "PRAGMA foreign_keys = OFF")
            try db.execute(sql: "DROP TABLE evidence_packs")
            try db.execute(sql: packs)
            try db.execute(sql: "PRAGMA foreign_keys = ON")
            let emptied = try status("baseline.no_data_lost")
            #expect(evidence(emptied).contains { $0.table == "evidence_packs" && $0.rowId == pack })

            // Rows put in place under another name: a table rebuilt and renamed into place once
            // (its text is now the renamed form), then again from a copy with one baseline row
            // swapped for a new one, the new table created right after the old one is dropped.
            func rebuildDecisions(_ copy: String) throws {
                let text = try #require(try String.fetchOne(db, sql: "SELECT sql FROM sqlite_master WHERE type = 'table' AND name = 'decisions'"))
                try db.execute(sql: "PRAGMA foreign_keys = OFF")
                try db.execute(sql: "CREATE TABLE decisions_keep AS SELECT * FROM decisions")
                try db.execute(sql: "DROP TABLE decisions")
                try db.execute(sql: text.replacingOccurrences(of: "CREATE TABLE \"decisions\"", with: "CREATE TABLE decisions_next")
                                        .replacingOccurrences(of: "CREATE TABLE decisions ", with: "CREATE TABLE decisions_next "))
                try db.execute(sql: copy)
                try db.execute(sql: "DROP TABLE decisions_keep")
                try db.execute(sql: "ALTER TABLE decisions_next RENAME TO decisions")
                try db.execute(sql: "PRAGMA foreign_keys = ON")
            }
            try rebuildDecisions("INSERT INTO decisions_next SELECT * FROM decisions_keep")
            let decision = try #require(try String.fetchOne(db, sql: "SELECT id FROM decisions ORDER BY rowid LIMIT 1"))
            #expect(try !evidence(status("baseline.no_data_lost")).contains { $0.table == "decisions" })
            let others = try String.fetchAll(db, sql: "SELECT name FROM pragma_table_info('decisions') WHERE name <> 'id'").map { "\"\($0)\"" }.joined(separator: ", ")
            try rebuildDecisions("""
                INSERT INTO decisions_next SELECT * FROM decisions_keep WHERE id <> '\(decision)';
                INSERT INTO decisions_next (id, \(others)) SELECT 'cccccccc-cccc-4ccc-8ccc-cccccccccccc', \(others) FROM decisions_keep WHERE id = '\(decision)'
                """)
            #expect(try evidence(status("baseline.no_data_lost")).contains { $0.table == "decisions" && $0.rowId == decision })
        }
    }

    /// `evaluation.deterministic` reads three tables' rows: DDL elsewhere keeps its verdict,
    /// while the evaluations table rebuilt under its own name with a row rewritten (no row event
    /// on it), or dropped and created again empty, is judged again.
    @Test func determinismFollowsItsTablesNotTheWholeSchema() throws {
        try Self.seededSession { db, world, evaluation in
            func status() throws -> InvariantResult { try Self.result("evaluation.deterministic", evaluation, world, db) }
            #expect(try status().status.holds)
            try db.execute(sql: "CREATE TABLE unrelated_notes (id INTEGER PRIMARY KEY, body TEXT)")
            let reused = evaluation.reusedRowAnswers
            #expect(try status().status.holds)
            #expect(evaluation.reusedRowAnswers > reused, "DDL on another table: the verdict stands")

            let id = try #require(try String.fetchOne(db, sql: "SELECT id FROM evaluations ORDER BY rowid LIMIT 1"))
            try Self.rebuildInPlace("evaluations", db, rewrite: "UPDATE evaluations_rebuilt SET output = '{\"tampered\":true}' WHERE id = ?", arguments: [id])
            let rebuilt = try status()
            guard case .broken(_, let evidence) = rebuilt.status else { Issue.record("the rewritten row was not found: \(rebuilt.status)"); return }
            #expect(evidence.contains { $0.rowId == id })

            // policy_versions dropped and created again empty: a table of one page gets its root
            // page back, so its definition is the same number and only its row count tells.
            let versions = try #require(try String.fetchOne(db, sql: "SELECT sql FROM sqlite_master WHERE type = 'table' AND name = 'policy_versions'"))
            try db.execute(sql: "PRAGMA foreign_keys = OFF")
            try db.execute(sql: "DROP TABLE policy_versions")
            try db.execute(sql: versions)
            try db.execute(sql: "PRAGMA foreign_keys = ON")
            let emptied = try status()
            guard case .broken(_, let gone) = emptied.status else { Issue.record("missing versions not found: \(emptied.status)"); return }
            #expect(gone.contains { $0.column == "policy_version_id" })
        }
    }

    /// While evaluations and signals are only added to, the evaluations judged before keep their
    /// verdicts and only the new ones are re-evaluated; a new signal that an older evaluation
    /// names, or a new evaluation placed before the last one, makes it judge them all again.
    /// `verify` compares each answer with a full evaluation.
    @Test func determinismAddsTheNewEvaluationsToWhatItKnew() throws {
        // This invariant alone, so the answers counted as reused are its own.
        try Self.seededSession(catalog: InvariantCatalog(invariants: [EvaluationDeterminismInvariant()])) { db, world, evaluation in
            func status() throws -> InvariantStatus { try Self.result("evaluation.deterministic", evaluation, world, db).status }
            let before = try status()
            #expect(before.holds)
            let count = try #require(try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM evaluations"))
            let columns = try String.fetchAll(db, sql: "SELECT name FROM pragma_table_info('evaluations') ORDER BY cid")
            let model = try #require(try Row.fetchOne(db, sql: "SELECT * FROM evaluations ORDER BY rowid LIMIT 1"))
            func insert(_ id: String, rowid: Int64? = nil, changing: [String: String] = [:]) throws {
                let names = (rowid == nil ? [] : ["rowid"]) + columns
                let values: [DatabaseValueConvertible?] = (rowid.map { [$0] } ?? []) + columns.map { $0 == "id" ? id : changing[$0] ?? model[$0] as DatabaseValue }
                try db.execute(sql: "INSERT INTO evaluations (\(names.joined(separator: ", "))) VALUES (\(names.map { _ in "?" }.joined(separator: ", ")))",
                               arguments: StatementArguments(values))
            }
            let reused = evaluation.reusedRowAnswers

            // A copy of the first evaluation under a new id reproduces: added, not re-judged.
            try insert("00000000-0000-4000-8000-000000000001")
            #expect(try status() == .holds(detail: "\(count + 1) evaluations reproduce"))
            #expect(evaluation.reusedRowAnswers == reused + 1)

            // One whose stored hash is not its output's: found among the new rows alone.
            try insert("00000000-0000-4000-8000-000000000002", changing: ["output_hash": "bad"])
            guard case .broken(let detail, let evidence) = try status() else { Issue.record("the bad hash was not found"); return }
            #expect(detail == "1 of \(count + 2) evaluations do not reproduce")
            #expect(evidence.map(\.rowId) == ["00000000-0000-4000-8000-000000000002"])
            #expect(evaluation.reusedRowAnswers == reused + 2)

            // An evaluation placed before the last one: judged all again, in rowid order.
            try insert("00000000-0000-4000-8000-000000000003", rowid: -1, changing: ["output_hash": "bad"])
            guard case .broken(_, let both) = try status() else { Issue.record("the bad hashes were not found"); return }
            #expect(both.map(\.rowId) == ["00000000-0000-4000-8000-000000000003", "00000000-0000-4000-8000-000000000002"])
            #expect(evaluation.reusedRowAnswers == reused + 2)

            // A signal an older evaluation names, gone and then back: its evaluation cannot be
            // reproduced while it is gone, and reproduces again once it is back.
            let signal = try #require(try Row.fetchOne(db, sql: "SELECT * FROM signals WHERE id = ?", arguments: [model["signal_id"] as String]))
            try db.execute(sql: "PRAGMA foreign_keys = OFF")
            try db.execute(sql: "DELETE FROM signals WHERE id = ?", arguments: [model["signal_id"] as String])
            guard case .broken(_, let lost) = try status() else { Issue.record("the lost signal was not found"); return }
            #expect(lost.contains { $0.column == "signal_id" && $0.rowId == model["id"] })
            try db.execute(sql: "INSERT INTO signals (\(signal.columnNames.joined(separator: ", "))) VALUES (\(signal.columnNames.map { _ in "?" }.joined(separator: ", ")))",
                           arguments: StatementArguments(Array(signal.databaseValues)))
            try db.execute(sql: "PRAGMA foreign_keys = ON")
            let reusedBeforeReturn = evaluation.reusedRowAnswers
            guard case .broken(_, let back) = try status() else { Issue.record("the bad hashes were lost"); return }
            #expect(!back.contains { $0.column == "signal_id" }, "the signal is back: its evaluations reproduce again")
            #expect(back.count == 2)
            #expect(evaluation.reusedRowAnswers == reusedBeforeReturn, "a new signal an older evaluation names: judged all again")
        }
    }

    /// A signal that comes back under another spelling its table's collation makes equal (a
    /// `signals` remade with `id … COLLATE NOCASE`): an older evaluation finds it again, as the
    /// join compares under that collation, so the kept verdict must not stand.
    @Test func determinismSeesASignalComeBackUnderItsTablesCollation() throws {
        // This invariant alone, so the answers counted as reused are its own.
        try Self.seededSession(catalog: InvariantCatalog(invariants: [EvaluationDeterminismInvariant()])) { db, world, evaluation in
            func status() throws -> InvariantStatus { try Self.result("evaluation.deterministic", evaluation, world, db).status }
            try db.execute(sql: """
                PRAGMA foreign_keys = OFF;
                CREATE TABLE signals_nocase (id TEXT COLLATE NOCASE PRIMARY KEY, source, signal_type, subject, payload, received_at, created_by);
                INSERT INTO signals_nocase SELECT id, source, signal_type, subject, payload, received_at, created_by FROM signals;
                DROP TABLE signals;
                ALTER TABLE signals_nocase RENAME TO signals;
                """)
            #expect(try status().holds)
            let signal = try #require(try String.fetchOne(db, sql: "SELECT signal_id FROM evaluations ORDER BY rowid LIMIT 1"))
            try db.execute(sql: "CREATE TEMP TABLE gone_signal AS SELECT * FROM signals WHERE id = ?", arguments: [signal])
            try db.execute(sql: "DELETE FROM signals WHERE id = ?", arguments: [signal])
            #expect(try status().isBroken, "its signal is gone")
            try db.execute(sql: "INSERT INTO signals SELECT upper(id), source, signal_type, subject, payload, received_at, created_by FROM temp.gone_signal")
            #expect(try status().holds, "the signal is back, in capitals, which NOCASE finds")
        }
    }

    /// `fk.no_orphans` checks again only the tables that changed or whose parents did: a child
    /// table nobody touched is found orphaned when its parent row goes, and whole again when
    /// the parent comes back.
    @Test func orphansFollowTheirParentsWhenOnlyTheParentChanged() throws {
        try Self.seededSession { db, world, evaluation in
            func fk() throws -> InvariantStatus {
                try #require(try evaluation.evaluate(world.invariantContext(db)).first { $0.info.id == "fk.no_orphans" }).status
            }
            #expect(try fk().holds)
            let exception = try #require(try Row.fetchOne(db, sql: "SELECT e.* FROM exceptions e JOIN decisions d ON d.exception_id = e.id ORDER BY e.rowid LIMIT 1"))
            let decision = try #require(try String.fetchOne(db, sql: "SELECT id FROM decisions WHERE exception_id = ? ORDER BY rowid LIMIT 1", arguments: [exception["id"]]))
            try db.execute(sql: "PRAGMA foreign_keys = OFF")
            try db.execute(sql: "DELETE FROM exceptions WHERE id = ?", arguments: [exception["id"]])
            let orphaned = try fk()
            guard case .broken(_, let evidence) = orphaned else { Issue.record("no orphan found: \(orphaned)"); return }
            #expect(evidence.contains { $0.table == "decisions" && $0.rowId == decision && $0.column == "exception_id" })
            let columns = exception.columnNames.map { "\"\($0)\"" }.joined(separator: ", ")
            try db.execute(sql: "INSERT INTO exceptions (\(columns)) VALUES (\(exception.columnNames.map { _ in "?" }.joined(separator: ", ")))",
                           arguments: StatementArguments(Array(exception.databaseValues)))
            try db.execute(sql: "PRAGMA foreign_keys = ON")
            #expect(try fk().holds, "the parent is back: no orphan")

            // DDL elsewhere keeps each table's answer; decisions rebuilt under its own name with
            // an orphan in it (no row event under that name) is checked again.
            try db.execute(sql: "CREATE TABLE unrelated_notes (id INTEGER PRIMARY KEY, body TEXT)")
            let reused = evaluation.reusedRowAnswers
            #expect(try fk().holds)
            #expect(evaluation.reusedRowAnswers > reused, "DDL on another table: the tables' answers stand")
            try Self.rebuildInPlace("decisions", db, rewrite: "UPDATE decisions_rebuilt SET exception_id = 'dddddddd-dddd-4ddd-8ddd-dddddddddddd' WHERE id = ?", arguments: [decision])
            let rebuilt = try fk()
            guard case .broken(_, let again) = rebuilt else { Issue.record("the rebuilt table's orphan was not found: \(rebuilt)"); return }
            #expect(again.contains { $0.table == "decisions" && $0.rowId == decision && $0.column == "exception_id" })
        }
    }

    /// Each table's declared foreign keys are read again only when its own text changed: DDL
    /// elsewhere reuses them (counted), a table remade without a key is found at once, a key
    /// put back in an ALTER-made copy is found too (the session compares with a full evaluation).
    @Test func declaredKeysFollowEachTablesOwnText() throws {
        try Self.seededSession { db, world, evaluation in
            #expect(try Self.result("fk.no_orphans", evaluation, world, db).status.holds)
            try db.execute(sql: "CREATE TABLE unrelated_notes (id INTEGER PRIMARY KEY, body TEXT)")
            let reused = evaluation.reusedRowAnswers
            #expect(try Self.result("fk.no_orphans", evaluation, world, db).status.holds)
            // Every table but the new one keeps its keys (and its orphans' answer).
            #expect(evaluation.reusedRowAnswers >= reused + 20, "DDL on another table: \(evaluation.reusedRowAnswers - reused) answers reused")

            let create = try #require(try String.fetchOne(db, sql: "SELECT sql FROM sqlite_master WHERE name = 'evidence_packs'"))
            try db.execute(sql: "PRAGMA foreign_keys = OFF")
            try db.execute(sql: "ALTER TABLE evidence_packs RENAME TO evidence_packs_old")
            try db.execute(sql: create.replacingOccurrences(of: "CONSTRAINT evidence_packs_decision_id_fkey FOREIGN KEY (decision_id) REFERENCES decisions(id),", with: ""))
            try db.execute(sql: "INSERT INTO evidence_packs SELECT * FROM evidence_packs_old; DROP TABLE evidence_packs_old")
            let undeclared = try Self.result("fk.no_orphans", evaluation, world, db)
            #expect(Self.evidence(undeclared).contains { $0.table == "evidence_packs" && $0.column == "decision_id" })
            try db.execute(sql: "ALTER TABLE evidence_packs ADD COLUMN decision_again TEXT REFERENCES decisions(id)")
            #expect(Self.evidence(try Self.result("fk.no_orphans", evaluation, world, db)).contains { $0.column == "decision_id" }, "another key is not this one")
        }
    }

    /// The immutability checks answer from the round's scan of the schema and keep a trigger's
    /// state while `rehearse_trigger_state` is as it was: a state changed, a trigger dropped and
    /// made again under a name that differs only in case (`name = ?` compares bytes), or made
    /// as a temp trigger (not in main's catalogue) are each judged as a full evaluation judges
    /// them (the session compares with one at every step).
    @Test func immutabilityFollowsTriggersByNameAndState() throws {
        try Self.seededSession { db, world, evaluation in
            #expect(try Self.result("immutability.decisions", evaluation, world, db).status.holds)
            try db.execute(sql: "INSERT INTO rehearse_trigger_state VALUES ('decisions_immutable', 'D')")
            #expect(Self.evidence(try Self.result("immutability.decisions", evaluation, world, db)).contains { $0.note.contains("is disabled") })
            try db.execute(sql: "UPDATE rehearse_trigger_state SET tgenabled = 'O' WHERE tgname = 'decisions_immutable'")
            #expect(try Self.result("immutability.decisions", evaluation, world, db).status.holds, "enabled again")
            let body = try #require(try String.fetchOne(db, sql: "SELECT sql FROM sqlite_master WHERE name = 'decisions_immutable_update'"))
            try db.execute(sql: "DROP TRIGGER decisions_immutable_update")
            try db.execute(sql: body.replacingOccurrences(of: "decisions_immutable_update", with: "DECISIONS_IMMUTABLE_UPDATE"))
            let renamed = Self.evidence(try Self.result("immutability.decisions", evaluation, world, db)).map(\.note)
            #expect(renamed == ["trigger decisions_immutable_update is missing"], "the trigger still aborts, under another name")
            try db.execute(sql: "DROP TRIGGER DECISIONS_IMMUTABLE_UPDATE")
            try db.execute(sql: body.replacingOccurrences(of: "CREATE TRIGGER", with: "CREATE TEMP TRIGGER"))
            #expect(Self.evidence(try Self.result("immutability.decisions", evaluation, world, db)).map(\.note) == ["trigger decisions_immutable_update is missing"])
            try db.execute(sql: "DROP TRIGGER temp.decisions_immutable_update")
            try db.execute(sql: body)
            #expect(try Self.result("immutability.decisions", evaluation, world, db).status.holds)
        }
    }

    /// A name an invariant reads, shadowed by a temp view over another table: rows change under
    /// the other name, so the count is taken again at every round, DDL elsewhere or not, and
    /// every invariant and remembered answer that reads the name is judged again at any change
    /// (the session compares with a full evaluation at every step).
    @Test func aViewUnderABaselineNameIsCountedEveryTime() throws {
        try Self.baselineSession { db, world, evaluation, result in
            try db.execute(sql: "CREATE TEMP VIEW decisions AS SELECT * FROM main.exceptions")
            _ = try result("baseline.counts_unchanged")
            try db.execute(sql: "PRAGMA foreign_keys = OFF")
            try db.execute(sql: "INSERT INTO exceptions SELECT * FROM exceptions LIMIT 0")
            try db.execute(sql: "DELETE FROM exceptions WHERE rowid = (SELECT MIN(rowid) FROM exceptions)")
            try db.execute(sql: "CREATE TABLE scratch (x)")
            _ = try result("baseline.counts_unchanged")
            // No DDL at all: the view's rows change with the events of a table no invariant
            // declares, and every invariant that reads the name is judged again.
            try db.execute(sql: "CREATE TABLE shadow_rows AS SELECT * FROM main.decisions")
            try db.execute(sql: "DROP VIEW temp.decisions")
            try db.execute(sql: "CREATE TEMP VIEW decisions AS SELECT * FROM main.shadow_rows")
            _ = try result("baseline.counts_unchanged")
            try db.execute(sql: "DELETE FROM shadow_rows WHERE rowid = (SELECT MIN(rowid) FROM shadow_rows)")
            _ = try result("baseline.counts_unchanged")
            // The same inside a remembered answer: evaluation determinism reads `signals`, here a
            // view over a copy whose payload changes.
            try db.execute(sql: "CREATE TABLE shadow_signals AS SELECT * FROM main.signals")
            try db.execute(sql: "CREATE TEMP VIEW signals AS SELECT * FROM main.shadow_signals")
            #expect(try result("evaluation.deterministic").status.holds)
            try db.execute(sql: "UPDATE shadow_signals SET payload = '{\"amount\": 123456789}' WHERE rowid = (SELECT MIN(rowid) FROM shadow_signals)")
            #expect(try result("evaluation.deterministic").status.isBroken)
        }
    }

    /// The scanner that scrubs a step's output is kept only while `users` is as it was: a person
    /// added is known at the next step, and one added inside an open savepoint (whose row events
    /// GRDB delivers only at its release) at once.
    @Test func thePeopleScannerFollowsTheUsersTable() throws {
        try Self.seededSession { db, world, evaluation in
            _ = try evaluation.evaluate(world.invariantContext(db))
            func add(_ n: Int, _ name: String) throws {
                try db.execute(sql: "INSERT INTO users (id, email, display_name, role, is_active, created_at) VALUES (?, ?, ?, 'viewer', 1, '2026-01-14T09:00:00Z')",
                               arguments: ["ffffffff-ffff-4fff-bfff-fffffffffff\(n)", "person\(n)@example.com", name])
            }
            let first = "Zebulon Quartermaine", second = "Ottoline Vandersteen"
            #expect(try evaluation.peopleScanner(db).scrub(text: "by \(first)").text == "by \(first)", "not a known person yet")
            try add(1, first)
            #expect(try evaluation.peopleScanner(db).scrub(text: "by \(first)").text != "by \(first)", "a person added since is known")
            // `users` as a temp view over another table: its rows change with that table's events.
            let third = "Philippa Ravensworth"
            try db.execute(sql: "CREATE TABLE guests (display_name TEXT, email TEXT)")
            try db.execute(sql: "CREATE TEMP VIEW users AS SELECT display_name, email FROM main.users UNION ALL SELECT display_name, email FROM guests")
            _ = try evaluation.evaluate(world.invariantContext(db))
            #expect(try evaluation.peopleScanner(db).scrub(text: "by \(first)").text != "by \(first)")
            try db.execute(sql: "INSERT INTO guests VALUES (?, 'guest3@example.com')", arguments: [third])
            #expect(try evaluation.peopleScanner(db).scrub(text: "by \(third)").text != "by \(third)", "a person the view shows now is known")
            try db.execute(sql: "DROP VIEW temp.users")
            _ = try evaluation.evaluate(world.invariantContext(db))
            // A step's savepoint inside its transaction: the nested one is where GRDB holds events back.
            try db.inTransaction {
                try db.inSavepoint {
                    try add(2, second)
                    #expect(try evaluation.peopleScanner(db).scrub(text: "by \(second)").text != "by \(second)", "known inside the savepoint too")
                    return .rollback
                }
                return .rollback
            }
            // DDL elsewhere (another table made, rows added to it) keeps the scanner it built.
            let fourth = "Cornelius Blackwater", fifth = "Henrietta Oakenshield"
            try db.execute(sql: "PRAGMA foreign_keys = OFF")
            try db.execute(sql: "CREATE TABLE users_copy AS SELECT * FROM users")
            try db.execute(sql: "INSERT INTO users_copy (id, email, display_name, role, is_active, created_at) VALUES ('ffffffff-ffff-4fff-bfff-fffffffffff4', 'person4@example.com', ?, 'viewer', 1, '2026-01-14T09:00:00Z')",
                           arguments: [fourth])
            _ = try evaluation.evaluate(world.invariantContext(db))
            _ = try evaluation.peopleScanner(db)
            let built = evaluation.peopleScannersBuilt
            try db.execute(sql: "CREATE TABLE unrelated (x)")
            _ = try evaluation.evaluate(world.invariantContext(db))
            #expect(try evaluation.peopleScanner(db).scrub(text: "by \(fourth)").text == "by \(fourth)", "only in another table")
            #expect(evaluation.peopleScannersBuilt == built, "kept across DDL elsewhere")
            // A temp table shadowing `users`, with a person of its own: its name's objects moved.
            try db.execute(sql: "CREATE TEMP TABLE users AS SELECT * FROM main.users")
            try db.execute(sql: "INSERT INTO temp.users (id, email, display_name) VALUES ('ffffffff-ffff-4fff-bfff-fffffffffff5', 'person5@example.com', ?)", arguments: [fifth])
            _ = try evaluation.evaluate(world.invariantContext(db))
            #expect(try evaluation.peopleScanner(db).scrub(text: "by \(fifth)").text != "by \(fifth)", "the shadowing table's people are known")
            try db.execute(sql: "DROP TABLE temp.users")
            // `users` remade under its name by DDL, with no row event under the name: the scanner
            // follows the table's own definition.
            try db.execute(sql: "DROP TABLE users; ALTER TABLE users_copy RENAME TO users")
            _ = try evaluation.evaluate(world.invariantContext(db))
            #expect(try evaluation.peopleScanner(db).scrub(text: "by \(fourth)").text != "by \(fourth)", "users is now the table that has them")
        }
    }

    /// A parent remade without its unique key makes every child's check impossible ("foreign key
    /// mismatch"): the verdict is unknown, naming the same child — the first by name — whether
    /// the check is incremental or full (the whole-database PRAGMA would name the first in
    /// SQLite's hash order). The session compares the two at every step.
    @Test func aForeignKeyMismatchNamesTheSameTableIncrementallyAndInFull() throws {
        try Self.seededSession { db, world, evaluation in
            #expect(try Self.result("fk.no_orphans", evaluation, world, db).status.holds)
            try db.execute(sql: "PRAGMA foreign_keys = OFF")
            try db.execute(sql: "CREATE TABLE users_copy AS SELECT * FROM users; DROP TABLE users; ALTER TABLE users_copy RENAME TO users")
            let status = try Self.result("fk.no_orphans", evaluation, world, db).status
            guard case .unknown(let reason) = status else { Issue.record("not unknown: \(status)"); return }
            #expect(reason.contains("foreign key mismatch - \"decisions\" referencing \"users\""), "\(reason)")
            var full = world.invariantContext(db)
            full.cache = nil
            #expect(try InvariantCatalog.standard.evaluate(full, only: ["fk.no_orphans"]).first?.status == status)
        }
    }

    /// A parent whose key is unique only by an index of its own (`CREATE UNIQUE INDEX`, not in
    /// the table's text): dropping the index makes the foreign key a mismatch SQLite cannot
    /// check, though neither table's text nor rows moved. The remembered answer must not stand:
    /// a drop moves the lineage (the cookie moved by more than the objects that appeared), which
    /// every kept foreign-key answer depends on (the session compares with a full evaluation at
    /// every step).
    @Test func aParentKeyIndexDroppedIsCheckedAgain() throws {
        try Self.seededSession { db, world, evaluation in
            try db.execute(sql: """
                CREATE TABLE k_parent (id TEXT NOT NULL);
                CREATE UNIQUE INDEX k_parent_id ON k_parent (id);
                CREATE TABLE k_child (id INTEGER PRIMARY KEY, pid TEXT REFERENCES k_parent(id));
                INSERT INTO k_parent VALUES ('a');
                INSERT INTO k_child VALUES (1, 'a');
                """)
            #expect(try Self.result("fk.no_orphans", evaluation, world, db).status.holds)
            try db.execute(sql: "DROP INDEX k_parent_id")
            let status = try Self.result("fk.no_orphans", evaluation, world, db).status
            guard case .unknown(let reason) = status else { Issue.record("not unknown: \(status)"); return }
            #expect(reason.contains("foreign key mismatch"), "\(reason)")
        }
    }

    /// A probe fires its table's triggers, and a trigger can read any table: the immutability
    /// triggers remade to abort only while `policies` has no more rows than now stop aborting
    /// when a policy is added — a step with no event on `audit_events` — and the verdict
    /// follows; so does the hard-override probe, whose INSERT a trigger on `decisions` starts to
    /// skip. The full evaluation beside each one throws on any difference.
    @Test func aProbeFollowsTheTablesItsTriggersRead() throws {
        try Self.seededSession { db, world, evaluation in
            let immutable = { try Self.result("immutability.audit_events", evaluation, world, db).status }
            let override = { try Self.result("constraint.hard_override_requires_approval", evaluation, world, db).status }
            #expect(try immutable().holds)
            #expect(try override().holds)
            let policies = try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM policies")!
            try db.execute(sql: """
                DROP TRIGGER audit_events_immutable_update;
                DROP TRIGGER audit_events_immutable_delete;
                CREATE TRIGGER audit_events_immutable_update BEFORE UPDATE ON audit_events
                WHEN (SELECT COUNT(*) FROM "policies") <= \(policies) BEGIN SELECT RAISE(ABORT, 'audit_events is immutable'); END;
                CREATE TRIGGER audit_events_immutable_delete BEFORE DELETE ON main.audit_events
                WHEN (SELECT COUNT(*) FROM [policies]) <= \(policies) BEGIN SELECT RAISE(ABORT, 'audit_events is immutable'); END;
                CREATE TRIGGER decisions_probe_skipped BEFORE INSERT ON decisions
                WHEN (SELECT COUNT(*) FROM `policies`) > \(policies) BEGIN SELECT RAISE(IGNORE); END;
                """)
            #expect(try immutable().holds)
            #expect(try override().holds)
            try db.execute(sql: """
                INSERT INTO policies (id, policy_key, name, description, owner_id, created_at)
                SELECT 'abcdef01-0000-4000-8000-000000000001', 'k-new', 'x', 'y', owner_id, created_at FROM policies LIMIT 1
                """)
            #expect(Self.evidence(try Self.result("immutability.audit_events", evaluation, world, db)).map(\.note).contains { $0.contains("UPDATE of a row succeeded") })
            #expect(Self.evidence(try Self.result("constraint.hard_override_requires_approval", evaluation, world, db)).map(\.note).contains { $0.contains("was accepted") })
        }
    }

    /// The triggers may read the probed table's own rows (then a row added can change what the
    /// probe does, where otherwise only the first row matters), or read through a view (then
    /// any change at all counts).
    @Test func aProbeFollowsItsOwnTableAndViewsWhenItsTriggersReadThem() throws {
        // A table named by a string, as SQLite allows (`FROM 'audit_events'`), counts too.
        for source in ["audit_events", "every_event", "'audit_events'"] {
            try Self.seededSession { db, world, evaluation in
                let events = try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM audit_events")!
                try db.execute(sql: """
                    CREATE VIEW every_event AS SELECT * FROM audit_events;
                    DROP TRIGGER audit_events_immutable_update;
                    CREATE TRIGGER audit_events_immutable_update BEFORE UPDATE ON audit_events
                    WHEN (SELECT COUNT(*) FROM \(source)) <= \(events) BEGIN SELECT RAISE(ABORT, 'audit_events is immutable'); END;
                    """)
                #expect(try Self.result("immutability.audit_events", evaluation, world, db).status.holds, "\(source)")
                try db.execute(sql: "INSERT INTO audit_events (occurred_at, actor, action, entity_type) VALUES ('2026-01-14T09:00:00Z', 'user:x', 'note', 'note')")
                let notes = Self.evidence(try Self.result("immutability.audit_events", evaluation, world, db)).map(\.note)
                #expect(notes.contains { $0.contains("UPDATE of a row succeeded") }, "\(source): \(notes)")
            }
        }
    }

    /// A DELETE of a parent reaches the rows of a child whose foreign key has an action (here
    /// `SET NULL`, which a NOT NULL column refuses; the probe defers the keys, which defers
    /// `RESTRICT` too): a row added to that child changes what the probe's DELETE does, with no
    /// event on the probed table.
    @Test func aProbeFollowsTheChildrenAForeignKeyActionReaches() throws {
        try Self.seededSession { db, world, evaluation in
            try db.execute(sql: """
                DROP TRIGGER audit_events_immutable_delete;
                CREATE TABLE k_note (id INTEGER PRIMARY KEY, event INTEGER NOT NULL REFERENCES audit_events(id) ON DELETE SET NULL);
                """)
            let before = Self.evidence(try Self.result("immutability.audit_events", evaluation, world, db)).map(\.note)
            #expect(before.contains { $0.contains("DELETE of a row succeeded") }, "\(before)")
            try db.execute(sql: "INSERT INTO k_note (event) SELECT id FROM audit_events ORDER BY rowid LIMIT 1")
            let after = Self.evidence(try Self.result("immutability.audit_events", evaluation, world, db)).map(\.note)
            #expect(after.contains { $0.contains("DELETE failed, but not by the trigger") }, "\(after)")
            // With the keys off, no action runs: nothing changed but a setting of the connection.
            try db.execute(sql: "PRAGMA foreign_keys = OFF")
            let off = Self.evidence(try Self.result("immutability.audit_events", evaluation, world, db)).map(\.note)
            #expect(off.contains { $0.contains("DELETE of a row succeeded") }, "\(off)")
        }
    }

    /// Some of what a trigger can read moves no change count: `sqlite_sequence`, which an
    /// AUTOINCREMENT insert writes with no row event of its own; `sqlite_stat1`, which `ANALYZE`
    /// rewrites with none; a table-valued PRAGMA. A trigger that names one is probed at every round.
    @Test func aProbeFollowsWhatNoChangeCountFollows() throws {
        let cases: [(setUp: String, reads: String, change: String)] = [
            ("CREATE TABLE k_log (id INTEGER PRIMARY KEY AUTOINCREMENT, x); INSERT INTO k_log (x) VALUES (1)",
             "(SELECT seq FROM sqlite_sequence WHERE name = 'k_log') < 100", "INSERT INTO k_log (id, x) VALUES (1000, 2)"),
            ("CREATE TABLE k_stat (x); CREATE INDEX k_stat_x ON k_stat (x); ANALYZE k_stat",
             "NOT EXISTS (SELECT 1 FROM sqlite_stat1 WHERE tbl = 'k_stat' AND stat LIKE '5%')", "INSERT INTO k_stat VALUES (1), (2), (3), (4), (5); ANALYZE k_stat"),
            // The file's size, past what it is now (the placeholder) by a few pages.
            ("CREATE TABLE k_pages (x)", "(SELECT page_count FROM pragma_page_count) < PAGES",
             "INSERT INTO k_pages SELECT printf('%.3000c', 'x') FROM audit_events"),
        ]
        for (index, (setUp, reads, change)) in cases.enumerated() {
            try Self.seededSession { db, world, evaluation in
                try db.execute(sql: setUp)
                let pages = try Int.fetchOne(db, sql: "PRAGMA page_count")! + 4
                try db.execute(sql: """
                    DROP TRIGGER audit_events_immutable_update;
                    CREATE TRIGGER audit_events_immutable_update BEFORE UPDATE ON audit_events
                    WHEN \(reads.replacingOccurrences(of: "PAGES", with: String(pages))) BEGIN SELECT RAISE(ABORT, 'audit_events is immutable'); END;
                    """)
                #expect(try Self.result("immutability.audit_events", evaluation, world, db).status.holds, "case \(index)")
                // The full evaluation beside each one throws on any difference.
                try db.execute(sql: change)
                let notes = Self.evidence(try Self.result("immutability.audit_events", evaluation, world, db)).map(\.note)
                #expect(notes.contains { $0.contains("UPDATE of a row succeeded") }, "case \(index): \(notes)")
            }
        }
    }

    /// `PRAGMA ignore_check_constraints` lets the probe's hard override through with no row event
    /// and no DDL: the verdict follows the setting.
    @Test func aProbeFollowsTheConnectionsSettings() throws {
        try Self.seededSession { db, world, evaluation in
            #expect(try Self.result("constraint.hard_override_requires_approval", evaluation, world, db).status.holds)
            try db.execute(sql: "PRAGMA ignore_check_constraints = ON")
            let notes = Self.evidence(try Self.result("constraint.hard_override_requires_approval", evaluation, world, db)).map(\.note)
            #expect(notes.contains { $0.contains("was accepted") }, "\(notes)")
        }
    }

    /// Two tables whose names Swift holds equal (`café` in one code point and in two) are two
    /// tables to SQLite: each keeps its own keys and its own orphans (the session compares with a
    /// full evaluation at every step).
    @Test func namesEqualOnlyToSwiftAreKeptApart() throws {
        try Self.seededSession { db, world, evaluation in
            try db.execute(sql: "PRAGMA foreign_keys = OFF")
            try db.execute(sql: "CREATE TABLE p_parent (id INTEGER PRIMARY KEY)")
            try db.execute(sql: "CREATE TABLE \"cafe\u{301}\" (id INTEGER PRIMARY KEY, pid INTEGER REFERENCES p_parent(id))")
            _ = try Self.result("fk.no_orphans", evaluation, world, db)
            try db.execute(sql: "CREATE TABLE \"caf\u{e9}\" (id INTEGER PRIMARY KEY, x)")
            try db.execute(sql: "INSERT INTO \"cafe\u{301}\" VALUES (1, 99)")
            try db.execute(sql: "INSERT INTO \"caf\u{e9}\" VALUES (1, 99)")
            let orphans = Self.evidence(try Self.result("fk.no_orphans", evaluation, world, db)).filter { $0.note.contains("missing") }
            #expect(orphans.count == 1, "one orphan, in the table that declares the key")
        }
    }

    /// A parent that comes back as a view (only objects added: no DDL dropped anything) makes the
    /// foreign key a mismatch SQLite cannot check: the remembered orphan must not stand.
    @Test func aParentThatComesBackAsAViewIsCheckedAgain() throws {
        try Self.seededSession { db, world, evaluation in
            try db.execute(sql: "PRAGMA foreign_keys = OFF")
            try db.execute(sql: "CREATE TABLE c_child (id TEXT PRIMARY KEY, pid TEXT REFERENCES p_parent(id))")
            try db.execute(sql: "INSERT INTO c_child VALUES ('x', 'k')")
            let orphan = try Self.result("fk.no_orphans", evaluation, world, db)
            #expect(Self.evidence(orphan).contains { $0.table == "c_child" })
            try db.execute(sql: "CREATE TABLE q_source (id TEXT PRIMARY KEY)")
            try db.execute(sql: "INSERT INTO q_source VALUES ('k')")
            try db.execute(sql: "CREATE VIEW p_parent AS SELECT id FROM q_source")
            try db.execute(sql: "PRAGMA foreign_keys = ON")
            // The full evaluation beside it throws on any difference.
            let mismatch = try Self.result("fk.no_orphans", evaluation, world, db)
            #expect(!Self.evidence(mismatch).contains { $0.table == "c_child" && $0.note.contains("missing") })
        }
    }

    /// A parent made by `CREATE TABLE … AS SELECT`, dropped and made again the same way with
    /// other rows (its text is SQLite's, its root page the old one, no row event with foreign
    /// keys off): the schema cookie moved more than objects appeared, so the answer is judged again.
    @Test func aTableRemadeExactlyAsItWasIsCheckedAgain() throws {
        try Self.seededSession { db, world, evaluation in
            try db.execute(sql: "PRAGMA foreign_keys = OFF")
            try db.execute(sql: "CREATE TABLE p_made AS SELECT 'k' AS id")
            try db.execute(sql: "CREATE UNIQUE INDEX p_made_id ON p_made (id)")
            try db.execute(sql: "CREATE TABLE c_refers (id TEXT PRIMARY KEY, pid TEXT REFERENCES p_made(id))")
            try db.execute(sql: "INSERT INTO c_refers VALUES ('x', 'k')")
            #expect(!Self.evidence(try Self.result("fk.no_orphans", evaluation, world, db)).contains { $0.table == "c_refers" })
            let page = try Int.fetchOne(db, sql: "SELECT rootpage FROM sqlite_master WHERE name = 'p_made'")
            try db.execute(sql: "DROP TABLE p_made")
            try db.execute(sql: "CREATE TABLE p_made AS SELECT 'other' AS id")
            try db.execute(sql: "CREATE UNIQUE INDEX p_made_id ON p_made (id)")
            #expect(try Int.fetchOne(db, sql: "SELECT rootpage FROM sqlite_master WHERE name = 'p_made'") == page, "the case needs the old root page")
            let orphaned = try Self.result("fk.no_orphans", evaluation, world, db)
            #expect(Self.evidence(orphaned).contains { $0.table == "c_refers" && $0.note.contains("missing") })
        }
    }

    /// Baseline rows are matched by their exact bytes, whatever the id column's collation: a
    /// case-insensitive id column does not make `a` and `A` the same row.
    @Test func baselineRowsAreMatchedByteForByte() throws {
        try Self.baselineSession { db, _, _, _ in
            try db.execute(sql: "CREATE TABLE nocase_ids (id TEXT COLLATE NOCASE)")
            try db.execute(sql: "INSERT INTO nocase_ids VALUES ('A')")
            try db.execute(sql: "INSERT INTO temp.rehearse_baseline_rows (tbl, id) VALUES ('nocase_ids', 'a'), ('nocase_ids', 'A')")
            let missing = try BaselineIdentity.missing(db, "nocase_ids")
            #expect(missing.count == 1 && missing.ids == ["a"])
        }
    }

    /// `table` rebuilt under its own name with `rewrite` (on `<table>_rebuilt`) done on the way:
    /// SQLite reports row events for the new table only, which then has as many rows as before.
    static func rebuildInPlace(_ table: String, _ db: Database, rewrite: String, arguments: StatementArguments) throws {
        let create = try #require(try String.fetchOne(db, sql: "SELECT sql FROM sqlite_master WHERE type = 'table' AND name = ?", arguments: [table]))
        try db.execute(sql: "PRAGMA foreign_keys = OFF")
        try db.execute(sql: create.replacingOccurrences(of: "CREATE TABLE \(table)", with: "CREATE TABLE \(table)_rebuilt"))
        try db.execute(sql: "INSERT INTO \(table)_rebuilt SELECT * FROM \(table)")
        try db.execute(sql: rewrite, arguments: arguments)
        try db.execute(sql: "DROP TABLE \(table)")
        try db.execute(sql: "ALTER TABLE \(table)_rebuilt RENAME TO \(table)")
        try db.execute(sql: "PRAGMA foreign_keys = ON")
    }

    /// `seededSession` with its baseline recorded, and one invariant's result by id.
    static func baselineSession(_ body: (Database, World, IncrementalEvaluation, (String) throws -> InvariantResult) throws -> Void) throws {
        try seededSession { db, world, evaluation in
            try world.recordBaseline(Baseline.capture(db, label: "pre"), db)
            try body(db, world, evaluation) { try result($0, evaluation, world, db) }
        }
    }

    /// One invariant's result after an incremental evaluation (which also evaluates fully).
    static func result(_ id: String, _ evaluation: IncrementalEvaluation, _ world: World, _ db: Database) throws -> InvariantResult {
        try #require(try evaluation.evaluate(world.invariantContext(db)).first { $0.info.id == id })
    }

    static func evidence(_ result: InvariantResult) -> [Evidence] {
        if case .broken(_, let evidence) = result.status { return evidence }
        return []
    }

    /// A head-revision database seeded with the small profile, its world, and an incremental
    /// evaluation that also evaluates fully and throws on any difference.
    /// `catalog`: one invariant alone, for a test that counts the answers it reuses.
    static func seededSession(catalog: InvariantCatalog = .standard, _ body: (Database, World, IncrementalEvaluation) throws -> Void) throws {
        let chain = try RevisionChain.shipped()
        try DatabaseOpener.open(path: nil).writeWithoutTransaction { db in
            try Migrator(chain: chain).upgrade(db, to: "head")
            _ = try Seeder(profile: .small, seed: 3, now: Timestamp(seconds: 1_768_381_200)).seed(db)
            let evaluation = IncrementalEvaluation(catalog: catalog)
            evaluation.verify = true
            try body(db, World(seed: 3, start: Timestamp(seconds: 1_768_381_200), chain: chain, version: .sprint3), evaluation)
        }
    }

    /// The gate's scan of the audit trail for agent writes stands while the trail is only added
    /// to: another kind of event (a proposal made) leaves it as it was, and a write recorded
    /// since — a bypass — is added to it without a scan and judged at once, unless its id does
    /// not come after every write known (a merged order) or a row was replaced: then the trail is
    /// scanned again. The full evaluation beside each one (`verify`) throws on any difference.
    @Test func theGateKeepsItsScanAndAddsTheWritesRecordedSince() throws {
        // This invariant alone, so the answers counted as reused are its own.
        try Self.seededSession(catalog: InvariantCatalog(invariants: [GateEnforcedInvariant()])) { db, world, evaluation in
            let status = { try Self.result("approvals.gate_enforced", evaluation, world, db).status }
            #expect(try status().holds)

            try db.execute(sql: "INSERT INTO audit_events (occurred_at, actor, action, entity_type) VALUES ('2026-01-14T09:00:00Z', 'agent:bot', 'proposal.created', 'proposal')")
            let writes = "approvals.gate_enforced:writes"
            let reused = evaluation.reusedRowAnswers(named: writes)
            #expect(try status().holds)
            #expect(evaluation.reusedRowAnswers(named: writes) == reused + 1, "only another kind of event since: the scan stands")

            try db.execute(sql: "INSERT INTO audit_events (occurred_at, actor, action, entity_type) VALUES ('2026-01-14T09:01:00Z', 'agent:bot', 'signal.created', 'signal')")
            let broken = try Self.result("approvals.gate_enforced", evaluation, world, db).status
            #expect(broken.isBroken)
            #expect(evaluation.reusedRowAnswers(named: writes) == reused + 2, "the write was added to the scan, not found by a new one")
            guard case .broken(_, let first) = broken else { return }
            #expect(first.count == 1)

            // A write under an id below the last one known: the order is a merge, scanned again
            // (and `verify` compares it with a full evaluation each time).
            try db.execute(sql: "INSERT INTO audit_events (id, occurred_at, actor, action, entity_type) VALUES (-5, '2026-01-14T09:02:00Z', 'agent:bot', 'exception.dismissed', 'exception')")
            let merged = try Self.result("approvals.gate_enforced", evaluation, world, db).status
            #expect(evaluation.reusedRowAnswers(named: writes) == reused + 2)
            guard case .broken(_, let both) = merged else { Issue.record("the gate holds after two writes without proposals"); return }
            #expect(both.count == 2)
            #expect(both.first?.table == "exceptions", "the write with the lowest id comes first, as the scan orders them")

            // Two writes in one step: both added, in id order.
            try db.execute(sql: """
                INSERT INTO audit_events (occurred_at, actor, action, entity_type) VALUES ('2026-01-14T09:03:00Z', 'agent:bot', 'signal.created', 'signal');
                INSERT INTO audit_events (occurred_at, actor, action, entity_type) VALUES ('2026-01-14T09:04:00Z', 'AGENT:Bot', 'policy_version.created', 'policy_version');
                """)
            guard case .broken(_, let four) = try Self.result("approvals.gate_enforced", evaluation, world, db).status else { Issue.record("the gate holds"); return }
            #expect(evaluation.reusedRowAnswers(named: writes) == reused + 3)
            #expect(four.map(\.table) == ["exceptions", "signals", "signals", "policy_versions"])

            // A write replaced by another kind of event (`INSERT OR REPLACE` deletes the old row
            // without a row event): the trail comes up a row short of the inserts, and is scanned.
            try db.execute(sql: "INSERT OR REPLACE INTO audit_events (id, occurred_at, actor, action, entity_type) VALUES (-5, '2026-01-14T09:05:00Z', 'agent:bot', 'proposal.created', 'proposal')")
            guard case .broken(_, let three) = try Self.result("approvals.gate_enforced", evaluation, world, db).status else { Issue.record("the gate holds"); return }
            #expect(evaluation.reusedRowAnswers(named: writes) == reused + 3)
            #expect(three.map(\.table) == ["signals", "signals", "policy_versions"])
        }
    }

    /// The gate's other reads stand too while their tables are only added to: the approval of
    /// each write's proposal (only the events added since are searched, unless a new write names
    /// another proposal or an approval comes in under an id below the one kept) and the signals
    /// agents created (the rows added since merged in by rowid). `verify` compares every answer
    /// with a full evaluation.
    @Test func theGateKeepsTheApprovalsAndTheAgentSignalsItFound() throws {
        // This invariant alone, so the answers counted as reused are its own.
        try Self.seededSession(catalog: InvariantCatalog(invariants: [GateEnforcedInvariant()])) { db, world, evaluation in
            func evidence() throws -> [Evidence] { Self.evidence(try Self.result("approvals.gate_enforced", evaluation, world, db)) }
            let proposal = "00000000-0000-4000-8000-0000000000a1"
            try db.execute(sql: """
                INSERT INTO pending_proposals (id, proposal_type, proposed_by, proposed_at, payload, status, expires_at, reviewed_by, reviewed_at)
                VALUES ('\(proposal)', 'signal', 'agent:bot', '2026-01-14T09:00:00Z', '{}', 'approved', '2026-01-15T09:00:00Z', NULL, '2026-01-14T09:10:00Z');
                INSERT INTO audit_events (occurred_at, actor, action, entity_type, entity_id, details)
                VALUES ('2026-01-14T09:20:00Z', 'agent:bot', 'signal.created', 'signal', '00000000-0000-4000-8000-0000000000b1', '{"proposal_id": "\(proposal)"}');
                """)
            #expect(try evidence().contains { $0.rowId == proposal && $0.note.contains("outside the approvals API") })

            // Its approval recorded since: found among the events added, not by a scan.
            let approvals = "approvals.gate_enforced:approvals", signals = "approvals.gate_enforced:signals"
            let keptApprovals = evaluation.reusedRowAnswers(named: approvals)
            try db.execute(sql: """
                INSERT INTO audit_events (occurred_at, actor, action, entity_type, entity_id, details)
                VALUES ('2026-01-14T09:10:00Z', 'user:approver', 'proposal.approved', 'proposal', '\(proposal)', '{"reviewer_role": "approver", "reviewer_active": true}')
                """)
            #expect(try !evidence().contains { $0.rowId == proposal && $0.note.contains("outside the approvals API") })
            #expect(evaluation.reusedRowAnswers(named: approvals) == keptApprovals + 1)

            // A second approval under an id below the kept one: the first is another, scanned again.
            try db.execute(sql: """
                INSERT INTO audit_events (id, occurred_at, actor, action, entity_type, entity_id, details)
                VALUES (-7, '2026-01-14T09:05:00Z', 'user:viewer', 'proposal.approved', 'proposal', '\(proposal)', '{"reviewer_role": "viewer", "reviewer_active": true}')
                """)
            #expect(try evidence().contains { $0.rowId == proposal && $0.note.contains("not an active approver") }, "the earlier approval, by a viewer, is the first")
            #expect(evaluation.reusedRowAnswers(named: approvals) == keptApprovals + 1)

            // A signal an agent created (in capitals: `LIKE` folds them) with no audited write.
            let keptSignals = evaluation.reusedRowAnswers(named: signals)
            let model = try #require(try Row.fetchOne(db, sql: "SELECT * FROM signals ORDER BY rowid LIMIT 1"))
            let names = Array(model.columnNames)
            let values: [DatabaseValueConvertible?] = names.map { name -> DatabaseValueConvertible? in
                if name == "id" { return "00000000-0000-4000-8000-0000000000c1" }
                return name == "created_by" ? "AGENT:Bot" : model[name] as DatabaseValue
            }
            try db.execute(sql: "INSERT INTO signals (\(names.joined(separator: ", "))) VALUES (\(names.map { _ in "?" }.joined(separator: ", ")))", arguments: StatementArguments(values))
            #expect(try evidence().contains { $0.table == "signals" && $0.rowId == "00000000-0000-4000-8000-0000000000c1" })
            #expect(evaluation.reusedRowAnswers(named: signals) == keptSignals + 1, "the new signal was merged in, not found by a scan")
        }
    }

    /// Raw SQL can make `audit_events` something whose rows the insert log does not follow: a
    /// table remade in the same statement batch as a table with its own key indexes, a declared
    /// `rowid` column, a temp view over another table the gate reads, a table named `json_each`
    /// (which hides the function the look at new rows uses). Each time, the gate's verdict is the
    /// one a full evaluation gives (the session throws on any difference).
    @Test func theGateFollowsTheAuditTrailWhateverRawSQLMakesOfIt() throws {
        let chain = try RevisionChain.shipped()
        let write = "'2026-01-14T09:01:00Z', 'agent:bot', 'signal.created', 'signal', NULL, '{}'"
        let other = "'2026-01-14T09:00:00Z', 'agent:bot', 'proposal.created', 'proposal', NULL, '{}'"
        let setups: [(String, [String])] = [
            ("remade beside a keyed table", [
                "DROP TABLE audit_events; CREATE TABLE audit_events AS SELECT 1 AS id, '2026-01-14T09:00:00Z' AS occurred_at, 'agent:bot' AS actor, 'proposal.created' AS action, 'proposal' AS entity_type, NULL AS entity_id, '{}' AS details",
                "DROP TABLE audit_events; CREATE TABLE audit_events AS SELECT 1 AS id, '2026-01-14T09:01:00Z' AS occurred_at, 'agent:bot' AS actor, 'signal.created' AS action, 'signal' AS entity_type, NULL AS entity_id, '{}' AS details; CREATE TABLE keyed (a TEXT PRIMARY KEY, b TEXT UNIQUE)",
            ]),
            ("a declared rowid column", [
                "DROP TABLE audit_events; CREATE TABLE audit_events (rowid INTEGER, id INTEGER, occurred_at TEXT, actor TEXT, action TEXT, entity_type TEXT, entity_id TEXT, details TEXT)",
                "INSERT INTO audit_events (id, occurred_at, actor, action, entity_type, entity_id, details) VALUES (1, \(other))",
                "INSERT INTO audit_events (id, occurred_at, actor, action, entity_type, entity_id, details) VALUES (2, \(write))",
            ]),
            // Any case, any quoting: the scan looks for the letters in the table's text.
            ("a declared _RowID_ column", [
                "DROP TABLE audit_events; CREATE TABLE audit_events ([_RowID_] INTEGER, id INTEGER, occurred_at TEXT, actor TEXT, action TEXT, entity_type TEXT, entity_id TEXT, details TEXT)",
                "INSERT INTO audit_events (id, occurred_at, actor, action, entity_type, entity_id, details) VALUES (1, \(other))",
                "INSERT INTO audit_events (id, occurred_at, actor, action, entity_type, entity_id, details) VALUES (2, \(write))",
            ]),
            // `LIKE` made case-sensitive does not hide a "RowId" column from the scan.
            ("a RowId column under a case-sensitive LIKE", [
                "PRAGMA case_sensitive_like = 1",
                "DROP TABLE audit_events; CREATE TABLE audit_events (\"RowId\" INTEGER, id INTEGER, occurred_at TEXT, actor TEXT, action TEXT, entity_type TEXT, entity_id TEXT, details TEXT)",
                "INSERT INTO audit_events (id, occurred_at, actor, action, entity_type, entity_id, details) VALUES (1, \(other))",
                "INSERT INTO audit_events (id, occurred_at, actor, action, entity_type, entity_id, details) VALUES (2, \(write))",
            ]),
            ("a temp view over users", [
                "CREATE TEMP VIEW audit_events AS SELECT rowid AS id, created_at AS occurred_at, 'agent:bot' AS actor, 'signal.created' AS action, 'signal' AS entity_type, id AS entity_id, '{}' AS details FROM users WHERE email = 'bot@example.com'",
                "INSERT INTO users (id, email, display_name, role, is_active, created_at) VALUES ('ffffffff-ffff-4fff-bfff-fffffffffff0', 'bot@example.com', 'Bot', 'viewer', 1, '2026-01-14T09:00:00Z')",
            ]),
            ("a table named json_each", [
                "CREATE TABLE json_each (value)",
                "INSERT INTO audit_events (occurred_at, actor, action, entity_type, entity_id, details) VALUES (\(other))",
                "INSERT INTO audit_events (occurred_at, actor, action, entity_type, entity_id, details) VALUES (\(write))",
            ]),
        ]
        for (label, steps) in setups {
            try DatabaseOpener.open(path: nil).writeWithoutTransaction { db in
                try Migrator(chain: chain).upgrade(db, to: "head")
                _ = try Seeder(profile: .small, seed: 3, now: Timestamp(seconds: 1_768_381_200)).seed(db)
                try db.execute(sql: "PRAGMA foreign_keys = OFF")
                let evaluation = IncrementalEvaluation(catalog: InvariantCatalog(invariants: [GateEnforcedInvariant()]))
                evaluation.verify = true
                let world = World(seed: 3, start: Timestamp(seconds: 1_768_381_200), chain: chain, version: .sprint3)
                _ = try Self.result("approvals.gate_enforced", evaluation, world, db)
                for sql in steps {
                    try db.execute(sql: sql)
                    do { _ = try Self.result("approvals.gate_enforced", evaluation, world, db) } catch { Issue.record("\(label): \(sql): \(error)") }
                }
                #expect(try Self.result("approvals.gate_enforced", evaluation, world, db).status.isBroken, "\(label): the agent write is found")
            }
        }
    }

    /// A declaration that misses an input is caught by the comparison with a full evaluation.
    @Test func aWrongDeclarationIsCaughtByTheFullComparison() throws {
        struct ForgetsItsTable: Invariant {
            var info: InvariantInfo { InvariantInfo(id: "test.users_count", title: "t", source: "t", severity: .medium) }
            var reads: InvariantReads { InvariantReads() }
            func evaluate(_ context: InvariantContext) throws -> InvariantStatus {
                let n = try Int.fetchOne(context.db, sql: "SELECT COUNT(*) FROM users")!
                return n > 5 ? .broken(detail: "too many", evidence: []) : .holds(detail: "\(n)")
            }
        }
        let chain = try RevisionChain.shipped()
        let queue = try DatabaseOpener.open(path: nil)
        try queue.writeWithoutTransaction { db in
            try db.execute(sql: "CREATE TABLE users (id INTEGER PRIMARY KEY)")
            let world = World(seed: 1, start: Timestamp(seconds: 0), chain: chain)
            let evaluation = IncrementalEvaluation(catalog: InvariantCatalog(invariants: [ForgetsItsTable()]))
            evaluation.verify = true
            _ = try evaluation.evaluate(world.invariantContext(db))
            try db.execute(sql: "INSERT INTO users (id) VALUES (1), (2), (3), (4), (5), (6)")
            #expect(throws: IncrementalMismatch.self) { try evaluation.evaluate(world.invariantContext(db)) }
        }
    }
}
