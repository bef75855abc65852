import Foundation
import Support

/// One column of the file's (flat) schema.
public struct ParquetColumnInfo: Sendable, Equatable, CustomStringConvertible {
    /// Column name; leaves of nested groups are named by their dotted path.
    public let name: String
    public let physicalType: ParquetPhysicalType
    public let logicalType: ParquetLogicalType
    /// True when the column may hold nulls (OPTIONAL repetition).
    public let isOptional: Bool

    public var description: String {
        "\(name): \(physicalType)\(logicalType == .none ? "" : " \(logicalType)")\(isOptional ? " optional" : "")"
    }
}

/// A column's values. Null rows hold NaN (float, double), 0, "" or false; `nulls` is the null mask
/// (nil for required columns).
public enum ParquetColumn: Sendable {
    case int32([Int32], nulls: [Bool]?)
    case int64([Int64], nulls: [Bool]?)
    case float([Float], nulls: [Bool]?)
    case double([Double], nulls: [Bool]?)
    case string([String], nulls: [Bool]?)
    case bool([Bool], nulls: [Bool]?)

    public var count: Int {
        switch self {
        case .int32(let v, _): v.count
        case .int64(let v, _): v.count
        case .float(let v, _): v.count
        case .double(let v, _): v.count
        case .string(let v, _): v.count
        case .bool(let v, _): v.count
        }
    }

    public var nulls: [Bool]? {
        switch self {
        case .int32(_, let n), .int64(_, let n), .float(_, let n), .double(_, let n), .string(_, let n), .bool(_, let n): n
        }
    }
}

/// A parquet file opened for column reads (flat schemas as pyarrow writes them).
///
/// Opening reads only the footer. Each read fetches just the requested column's chunks (by their
/// offsets in the footer) and decodes them; `readColumns` and the other plural reads decode columns
/// in parallel, each into its own output, so results do not depend on the thread count.
public final class ParquetFile: @unchecked Sendable {
    /// The path (or name) used in every error message.
    public let path: String
    public let schema: [ParquetColumnInfo]
    public let rowCount: Int
    /// Row count of each row group, in file order.
    public let rowGroupSizes: [Int]
    /// Footer key-value metadata (e.g. `pandas`, `ARROW:schema`).
    public let keyValueMetadata: [String: String]
    /// Index columns named by pandas' metadata (`index_columns`), e.g. `["id"]`; range indexes are omitted.
    public let pandasIndexColumns: [String]
    public let createdBy: String?

    private let source: ByteSource
    private let columns: [ColumnDescriptor]
    private let columnIndex: [String: Int]
    private let rowGroups: [RowGroup]

    static let magic: [UInt8] = Array("PAR1".utf8)
    /// A file may claim at most this many rows per byte: generous for run-length-encoded data, and it
    /// keeps a corrupt row count from allocating without bound.
    static let maxRowsPerByte = 8192
    static let maxFooterBytes = 1 << 30

    public convenience init(path: String) throws {
        try self.init(source: try FileSource(path: path), path: path)
    }

    /// Opens parquet bytes held in memory; `name` is used in error messages.
    public convenience init(bytes: [UInt8], name: String) throws {
        try self.init(source: MemorySource(bytes), path: name)
    }

