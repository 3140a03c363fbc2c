import GRDB

/// Checklist 1.2's "Baseline Values" table with Pre-Deploy, Post-Deploy and Status filled in.
public struct BaselineComparison: Sendable, Equatable {
    public struct Line: Sendable, Equatable {
        public var metric: String
        public var before: String
        public var after: String
        public var status: String
    }

    public var lines: [Line]

    public init(before: Baseline, after: Baseline) {
        var lines: [Line] = Baseline.tables.map { table in
            let a = before.tableCounts[table] ?? 0, b = after.tableCounts[table] ?? 0
            return Line(metric: "\(table) count", before: String(a), after: String(b), status: Self.status(a, b))
        }
        let a = before.latestAuditEventId, b = after.latestAuditEventId
        lines.append(Line(
            metric: "latest_audit_event_id", before: a.map(String.init) ?? "-", after: b.map(String.init) ?? "-",
            status: a == b ? "OK" : ((b ?? 0) > (a ?? 0) ? "CHANGED (+\((b ?? 0) - (a ?? 0)))" : "CHANGED (went back)")))
        self.lines = lines
    }

    static func status(_ before: Int, _ after: Int) -> String {
        if before == after { return "OK" }
        return after > before ? "CHANGED (+\(after - before))" : "CHANGED (\(after - before))"
    }

    /// The checklist's Markdown table.
    public func markdown() -> String {
        var out = "| Metric | Pre-Deploy Value | Post-Deploy Value | Status |\n|--------|------------------|-------------------|--------|\n"
        for line in lines { out += "| \(line.metric) | \(line.before) | \(line.after) | \(line.status) |\n" }
        return out
    }
}
