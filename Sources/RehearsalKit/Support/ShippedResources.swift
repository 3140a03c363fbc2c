import Foundation

/// Where the data shipped inside the package lives (migrations, scenario library).
public enum ShippedResources {
    public static var migrationsDirectory: String { path(of: "migrations-sqlite") }
    public static var scenariosDirectory: String { path(of: "scenarios") }

    static func path(of name: String) -> String {
        Bundle.module.resourceURL!.appendingPathComponent(name).path
    }
}
