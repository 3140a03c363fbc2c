import Foundation
import GRDB

/// What one statement of `rehearse sql` produced: rows, or a psql command tag.
public enum StatementOutcome: Sendable, Equatable {
    /// `booleans`: the columns that are BOOLEAN in the schema, printed `t`/`f` like psql.
    case rows(columns: [String], values: [[DatabaseValue]], booleans: Set<Int> = [])
    /// psql's tag: `INSERT 0 1`, `UPDATE 3`, `DELETE 0`, `CREATE TABLE`.
    case command(tag: String)
}

extension StatementOutcome {
    /// psql's aligned format: centred headers, numbers right-aligned, `(N rows)`.
    public func psqlTable() -> String {
        switch self {
        case .command(let tag):
            return tag
        case .rows(let columns, let values, let booleans):
            let cells = psqlCells
            let numeric = columns.indices.map { column in
                !booleans.contains(column) && !values.isEmpty && values.allSatisfy { row in
                    switch row[column].storage { case .int64, .double, .null: return true; default: return false }
                }
            }
            let widths = columns.indices.map { column in
                max(columns[column].count, cells.map { $0[column].count }.max() ?? 0)
            }
            func centred(_ text: String, _ width: Int) -> String {
                let left = (width - text.count) / 2
                return String(repeating: " ", count: left) + text + String(repeating: " ", count: width - text.count - left)
            }
            func pad(_ text: String, _ column: Int, last: Bool) -> String {
                let fill = String(repeating: " ", count: widths[column] - text.count)
                if numeric[column] { return fill + text }
                return last ? text : text + fill
            }
            var lines: [String] = []
            lines.append(columns.indices.map { " " + centred(columns[$0], widths[$0]) + " " }.joined(separator: "|").trimmingTrailingSpaces())
            lines.append(widths.map { String(repeating: "-", count: $0 + 2) }.joined(separator: "+"))
            for row in cells {
                lines.append(row.indices.map { " " + pad(row[$0], $0, last: $0 == row.count - 1) + " " }.joined(separator: "|").trimmingTrailingSpaces())
            }
            lines.append(values.count == 1 ? "(1 row)" : "(\(values.count) rows)")
            return lines.joined(separator: "\n")
        }
    }

    /// Every cell as psql prints it (booleans `t`/`f`, NULL empty); no rows for a command.
    public var psqlCells: [[String]] {
        guard case .rows(_, let values, let booleans) = self else { return [] }
        return values.map { row in row.enumerated().map { booleans.contains($0.offset) ? Self.psqlBoolean($0.element) : Self.psqlText($0.element) } }
    }

    /// One JSON object per row, keys in column order.
    public func jsonRows() -> JSONValue {
        guard case .rows(let columns, let values, let booleans) = self else { return .array([]) }
        // psql shows two columns named alike (two `?column?`, `a.id` and `b.id`); a JSON object
        // cannot hold both, so a repeated name gets a suffix: `id`, `id_2`.
        var seen: [String: Int] = [:]
        let keys = columns.map { name -> String in
            seen[name, default: 0] += 1
            return seen[name]! == 1 ? name : "\(name)_\(seen[name]!)"
        }
        return .array(values.map { row in
            .object(columns.indices.map { index in
                (keys[index], booleans.contains(index) ? Self.jsonBoolean(row[index]) : Self.json(row[index]))
            })
        })
    }

    static func psqlBoolean(_ value: DatabaseValue) -> String {
        if case .int64(let i) = value.storage { return i == 0 ? "f" : "t" }
        return psqlText(value)
    }

    static func jsonBoolean(_ value: DatabaseValue) -> JSONValue {
        if case .int64(let i) = value.storage { return .bool(i != 0) }
        return json(value)
    }

    static func psqlText(_ value: DatabaseValue) -> String {
        switch value.storage {
        case .null: return ""
        case .int64(let i): return String(i)
        case .double(let d): return Self.formatDouble(d)
        case .string(let s): return s
        case .blob(let data): return "\\x" + data.map { String(format: "%02x", $0) }.joined()
        }
    }

    static func json(_ value: DatabaseValue) -> JSONValue {
        switch value.storage {
        case .null: return .null
        case .int64(let i): return .number(String(i))
        case .double(let d): return d.isFinite ? .number(formatDouble(d)) : .string(String(d))
        case .string(let s): return .string(s)
        case .blob(let data): return .string(data.base64EncodedString())
        }
    }

    static func formatDouble(_ d: Double) -> String {
        if d == d.rounded(), abs(d) < 1e15 { return String(Int64(d)) }
        return String(d)
    }
}

extension String {
    func trimmingTrailingSpaces() -> String {
        var copy = self
        while copy.last == " " { copy.removeLast() }
        return copy
    }
}
