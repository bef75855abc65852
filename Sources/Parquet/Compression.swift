import CCompression

/// A byte buffer with 8 readable bytes of zero padding past `count`, so bit unpacking may load whole
/// 64-bit words at any position inside it.
final class PaddedBuffer {
    static let padding = 8
    let pointer: UnsafeMutablePointer<UInt8>
    let count: Int

    init(count: Int) {
        self.count = count
        pointer = .allocate(capacity: count + Self.padding)
        (pointer + count).initialize(repeating: 0, count: Self.padding)
    }

    deinit { pointer.deallocate() }

    var buffer: UnsafeBufferPointer<UInt8> { UnsafeBufferPointer(start: pointer, count: count) }
}

/// Decompression of one page with a codec; the output must be exactly `uncompressedSize` bytes.
enum Decompressor {
    /// Largest page we accept (parquet writers default to 1 MiB pages); bounds every allocation.
    static let maxPageBytes = 1 << 30

    static func decompress(_ input: UnsafeBufferPointer<UInt8>, codec: Codec, uncompressedSize: Int) throws -> PaddedBuffer {
        guard uncompressedSize >= 0, uncompressedSize <= maxPageBytes else {
            throw DecodeError("page claims \(uncompressedSize) uncompressed bytes (limit \(maxPageBytes))")
        }
        let out = PaddedBuffer(count: uncompressedSize)
        let src = input.baseAddress ?? UnsafePointer(bitPattern: 1)!
        switch codec {
        case .uncompressed:
            guard input.count == uncompressedSize else {
                throw DecodeError("uncompressed page is \(input.count) bytes but its header says \(uncompressedSize)")
            }
            out.pointer.update(from: src, count: input.count)
        case .snappy:
            var length = 0
            guard snappy_uncompressed_length(UnsafeRawPointer(src).assumingMemoryBound(to: CChar.self), input.count, &length) == SNAPPY_OK,
                  length == uncompressedSize else {
                throw DecodeError("snappy page is corrupt or does not hold \(uncompressedSize) bytes")
            }
            var outLength = uncompressedSize
            let status = snappy_uncompress(UnsafeRawPointer(src).assumingMemoryBound(to: CChar.self), input.count,
                                           UnsafeMutableRawPointer(out.pointer).assumingMemoryBound(to: CChar.self), &outLength)
            guard status == SNAPPY_OK, outLength == uncompressedSize else {
                throw DecodeError("snappy page is corrupt")
            }
        case .zstd:
            let frameSize = ZSTD_getFrameContentSize(src, input.count)
            if frameSize != ZSTD_CONTENTSIZE_UNKNOWN {
                guard frameSize != ZSTD_CONTENTSIZE_ERROR, frameSize == UInt64(uncompressedSize) else {
                    throw DecodeError("zstd page is corrupt or does not hold \(uncompressedSize) bytes")
                }
            }
            let n = ZSTD_decompress(out.pointer, uncompressedSize, src, input.count)
            guard ZSTD_isError(n) == 0 else {
                throw DecodeError("zstd page is corrupt: \(String(cString: ZSTD_getErrorName(n)))")
            }
            guard n == uncompressedSize else {
                throw DecodeError("zstd page holds \(n) bytes but its header says \(uncompressedSize)")
            }
        case .gzip:
            try inflate(input, into: out)
        default:
            throw DecodeError("compression codec \(codec) is not supported (use none, snappy, gzip or zstd)", kind: .unsupported)
        }
        return out
    }

    private static func inflate(_ input: UnsafeBufferPointer<UInt8>, into out: PaddedBuffer) throws {
        var stream = z_stream()
        // 15 + 32: accept gzip or zlib headers, with the largest window.
        guard wb_inflate_init2(&stream, 15 + 32) == Z_OK else { throw DecodeError("gzip: cannot initialise zlib") }
        defer { inflateEnd(&stream) }
        stream.next_in = UnsafeMutablePointer(mutating: input.baseAddress)
        stream.avail_in = UInt32(input.count)
        stream.next_out = out.pointer
        stream.avail_out = UInt32(out.count)
        while true {
            let status = CCompression.inflate(&stream, Z_FINISH)
            if status == Z_STREAM_END { break }
            // Z_OK means progress was made; input and output are finite, so this loop ends.
            if status == Z_OK { continue }
            if status == Z_BUF_ERROR && stream.avail_out == 0 {
                throw DecodeError("gzip page inflates to more than its header's \(out.count) bytes")
            }
            throw DecodeError("gzip page is corrupt or truncated")
        }
        guard Int(stream.total_out) == out.count else {
            throw DecodeError("gzip page holds \(stream.total_out) bytes but its header says \(out.count)")
        }
    }
}
