import Foundation
import Support

/// A parsed JSON value that remembers where it came from, so every check can name its path.
public struct Node {
    public let value: Any
    public let path: String

    public init(_ value: Any, path: String = "$") {
        self.value = value
        self.path = path
    }

    /// A study-file error at this value's path.
    public func fail(_ reason: StudyFileProblem.Reason, suggestion: String? = nil) -> StudiesError {
        .at(path, reason, suggestion: suggestion)
    }

    public var isNull: Bool { value is NSNull }

    public func object() throws -> [String: Node] {
        guard let dict = value as? [String: Any] else { throw fail(.wrongType(expected: .object, found: kind)) }
        var out: [String: Node] = [:]
        for (k, v) in dict { out[k] = Node(v, path: "\(path).\(k)") }
        return out
    }

    public func array() throws -> [Node] {
        guard let list = value as? [Any] else { throw fail(.wrongType(expected: .list, found: kind)) }
        return list.enumerated().map { Node($1, path: "\(path)[\($0)]") }
    }

    public func string() throws -> String {
        guard let s = value as? String else { throw fail(.wrongType(expected: .string, found: kind)) }
        return s
    }

    public func number() throws -> Double {
        guard let n = value as? NSNumber, !isBool(n) else { throw fail(.wrongType(expected: .number, found: kind)) }
        let d = n.doubleValue
        guard d.isFinite else { throw fail(.notFinite) }
        return d
    }

    public func integer() throws -> Int {
        let d = try number()
        guard d == d.rounded(), abs(d) < 9e15 else { throw fail(.notAnInteger(d)) }
        return Int(d)
    }

    public func bool() throws -> Bool {
        guard let n = value as? NSNumber, isBool(n) else { throw fail(.wrongType(expected: .boolean, found: kind)) }
        return n.boolValue
    }

    public var kind: JSONKind {
        switch value {
        case is NSNull: return .null
        case let n as NSNumber: return isBool(n) ? .boolean : .number
        case is String: return .string
        case is [Any]: return .list
        case is [String: Any]: return .object
        default: return .unknown
        }
    }

    private func isBool(_ n: NSNumber) -> Bool {
        // JSONSerialization makes booleans NSNumbers of ObjC type "c" (a JSON number never is).
        String(cString: n.objCType) == "c"
    }
}

/// Rejects keys outside `allowed`, suggesting the closest allowed key.
public func checkKeys(_ object: [String: Node], allowed: [String], at path: String) throws {
    for key in object.keys.sorted() where !allowed.contains(key) {
        throw StudiesError.at("\(path).\(key)", .unknownKey(key), suggestion: closest(to: key, in: allowed))
    }
}
