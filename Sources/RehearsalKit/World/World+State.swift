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
        /// The parts' versions when the state was saved: a part whose version has not moved
        /// since was neither assigned nor mutated, so it still holds this value.
        var versions: WorldVersions
    }

    func saveState() -> State {
        State(clock: clock, ids: ids, stack: stack, activeFaults: activeFaults, log: log, expectedRevision: expectedRevision, baseline: baseline,
              expiration: expiration, deployOrderViolations: deployOrderViolations, toolResults: toolResults, versions: versions)
    }

    /// Puts back the parts the failed step changed, and only those: assigning a part moves its
    /// version even when the value is the same, and every answer that depends on it is then
    /// computed again (a tool call the gate refused re-judged the baseline's rows of all nine
    /// tables). A part put back keeps its moved version: it did change, and changed back.
    func restoreState(_ state: State) {
        let saved = state.versions
        ids = state.ids
        if versions[.clock] != saved[.clock] { clock = state.clock }
        if versions[.stack] != saved[.stack] { stack = state.stack }
        if versions[.faults] != saved[.faults] { activeFaults = state.activeFaults }
        if versions[.log] != saved[.log] { log = state.log }
        if versions[.expectedRevision] != saved[.expectedRevision] { expectedRevision = state.expectedRevision }
        if versions[.baseline] != saved[.baseline] { baseline = state.baseline }
        if versions[.expiration] != saved[.expiration] { expiration = state.expiration }
        if versions[.deployOrder] != saved[.deployOrder] { deployOrderViolations = state.deployOrderViolations }
        if versions[.toolResults] != saved[.toolResults] { toolResults = state.toolResults }
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
