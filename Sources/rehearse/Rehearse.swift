import ArgumentParser
import RehearsalKit

@main
struct Rehearse: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "rehearse",
        abstract: "Rehearse the Governance OS Sprint 3 deploy offline: schema, migrations, invariants.",
        discussion: """
            Exit codes: 0 success; 1 a statement, expectation or invariant failed; \
            2 invalid input (a malformed migration, scenario or database file); 3 (check) \
            could not evaluate, nothing broken; 64 usage error.
            """,
        version: RehearseVersion.current,
        subcommands: [RunCommand.self, MigrateCommand.self, SQLCommand.self, SeedCommand.self, BaselineCommand.self, CheckCommand.self, InvariantsCommand.self, PIICommand.self, FaultsCommand.self, DrillCommand.self, ChecklistCommand.self, BackupCommand.self, RestoreCommand.self, BenchCommand.self, ServeCommand.self, LocksCommand.self, ExploreCommand.self]
    )

    /// SQLite's process-wide settings go in before any command opens a connection.
    static func main() async {
        _ = SQLiteProcessSettings.applied
        await main(nil)
    }
}
