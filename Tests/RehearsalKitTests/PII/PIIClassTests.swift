import Foundation
import GRDB
import Testing
@testable import RehearsalKit

/// Each class of PII the held-out measurement found leaking, over many generated values:
/// keys, names in running text, addresses in URLs, card and account numbers, key spellings.
/// Every generated positive must be found and scrubbed away; every near miss left alone.
@Suite struct PIIClassTests {
    static let syllables = ["ka", "lo", "mi", "ra", "ne", "tu", "sa", "vi", "do", "ja", "el", "an", "or", "is", "be", "fe", "gu", "ha"]
    static let accented = ["é", "ü", "ø", "å", "ñ", "ç", "ł", "ő", "ş", "ı", "ğ", "ž", "á", "ô"]

    /// A made-up name word, often with a letter outside ASCII.
    static func word(_ generator: inout SeededGenerator) -> String {
        var text = ""
        for _ in 0..<(2 + generator.below(2)) { text += syllables[generator.below(syllables.count)] }
        if generator.chance(50) {
            let position = 1 + generator.below(text.count - 1)
            text = String(text.prefix(position)) + accented[generator.below(accented.count)] + String(text.dropFirst(position))
        }
        return text.prefix(1).uppercased() + text.dropFirst()
    }

    static func person(_ generator: inout SeededGenerator) -> (first: String, last: String) {
        (word(&generator), word(&generator))
    }

    static func address(_ generator: inout SeededGenerator) -> String {
        let (first, last) = person(&generator)
        let local = (first + "." + last).lowercased().unicodeScalars.filter { $0.isASCII && (CharacterSet.alphanumerics.contains($0) || $0 == ".") }
        let tag = generator.chance(30) ? "+" + ["ops", "billing", "x1"][generator.below(3)] : ""
        return String(String.UnicodeScalarView(local)) + tag + "@" + ["example.com", "mail.example.org", "corp.example.net"][generator.below(3)]
    }

    func leaks(_ secret: String, in value: JSONValue) -> Bool {
        let text = value.serialized()
        return text.contains(secret) || text.contains(JSONValue.string(secret).serialized().dropFirst().dropLast())
    }

