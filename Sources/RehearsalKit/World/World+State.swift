/// A step that fails rolls back its own changes: the database through a savepoint, the world
/// through this copy of its state. Every part is a value, so a copy is a snapshot.
extension World {
    struct State {
        var clock: Timestamp
        var ids: SeededGenerator
        var stack: Stack
        var activeFaults: [String]
        var log: WorldLog
        var expectedRevision: String?
        var baseline: Baseline?
        var expiration: ExpirationSchedule
        var deployOrderViolations: [(Timestamp, String)]
        var toolResults: [String: ToolObservation]
    }

    func saveState() -> State {
        State(clock: clock, ids: ids, stack: stack, activeFaults: activeFaults, log: log, expectedRevision: expectedRevision, baseline: baseline,
              expiration: expiration, deployOrderViolations: deployOrderViolations, toolResults: toolResults)
    }

    func restoreState(_ state: State) {
        clock = state.clock; ids = state.ids; stack = state.stack; activeFaults = state.activeFaults; log = state.log
        expectedRevision = state.expectedRevision; baseline = state.baseline; expiration = state.expiration
        deployOrderViolations = state.deployOrderViolations; toolResults = state.toolResults
    }
}

extension World {
    /// What changes whenever a request changes the world — the clock, the identifiers drawn,
    /// faults, containers, redis's keys, tool results, the log — cheap to compare, so `rehearse
    /// serve` re-evaluates the catalogue only after a request that changed something.
    struct ChangeMarker: Equatable {
        var clock: Int64
        var ids: SeededGenerator
        var faults: [String]
        var containers: [ServiceName: Container]
        var redis: [String]
        var tools: Int
        var logLines: Int
    }

    var changeMarker: ChangeMarker {
        ChangeMarker(clock: clock.seconds, ids: ids, faults: activeFaults, containers: stack.containers,
                     redis: stack.redis.strings.map { "\($0.key)=\($0.value.value.count):\($0.value.value.hashValue)" }.sorted() + stack.redis.lists.map { "\($0.key)#\($0.value.count)" }.sorted(),
                     tools: toolResults.count, logLines: log.lines.count)
    }
}
