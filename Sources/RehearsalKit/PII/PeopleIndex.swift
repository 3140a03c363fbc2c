import Foundation

/// Known people's names, indexed by their first word, so every string can be searched for
/// every name in one pass over its words (case-insensitive, prose included).
struct PeopleIndex: Sendable {
    private var byFirstWord: [String: [[String]]] = [:]

    /// Titles and suffixes that a display name may carry but prose often drops.
    static let honorifics: Set<String> = [
        "dr", "mr", "mrs", "ms", "miss", "mx", "prof", "sir", "dame", "jr", "sr", "ii", "iii", "iv", "md", "phd", "dds", "dvm",
        "b", "a", "ba", "bsc", "msc", "ma", "mba", "dipl", "ing", "mag", "univ", "herr", "frau", "m", "mme", "mlle", "sig", "sra", "sr", "don", "doña",
    ]

    init(_ people: [KnownPerson]) {
        for person in people {
            let words = PeopleIndex.words(in: Array(person.displayName.utf8)).map(\.text)
            let bare = words.filter { !PeopleIndex.honorifics.contains($0) }
            // A one-word name would match too much ordinary prose; people are matched by full name,
            // with and without titles ("Dr. Eric Radisch B.A." and "Eric Radisch").
            // Surname first too, as lists and directories write it ("Iyer, Yara", "RADISCH, Eric").
            for form in [words, bare] where form.count >= 2 {
                for written in [form, [form[form.count - 1]] + form.dropLast()] where !(byFirstWord[written[0]]?.contains(written) ?? false) {
                    byFirstWord[written[0], default: []].append(written)
                }
            }
        }
    }

    var isEmpty: Bool { byFirstWord.isEmpty }

    func adding(_ people: [KnownPerson]) -> PeopleIndex {
        var copy = self
        for (first, names) in PeopleIndex(people).byFirstWord {
            for name in names where !(copy.byFirstWord[first]?.contains(name) ?? false) { copy.byFirstWord[first, default: []].append(name) }
        }
        return copy
    }

    struct Word {
        var range: Range<Int>
        var text: String
    }

    /// Lowercase with the full case foldings names need: upper case has no ß, so "Geißler" is
    /// written "GEISSLER" in capitals, and both must compare equal.
    /// Non-ASCII words are put in Unicode canonical composition first (NFC), so "José" typed
    /// with a combining accent (NFD, as macOS file names and some keyboards give it) is José.
    static func folded(_ word: String) -> String {
        guard !word.utf8.allSatisfy({ $0 < 0x80 }) else { return word.lowercased() }
        var lower = word.precomposedStringWithCanonicalMapping.lowercased()
        if lower.contains("ß") { lower = lower.replacingOccurrences(of: "ß", with: "ss") }
        // Turkish and Azeri: YILDIRIM is Yıldırım in capitals, and İ lowercases to i + U+0307,
        // so the dotted and dotless i compare equal.
        if lower.contains("ı") || lower.contains("\u{0307}") {
            lower = lower.replacingOccurrences(of: "ı", with: "i").replacingOccurrences(of: "\u{0307}", with: "")
        }
        return lower
    }

    static func isLetter(_ b: UInt8) -> Bool { TextDetectors.isAlpha(b) || b >= 0x80 }

    /// The typographic apostrophe U+2019, in UTF-8.
    static let rightQuote: [UInt8] = [0xE2, 0x80, 0x99]

    static func isRightQuote(_ s: [UInt8], at i: Int) -> Bool {
        i + 2 < s.count && s[i] == 0xE2 && s[i + 1] == 0x80 && s[i + 2] == 0x99
    }

    /// Runs of letters (with inner `'`, `’` and `-`, as in O'Brien or Anne-Marie), lowercased,
    /// without a possessive `'s` / `’s` (Iyer's is Iyer; the `s'` of Jones' is not in the word).
    static func words(in s: [UInt8]) -> [Word] {
        var words: [Word] = []
        var i = 0
        while i < s.count {
            guard isLetter(s[i]), !isRightQuote(s, at: i) else { i += 1; continue }
            var j = i + 1
            while j < s.count {
                if isRightQuote(s, at: j) {
                    guard j + 3 < s.count, isLetter(s[j + 3]), !isRightQuote(s, at: j + 3) else { break }
                    j += 3
                    continue
                }
                if isLetter(s[j]) || ((s[j] == UInt8(ascii: "'") || s[j] == UInt8(ascii: "-")) && j + 1 < s.count && isLetter(s[j + 1])) { j += 1; continue }
                break
            }
            var end = j
            if end - i > 2, s[end - 1] | 0x20 == UInt8(ascii: "s"), s[end - 2] == UInt8(ascii: "'"), end == s.count || !isLetter(s[end]) {
                end -= 2
            } else if end - i > 4, s[end - 1] | 0x20 == UInt8(ascii: "s"), isRightQuote(s, at: end - 4) {
                end -= 4
            }
            words.append(Word(range: i..<end, text: PeopleIndex.folded(String(decoding: s[i..<end], as: UTF8.self))))
            i = j
        }
        return words
    }

    func spans(in s: [UInt8]) -> [TextDetectors.Span] {
        guard !byFirstWord.isEmpty else { return [] }
        let words = PeopleIndex.words(in: s)
        var spans: [TextDetectors.Span] = []
        var w = 0
        while w < words.count {
            var matched = false
            for name in byFirstWord[words[w].text] ?? [] where w + name.count <= words.count {
                let candidate = words[w..<(w + name.count)]
                // Words of a name are separated by white space, or the dots and commas of
                // "Dr. Eric Radisch" and "Werl-Arnsberg, van-François"; nothing else.
                let adjacent = zip(candidate, candidate.dropFirst()).allSatisfy { a, b in
                    s[a.range.upperBound..<b.range.lowerBound].allSatisfy { [0x20, 0x09, 0x0A, UInt8(ascii: "."), UInt8(ascii: ",")].contains($0) }
                }
                if adjacent, zip(candidate, name).allSatisfy({ $0.text == $1 }) {
                    spans.append((candidate.first!.range.lowerBound..<candidate.last!.range.upperBound, .personName))
                    w += name.count
                    matched = true
                    break
                }
            }
            if !matched { w += 1 }
        }
        return spans
    }
}
