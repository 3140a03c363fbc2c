import Foundation
import GRDB
@testable import RehearsalKit

/// A fresh in-memory database, optionally migrated, for one test.
func makeDatabase(migratedTo target: String? = "head") throws -> DatabaseQueue {
    let queue = try DatabaseOpener.open(path: nil)
    if let target {
        try queue.writeWithoutTransaction { db in _ = try Migrator(chain: RevisionChain.shipped()).upgrade(db, to: target) }
    }
    return queue
}

/// Every schema object and every bookkeeping row, as text, so two states can be compared exactly.
func schemaDump(_ db: Database) throws -> [String] {
    let objects = try Row.fetchAll(db, sql: "SELECT type, name, tbl_name, sql FROM sqlite_master WHERE name <> 'sqlite_sequence' ORDER BY type, name")
        .map { "\($0["type"] as String) \($0["name"] as String) \($0["sql"] as String? ?? "")" }
    var labels: [String] = []
    if try db.tableExists("rehearse_enum_labels") {
        labels = try String.fetchAll(db, sql: "SELECT typname || ':' || enumsortorder || ':' || enumlabel FROM rehearse_enum_labels ORDER BY 1")
    }
    return objects + labels
}

/// Every row of every table, as text, for "nothing changed" assertions.
func dataDump(_ db: Database) throws -> [String] {
    let tables = try String.fetchAll(db, sql: "SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name")
    var lines: [String] = []
    for table in tables {
        for row in try Row.fetchAll(db, sql: "SELECT * FROM \"\(table)\" ORDER BY rowid") {
            lines.append("\(table): \(row.description)")
        }
    }
    return lines
}

/// Application tables (not alembic's or rehearse's bookkeeping).
func applicationTables(_ db: Database) throws -> [String] {
    try String.fetchAll(db, sql: "SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name")
        .filter { !MigrationBookkeeping.tableNames.contains($0) }
}

/// A temporary directory removed when the value goes away is not needed for short tests;
/// each test gets its own unique directory under /tmp.
func makeTemporaryDirectory() throws -> URL {
    let url = FileManager.default.temporaryDirectory.appendingPathComponent("rehearse-tests-\(ProcessInfo.processInfo.globallyUniqueString)")
    try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
    return url
}

/// The root of this package, for running the built binary and reading shipped files.
let packageRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
    .deletingLastPathComponent().deletingLastPathComponent()

/// Runs the built `rehearse` binary and returns its exit code, stdout and stderr.
func runRehearse(_ arguments: [String], stdin: String? = nil, environment: [String: String] = [:], currentDirectory: URL? = nil) throws -> (status: Int32, stdout: String, stderr: String) {
    let binary = packageRoot.appendingPathComponent(".build/debug/rehearse").path
    // An empty stdin, not /dev/null: commands that read stdin when it is not a terminal see EOF.
    let result = try ChildProcess.run(binary, arguments, stdin: stdin ?? "", environment: environment, currentDirectory: currentDirectory)
    return (result.status, result.stdout, result.stderr)
}
