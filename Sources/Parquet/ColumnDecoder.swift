/// How a column's physical values become the caller's element type `T`.
struct ValueReader<T> {
    /// The value written where the column is null (NaN for floats, 0, "" or false otherwise).
    let null: T
    /// Decodes `count` PLAIN values from the cursor into `out` (initialized memory).
    let plain: (inout ByteCursor, Int, UnsafeMutablePointer<T>) throws -> Void
    /// For BOOLEAN columns: maps a decoded RLE bit to `T` (booleans may be RLE-encoded).
    let bit: ((UInt32) -> T)?
}

/// A leaf column of a flat schema, as the decoder needs it.
struct ColumnDescriptor: Sendable {
    let info: ParquetColumnInfo
    let leafIndex: Int
    let maxDefinitionLevel: Int
    let maxRepetitionLevel: Int
}

/// Decodes every page of one column chunk into `out[0..<rows]` (and `nulls`, when given).
///
/// Pages: an optional dictionary page first, then data pages (v1: levels and values compressed
/// together, levels length-prefixed; v2: levels uncompressed and unprefixed, values compressed when
/// `is_compressed`). Values of a page are decoded densely (non-null values only), then spread over
/// the page's rows by the definition levels (`level == maxDefinitionLevel` ⇔ present).
struct ColumnChunkDecoder<T> {
    let column: ColumnDescriptor
    let codec: Codec
    let reader: ValueReader<T>

    private var dictionary: [T]?
    private var dense: [T] = []
    private var levels: [UInt32] = []
    private var indices: [UInt32] = []

    init(column: ColumnDescriptor, codec: Codec, reader: ValueReader<T>) {
        self.column = column
        self.codec = codec
        self.reader = reader
    }

    /// Returns the number of nulls written.
    mutating func decode(_ chunk: PaddedBuffer, rows: Int, into out: UnsafeMutablePointer<T>,
                         nulls: UnsafeMutablePointer<Bool>?) throws -> Int {
        var position = 0, filled = 0, nullCount = 0, pageIndex = 0
        let bytes = chunk.buffer
        while filled < rows {
            guard position < bytes.count else {
                throw DecodeError("column chunk ends after \(filled) of its \(rows) values")
            }
            var thrift = ThriftReader(bytes, start: position)
            let header: PageHeader
            do { header = try PageHeader.read(&thrift) } catch let e as DecodeError {
                throw DecodeError("page \(pageIndex) header: \(e.message)", kind: e.kind)
            }
            position = thrift.position
            guard header.compressedSize >= 0, Int(header.compressedSize) <= bytes.count - position else {
                throw DecodeError("page \(pageIndex) claims \(header.compressedSize) bytes but the column chunk has \(bytes.count - position) left")
            }
            let page = UnsafeBufferPointer(rebasing: bytes[position..<(position + Int(header.compressedSize))])
            position += Int(header.compressedSize)
            do {
                switch PageType(rawValue: header.type) {
                case .dictionaryPage?:
                    try readDictionary(header, page)
                case .dataPage?, .dataPageV2?:
                    let n = try readDataPage(header, page, remaining: rows - filled, out: out + filled,
                                             nulls: nulls.map { $0 + filled })
                    filled += n.values
                    nullCount += n.nulls
                default:
                    break   // index pages and unknown page types carry no values
                }
            } catch let e as DecodeError {
                throw DecodeError("page \(pageIndex): \(e.message)", kind: e.kind)
            }
            pageIndex += 1
        }
        return nullCount
    }

    private mutating func readDictionary(_ header: PageHeader, _ page: UnsafeBufferPointer<UInt8>) throws {
        guard dictionary == nil else { throw DecodeError("second dictionary page in one column chunk") }
        guard header.hasTypeHeader else { throw DecodeError("dictionary page without its header") }
        guard header.encoding == Encoding.plain.rawValue || header.encoding == Encoding.plainDictionary.rawValue else {
            throw DecodeError("dictionary page encoding \(header.encoding) is not PLAIN", kind: .unsupported)
        }
        let data = try Decompressor.decompress(page, codec: codec, uncompressedSize: Int(header.uncompressedSize))
        let count = Int(header.numValues)
        // Every value takes at least one bit (BOOLEAN) and usually a byte: bound before allocating.
        guard count >= 0, count <= data.count * 8 else {
            throw DecodeError("dictionary page claims \(header.numValues) values in \(data.count) bytes")
        }
        var cursor = ByteCursor(data.buffer)
        var values = [T](repeating: reader.null, count: count)
        try values.withUnsafeMutableBufferPointer { try reader.plain(&cursor, count, $0.baseAddress!) }
        dictionary = values
    }