    init(source: ByteSource, path: String) throws {
        self.source = source
        self.path = path
        func fail(_ kind: ParquetError.Kind, _ message: String) -> ParquetError {
            ParquetError(kind, file: path, message)
        }
        func fail(_ message: String) -> ParquetError { fail(.corrupt, message) }
        let size = source.size
        guard size >= 12 else {
            throw fail(.unreadable, size == 0 ? "empty file, not parquet" : "only \(size) bytes: too short for parquet (truncated?)")
        }
        let head: PaddedBuffer, tail: PaddedBuffer
        do {
            head = try source.read(offset: 0, count: 4)
            tail = try source.read(offset: size - 8, count: 8)
        } catch let e as DecodeError { throw fail(e.kind, e.message) }
        guard Array(head.buffer) == Self.magic else { throw fail(.unreadable, "not a parquet file (no PAR1 magic at the start)") }
        guard Array(tail.buffer[4..<8]) == Self.magic else {
            throw fail(.corrupt, "no PAR1 magic at the end: the file is truncated or not parquet")
        }
        let footerLength = Int(UnsafeRawPointer(tail.pointer).loadUnaligned(as: UInt32.self).littleEndian)
        guard footerLength > 0, footerLength <= size - 12, footerLength <= Self.maxFooterBytes else {
            throw fail("footer length \(footerLength) does not fit in the \(size)-byte file (truncated?)")
        }
        let meta: FileMetaData
        do {
            let footer = try source.read(offset: size - 8 - footerLength, count: footerLength)
            var reader = ThriftReader(footer.buffer)
            meta = try FileMetaData.read(&reader)
        } catch let e as DecodeError {
            throw fail(e.kind, "footer: \(e.message)")
        }
        createdBy = meta.createdBy

        // Schema: element 0 is the root; leaves are visited depth-first, in column-chunk order.
        guard let root = meta.schema.first else { throw fail("footer: empty schema") }
        var infos: [ParquetColumnInfo] = [], descriptors: [ColumnDescriptor] = []
        var next = 1
        func walk(children: Int, prefix: [String], def: Int, rep: Int, depth: Int) throws {
            guard depth < 32 else { throw fail("footer: schema nested too deeply") }
            for _ in 0..<children {
                guard next < meta.schema.count else { throw fail("footer: schema ends inside a group") }
                let e = meta.schema[next]
                next += 1
                let repetition = e.repetition ?? .required
                let d = def + (repetition == .required ? 0 : 1), r = rep + (repetition == .repeated ? 1 : 0)
                if e.numChildren > 0 {
                    guard Int(e.numChildren) <= meta.schema.count - next else {
                        throw fail("footer: group '\(e.name)' claims \(e.numChildren) children")
                    }
                    try walk(children: Int(e.numChildren), prefix: prefix + [e.name], def: d, rep: r, depth: depth + 1)
                } else {
                    guard let type = e.type else { throw fail("footer: column '\(e.name)' has no physical type") }
                    let info = ParquetColumnInfo(name: (prefix + [e.name]).joined(separator: "."), physicalType: type,
                                                 logicalType: e.logicalType, isOptional: repetition == .optional)
                    descriptors.append(ColumnDescriptor(info: info, leafIndex: infos.count,
                                                        maxDefinitionLevel: d, maxRepetitionLevel: r))
                    infos.append(info)
                }
            }
        }
        guard root.numChildren >= 0, Int(root.numChildren) < meta.schema.count else {
            throw fail("footer: schema root claims \(root.numChildren) columns but the schema has \(meta.schema.count - 1) elements")
        }
        try walk(children: Int(root.numChildren), prefix: [], def: 0, rep: 0, depth: 0)
        schema = infos
        columns = descriptors
        var index: [String: Int] = [:]
        for (i, info) in infos.enumerated() where index[info.name] == nil { index[info.name] = i }
        columnIndex = index

        // Row groups: counts must agree, and be plausible for the file size.
        var total = 0
        for (g, group) in meta.rowGroups.enumerated() {
            guard group.numRows >= 0, group.numRows <= Int64(size) * Int64(Self.maxRowsPerByte) else {
                throw fail("footer: row group \(g) claims \(group.numRows) rows in a \(size)-byte file")
            }
            guard group.columns.count == infos.count else {
                throw fail("footer: row group \(g) has \(group.columns.count) column chunks for \(infos.count) columns")
            }
            total += Int(group.numRows)
            guard total <= size * Self.maxRowsPerByte else { throw fail("footer: claims \(total)+ rows in a \(size)-byte file") }
        }
        guard Int64(total) == meta.numRows else {
            throw fail("footer: says \(meta.numRows) rows but its row groups hold \(total)")
        }
        rowCount = total
        rowGroups = meta.rowGroups
        rowGroupSizes = meta.rowGroups.map { Int($0.numRows) }

        var keyValues: [String: String] = [:]
        for kv in meta.keyValues { keyValues[kv.key] = kv.value ?? "" }
        keyValueMetadata = keyValues
        pandasIndexColumns = Self.pandasIndex(keyValues["pandas"])
    }

    /// `index_columns` from pandas' JSON metadata: names only (a RangeIndex is a JSON object, skipped).
    static func pandasIndex(_ json: String?) -> [String] {
        guard let json, let object = try? JSONSerialization.jsonObject(with: Data(json.utf8)) as? [String: Any],
              let index = object["index_columns"] as? [Any] else { return [] }
        return index.compactMap { $0 as? String }
    }

    public var columnNames: [String] { schema.map(\.name) }

    /// The schema entry of a column, or nil.
    public func column(named name: String) -> ParquetColumnInfo? { columnIndex[name].map { schema[$0] } }

    // MARK: reads

