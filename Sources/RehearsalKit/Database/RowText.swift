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

    /// Whether the value is stored as text (what a required string field of a response
    /// model accepts).
    func isText(atIndex index: Int) -> Bool {
        if case .string = (self[index] as DatabaseValue).storage { return true }
        return false
    }

    private static func text(_ storage: DatabaseValue.Storage) -> String? {
        switch storage {
        case .null: return nil
        case .int64(let value): return String(value)
        case .double(let value): return String(value)
        case .string(let value): return value
        case .blob(let bytes): return String(decoding: bytes, as: UTF8.self)
        }
    }
}
