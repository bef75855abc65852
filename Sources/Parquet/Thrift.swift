/// A bounds-checked reader of Thrift's compact protocol, the encoding of parquet's footer and page
/// headers. Every read checks the remaining bytes; nesting is limited so hostile input cannot
/// exhaust the stack; list sizes are checked against the bytes left before anything is reserved.
struct ThriftReader {
    enum FieldType: UInt8 {
        case stop = 0, boolTrue = 1, boolFalse = 2, byte = 3, i16 = 4, i32 = 5, i64 = 6, double = 7
        case binary = 8, list = 9, set = 10, map = 11, structure = 12
    }

    let base: UnsafePointer<UInt8>
    let end: Int
    private(set) var position: Int
    private var depth = 0
    static let maxDepth = 32

    init(_ buffer: UnsafeBufferPointer<UInt8>, start: Int = 0) {
        base = buffer.baseAddress ?? UnsafePointer(bitPattern: 1)!
        end = buffer.count
        position = start
    }

    var remaining: Int { end - position }

    mutating func byte() throws -> UInt8 {
        guard position < end else { throw DecodeError("truncated thrift structure") }
        defer { position += 1 }
        return base[position]
    }

    mutating func varint() throws -> UInt64 {
        var result: UInt64 = 0, shift: UInt64 = 0
        while true {
            let b = try byte()
            guard shift < 64 else { throw DecodeError("thrift varint longer than 10 bytes") }
            result |= UInt64(b & 0x7f) << shift
            if b & 0x80 == 0 { return result }
            shift += 7
        }
    }

    mutating func zigzag() throws -> Int64 {
        let v = try varint()
        return Int64(bitPattern: (v >> 1) ^ (0 &- (v & 1)))
    }

    mutating func i32() throws -> Int32 {
        let v = try zigzag()
        guard let r = Int32(exactly: v) else { throw DecodeError("thrift i32 out of range: \(v)") }
        return r
    }

    mutating func i64() throws -> Int64 { try zigzag() }

    mutating func binary() throws -> UnsafeBufferPointer<UInt8> {
        let n = try varint()
        guard n <= UInt64(remaining) else {
            throw DecodeError("thrift string of \(n) bytes runs past the end (\(remaining) left)")
        }
        defer { position += Int(n) }
        return UnsafeBufferPointer(start: base + position, count: Int(n))
    }

    mutating func string() throws -> String { String(decoding: try binary(), as: UTF8.self) }

    /// The next field of a struct: (id, type), or nil at the struct's stop byte.
    mutating func fieldHeader(previous: inout Int16) throws -> (id: Int16, type: FieldType)? {
        let b = try byte()
        if b == 0 { return nil }
        guard let type = FieldType(rawValue: b & 0x0f) else {
            throw DecodeError("unknown thrift field type \(b & 0x0f)")
        }
        let delta = Int16(b >> 4)
        let id: Int16
        if delta == 0 {
            let v = try zigzag()
            guard let i = Int16(exactly: v) else { throw DecodeError("thrift field id out of range") }
            id = i
        } else {
            id = previous &+ delta
        }
        previous = id
        return (id, type)
    }

    /// A list or set header: (element count, element type). The count is checked against the bytes left
    /// (every element takes at least one byte), so callers may reserve it.
    mutating func listHeader() throws -> (count: Int, type: FieldType) {
        let b = try byte()
        var count = UInt64(b >> 4)
        if count == 15 { count = try varint() }
        guard let type = FieldType(rawValue: b & 0x0f), type != .stop else {
            throw DecodeError("unknown thrift list element type \(b & 0x0f)")
        }
        guard count <= UInt64(remaining) else {
            throw DecodeError("thrift list of \(count) elements runs past the end (\(remaining) bytes left)")
        }
        return (Int(count), type)
    }

    /// Reads a struct field by field; `body` handles known ids and returns false to skip the rest.
    mutating func readStruct(_ body: (inout ThriftReader, Int16, FieldType) throws -> Bool) throws {
        depth += 1
        guard depth <= Self.maxDepth else { throw DecodeError("thrift structures nested too deeply") }
        defer { depth -= 1 }
        var last: Int16 = 0
        while let (id, type) = try fieldHeader(previous: &last) {
            let start = position
            if try !body(&self, id, type) {
                position = start
                try skip(type)
            }
        }
    }

    /// Reads a list of elements of the expected type.
    mutating func readList<T>(of expected: FieldType, _ element: (inout ThriftReader) throws -> T) throws -> [T] {
        let (count, type) = try listHeader()
        guard type == expected || (expected == .boolTrue && type == .boolFalse) else {
            throw DecodeError("thrift list of type \(type) where \(expected) was expected")
        }
        var out: [T] = []
        out.reserveCapacity(count)
        for _ in 0..<count { out.append(try element(&self)) }
        return out
    }

    /// Reads a bool field (the value lives in the field header's type).
    static func bool(_ type: FieldType) throws -> Bool {
        switch type {
        case .boolTrue: return true
        case .boolFalse: return false
        default: throw DecodeError("thrift field of type \(type) where a bool was expected")
        }
    }

    /// Skips a value of `type`, recursing through containers with the depth limit.
    mutating func skip(_ type: FieldType) throws {
        switch type {
        case .stop: throw DecodeError("unexpected thrift stop")
        case .boolTrue, .boolFalse: return
        case .byte: _ = try byte()
        case .i16, .i32, .i64: _ = try varint()
        case .double:
            guard remaining >= 8 else { throw DecodeError("truncated thrift double") }
            position += 8
        case .binary: _ = try binary()
        case .list, .set:
            let (count, elementType) = try listHeader()
            try nested {
                for _ in 0..<count {
                    if elementType == .boolTrue || elementType == .boolFalse { _ = try $0.byte() } else { try $0.skip(elementType) }
                }
            }
        case .map:
            let count = try varint()
            guard count <= UInt64(remaining) else { throw DecodeError("thrift map of \(count) entries runs past the end") }
            if count == 0 { return }
            let types = try byte()
            guard let k = FieldType(rawValue: types >> 4), let v = FieldType(rawValue: types & 0x0f), k != .stop, v != .stop else {
                throw DecodeError("unknown thrift map types")
            }
            try nested {
                for _ in 0..<count {
                    for t in [k, v] {
                        if t == .boolTrue || t == .boolFalse { _ = try $0.byte() } else { try $0.skip(t) }
                    }
                }
            }
        case .structure:
            try readStruct { _, _, _ in false }
        }
    }

    private mutating func nested(_ body: (inout ThriftReader) throws -> Void) throws {
        depth += 1
        guard depth <= Self.maxDepth else { throw DecodeError("thrift structures nested too deeply") }
        defer { depth -= 1 }
        try body(&self)
    }
}
