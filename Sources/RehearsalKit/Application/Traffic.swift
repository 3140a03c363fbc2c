import GRDB

/// The production traffic that goes on while an operator works: every ten virtual minutes an
/// agent calls a write tool and someone opens the traces viewer. An uncontained fault keeps
/// doing damage through it (drills, and the monitoring window of `rehearse checklist`).
public enum Traffic {
    public static let interval: Int64 = 600

    /// Moves the clock to `target`, with the traffic due on the way; returns the next tick.
    @discardableResult
    public static func run(_ db: Database, world: World, from next: Timestamp, until target: Timestamp) throws -> Timestamp {
        var next = next
        while next <= target {
            try world.advance(db, by: next.seconds - world.clock.seconds)
            // An agent, and an analyst through the assistant (a user, whose name a defective
            // viewer would show).
            for caller in ["agent:triage-bot", "user:role:analyst"] {
                try? db.inSavepoint {
                    do {
                        _ = try MCPTools.call(db, world: world, tool: "propose_signal", caller: caller,
                                              arguments: .object([("subject", .string("acct-\(world.clock.seconds % 100000)")), ("signal_type", .string("anomaly"))]))
                        return .commit
                    } catch { return .rollback }
                }
            }
            _ = try? TracesViewer.view(db, world: world)
            next = next.adding(seconds: interval)
        }
        try world.advance(db, by: target.seconds - world.clock.seconds)
        return next
    }
}
