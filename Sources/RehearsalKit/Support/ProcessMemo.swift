/// A pure function's answers remembered for the process by their key, shared by every thread
/// (`rehearse explore` and `rehearse run` play on several): cleared whole when it holds `limit`
/// entries, after which answers are computed again. An answer that throws is not kept.
final class ProcessMemo<Key: Hashable, Value>: @unchecked Sendable {
    private let entries = Locked<[Key: Value]>([:])
    private let limit: Int

    init(limit: Int) { self.limit = limit }

    func value(_ key: Key, compute: () throws -> Value) rethrows -> Value {
        if let known = entries.withLock({ $0[key] }) { return known }
        let value = try compute()
        entries.withLock { entries in
            if entries.count >= limit { entries.removeAll() }
            entries[key] = value
        }
        return value
    }
}
