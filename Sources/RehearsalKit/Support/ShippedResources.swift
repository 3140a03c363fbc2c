import Foundation

/// Where the data shipped inside the package lives (migrations, scenario library).
public enum ShippedResources {
    public static var migrationsDirectory: String { path(of: "migrations-sqlite") }
    public static var scenariosDirectory: String { path(of: "scenarios") }
    /// The deploy checklist this project was written from, and the corrected one it ships.
    public static var checklistPath: String { path(of: "checklists/deployment-checklist-sprint3.md") }
    public static var correctedChecklistPath: String { path(of: "checklists/deployment-checklist-sprint3-corrected.md") }

    static func path(of name: String) -> String {
        Bundle.module.resourceURL!.appendingPathComponent(name).path
    }
}
