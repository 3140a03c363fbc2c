/// Pattern detectors over a string's UTF-8 bytes. Each returns byte ranges and a type; where a
/// format has a checksum (Luhn, mod-97) or a structure (JWT), a match must pass it, so order
/// numbers and random digit strings are left alone.
struct TextDetectors {
    typealias Span = (range: Range<Int>, type: PIIType)

    static func isDigit(_ b: UInt8) -> Bool { b >= 0x30 && b <= 0x39 }
    static func isUpper(_ b: UInt8) -> Bool { b >= 0x41 && b <= 0x5A }
    static func isLower(_ b: UInt8) -> Bool { b >= 0x61 && b <= 0x7A }
    static func isAlpha(_ b: UInt8) -> Bool { isUpper(b) || isLower(b) }
    static func isAlnum(_ b: UInt8) -> Bool { isAlpha(b) || isDigit(b) }
    static func isWordByte(_ b: UInt8) -> Bool { isAlnum(b) || b == UInt8(ascii: "_") || b >= 0x80 }

    // MARK: Email

    static func emails(_ s: [UInt8]) -> [Span] {
        var spans: [Span] = []
        // Bytes >= 0x80 are allowed: internationalised addresses (RFC 6531) are emails too.
        // The apostrophe is legal in a local part (martyn.o'brien@…) but also quotes prose
        // ('alice@example.com'), so one that opens the local part is left to the sentence.
        func isLocal(_ b: UInt8) -> Bool {
            isAlnum(b) || b >= 0x80 || [UInt8(ascii: "."), UInt8(ascii: "_"), UInt8(ascii: "%"), UInt8(ascii: "+"), UInt8(ascii: "-"), UInt8(ascii: "'")].contains(b)
        }
        func isDomain(_ b: UInt8) -> Bool { isAlnum(b) || b >= 0x80 || b == UInt8(ascii: ".") || b == UInt8(ascii: "-") }
        var i = 0
        while i < s.count {
            guard s[i] == UInt8(ascii: "@") else { i += 1; continue }
            var start = i
            while start > 0, isLocal(s[start - 1]) { start -= 1 }
            var end = i + 1
            while end < s.count, isDomain(s[end]) { end += 1 }
            // Trailing dots and hyphens belong to the sentence, not the domain.
            while end > i + 1, s[end - 1] == UInt8(ascii: ".") || s[end - 1] == UInt8(ascii: "-") { end -= 1 }
            while start < i, s[start] == UInt8(ascii: ".") || s[start] == UInt8(ascii: "'") { start += 1 }
            let domain = s[(i + 1)..<end]
            let labels = domain.split(separator: UInt8(ascii: "."), omittingEmptySubsequences: false)
            if start < i, labels.count >= 2, labels.allSatisfy({ !$0.isEmpty }),
               let tld = labels.last, tld.count >= 2, tld.allSatisfy(isAlpha) {
                spans.append((start..<end, .email))
            }
            i = max(end, i + 1)
        }
        return spans
    }

    static func isHex(_ b: UInt8) -> Bool { isDigit(b) || (b | 0x20 >= 0x61 && b | 0x20 <= 0x66) }

