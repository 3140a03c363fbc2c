import Testing
@testable import RehearsalKit

/// The parser under the PII scanner, the evaluator and every JSON file rehearse reads.
@Suite struct JSONParserTests {
    @Test func stringsWithAndWithoutEscapesReadTheSame() throws {
        #expect(try JSONParser.parse(#""plain café""#) == .string("plain café"))
        #expect(try JSONParser.parse(#""say \"hi\"\n\u00e9\ud83d\ude00/\/""#) == .string("say \"hi\"\né😀//"))
        #expect(try JSONParser.parse(#"{"a": "x", "b": ["", "\\"]}"#) == .object([("a", .string("x")), ("b", .array([.string(""), .string("\\")]))]))
    }

    @Test func malformedStringsAreErrorsWithTheirOffset() {
        #expect(throws: JSONParser.Failure.syntax(offset: 3, reason: "control character in a string")) { try JSONParser.parse("\"ab\u{01}\"") }
        #expect(throws: JSONParser.Failure.self) { try JSONParser.parse(#""unterminated"#) }
        #expect(throws: JSONParser.Failure.self) { try JSONParser.parse(#""\ud800 lone""#) }
    }

    @Test func byteOffsetsBecomeLinesAndColumns() {
        let text = "{\n  \"é\": 1,,\n}"
        #expect(JSONParser.lineAndColumn(ofByte: 0, in: text) == (1, 1))
        // "  \"é\": 1," is 10 characters but 11 bytes: the column counts characters.
        #expect(JSONParser.lineAndColumn(ofByte: 13, in: text) == (2, 11))
    }
}
