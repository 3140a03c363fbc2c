import Foundation
import GRDB

/// The frontend's `/traces` page: a list and a page per trace, rendered from the stored rows
/// through the scrubber again, and cached in redis (an hour, unless `cache.stale_pii`).
public enum TracesViewer {
    public static let cacheTTL: Int64 = 3600

    /// Renders (and caches) the list, or the page of one trace (`trace-…` id, or `latest`).
    public static func view(_ db: Database, world: World, trace: String? = nil) throws -> String {
        guard world.tracesViewerEnabled else { throw ApplicationError(404, "traces viewer is disabled or not deployed") }
        let key = "traces:" + (trace ?? "list")
        if let cached = world.cache[key] { return cached.page }
        let page = try render(db, world: world, trace: trace)
        if world.isRunning(.redis) {
            world.cache[key] = (page, world.faultActive("cache.stale_pii") ? nil : world.clock.adding(seconds: cacheTTL))
        }
        return page
    }

    /// What the viewer would show now, without touching the cache. A caller rendering many
    /// pages passes one `scanner` rather than have each page read the users again.
    public static func render(_ db: Database, world: World, trace: String? = nil, scanner given: PIIScanner? = nil) throws -> String {
        guard world.isRunning(.postgres) else { throw ApplicationError(500, "database unreachable") }
        guard try db.hasTable("agent_traces") else { throw ApplicationError(500, "relation \"agent_traces\" does not exist") }
        let sanitize = !world.faultActive(.viewerUnsanitized)
        let scanner = try given ?? PIIScanner(people: TraceRecorder.knownPeople(db))
        // The shown columns by name, through a prepared statement; a table that lost one of
        // them (schema drift) is read whole, and the missing column shows nothing, as before.
        func fetch(_ rest: String, _ arguments: StatementArguments = []) throws -> [Row] {
            do { return try Row.fetchAll(db, cached: "SELECT \(shown) FROM agent_traces " + rest, arguments: arguments) }
            catch let error as DatabaseError where error.isMissingColumn {
                return try Row.fetchAll(db, sql: "SELECT * FROM agent_traces " + rest, arguments: arguments)
            }
        }
        let rows: [Row]
        if let trace {
            rows = trace == "latest" ? try fetch("ORDER BY started_at DESC, rowid DESC LIMIT 1") : try fetch("WHERE trace_id = ?", [trace])
            guard !rows.isEmpty else { throw ApplicationError(404, "no trace \(trace)") }
        } else {
            rows = try fetch("ORDER BY started_at DESC, rowid DESC LIMIT 50")
        }
        return page(try rows.map { try cells($0, onPage: trace, db, sanitize: sanitize, scanner: scanner) })
    }

    /// What a row shows on the list (`onPage` nil) or on its trace's page, before escaping.
    static func cells(_ row: Row, onPage trace: String?, _ db: Database, sanitize: Bool, scanner: PIIScanner) throws -> [String] {
        // A NULL shows nothing, as React renders it.
        var cells: [String] = ["trace_id", "agent_type", "status", "started_at"].map { row.text($0) ?? "" }
        cells.append(try triggeredBy(db, row.text("triggered_by"), sanitize: sanitize))
        let columns = trace == nil ? ["input_summary"] : ["input_summary", "output_summary", "tool_calls"]
        for column in columns {
            guard let text = row.text(column) else { continue }
            var value = (try? JSONParser.parse(text)) ?? .string(text)
            if sanitize { value = scanner.scrub(value).value }
            cells.append(value.serialized())
        }
        return cells
    }

    /// The page around its rows' cells.
    static func page(_ rows: [[String]]) -> String {
        var lines: [String] = ["<h1>Agent traces</h1>", "<table>"]
        for cells in rows {
            lines.append("<tr>" + cells.map { "<td>\(escapeHTML($0))</td>" }.joined() + "</tr>")
        }
        lines.append("</table>")
        return lines.joined(separator: "\n")
    }

