extension PIIScanner {
    struct StringAnalysis {
        var text: String
        var types: [PIIType]
    }

    /// A span of the string with the types found in it (a base64 blob may carry several).
    struct Span {
        var range: Range<Int>
        var types: [PIIType]
    }

    /// Finds PII in one string and returns it scrubbed, span by span, keeping the rest as it was.
    func analyze(_ text: String, carrierDepth: Int) -> StringAnalysis {
        if text.isEmpty || PIIType.isPlaceholder(text) { return StringAnalysis(text: text, types: []) }
        if carrierDepth > Self.maximumCarrierDepth {
            return StringAnalysis(text: PIIType.sensitive.placeholder, types: [.sensitive])
        }
        if let embedded = analyzeEmbeddedJSON(text, carrierDepth: carrierDepth) { return embedded }
        let bytes = Array(text.utf8)
        var spans: [Span] = []
        // Inside a URL's authority, `user:password@host` is not an email: the URL parser
        // judges the user and the password itself.
        let authorities = urlAuthorities(bytes)
        let emails = TextDetectors.emails(bytes).filter { email in !authorities.contains { $0.overlaps(email.range) } }
        // A name inside an email address ("jane.doe@…") is that email, not a second finding.
        // Likewise a name inside a URL's query value is judged on the decoded value.
        let urls = urlSpans(bytes, carrierDepth: carrierDepth)
        let names = people.spans(in: bytes).filter { name in
            !emails.contains { $0.range.contains(name.range.lowerBound) } && !urls.contains { $0.range.contains(name.range.lowerBound) }
        }
        let encoded = bytes.contains(UInt8(ascii: "%")) ? TextDetectors.encodedEmails(bytes) : []
        for detected in emails + encoded + names + TextDetectors.prefixedKeys(bytes) + TextDetectors.jwts(bytes)
            + TextDetectors.bearerCredentials(bytes) + TextDetectors.basicCredentials(bytes) + TextDetectors.pemPrivateKeys(bytes)
            + TextDetectors.keyedValues(bytes) + TextDetectors.cards(bytes) + TextDetectors.ibans(bytes) {
            spans.append(Span(range: detected.range, types: [detected.type]))
        }
        spans += urls
        spans += base64Spans(bytes, carrierDepth: carrierDepth)
        guard !spans.isEmpty else { return StringAnalysis(text: text, types: []) }
        // Keep the earliest, then longest, of overlapping spans; the kept span takes the types
        // of every span it covers, so nothing found is lost from the findings.
        spans.sort { $0.range.lowerBound != $1.range.lowerBound ? $0.range.lowerBound < $1.range.lowerBound : $0.range.count > $1.range.count }
        var kept: [Span] = []
        for span in spans {
            if let last = kept.last, span.range.lowerBound < last.range.upperBound {
                kept[kept.count - 1].range = last.range.lowerBound..<max(last.range.upperBound, span.range.upperBound)
                kept[kept.count - 1].types += span.types.filter { !last.types.contains($0) }
            } else {
                kept.append(span)
            }
        }
        var out: [UInt8] = []
        var position = 0
        var types: [PIIType] = []
        for span in kept {
            out += bytes[position..<span.range.lowerBound]
            out += Array(span.types[0].placeholder.utf8)
            position = span.range.upperBound
            types.addNew(span.types)
        }
        out += bytes[position...]
        return StringAnalysis(text: String(decoding: out, as: UTF8.self), types: types)
    }

    /// A string holding a JSON document is parsed and walked; too deep to parse: redacted whole.
    func analyzeEmbeddedJSON(_ text: String, carrierDepth: Int) -> StringAnalysis? {
        guard let first = text.utf8.first(where: { ![0x20, 0x0A, 0x0D, 0x09].contains($0) }),
              first == UInt8(ascii: "{") || first == UInt8(ascii: "[") else { return nil }
        do {
            let inner = try JSONParser.parse(text, depthLimit: Self.maximumDepth)
            var findings: [PIIFinding] = []
            let scrubbed = walk(inner, pointer: "", keyType: nil, depth: 0, carrierDepth: carrierDepth + 1, findings: &findings)
            var types: [PIIType] = []
            types.addNew(findings.map(\.type))
            return StringAnalysis(text: types.isEmpty ? text : scrubbed.serialized(), types: types)
        } catch JSONParser.Failure.tooDeep {
            return StringAnalysis(text: PIIType.sensitive.placeholder, types: [.sensitive])
        } catch {
            return nil  // Not JSON after all: analysed as text.
        }
    }
}
