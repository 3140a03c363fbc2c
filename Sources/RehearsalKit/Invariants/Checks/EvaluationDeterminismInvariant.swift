import GRDB

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
        for row in try Row.fetchAll(db, sql: "SELECT id, rules FROM policy_versions") {
            let rules = (try? JSONParser.parse(row[1] as String)) ?? .null
            ruleSets[row[0]] = Evaluator.RuleSet(json: rules)
        }
        let evaluator = Evaluator()
        var evidence: [Evidence] = []
        var checked = 0
        let rows = try Row.fetchCursor(db, sql: """
            SELECT e.id, e.result, e.output, e.output_hash, e.evaluator_version, e.signal_id, e.policy_version_id, s.payload
            FROM evaluations e JOIN signals s ON s.id = e.signal_id ORDER BY e.rowid
            """)
        while let row = try rows.next() {
            let id: String = row[0]
            let result: String = row[1]
            let output: String = row[2]
            let hash: String = row[3]
            checked += 1
            guard (row[4] as String) == Evaluator.version else {
                evidence.append(Evidence(table: "evaluations", rowId: id, column: "evaluator_version", note: "unknown evaluator version; cannot re-evaluate"))
                continue
            }
            if SHA256.hex(output) != hash {
                evidence.append(Evidence(table: "evaluations", rowId: id, column: "output_hash", note: "stored hash is not the hash of the stored output"))
                continue
            }
            guard let rules = ruleSets[row[6]], let payload = try? JSONParser.parse(row[7] as String) else { continue }
            let again = evaluator.evaluate(rules: rules, payload: payload, signalId: row[5], policyVersionId: row[6])
            if again.outputHash != hash || again.result != result {
                evidence.append(Evidence(table: "evaluations", rowId: id, column: again.result != result ? "result" : "output",
                                         note: "re-evaluation gives a different \(again.result != result ? "result" : "output")"))
            }
        }
        if evidence.isEmpty { return .holds(detail: "\(checked) evaluations reproduce") }
        return .broken(detail: "\(evidence.count) of \(checked) evaluations do not reproduce", evidence: evidence)
    }
}
