import Dispatch
import Foundation
import GRDB
import GRDBSQLite

/// `evaluation.deterministic`: re-evaluating every stored evaluation's inputs (the signal's
/// payload and the policy version's rules) with the application's evaluator gives the stored
/// result, output and hash, and the stored hash is the hash of the stored output.
struct EvaluationDeterminismInvariant: Invariant {
    var reads: InvariantReads { .tables("policy_versions", "evaluations", "signals") }

    var info: InvariantInfo {
        InvariantInfo(id: "evaluation.deterministic", title: "Evaluation determinism: same inputs produce the stored outputs",
                      source: "Data Invariants, 1.4", severity: .critical)
    }

    func evaluate(_ context: InvariantContext) throws -> InvariantStatus {
        if let notYet = try context.requireRevision("002_create_signals_evaluations") { return notYet }
        // Outside a session (no change tracker, or no cache to read the rows' keys through) every
        // evaluation is judged.
        guard context.changes != nil, context.cache != nil else { return try reEvaluate(context).status }
        // The verdict reads the three tables' rows and nothing else of the schema: a migration
        // that adds other tables leaves it standing. While evaluations and signals were only
        // added to and the policy versions not touched (an approved signal, a policy draft
        // proposed), the evaluations that were there are judged as they were, and only the new
        // ones are re-evaluated — unless a new signal is one an older evaluation names (it
        // could find a signal it had lost), or a new evaluation comes before an older one.
        let db = context.db
        return try RowLevelMemo.extendedAcross(
            "evaluation.deterministic", tables: ["evaluations", "signals"], steady: ["policy_versions"], db: db, changes: context.changes,
            extend: { known, fresh in
                guard let newEvaluations = RowLevelMemo.lookable(fresh[0]), let newSignals = RowLevelMemo.lookable(fresh[1]) else { return nil }
                if !fresh[1].isEmpty, try Bool.fetchOne(db, cached: """
                    -- `s.id = e.signal_id` as the join compares them: under signals.id's collation.
                    SELECT EXISTS (SELECT 1 FROM json_each(?1) j CROSS JOIN signals s CROSS JOIN evaluations e
                                   WHERE s.rowid = j.value AND s.id = e.signal_id AND e.rowid NOT IN (SELECT value FROM json_each(?2)))
                    """, arguments: [newSignals, newEvaluations]) != false { return nil }
                guard let first = fresh[0].min() else { return known }
                guard known.lastRowid.map({ $0 < first }) ?? true else { return nil }
                return try known.adding(reEvaluate(context, only: newEvaluations))
            }
        ) { try reEvaluate(context) }.status
    }

    /// What the evaluations that were checked gave: the evidence in row order, how many, and the
    /// last rowid among them.
    struct Outcome {
        var evidence: [Evidence]
        var checked: Int
        var lastRowid: Int64?

        var status: InvariantStatus {
            if evidence.isEmpty { return .holds(detail: "\(checked) evaluations reproduce") }
            return .broken(detail: "\(evidence.count) of \(checked) evaluations do not reproduce", evidence: evidence)
        }

        /// This outcome and one of rows that all come after its own.
        func adding(_ later: Outcome) -> Outcome {
            Outcome(evidence: evidence + later.evidence, checked: checked + later.checked, lastRowid: later.lastRowid ?? lastRowid)
        }
    }

