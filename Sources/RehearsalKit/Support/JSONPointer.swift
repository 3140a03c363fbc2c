/// RFC 6901 JSON pointers: how evidence names a place inside a JSON column without its value.
public enum JSONPointer {
    /// `~` → `~0`, `/` → `~1`, on the UTF-8 bytes (RFC 6901 escapes code points). String
    /// search works on characters: a `~` or `/` followed by a combining mark is one character
    /// with it, and was left unescaped. A token with neither comes back as it is (most keys).
    public static func escape(_ token: String) -> String {
        let bytes = token.utf8
        guard bytes.contains(where: { $0 == UInt8(ascii: "~") || $0 == UInt8(ascii: "/") }) else { return token }
        var escaped: [UInt8] = []
        escaped.reserveCapacity(bytes.count + 4)
        for byte in bytes {
            switch byte {
            case UInt8(ascii: "~"): escaped += [UInt8(ascii: "~"), UInt8(ascii: "0")]
            case UInt8(ascii: "/"): escaped += [UInt8(ascii: "~"), UInt8(ascii: "1")]
            default: escaped.append(byte)
            }
        }
        return String(decoding: escaped, as: UTF8.self)
    }

    public static func appending(_ pointer: String, _ token: String) -> String {
        pointer + "/" + escape(token)
    }

    public static func appending(_ pointer: String, _ index: Int) -> String {
        pointer + "/" + String(index)
    }

    /// The unescaped tokens of `pointer` (`/a~1b/0` → `["a/b", "0"]`); nil-safe: a pointer
    /// not starting with `/` has a single token that matches nothing.
    public static func tokens(_ pointer: String) -> [String] {
        guard !pointer.isEmpty else { return [] }
        guard pointer.utf8.first == UInt8(ascii: "/") else { return ["\u{0}invalid"] }
        // Cut and unescaped on the bytes, as `escape` writes them (a `/` followed by a
        // combining mark is one character with it: a split on characters missed that cut).
        return Array(pointer.utf8.dropFirst()).split(separator: UInt8(ascii: "/"), omittingEmptySubsequences: false).map { part in
            var token: [UInt8] = []
            var index = part.startIndex
            while index < part.endIndex {
                let next = part.index(after: index)
                if part[index] == UInt8(ascii: "~"), next < part.endIndex, part[next] == UInt8(ascii: "1") || part[next] == UInt8(ascii: "0") {
                    token.append(part[next] == UInt8(ascii: "1") ? UInt8(ascii: "/") : UInt8(ascii: "~"))
                    index = part.index(after: next)
                } else {
                    token.append(part[index])
                    index = next
                }
            }
            return String(decoding: token, as: UTF8.self)
        }
    }

    /// The value at `pointer` in `value`, or nil when the path does not exist.
    public static func resolve(_ pointer: String, in value: JSONValue) -> JSONValue? {
        resolve(tokens: tokens(pointer), in: value)
    }

    public static func resolve(tokens: [String], in value: JSONValue) -> JSONValue? {
        var current = value
        for token in tokens {
            switch current {
            case .object:
                guard let next = current[token] else { return nil }
                current = next
            case .array(let items):
                guard let index = Int(token), items.indices.contains(index) else { return nil }
                current = items[index]
            default:
                return nil
            }
        }
        return current
    }
}
