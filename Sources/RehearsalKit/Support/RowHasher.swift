/// A 64-bit hash of a sequence of SQLite values, eight bytes at a time: `rehearse_fingerprint`'s
/// (baseline rows, evaluation keys, table definitions). Every value is written as a tag word —
/// its type, and for text and blobs its length — then its bytes, so the encoding of a row is
/// unambiguous and two rows can only share a hash by a 64-bit accident. Each word goes through
/// a multiply and an xor-shift (both invertible, so no two words collide at one step), and the
/// result through MurmurHash3's finaliser. Several times faster than byte-at-a-time FNV-1a on
/// the long JSON payloads it reads. In-process only: the value may change between versions.
struct RowHasher {
    private var state: UInt64 = 0x9E37_79B9_7F4A_7C15

    @inline(__always) private mutating func word(_ word: UInt64) { state = Self.step(state, word) }

    /// One word into a running value: a multiply and an xor-shift, each invertible.
    @inline(__always) private static func step(_ value: UInt64, _ word: UInt64) -> UInt64 {
        let mixed = (value ^ word) &* 0xBF58_476D_1CE4_E5B9
        return mixed ^ (mixed >> 31)
    }

    @inline(__always) mutating func null() { word(0xA0) }

    @inline(__always) mutating func integer(_ value: Int64) {
        word(0xA1)
        word(UInt64(bitPattern: value))
    }

    @inline(__always) mutating func real(_ value: Double) {
        word(0xA2)
        word(value.bitPattern)
    }

    /// Text (as UTF-8) or a blob: the tag and length in one word, then the bytes eight at a time,
    /// the last ones zero-padded (the length already says how many there were).
    @inline(__always) mutating func bytes(text: Bool, _ buffer: UnsafeRawBufferPointer) {
        let count = buffer.count
        word((text ? 0xA3 : 0xA4) << 32 | UInt64(UInt32(truncatingIfNeeded: count)))
        guard let base = buffer.baseAddress else { return }
        var offset = 0
        // A long run (a JSON payload, a policy's rules, a CREATE statement) in four lanes of the
        // same step, 32 bytes a turn: one lane's multiply does not wait for another's, so the
        // run hashes several times faster than through the one chain. The lanes then go into
        // the chain as four words.
        if count >= 64 {
            var a = state ^ 0x243F_6A88_85A3_08D3, b = state ^ 0x1319_8A2E_0370_7344
            var c = state ^ 0xA409_3822_299F_31D0, d = state ^ 0x082E_FA98_EC4E_6C89
            while offset + 32 <= count {
                a = Self.step(a, UInt64(littleEndian: base.loadUnaligned(fromByteOffset: offset, as: UInt64.self)))
                b = Self.step(b, UInt64(littleEndian: base.loadUnaligned(fromByteOffset: offset + 8, as: UInt64.self)))
                c = Self.step(c, UInt64(littleEndian: base.loadUnaligned(fromByteOffset: offset + 16, as: UInt64.self)))
                d = Self.step(d, UInt64(littleEndian: base.loadUnaligned(fromByteOffset: offset + 24, as: UInt64.self)))
                offset += 32
            }
            word(a)
            word(b)
            word(c)
            word(d)
        }
        while offset + 8 <= count {
            word(UInt64(littleEndian: base.loadUnaligned(fromByteOffset: offset, as: UInt64.self)))
            offset += 8
        }
        if offset < count {
            var last: UInt64 = 0
            for index in offset..<count { last |= UInt64(base.load(fromByteOffset: index, as: UInt8.self)) << (8 * UInt64(index - offset)) }
            word(last)
        }
    }

    mutating func finish() -> UInt64 {
        var hash = state
        hash ^= hash >> 33
        hash &*= 0xFF51_AFD7_ED55_8CCD
        hash ^= hash >> 33
        hash &*= 0xC4CE_B9FE_1A85_EC53
        hash ^= hash >> 33
        return hash
    }
}