    /// Re-evaluates every stored evaluation, or within a session (`context.cache`) those of `only`
    /// (rowids, as a `RowLevelMemo.lookable` list), those already known to reproduce excepted.
    func reEvaluate(_ context: InvariantContext, only rowids: String? = nil) throws -> Outcome {
        let db = context.db
        var ruleSets: [String: Evaluator.RuleSet] = [:]
        // Each version's rules text as a fingerprint, beside the rule set it parsed into: what a
        // stored evaluation's verdict depends on besides its own row and its signal's payload.
        var rulesKeys: [String: UInt64] = [:]
        for row in try Row.fetchAll(db, cached: "SELECT id, rules FROM policy_versions") {
            let text: String = row[1]
            // Rules that do not parse reproduce nothing: the version counts as missing (evidence).
            guard let parsed = Self.parsedRules(text) else { continue }
            ruleSets[row[0]] = parsed.rules
            rulesKeys[row[0]] = parsed.key
        }
        var evidence: [Evidence] = []
        var checked = 0
        // This reads every evaluation, so it steps the statement with SQLite's C API and copies
        // column bytes, not Rows; re-evaluation (parse, evaluate, hash) then runs on every core,
        // batch by batch, and evidence is merged back in row order so reports stay deterministic.
        //
        // Within a session (`context.cache`), SQLite also fingerprints each row with its columns
        // and its signal's payload in a C function; with the fingerprint of the rules its version
        // id finds (as `verify` finds them: by that id in `ruleSets`, not by a join that would
        // hash the same rules text again for every row), that is everything its verdict depends
        // on, and a row already known to reproduce is counted without being copied.
        let remembers = context.cache != nil
        if remembers { BaselineIdentity.registerFingerprint(db) }
        // The rowid last: the outcome of a session's evaluation says which row it ended on.
        let statement = try remembers
            ? db.cachedStatement(sql: """
                SELECT e.id, e.result, e.output, e.output_hash, e.evaluator_version, e.signal_id, e.policy_version_id, s.payload,
                       rehearse_fingerprint(e.id, e.result, e.output, e.output_hash, e.evaluator_version, e.signal_id, e.policy_version_id, s.payload),
                       e.rowid
                FROM evaluations e LEFT JOIN signals s ON s.id = e.signal_id
                """ + (rowids == nil ? "" : " WHERE e.rowid IN (SELECT value FROM json_each(?))") + " ORDER BY e.rowid")
            : db.makeStatement(sql: """
                SELECT e.id, e.result, e.output, e.output_hash, e.evaluator_version, e.signal_id, e.policy_version_id, s.payload
                FROM evaluations e LEFT JOIN signals s ON s.id = e.signal_id ORDER BY e.rowid
                """)
        if let rowids {
            // Only a session's read (the cached statement) takes the rowids.
            precondition(remembers, "evaluations by rowid are read within a session only")
            try statement.setArguments([rowids])
        }
        let handle = statement.sqliteStatement
        defer { sqlite3_reset(handle) }
        var lastRowid: Int64?
        // Each row's eight columns go into one buffer: one allocation per row, not eight.
        func row(key: UInt64) -> StoredEvaluation {
            var data: [UInt8] = []
            var ends = SIMD8<Int32>()
            var total = 0
            for column in 0..<8 { total += Int(sqlite3_column_bytes(handle, Int32(column))) }
            data.reserveCapacity(total)
            for column in 0..<8 {
                if let text = sqlite3_column_text(handle, Int32(column)) {
                    data.append(contentsOf: UnsafeBufferPointer(start: text, count: Int(sqlite3_column_bytes(handle, Int32(column)))))
                }
                ends[column] = Int32(data.count)
            }
            return StoredEvaluation(data: data, ends: ends, key: key)
        }
        var batch: [StoredEvaluation] = []
        batch.reserveCapacity(Self.batchSize)
        var inFlight: InFlightBatch?
        while true {
            let code = sqlite3_step(handle)
            if code == SQLITE_ROW {
                checked += 1
                if remembers { lastRowid = sqlite3_column_int64(handle, 9) }
                if let cache = context.cache {
                    // The id as `verify` reads it (every byte, as text).
                    let version = sqlite3_column_text(handle, 6).map {
                        String(decoding: UnsafeBufferPointer(start: $0, count: Int(sqlite3_column_bytes(handle, 6))), as: UTF8.self)
                    } ?? ""
                    var hasher = RowHasher()
                    hasher.integer(sqlite3_column_int64(handle, 8))
                    // No rule set under the id: verify gives evidence, and evidence is never
                    // remembered as reproducing.
                    hasher.integer(Int64(bitPattern: rulesKeys[version] ?? 0))
                    let key = hasher.finish()
                    if !cache.isReproduced(key) { batch.append(row(key: key)) }
                } else {
                    batch.append(row(key: 0))
                }
            } else if code != SQLITE_DONE {
                throw DatabaseError(resultCode: ResultCode(rawValue: code), message: String(cString: sqlite3_errmsg(db.sqliteConnection)))
            }
            if batch.count == Self.batchSize || (code == SQLITE_DONE && !batch.isEmpty) {
                if context.cache == nil {
                    // No cache (a one-off check of a whole database): verify this batch in the
                    // background while the next one is read.
                    if let running = inFlight { evidence += running.finish() }
                    inFlight = Self.start(batch, ruleSets: ruleSets)
                    batch = []
                    batch.reserveCapacity(Self.batchSize)
                } else {
                    evidence += verify(batch, ruleSets: ruleSets, cache: context.cache)
                    batch.removeAll(keepingCapacity: true)
                }
            }
            if code == SQLITE_DONE { break }
        }
        if let running = inFlight { evidence += running.finish() }
        return Outcome(evidence: evidence, checked: checked, lastRowid: lastRowid)
    }

