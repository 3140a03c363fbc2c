import Foundation

/// Keeps the template cache's directory under a size, as ccache does: when a template is
/// written and the directory holds more than `limit` bytes, the templates used longest ago
/// (by their files' modification time, which a load moves to now) are removed, each with its
/// digest, until it holds at most three quarters of it. Every build of the binary has its own
/// keys (the seeder is code), so an unbounded cache grew by a few hundred megabytes per test run.
///
/// The limit is `$REHEARSE_TEMPLATE_CACHE_MB` megabytes, 256 by default (a small-profile
/// template is about 1 MB). Only the cache's own files are touched: `<64 hex>.sqlite`, its
/// `.sha256` (removed with it, or when it has no template), and a writer's temporary file
/// (`.tmp`, and SQLite's journal beside it) left for more than an hour by a process that died
/// mid-write.
/// This is the cache's housekeeping, outside the engine: no report depends on it.
enum DiskCacheBound {
    static var limit: Int64 {
        // Above a million megabytes (a terabyte) is as good as no bound, and cannot overflow.
        let megabytes = ProcessInfo.processInfo.environment["REHEARSE_TEMPLATE_CACHE_MB"].flatMap { Int64($0) }.flatMap { $0 > 0 ? min($0, 1_000_000) : nil }
        return (megabytes ?? 256) * 1_048_576
    }

    /// Marks a template as used now: the file system stamps the time (`utimes` with no times),
    /// so the process reads no clock. A cache that cannot be written is only slower.
    static func markUsed(_ path: String) {
        _ = utimes(path, nil)
    }

    /// Removes the templates of `directory` used longest ago, never `keeping` (the one just
    /// written), while the directory holds more than `limit` bytes, down to three quarters of it.
    /// Another process removing the same files at the same time is harmless: a template whose
    /// file or digest is missing is rebuilt. "Now", for a writer's file left an hour, is when the
    /// file system stamped `keeping`, just written (the tests give it): the process reads no clock.
    static func prune(_ directory: String, keeping: String, limit: Int64, now: Date? = nil) {
        let manager = FileManager.default
        guard let names = try? manager.contentsOfDirectory(atPath: directory) else { return }
        let now = now ?? (try? manager.attributesOfItem(atPath: keeping))?[.modificationDate] as? Date
        struct Template { var path: String; var bytes: Int64; var used: Date }
        var templates: [Template] = []
        var digests: [String: Int64] = [:]
        var total: Int64 = 0
        var digestsWithout: [String] = []
        let present = Set(names)
        for name in names {
            let path = (directory as NSString).appendingPathComponent(name)
            guard isCacheName(String(name.prefix(64))), name.dropFirst(64).hasPrefix(".sqlite"),
                  let attributes = try? manager.attributesOfItem(atPath: path) else { continue }
            let bytes = (attributes[.size] as? NSNumber)?.int64Value ?? 0
            let modified = attributes[.modificationDate] as? Date
            let rest = name.dropFirst(64)
            if rest.hasSuffix(".tmp") || rest.hasSuffix(".tmp-journal") || rest.hasSuffix(".tmp-wal") || rest.hasSuffix(".tmp-shm") {
                // A writer's file (and SQLite's beside it): left for an hour, its writer died.
                if let now, let modified, now.timeIntervalSince(modified) > 3600 { try? manager.removeItem(atPath: path) } else { total += bytes }
            } else if rest == ".sqlite.sha256" {
                // A digest whose template is gone (removed by another process between a
                // writer's rename and its digest) stays an orphan otherwise.
                if present.contains(String(name.dropLast(7))) { total += bytes; digests[String(path.dropLast(7))] = bytes } else { digestsWithout.append(path) }
            } else if rest == ".sqlite" {
                total += bytes
                if path != keeping { templates.append(Template(path: path, bytes: bytes, used: modified ?? .distantPast)) }
            }
        }
        for orphan in digestsWithout { try? manager.removeItem(atPath: orphan) }
        guard total > limit else { return }
        // Oldest first; the name breaks ties, so two processes agree on the order.
        templates.sort { ($0.used, $0.path) < ($1.used, $1.path) }
        let target = limit / 4 * 3
        for template in templates {
            if total <= target { break }
            try? manager.removeItem(atPath: template.path + ".sha256")
            try? manager.removeItem(atPath: template.path)
            total -= template.bytes + (digests[template.path] ?? 0)
        }
    }

    private static func isCacheName(_ name: String) -> Bool {
        name.utf8.count == 64 && name.utf8.allSatisfy { (48...57).contains($0) || (97...102).contains($0) }
    }
}