    private mutating func readDataPage(_ header: PageHeader, _ page: UnsafeBufferPointer<UInt8>, remaining: Int,
                                       out: UnsafeMutablePointer<T>, nulls: UnsafeMutablePointer<Bool>?) throws -> (values: Int, nulls: Int) {
        guard header.hasTypeHeader else { throw DecodeError("data page without its header") }
        let count = Int(header.numValues)
        guard count >= 0, count <= remaining else {
            throw DecodeError("data page claims \(header.numValues) values but only \(remaining) rows remain in the row group")
        }
        let maxDef = column.maxDefinitionLevel
        var defined = count
        var valueBytes: UnsafeBufferPointer<UInt8>
        var keepAlive: PaddedBuffer?
        if header.type == PageType.dataPage.rawValue {
            let data = try Decompressor.decompress(page, codec: codec, uncompressedSize: Int(header.uncompressedSize))
            keepAlive = data
            var cursor = ByteCursor(data.buffer)
            if maxDef > 0 {
                guard header.definitionLevelEncoding == Encoding.rle.rawValue else {
                    throw DecodeError("definition level encoding \(header.definitionLevelEncoding) is not RLE", kind: .unsupported)
                }
                let length = try cursor.uint32LE("definition levels length")
                defined = try decodeLevels(try cursor.take(length, "definition levels"), count: count)
            }
            valueBytes = cursor.rest
        } else {
            guard header.numRows == header.numValues else {
                throw DecodeError("data page v2 has \(header.numRows) rows but \(header.numValues) values (nested data is not supported)", kind: .unsupported)
            }
            let repLength = Int(header.repetitionLevelsLength), defLength = Int(header.definitionLevelsLength)
            guard repLength >= 0, defLength >= 0, repLength + defLength <= page.count else {
                throw DecodeError("data page v2 level lengths \(repLength) + \(defLength) exceed its \(page.count) bytes")
            }
            guard repLength == 0 else { throw DecodeError("repetition levels in a flat column", kind: .unsupported) }
            if maxDef > 0 {
                defined = try decodeLevels(UnsafeBufferPointer(rebasing: page[0..<defLength]), count: count)
            } else if defLength != 0 {
                throw DecodeError("definition levels in a required column")
            }
            let compressedValues = UnsafeBufferPointer(rebasing: page[defLength...])
            if header.isCompressed && codec != .uncompressed {
                let size = Int(header.uncompressedSize) - repLength - defLength
                let data = try Decompressor.decompress(compressedValues, codec: codec, uncompressedSize: size)
                keepAlive = data
                valueBytes = data.buffer
            } else {
                // Inside the padded chunk buffer, so bit unpacking may read past its end.
                valueBytes = compressedValues
            }
            guard count - defined == Int(header.numNulls) || header.numNulls == 0 && maxDef == 0 else {
                throw DecodeError("data page v2 says \(header.numNulls) nulls but its levels give \(count - defined)")
            }
        }
        try withExtendedLifetime(keepAlive) {
            if defined == count {
                try decodeValues(header.encoding, valueBytes, count: count, into: out)
            } else {
                var scratch = dense   // moved out: decodeValues mutates self
                dense = []
                defer { dense = scratch }
                if scratch.count < defined { scratch = [T](repeating: reader.null, count: max(defined, scratch.count * 2)) }
                try scratch.withUnsafeMutableBufferPointer { denseBuffer in
                    try decodeValues(header.encoding, valueBytes, count: defined, into: denseBuffer.baseAddress!)
                }
                let null = reader.null
                // Spread: present rows take the next dense value, absent rows the null value.
                scratch.withUnsafeBufferPointer { denseBuffer in
                    levels.withUnsafeBufferPointer { levelBuffer in
                        var j = 0
                        let present = UInt32(maxDef)
                        for i in 0..<count {
                            if levelBuffer[i] == present {
                                out[i] = denseBuffer[j]
                                j += 1
                            } else {
                                out[i] = null
                                nulls?[i] = true
                            }
                        }
                    }
                }
            }
            if defined == count, let nulls { nulls.update(repeating: false, count: count) }
        }
        return (count, count - defined)
    }

