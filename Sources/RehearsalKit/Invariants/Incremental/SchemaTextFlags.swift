/// What the change tracker's scan of the schema asks of each object's `CREATE` text, in one
/// pass over the bytes SQLite holds (`rehearse_schema_flags(sql)`), as bits:
///
/// - 1: it starts `CREATE VIRTUAL` — `upper(substr(sql, 1, 14)) = 'CREATE VIRTUAL'`;
/// - 2: it has the letters `ROWID` or `OID` in some case (so `_ROWID_` too) —
///   `instr(upper(sql), 'ROWID') > 0 OR instr(upper(sql), 'OID') > 0`;
/// - 4: it has `WITHOUT` and after it `ROWID`, in some case — `upper(sql) LIKE '%WITHOUT%ROWID%'`;
/// - 8: it has the word `DELETE` or `UPDATE` in some case, not inside a longer name (`updated_at`
///   is not one): a table whose foreign keys have an `ON DELETE` or `ON UPDATE` action, whose
///   rows a DELETE or an UPDATE of its parent then reaches (`ChangeTracker.triggerInputs`). A
///   string or a comment with the word errs on the safe side.
///
/// ASCII letters only are folded, as SQLite's `upper()` folds them. The SQL spellings upper-cased
/// a copy of every table's text three times and matched a pattern over it, at every scan after
/// DDL: most of a scan's time. `SchemaTextFlagsTests` holds the two to the same answers.
enum SchemaTextFlags {
    static let virtual: Int64 = 1, mentionsRowid: Int64 = 2, withoutRowid: Int64 = 4, foreignKeyAction: Int64 = 8

    static func of(_ text: UnsafeBufferPointer<UInt8>) -> Int64 {
        var flags: Int64 = 0
        if startsFolded(text, at: 0, with: createVirtual) { flags |= virtual }
        // (`ROWID` has no `OID` in it: R-O-W-I-D.)
        let hasRowid = firstFolded(text, from: 0, of: rowid) != nil
        if hasRowid || firstFolded(text, from: 0, of: oid) != nil { flags |= mentionsRowid }
        // `WITHOUT … ROWID` is looked for only in a text that has `ROWID` somewhere, and, as
        // `LIKE` reads it, only up to a NUL byte (which only `writable_schema` could put there).
        let beforeNUL = UnsafeBufferPointer(rebasing: text[..<(text.firstIndex(of: 0) ?? text.endIndex)])
        if hasRowid, let without = firstFolded(beforeNUL, from: 0, of: withoutWord), firstFolded(beforeNUL, from: without + withoutWord.count, of: rowid) != nil {
            flags |= withoutRowid
        }
        if hasWord(text, deleteWord, folded: true) || hasWord(text, updateWord, folded: true) { flags |= foreignKeyAction }
        return flags
    }

    /// Whether `word` is in the text with no identifier character (`isIdentifierByte`) right
    /// before or after it: a whole name or keyword, not a part of a longer one. `folded`: ASCII
    /// letters compared without case (`word` upper-case); otherwise byte for byte.
    static func hasWord(_ text: UnsafeBufferPointer<UInt8>, _ word: [UInt8], folded: Bool) -> Bool {
        var from = 0
        while let offset = folded ? firstFolded(text, from: from, of: word) : first(text, from: from, of: word) {
            let end = offset + word.count
            if (offset == 0 || !isIdentifierByte(text[offset - 1])) && (end == text.count || !isIdentifierByte(text[end])) { return true }
            from = offset + 1
        }
        return false
    }

    /// A byte SQLite takes as part of an unquoted name: a letter, a digit, `_`, `$`, or any byte
    /// of a character outside ASCII.
    @inline(__always) static func isIdentifierByte(_ byte: UInt8) -> Bool {
        (byte >= 0x30 && byte <= 0x39) || (byte >= 0x41 && byte <= 0x5A) || (byte >= 0x61 && byte <= 0x7A) || byte == 0x5F || byte == 0x24 || byte >= 0x80
    }

    private static let createVirtual = Array("CREATE VIRTUAL".utf8), oid = Array("OID".utf8)
    private static let withoutWord = Array("WITHOUT".utf8), rowid = Array("ROWID".utf8)
    private static let deleteWord = Array("DELETE".utf8), updateWord = Array("UPDATE".utf8)

    /// An ASCII letter upper-cased; every other byte as it is.
    @inline(__always) private static func upper(_ byte: UInt8) -> UInt8 { byte >= 0x61 && byte <= 0x7A ? byte - 0x20 : byte }

    private static func startsFolded(_ text: UnsafeBufferPointer<UInt8>, at offset: Int, with word: [UInt8]) -> Bool {
        guard offset + word.count <= text.count else { return false }
        for index in 0..<word.count where upper(text[offset + index]) != word[index] { return false }
        return true
    }

    /// The offset of the first match of `word`, byte for byte, at or after `start`.
    private static func first(_ text: UnsafeBufferPointer<UInt8>, from start: Int, of word: [UInt8]) -> Int? {
        var offset = start
        while offset + word.count <= text.count {
            if text[offset] == word[0] && text[offset..<(offset + word.count)].elementsEqual(word) { return offset }
            offset += 1
        }
        return nil
    }

    /// The offset of the first match of `word` (upper-case) at or after `start`, folded.
    static func firstFolded(_ text: UnsafeBufferPointer<UInt8>, from start: Int, of word: [UInt8]) -> Int? {
        guard let first = word.first, text.count >= word.count else { return nil }
        var offset = start
        while offset + word.count <= text.count {
            if upper(text[offset]) == first && startsFolded(text, at: offset, with: word) { return offset }
            offset += 1
        }
        return nil
    }
}
