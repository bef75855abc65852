import Foundation

/// Every problem of a study file at once, instead of only the first.
///
/// The parser (`StudySpec.parse`) stops at its first error. To list all of them without a second
/// set of checks (which would drift from the parser's), this pass re-parses a copy of the JSON
/// tree with each reported member removed, and repeats until the copy parses or nothing can be
/// removed: error 1 at `$.a.b` → drop `b` from `$.a` → parse again → error 2 … Each error is the
/// parser's own, at its own JSON path. Rules that keep the list honest:
/// - a member inside a list is not removed (that would renumber its siblings' paths): the list's
///   own member is removed instead, so problems elsewhere in that list show after a fix;
/// - a `name` is replaced by a placeholder rather than removed, and a missing one added (it is
///   required);
/// - an error at a path that is, or contains, one already removed is a consequence of the removal
///   and is not reported; the pass stops there, as it does on other errors at `$` itself (the
///   file is not JSON, or not an object);
/// - at most `limit` errors.
public enum StudyValidation {
    public static let limit = 50

    /// All errors of a study file's bytes, in the order the parser finds them; empty when it parses.
    public static func errors(in data: Data, baseDirectory: String = ".") -> [StudyFileProblem] {
        do {
            _ = try StudySpec.parse(data, baseDirectory: baseDirectory)
            return []
        } catch let StudiesError.studyFile(error) {
            guard error.path != "$" || error.reason == .missingKey("name"), var tree = try? JSONSerialization.jsonObject(with: data, options: [.fragmentsAllowed])
            else { return [error] }
            var found = [error]
            var removed: [String] = []
            var current = error
            var placeholders = 0
            while found.count < limit {
                guard let target = removalPath(for: current, in: tree) else { break }
                if target.replaceName {
                    placeholders += 1
                    guard let t = JSONTree.setting(tree, at: target.tokens, to: "invalid-name-\(placeholders)") else { break }
                    tree = t
                } else {
                    guard let t = JSONTree.removing(tree, at: target.tokens) else { break }
                    tree = t
                }
                removed.append(target.path)
                guard let bytes = try? JSONSerialization.data(withJSONObject: tree, options: [.fragmentsAllowed]) else { break }
                do {
                    _ = try StudySpec.parse(bytes, baseDirectory: baseDirectory)
                    break
                } catch let StudiesError.studyFile(next) {
                    if next.path == "$" || removed.contains(where: { JSONTree.isSameOrAncestor(next.path, of: $0) }) { break }
                    if found.contains(next) { break }
                    found.append(next)
                    current = next
                } catch {
                    break
                }
            }
            return found
        } catch {
            return []
        }
    }

    /// Parses a study, or throws its first error carrying all the others (`StudyFileProblem.others`).
    public static func parseReportingAll(_ data: Data, baseDirectory: String) throws -> StudySpec {
        do {
            return try StudySpec.parse(data, baseDirectory: baseDirectory)
        } catch let StudiesError.studyFile(problem) {
            let all = errors(in: data, baseDirectory: baseDirectory)
            guard all.count > 1, all[0] == problem else { throw StudiesError.studyFile(problem) }
            var first = problem
            first.others = Array(all.dropFirst())
            throw StudiesError.studyFile(first)
        }
    }

    struct Removal {
        var tokens: [JSONTree.Token]
        var path: String
        var replaceName: Bool
    }

    /// What to remove for `error`: its own member, or the nearest enclosing object member when it
    /// sits in a list; a missing `name` key is added as a placeholder instead.
    static func removalPath(for error: StudyFileProblem, in tree: Any) -> Removal? {
        if error.reason == .missingKey("name"), let tokens = JSONTree.resolve(error.path, in: tree) {
            return Removal(tokens: tokens + [.key("name")], path: error.path + ".name", replaceName: true)
        }
        guard var tokens = JSONTree.resolve(error.path, in: tree) else { return nil }
        if case .key("name")? = tokens.last, JSONTree.value(in: tree, at: tokens) is String {
            return Removal(tokens: tokens, path: error.path, replaceName: true)
        }
        while let last = tokens.last, case .index = last { tokens.removeLast() }
        guard !tokens.isEmpty else { return nil }
        return Removal(tokens: tokens, path: JSONTree.render(tokens), replaceName: false)
    }
}

/// JSON paths (`$.arms[1].vary.learning_rate`) resolved against a parsed tree.
enum JSONTree {
    enum Token: Equatable {
        case key(String)
        case index(Int)
    }

