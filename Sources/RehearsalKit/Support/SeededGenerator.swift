/// SplitMix64: the one source of randomness in rehearse, so every run replays from its seed.
public struct SeededGenerator: RandomNumberGenerator, Sendable, Equatable {
    private var state: UInt64

    public init(seed: UInt64) {
        state = seed
    }

    public mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        return Self.mix(state)
    }

    /// The SplitMix64 finaliser: a good 64-bit hash, also used to derive stable ids from keys.
    @inline(__always) public static func mix(_ value: UInt64) -> UInt64 {
        var z = value
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }

    /// A uniform integer in `0..<bound` (bound > 0).
    public mutating func below(_ bound: Int) -> Int {
        Int(next() % UInt64(bound))
    }

    /// True with probability `percent`/100.
    public mutating func chance(_ percent: Int) -> Bool {
        below(100) < percent
    }

    /// A version-4 UUID in canonical lowercase text.
    public mutating func uuid() -> String {
        UUIDText.make(high: next(), low: next())
    }
}

/// Canonical UUID text from 128 bits, with the version-4 and RFC 4122 variant bits set.
public enum UUIDText {
    private static let digits = Array("0123456789abcdef".utf8)

    public static func make(high: UInt64, low: UInt64) -> String {
        let hi = (high & 0xFFFF_FFFF_FFFF_0FFF) | 0x0000_0000_0000_4000
        let lo = (low & 0x3FFF_FFFF_FFFF_FFFF) | 0x8000_0000_0000_0000
        var bytes = [UInt8](repeating: UInt8(ascii: "-"), count: 36)
        var position = 0
        func put(_ value: UInt64, nibbles: Int) {
            for i in stride(from: nibbles - 1, through: 0, by: -1) {
                if position == 8 || position == 13 || position == 18 || position == 23 { position += 1 }
                bytes[position] = digits[Int((value >> UInt64(i * 4)) & 0xF)]
                position += 1
            }
        }
        put(hi, nibbles: 16)
        put(lo, nibbles: 16)
        return String(decoding: bytes, as: UTF8.self)
    }

    /// A stable id for (`seed`, `kind`, `index`): seeded data can refer to a row by its index
    /// without keeping every id in memory.
    public static func derived(seed: UInt64, kind: UInt64, index: Int) -> String {
        let a = SeededGenerator.mix(seed ^ (kind &* 0x9E37_79B9_7F4A_7C15) ^ UInt64(index))
        let b = SeededGenerator.mix(a ^ 0xD6E8_FEB8_6659_FD93)
        return make(high: a, low: b)
    }
}
