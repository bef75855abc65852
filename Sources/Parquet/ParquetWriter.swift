import CCompression
import Dispatch
import Foundation

/// Page compression of a written file.
public enum ParquetCompression: String, CaseIterable, Sendable {
    case none, snappy, zstd

    var codec: Codec {
        switch self {
        case .none: .uncompressed
        case .snappy: .snappy
        case .zstd: .zstd
        }
    }
}

/// The type of a written column (the physical type and annotation pyarrow gives the same pandas dtype).
public enum ParquetWriteType: Sendable, Equatable {
    /// int8: INT32 annotated INT(8, signed), as pyarrow writes `int8`.
    case int8
    /// float32: FLOAT; in an optional column NaN is written as null (as pandas → pyarrow does).
    case float
    /// UTF-8 text: BYTE_ARRAY annotated STRING.
    case string
}

/// One column of a file being written.
public struct ParquetWriteColumn: Sendable, Equatable {
    public let name: String
    public let type: ParquetWriteType
    /// OPTIONAL (pandas writes every column so) rather than REQUIRED.
    public let optional: Bool

    public init(_ name: String, _ type: ParquetWriteType, optional: Bool = true) {
        self.name = name
        self.type = type
        self.optional = optional
    }
}

/// The values of one column for one row group; buffers need only live during `writeRowGroup`.
public enum ParquetWriteValues {
    case int8(UnsafeBufferPointer<Int8>)
    case float(UnsafeBufferPointer<Float>)
    case string([String])

    var count: Int {
        switch self {
        case .int8(let v): v.count
        case .float(let v): v.count
        case .string(let v): v.count
        }
    }
}

/// Streams a flat parquet file to disk one row group at a time (memory: one encoded row group).
///
/// Layout: `PAR1`, then per row group and column one chunk — an optional dictionary page (PLAIN
/// values) and data pages v1 of at most `pageRows` rows (definition levels as an RLE/bit-packed
/// hybrid with a 4-byte length, then RLE_DICTIONARY indices or PLAIN values), each page compressed
/// with the codec — then the Thrift compact footer, its 4-byte length and `PAR1`.
///
/// Dictionary encoding is used for a column chunk when it has at most `maxDictionaryEntries`
/// distinct non-null values and at most half as many as non-null values (so unique ids stay PLAIN,
/// while features, targets, eras and data types become a small table plus bit-packed indices).
/// Columns of a row group are encoded in parallel, each into its own buffer, and written in schema
/// order: the bytes do not depend on the thread count.
public final class ParquetWriter {
    public let path: String
    public let columns: [ParquetWriteColumn]
    public let compression: ParquetCompression
    public let pageRows: Int
    public static let maxDictionaryEntries = 1 << 16

    private var descriptor: Int32
    private var offset: Int64 = 0
    private var rowGroups: [RowGroupRecord] = []
    private var closed = false

    struct ChunkRecord {
        var dictionaryOffset: Int64?
        var dataOffset: Int64
        var uncompressed: Int64
        var compressed: Int64
        var encodings: [Int32]
        var values: Int64
    }
    struct RowGroupRecord {
        var chunks: [ChunkRecord]
        var rows: Int64
    }

