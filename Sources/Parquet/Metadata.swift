/// The parts of parquet's Thrift metadata (parquet.thrift) this reader uses. Unknown fields are
/// skipped, so files from newer writers still open.

/// Physical storage type of a column (parquet.thrift `Type`).
public enum ParquetPhysicalType: Int32, Sendable, CustomStringConvertible {
    case boolean = 0, int32 = 1, int64 = 2, int96 = 3, float = 4, double = 5, byteArray = 6, fixedLenByteArray = 7

    public var description: String {
        switch self {
        case .boolean: "BOOLEAN"
        case .int32: "INT32"
        case .int64: "INT64"
        case .int96: "INT96"
        case .float: "FLOAT"
        case .double: "DOUBLE"
        case .byteArray: "BYTE_ARRAY"
        case .fixedLenByteArray: "FIXED_LEN_BYTE_ARRAY"
        }
    }
}

/// The logical annotation of a column, from `logicalType` or the older `converted_type`.
public enum ParquetLogicalType: Equatable, Sendable, CustomStringConvertible {
    case none
    case string
    case integer(bitWidth: Int, signed: Bool)
    /// Any other annotation (DATE, DECIMAL, TIMESTAMP, ...), by name; values are read as their physical type.
    case other(String)

    public var description: String {
        switch self {
        case .none: "none"
        case .string: "STRING"
        case .integer(let bits, let signed): "\(signed ? "" : "U")INT(\(bits))"
        case .other(let name): name
        }
    }
}

enum Encoding: Int32 {
    case plain = 0, plainDictionary = 2, rle = 3, bitPacked = 4, deltaBinaryPacked = 5
    case deltaLengthByteArray = 6, deltaByteArray = 7, rleDictionary = 8, byteStreamSplit = 9
}

enum Codec: Int32 {
    case uncompressed = 0, snappy = 1, gzip = 2, lzo = 3, brotli = 4, lz4 = 5, zstd = 6, lz4Raw = 7
}

enum Repetition: Int32 { case required = 0, optional = 1, repeated = 2 }

struct SchemaElement {
    var type: ParquetPhysicalType?
    var typeLength: Int32?
    var repetition: Repetition?
    var name = ""
    var numChildren: Int32 = 0
    var convertedType: Int32?
    var logical: ParquetLogicalType?

    static func read(_ r: inout ThriftReader) throws -> SchemaElement {
        var e = SchemaElement()
        try r.readStruct { r, id, t in
            switch (id, t) {
            case (1, .i32):
                let v = try r.i32()
                guard let type = ParquetPhysicalType(rawValue: v) else { throw DecodeError("unknown physical type \(v)") }
                e.type = type
            case (2, .i32): e.typeLength = try r.i32()
            case (3, .i32):
                let v = try r.i32()
                guard let rep = Repetition(rawValue: v) else { throw DecodeError("unknown repetition type \(v)") }
                e.repetition = rep
            case (4, .binary): e.name = try r.string()
            case (5, .i32): e.numChildren = try r.i32()
            case (6, .i32): e.convertedType = try r.i32()
            case (10, .structure): e.logical = try readLogicalType(&r)
            default: return false
            }
            return true
        }
        return e
    }

    /// LogicalType is a Thrift union: exactly one field set.
    static func readLogicalType(_ r: inout ThriftReader) throws -> ParquetLogicalType {
        var result = ParquetLogicalType.other("UNKNOWN")
        let names: [Int16: String] = [2: "MAP", 3: "LIST", 4: "ENUM", 5: "DECIMAL", 6: "DATE", 7: "TIME",
                                      8: "TIMESTAMP", 11: "NULL", 12: "JSON", 13: "BSON", 14: "UUID", 15: "FLOAT16"]
        try r.readStruct { r, id, t in
            switch (id, t) {
            case (1, .structure):
                try r.skip(.structure)
                result = .string
            case (10, .structure):
                var bits = 0, signed = true
                try r.readStruct { r, id, t in
                    switch (id, t) {
                    case (1, .byte): bits = Int(Int8(bitPattern: try r.byte()))
                    case (2, _): signed = try ThriftReader.bool(t)
                    default: return false
                    }
                    return true
                }
                result = .integer(bitWidth: bits, signed: signed)
            default:
                try r.skip(t)
                result = .other(names[id] ?? "LOGICAL(\(id))")
            }
            return true
        }
        return result
    }

    /// The annotation from `logicalType`, else from the legacy `converted_type`.
    var logicalType: ParquetLogicalType {
        if let logical { return logical }
        switch convertedType {
        case nil: return .none
        case 0?: return .string
        case 11?: return .integer(bitWidth: 8, signed: false)
        case 12?: return .integer(bitWidth: 16, signed: false)
        case 13?: return .integer(bitWidth: 32, signed: false)
        case 14?: return .integer(bitWidth: 64, signed: false)
        case 15?: return .integer(bitWidth: 8, signed: true)
        case 16?: return .integer(bitWidth: 16, signed: true)
        case 17?: return .integer(bitWidth: 32, signed: true)
        case 18?: return .integer(bitWidth: 64, signed: true)
        case let c?: return .other("CONVERTED(\(c))")
        }
    }
}

struct ColumnMetaData {
    var type: ParquetPhysicalType?
    var path: [String] = []
    var codec: Int32 = 0
    var numValues: Int64 = -1
    var totalCompressedSize: Int64 = -1
    var dataPageOffset: Int64 = -1
    var dictionaryPageOffset: Int64?

