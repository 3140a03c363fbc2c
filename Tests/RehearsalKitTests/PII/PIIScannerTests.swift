import Testing
@testable import RehearsalKit

@Suite struct PIIScannerTests {
    func scan(_ json: String, people: [KnownPerson] = []) throws -> [PIIFinding] {
        PIIScanner(people: people).scan(try JSONParser.parse(json))
    }

    func scrub(_ json: String, people: [KnownPerson] = []) throws -> String {
        PIIScanner(people: people).scrub(try JSONParser.parse(json)).value.serialized()
    }

    @Test func keysNameTheTypeOfTheirWholeValue() throws {
        #expect(try scan(#"{"password": 1234, "user": {"display_name": "Zed Quill", "iban": "not even an iban"}, "x-sensitive": {"a": [1, 2]}, "email": null}"#) == [
            PIIFinding(pointer: "/password", type: .token),
            PIIFinding(pointer: "/user/display_name", type: .personName),
            PIIFinding(pointer: "/user/iban", type: .accountNumber),
            PIIFinding(pointer: "/x-sensitive", type: .sensitive),
        ])
        #expect(try scrub(#"{"api_key": {"id": 1, "secret": "s"}, "tokens_used": 512, "max_tokens": 100}"#)
            == #"{"api_key":"[REDACTED:TOKEN]","tokens_used":512,"max_tokens":100}"#)
    }

    @Test func aRoleKeyHoldsAPersonOnlyWhenTheValueIsShapedLikeAName() throws {
        #expect(try scan(#"{"author": "Sophie Martin", "reviewers": ["u-1", "Dr. José Álvarez-Núñez"], "owner": {"name": "Nathalie Loiseau de la Gimenez", "id": "u-2"}}"#) == [
            PIFinding("/author"), PIFinding("/reviewers/1"), PIFinding("/owner/name"),
        ])
        // The same keys holding agents, teams, ids and accounts of the system are left alone.
        let others = #"{"author": "agent:triage-bot", "owner": "Risk Team", "user": {"name": "admin"}, "assignee": "On Call", "reviewer": "3f2b8c1e-9a4d-4e2f-8b1a-2c3d4e5f6a7b", "customer": {"name": "Acme Corp"}, "name": "Anti-Money Laundering"}"#
        #expect(try scan(others) == [])
        #expect(try scrub(others) == (try JSONParser.parse(others)).serialized())
        // A name found under a role key is that person in prose too.
        #expect(try scrub(#"{"approved_by": "Jens-Uwe Adolph B.Eng.", "note": "jens-uwe adolph signed off"}"#)
            == #"{"approved_by":"[REDACTED:PERSON_NAME]","note":"[REDACTED:PERSON_NAME] signed off"}"#)
    }

    private func PIFinding(_ pointer: String) -> PIIFinding { PIIFinding(pointer: pointer, type: .personName) }

    @Test func aSensitiveMarkerRedactsItsObjectWhole() throws {
        #expect(try scrub(#"{"input": {"sensitive": true, "text": "anything"}, "flags": {"sensitive": false, "n": 1}}"#)
            == #"{"input":"[REDACTED:SENSITIVE]","flags":{"sensitive":false,"n":1}}"#)
    }

    @Test func patternsAreValidatedByTheirChecksums() throws {
        let findings = try scan(#"{"a": "4111-1111-1111-1111", "b": "4111 1111 1111 1112", "c": "GB82 WEST 1234 5698 7654 32", "d": "GB82 WEST 1234 5698 7654 33", "e": 4111111111111111}"#)
        #expect(findings == [
            PIIFinding(pointer: "/a", type: .accountNumber),
            PIIFinding(pointer: "/c", type: .accountNumber),
            PIIFinding(pointer: "/e", type: .accountNumber),
        ])
    }

    @Test func tokensAreFoundByStructureAndPrefix() throws {
        let jwt = "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJzdWIiOiIxIn0.c2lnbmF0dXJl"
        #expect(try scrub(#"{"h": "Bearer opaque-credential-123", "j": "token \#(jwt) here", "k": "use AKIAIOSFODNN7EXAMPLE now", "g": "ghp_abcdefghijklmnopqrstuvwxyz0123456789"}"#)
            == #"{"h":"Bearer [REDACTED:TOKEN]","j":"token [REDACTED:TOKEN] here","k":"use [REDACTED:TOKEN] now","g":"[REDACTED:TOKEN]"}"#)
        // Not a JWT: the first segment does not decode to a header with "alg".
        #expect(try scan(#"{"v": "eyJub3RoaW5nIjoxfQ.eyJ4IjoxfQ.abc"}"#) == [])
    }

    @Test func apostrophesInAddressesAndSharpSInCapitals() throws {
        #expect(try scrub(#"{"t": "from martyn.o'brien-fitzgerald@hotmail.com and 'ann@example.org'"}"#)
            == #"{"t":"from [REDACTED:EMAIL] and '[REDACTED:EMAIL]'"}"#)
        let scanner = PIIScanner(people: [KnownPerson(displayName: "Nicolai Geißler", email: "")])
        #expect(scanner.scan(try JSONParser.parse(#"{"s": "follow up with NICOLAI GEISSLER today"}"#)) == [PIIFinding(pointer: "/s", type: .personName)])
    }

    @Test func credentialsWrittenOutInTextAreFound() throws {
        #expect(try scrub(#"{"log": "login with password: hunter2 then DB_PASSWORD=s3cr3t, \"api_key\": \"k-123\""}"#)
            == #"{"log":"login with password: [REDACTED:TOKEN] then DB_PASSWORD=[REDACTED:TOKEN], \"api_key\": \"[REDACTED:TOKEN]\""}"#)
        #expect(try scrub(#"{"h": "Authorization: Basic dXNlcjpwYXNzd29yZA== sent"}"#) == #"{"h":"Authorization: [REDACTED:TOKEN] sent"}"#)
        #expect(try scrub(#"{"k": "-----BEGIN RSA PRIVATE KEY-----\nMIIEow\n-----END RSA PRIVATE KEY-----\nok"}"#) == #"{"k":"[REDACTED:TOKEN]\nok"}"#)
        #expect(try scan(#"{"k": "hf_abcdefghijklmnopqrstuvwxyzABCDEFGH", "o": "ya29.a0AfH6SMBabcdefghijklmnopqrstuvwxyz"}"#).count == 2)
        // Words that only resemble them: a policy about passwords, counts of tokens, basic English.
        #expect(try scan(#"{"t": "password_policy: min 12 chars; tokens_used=99; basic validation passed; password: [REDACTED:TOKEN]"}"#) == [])
    }

    @Test func stringsAreOpenedJSONURLsAndBase64() throws {
        let base64 = "eyJjb250YWN0IjoiY2Fyb2xAZXhhbXBsZS5vcmcifQ=="  // {"contact":"carol@example.org"}
        #expect(try scrub(#"{"doc": "{\"note\": \"mail carol@example.org\", \"n\": 1}", "u": "https://bob:hunter2@api.example.com/p?e=carol%40example.org&page=2", "b": "\#(base64)"}"#)
            == #"{"doc":"{\"note\":\"mail [REDACTED:EMAIL]\",\"n\":1}","u":"https://bob:[REDACTED:TOKEN]@api.example.com/p?e=[REDACTED:EMAIL]&page=2","b":"[REDACTED:EMAIL]"}"#)
        #expect(try scan(#"{"doc": "{\"token\": \"x\"}"}"#) == [PIIFinding(pointer: "/doc", type: .token)])
    }

    @Test func knownPeopleAreFoundInProseInAnyCase() throws {
        let people = [KnownPerson(displayName: "Dr. Amara Okafor", email: "amara@example.com")]
        #expect(try scrub(#"{"s": "Escalated by AMARA OKAFOR; cc dr. amara okafor.", "t": "Amara alone is not enough"}"#, people: people)
            == #"{"s":"Escalated by [REDACTED:PERSON_NAME]; cc [REDACTED:PERSON_NAME].","t":"Amara alone is not enough"}"#)
        // A name under a name key elsewhere in the same document is caught in prose too.
        #expect(try scrub(#"{"reviewer": {"full_name": "Zed Quill"}, "note": "zed quill approved"}"#)
            == #"{"reviewer":{"full_name":"[REDACTED:PERSON_NAME]"},"note":"[REDACTED:PERSON_NAME] approved"}"#)
    }

    @Test func negativesAreLeftExactlyAsTheyAre() throws {
        let json = #"{"id": "9317ebae-afce-4a3b-8055-ff72f390ec51", "at": "2026-01-14T09:00:00.123Z", "epoch": 1736845200000, "hash": "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855", "trace": "ae46aad63c6cf6dcbca6d5c6db73e9b5", "policy": "POL-AML-001", "order": "4111111111111112", "status": "pending", "version": "v2.0.0", "tool": {"name": "propose_signal"}, "pkg": "yams@6.2.2"}"#
        #expect(try scan(json) == [])
        #expect(try scrub(json) == (try JSONParser.parse(json)).serialized())
    }

    @Test func tooDeepIsRedactedWhole() throws {
        let deep = String(repeating: #"{"a":"#, count: 70) + #""x""# + String(repeating: "}", count: 70)
        let scrubbed = try scrub(deep)
        #expect(scrubbed.contains("[REDACTED:SENSITIVE]"))
        #expect(!scrubbed.contains("\"x\""))
        #expect(try scan(#"{"s": "\#(String(repeating: "[", count: 80))1\#(String(repeating: "]", count: 80))"}"#) == [PIIFinding(pointer: "/s", type: .sensitive)])
    }

    @Test func aLineTooDeepToParseIsRedactedWholeWithoutAnError() {
        let deep = String(repeating: "[", count: 300) + String(repeating: "]", count: 300)
        let processor = PIILineProcessor(scanner: PIIScanner(), mode: .scrub)
        let (output, error) = processor.process(line: deep, number: 4)
        #expect(output == "\"[REDACTED:SENSITIVE]\"")
        #expect(error == nil)
        #expect(PIILineProcessor(scanner: PIIScanner(), mode: .scan).process(line: deep, number: 4).output == #"{"line":4,"findings":[{"pointer":"","type":"sensitive"}]}"#)
    }

    @Test func scrubbingIsIdempotentAndPlaceholdersAreNeverPII() throws {
        let scanner = PIIScanner()
        let value = try JSONParser.parse(#"{"email": "a@b.io", "u": "https://x.io/?token=abc", "t": "Bearer abcdefghijkl", "p": "[REDACTED:EMAIL]"}"#)
        let once = scanner.scrub(value).value
        #expect(scanner.scrub(once).value == once)
        #expect(scanner.scan(once) == [])
    }

    @Test func pointersEscapeTildeAndSlash() throws {
        #expect(try scan(#"{"a/b": {"m~n": "x@y.org"}}"#) == [PIIFinding(pointer: "/a~1b/m~0n", type: .email)])
    }

    @Test func theCommandFollowsTheContractLineByLine() throws {
        let people = try makeTemporaryDirectory().appendingPathComponent("people.jsonl")
        try #"{"display_name": "Amara Okafor", "email": "amara.okafor@example.com"}"#.write(to: people, atomically: true, encoding: .utf8)
        let input = #"{"note": "met amara okafor"}"# + "\nnot json\n" + #"{"ok": 1}"# + "\n"
        let scan = try runRehearse(["pii", "scan", "--people", people.path], stdin: input)
        #expect(scan.stdout == """
            {"line":1,"findings":[{"pointer":"/note","type":"person_name"}]}
            {"line":2,"findings":[{"pointer":"","type":"sensitive"}]}
            {"line":3,"findings":[]}

            """)
        #expect(scan.stderr == "<stdin>:2:1: error: line 2 is not JSON (invalid JSON at byte 1: unexpected character); redacted whole\n3 lines, 2 findings (person_name 1, sensitive 1)\n")
        #expect(scan.status == 2)
        let scrub = try runRehearse(["pii", "scrub", "--people", people.path], stdin: input)
        #expect(scrub.stdout == "{\"note\":\"met [REDACTED:PERSON_NAME]\"}\n\"[REDACTED:SENSITIVE]\"\n{\"ok\":1}\n")
        // Gates CI as secret scanners do: 1 when anything is found, 0 when clean; --exit-zero
        // keeps reporting without failing.
        let clean = try runRehearse(["pii", "scan"], stdin: #"{"ok": 1}"# + "\n")
        #expect(clean.status == 0)
        #expect(clean.stderr == "1 line, 0 findings\n")
        let found = try runRehearse(["pii", "scan"], stdin: #"{"email": "a@b.io"}"# + "\n")
        #expect(found.status == 1)
        #expect(found.stderr == "1 line, 1 finding (email 1)\n")
        #expect(try runRehearse(["pii", "scan", "--exit-zero"], stdin: #"{"email": "a@b.io"}"# + "\n").status == 0)
        #expect(try runRehearse(["pii", "scan", "--exit-zero"], stdin: "not json\n").status == 2)
        let badPeople = try runRehearse(["pii", "scan", "--people", input.isEmpty ? "" : "/nonexistent.jsonl"], stdin: "")
        #expect(badPeople.status == 2)
        #expect(badPeople.stderr == "/nonexistent.jsonl:1:1: error: cannot read the file\n")
    }

    @Test func aByteOrderMarkAndWindowsLineEndsAreNotContent() throws {
        let people = try makeTemporaryDirectory().appendingPathComponent("people.jsonl")
        let peopleText = "\u{FEFF}" + #"{"display_name": "Amara Okafor"}"# + "\r\n" + #"{"display_name": "Jonas Berg"}"# + "\r\n"
        try peopleText.write(to: people, atomically: true, encoding: .utf8)
        let input = "\u{FEFF}" + #"{"note": "jonas berg called"}"# + "\r\n" + #"{"note": "AMARA OKAFOR"}"# + "\r\n"
        let scan = try runRehearse(["pii", "scan", "--people", people.path], stdin: input)
        #expect(scan.stderr == "2 lines, 2 findings (person_name 2)\n")
        #expect(scan.stdout == """
            {"line":1,"findings":[{"pointer":"/note","type":"person_name"}]}
            {"line":2,"findings":[{"pointer":"/note","type":"person_name"}]}

            """)
    }
}
