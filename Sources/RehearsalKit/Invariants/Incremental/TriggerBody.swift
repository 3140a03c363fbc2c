/// The names a trigger's `WHEN` clause and body mention: every table it could read or write is
/// among them. A probe (an UPDATE that must abort) fires the triggers of its table, and their
/// verdict can depend on any table they read — a trigger remade to fire only while
/// `(SELECT COUNT(*) FROM policies) < 5` stops aborting when a policy is added, with no event
/// on the probed table. `ChangeTracker.triggerInputs` follows the tables named here.
///
/// Read with SQLite's lexical rules, not parsed: comments are skipped; a name is an unquoted word,
/// a quoted one (`"…"`, `[…]`, `` `…` ``) or a string (`'…'`: SQLite takes `FROM 't'` for the
/// table `t`), whole — a message that mentions a table among other words names nothing.
/// Keywords, columns, aliases and strings come out too, and match a table only when one has
/// their name: that errs on the side of following too much. The header
/// (`CREATE TRIGGER name … ON table`) names the trigger and the table it is on, not what it
/// reads: it is left out up to the first `ON` and the name after it. Without an `ON` (no
/// trigger SQLite accepts), the whole text is read.
enum TriggerBody {
    static func names(in text: String) -> [String] {
        let bytes = Array(text.utf8)
        var names: [(name: String, quoted: Bool, qualifies: Bool)] = []
        // Whether a `.` follows the name at `end` (spaces between): it names a schema.
        func dotAfter(_ end: Int) -> Bool {
            var next = end
            while next < bytes.count && [0x20, 0x09, 0x0A, 0x0D, 0x0C].contains(bytes[next]) { next += 1 }
            return next < bytes.count && bytes[next] == UInt8(ascii: ".")
        }
        var index = 0
        while index < bytes.count {
            let byte = bytes[index]
            switch byte {
            case UInt8(ascii: "'"):
                let end = closing(bytes, from: index, quote: byte)
                let text = String(decoding: bytes[(index + 1)..<max(index + 1, end - 1)], as: UTF8.self)
                names.append((text.replacingOccurrences(of: "''", with: "'"), true, dotAfter(end)))
                index = end
            case UInt8(ascii: "-") where index + 1 < bytes.count && bytes[index + 1] == UInt8(ascii: "-"):
                while index < bytes.count && bytes[index] != UInt8(ascii: "\n") { index += 1 }
            case UInt8(ascii: "/") where index + 1 < bytes.count && bytes[index + 1] == UInt8(ascii: "*"):
                index += 2
                while index + 1 < bytes.count && !(bytes[index] == UInt8(ascii: "*") && bytes[index + 1] == UInt8(ascii: "/")) { index += 1 }
                index += 2
            case UInt8(ascii: "\""), UInt8(ascii: "`"), UInt8(ascii: "["):
                let end = closing(bytes, from: index, quote: byte == UInt8(ascii: "[") ? UInt8(ascii: "]") : byte)
                var name = String(decoding: bytes[(index + 1)..<max(index + 1, end - 1)], as: UTF8.self)
                // A doubled quote inside stands for one (not inside brackets, which have no escape).
                if byte != UInt8(ascii: "[") { name = name.replacingOccurrences(of: String(UnicodeScalar(byte)) + String(UnicodeScalar(byte)), with: String(UnicodeScalar(byte))) }
                names.append((name, true, dotAfter(end)))
                index = end
            case _ where SchemaTextFlags.isIdentifierByte(byte) && !(byte >= 0x30 && byte <= 0x39):
                var end = index
                while end < bytes.count && SchemaTextFlags.isIdentifierByte(bytes[end]) { end += 1 }
                names.append((String(decoding: bytes[index..<end], as: UTF8.self), false, dotAfter(end)))
                index = end
            case 0x30...0x39:
                // A number (and a blob's `X` is a word before its string: harmless).
                while index < bytes.count && SchemaTextFlags.isIdentifierByte(bytes[index]) { index += 1 }
            default:
                index += 1
            }
        }
        // The header: up to the first unquoted `ON`, and the table after it (`main.t`: the schema's
        // name, then the table's).
        guard let on = names.firstIndex(where: { !$0.quoted && $0.name.uppercased() == "ON" }) else { return names.map(\.name) }
        var body = on + 2
        if on + 1 < names.count && names[on + 1].qualifies { body += 1 }
        return names.dropFirst(body).map(\.name)
    }

    /// The offset just past the quote that closes the one at `start` (a doubled quote is an
    /// escaped one, except for `]`), or the end of the text.
    private static func closing(_ bytes: [UInt8], from start: Int, quote: UInt8) -> Int {
        var index = start + 1
        while index < bytes.count {
            if bytes[index] == quote {
                if quote != UInt8(ascii: "]"), index + 1 < bytes.count, bytes[index + 1] == quote { index += 2; continue }
                return index + 1
            }
            index += 1
        }
        return bytes.count
    }
}