    static func read(_ r: inout ThriftReader) throws -> ColumnMetaData {
        var m = ColumnMetaData()
        try r.readStruct { r, id, t in
            switch (id, t) {
            case (1, .i32): m.type = ParquetPhysicalType(rawValue: try r.i32())
            case (3, .list): m.path = try r.readList(of: .binary) { try $0.string() }
            case (4, .i32): m.codec = try r.i32()
            case (5, .i64): m.numValues = try r.i64()
            case (7, .i64): m.totalCompressedSize = try r.i64()
            case (9, .i64): m.dataPageOffset = try r.i64()
            case (11, .i64): m.dictionaryPageOffset = try r.i64()
            default: return false
            }
            return true
        }
        return m
    }
}

struct ColumnChunk {
    var filePath: String?
    var meta: ColumnMetaData?

    static func read(_ r: inout ThriftReader) throws -> ColumnChunk {
        var c = ColumnChunk()
        try r.readStruct { r, id, t in
            switch (id, t) {
            case (1, .binary): c.filePath = try r.string()
            case (3, .structure): c.meta = try ColumnMetaData.read(&r)
            default: return false
            }
            return true
        }
        return c
    }
}

struct RowGroup {
    var columns: [ColumnChunk] = []
    var numRows: Int64 = -1

    static func read(_ r: inout ThriftReader) throws -> RowGroup {
        var g = RowGroup()
        try r.readStruct { r, id, t in
            switch (id, t) {
            case (1, .list): g.columns = try r.readList(of: .structure) { try ColumnChunk.read(&$0) }
            case (3, .i64): g.numRows = try r.i64()
            default: return false
            }
            return true
        }
        return g
    }
}

struct FileMetaData {
    var schema: [SchemaElement] = []
    var numRows: Int64 = -1
    var rowGroups: [RowGroup] = []
    var keyValues: [(key: String, value: String?)] = []
    var createdBy: String?

    static func read(_ r: inout ThriftReader) throws -> FileMetaData {
        var f = FileMetaData()
        try r.readStruct { r, id, t in
            switch (id, t) {
            case (2, .list): f.schema = try r.readList(of: .structure) { try SchemaElement.read(&$0) }
            case (3, .i64): f.numRows = try r.i64()
            case (4, .list): f.rowGroups = try r.readList(of: .structure) { try RowGroup.read(&$0) }
            case (5, .list):
                f.keyValues = try r.readList(of: .structure) { r in
                    var key = "", value: String?
                    try r.readStruct { r, id, t in
                        switch (id, t) {
                        case (1, .binary): key = try r.string()
                        case (2, .binary): value = try r.string()
                        default: return false
                        }
                        return true
                    }
                    return (key, value)
                }
            case (6, .binary): f.createdBy = try r.string()
            default: return false
            }
            return true
        }
        return f
    }
}

enum PageType: Int32 { case dataPage = 0, indexPage = 1, dictionaryPage = 2, dataPageV2 = 3 }

struct PageHeader {
    var type: Int32 = -1
    var uncompressedSize: Int32 = -1
    var compressedSize: Int32 = -1
    // Data page v1, dictionary page and v2 share these.
    var numValues: Int32 = -1
    var encoding: Int32 = -1
    var definitionLevelEncoding: Int32 = 3
    // Data page v2 only.
    var numNulls: Int32 = 0
    var numRows: Int32 = -1
    var definitionLevelsLength: Int32 = 0
    var repetitionLevelsLength: Int32 = 0
    var isCompressed = true
    var hasTypeHeader = false

    static func read(_ r: inout ThriftReader) throws -> PageHeader {
        var h = PageHeader()
        try r.readStruct { r, id, t in
            switch (id, t) {
            case (1, .i32): h.type = try r.i32()
            case (2, .i32): h.uncompressedSize = try r.i32()
            case (3, .i32): h.compressedSize = try r.i32()
            case (5, .structure):   // DataPageHeader
                h.hasTypeHeader = true
                try r.readStruct { r, id, t in
                    switch (id, t) {
                    case (1, .i32): h.numValues = try r.i32()
                    case (2, .i32): h.encoding = try r.i32()
                    case (3, .i32): h.definitionLevelEncoding = try r.i32()
                    default: return false
                    }
                    return true
                }
            case (7, .structure):   // DictionaryPageHeader
                h.hasTypeHeader = true
                try r.readStruct { r, id, t in
                    switch (id, t) {
                    case (1, .i32): h.numValues = try r.i32()
                    case (2, .i32): h.encoding = try r.i32()
                    default: return false
                    }
                    return true
                }
            case (8, .structure):   // DataPageHeaderV2
                h.hasTypeHeader = true
                try r.readStruct { r, id, t in
                    switch (id, t) {
                    case (1, .i32): h.numValues = try r.i32()
                    case (2, .i32): h.numNulls = try r.i32()
                    case (3, .i32): h.numRows = try r.i32()
                    case (4, .i32): h.encoding = try r.i32()
                    case (5, .i32): h.definitionLevelsLength = try r.i32()
                    case (6, .i32): h.repetitionLevelsLength = try r.i32()
                    case (7, _): h.isCompressed = try ThriftReader.bool(t)
                    default: return false
                    }
                    return true
                }
            default: return false
            }
            return true
        }
        return h
    }
}
