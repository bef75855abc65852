import Foundation

/// Deterministic JSON for metrics files: keys sorted, numbers with 12 significant digits, NaN and
/// ±∞ as `null`. Decoding maps `null` back to NaN for `Double` fields.
public enum CanonicalJSON {
    static let nanToken = "__workbench_nan__"

    public static func encode<T: Encodable>(_ value: T) throws -> Data {
        let encoder = JSONEncoder()
        encoder.nonConformingFloatEncodingStrategy = .convertToString(
            positiveInfinity: nanToken, negativeInfinity: nanToken, nan: nanToken)
        let tree = try JSONSerialization.jsonObject(with: encoder.encode(value), options: [.fragmentsAllowed])
        var out = ""
        write(tree, into: &out, indent: 0)
        out += "\n"
        return Data(out.utf8)
    }

    /// The same style for a JSONSerialization-compatible tree (`[String: Any]`, arrays, strings,
    /// numbers, booleans, NaN): the one JSON style of every `--json` output.
    public static func encode(object: Any) throws -> Data {
        // Round trip first so numbers and booleans are the NSNumbers `write` tells apart.
        let nanFree = replacingNaN(object)
        let tree = try JSONSerialization.jsonObject(
            with: JSONSerialization.data(withJSONObject: nanFree, options: [.fragmentsAllowed]), options: [.fragmentsAllowed])
        var out = ""
        write(tree, into: &out, indent: 0)
        return Data((out + "\n").utf8)
    }

    static func replacingNaN(_ value: Any) -> Any {
        switch value {
        case let d as Double where !d.isFinite: return nanToken
        case let f as Float where !f.isFinite: return nanToken
        case let d as [String: Any]: return d.mapValues(replacingNaN)
        case let a as [Any]: return a.map(replacingNaN)
        default: return value
        }
    }

    public static func decode<T: Decodable>(_ type: T.Type, from data: Data) throws -> T {
        let tree = try JSONSerialization.jsonObject(with: data, options: [.fragmentsAllowed])
        let restored = try JSONSerialization.data(withJSONObject: restoreNaN(tree), options: [.fragmentsAllowed])
        let decoder = JSONDecoder()
        decoder.nonConformingFloatDecodingStrategy = .convertFromString(
            positiveInfinity: "+inf", negativeInfinity: "-inf", nan: nanToken)
        return try decoder.decode(type, from: restored)
    }

    static func restoreNaN(_ value: Any) -> Any {
        switch value {
        case is NSNull: return nanToken
        case let d as [String: Any]: return d.mapValues(restoreNaN)
        case let a as [Any]: return a.map(restoreNaN)
        default: return value
        }
    }

    /// Formats a finite double with 12 significant digits (integral values without a fraction).
    public static func format(_ x: Double) -> String {
        guard x.isFinite else { return "null" }
        if x == x.rounded(), abs(x) < 1e15 { return String(Int64(x)) }
        return String(format: "%.12g", x)
    }

    static func write(_ value: Any, into out: inout String, indent: Int) {
        let pad = String(repeating: "  ", count: indent + 1), end = String(repeating: "  ", count: indent)
        switch value {
        case let s as String:
            if s == nanToken { out += "null" } else { out += quote(s) }
        case let n as NSNumber:
            if String(cString: n.objCType) == "c" {  // booleans (swift-corelibs encodes them as char)
                out += n.boolValue ? "true" : "false"
            } else {
                out += format(n.doubleValue)
            }
        case let d as [String: Any]:
            if d.isEmpty { out += "{}"; return }
            out += "{\n"
            for (i, key) in d.keys.sorted().enumerated() {
                out += pad + quote(key) + ": "
                write(d[key]!, into: &out, indent: indent + 1)
                out += i == d.count - 1 ? "\n" : ",\n"
            }
            out += end + "}"
        case let a as [Any]:
            if a.isEmpty { out += "[]"; return }
            out += "[\n"
            for (i, item) in a.enumerated() {
                out += pad
                write(item, into: &out, indent: indent + 1)
                out += i == a.count - 1 ? "\n" : ",\n"
            }
            out += end + "]"
        default:
            out += "null"
        }
    }

    /// A JSON string literal: `"` and `\` escaped, control characters as `\n`, `\r`, `\t` or `\u00XX`.
    static func quote(_ s: String) -> String {
        "\"" + s.escaped(jsonEscapes) { $0.value < 0x20 ? String(format: "\\u%04x", $0.value) : nil } + "\""
    }

    static let jsonEscapes: [Unicode.Scalar: String] = ["\"": "\\\"", "\\": "\\\\", "\n": "\\n", "\r": "\\r", "\t": "\\t"]
}
