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
    /// What changes whenever a request changes the world: the version of every part (moved by
    /// any assignment or mutation) and the identifiers drawn. Cheap to compare, so `rehearse
    /// serve` re-evaluates the catalogue only after a request that changed something.
    struct ChangeMarker: Equatable {
        var versions: WorldVersions
        var ids: SeededGenerator
    }

    var changeMarker: ChangeMarker { ChangeMarker(versions: versions, ids: ids) }
}
