import Testing
@testable import RehearsalKit

/// `TextDetectors.prefixedKeys` finds in one pass what looking for each prefix in turn found.
@Suite struct PrefixedKeysTests {
    /// Each prefix looked for on its own over the whole text, resuming after each match: the
    /// detector as it was written first.
    static func prefixByPrefix(_ s: [UInt8]) -> [TextDetectors.Span] {
        var spans: [TextDetectors.Span] = []
        for prefix in TextDetectors.tokenPrefixes {
            let p = Array(prefix.prefix.utf8)
            var i = 0
            while i + p.count <= s.count {
                if s[i] == p[0], s[i..<(i + p.count)].elementsEqual(p), i == 0 || !TextDetectors.isWordByte(s[i - 1]) {
                    var end = i + p.count
                    while end < s.count, prefix.tail(s[end]) { end += 1 }
                    if end - i - p.count >= prefix.minimumTail, end == s.count || !TextDetectors.isWordByte(s[end]) {
                        spans.append((i..<end, .token))
                        i = end
                        continue
                    }
                }
                i += 1
            }
        }
        return spans
    }

    /// Texts made of prefixes, key characters, separators and other bytes, overlapping and
    /// nested (`sk-` inside `sk-…`, `AKIA` after a word byte), compared span by span.
    @Test func onePassFindsWhatEachPrefixFoundInTurn() {
        var random = SeededGenerator(seed: 18)
        let pieces = TextDetectors.tokenPrefixes.map(\.prefix) + ["A", "b", "7", "-", "_", " ", ".", "é", "\n", "ABCDEFGH", "abcdefgh0123", "sk-", "xoxb-"]
        var found = 0
        for _ in 0..<4_000 {
            let text = (0..<(1 + random.below(40))).map { _ in pieces[random.below(pieces.count)] }.joined()
            let bytes = Array(text.utf8)
            let fast = TextDetectors.prefixedKeys(bytes), slow = Self.prefixByPrefix(bytes)
            #expect(fast.map(\.range) == slow.map(\.range), "\(text)")
            found += slow.count
        }
        #expect(found > 100, "the texts hold keys to find: \(found)")
    }
}