    /// Creates (truncates) `path` and writes the leading magic.
    public init(path: String, columns: [ParquetWriteColumn], compression: ParquetCompression = .snappy,
                pageRows: Int = 1 << 16) throws {
        guard !columns.isEmpty else { throw ParquetError(.write, file: path, "no columns") }
        guard pageRows >= 1 else { throw ParquetError(.write, file: path, "pageRows must be at least 1 (got \(pageRows))") }
        var seen = Set<String>()
        for column in columns where !seen.insert(column.name).inserted {
            throw ParquetError(.write, file: path, "column '\(column.name)' is listed twice")
        }
        self.path = path
        self.columns = columns
        self.compression = compression
        self.pageRows = pageRows
        descriptor = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o644)
        guard descriptor >= 0 else { throw ParquetError(.write, file: path, "cannot create: \(String(cString: strerror(errno)))") }
        try write(Array("PAR1".utf8))
    }

    deinit { if descriptor >= 0 { _ = Foundation.close(descriptor) } }

    private func write(_ bytes: [UInt8]) throws {
        try bytes.withUnsafeBytes { raw in
            var done = 0
            while done < raw.count {
                let n = Foundation.write(descriptor, raw.baseAddress! + done, raw.count - done)
                if n < 0 {
                    if errno == EINTR { continue }
                    throw ParquetError(.write, file: path, "write failed: \(String(cString: strerror(errno)))")
                }
                done += n
            }
        }
        offset += Int64(bytes.count)
    }

    /// Appends one row group; `values[c]` holds column `c`'s `rows` values.
    public func writeRowGroup(_ values: [ParquetWriteValues]) throws {
        guard !closed else { throw ParquetError(.write, file: path, "the file is already closed") }
        guard values.count == columns.count else {
            throw ParquetError(.write, file: path, "row group has \(values.count) columns, the schema \(columns.count)")
        }
        let rows = values.first!.count
        for (column, v) in zip(columns, values) {
            guard v.count == rows else {
                throw ParquetError(.write, file: path, "column '\(column.name)' has \(v.count) values, the row group \(rows)")
            }
            switch (column.type, v) {
            case (.int8, .int8), (.float, .float), (.string, .string): break
            default: throw ParquetError(.write, file: path, "column '\(column.name)': values do not match its type \(column.type)")
            }
        }
        guard rows > 0 else { return }
        var encoded = [EncodedChunk?](repeating: nil, count: columns.count)
        var failure: [String?] = Array(repeating: nil, count: columns.count)
        let codec = compression.codec, pageRows = pageRows, columns = columns
        encoded.withUnsafeMutableBufferPointer { slots in
            failure.withUnsafeMutableBufferPointer { failSlots in
                nonisolated(unsafe) let slots = slots, failSlots = failSlots
                nonisolated(unsafe) let values = values
                DispatchQueue.concurrentPerform(iterations: columns.count) { c in
                    do {
                        slots[c] = try ChunkEncoder.encode(values[c], optional: columns[c].optional,
                                                           codec: codec, pageRows: pageRows)
                    } catch {
                        failSlots[c] = "column '\(columns[c].name)': \(error)"
                    }
                }
            }
        }
        if let message = failure.compactMap({ $0 }).first { throw ParquetError(.write, file: path, message) }
        var chunks: [ChunkRecord] = []
        for chunk in encoded.map({ $0! }) {
            let start = offset
            try write(chunk.bytes)
            chunks.append(ChunkRecord(dictionaryOffset: chunk.dictionaryPageLength.map { _ in start },
                                      dataOffset: start + Int64(chunk.dictionaryPageLength ?? 0),
                                      uncompressed: Int64(chunk.uncompressedSize), compressed: Int64(chunk.bytes.count),
                                      encodings: chunk.encodings, values: Int64(rows)))
        }
        rowGroups.append(RowGroupRecord(chunks: chunks, rows: Int64(rows)))
    }

    /// Writes the footer (with `keyValueMetadata`, e.g. pandas' `pandas` entry) and closes the file.
    public func close(keyValueMetadata: [(key: String, value: String)] = []) throws {
        guard !closed else { throw ParquetError(.write, file: path, "the file is already closed") }
        closed = true
        var t = ThriftWriter()
        let columns = columns, rowGroups = rowGroups, codec = compression.codec.rawValue
        t.structBody { t in
            t.i32(1, 1)                                            // version
            t.structList(2, [nil] + columns.map { Optional($0) }) { t, column in
                guard let column else {                             // root
                    t.string(4, "schema")
                    t.i32(5, Int32(columns.count))
                    return
                }
                switch column.type {
                case .int8: t.i32(1, ParquetPhysicalType.int32.rawValue)
                case .float: t.i32(1, ParquetPhysicalType.float.rawValue)
                case .string: t.i32(1, ParquetPhysicalType.byteArray.rawValue)
                }
                t.i32(3, column.optional ? Repetition.optional.rawValue : Repetition.required.rawValue)
                t.string(4, column.name)
                switch column.type {
                case .int8:
                    t.i32(6, 15)                                    // converted_type INT_8
                    t.structure(10) { t in t.structure(10) { t in t.byte(1, 8); t.bool(2, true) } }   // INTEGER(8, signed)
                case .string:
                    t.i32(6, 0)                                     // converted_type UTF8
                    t.structure(10) { t in t.structure(1) { _ in } }                                   // STRING
                case .float: break
                }
            }
            t.i64(3, rowGroups.reduce(0) { $0 + $1.rows })
            t.structList(4, Array(rowGroups.enumerated())) { t, item in
                let (ordinal, group) = item
                t.structList(1, Array(zip(columns, group.chunks))) { t, pair in
                    let (column, chunk) = pair
                    t.i64(2, chunk.dictionaryOffset ?? chunk.dataOffset)   // file_offset
                    t.structure(3) { t in
                        t.i32(1, column.type == .int8 ? ParquetPhysicalType.int32.rawValue
                                 : column.type == .float ? ParquetPhysicalType.float.rawValue
                                 : ParquetPhysicalType.byteArray.rawValue)
                        t.i32List(2, chunk.encodings)
                        t.stringList(3, [column.name])
                        t.i32(4, codec)
                        t.i64(5, chunk.values)
                        t.i64(6, chunk.uncompressed)
                        t.i64(7, chunk.compressed)
                        t.i64(9, chunk.dataOffset)
                        if let d = chunk.dictionaryOffset { t.i64(11, d) }
                    }
                }
                t.i64(2, group.chunks.reduce(0) { $0 + $1.uncompressed })
                t.i64(3, group.rows)
                let first = group.chunks.first.map { $0.dictionaryOffset ?? $0.dataOffset } ?? 0
                t.i64(5, first)
                t.i64(6, group.chunks.reduce(0) { $0 + $1.compressed })
                t.fieldHeader(7, ThriftWriter.i16)
                t.zigzag(Int64(ordinal))
            }
            if !keyValueMetadata.isEmpty {
                t.structList(5, keyValueMetadata) { t, kv in
                    t.string(1, kv.key)
                    t.string(2, kv.value)
                }
            }
            t.string(6, "workbench parquet writer")
        }
        let footer = t.bytes
        var length = UInt32(footer.count).littleEndian
        let lengthBytes = withUnsafeBytes(of: &length) { Array($0) }
        try write(footer + lengthBytes + Array("PAR1".utf8))
        let status = Foundation.close(descriptor)
        descriptor = -1
        guard status == 0 else { throw ParquetError(.write, file: path, "close failed: \(String(cString: strerror(errno)))") }
    }
}

