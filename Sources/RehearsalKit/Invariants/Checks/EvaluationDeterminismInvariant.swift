import Dispatch
import Foundation
import GRDB
import GRDBSQLite

/// `evaluation.deterministic`: re-evaluating every stored evaluation's inputs (the signal's
/// payload and the policy version's rules) with the application's evaluator gives the stored
/// result, output and hash, and the stored hash is the hash of the stored output.
struct EvaluationDeterminismInvariant: Invariant {
    var info: InvariantInfo {
        InvariantInfo(id: "evaluation.deterministic", title: "Evaluation determinism: same inputs produce the stored outputs",
                      source: "Data Invariants, 1.4", severity: .critical)
    }

    func evaluate(_ context: InvariantContext) throws -> InvariantStatus {
        if let notYet = try context.requireRevision("002_create_signals_evaluations") { return notYet }
        let db = context.db
        var ruleSets: [String: Evaluator.RuleSet] = [:]
        var ruleFingerprints: [String: UInt64] = [:]
        for row in try Row.fetchAll(db, sql: "SELECT id, rules FROM policy_versions") {
            let text: String = row[1]
            ruleSets[row[0]] = Evaluator.RuleSet(json: (try? JSONParser.parse(text)) ?? .null)
            ruleFingerprints[row[0]] = Fingerprint.of([Array(text.utf8)])
        }
        var evidence: [Evidence] = []
        var checked = 0
        // This reads every evaluation, so it steps the statement with SQLite's C API and copies
        // column bytes, not Rows; re-evaluation (parse, evaluate, hash) then runs on every core,
        // batch by batch, and evidence is merged back in row order so reports stay deterministic.
        let statement = try db.makeStatement(sql: """
            SELECT e.id, e.result, e.output, e.output_hash, e.evaluator_version, e.signal_id, e.policy_version_id, s.payload
            FROM evaluations e JOIN signals s ON s.id = e.signal_id ORDER BY e.rowid
            """)
        let handle = statement.sqliteStatement
        defer { sqlite3_reset(handle) }
        func bytes(_ column: Int32) -> [UInt8] {
            guard let text = sqlite3_column_text(handle, column) else { return [] }
            return Array(UnsafeBufferPointer(start: text, count: Int(sqlite3_column_bytes(handle, column))))
        }
        var batch: [StoredEvaluation] = []
        batch.reserveCapacity(Self.batchSize)
        while true {
            let code = sqlite3_step(handle)
            if code == SQLITE_ROW {
                batch.append(StoredEvaluation(
                    id: bytes(0), result: bytes(1), output: bytes(2), outputHash: bytes(3), evaluatorVersion: bytes(4),
                    signalId: bytes(5), policyVersionId: bytes(6), payload: bytes(7)))
                checked += 1
            } else if code != SQLITE_DONE {
                throw DatabaseError(resultCode: ResultCode(rawValue: code), message: String(cString: sqlite3_errmsg(db.sqliteConnection)))
            }
            if batch.count == Self.batchSize || (code == SQLITE_DONE && !batch.isEmpty) {
                evidence += verify(batch, ruleSets: ruleSets, ruleFingerprints: ruleFingerprints, cache: context.cache)
                batch.removeAll(keepingCapacity: true)
            }
            if code == SQLITE_DONE { break }
        }
        if evidence.isEmpty { return .holds(detail: "\(checked) evaluations reproduce") }
        return .broken(detail: "\(evidence.count) of \(checked) evaluations do not reproduce", evidence: evidence)
    }

    static let batchSize = 4096

    /// One stored evaluation's columns, as bytes.
    struct StoredEvaluation: Sendable {
        var id, result, output, outputHash, evaluatorVersion, signalId, policyVersionId, payload: [UInt8]
    }

    /// Verifies the rows of a batch not already known to reproduce.
    func verify(_ batch: [StoredEvaluation], ruleSets: [String: Evaluator.RuleSet], ruleFingerprints: [String: UInt64], cache: InvariantCache?) -> [Evidence] {
        guard let cache else { return Self.verify(batch, ruleSets: ruleSets) }
        let keys = batch.map { row in
            Fingerprint.of([row.id, row.result, row.output, row.outputHash, row.evaluatorVersion, row.signalId, row.policyVersionId, row.payload])
                ^ (ruleFingerprints[String(decoding: row.policyVersionId, as: UTF8.self)] ?? 0)
        }
        let pending = batch.indices.filter { !cache.reproducedEvaluations.contains(keys[$0]) }
        let evidence = Self.verify(pending.map { batch[$0] }, ruleSets: ruleSets)
        let failed = Set(evidence.compactMap(\.rowId))
        for index in pending where !failed.contains(String(decoding: batch[index].id, as: UTF8.self)) {
            cache.reproducedEvaluations.insert(keys[index])
        }
        return evidence
    }

    /// Verifies a batch on all cores; the evidence comes back in the batch's order.
    static func verify(_ batch: [StoredEvaluation], ruleSets: [String: Evaluator.RuleSet]) -> [Evidence] {
        guard !batch.isEmpty else { return [] }
        let slots = ResultSlots(count: batch.count)
        defer { slots.deallocate() }
        let workers = max(1, min(ProcessInfo.processInfo.activeProcessorCount, 8))
        DispatchQueue.concurrentPerform(iterations: workers) { worker in
            var index = worker
            while index < batch.count {
                slots.store(verify(batch[index], ruleSets: ruleSets), at: index)
                index += workers
            }
        }
        return slots.collect()
    }

    static func verify(_ row: StoredEvaluation, ruleSets: [String: Evaluator.RuleSet]) -> Evidence? {
        let id = String(decoding: row.id, as: UTF8.self)
        guard row.evaluatorVersion.elementsEqual(Evaluator.version.utf8) else {
            return Evidence(table: "evaluations", rowId: id, column: "evaluator_version", note: "unknown evaluator version; cannot re-evaluate")
        }
        let hashMatches = row.outputHash.withUnsafeBufferPointer { SHA256.matches(bytes: row.output, hexDigest: $0) }
        guard hashMatches else {
            return Evidence(table: "evaluations", rowId: id, column: "output_hash", note: "stored hash is not the hash of the stored output")
        }
        let versionId = String(decoding: row.policyVersionId, as: UTF8.self)
        guard let rules = ruleSets[versionId], let payload = try? JSONParser.parse(bytes: row.payload) else { return nil }
        // The stored hash matches the stored output (checked above), so comparing the outputs
        // themselves is comparing hashes, without hashing again.
        let again = Evaluator().evaluate(
            rules: rules, payload: payload, signalId: String(decoding: row.signalId, as: UTF8.self), policyVersionId: versionId, hashing: false)
        let sameResult = row.result.elementsEqual(again.result.utf8)
        if sameResult && again.output.utf8.elementsEqual(row.output) { return nil }
        return Evidence(table: "evaluations", rowId: id, column: sameResult ? "output" : "result",
                        note: "re-evaluation gives a different \(sameResult ? "output" : "result")")
    }
}

/// Per-row result slots that concurrent workers fill at distinct indices.
private final class ResultSlots: @unchecked Sendable {
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
