/// FNV-1a, 64 bit (Fowler–Noll–Vo): `h = (h ⊕ byte) · 0x100000001b3` from the offset basis
/// `0xcbf29ce484222325`. Cheap and dependency-free; it detects changed or damaged bytes and
/// derives stream ids, and is not a cryptographic hash.
///
/// `add(word:)` mixes a whole 64-bit word in one xor-multiply (8× faster than byte by byte on
/// large arrays); values hashed that way differ from byte-wise FNV-1a, so a format states which
/// it uses. List helpers prefix each list with its length, so moving an element between two
/// lists changes the value.
public struct FNV1a64: Sendable {
    public private(set) var value: UInt64 = 0xcbf2_9ce4_8422_2325
    static let prime: UInt64 = 0x100_0000_01b3

    public init() {}

    @inline(__always)
    public mutating func add(byte: UInt8) { value = (value ^ UInt64(byte)) &* Self.prime }

    public mutating func add<S: Sequence>(bytes: S) where S.Element == UInt8 {
        for b in bytes { add(byte: b) }
    }

    @inline(__always)
    public mutating func add(word: UInt64) { value = (value ^ word) &* Self.prime }

    /// The count, then every word.
    public mutating func add(words: [UInt64]) {
        add(word: UInt64(words.count))
        for w in words { add(word: w) }
    }

    /// The count, then per string its UTF-8 length and bytes.
    public mutating func add(strings: [String]) {
        add(word: UInt64(strings.count))
        for s in strings {
            add(word: UInt64(s.utf8.count))
            add(bytes: s.utf8)
        }
    }

    /// The count, then the buffer as little-endian 64-bit words and its last `count % 8` bytes.
    public mutating func add(wordsOf bytes: UnsafeBufferPointer<UInt8>) {
        add(word: UInt64(bytes.count))
        let words = bytes.count / 8
        if let base = bytes.baseAddress {
            let raw = UnsafeRawPointer(base)
            for i in 0..<words { add(word: raw.loadUnaligned(fromByteOffset: i * 8, as: UInt64.self)) }
        }
        for i in (words * 8)..<bytes.count { add(byte: bytes[i]) }
    }

    /// Byte-wise FNV-1a 64 of `bytes`.
    public static func hash<S: Sequence>(_ bytes: S) -> UInt64 where S.Element == UInt8 {
        var h = FNV1a64()
        h.add(bytes: bytes)
        return h.value
    }

    /// Byte-wise FNV-1a 64 of a string's UTF-8 bytes.
    public static func hash(_ text: String) -> UInt64 { hash(text.utf8) }

    /// `value` as 16 lower-case hex digits.
    public var hex: String {
        let digits = String(value, radix: 16)
        return String(repeating: "0", count: 16 - digits.count) + digits
    }
}
