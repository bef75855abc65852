/// Thrift compact-protocol writer: the inverse of `ThriftReader`, for the footer and page headers.
///
/// Fields are written with short-form headers (`delta << 4 | type`) when the id grows by 1…15 from
/// the previous field of the same struct, else the long form (type byte, then zigzag varint id).
struct ThriftWriter {
    private(set) var bytes: [UInt8] = []
    private var lastField: [Int16] = [0]

    // Compact-protocol type codes.
    static let boolTrue: UInt8 = 1, boolFalse: UInt8 = 2, byte: UInt8 = 3, i16: UInt8 = 4, i32: UInt8 = 5
    static let i64: UInt8 = 6, binary: UInt8 = 8, list: UInt8 = 9, structure: UInt8 = 12

    mutating func varint(_ value: UInt64) {
        var v = value
        while v >= 0x80 {
            bytes.append(UInt8(v & 0x7F) | 0x80)
            v >>= 7
        }
        bytes.append(UInt8(v))
    }

    /// Zigzag: 0, −1, 1, −2, … → 0, 1, 2, 3, …
    mutating func zigzag(_ value: Int64) { varint(UInt64(bitPattern: (value << 1) ^ (value >> 63))) }

    mutating func fieldHeader(_ id: Int16, _ type: UInt8) {
        let delta = Int(id) - Int(lastField[lastField.count - 1])
        if delta > 0 && delta <= 15 {
            bytes.append(UInt8(delta) << 4 | type)
        } else {
            bytes.append(type)
            zigzag(Int64(id))
        }
        lastField[lastField.count - 1] = id
    }

    mutating func i32(_ id: Int16, _ value: Int32) { fieldHeader(id, Self.i32); zigzag(Int64(value)) }
    mutating func i64(_ id: Int16, _ value: Int64) { fieldHeader(id, Self.i64); zigzag(value) }
    mutating func byte(_ id: Int16, _ value: Int8) { fieldHeader(id, Self.byte); bytes.append(UInt8(bitPattern: value)) }
    mutating func bool(_ id: Int16, _ value: Bool) { fieldHeader(id, value ? Self.boolTrue : Self.boolFalse) }
    mutating func string(_ id: Int16, _ value: String) { fieldHeader(id, Self.binary); rawString(value) }

    mutating func rawString(_ value: String) {
        let utf8 = Array(value.utf8)
        varint(UInt64(utf8.count))
        bytes += utf8
    }

    /// A struct-typed field: `body` writes its fields; the stop byte is added.
    mutating func structure(_ id: Int16, _ body: (inout ThriftWriter) -> Void) {
        fieldHeader(id, Self.structure)
        structBody(body)
    }

    /// A struct's fields then its stop byte (top-level structs and list elements).
    mutating func structBody(_ body: (inout ThriftWriter) -> Void) {
        lastField.append(0)
        body(&self)
        bytes.append(0)
        lastField.removeLast()
    }

    mutating func listHeader(_ id: Int16, count: Int, elementType: UInt8) {
        fieldHeader(id, Self.list)
        if count < 15 {
            bytes.append(UInt8(count) << 4 | elementType)
        } else {
            bytes.append(0xF0 | elementType)
            varint(UInt64(count))
        }
    }

    mutating func structList<T>(_ id: Int16, _ items: [T], _ body: (inout ThriftWriter, T) -> Void) {
        listHeader(id, count: items.count, elementType: Self.structure)
        for item in items { structBody { body(&$0, item) } }
    }

    mutating func i32List(_ id: Int16, _ items: [Int32]) {
        listHeader(id, count: items.count, elementType: Self.i32)
        for item in items { zigzag(Int64(item)) }
    }

    mutating func stringList(_ id: Int16, _ items: [String]) {
        listHeader(id, count: items.count, elementType: Self.binary)
        for item in items { rawString(item) }
    }
}
