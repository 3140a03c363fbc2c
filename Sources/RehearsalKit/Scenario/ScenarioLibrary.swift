import Foundation

/// Finds scenario files: the paths given (files, or directories searched for `*.yaml`), or
/// by default `./scenarios` when it exists and the shipped library otherwise.
public enum ScenarioLibrary {
    public static func files(paths: [String]) throws -> [(path: String, shown: String)] {
        if paths.isEmpty {
            if isDirectory("scenarios") { return try files(paths: ["scenarios"]) }
            return try yamlFiles(in: ShippedResources.scenariosDirectory).map { ($0, "scenarios/" + ($0 as NSString).lastPathComponent) }
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
        guard let enumerator = FileManager.default.enumerator(atPath: directory) else {
            throw ScenarioLoadError(SourceLocation(file: directory, line: 1, column: 1), "cannot read the directory")
        }
        var files: [String] = []
        while let name = enumerator.nextObject() as? String {
            if name.hasSuffix(".yaml") || name.hasSuffix(".yml") { files.append((directory as NSString).appendingPathComponent(name)) }
        }
        return files.sorted()
    }
}