    /// Addresses percent-encoded anywhere in URL-like text: `jane.doe%40example.com` in a path,
    /// a fragment, a `mailto:`, a query value, or double-encoded (`%2540`) inside a redirect
    /// parameter that holds a whole URL. The encoded run is decoded (up to three times) and
    /// judged by the address detector; a run that holds one is PII whole.
    static func encodedEmails(_ s: [UInt8]) -> [Span] {
        var spans: [Span] = []
        func isLocal(_ b: UInt8) -> Bool { isAlnum(b) || b >= 0x80 || [UInt8(ascii: "."), UInt8(ascii: "_"), UInt8(ascii: "%"), UInt8(ascii: "+"), UInt8(ascii: "-")].contains(b) }
        func isDomain(_ b: UInt8) -> Bool { isAlnum(b) || b >= 0x80 || b == UInt8(ascii: ".") || b == UInt8(ascii: "-") || b == UInt8(ascii: "%") }
        func expand(at at: Int, length: Int) -> Int {
            var start = at
            while start > 0, isLocal(s[start - 1]) { start -= 1 }
            var end = at + length
            while end < s.count, isDomain(s[end]) { end += 1 }
            while end > at + length, s[end - 1] == UInt8(ascii: ".") || s[end - 1] == UInt8(ascii: "-") { end -= 1 }
            // Decode with a map from each decoded byte back to where it starts in `s`, so only
            // the address is scrubbed, not the parameters before it (`next=https%3A%2F%2F…`).
            var decoded = Array(s[start..<end])
            var origin = Array(start..<end)
            for _ in 0..<3 {
                let (next, map) = percentDecodeMapped(decoded)
                if next == decoded { break }
                origin = map.map { origin[$0] }
                decoded = next
            }
            if start < at {
                for email in emails(decoded) {
                    let upper = email.range.upperBound < origin.count ? origin[email.range.upperBound] : end
                    spans.append((origin[email.range.lowerBound]..<upper, .email))
                }
            }
            return max(end, at + 1)
        }
        var i = 0
        while i + 2 < s.count {
            guard s[i] == UInt8(ascii: "%") else { i += 1; continue }
            // "%40", or "%2540" (the "%" itself encoded once more).
            if s[i + 1] == UInt8(ascii: "4"), s[i + 2] == UInt8(ascii: "0") { i = expand(at: i, length: 3); continue }
            if i + 4 < s.count, s[i + 1] == UInt8(ascii: "2"), s[i + 2] == UInt8(ascii: "5"), s[i + 3] == UInt8(ascii: "4"), s[i + 4] == UInt8(ascii: "0") {
                i = expand(at: i, length: 5)
                continue
            }
            i += 1
        }
        return spans
    }

    /// `%XX` escapes decoded, everything else kept (no `+` → space: this is not a form body),
    /// with the index in `bytes` where each decoded byte came from.
    static func percentDecodeMapped(_ bytes: [UInt8]) -> (bytes: [UInt8], origin: [Int]) {
        func hex(_ b: UInt8) -> UInt8 { isDigit(b) ? b - 0x30 : (b | 0x20) - 0x61 + 10 }
        var out: [UInt8] = []
        var origin: [Int] = []
        out.reserveCapacity(bytes.count)
        var i = 0
        while i < bytes.count {
            origin.append(i)
            if bytes[i] == UInt8(ascii: "%"), i + 2 < bytes.count, isHex(bytes[i + 1]), isHex(bytes[i + 2]) {
                out.append(hex(bytes[i + 1]) << 4 | hex(bytes[i + 2]))
                i += 3
            } else {
                out.append(bytes[i])
                i += 1
            }
        }
        return (out, origin)
    }

    // MARK: Tokens

    static let tokenPrefixes: [(prefix: String, minimumTail: Int, tail: @Sendable (UInt8) -> Bool)] = [
        ("sk-", 16, { isAlnum($0) || $0 == UInt8(ascii: "-") || $0 == UInt8(ascii: "_") }),
        ("sk_live_", 12, isAlnum), ("sk_test_", 12, isAlnum), ("rk_live_", 12, isAlnum), ("rk_test_", 12, isAlnum),
        ("ghp_", 20, isAlnum), ("gho_", 20, isAlnum), ("ghu_", 20, isAlnum), ("ghs_", 20, isAlnum), ("ghr_", 20, isAlnum),
        ("github_pat_", 20, { isAlnum($0) || $0 == UInt8(ascii: "_") }),
        ("xoxb-", 10, { isAlnum($0) || $0 == UInt8(ascii: "-") }), ("xoxp-", 10, { isAlnum($0) || $0 == UInt8(ascii: "-") }),
        ("xoxa-", 10, { isAlnum($0) || $0 == UInt8(ascii: "-") }), ("glpat-", 20, { isAlnum($0) || $0 == UInt8(ascii: "-") || $0 == UInt8(ascii: "_") }),
        ("AKIA", 16, { isUpper($0) || isDigit($0) }), ("ASIA", 16, { isUpper($0) || isDigit($0) }),
        ("AIza", 35, { isAlnum($0) || $0 == UInt8(ascii: "-") || $0 == UInt8(ascii: "_") }),
        ("hf_", 30, isAlnum), ("npm_", 30, isAlnum), ("shpat_", 32, isAlnum), ("shpss_", 32, isAlnum), ("dop_v1_", 40, isAlnum),
        ("ya29.", 20, { isAlnum($0) || $0 == UInt8(ascii: "-") || $0 == UInt8(ascii: "_") }),
        ("xoxs-", 10, { isAlnum($0) || $0 == UInt8(ascii: "-") }), ("xapp-", 10, { isAlnum($0) || $0 == UInt8(ascii: "-") }),
    ]

