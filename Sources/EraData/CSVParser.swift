import Foundation

/// The byte-level CSV parser and its number reader.
extension CSVImporter {
    /// A field: a view into the file bytes (or into `scratch` for quoted fields with escaped quotes).
    struct Field {
        var start: UnsafePointer<UInt8>
        var count: Int
        var string: String { String(decoding: UnsafeBufferPointer(start: start, count: count), as: UTF8.self) }
        func equals(_ bytes: [UInt8]) -> Bool {
            bytes.count == count && bytes.withUnsafeBufferPointer { memcmp($0.baseAddress!, start, count) == 0 }
        }
    }

    enum Terminator { case comma, endOfLine, endOfFile }

    final class Scratch {
        var bytes: [UInt8] = []
        private var stable = UnsafeMutablePointer<UInt8>.allocate(capacity: 1)
        private var capacity = 1
        /// A stable copy of `bytes` (valid until the next call).
        var pointer: UnsafePointer<UInt8> {
            if bytes.count > capacity {
                stable.deallocate()
                capacity = bytes.count
                stable = .allocate(capacity: capacity)
            }
            bytes.withUnsafeBufferPointer { b in if let a = b.baseAddress { stable.update(from: a, count: b.count) } }
            return UnsafePointer(stable)
        }
        deinit { stable.deallocate() }
    }

    struct Parser {
        let base: UnsafePointer<UInt8>
        let end: Int
        let path: String
        var position = 0
        var line = 1
        /// Unescaped text of the last quoted field with doubled quotes.
        let scratch = Scratch()

        init(bytes: UnsafeBufferPointer<UInt8>, path: String) {
                base = bytes.baseAddress!
            end = bytes.count
            self.path = path
            // Skip a UTF-8 byte order mark.
            if end >= 3 && base[0] == 0xEF && base[1] == 0xBB && base[2] == 0xBF { position = 3 }
        }

        var atEnd: Bool { position >= end }

        /// Reads one field and what ended it; `column` (1-based) and `name` only label errors.
        @inline(__always)
        mutating func field(column: Int, name: String) throws -> (Field, Terminator) {
            var p = position
            if p < end && base[p] == UInt8(ascii: "\"") {
                return try quotedField(column: column, name: name)
            }
            let start = p
            while p < end {
                let c = base[p]
                if c == 44 /* , */ {
                    position = p + 1
                    return (Field(start: base + start, count: p - start), .comma)
                }
                if c == 10 /* \n */ || c == 13 /* \r */ {
                    let count = p - start
                    if c == 13 {
                        guard p + 1 < end && base[p + 1] == 10 else {
                            throw EraDataError(.strayCarriageReturn, file: path, line: line, column: column, field: name)
                        }
                        p += 1
                    }
                    position = p + 1
                    line += 1
                    return (Field(start: base + start, count: count), .endOfLine)
                }
                p += 1
            }
            position = p
            return (Field(start: base + start, count: p - start), .endOfFile)
        }

        mutating func quotedField(column: Int, name: String) throws -> (Field, Terminator) {
            let startLine = line
            var p = position + 1
            var length = 0
            scratch.bytes.removeAll(keepingCapacity: true)
            func append(_ byte: UInt8) {
                scratch.bytes.append(byte)
                length += 1
            }
            while true {
                guard p < end else {
                    throw EraDataError(.unterminatedQuote, file: path, line: startLine, column: column, field: name)
                }
                let c = base[p]
                if c == UInt8(ascii: "\"") {
                    if p + 1 < end && base[p + 1] == UInt8(ascii: "\"") {
                        append(c)
                        p += 2
                        continue
                    }
                    p += 1
                    break
                }
                if c == 10 { line += 1 }
                append(c)
                p += 1
            }
            // The field views the scratch bytes until the next quoted field; callers copy what they keep.
            let field = Field(start: scratch.pointer, count: length)
            if p >= end { position = p; return (field, .endOfFile) }
            switch base[p] {
            case 44: position = p + 1; return (field, .comma)
            case 10: position = p + 1; line += 1; return (field, .endOfLine)
            case 13 where p + 1 < end && base[p + 1] == 10: position = p + 2; line += 1; return (field, .endOfLine)
            default:
                throw EraDataError(.textAfterQuote, file: path, line: line, column: column, field: name)
            }
        }

