/// Injecting a named fault into the running world.
public enum FaultInjection {
    public static func inject(_ world: World, _ name: String) throws -> [String] {
        guard let fault = FaultCatalog.named(name) else {
            throw ApplicationError(422, "unknown fault '\(name)'" + (NearestName.suggest(name, among: FaultCatalog.names).map { " (did you mean '\($0)'?)" } ?? ""))
        }
        if !world.activeFaults.contains(name) { world.activeFaults.append(name) }
        if fault == .workerDown, world.stack.containers[.celeryWorker] != nil {
            world.stack.containers[.celeryWorker]!.running = false
            world.stack.containers[.celeryWorker]!.exit = (137, "WorkerLostError (signal 9, out of memory)")
            world.log.append(world.clock, .celeryWorker, "CRITICAL", "worker exited: WorkerLostError (signal 9, out of memory)")
        }
        return ["fault \(name) injected: \(fault.description)"]
    }
}
