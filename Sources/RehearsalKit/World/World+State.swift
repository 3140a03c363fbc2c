/// A step that fails rolls back its own changes: the database through a savepoint, the world
/// through this copy of its state.
extension World {
    struct State {
        var clock: Timestamp
        var ids: SeededGenerator
        var services: [ServiceName: ServiceState]
        var maintenanceMode: Bool
        var environment: [String: String]
        var serviceEnvironment: [ServiceName: [String: String]]
        var activeFaults: [String]
        var cache: [String: (page: String, expires: Timestamp?)]
        var backups: [String: Backup]
        var log: WorldLog
        var expectedRevision: String?
        var baseline: Baseline?
        var expiration: ExpirationSchedule
        var deployOrderViolations: [(Timestamp, String)]
        var toolResults: [String: ToolObservation]
        var builds: [ServiceName: Build]
        var checkedOut: Set<String>
    }

    func saveState() -> State {
        State(clock: clock, ids: ids, services: services, maintenanceMode: maintenanceMode, environment: environment,
              serviceEnvironment: serviceEnvironment, activeFaults: activeFaults, cache: cache, backups: backups, log: log,
              expectedRevision: expectedRevision, baseline: baseline, expiration: expiration, deployOrderViolations: deployOrderViolations,
              toolResults: toolResults, builds: builds, checkedOut: checkedOut)
    }

    func restoreState(_ state: State) {
        clock = state.clock; ids = state.ids; services = state.services; maintenanceMode = state.maintenanceMode
        environment = state.environment; serviceEnvironment = state.serviceEnvironment; activeFaults = state.activeFaults
        cache = state.cache; backups = state.backups; log = state.log; expectedRevision = state.expectedRevision
        baseline = state.baseline; expiration = state.expiration; deployOrderViolations = state.deployOrderViolations
        toolResults = state.toolResults; builds = state.builds; checkedOut = state.checkedOut
    }
}
