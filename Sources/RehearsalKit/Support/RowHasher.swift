/// A 64-bit hash of a sequence of SQLite values, eight bytes at a time: `rehearse_fingerprint`'s
/// (baseline rows, evaluation keys, table definitions). Every value is written as a tag word —
/// its type, and for text and blobs its length — then its bytes, so the encoding of a row is
/// unambiguous and two rows can only share a hash by a 64-bit accident. Each word goes through
/// a multiply and an xor-shift (both invertible, so no two words collide at one step), and the
/// result through MurmurHash3's finaliser. Several times faster than byte-at-a-time FNV-1a on
/// the long JSON payloads it reads. In-process only: the value may change between versions.
struct RowHasher {
    private var state: UInt64 = 0x9E37_79B9_7F4A_7C15

    @inline(__always) private mutating func word(_ word: UInt64) {
        state = (state ^ word) &* 0xBF58_476D_1CE4_E5B9
        state ^= state >> 31
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