    /// Reads a column in its natural type: INT32 (including INT(8/16)) → `.int32`, INT64 → `.int64`,
    /// FLOAT, DOUBLE, BYTE_ARRAY → `.string` (UTF-8), BOOLEAN → `.bool`.
    public func readColumn(_ name: String) throws -> ParquetColumn {
        let c = try descriptor(name)
        switch c.info.physicalType {
        case .int32: return try read(c, ValueReaders.int32(c), as: ParquetColumn.int32)
        case .int64: return try read(c, ValueReaders.int64(c), as: ParquetColumn.int64)
        case .float: return try read(c, ValueReaders.float(c), as: ParquetColumn.float)
        case .double: return try read(c, ValueReaders.double(c), as: ParquetColumn.double)
        case .byteArray: return try read(c, ValueReaders.string(c), as: ParquetColumn.string)
        case .boolean: return try read(c, ValueReaders.bool(c), as: ParquetColumn.bool)
        case .int96, .fixedLenByteArray:
            throw ParquetError(.unsupported, file: path, "column '\(name)': physical type \(c.info.physicalType) is not supported")
        }
    }

    /// Reads several columns in parallel; results in the order asked.
    public func readColumns(_ names: [String]) throws -> [ParquetColumn] {
        try parallel(names) { try self.readColumn($0) }
    }

    /// A numeric column as Float: nulls become NaN; integers and doubles are converted (rounded to nearest).
    public func readFloatColumn(_ name: String) throws -> [Float] {
        let c = try descriptor(name)
        return try read(c, try ValueReaders.numeric(c, path: path, as: Float.self) { Float($0) } integer: { Float($0) }, wantNulls: false).values
    }

    public func readFloatColumns(_ names: [String]) throws -> [[Float]] {
        try parallel(names) { try self.readFloatColumn($0) }
    }

    /// A numeric column as Double: nulls become NaN.
    public func readDoubleColumn(_ name: String) throws -> [Double] {
        let c = try descriptor(name)
        return try read(c, try ValueReaders.numeric(c, path: path, as: Double.self) { $0 } integer: { Double($0) }, wantNulls: false).values
    }

    /// An integer column (INT32 or INT64, e.g. int8 features) as bins: each value must lie in `validBins`;
    /// nulls become `nullBin`. Errors name the column and the first offending value.
    public func readInt8Bins(_ name: String, nullBin: UInt8 = 2, validBins: ClosedRange<UInt8> = 0...254) throws -> [UInt8] {
        let c = try descriptor(name)
        return try read(c, try ValueReaders.bins(c, path: path, null: nullBin, valid: validBins), wantNulls: false).values
    }

    /// Like `readInt8Bins`, writing into `out` (exactly `rowCount` elements): no intermediate array.
    public func readInt8Bins(_ name: String, nullBin: UInt8 = 2, validBins: ClosedRange<UInt8> = 0...254,
                             into out: UnsafeMutableBufferPointer<UInt8>) throws {
        let c = try descriptor(name)
        precondition(out.count == rowCount, "output must hold rowCount bins")
        try decodeAll(c, try ValueReaders.bins(c, path: path, null: nullBin, valid: validBins), into: out.baseAddress!, nulls: nil)
    }

    public func readInt8Bins(_ names: [String], nullBin: UInt8 = 2, validBins: ClosedRange<UInt8> = 0...254) throws -> [[UInt8]] {
        try parallel(names) { try self.readInt8Bins($0, nullBin: nullBin, validBins: validBins) }
    }

    /// A column as text: strings as they are, integers in decimal, booleans as true/false, floats via
    /// Swift's shortest round-trip form; nulls are "" and flagged in `nulls`.
    public func readStringColumn(_ name: String) throws -> (values: [String], nulls: [Bool]?) {
        switch try readColumn(name) {
        case .string(let v, let n): return (v, n)
        case .int32(let v, let n): return (v.map { String($0) }, n)
        case .int64(let v, let n): return (v.map { String($0) }, n)
        case .bool(let v, let n): return (v.map { String($0) }, n)
        case .float(let v, let n): return (v.indices.map { n?[$0] == true ? "" : "\(v[$0])" }, n)
        case .double(let v, let n): return (v.indices.map { n?[$0] == true ? "" : "\(v[$0])" }, n)
        }
    }

    // MARK: internals