    static let batchSize = 4096

    /// A version's rules text parsed, with its fingerprint; remembered by the text's bytes (not
    /// by `String`, whose equality takes two spellings of one accented letter for one text).
    /// The library's versions are the same few texts in every scenario, and each evaluation of
    /// the invariant reads them all. Nil when the text is not JSON.
    static func parsedRules(_ text: String) -> (rules: Evaluator.RuleSet, key: UInt64)? {
        let bytes = Array(text.utf8)
        return parsedRulesMemo.value(bytes) {
            guard let json = try? JSONParser.parse(text) else { return nil }
            var hasher = RowHasher()
            bytes.withUnsafeBytes { hasher.bytes(text: true, $0) }
            return (Evaluator.RuleSet(json: json), hasher.finish())
        }
    }
    private static let parsedRulesMemo = ProcessMemo<[UInt8], (rules: Evaluator.RuleSet, key: UInt64)?>(limit: 1_000)

    /// One stored evaluation's columns, as bytes, one after the other in `data`.
    struct StoredEvaluation: Sendable {
        var data: [UInt8]
        /// Where each of the eight columns ends in `data`.
        var ends: SIMD8<Int32>
        /// SQLite's `rehearse_fingerprint` of the row, its payload and its rules (0 outside a session).
        var key: UInt64

        func field(_ index: Int) -> ArraySlice<UInt8> {
            data[(index == 0 ? 0 : Int(ends[index - 1]))..<Int(ends[index])]
        }

        var id: ArraySlice<UInt8> { field(0) }
        var result: ArraySlice<UInt8> { field(1) }
        var output: ArraySlice<UInt8> { field(2) }
        var outputHash: ArraySlice<UInt8> { field(3) }
        var evaluatorVersion: ArraySlice<UInt8> { field(4) }
        var signalId: ArraySlice<UInt8> { field(5) }
        var policyVersionId: ArraySlice<UInt8> { field(6) }
        var payload: ArraySlice<UInt8> { field(7) }
    }

    /// Verifies the rows of a batch (none already known to reproduce) and remembers those that do.
    func verify(_ batch: [StoredEvaluation], ruleSets: [String: Evaluator.RuleSet], cache: InvariantCache?) -> [Evidence] {
        guard let cache else { return Self.verify(batch, ruleSets: ruleSets) }
        let evidence = Self.verify(batch, ruleSets: ruleSets)
        let failed = Set(evidence.compactMap(\.rowId))
        cache.markReproduced(batch.filter { !failed.contains(String(decoding: $0.id, as: UTF8.self)) }.map(\.key))
        return evidence
    }

    /// A batch being verified on a background queue.
    struct InFlightBatch {
        let slots: ResultSlots
        let group: DispatchGroup

        /// Waits for the batch and returns its evidence in row order.
        func finish() -> [Evidence] {
            group.wait()
            defer { slots.deallocate() }
            return slots.collect()
        }
    }

    static func start(_ batch: [StoredEvaluation], ruleSets: [String: Evaluator.RuleSet]) -> InFlightBatch {
        let slots = ResultSlots(count: batch.count)
        let group = DispatchGroup()
        DispatchQueue.global().async(group: group) {
            fill(slots, batch, ruleSets: ruleSets)
        }
        return InFlightBatch(slots: slots, group: group)
    }