    /// Known API-key prefixes (`sk-`, `ghp_`, `AKIA`, …) followed by enough key characters.
    /// Each prefix's matches in order, prefix after prefix; a prefix is looked for again after
    /// the end of its last match.
    static func prefixedKeys(_ s: [UInt8]) -> [Span] {
        // Every line a step prints is scrubbed: one pass over the text, trying at each word's
        // start only the prefixes that begin with its byte (29 passes, one per prefix, were 1% of
        // the library's time).
        var hits: [(prefix: Int, span: Span)] = []
        var resume: [Int]?
        var i = 0
        while i < s.count {
            if i == 0 || !isWordByte(s[i - 1]) {
                for index in prefixesByFirstByte[Int(s[i])] where i >= (resume?[index] ?? 0) {
                    let (p, minimum, tail) = tokenPrefixBytes[index]
                    guard i + p.count <= s.count, s[i..<(i + p.count)].elementsEqual(p) else { continue }
                    var end = i + p.count
                    while end < s.count, tail(s[end]) { end += 1 }
                    if end - i - p.count >= minimum, end == s.count || !isWordByte(s[end]) {
                        hits.append((index, (i..<end, .token)))
                        if resume == nil { resume = Array(repeating: 0, count: tokenPrefixBytes.count) }
                        resume![index] = end
                    }
                }
            }
            i += 1
        }
        guard hits.count > 1 else { return hits.map(\.span) }
        return tokenPrefixBytes.indices.flatMap { index in hits.filter { $0.prefix == index }.map(\.span) }
    }

    private static let tokenPrefixBytes = tokenPrefixes.map { (Array($0.prefix.utf8), $0.minimumTail, $0.tail) }
    /// The prefixes (their places in `tokenPrefixBytes`) by their first byte.
    private static let prefixesByFirstByte: [[Int]] = {
        var table = Array(repeating: [Int](), count: 256)
        for (index, prefix) in tokenPrefixBytes.enumerated() { table[Int(prefix.0[0])].append(index) }
        return table
    }()

    static func isBase64URL(_ b: UInt8) -> Bool { isAlnum(b) || b == UInt8(ascii: "-") || b == UInt8(ascii: "_") }

    /// JWTs: three base64url segments whose header decodes to a JSON object with `alg`.
    static func jwts(_ s: [UInt8]) -> [Span] {
        var spans: [Span] = []
        var i = 0
        while i + 3 < s.count {
            guard s[i] == UInt8(ascii: "e"), s[i + 1] == UInt8(ascii: "y"), s[i + 2] == UInt8(ascii: "J"), i == 0 || !isBase64URL(s[i - 1]) else { i += 1; continue }
            var segments: [Range<Int>] = []
            var start = i, j = i
            while j <= s.count {
                if j < s.count, isBase64URL(s[j]) { j += 1; continue }
                segments.append(start..<j)
                if j < s.count, s[j] == UInt8(ascii: "."), segments.count < 3 { j += 1; start = j; continue }
                break
            }
            if segments.count == 3, segments[0].count >= 10, segments[1].count >= 2,
               let header = Base64.decode(Array(s[segments[0]]), urlSafe: true),
               let json = try? JSONParser.parse(bytes: header, depthLimit: 8), json["alg"] != nil {
                spans.append((i..<segments[2].upperBound, .token))
                i = segments[2].upperBound
                continue
            }
            i += 1
        }
        return spans
    }

    /// `Bearer <credential>`: the credential, whatever its format.
    static func bearerCredentials(_ s: [UInt8]) -> [Span] {
        credentials(after: "bearer", in: s,
                    byte: { isBase64URL($0) || [UInt8(ascii: "."), UInt8(ascii: "~"), UInt8(ascii: "+"), UInt8(ascii: "/"), UInt8(ascii: "=")].contains($0) },
                    accept: { $0.count >= 8 })
    }

