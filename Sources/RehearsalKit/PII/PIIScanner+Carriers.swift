extension PIIScanner {
    static func isURLByte(_ b: UInt8) -> Bool {
        b > 0x20 && b < 0x7F && ![UInt8(ascii: "\""), UInt8(ascii: "<"), UInt8(ascii: ">"), UInt8(ascii: "`"), UInt8(ascii: "'")].contains(b)
    }

    /// URLs in the string: a password in the user info is a token, a user that is an email is an
    /// email, and each query value is percent-decoded and judged by its key, then by its content.
    func urlSpans(_ s: [UInt8], carrierDepth: Int) -> [Span] {
        var spans: [Span] = []
        var i = 0
        while i + 3 <= s.count {
            guard s[i] == UInt8(ascii: ":"), i + 2 < s.count, s[i + 1] == UInt8(ascii: "/"), s[i + 2] == UInt8(ascii: "/") else { i += 1; continue }
            var start = i
            while start > 0, TextDetectors.isAlnum(s[start - 1]) || s[start - 1] == UInt8(ascii: "+") || s[start - 1] == UInt8(ascii: ".") { start -= 1 }
            guard start < i else { i += 3; continue }
            var end = i + 3
            while end < s.count, Self.isURLByte(s[end]) { end += 1 }
            spans += urlParts(s, authorityStart: i + 3, end: end, carrierDepth: carrierDepth)
            i = end
        }
        return spans
    }

    /// The `user:password@host:port` part of every URL in the string.
    func urlAuthorities(_ s: [UInt8]) -> [Range<Int>] {
        var ranges: [Range<Int>] = []
        var i = 0
        while i + 3 <= s.count {
            guard s[i] == UInt8(ascii: ":"), i + 2 < s.count, s[i + 1] == UInt8(ascii: "/"), s[i + 2] == UInt8(ascii: "/") else { i += 1; continue }
            var end = i + 3
            while end < s.count, Self.isURLByte(s[end]), ![UInt8(ascii: "/"), UInt8(ascii: "?"), UInt8(ascii: "#")].contains(s[end]) { end += 1 }
            ranges.append((i + 3)..<end)
            i = end
        }
        return ranges
    }

    func urlParts(_ s: [UInt8], authorityStart: Int, end: Int, carrierDepth: Int) -> [Span] {
        var spans: [Span] = []
        var authorityEnd = authorityStart
        while authorityEnd < end, ![UInt8(ascii: "/"), UInt8(ascii: "?"), UInt8(ascii: "#")].contains(s[authorityEnd]) { authorityEnd += 1 }
        if let at = s[authorityStart..<authorityEnd].lastIndex(of: UInt8(ascii: "@")) {
            if let colon = s[authorityStart..<at].firstIndex(of: UInt8(ascii: ":")), colon + 1 < at {
                spans.append(Span(range: (colon + 1)..<at, types: [.token]))
            }
            let userEnd = s[authorityStart..<at].firstIndex(of: UInt8(ascii: ":")) ?? at
            let user = percentDecoded(s[authorityStart..<userEnd])
            if !TextDetectors.emails(Array(user.utf8)).isEmpty { spans.append(Span(range: authorityStart..<userEnd, types: [.email])) }
        }
        guard let question = s[authorityEnd..<end].firstIndex(of: UInt8(ascii: "?")) else { return spans }
        let queryEnd = s[question..<end].firstIndex(of: UInt8(ascii: "#")) ?? end
        var parameterStart = question + 1
        while parameterStart < queryEnd {
            let parameterEnd = s[parameterStart..<queryEnd].firstIndex(of: UInt8(ascii: "&")) ?? queryEnd
            if let equals = s[parameterStart..<parameterEnd].firstIndex(of: UInt8(ascii: "=")), equals + 1 < parameterEnd {
                let key = percentDecoded(s[parameterStart..<equals])
                let value = percentDecoded(s[(equals + 1)..<parameterEnd])
                if !PIIType.isPlaceholder(value) {
                    if let keyType = KeyClassifier.classify(key) {
                        spans.append(Span(range: (equals + 1)..<parameterEnd, types: [keyType]))
                    } else {
                        let inner = analyze(value, carrierDepth: carrierDepth + 1)
                        if !inner.types.isEmpty { spans.append(Span(range: (equals + 1)..<parameterEnd, types: inner.types)) }
                    }
                }
            }
            parameterStart = parameterEnd + 1
        }
        return spans
    }

    func percentDecoded(_ bytes: ArraySlice<UInt8>) -> String {
        var out: [UInt8] = []
        var i = bytes.startIndex
        func hex(_ b: UInt8) -> UInt8? {
            switch b {
            case 0x30...0x39: return b - 0x30
            case 0x41...0x46: return b - 0x41 + 10
            case 0x61...0x66: return b - 0x61 + 10
            default: return nil
            }
        }
        while i < bytes.endIndex {
            if bytes[i] == UInt8(ascii: "%"), i + 2 < bytes.endIndex, let high = hex(bytes[i + 1]), let low = hex(bytes[i + 2]) {
                out.append(high << 4 | low)
                i += 3
            } else {
                out.append(bytes[i] == UInt8(ascii: "+") ? UInt8(ascii: " ") : bytes[i])
                i += 1
            }
        }
        return String(decoding: out, as: UTF8.self)
    }

    static func isBase64Byte(_ b: UInt8) -> Bool {
        TextDetectors.isAlnum(b) || [UInt8(ascii: "+"), UInt8(ascii: "/"), UInt8(ascii: "="), UInt8(ascii: "-"), UInt8(ascii: "_")].contains(b)
    }

    /// Runs of base64 that decode to readable text are opened and analysed; if the text holds
    /// PII, the whole run is. Hashes, ids and binary blobs decode to unreadable bytes and are skipped.
    func base64Spans(_ s: [UInt8], carrierDepth: Int) -> [Span] {
        var spans: [Span] = []
        var i = 0
        while i < s.count {
            guard Self.isBase64Byte(s[i]), i == 0 || !Self.isBase64Byte(s[i - 1]) else { i += 1; continue }
            var end = i
            while end < s.count, Self.isBase64Byte(s[end]) { end += 1 }
            let run = Array(s[i..<end])
            if run.count >= 16, run.contains(where: { !TextDetectors.isDigit($0) }) {
                let urlSafe = run.contains(UInt8(ascii: "-")) || run.contains(UInt8(ascii: "_"))
                if let decoded = Base64.decode(run, urlSafe: urlSafe), Self.isReadableText(decoded) {
                    let inner = analyze(String(decoding: decoded, as: UTF8.self), carrierDepth: carrierDepth + 1)
                    if !inner.types.isEmpty { spans.append(Span(range: i..<end, types: inner.types)) }
                }
            }
            i = end
        }
        return spans
    }

    /// Valid UTF-8 where nearly everything is printable: what text looks like once decoded.
    /// Random bytes (a hash or an id read as base64) almost never are: each byte has a 3 in 8
    /// chance of being printable ASCII, and one invalid UTF-8 sequence rejects the lot.
    static func isReadableText(_ bytes: [UInt8]) -> Bool {
        guard bytes.count >= 8, let text = String(validating: bytes, as: UTF8.self) else { return false }
        let scalars = text.unicodeScalars
        let printable = scalars.filter { ($0.value >= 0x20 && $0.value != 0x7F) || $0 == "\n" || $0 == "\t" || $0 == "\r" }.count
        return printable * 100 >= scalars.count * 97
    }
}
