import ArgumentParser
import RehearsalKit

struct InvariantsCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "invariants", abstract: "List the invariant catalog.")

    @Flag(name: .long, help: "Print the catalog as JSON.") var json = false

    func run() throws {
        let infos = InvariantCatalog.standard.invariants.map(\.info)
        if json {
            print(JSONValue.array(infos.map { info in
                .object([("id", .string(info.id)), ("title", .string(info.title)), ("source", .string(info.source)), ("severity", .string(info.severity.rawValue))])
            }).pretty())
            return
        }
        let width = infos.map(\.id.count).max() ?? 0
        for info in infos {
            print("\(info.id.padding(toLength: width, withPad: " ", startingAt: 0))  \(info.severity.rawValue.padding(toLength: 8, withPad: " ", startingAt: 0))  \(info.title)  [\(info.source)]")
        }
    }
}
