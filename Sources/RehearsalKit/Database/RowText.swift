import Foundation
import GRDB

extension Row {
    /// The value as text whatever its storage class (NULL, or no such column: nil), for code
    /// that shows or scans what a table holds. A raw SQL step can remake a table without its
    /// NOT NULLs or its types, and GRDB's `String` decoding stops the process on a NULL or a
    /// number: a rehearsal must report such rows, never crash on them.
    func text(atIndex index: Int) -> String? {
        Self.text((self[index] as DatabaseValue).storage)
    }

    func text(_ column: String) -> String? {
        guard hasColumn(column) else { return nil }
        return Self.text((self[column] as DatabaseValue).storage)
    }

    /// Whether the value reads as a string: text, or bytes that are UTF-8 (GRDB decodes those as
    /// a `String`, as the driver hands Python a string for a text column) — what a required
    /// string field of a response model accepts.
    func isText(atIndex index: Int) -> Bool {
        switch (self[index] as DatabaseValue).storage {
        case .string: return true
        case .blob(let bytes): return String(validating: bytes, as: UTF8.self) != nil
        default: return false
        }
    }

    private static func text(_ storage: DatabaseValue.Storage) -> String? {
        switch storage {
        case .null: return nil
        case .int64(let value): return String(value)
        case .double(let value): return sqliteText(value)
        case .string(let value): return value
        case .blob(let bytes): return String(decoding: bytes, as: UTF8.self)
        }
    }

    /// A REAL as SQLite writes it as text (`CAST(x AS TEXT)`, `printf('%!.15g')`): 15
    /// significant digits, `.0` on a whole number, `Inf`. What the scanner reads of a number
    /// must be what SQL would show, not Swift's shortest round-trip form (4111111111111111.0
    /// reads as a card number; SQLite writes 4.11111111111111e+15).
    static func sqliteText(_ value: Double) -> String {
        if value.isInfinite { return value < 0 ? "-Inf" : "Inf" }
        if value == 0 { return "0.0" }
        let text = String(format: "%.15g", value)
        if text.contains(".") { return text }
        // `!`: a decimal point always, before the exponent if there is one (1.0e-07).
        if let exponent = text.firstIndex(of: "e") { return text[..<exponent] + ".0" + text[exponent...] }
        return text + ".0"
    }
}