    /// Sanitized: the stored value (an agent name or a user id). Unsanitized: the defect shows
    /// the user's name and email.
    static func triggeredBy(_ db: Database, _ value: String?, sanitize: Bool) throws -> String {
        guard let value else { return "" }
        guard !sanitize, value.hasPrefix("user:"),
              let row = try Row.fetchOne(db, cached: "SELECT display_name, email FROM users WHERE id = ?", arguments: [String(value.dropFirst(5))]) else { return value }
        return "\(row.text(atIndex: 0) ?? "") <\(row.text(atIndex: 1) ?? "")>"
    }

    /// The types of PII a rendered page shows: each table cell, unescaped, judged as the
    /// stored value it shows (`PIIScanner.findings(in:)`); a page of another shape as text.
    static func findings(onPage page: String, scanner: PIIScanner) -> [PIIType] {
        var types: [PIIType] = []
        // One pass: each piece after a "<td>" is a cell up to its "</td>", then page text again.
        // Split on the markup's bytes, not on characters: a cell that starts with a combining
        // mark would otherwise join the ">" before it into one character and not be a cell.
        let pieces = splitBytes(page, on: "<td>")
        guard pieces.count > 1 else { return scanner.scrub(text: page).types }
        var outside = [pieces[0]]
        for piece in pieces.dropFirst() {
            let parts = splitBytes(piece, on: "</td>", limit: 1)
            guard parts.count == 2 else { outside.append(piece); continue }
            types.addNew(cellFindings(unescapeHTML(parts[0]), scanner: scanner))
            outside.append(parts[1])
        }
        // What lies outside the cells (headings) is text on the screen too.
        types.addNew(scanner.scrub(text: outside.joined(separator: "\n")).types)
        return types
    }

    /// `text` cut at every occurrence of the ASCII `separator` (at most `limit` cuts), by bytes.
    static func splitBytes(_ text: String, on separator: String, limit: Int = .max) -> [String] {
        let bytes = Array(text.utf8), mark = Array(separator.utf8)
        var pieces: [String] = [], start = 0
        while pieces.count < limit, let found = TextDetectors.find(mark, in: bytes, from: start) {
            pieces.append(String(decoding: bytes[start..<found], as: UTF8.self))
            start = found + mark.count
        }
        pieces.append(String(decoding: bytes[start...], as: UTF8.self))
        return pieces
    }

    /// What one cell shows, judged as the stored value it shows.
    static func cellFindings(_ cell: String, scanner: PIIScanner) -> [PIIType] {
        scanner.findings(in: cell).map(\.type)
    }

    static func unescapeHTML(_ text: String) -> String {
        // Most cells hold no entity: returned as they are, without three passes through Foundation.
        guard text.utf8.contains(UInt8(ascii: "&")) else { return text }
        return text.replacingOccurrences(of: "&lt;", with: "<").replacingOccurrences(of: "&gt;", with: ">").replacingOccurrences(of: "&amp;", with: "&")
    }

    /// The columns a page shows, named: a statement prepared once per connection (a `SELECT *`
    /// could not be, since another process may change the table's columns under it).
    static let shown = "trace_id, agent_type, status, started_at, triggered_by, input_summary, output_summary, tool_calls"

    /// `&`, `<` and `>` as entities; most cells have none, and are returned as they are.
    static func escapeHTML(_ text: String) -> String {
        guard text.utf8.contains(where: { $0 == UInt8(ascii: "&") || $0 == UInt8(ascii: "<") || $0 == UInt8(ascii: ">") }) else { return text }
        var escaped = ""
        escaped.reserveCapacity(text.utf8.count + 16)
        for character in text.unicodeScalars {
            switch character {
            case "&": escaped += "&amp;"
            case "<": escaped += "&lt;"
            case ">": escaped += "&gt;"
            default: escaped.unicodeScalars.append(character)
            }
        }
        return escaped
    }
}
