/// Parquet's value encodings over bounds-checked byte ranges.

/// The RLE / bit-packed hybrid (parquet Encodings.md): runs of `(header varint)`, where an even header
/// `2n` is a repeated value of `ceil(width/8)` bytes used `n` times, and an odd header `2g+1` is `g`
/// groups of 8 values bit-packed LSB-first in `g·width` bytes. Used for definition levels, dictionary
/// indices and RLE booleans.
struct HybridDecoder {
    let base: UnsafePointer<UInt8>
    let end: Int
    var position: Int
    let width: Int

    /// `bytes` must be followed by `PaddedBuffer.padding` readable bytes (bit unpacking loads 64-bit words).
    init(_ bytes: UnsafeBufferPointer<UInt8>, width: Int) throws {
        guard (0...32).contains(width) else { throw DecodeError("bit width \(width) out of range 0...32") }
        base = bytes.baseAddress ?? UnsafePointer(bitPattern: 8)!
        end = bytes.count
        position = 0
        self.width = width
    }

    private mutating func varint() throws -> UInt64 {
        var result: UInt64 = 0, shift: UInt64 = 0
        while true {
            guard position < end else { throw DecodeError("truncated RLE run header") }
            let b = base[position]
            position += 1
            guard shift < 64 else { throw DecodeError("RLE run header longer than 10 bytes") }
            result |= UInt64(b & 0x7f) << shift
            if b & 0x80 == 0 { return result }
            shift += 7
        }
    }

    /// Decodes exactly `count` values into `out`. Trailing values of the last bit-packed group are ignored.
    mutating func decode(_ count: Int, into out: UnsafeMutablePointer<UInt32>) throws {
        var done = 0
        let mask: UInt64 = width == 32 ? 0xffff_ffff : (1 << UInt64(width)) - 1
        while done < count {
            let header = try varint()
            if header & 1 == 0 {
                let run = header >> 1
                let byteWidth = (width + 7) / 8
                guard end - position >= byteWidth else { throw DecodeError("truncated RLE run value") }
                var value: UInt32 = 0
                for i in 0..<byteWidth { value |= UInt32(base[position + i]) << (8 * UInt32(i)) }
                position += byteWidth
                guard UInt64(value) <= mask else { throw DecodeError("RLE value \(value) wider than \(width) bits") }
                let n = Int(min(run, UInt64(count - done)))
                (out + done).initialize(repeating: value, count: n)
                done += n
            } else {
                let groups = header >> 1
                guard groups <= UInt64(end - position) else { throw DecodeError("bit-packed run runs past the end of its page") }
                let bytes = Int(groups) * width
                guard bytes <= end - position else { throw DecodeError("bit-packed run runs past the end of its page") }
                let n = min(Int(groups) * 8, count - done)
                if width == 0 {
                    (out + done).initialize(repeating: 0, count: n)
                } else {
                    let start = base + position
                    let dst = out + done
                    var bit = 0
                    for i in 0..<n {
                        // Safe: the last word read starts inside the run; the buffer has 8 bytes of padding.
                        let word = UnsafeRawPointer(start + (bit >> 3)).loadUnaligned(as: UInt64.self)
                        dst[i] = UInt32(truncatingIfNeeded: (UInt64(littleEndian: word) >> UInt64(bit & 7)) & mask)
                        bit += width
                    }
                }
                position += bytes
                done += n
            }
        }
    }
}

/// A bounds-checked cursor over a page's bytes.
struct ByteCursor {
    let base: UnsafePointer<UInt8>
    let end: Int
    var position: Int

    init(_ bytes: UnsafeBufferPointer<UInt8>) {
        base = bytes.baseAddress ?? UnsafePointer(bitPattern: 8)!
        end = bytes.count
        position = 0
    }

    var remaining: Int { end - position }

    /// The next `n` bytes.
    mutating func take(_ n: Int, _ what: @autoclosure () -> String) throws -> UnsafeBufferPointer<UInt8> {
        guard n >= 0, n <= remaining else {
            throw DecodeError("\(what()) needs \(n) bytes but the page has \(remaining) left")
        }
        defer { position += n }
        return UnsafeBufferPointer(start: base + position, count: n)
    }

    mutating func uint32LE(_ what: @autoclosure () -> String) throws -> Int {
        let b = try take(4, what())
        return Int(UnsafeRawPointer(b.baseAddress!).loadUnaligned(as: UInt32.self).littleEndian)
    }

    var rest: UnsafeBufferPointer<UInt8> { UnsafeBufferPointer(start: base + position, count: remaining) }
}

/// PLAIN decoding of physical types into a destination element type.
enum Plain {
    /// Fixed-width little-endian values (INT32, INT64, FLOAT, DOUBLE) converted element-wise.
    @inline(__always)
    static func fixed<S: FixedWidthInteger, T>(_ cursor: inout ByteCursor, count: Int, as: S.Type,
                                               into out: UnsafeMutablePointer<T>, _ convert: (S) throws -> T) throws {
        let bytes = try cursor.take(count * MemoryLayout<S>.size, "\(count) PLAIN values")
        let raw = UnsafeRawPointer(bytes.baseAddress!)
        for i in 0..<count {
            out[i] = try convert(S(littleEndian: raw.loadUnaligned(fromByteOffset: i * MemoryLayout<S>.size, as: S.self)))
        }
    }

    /// BOOLEAN: bit-packed, LSB first.
    static func booleans<T>(_ cursor: inout ByteCursor, count: Int, into out: UnsafeMutablePointer<T>, _ convert: (Bool) -> T) throws {
        let bytes = try cursor.take((count + 7) / 8, "\(count) PLAIN booleans")
        for i in 0..<count { out[i] = convert(bytes[i >> 3] & (1 << UInt8(i & 7)) != 0) }
    }

    /// BYTE_ARRAY: each value a 4-byte little-endian length then its bytes.
    static func byteArrays<T>(_ cursor: inout ByteCursor, count: Int, into out: UnsafeMutablePointer<T>,
                              _ convert: (UnsafeBufferPointer<UInt8>) throws -> T) throws {
        for i in 0..<count {
            let n = try cursor.uint32LE("BYTE_ARRAY length")
            out[i] = try convert(try cursor.take(n, "BYTE_ARRAY value"))
        }
    }
}
