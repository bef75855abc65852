/// The `ValueReader`s behind each public read: physical type → element type, null value, checks.
enum ValueReaders {
    static func int32(_ c: ColumnDescriptor) -> ValueReader<Int32> {
        ValueReader(null: 0, plain: { cursor, n, out in try Plain.fixed(&cursor, count: n, as: Int32.self, into: out) { $0 } }, bit: nil)
    }

    static func int64(_ c: ColumnDescriptor) -> ValueReader<Int64> {
        ValueReader(null: 0, plain: { cursor, n, out in try Plain.fixed(&cursor, count: n, as: Int64.self, into: out) { $0 } }, bit: nil)
    }

    static func float(_ c: ColumnDescriptor) -> ValueReader<Float> {
        ValueReader(null: .nan, plain: { cursor, n, out in
            try Plain.fixed(&cursor, count: n, as: UInt32.self, into: out) { Float(bitPattern: $0) }
        }, bit: nil)
    }

    static func double(_ c: ColumnDescriptor) -> ValueReader<Double> {
        ValueReader(null: .nan, plain: { cursor, n, out in
            try Plain.fixed(&cursor, count: n, as: UInt64.self, into: out) { Double(bitPattern: $0) }
        }, bit: nil)
    }

    static func string(_ c: ColumnDescriptor) -> ValueReader<String> {
        ValueReader(null: "", plain: { cursor, n, out in
            try Plain.byteArrays(&cursor, count: n, into: out) { String(decoding: $0, as: UTF8.self) }
        }, bit: nil)
    }

    static func bool(_ c: ColumnDescriptor) -> ValueReader<Bool> {
        ValueReader(null: false, plain: { cursor, n, out in try Plain.booleans(&cursor, count: n, into: out) { $0 } },
                    bit: { $0 != 0 })
    }

    /// Any numeric column (INT32, INT64, FLOAT, DOUBLE, BOOLEAN as 0/1) converted to a floating type;
    /// unsigned integer annotations are honoured; nulls are NaN.
    static func numeric<T: BinaryFloatingPoint>(_ c: ColumnDescriptor, path: String, as: T.Type,
                                                 _ fromDouble: @escaping (Double) -> T,
                                                 integer fromInteger: @escaping (Int64) -> T) throws -> ValueReader<T> {
        let unsigned: Bool
        if case .integer(_, false) = c.info.logicalType { unsigned = true } else { unsigned = false }
        switch c.info.physicalType {
        case .int32:
            return ValueReader(null: .nan, plain: { cursor, n, out in
                try Plain.fixed(&cursor, count: n, as: Int32.self, into: out) {
                    fromInteger(unsigned ? Int64(UInt32(bitPattern: $0)) : Int64($0))
                }
            }, bit: nil)
        case .int64:
            return ValueReader(null: .nan, plain: { cursor, n, out in
                try Plain.fixed(&cursor, count: n, as: Int64.self, into: out) {
                    unsigned ? T(UInt64(bitPattern: $0)) : fromInteger($0)
                }
            }, bit: nil)
        case .float:
            return ValueReader(null: .nan, plain: { cursor, n, out in
                try Plain.fixed(&cursor, count: n, as: UInt32.self, into: out) { T(Float(bitPattern: $0)) }
            }, bit: nil)
        case .double:
            return ValueReader(null: .nan, plain: { cursor, n, out in
                try Plain.fixed(&cursor, count: n, as: UInt64.self, into: out) { fromDouble(Double(bitPattern: $0)) }
            }, bit: nil)
        case .boolean:
            return ValueReader(null: .nan, plain: { cursor, n, out in
                try Plain.booleans(&cursor, count: n, into: out) { $0 ? 1 : 0 }
            }, bit: { $0 != 0 ? 1 : 0 })
        default:
            throw ParquetError(.column, file: path, "column '\(c.info.name)' is \(c.info.physicalType), not numeric")
        }
    }

    /// Integer bins (INT32/INT64, e.g. Numerai's int8 features) as UInt8; nulls become `null`.
    static func bins(_ c: ColumnDescriptor, path: String, null: UInt8, valid: ClosedRange<UInt8>) throws -> ValueReader<UInt8> {
        let low = Int64(valid.lowerBound), high = Int64(valid.upperBound)
        func check(_ v: Int64) throws -> UInt8 {
            guard v >= low && v <= high else {
                throw DecodeError("value \(v) is not a bin in \(low)...\(high)", kind: .column)
            }
            return UInt8(truncatingIfNeeded: v)
        }
        switch c.info.physicalType {
        case .int32:
            return ValueReader(null: null, plain: { cursor, n, out in
                try Plain.fixed(&cursor, count: n, as: Int32.self, into: out) { try check(Int64($0)) }
            }, bit: nil)
        case .int64:
            return ValueReader(null: null, plain: { cursor, n, out in
                try Plain.fixed(&cursor, count: n, as: Int64.self, into: out) { try check($0) }
            }, bit: nil)
        default:
            throw ParquetError(.column, file: path, "column '\(c.info.name)' is \(c.info.physicalType), not an integer column of bins")
        }
    }
}