/// One encoded column chunk: dictionary page (if any) then data pages, headers included.
struct EncodedChunk {
    var bytes: [UInt8]
    var dictionaryPageLength: Int?
    var uncompressedSize: Int
    var encodings: [Int32]
}

enum ChunkEncoder {
    static func encode(_ values: ParquetWriteValues, optional: Bool, codec: Codec, pageRows: Int) throws -> EncodedChunk {
        let rows = values.count
        // Present rows (a NaN in an optional float column is null) and the dictionary, if worth it.
        var present = [Bool](repeating: true, count: optional ? rows : 0)
        var dictionaryPlain: [UInt8]? = nil
        var indices: [UInt32] = []
        var dictionaryCount = 0
        var nonNull = rows

        switch values {
        case .int8(let v):
            var slot = [Int32](repeating: -1, count: 256)
            var plain: [UInt8] = []
            indices = [UInt32](repeating: 0, count: rows)
            for i in 0..<rows {
                let key = Int(UInt8(bitPattern: v[i]))
                if slot[key] < 0 {
                    slot[key] = Int32(dictionaryCount)
                    dictionaryCount += 1
                    appendLE(&plain, UInt32(bitPattern: Int32(v[i])))
                }
                indices[i] = UInt32(slot[key])
            }
            dictionaryPlain = plain
        case .float(let v):
            if optional {
                nonNull = 0
                for i in 0..<rows {
                    present[i] = !v[i].isNaN
                    if present[i] { nonNull += 1 }
                }
            }
            let bits = (0..<rows).lazy.filter { !optional || present[$0] }.map { v[$0].bitPattern }
            if let d = dictionary(bits, count: nonNull, maxEntries: ParquetWriter.maxDictionaryEntries, plain: appendLE) {
                indices = d.indices; dictionaryPlain = d.plain; dictionaryCount = d.entries
            }
        case .string(let v):
            // A new entry only while entries · 2 ≤ rows: at most ⌊rows/2⌋ + 1 of them.
            if let d = dictionary(v, count: rows, maxEntries: min(ParquetWriter.maxDictionaryEntries, rows / 2 + 1),
                                  plain: appendByteArray) {
                indices = d.indices; dictionaryPlain = d.plain; dictionaryCount = d.entries
            }
        }
        if case .float = values, nonNull == 0 || (nonNull >= 2 && dictionaryCount * 2 > nonNull) {
            // No values, or at least half of them distinct: a dictionary would not pay.
            dictionaryPlain = nil
            indices = []
        }

        var out: [UInt8] = []
        var uncompressedTotal = 0
        var encodings: Set<Int32> = optional ? [Encoding.rle.rawValue] : []
        var dictionaryLength: Int? = nil
        if let dictionary = dictionaryPlain {
            let start = out.count
            uncompressedTotal += try appendPage(dictionary, type: 2, codec: codec, to: &out) { h in   // DICTIONARY_PAGE
                h.structure(7) { h in h.i32(1, Int32(dictionaryCount)); h.i32(2, Encoding.plain.rawValue) }
            }
            dictionaryLength = out.count - start
            encodings.insert(Encoding.plain.rawValue)
            encodings.insert(Encoding.rleDictionary.rawValue)
        } else {
            encodings.insert(Encoding.plain.rawValue)
        }
        let width = dictionaryCount <= 1 ? 1 : (Int.bitWidth - (dictionaryCount - 1).leadingZeroBitCount)

        // Data pages: rows [start, end); `nextIndex` walks the non-null values.
        var nextIndex = 0
        var start = 0
        while start < rows {
            let end = min(rows, start + pageRows)
            var page: [UInt8] = []
            var presentInPage = end - start
            if optional {
                presentInPage = 0
                for i in start..<end where present[i] { presentInPage += 1 }
                var levels: [UInt8] = []
                HybridEncoder.encode((start..<end).lazy.map { present[$0] ? 1 : 0 }, count: end - start, width: 1, into: &levels)
                appendLE(&page, UInt32(levels.count))
                page += levels
            }
            if dictionaryPlain != nil {
                page.append(UInt8(width))
                let slice = indices[nextIndex..<(nextIndex + presentInPage)]
                HybridEncoder.encode(slice, count: presentInPage, width: width, into: &page)
            } else {
                switch values {
                case .int8(let v):
                    for i in start..<end { appendLE(&page, UInt32(bitPattern: Int32(v[i]))) }
                case .float(let v):
                    for i in start..<end where !optional || present[i] { appendLE(&page, v[i].bitPattern) }
                case .string(let v):
                    for i in start..<end { appendByteArray(&page, v[i]) }
                }
            }
            nextIndex += presentInPage
            uncompressedTotal += try appendPage(page, type: 0, codec: codec, to: &out) { h in           // DATA_PAGE
                h.structure(5) { h in
                    h.i32(1, Int32(end - start))
                    h.i32(2, dictionaryPlain != nil ? Encoding.rleDictionary.rawValue : Encoding.plain.rawValue)
                    h.i32(3, Encoding.rle.rawValue)
                    h.i32(4, Encoding.rle.rawValue)
                }
            }
            start = end
        }
        return EncodedChunk(bytes: out, dictionaryPageLength: dictionaryLength, uncompressedSize: uncompressedTotal,
                            encodings: encodings.sorted())
    }

