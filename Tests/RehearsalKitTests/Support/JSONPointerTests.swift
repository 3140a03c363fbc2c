import Testing
@testable import RehearsalKit

@Suite struct JSONPointerTests {
    /// RFC 6901 escapes code points: a `~` or `/` that a combining mark follows (one character
    /// with it in Swift) is escaped too, and the pointer is cut at every `/` byte, so each key
    /// resolves back to its value.
    @Test func everyKeyRoundTripsEvenWhenACombiningMarkFollowsASeparator() throws {
        let keys = ["plain", "a/b", "m~n", "~\u{301}x", "/\u{301}y", "\u{301}z", "~01", "~~1", "", "é/~"]
        #expect(JSONPointer.escape("~\u{301}x").unicodeScalars.map(\.value) == [0x7E, 0x30, 0x301, 0x78])
        #expect(JSONPointer.escape("/\u{301}y").unicodeScalars.map(\.value) == [0x7E, 0x31, 0x301, 0x79])
        #expect(JSONPointer.escape("plain") == "plain")
        let document = JSONValue.object(keys.enumerated().map { ($0.element, .object([($0.element, .int($0.offset))])) })
        for (index, key) in keys.enumerated() {
            let pointer = JSONPointer.appending(JSONPointer.appending("", key), key)
            #expect(JSONPointer.tokens(pointer) == [key, key], "\(pointer.unicodeScalars.map(\.value))")
            #expect(JSONPointer.resolve(pointer, in: document) == .int(index))
        }
        #expect(JSONPointer.tokens("/a~1b/0") == ["a/b", "0"])
    }

    /// Member names and strings match code point for code point, as RFC 6901 and the backend's
    /// Python do: `é` and `e` + U+0301 are two keys (Swift's `==` calls them one), and a rule's
    /// `eq` on one is not met by the other; equal values hash alike.
    @Test func canonicallyEquivalentKeysAndStringsAreDistinct() throws {
        let composed = "\u{E9}", decomposed = "e\u{301}"
        let document = JSONValue.object([(composed, .int(1)), (decomposed, .int(2))])
        #expect(JSONPointer.resolve("/" + decomposed, in: document) == .int(2))
        #expect(JSONPointer.resolve("/" + composed, in: document) == .int(1))
        #expect(JSONValue.string(composed) != .string(decomposed))
        #expect(Set([JSONValue.string(composed), .string(decomposed), .string(composed)]).count == 2)
        #expect(JSONValue.object([(composed, .null)]) != .object([(decomposed, .null)]))
    }

    /// The scanner names both members when two keys differ only by normalisation and both
    /// hold an address: one finding per place, not one for the two.
    @Test func theScannerFindsBothMembersOfCanonicallyEquivalentKeys() throws {
        let composed = "\u{E9}", decomposed = "e\u{301}"
        let document = JSONValue.object([
            (composed, .string("write to jane.doe@example.com")), (decomposed, .string("write to john.roe@example.com")),
        ])
        let findings = PIIScanner(people: []).scrub(document).findings
        #expect(findings.filter { $0.type == .email }.map { Array($0.pointer.utf8) } == [Array(("/" + composed).utf8), Array(("/" + decomposed).utf8)])
    }
}
