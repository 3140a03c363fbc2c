import GRDB
@testable import RehearsalKit

/// A seeded world and its database for driving command lines, as a scenario starts them.
final class StackRig {
    let queue: DatabaseQueue
    let world: World

    init(code: CodeVersion = .sprint3, revision: String = "007_add_agent_traces", compose: ComposeOptions = ComposeOptions(), fixtures: String = "small") throws {
        let chain = try RevisionChain.shipped()
        let scenario = Scenario(file: "rig.yaml", name: "rig", description: "", tags: [], seed: 42, fixtures: fixtures, start: Seeder.defaultNow,
                                revision: revision, code: code, steps: [], incident: nil, checklist: try ChecklistParser.shipped(), compose: compose)
        let runner = ScenarioRunner(chain: chain)
        queue = try DatabaseOpener.open(path: nil)
        try queue.writeWithoutTransaction { db in try runner.setUp(db, for: scenario, seed: 42) }
        world = runner.makeWorld(scenario, seed: 42)
    }

    /// Runs one command line on the stack.
    @discardableResult
    func run(_ line: String) throws -> CommandResult {
        try queue.writeWithoutTransaction { db in try world.shell(db).run(line) }
    }

    func read<T>(_ body: (Database) throws -> T) throws -> T { try queue.writeWithoutTransaction(body) }

    func broken() throws -> Set<String> {
        try read { db in Set(try InvariantCatalog.standard.evaluate(world.invariantContext(db)).filter { $0.status.isBroken }.map(\.info.id)) }
    }

    func count(_ sql: String) throws -> Int { try read { db in try Int.fetchOne(db, sql: sql) ?? -1 } }
}