    /// Appends one page to `out`: its PageHeader (field 1 the page type, 2 the uncompressed and
    /// 3 the compressed size, then the type's own header written by `typeHeader`) and the
    /// compressed page. Returns what the page adds to the chunk's uncompressed size (header + page).
    static func appendPage(_ page: [UInt8], type: Int32, codec: Codec, to out: inout [UInt8],
                           _ typeHeader: (inout ThriftWriter) -> Void) throws -> Int {
        let compressed = try compress(page, codec)
        var h = ThriftWriter()
        h.structBody { h in
            h.i32(1, type)
            h.i32(2, Int32(page.count))
            h.i32(3, Int32(compressed.count))
            typeHeader(&h)
        }
        out += h.bytes
        out += compressed
        return h.bytes.count + page.count
    }

    /// Dictionary encoding of `keys` (`count` of them): each distinct key, on its first appearance,
    /// gets the next index (0, 1, …) and its PLAIN bytes (`plain`) in the dictionary page. nil when
    /// a key would be entry number `maxEntries` + 1, or when there are no keys.
    static func dictionary<Keys: Sequence>(_ keys: Keys, count: Int, maxEntries: Int,
                                           plain: (inout [UInt8], Keys.Element) -> Void)
        -> (indices: [UInt32], plain: [UInt8], entries: Int)? where Keys.Element: Hashable {
        var slot: [Keys.Element: UInt32] = [:]
        var bytes: [UInt8] = []
        var indices: [UInt32] = []
        indices.reserveCapacity(count)
        for key in keys {
            if let index = slot[key] { indices.append(index); continue }
            if slot.count >= maxEntries { return nil }
            let index = UInt32(slot.count)
            slot[key] = index
            plain(&bytes, key)
            indices.append(index)
        }
        return indices.isEmpty ? nil : (indices, bytes, slot.count)
    }