    /// Decodes `count` definition levels into `levels`; returns how many rows are present.
    private mutating func decodeLevels(_ bytes: UnsafeBufferPointer<UInt8>, count: Int) throws -> Int {
        let maxDef = column.maxDefinitionLevel
        let width = Int.bitWidth - maxDef.leadingZeroBitCount
        // Fast path (pyarrow's nullable columns without nulls): one RLE run of "present" covering the
        // page; the levels are then never needed, because a page without nulls is decoded in place.
        if maxDef == 1, bytes.count >= 2, count > 0 {
            var header = 0, shift = 0, i = 0
            while i < bytes.count && i < 5 {
                header |= Int(bytes[i] & 0x7f) << shift
                shift += 7
                i += 1
                if bytes[i - 1] & 0x80 == 0 { break }
            }
            if bytes[i - 1] & 0x80 == 0, header & 1 == 0, header >> 1 >= count, i < bytes.count, bytes[i] == 1 {
                return count
            }
        }
        var decoder = try HybridDecoder(bytes, width: width)
        if levels.count < count { levels = [UInt32](repeating: 0, count: max(count, levels.count * 2)) }
        return try levels.withUnsafeMutableBufferPointer { buffer in
            try decoder.decode(count, into: buffer.baseAddress!)
            // Branch-free (vectorizable) count and range check.
            var present = 0, highest: UInt32 = 0
            let top = UInt32(maxDef)
            for i in 0..<count {
                let level = buffer[i]
                present &+= level == top ? 1 : 0
                highest = max(highest, level)
            }
            guard highest <= top else { throw DecodeError("definition level \(highest) above the maximum \(maxDef)") }
            return present
        }
    }

    private mutating func decodeValues(_ encodingCode: Int32, _ bytes: UnsafeBufferPointer<UInt8>, count: Int,
                                       into out: UnsafeMutablePointer<T>) throws {
        switch Encoding(rawValue: encodingCode) {
        case .plain?:
            var cursor = ByteCursor(bytes)
            try reader.plain(&cursor, count, out)
        case .plainDictionary?, .rleDictionary?:
            guard let dictionary else { throw DecodeError("dictionary-encoded page without a dictionary page") }
            guard count > 0 else { return }
            guard bytes.count >= 1 else { throw DecodeError("dictionary-encoded page has no bit width byte") }
            var decoder = try HybridDecoder(UnsafeBufferPointer(rebasing: bytes[1...]), width: Int(bytes[0]))
            if indices.count < count { indices = [UInt32](repeating: 0, count: max(count, indices.count * 2)) }
            try indices.withUnsafeMutableBufferPointer { indexBuffer in
                try decoder.decode(count, into: indexBuffer.baseAddress!)
                try dictionary.withUnsafeBufferPointer { dict in
                    let size = UInt32(truncatingIfNeeded: dict.count)
                    for i in 0..<count {
                        let index = indexBuffer[i]
                        guard index < size else { throw DecodeError("dictionary index \(index) out of range (\(dict.count) entries)") }
                        out[i] = dict[Int(index)]
                    }
                }
            }
        case .rle? where reader.bit != nil:
            var cursor = ByteCursor(bytes)
            let length = try cursor.uint32LE("RLE boolean length")
            var decoder = try HybridDecoder(try cursor.take(length, "RLE booleans"), width: 1)
            if indices.count < count { indices = [UInt32](repeating: 0, count: max(count, indices.count * 2)) }
            let bit = reader.bit!
            try indices.withUnsafeMutableBufferPointer { buffer in
                try decoder.decode(count, into: buffer.baseAddress!)
                for i in 0..<count { out[i] = bit(buffer[i]) }
            }
        default:
            let name = Encoding(rawValue: encodingCode).map { "\($0)" } ?? "\(encodingCode)"
            throw DecodeError("value encoding \(name) is not supported for \(column.info.physicalType) "
                              + "(supported: PLAIN, PLAIN_DICTIONARY, RLE_DICTIONARY, RLE for booleans)", kind: .unsupported)
        }
    }
}
