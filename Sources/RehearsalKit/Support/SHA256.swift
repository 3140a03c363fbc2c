import Crypto

/// SHA-256 as the checksums and evaluation hashes use it: 64 lowercase hex digits. swift-crypto's
/// (BoringSSL's, with the CPU's SHA instructions where there are some), not one written here: a
/// stored evaluation's hash is checked at every re-evaluation, and templates and backups are
/// checksummed.
public enum SHA256 {
    private static let hexDigits: [UInt8] = Array("0123456789abcdef".utf8)

    /// The digest of `text`'s UTF-8 bytes as 64 lowercase hex digits.
    public static func hex(_ text: String) -> String {
        var text = text
        return text.withUTF8 { hex(digest: Crypto.SHA256.hash(data: UnsafeRawBufferPointer($0))) }
    }

    /// The digest of `bytes` as 64 lowercase hex digits.
    public static func hex(bytes: [UInt8]) -> String {
        hex(digest: Crypto.SHA256.hash(data: bytes))
    }

    private static func hex(digest: Crypto.SHA256.Digest) -> String {
        String(unsafeUninitializedCapacity: 64) { out in
            for (i, byte) in digest.enumerated() {
                out[2 * i] = hexDigits[Int(byte >> 4)]
                out[2 * i + 1] = hexDigits[Int(byte & 0xf)]
            }
            return 64
        }
    }

    /// Whether `hexDigest` (64 lowercase hex digits) is the digest of `bytes`, without building strings.
    static func matches(bytes: [UInt8], hexDigest: UnsafeBufferPointer<UInt8>) -> Bool {
        guard hexDigest.count == 64 else { return false }
        for (i, byte) in Crypto.SHA256.hash(data: bytes).enumerated() {
            if hexDigest[2 * i] != hexDigits[Int(byte >> 4)] || hexDigest[2 * i + 1] != hexDigits[Int(byte & 0xf)] { return false }
        }
        return true
    }
}