    /// Verifies every row of `batch` into `slots`, on all cores.
    static func fill(_ slots: ResultSlots, _ batch: [StoredEvaluation], ruleSets: [String: Evaluator.RuleSet]) {
        let workers = max(1, min(ProcessInfo.processInfo.activeProcessorCount, 8))
        DispatchQueue.concurrentPerform(iterations: workers) { worker in
            var index = worker
            while index < batch.count {
                slots.store(verify(batch[index], ruleSets: ruleSets), at: index)
                index += workers
            }
        }
    }

    /// Verifies a batch on all cores; the evidence comes back in the batch's order.
    static func verify(_ batch: [StoredEvaluation], ruleSets: [String: Evaluator.RuleSet]) -> [Evidence] {
        guard !batch.isEmpty else { return [] }
        let slots = ResultSlots(count: batch.count)
        defer { slots.deallocate() }
        fill(slots, batch, ruleSets: ruleSets)
        return slots.collect()
    }

    static func verify(_ row: StoredEvaluation, ruleSets: [String: Evaluator.RuleSet]) -> Evidence? {
        let id = String(decoding: row.id, as: UTF8.self)
        guard row.evaluatorVersion.elementsEqual(Evaluator.version.utf8) else {
            return Evidence(table: "evaluations", rowId: id, column: "evaluator_version", note: "unknown evaluator version; cannot re-evaluate")
        }
        let hashMatches = row.outputHash.withUnsafeBufferPointer { SHA256.matches(bytes: Array(row.output), hexDigest: $0) }
        guard hashMatches else {
            return Evidence(table: "evaluations", rowId: id, column: "output_hash", note: "stored hash is not the hash of the stored output")
        }
        let versionId = String(decoding: row.policyVersionId, as: UTF8.self)
        // Fails closed: what cannot be re-evaluated is evidence, never "reproduces".
        guard let rules = ruleSets[versionId] else {
            return Evidence(table: "evaluations", rowId: id, column: "policy_version_id", note: "policy version \(versionId) is missing or its rules do not parse: cannot be reproduced")
        }
        guard !row.payload.isEmpty else {
            return Evidence(table: "evaluations", rowId: id, column: "signal_id", note: "its signal is gone: cannot be reproduced")
        }
        guard let payload = try? JSONParser.parse(bytes: Array(row.payload)) else {
            return Evidence(table: "evaluations", rowId: id, column: "signal_id", note: "its signal's payload does not parse: cannot be reproduced")
        }
        // The stored hash matches the stored output (checked above), so comparing the outputs
        // themselves is comparing hashes, without hashing again.
        let again = Evaluator().evaluate(
            rules: rules, payload: payload, signalId: String(decoding: row.signalId, as: UTF8.self), policyVersionId: versionId, hashing: false)
        let sameResult = Self.equal(again.result, row.result)
        if sameResult && Self.equal(again.output, row.output) { return nil }
        return Evidence(table: "evaluations", rowId: id, column: sameResult ? "output" : "result",
                        note: "re-evaluation gives a different \(sameResult ? "output" : "result")")
    }
}

extension EvaluationDeterminismInvariant {
    /// Byte comparison in one `memcmp` where the string is contiguous UTF-8 (native strings are),
    /// instead of a generic element-by-element walk.
    static func equal(_ text: String, _ bytes: ArraySlice<UInt8>) -> Bool {
        var text = text
        return text.withUTF8 { utf8 in
            utf8.count == bytes.count && bytes.withUnsafeBufferPointer { stored in
                utf8.isEmpty || memcmp(utf8.baseAddress!, stored.baseAddress!, utf8.count) == 0
            }
        }
    }
}

/// Per-row result slots that concurrent workers fill at distinct indices.
final class ResultSlots: @unchecked Sendable {
    private let buffer: UnsafeMutableBufferPointer<Evidence?>

    init(count: Int) {
        buffer = .allocate(capacity: count)
        buffer.initialize(repeating: nil)
    }

    /// Each index is written by exactly one worker, so no two threads touch the same slot.
    func store(_ value: Evidence?, at index: Int) { buffer[index] = value }
    func collect() -> [Evidence] { buffer.compactMap { $0 } }
    func deallocate() {
        buffer.deinitialize()
        buffer.deallocate()
    }
}
