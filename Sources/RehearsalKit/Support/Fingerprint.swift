/// 64-bit FNV-1a over byte fields (with a separator between fields), for cache keys.
enum Fingerprint {
    static func of(_ fields: [[UInt8]]) -> UInt64 {
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325
        for field in fields {
            // The length first: bytes cannot move from one field to the next unseen.
            withUnsafeBytes(of: UInt32(truncatingIfNeeded: field.count).littleEndian) {
                for byte in $0 {
                    hash ^= UInt64(byte)
                    hash = hash &* 0x0000_0100_0000_01B3
                }
            }
            for byte in field {
                hash ^= UInt64(byte)
                hash = hash &* 0x0000_0100_0000_01B3
            }
            hash ^= 0xFF
            hash = hash &* 0x0000_0100_0000_01B3
        }
        return hash
    }
}
