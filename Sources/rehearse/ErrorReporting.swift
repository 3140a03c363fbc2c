import ArgumentParser
import Foundation
import GRDB
import RehearsalKit

/// Runs a command body, printing a user-facing error as one line on stderr and exiting with
/// its documented code, so no command prints a Swift stack or a raw error dump.
/// `operation`: what the command was doing (`seed`, `migrate upgrade`), named in every SQLite
/// error, so "database is locked" always says during what and on which file.
/// `file`: the database (or other file) the command works on, named in front of an error that
/// does not already say where it happened, so every message says which file it is about.
func reportingErrors(_ operation: String, file: String? = nil, _ body: () throws -> Void) throws {
    do {
        try body()
    } catch let error as DatabaseOpenError {
        printError("\(error.path): error: \(operation) failed: cannot open the database: \(error.message)")
        throw ExitCode(error.exitStatus.rawValue)
    } catch let error as UserFacingError {
        printError(located(error.description, in: file))
        throw ExitCode(error.exitStatus.rawValue)
    } catch let error as DatabaseError {
        // A database error no layer explained: still one line, naming the file and the
        // operation, never SQLite's bare "not an error" or "database is locked".
        printError(located("error: \(operation) failed: \(SQLiteFailure.describe(error))", in: file ?? "database"))
        throw ExitCode(ExitStatus.invalidInput.rawValue)
    }
}

private func located(_ message: String, in file: String?) -> String {
    guard let file, message.hasPrefix("error:") else { return message }
    return "\(file): \(message)"
}

func printError(_ message: String) {
    FileHandle.standardError.write(Data((message + "\n").utf8))
}

func readStandardInput() -> String {
    String(decoding: FileHandle.standardInput.readDataToEndOfFile(), as: UTF8.self)
}
