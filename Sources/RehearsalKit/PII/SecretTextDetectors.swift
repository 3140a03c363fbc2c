/// Credentials written out in text rather than held by a JSON key: `password: hunter2` in a log
/// line, an `Authorization: Basic …` header copied into prose, a PEM private key.
extension TextDetectors {
    static func isIdentifierByte(_ b: UInt8) -> Bool { isAlnum(b) || b == UInt8(ascii: "_") || b == UInt8(ascii: "-") }

    /// `NAME: value`, `NAME=value`, `"NAME": "value"` where NAME is a key the key classifier
    /// calls a secret or an account (`password`, `DB_PASSWORD`, `api_key`, `account_number`):
    /// the value is that type, exactly as it would be under that JSON key.
    static func keyedValues(_ s: [UInt8]) -> [Span] {
        var spans: [Span] = []
        var i = 0
        while i < s.count {
            guard isAlpha(s[i]), i == 0 || !isIdentifierByte(s[i - 1]) else { i += 1; continue }
            var end = i
            while end < s.count, isIdentifierByte(s[end]) { end += 1 }
            var j = end
            if j < s.count, s[j] == UInt8(ascii: "\"") || s[j] == UInt8(ascii: "'") { j += 1 }
            while j < s.count, s[j] == UInt8(ascii: " ") { j += 1 }
            // Most words are not followed by ':' or '=': the key is classified only when one is.
            guard j < s.count, s[j] == UInt8(ascii: ":") || s[j] == UInt8(ascii: "="),
                  let type = KeyClassifier.classify(String(decoding: s[i..<end], as: UTF8.self)),
                  type == .token || type == .accountNumber else { i = end; continue }
            j += 1
            while j < s.count, s[j] == UInt8(ascii: " ") { j += 1 }
            if j < s.count, s[j] == UInt8(ascii: "\"") || s[j] == UInt8(ascii: "'") { j += 1 }
            var valueEnd = valueEnd(s, from: j)
            // `Authorization: Bearer abc`: the scheme and its credential are one value.
            let scheme = String(decoding: s[j..<valueEnd], as: UTF8.self).lowercased()
            if ["bearer", "basic", "token", "digest"].contains(scheme), valueEnd < s.count, s[valueEnd] == UInt8(ascii: " ") {
                valueEnd = self.valueEnd(s, from: valueEnd + 1)
            }
            let value = s[j..<valueEnd]
            // Placeholders, empty values and booleans are not secrets; `[` starts a placeholder.
            if value.count >= 3, value.first != UInt8(ascii: "["),
               !["null", "none", "true", "false", "redacted", "***"].contains(String(decoding: value, as: UTF8.self).lowercased()) {
                spans.append((j..<valueEnd, type))
            }
            i = max(valueEnd, end)
        }
        return spans
    }

    private static func valueEnd(_ s: [UInt8], from start: Int) -> Int {
        let stops: Set<UInt8> = [0x20, 0x0A, 0x0D, 0x09, UInt8(ascii: "\""), UInt8(ascii: "'"), UInt8(ascii: ","), UInt8(ascii: ";"),
                                 UInt8(ascii: "&"), UInt8(ascii: ")"), UInt8(ascii: "]"), UInt8(ascii: "}"), UInt8(ascii: "<"), UInt8(ascii: ">")]
        var end = start
        while end < s.count, !stops.contains(s[end]) { end += 1 }
        return end
    }

    /// `Basic <base64 of user:password>`: the scheme word alone is common English, so the
    /// credential must decode to readable text with a colon.
    static func basicCredentials(_ s: [UInt8]) -> [Span] {
        credentials(after: "basic", in: s, byte: { isAlnum($0) || [UInt8(ascii: "+"), UInt8(ascii: "/"), UInt8(ascii: "=")].contains($0) }) { run in
            guard run.count >= 8, let decoded = Base64.decode(Array(run), urlSafe: false) else { return false }
            return decoded.contains(UInt8(ascii: ":")) && decoded.allSatisfy { $0 >= 0x20 && $0 < 0x7F }
        }
    }

    /// A PEM private key, from its BEGIN line to its END line (or the end of the text).
    static func pemPrivateKeys(_ s: [UInt8]) -> [Span] {
        let begin = Array("-----BEGIN ".utf8), keyEnd = Array("PRIVATE KEY-----".utf8), end = Array("-----END ".utf8)
        var spans: [Span] = []
        var i = 0
        while let start = find(begin, in: s, from: i) {
            guard let header = find(keyEnd, in: s, from: start), header - start < 40 else { i = start + begin.count; continue }
            var stop = s.count
            if let footer = find(end, in: s, from: header + keyEnd.count), let close = find(keyEnd, in: s, from: footer) {
                stop = close + keyEnd.count
            }
            spans.append((start..<stop, .token))
            i = stop
        }
        return spans
    }

    /// Where `needle` first occurs in `s` at or after `from`.
    static func find(_ needle: [UInt8], in s: [UInt8], from: Int = 0) -> Int? {
        guard needle.count <= s.count else { return nil }
        var i = from
        while i + needle.count <= s.count {
            if s[i] == needle[0], s[i..<(i + needle.count)].elementsEqual(needle) { return i }
            i += 1
        }
        return nil
    }
}
