import Foundation

/// Input files as text: UTF-8 with an optional byte-order mark (dropped), or an error that
/// names the line and column of the first byte that is not UTF-8 — never a bare "not UTF-8".
public enum UTF8Text {
    public struct Invalid: Error, Equatable {
        public var line: Int
        public var column: Int
    }

    public static func decode(_ data: Data) throws -> String {
        let bytes = [UInt8](data)
        let body = bytes.starts(with: [0xEF, 0xBB, 0xBF]) ? Array(bytes.dropFirst(3)) : bytes
        if let text = String(validating: body, as: UTF8.self) { return text }
        // Find the first byte that does not decode: validate growing prefixes by scalar.
        var line = 1, column = 1, index = 0
        while index < body.count {
            let byte = body[index]
            let length = byte < 0x80 ? 1 : byte >> 5 == 0b110 ? 2 : byte >> 4 == 0b1110 ? 3 : byte >> 3 == 0b11110 ? 4 : 0
            guard length > 0, index + length <= body.count, String(validating: body[index..<(index + length)], as: UTF8.self) != nil else {
                throw Invalid(line: line, column: column)
            }
            if byte == 0x0A { line += 1; column = 1 } else { column += 1 }
            index += length
        }
        throw Invalid(line: line, column: column)
    }
}

extension String {
    /// Equal code point for code point, as JSON (RFC 8259) and Python compare strings — not
    /// Swift's `==`, which calls canonically equivalent strings (`é`, `e` + U+0301) equal.
    func hasSameCodePoints(as other: String) -> Bool { utf8.elementsEqual(other.utf8) }
}