    static func appendLE(_ out: inout [UInt8], _ value: UInt32) {
        out.append(UInt8(truncatingIfNeeded: value))
        out.append(UInt8(truncatingIfNeeded: value >> 8))
        out.append(UInt8(truncatingIfNeeded: value >> 16))
        out.append(UInt8(truncatingIfNeeded: value >> 24))
    }

    static func appendByteArray(_ out: inout [UInt8], _ s: String) {
        var s = s
        s.withUTF8 { utf8 in
            appendLE(&out, UInt32(utf8.count))
            out.append(contentsOf: utf8)
        }
    }

    /// Compresses one page; PageHeader sizes are i32, so a page must stay below 2 GiB.
    static func compress(_ page: [UInt8], _ codec: Codec) throws -> [UInt8] {
        guard page.count < Int(Int32.max) else { throw ParquetError(.write, file: "", "a page of \(page.count) bytes is too large") }
        switch codec {
        case .snappy:
            var length = snappy_max_compressed_length(page.count)
            var out = [UInt8](repeating: 0, count: length)
            let status = page.withUnsafeBufferPointer { src in
                out.withUnsafeMutableBufferPointer { dst in
                    snappy_compress(UnsafeRawPointer(src.baseAddress!).assumingMemoryBound(to: CChar.self), src.count,
                                    UnsafeMutableRawPointer(dst.baseAddress!).assumingMemoryBound(to: CChar.self), &length)
                }
            }
            guard status == SNAPPY_OK else { throw ParquetError(.write, file: "", "snappy compression failed") }
            out.removeSubrange(length...)
            return out
        case .zstd:
            let bound = ZSTD_compressBound(page.count)
            var out = [UInt8](repeating: 0, count: bound)
            let n = page.withUnsafeBufferPointer { src in
                out.withUnsafeMutableBufferPointer { dst in
                    ZSTD_compress(dst.baseAddress, bound, src.baseAddress, src.count, 1)
                }
            }
            guard ZSTD_isError(n) == 0 else {
                throw ParquetError(.write, file: "", "zstd compression failed: \(String(cString: ZSTD_getErrorName(n)))")
            }
            out.removeSubrange(n...)
            return out
        default:
            return page
        }
    }
}

/// The RLE / bit-packed hybrid encoder (the inverse of `HybridDecoder`).
///
/// A run of ≥ 16 equal values that starts on a group boundary becomes an RLE run (`2n`, then the value
/// in ⌈width/8⌉ bytes); everything else is bit-packed LSB-first in groups of 8 (`2g+1`), the last
/// group padded with zeros (readers stop at the page's value count).
enum HybridEncoder {
    static func encode<C: Collection>(_ values: C, count: Int, width: Int, into out: inout [UInt8]) where C.Element: BinaryInteger {
        let v = values.map { UInt64($0) }
        precondition(v.count == count)
        var pendingStart = 0            // first value not yet written
        var i = 0
        func flushPacked(upTo end: Int, into out: inout [UInt8]) {
            guard end > pendingStart else { return }
            let n = end - pendingStart
            let groups = (n + 7) / 8
            varint(UInt64(groups) << 1 | 1, &out)
            var buffer: UInt64 = 0, bits = 0
            for k in 0..<(groups * 8) {
                let value = pendingStart + k < end ? v[pendingStart + k] : 0
                buffer |= value << UInt64(bits)
                bits += width
                while bits >= 8 {
                    out.append(UInt8(truncatingIfNeeded: buffer))
                    buffer >>= 8
                    bits -= 8
                }
            }
            pendingStart = end
        }
        while i < count {
            var run = 1
            while i + run < count && v[i + run] == v[i] { run += 1 }
            if run >= 16 && (i - pendingStart) % 8 == 0 {
                flushPacked(upTo: i, into: &out)
                varint(UInt64(run) << 1, &out)
                var value = v[i]
                for _ in 0..<((width + 7) / 8) {
                    out.append(UInt8(truncatingIfNeeded: value))
                    value >>= 8
                }
                i += run
                pendingStart = i
            } else if run >= 16 {
                // Fill the current group with this value, then look again from the boundary.
                let toBoundary = 8 - (i - pendingStart) % 8
                i += toBoundary
            } else {
                i += run
            }
        }
        flushPacked(upTo: count, into: &out)
    }

    static func varint(_ value: UInt64, _ out: inout [UInt8]) {
        var v = value
        while v >= 0x80 {
            out.append(UInt8(v & 0x7F) | 0x80)
            v >>= 7
        }
        out.append(UInt8(v))
    }
}