    @Test func piiInObjectKeysIsFoundScrubbedAndKeptUnique() throws {
        var generator = SeededGenerator(seed: 41)
        for _ in 0..<300 {
            let (first, last) = Self.person(&generator)
            let name = "\(first) \(last)"
            let email = Self.address(&generator)
            let other = Self.address(&generator)
            let scanner = PIIScanner(people: [KnownPerson(displayName: name, email: "")])
            let input = JSONValue.object([("votes", .object([(email, .string("yes")), (other, .string("no")), ("[REDACTED:EMAIL]", .int(3))])),
                                          (name, .string("approved")), ("count", .int(2))])
            let (scrubbed, findings) = scanner.scrub(input)
            #expect(Set(findings) == [PIIFinding(pointer: "/votes/[REDACTED:EMAIL]_2", type: .email), PIIFinding(pointer: "/votes/[REDACTED:EMAIL]_3", type: .email),
                                      PIIFinding(pointer: "/[REDACTED:PERSON_NAME]", type: .personName)], "\(email) \(other) \(name)")
            guard case .object(let votes)? = scrubbed["votes"] else { Issue.record("votes"); continue }
            #expect(votes.map(\.0) == ["[REDACTED:EMAIL]_2", "[REDACTED:EMAIL]_3", "[REDACTED:EMAIL]"])
            #expect(scrubbed["count"] == .int(2))
            for secret in [email, other, name] { #expect(!leaks(secret, in: scrubbed), "\(secret)") }
            #expect(scanner.scrub(scrubbed).value == scrubbed)
            #expect(scanner.scan(scrubbed).isEmpty)
        }
        // Identifier keys stay as they are.
        let plain = JSONValue.object([("input_summary", .string("ok")), ("toolCalls", .array([])), ("x-request-id", .string("r-1"))])
        #expect(PIIScanner().scrub(plain).value == plain)
    }

    @Test func namesInRunningTextInEveryWrittenForm() throws {
        var generator = SeededGenerator(seed: 42)
        var checked = 0
        for _ in 0..<200 {
            let (first, last) = Self.person(&generator)
            let scanner = PIIScanner(people: [KnownPerson(displayName: "\(first) \(last)", email: "")])
            let forms: [(written: String, secret: String)] = [
                ("\(first) \(last)'s", "\(first) \(last)"), ("\(first) \(last)\u{2019}s", "\(first) \(last)"),
                ("\(last.uppercased()), \(first)", "\(last.uppercased()), \(first)"), ("\(last), \(first)", "\(last), \(first)"),
                ("\(first) \(last)".lowercased(), "\(first) \(last)".lowercased()), ("\(first) \(last)".uppercased(), "\(first) \(last)".uppercased()),
                ("\(first) \(last)".decomposedStringWithCanonicalMapping, "\(first) \(last)".decomposedStringWithCanonicalMapping),
            ]
            for (written, secret) in forms {
                let input = JSONValue.object([("note", .string("Escalated to \(written) notes before review."))])
                let (scrubbed, findings) = scanner.scrub(input)
                #expect(findings == [PIIFinding(pointer: "/note", type: .personName)], "\(written)")
                #expect(!leaks(secret, in: scrubbed), "\(written) → \(scrubbed.serialized())")
                checked += 1
            }
            // A name known in NFD is found written in NFC, and the other way round.
            let nfd = PIIScanner(people: [KnownPerson(displayName: "\(first) \(last)".decomposedStringWithCanonicalMapping, email: "")])
            #expect(nfd.scan(.object([("n", .string("met \(first) \(last)".precomposedStringWithCanonicalMapping))])).count == 1)
        }
        // Only the first name, or the surname alone, is not the person.
        let scanner = PIIScanner(people: [KnownPerson(displayName: "Vika Lomira", email: "")])
        #expect(scanner.scan(.object([("n", .string("Vika said Lomira's branch is fine"))])).isEmpty)
        print("names in running text: \(checked) generated forms")
    }

    @Test func addressesInURLsAndURLLikeText() throws {
        var generator = SeededGenerator(seed: 43)
        let scanner = PIIScanner()
        var checked = 0
        for _ in 0..<200 {
            let email = Self.address(&generator)
            let encoded = email.addingPercentEncoding(withAllowedCharacters: .alphanumerics.union(CharacterSet(charactersIn: "._-")))!
            let twice = encoded.addingPercentEncoding(withAllowedCharacters: .alphanumerics.union(CharacterSet(charactersIn: "._-")))!
            let forms: [(String, String)] = [
                ("https://app.example.com/users/\(encoded)/profile", encoded),
                ("https://app.example.com/inbox#\(encoded)", encoded),
                ("mailto:\(encoded)?subject=hi", encoded),
                ("https://app.example.com/notify?to=\(email)&lang=en", email),
                ("https://app.example.com/notify?to=\(encoded)&lang=en", encoded),
                ("/callback?next=https%3A%2F%2Fsso.example.com%2Flogin%3Fuser%3D\(twice)", twice),
                ("see portal.example.com/u/\(encoded)", encoded),
            ]
            for (text, secret) in forms {
                let (scrubbed, findings) = scanner.scrub(.object([("url", .string(text))]))
                #expect(findings == [PIIFinding(pointer: "/url", type: .email)], "\(text)")
                #expect(!leaks(secret, in: scrubbed), "\(text) → \(scrubbed.serialized())")
                checked += 1
            }
        }
        // Percent-encoding without an address stays.
        let plain = JSONValue.object([("u", .string("https://x.example.com/a%20b?q=%40home&tag=%23x"))])
        #expect(scanner.scrub(plain).value == plain)
        print("addresses in URLs: \(checked) generated forms")
    }

    static func luhnComplete(_ prefix: [Int], length: Int, _ generator: inout SeededGenerator) -> [Int] {
        var digits = prefix
        while digits.count < length - 1 { digits.append(generator.below(10)) }
        for check in 0..<10 {
            let candidate = digits + [check]
            var sum = 0
            for (offset, digit) in candidate.reversed().enumerated() {
                var d = digit
                if offset % 2 == 1 { d *= 2; if d > 9 { d -= 9 } }
                sum += d
            }
            if sum % 10 == 0 { return candidate }
        }
        fatalError("unreachable")
    }

    @Test func cardNumbersOfEveryLengthGroupingAndCarrier() throws {
        let schemes: [([Int], [Int])] = [
            ([4], [13, 16, 19]), ([5, 1], [16]), ([5, 5], [16]), ([2, 2, 2, 1], [16]), ([2, 7, 2, 0], [16]), ([3, 4], [15]), ([3, 7], [15]),
            ([6, 0, 1, 1], [16, 19]), ([3, 5], [16, 19]), ([6, 2], [16, 17, 18, 19]), ([3, 6], [14]), ([5, 0], [12, 13, 16, 19]),
            ([5, 6], [12, 16]), ([5, 8], [12, 18]), ([6, 7, 5, 9], [12, 16, 19]), ([2, 2, 0, 0], [16, 19]),
        ]
        var generator = SeededGenerator(seed: 44)
        let scanner = PIIScanner()
        var checked = 0
        for (prefix, lengths) in schemes {
            for length in lengths {
                for _ in 0..<6 {
                    let digits = Self.luhnComplete(prefix, length: length, &generator)
                    let plain = digits.map(String.init).joined()
                    let groups = stride(from: 0, to: plain.count, by: 4).map { String(Array(plain)[$0..<min($0 + 4, plain.count)]) }
                    let carried = Data(#"{"pan": "\#(plain)"}"#.utf8).base64EncodedString()
                    let values: [(JSONValue, String)] = [
                        (.string("card \(plain) declined"), plain), (.string("card \(groups.joined(separator: " ")) declined"), groups.joined(separator: " ")),
                        (.string("card \(groups.joined(separator: "-"))"), groups.joined(separator: "-")), (.number(plain), plain),
                        (.string("blob:\(carried)"), carried), (.string(#"{"payment": {"number": "\#(plain)"}}"#), plain),
                    ]
                    for (value, secret) in values {
                        let (scrubbed, findings) = scanner.scrub(.object([("v", value)]))
                        #expect(findings == [PIIFinding(pointer: "/v", type: .accountNumber)], "\(length) \(value.serialized())")
                        #expect(!leaks(secret, in: scrubbed))
                        checked += 1
                    }
                    // One digit off breaks the checksum: not a card.
                    var wrong = digits
                    wrong[wrong.count - 1] = (wrong[wrong.count - 1] + 1) % 10
                    let near = JSONValue.object([("v", .string("ref \(wrong.map(String.init).joined())"))])
                    #expect(scanner.scrub(near).value == near)
                }
            }
        }
        print("card numbers: \(checked) generated values")
    }

    /// IBANs of several countries, made with their check digits (ISO 13616 mod-97).
    @Test func ibansWithTheirChecksum() throws {
        let countries: [(String, Int)] = [("DE", 22), ("FR", 27), ("GB", 22), ("NL", 18), ("PL", 28), ("SE", 24), ("TR", 26), ("NO", 15), ("PT", 25), ("CZ", 24)]
        var generator = SeededGenerator(seed: 45)
        let scanner = PIIScanner()
        for (country, length) in countries {
            for _ in 0..<20 {
                let letters = country == "GB" || country == "NL"
                var bban = letters ? (0..<4).map { _ in String(UnicodeScalar(UInt8(65 + generator.below(26)))) }.joined() : ""
                while bban.count < length - 4 { bban += String(generator.below(10)) }
                let check = 98 - Self.mod97(bban + country + "00")
                let iban = country + String(format: "%02d", check) + bban
                let grouped = stride(from: 0, to: iban.count, by: 4).map { String(Array(iban)[$0..<min($0 + 4, iban.count)]) }.joined(separator: " ")
                for written in [iban, grouped] {
                    let (scrubbed, findings) = scanner.scrub(.object([("v", .string("wire to \(written) today"))]))
                    #expect(findings == [PIIFinding(pointer: "/v", type: .accountNumber)], "\(written)")
                    #expect(!leaks(written, in: scrubbed))
                }
                let wrong = country + String(format: "%02d", (check + 1) % 100) + bban
                let near = JSONValue.object([("v", .string("ref \(wrong)"))])
                #expect(scanner.scrub(near).value == near, "\(wrong)")
            }
        }
    }

    static func mod97(_ text: String) -> Int {
        var remainder = 0
        for character in text {
            if let digit = character.wholeNumberValue { remainder = (remainder * 10 + digit) % 97 }
            else { remainder = (remainder * 100 + Int(character.asciiValue! - 65 + 10)) % 97 }
        }
        return remainder
    }

    /// Every listed key, in every way code spells keys, means the same.
    @Test func keySpellingsAllMatch() throws {
        let keys: [(String, PIIType)] = [("reviewer_email", .email), ("email_address", .email), ("contact_email", .email), ("billing_email_address", .email),
                                         ("notify_emails", .email), ("account_number", .accountNumber), ("card_number", .accountNumber),
                                         ("display_name", .personName), ("full_name", .personName), ("account_holder_name", .personName),
                                         ("api_key", .token), ("access_token", .token), ("client_secret", .token)]
        for (key, type) in keys {
            let words = key.split(separator: "_").map(String.init)
            let spellings = [key, words.joined(separator: "-"), words[0] + words.dropFirst().map { $0.prefix(1).uppercased() + $0.dropFirst() }.joined(),
                             words.map { $0.prefix(1).uppercased() + $0.dropFirst() }.joined(separator: "-"), key.uppercased(), words.joined(separator: ".")]
            for spelling in spellings {
                #expect(KeyClassifier.classify(spelling) == type, "\(spelling)")
            }
        }
        for key in ["progressToken", "nextPageToken", "max_tokens", "token_count", "email_verified_at"] where KeyClassifier.classify(key) != nil {
            Issue.record("\(key) is not PII")
        }
    }

    /// The viewer judges a page cell by cell with the verdict the table gets: on every corpus
    /// document, shown in a cell, the two answers are the same types.
    @Test func theViewerAndTheTableGiveOneVerdict() throws {
        var compared = 0
        for corpus in [LabelledPIICorpus(file: "pii-corpus.jsonl"), LabelledPIICorpus(file: "pii-heldout-corpus.jsonl")] {
            for row in corpus.rows {
                let scanner = PIIScanner(people: row.people)
                let stored = row.input.serialized()
                let page = "<h1>Agent traces</h1>\n<table>\n<tr><td>trace-1</td><td>\(TracesViewer.escapeHTML(stored))</td></tr>\n</table>"
                #expect(Set(TracesViewer.findings(onPage: page, scanner: scanner)) == Set(scanner.findings(in: stored).map(\.type)), "row \(row.id)")
                compared += 1
            }
        }
        print("one verdict: \(compared) documents judged alike in a column and on a page")
    }

    /// A cell is escaped so it cannot open a tag or an entity, and unescaping gives it back.
    @Test func cellsAreEscapedAndComeBackWhole() {
        for text in ["plain text, no markup", "<script>alert('x')</script> & more", "&lt; already looks escaped", "Ünïcödé <✓>", ""] {
            let escaped = TracesViewer.escapeHTML(text)
            #expect(!escaped.contains("<") && !escaped.contains(">"))
            #expect(TracesViewer.unescapeHTML(escaped) == text)
        }
        #expect(TracesViewer.escapeHTML("a<b>&c") == "a&lt;b&gt;&amp;c")
    }

    /// A page's findings are its rows' cells' findings, in order, then the markup's: what the
    /// sanitized list is judged by row by row. Cells that start with a combining mark or a
    /// joiner (which would join the markup's ">" into one character), or hold markup-like text,
    /// are cells all the same.
    @Test func aPageIsJudgedAsItsCellsInOrder() {
        let scanner = PIIScanner(people: [])
        let rows: [[String]] = [
            ["trace-1", "\u{301}ops.lead@example.org", "completed"],
            ["trace-2", "\u{200D}+1 415 555 0134", "<td>not a cell</td>"],
            ["trace-3", "&lt;x&gt; & </td>", "\u{FE0F}"],
        ]
        var byRows: [PIIType] = []
        for cells in rows {
            for cell in cells {
                for type in TracesViewer.cellFindings(TracesViewer.unescapeHTML(TracesViewer.escapeHTML(cell)), scanner: scanner) where !byRows.contains(type) { byRows.append(type) }
            }
        }
        for type in TracesViewer.findings(onPage: TracesViewer.page(rows.map { $0.map { _ in "" } }), scanner: scanner) where !byRows.contains(type) { byRows.append(type) }
        #expect(byRows.contains(.email), "the address after a combining mark is found in its cell")
        #expect(TracesViewer.findings(onPage: TracesViewer.page(rows), scanner: scanner) == byRows)
        #expect(TracesViewer.splitBytes("a<td>\u{301}b</td>c", on: "<td>") == ["a", "\u{301}b</td>c"])
    }
}