    /// An HTTP authentication scheme word (any case), one or more spaces, and a run of `byte`s
    /// that `accept` takes for a credential: the run is a token.
    static func credentials(after scheme: String, in s: [UInt8], byte: (UInt8) -> Bool, accept: (ArraySlice<UInt8>) -> Bool) -> [Span] {
        var spans: [Span] = []
        let word = Array(scheme.utf8)
        var i = 0
        while i + word.count < s.count {
            let matches = (0..<word.count).allSatisfy { s[i + $0] | 0x20 == word[$0] }
            if matches, i == 0 || !isWordByte(s[i - 1]), s[i + word.count] == UInt8(ascii: " ") {
                var start = i + word.count
                while start < s.count, s[start] == UInt8(ascii: " ") { start += 1 }
                var end = start
                while end < s.count, byte(s[end]) { end += 1 }
                if accept(s[start..<end]) {
                    spans.append((start..<end, .token))
                    i = end
                    continue
                }
            }
            i += 1
        }
        return spans
    }

    // MARK: Account numbers

    /// Payment card numbers: 12–19 digits, plain or grouped by single spaces or dashes, with a
    /// card network's first digit and a valid Luhn check digit.
    static func cards(_ s: [UInt8]) -> [Span] {
        var spans: [Span] = []
        var i = 0
        while i < s.count {
            guard isDigit(s[i]), i == 0 || !(isWordByte(s[i - 1]) || s[i - 1] == UInt8(ascii: "-") || s[i - 1] == UInt8(ascii: ".")) else { i += 1; continue }
            var digits: [UInt8] = []
            var j = i
            var end = i
            while j < s.count {
                if isDigit(s[j]) { digits.append(s[j] - 0x30); j += 1; end = j; continue }
                if (s[j] == UInt8(ascii: " ") || s[j] == UInt8(ascii: "-")), j + 1 < s.count, isDigit(s[j + 1]) { j += 1; continue }
                break
            }
            let bounded = end == s.count || !(isWordByte(s[end]) || s[end] == UInt8(ascii: "-"))
            if bounded, (12...19).contains(digits.count), isCardNetworkPrefix(digits), luhn(digits) {
                spans.append((i..<end, .accountNumber))
            }
            i = max(end, i + 1)
        }
        return spans
    }

    /// Card networks' first digits: Amex/Diners/JCB 3, Visa 4, Mastercard 51–55 and 2221–2720,
    /// Discover/UnionPay/Maestro 6. Other leading digits (epoch milliseconds start with 1) are not cards.
    /// Maestro's 12-digit numbers begin 50, 56–58 or 6; no other scheme issues 12 digits.
    /// Mir (2200–2204) is 16–19 digits like the rest.
    static func isCardNetworkPrefix(_ digits: [UInt8]) -> Bool {
        if digits.count == 12 { return digits[0] == 6 || (digits[0] == 5 && [0, 6, 7, 8].contains(digits[1])) }
        switch digits[0] {
        case 3, 4, 5, 6: return true
        case 2:
            let prefix = Int(digits[0]) * 1000 + Int(digits[1]) * 100 + Int(digits[2]) * 10 + Int(digits[3])
            return (2221...2720).contains(prefix) || (2200...2204).contains(prefix)
        default: return false
        }
    }

    static func luhn(_ digits: [UInt8]) -> Bool {
        var sum = 0
        for (offset, digit) in digits.reversed().enumerated() {
            var d = Int(digit)
            if offset % 2 == 1 { d *= 2; if d > 9 { d -= 9 } }
            sum += d
        }
        return sum % 10 == 0
    }

