import Foundation

/// Finds scenario files: the paths given (files, or directories searched for `*.yaml`), or
/// by default `./scenarios` when it exists and the shipped library otherwise.
public enum ScenarioLibrary {
    public static func files(paths: [String]) throws -> [(path: String, shown: String)] {
        if paths.isEmpty {
            if isDirectory("scenarios") { return try files(paths: ["scenarios"]) }
            let root = ShippedResources.scenariosDirectory
            return try yamlFiles(in: root).map { ($0, "scenarios/" + $0.dropFirst(root.count + 1)) }
        }
        var found: [(String, String)] = []
        for path in paths {
            if isDirectory(path) {
                found += try yamlFiles(in: path).map { ($0, $0) }
            } else if FileManager.default.fileExists(atPath: path) {
                found.append((path, path))
            } else {
                throw ScenarioLoadError(SourceLocation(file: path, line: 1, column: 1), "no such file or directory")
            }
        }
        return found
    }

    static func isDirectory(_ path: String) -> Bool {
        var directory: ObjCBool = false
        return FileManager.default.fileExists(atPath: path, isDirectory: &directory) && directory.boolValue
    }

    static func yamlFiles(in directory: String) throws -> [String] {
        // The repository's scenarios/ is a symbolic link to the package resources; a trailing
        // slash makes Foundation list the directory it points to rather than the link.
        let resolved = directory.hasSuffix("/") ? directory : directory + "/"
        guard let names = try? FileManager.default.subpathsOfDirectory(atPath: resolved) else {
            throw ScenarioLoadError(SourceLocation(file: directory, line: 1, column: 1), "cannot read the directory")
        }
        return names.filter { $0.hasSuffix(".yaml") || $0.hasSuffix(".yml") }.sorted()
            .map { (directory as NSString).appendingPathComponent($0) }
    }
}