    private func descriptor(_ name: String) throws -> ColumnDescriptor {
        guard let i = columnIndex[name] else {
            let suggestion = closest(to: name, in: schema.map(\.name)).map { " (did you mean '\($0)'?)" } ?? ""
            throw ParquetError(.column, file: path, "no column '\(name)'\(suggestion)")
        }
        let c = columns[i]
        guard c.maxRepetitionLevel == 0, c.maxDefinitionLevel <= 1 else {
            throw ParquetError(.unsupported, file: path, "column '\(name)' is nested (lists, maps or structs are not supported)")
        }
        return c
    }

    /// The column with its nulls, as the `ParquetColumn` case `make`.
    private func read<T>(_ c: ColumnDescriptor, _ reader: ValueReader<T>,
                         as make: ([T], [Bool]?) -> ParquetColumn) throws -> ParquetColumn {
        let (values, nulls) = try read(c, reader)
        return make(values, nulls)
    }

    private func read<T>(_ c: ColumnDescriptor, _ reader: ValueReader<T>, wantNulls: Bool = true) throws -> (values: [T], nulls: [Bool]?) {
        var values = [T](repeating: reader.null, count: rowCount)
        let hasNulls = wantNulls && c.info.isOptional
        var nulls = [Bool](repeating: false, count: hasNulls ? rowCount : 0)
        try values.withUnsafeMutableBufferPointer { v in
            try nulls.withUnsafeMutableBufferPointer { n in
                try decodeAll(c, reader, into: v.baseAddress!, nulls: hasNulls ? n.baseAddress! : nil)
            }
        }
        return (values, hasNulls ? nulls : nil)
    }

    /// Decodes every row group's chunk of a column into `out[0..<rowCount]`.
    private func decodeAll<T>(_ c: ColumnDescriptor, _ reader: ValueReader<T>, into out: UnsafeMutablePointer<T>,
                              nulls: UnsafeMutablePointer<Bool>?) throws {
        var offset = 0
        for (g, group) in rowGroups.enumerated() {
            let rows = Int(group.numRows)
            // An empty row group (what pyarrow writes for a zero-row table) has nothing to decode;
            // its chunk offsets are 0 and must not make a valid file look corrupt.
            if rows == 0 { continue }
            func fail(_ kind: ParquetError.Kind, _ message: String) -> ParquetError {
                ParquetError(kind, file: path, "column '\(c.info.name)', row group \(g): \(message)")
            }
            guard let meta = group.columns[c.leafIndex].meta else { throw fail(.corrupt, "column chunk has no metadata") }
            if let external = group.columns[c.leafIndex].filePath, !external.isEmpty {
                throw fail(.unsupported, "column chunk lives in another file ('\(external)')")
            }
            guard meta.type == c.info.physicalType else {
                throw fail(.corrupt, "column chunk type \(meta.type.map { "\($0)" } ?? "missing") differs from the schema's \(c.info.physicalType)")
            }
            guard meta.numValues == Int64(rows) else {
                throw fail(.corrupt, "column chunk holds \(meta.numValues) values for \(rows) rows")
            }
            guard let codec = Codec(rawValue: meta.codec) else { throw fail(.corrupt, "unknown compression codec \(meta.codec)") }
            var start = meta.dataPageOffset
            if let d = meta.dictionaryPageOffset, d > 0, d < start { start = d }
            let length = meta.totalCompressedSize
            let limit = Int64(source.size - 8)
            guard start >= 4, length >= 0, start <= limit, length <= limit - start else {
                throw fail(.corrupt, "column chunk bytes \(start)..<\(start &+ length) lie outside the file's data (4..<\(limit))")
            }
            if rows > 0 {
                do {
                    let chunk = try source.read(offset: Int(start), count: Int(length))
                    var decoder = ColumnChunkDecoder(column: c, codec: codec, reader: reader)
                    _ = try decoder.decode(chunk, rows: rows, into: out + offset, nulls: nulls.map { $0 + offset })
                } catch let e as DecodeError {
                    throw fail(e.kind, e.message)
                }
            }
            offset += rows
        }
    }

    private func parallel<T>(_ names: [String], _ body: @Sendable (String) throws -> T) throws -> [T] {
        var results = [Result<T, Error>?](repeating: nil, count: names.count)
        results.withUnsafeMutableBufferPointer { slots in
            nonisolated(unsafe) let slots = slots
            DispatchQueue.concurrentPerform(iterations: names.count) { i in
                slots[i] = Result { try body(names[i]) }
            }
        }
        // The first failure in request order, so the error does not depend on scheduling.
        return try results.map { try $0!.get() }
    }
}
