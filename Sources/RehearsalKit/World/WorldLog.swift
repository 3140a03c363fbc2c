/// What `docker compose logs SERVICE` would show: lines stamped with virtual time.
public struct WorldLog: Sendable {
    public struct Line: Sendable, Equatable {
        public var time: Timestamp
        public var service: ServiceName
        public var level: String
        public var message: String

        public var formatted: String { "\(service.rawValue)  | \(time.iso8601) \(level) \(message)" }
    }

    public private(set) var lines: [Line] = []

    /// One level prefix per line: a message that already starts with its level (alembic's
    /// "INFO  [alembic.runtime.migration] …") takes that as the level instead of doubling it.
    public mutating func append(_ time: Timestamp, _ service: ServiceName, _ level: String, _ message: String) {
        var level = level
        var message = message
        for known in ["DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL"] where message.hasPrefix(known + " ") {
            level = known
            message = String(message.dropFirst(known.count).drop { $0 == " " })
            break
        }
        lines.append(Line(time: time, service: service, level: level, message: message))
    }

    public func lines(for service: ServiceName, since: Timestamp? = nil) -> [Line] {
        lines.filter { line in line.service == service && (since.map { line.time >= $0 } ?? true) }
    }
}