    /// The tokens of `path` in `tree`; keys are matched against the object's own keys, so a key
    /// holding a `.` or `[` still resolves. nil when the path names nothing in the tree.
    static func resolve(_ path: String, in tree: Any) -> [Token]? {
        guard path.hasPrefix("$") else { return nil }
        var rest = Substring(path.dropFirst())
        var node: Any = tree
        var tokens: [Token] = []
        while !rest.isEmpty {
            if rest.hasPrefix("."), let object = node as? [String: Any] {
                let tail = rest.dropFirst()
                // The longest key that the rest of the path starts with, followed by a separator.
                let match = object.keys.filter { key in
                    guard tail.hasPrefix(key) else { return false }
                    let after = tail.dropFirst(key.count)
                    return after.isEmpty || after.hasPrefix(".") || after.hasPrefix("[")
                }.max { $0.count < $1.count }
                guard let key = match else { return nil }
                tokens.append(.key(key))
                node = object[key]!
                rest = tail.dropFirst(key.count)
            } else if rest.hasPrefix("["), let list = node as? [Any], let close = rest.firstIndex(of: "]"),
                      let i = Int(rest[rest.index(after: rest.startIndex)..<close]), list.indices.contains(i) {
                tokens.append(.index(i))
                node = list[i]
                rest = rest[rest.index(after: close)...]
            } else {
                return nil
            }
        }
        return tokens
    }

    static func render(_ tokens: [Token]) -> String {
        tokens.reduce("$") { path, token in
            switch token {
            case .key(let k): return path + "." + k
            case .index(let i): return path + "[\(i)]"
            }
        }
    }

    static func value(in tree: Any, at tokens: [Token]) -> Any? {
        var node: Any = tree
        for token in tokens {
            switch token {
            case .key(let k): guard let next = (node as? [String: Any])?[k] else { return nil }; node = next
            case .index(let i): guard let list = node as? [Any], list.indices.contains(i) else { return nil }; node = list[i]
            }
        }
        return node
    }

    /// `tree` without the member at `tokens` (whose last token is a key); nil when absent.
    static func removing(_ tree: Any, at tokens: [Token]) -> Any? {
        update(tree, at: tokens[...]) { object, key in
            guard object[key] != nil else { return false }
            object[key] = nil
            return true
        }
    }

    /// `tree` with the member at `tokens` (whose last token is a key) set to `value`.
    static func setting(_ tree: Any, at tokens: [Token], to value: Any) -> Any? {
        update(tree, at: tokens[...]) { object, key in
            object[key] = value
            return true
        }
    }

    private static func update(_ node: Any, at tokens: ArraySlice<Token>,
                               _ change: (inout [String: Any], String) -> Bool) -> Any? {
        guard let first = tokens.first else { return nil }
        let rest = tokens.dropFirst()
        switch first {
        case .key(let k):
            guard var object = node as? [String: Any] else { return nil }
            if rest.isEmpty { return change(&object, k) ? object : nil }
            guard let child = object[k], let updated = update(child, at: rest, change) else { return nil }
            object[k] = updated
            return object
        case .index(let i):
            guard var list = node as? [Any], list.indices.contains(i), !rest.isEmpty,
                  let updated = update(list[i], at: rest, change) else { return nil }
            list[i] = updated
            return list
        }
    }

    /// Whether `path` is `other` or one of its ancestors (`$.a` of `$.a.b` and `$.a[0]`, not of `$.ab`).
    static func isSameOrAncestor(_ path: String, of other: String) -> Bool {
        guard other.hasPrefix(path) else { return false }
        let after = other.dropFirst(path.count)
        return after.isEmpty || after.hasPrefix(".") || after.hasPrefix("[")
    }
}

/// Line and column (both 1-based) of a byte offset in a UTF-8 text; columns count characters.
public func lineAndColumn(ofByte offset: Int, in data: Data) -> (line: Int, column: Int) {
    let bytes = [UInt8](data.prefix(max(0, offset)))
    var line = 1
    var lineStart = 0
    for (i, b) in bytes.enumerated() where b == UInt8(ascii: "\n") {
        line += 1
        lineStart = i + 1
    }
    let column = String(decoding: bytes[lineStart...], as: UTF8.self).count + 1
    return (line, column)
}

/// A JSON syntax error's text with its place as `line L, column C`: Foundation's parser names a
/// character offset ("around character 37"), which this converts; text that already names a line
/// is kept.
func jsonSyntaxLocated(_ text: String, _ data: Data) -> String {
    if text.contains("line") { return text }
    guard let range = text.range(of: #"character \d+"#, options: .regularExpression),
          let offset = Int(text[range].dropFirst("character ".count)) else { return text }
    let (line, column) = lineAndColumn(ofByte: offset, in: data)
    return "line \(line), column \(column): " + text
}
