/// Finds and scrubs PII in JSON values by parsing, never by string replacement over raw text.
///
/// It walks the value with its JSON pointer. At a key that names a secret, a name, an account,
/// an email or a sensitive marker, the whole value is PII. In a string it detects by pattern
/// with validation (Luhn, mod-97, JWT structure, key prefixes, email syntax), and looks inside
/// what the string carries: a JSON document, a URL's user info and query values, base64 text.
/// A finding inside a string is reported at that string's pointer. What cannot be analysed
/// (nesting too deep) is redacted whole: the scrubber fails closed.
public struct PIIScanner: Sendable {
    var people: PeopleIndex
    /// Deeper JSON is not walked: the subtree at this depth is redacted whole.
    public static let maximumDepth = 64
    /// How many carriers (JSON in a string in base64 in a URL …) are opened one inside another.
    static let maximumCarrierDepth = 4

    public init(people: [KnownPerson] = []) {
        self.people = PeopleIndex(people)
    }

    /// Every finding, in document order, each (pointer, type) once.
    public func scan(_ value: JSONValue) -> [PIIFinding] {
        scrub(value).findings
    }

    /// The value with every finding replaced by its placeholder, and the findings.
    public func scrub(_ value: JSONValue) -> (value: JSONValue, findings: [PIIFinding]) {
        var findings: [PIIFinding] = []
        // A name under a name-like key is a person's name whoever they are; the same name
        // elsewhere in the document (in prose, say) is then that person too.
        var scanner = self
        let named = Self.namesUnderNameKeys(value, depth: 0)
        if !named.isEmpty { scanner.people = people.adding(named.map { KnownPerson(displayName: $0, email: "") }) }
        let scrubbed = scanner.walk(value, pointer: "", keyType: nil, depth: 0, carrierDepth: 0, findings: &findings)
        var seen = Set<PIIFinding>()
        return (scrubbed, findings.filter { seen.insert($0).inserted })
    }

    /// The one verdict on stored or shown bytes, wherever they are judged (`traces.no_pii` on
    /// a column, `traces.viewer_no_pii` on a page cell, `pii scan` on a line): a JSON document
    /// is walked, keys included, with pointers; anything else is free text (pointer "").
    public func findings(in text: String) -> [PIIFinding] {
        if let first = text.utf8.first(where: { ![0x20, 0x0A, 0x0D, 0x09].contains($0) }),
           first == UInt8(ascii: "{") || first == UInt8(ascii: "[") || first == UInt8(ascii: "\""),
           let value = try? JSONParser.parse(text, depthLimit: Self.maximumDepth) {
            return scan(value)
        }
        return scrub(text: text).types.map { PIIFinding(pointer: "", type: $0) }
    }

    /// Types of PII in free text (a rendered page, a log line), and the text scrubbed.
    public func scrub(text: String) -> (text: String, types: [PIIType]) {
        let analysis = analyze(text, carrierDepth: 0)
        return (analysis.text, analysis.types)
    }

    static func namesUnderNameKeys(_ value: JSONValue, heldByPerson: Bool = false, depth: Int) -> [String] {
        guard depth < maximumDepth else { return [] }
        switch value {
        case .object(let members):
            return members.flatMap { key, member -> [String] in
                if KeyClassifier.classify(key, value: member, inPerson: heldByPerson) == .personName,
                   case .string(let name) = member, !PIIType.isPlaceholder(name) {
                    // Found again in prose without its titles ("Dr. Li Wei" is "Li Wei" there).
                    return [name] + (PersonNameShape.core(name).map { $0 == name ? [] : [$0] } ?? [])
                }
                return namesUnderNameKeys(member, heldByPerson: KeyClassifier.isPersonRole(key), depth: depth + 1)
            }
        case .array(let items):
            return items.flatMap { namesUnderNameKeys($0, heldByPerson: heldByPerson, depth: depth + 1) }
        case .string(let text):
            guard heldByPerson, let name = PersonNameShape.core(text) else { return [] }
            return name == text ? [text] : [text, name]
        default:
            return []
        }
    }