        /// The header's column names.
        mutating func header() throws -> [String] {
            guard !atEnd else { throw EraDataError(.emptyFile, file: path) }
            var names: [String] = []
            while true {
                let (f, terminator) = try field(column: names.count + 1, name: "header")
                names.append(f.string.trimmingCharacters(in: .whitespaces))
                if terminator != .comma { break }
            }
            return names
        }

        /// Skips blank lines; true when a row follows.
        mutating func nextRow() -> Bool {
            while position < end {
                if base[position] == 10 { position += 1; line += 1; continue }
                if base[position] == 13 && position + 1 < end && base[position + 1] == 10 {
                    position += 2; line += 1; continue
                }
                return true
            }
            return false
        }
    }

    // MARK: numbers

    static let powersOfTen: [Double] = (0...22).map { pow(10, Double($0)) }

    /// Parses a decimal number; nil when the field is not one. Correctly rounded: exact fast path
    /// (≤ 19 digits with value < 2⁵³ and |exponent| ≤ 22: one exact IEEE multiply or divide), else `strtod`.
    @inline(__always)
    static func parseNumber(_ f: Field) -> Double? {
        let p = f.start, n = f.count
        if n == 0 { return nil }
        var i = 0
        var negative = false
        if p[0] == UInt8(ascii: "-") || p[0] == UInt8(ascii: "+") { negative = p[0] == UInt8(ascii: "-"); i = 1 }
        var mantissa: UInt64 = 0
        var digits = 0, exponent = 0
        var sawDigit = false
        while i < n, p[i] &- 48 < 10 {
            if digits < 19 { mantissa = mantissa &* 10 &+ UInt64(p[i] &- 48); if mantissa > 0 { digits += 1 } } else { exponent += 1 }
            sawDigit = true
            i += 1
        }
        if i < n && p[i] == UInt8(ascii: ".") {
            i += 1
            while i < n, p[i] &- 48 < 10 {
                if digits < 19 { mantissa = mantissa &* 10 &+ UInt64(p[i] &- 48); exponent -= 1; if mantissa > 0 { digits += 1 } }
                sawDigit = true
                i += 1
            }
        }
        guard sawDigit else { return specialValue(f) }
        if i < n && (p[i] == UInt8(ascii: "e") || p[i] == UInt8(ascii: "E")) {
            i += 1
            var expNegative = false
            if i < n && (p[i] == UInt8(ascii: "-") || p[i] == UInt8(ascii: "+")) { expNegative = p[i] == UInt8(ascii: "-"); i += 1 }
            var e = 0, expDigits = 0
            while i < n, p[i] &- 48 < 10 { e = min(e * 10 + Int(p[i] &- 48), 100_000); expDigits += 1; i += 1 }
            guard expDigits > 0 else { return nil }
            exponent += expNegative ? -e : e
        }
        guard i == n else { return nil }
        if digits < 19 && mantissa < (1 << 53) && abs(exponent) <= 22 {
            var value = Double(mantissa)
            value = exponent >= 0 ? value * powersOfTen[exponent] : value / powersOfTen[-exponent]
            return negative ? -value : value
        }
        return slowParse(f)
    }

    static func slowParse(_ f: Field) -> Double? {
        var buffer = [CChar](repeating: 0, count: f.count + 1)
        for i in 0..<f.count { buffer[i] = CChar(bitPattern: f.start[i]) }
        return buffer.withUnsafeBufferPointer { b -> Double? in
            var endPointer: UnsafeMutablePointer<CChar>?
            let value = strtod(b.baseAddress!, &endPointer)
            return endPointer == UnsafeMutablePointer(mutating: b.baseAddress! + f.count) ? value : nil
        }
    }

    /// `nan`, `inf` and friends (case-insensitive).
    static func specialValue(_ f: Field) -> Double? {
        switch f.string.lowercased() {
        case "nan", "+nan", "-nan": return .nan
        case "inf", "+inf", "infinity", "+infinity": return .infinity
        case "-inf", "-infinity": return -.infinity
        default: return nil
        }
    }

    /// Target text for "unknown".
    @inline(__always)
    static func isMissing(_ f: Field) -> Bool {
        if f.count == 0 { return true }
        if f.count > 4 { return false }
        switch f.string.lowercased() {
        case "nan", "na", "null", "none": return true
        default: return false
        }
    }
}
