import Foundation
import GRDB
@testable import RehearsalKit

/// A migrated in-memory database with the small profile seeded, plus the baseline taken right after.
func makeSeededDatabase(seed: UInt64 = 7) throws -> (DatabaseQueue, Baseline) {
    let queue = try makeDatabase()
    let baseline = try queue.write { db in
        _ = try Seeder(profile: .small, seed: seed).seed(db)
        return try Baseline.capture(db)
    }
    return (queue, baseline)
}

/// Evaluates one invariant of the standard catalog.
func evaluate(_ id: String, _ db: Database, baseline: Baseline? = nil, now: Timestamp = Seeder.defaultNow) throws -> InvariantStatus {
    let context = InvariantContext(db: db, chain: try RevisionChain.shipped(), baseline: baseline, now: now)
    return try InvariantCatalog.standard.evaluate(context, only: [id]).first!.status
}

extension InvariantStatus {
    var evidence: [Evidence] { if case .broken(_, let evidence) = self { return evidence }; return [] }
}
