import Foundation

/// Where the data shipped inside the package lives (migrations, scenario library).
public enum ShippedResources {
    public static var migrationsDirectory: String { path(of: "migrations-sqlite") }
    public static var scenariosDirectory: String { path(of: "scenarios") }
    /// The same revisions as PostgreSQL runs them (006 and 007 verbatim from the checklist).
    public static var postgresMigrationsDirectory: String { path(of: "migrations-postgres") }
    /// The PostgreSQL 15 lock table `rehearse locks` predicts from.
    public static var lockTablePath: String { path(of: "locks/postgres15-lock-table.yaml") }
    /// The deploy checklist this project was written from, and the corrected one it ships.
    public static var checklistPath: String { path(of: "checklists/deployment-checklist-sprint3.md") }
    public static var correctedChecklistPath: String { path(of: "checklists/deployment-checklist-sprint3-corrected.md") }

    static func path(of name: String) -> String {
        Bundle.module.resourceURL!.appendingPathComponent(name).path
    }
}
