import Foundation

/// Every file a command writes goes through here, so no output path can destroy what it should
/// not: the content goes to a temporary file in the target's directory and is renamed into
/// place (rename(2) is atomic within a directory, so a reader or a crash sees the old file or
/// the new one, never half of either). Before anything is written the target is refused, with
/// exit 2 and the path, when it is a directory, a device or another non-regular file, the
/// database the command works on, or an existing file of another kind (a report over a
/// database, a backup over a baseline) unless `--force` says so.
public enum OutputFile {
    /// What a file is, judged from its first bytes.
    public enum Kind: String, Sendable {
        case text = "a text file"
        case backup = "a rehearse backup"
        case database = "a SQLite database"
    }

    /// The kind of an existing regular file.
    public static func kind(of path: String) -> Kind {
        guard let handle = FileHandle(forReadingAtPath: path) else { return .text }
        defer { try? handle.close() }
        let head = (try? handle.read(upToCount: 16)) ?? Data()
        guard head == Data("SQLite format 3\0".utf8) else { return .text }
        return BackupFile.isBackup(path: path) ? .backup : .database
    }

    /// Refuses `path` as a destination for content of `kind`, or returns the path the content
    /// is renamed to (a symbolic link is followed, so the link stays a link).
    public static func check(_ path: String, kind: Kind, protecting: [String] = [], force: Bool = false) throws -> String {
        let target = URL(fileURLWithPath: path).resolvingSymlinksInPath().path
        var status = stat()
        if lstat(target, &status) == 0 {
            switch status.st_mode & S_IFMT {
            case S_IFREG: break
            case S_IFDIR: throw OutputFileRefused(path: path, reason: "it is a directory")
            default: throw OutputFileRefused(path: path, reason: "it is not a regular file (a device, a pipe or a socket)")
            }
            for protected in protecting where sameFile(target, protected) {
                throw OutputFileRefused(path: path, reason: "it is the database this command reads")
            }
            let existing = Self.kind(of: target)
            if existing != kind && !force {
                throw OutputFileRefused(path: path, reason: "it is \(existing.rawValue), not \(kind.rawValue); give --force to replace it")
            }
        } else if errno != ENOENT {
            throw OutputFileRefused(path: path, reason: String(cString: strerror(errno)))
        }
        let directory = URL(fileURLWithPath: target).deletingLastPathComponent().path
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: directory, isDirectory: &isDirectory), isDirectory.boolValue else {
            throw OutputFileRefused(path: path, reason: "no such directory: \(directory)")
        }
        return target
    }

    /// Writes `data` to `path` after `check`, atomically.
    public static func write(_ data: Data, to path: String, kind: Kind = .text, protecting: [String] = [], force: Bool = false) throws {
        let target = try check(path, kind: kind, protecting: protecting, force: force)
        try replace(target, displayPath: path) { temporary in
            guard FileManager.default.createFile(atPath: temporary, contents: data) else {
                throw OutputFileRefused(path: path, reason: "cannot write in its directory")
            }
        }
    }

    public static func write(_ text: String, to path: String, kind: Kind = .text, protecting: [String] = [], force: Bool = false) throws {
        try write(Data((text.hasSuffix("\n") || text.isEmpty ? text : text + "\n").utf8), to: path, kind: kind, protecting: protecting, force: force)
    }

    /// Lets `produce` fill a temporary file beside `target`, then renames it over `target`;
    /// the temporary file is removed if `produce` throws, and `target` is untouched.
    public static func replace(_ target: String, displayPath: String, _ produce: (String) throws -> Void) throws {
        let url = URL(fileURLWithPath: target)
        var template = Array(url.deletingLastPathComponent().appendingPathComponent(".\(url.lastPathComponent).rehearse-XXXXXX").path.utf8CString)
        let descriptor = template.withUnsafeMutableBufferPointer { mkstemp($0.baseAddress!) }
        guard descriptor >= 0 else { throw OutputFileRefused(path: displayPath, reason: "cannot write in its directory: \(String(cString: strerror(errno)))") }
        close(descriptor)
        let temporary = String(decoding: template.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
        do {
            try produce(temporary)
            guard rename(temporary, target) == 0 else {
                throw OutputFileRefused(path: displayPath, reason: "cannot rename into place: \(String(cString: strerror(errno)))")
            }
        } catch {
            unlink(temporary)
            throw error
        }
    }

    static func sameFile(_ a: String, _ b: String) -> Bool {
        var first = stat(), second = stat()
        guard stat(a, &first) == 0, stat(b, &second) == 0 else { return false }
        return first.st_dev == second.st_dev && first.st_ino == second.st_ino
    }
}

/// An output path a command will not write to.
public struct OutputFileRefused: UserFacingError {
    public var path: String
    public var reason: String
    public var exitStatus: ExitStatus { .invalidInput }
    public var description: String { "\(path): error: refusing to write here: \(reason)" }
}
