import ArgumentParser
import Foundation
import GRDB
import RehearsalKit

/// Runs a command body, printing a user-facing error as one line on stderr and exiting with
/// its documented code, so no command prints a Swift stack or a raw error dump.
func reportingErrors(_ body: () throws -> Void) throws {
    do {
        try body()
    } catch let error as UserFacingError {
        printError(error.description)
        throw ExitCode(error.exitStatus.rawValue)
    } catch let error as DatabaseError {
        // A database error no layer explained: still one line, still a documented code.
        printError("error: \(error.message ?? "\(error)")")
        throw ExitCode(ExitStatus.invalidInput.rawValue)
    }
}

func printError(_ message: String) {
    FileHandle.standardError.write(Data((message + "\n").utf8))
}

func readStandardInput() -> String {
    String(decoding: FileHandle.standardInput.readDataToEndOfFile(), as: UTF8.self)
}