    /// IBAN lengths by country (ISO 13616 registry): an IBAN must have exactly its country's length.
    static let ibanLengths: [String: Int] = [
        "AD": 24, "AE": 23, "AL": 28, "AT": 20, "AZ": 28, "BA": 20, "BE": 16, "BG": 22, "BH": 22, "BR": 29, "BY": 28,
        "CH": 21, "CR": 22, "CY": 28, "CZ": 24, "DE": 22, "DK": 18, "DO": 28, "EE": 20, "EG": 29, "ES": 24, "FI": 18,
        "FO": 18, "FR": 27, "GB": 22, "GE": 22, "GI": 23, "GL": 18, "GR": 27, "GT": 28, "HR": 21, "HU": 28, "IE": 22,
        "IL": 23, "IQ": 23, "IS": 26, "IT": 27, "JO": 30, "KW": 30, "KZ": 20, "LB": 28, "LC": 32, "LI": 21, "LT": 20,
        "LU": 20, "LV": 21, "MC": 27, "MD": 24, "ME": 22, "MK": 19, "MR": 27, "MT": 31, "MU": 30, "NL": 18, "NO": 15,
        "PK": 24, "PL": 28, "PS": 29, "PT": 25, "QA": 29, "RO": 24, "RS": 22, "SA": 24, "SC": 31, "SE": 24, "SI": 19,
        "SK": 24, "SM": 27, "ST": 25, "SV": 28, "TL": 23, "TN": 24, "TR": 26, "UA": 29, "VA": 22, "VG": 24, "XK": 20,
    ]

    /// IBANs: a registered country code, check digits and exactly that country's length,
    /// optionally in groups separated by single spaces, valid by ISO 13616's mod-97.
    static func ibans(_ s: [UInt8]) -> [Span] {
        var spans: [Span] = []
        let upper = { (b: UInt8) in isLower(b) ? b - 0x20 : b }
        var i = 0
        while i + 4 < s.count {
            guard isAlpha(s[i]), isAlpha(s[i + 1]), isDigit(s[i + 2]), isDigit(s[i + 3]), i == 0 || !isWordByte(s[i - 1]),
                  let length = ibanLengths[String(decoding: [upper(s[i]), upper(s[i + 1])], as: UTF8.self)] else { i += 1; continue }
            var chars: [UInt8] = [upper(s[i]), upper(s[i + 1]), s[i + 2], s[i + 3]]
            var j = i + 4
            while j < s.count, chars.count < length {
                if isAlnum(s[j]) { chars.append(upper(s[j])); j += 1; continue }
                if s[j] == UInt8(ascii: " "), j + 1 < s.count, isAlnum(s[j + 1]) { j += 1; continue }
                break
            }
            if chars.count == length, j == s.count || !isWordByte(s[j]), mod97(chars) == 1 {
                spans.append((i..<j, .accountNumber))
                i = j
            } else {
                i += 1
            }
        }
        return spans
    }

    static func mod97(_ iban: [UInt8]) -> Int {
        var remainder = 0
        for b in iban[4...] + iban[0..<4] {
            if isDigit(b) { remainder = (remainder * 10 + Int(b - 0x30)) % 97 }
            else if isUpper(b) { remainder = (remainder * 100 + Int(b - 0x41 + 10)) % 97 }
            else { return -1 }
        }
        return remainder
    }
}

/// Base64 (standard and URL-safe), decoding only: the scanner looks inside encoded text.
enum Base64 {
    static func value(_ b: UInt8, urlSafe: Bool) -> UInt8? {
        switch b {
        case 0x41...0x5A: return b - 0x41
        case 0x61...0x7A: return b - 0x61 + 26
        case 0x30...0x39: return b - 0x30 + 52
        case UInt8(ascii: "+") where !urlSafe, UInt8(ascii: "-") where urlSafe: return 62
        case UInt8(ascii: "/") where !urlSafe, UInt8(ascii: "_") where urlSafe: return 63
        default: return nil
        }
    }

    static func decode(_ input: [UInt8], urlSafe: Bool) -> [UInt8]? {
        var bytes = input
        while bytes.last == UInt8(ascii: "=") { bytes.removeLast() }
        if bytes.count % 4 == 1 { return nil }
        var out: [UInt8] = []
        out.reserveCapacity(bytes.count * 3 / 4)
        var buffer: UInt32 = 0, bits = 0
        for b in bytes {
            guard let v = value(b, urlSafe: urlSafe) else { return nil }
            buffer = buffer << 6 | UInt32(v)
            bits += 6
            if bits >= 8 {
                bits -= 8
                out.append(UInt8(truncatingIfNeeded: buffer >> UInt32(bits)))
            }
        }
        return out
    }
}