    /// `heldByPerson`: the value sits under a person-role key (`author`, `reviewers`), where a
    /// string shaped like a name is that person's name.
    func walk(_ value: JSONValue, pointer: String, keyType: PIIType?, heldByPerson: Bool = false, depth: Int, carrierDepth: Int,
              findings: inout [PIIFinding]) -> JSONValue {
        if depth > Self.maximumDepth {
            findings.append(PIIFinding(pointer: pointer, type: .sensitive))
            return .string(PIIType.sensitive.placeholder)
        }
        var keyType = keyType
        if keyType == nil, heldByPerson, case .string(let text) = value, PersonNameShape.matches(text) { keyType = .personName }
        if let keyType {
            switch value {
            case .null, .bool: return value
            case .string(let text) where PIIType.isPlaceholder(text) || text.isEmpty: return value
            default:
                findings.append(PIIFinding(pointer: pointer, type: keyType))
                return .string(keyType.placeholder)
            }
        }
        switch value {
        case .null, .bool:
            return value
        case .object(let members):
            if members.contains(where: { $0.0 == "sensitive" && $0.1 == .bool(true) }) {
                findings.append(PIIFinding(pointer: pointer, type: .sensitive))
                return .string(PIIType.sensitive.placeholder)
            }
            // Keys are data too (`{"jane.doe@example.com": {…}}`): a key holding PII is scrubbed
            // like a string, kept unique in its object, and findings name it as scrubbed.
            var emitted = Set<String>()
            let originals = Set(members.map(\.0))
            return .object(members.map { key, member in
                var outKey = key
                if Self.mayHoldPII(key: key) {
                    let analysis = analyze(key, carrierDepth: carrierDepth)
                    if !analysis.types.isEmpty {
                        outKey = Self.unique(analysis.text, avoiding: originals.subtracting([key]).union(emitted))
                        for type in analysis.types { findings.append(PIIFinding(pointer: JSONPointer.appending(pointer, outKey), type: type)) }
                    }
                }
                emitted.insert(outKey)
                return (outKey, walk(member, pointer: JSONPointer.appending(pointer, outKey),
                                     keyType: KeyClassifier.classify(key, value: member, inPerson: heldByPerson),
                                     heldByPerson: KeyClassifier.isPersonRole(key), depth: depth + 1, carrierDepth: carrierDepth, findings: &findings))
            })
        case .array(let items):
            return .array(items.enumerated().map { index, item in
                walk(item, pointer: JSONPointer.appending(pointer, index), keyType: nil, heldByPerson: heldByPerson,
                     depth: depth + 1, carrierDepth: carrierDepth, findings: &findings)
            })
        case .number(let text):
            // A card number stored as a JSON number is still a card number.
            guard text.count >= 12, text.utf8.allSatisfy(TextDetectors.isDigit), !TextDetectors.cards(Array(text.utf8)).isEmpty else { return value }
            findings.append(PIIFinding(pointer: pointer, type: .accountNumber))
            return .string(PIIType.accountNumber.placeholder)
        case .string(let text):
            let analysis = analyze(text, carrierDepth: carrierDepth)
            for type in analysis.types { findings.append(PIIFinding(pointer: pointer, type: type)) }
            return analysis.types.isEmpty ? value : .string(analysis.text)
        }
    }

    /// Identifier-like keys (`input_summary`, `toolCalls`, `x-request-id`) cannot hold an
    /// address, a name in words, a card or a token; only other keys are analysed, which keeps
    /// key scanning off the hot path.
    static func mayHoldPII(key: String) -> Bool {
        var digits = 0
        for byte in key.utf8 {
            if TextDetectors.isDigit(byte) {
                digits += 1
                if digits >= 12 { return true }
                continue
            }
            digits = 0
            if !(TextDetectors.isAlpha(byte) || byte == UInt8(ascii: "_") || byte == UInt8(ascii: "-") || byte == UInt8(ascii: ".")) { return true }
        }
        return key.utf8.count >= 20
    }

    /// `key`, or `key_2`, `key_3` … when another key of the object already has that name.
    static func unique(_ key: String, avoiding taken: Set<String>) -> String {
        guard taken.contains(key) else { return key }
        var suffix = 2
        while taken.contains("\(key)_\(suffix)") { suffix += 1 }
        return "\(key)_\(suffix)"
    }
}
