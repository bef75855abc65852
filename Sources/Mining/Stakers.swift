import Foundation

/// A failure of mining: bad staker list, a farm that does not match, a missing benchmark.
public struct MiningError: Error, CustomStringConvertible, Equatable {
    public let description: String
    public init(_ description: String) { self.description = description }
}

/// The stakers of a farm, in the order they are mined.
public enum StakerList {
    /// Characters allowed in a staker id: it names a folder (`DIR/stakers/<id>/`).
    static func isValid(_ id: String) -> Bool {
        !id.isEmpty && id.count <= 128 && !id.hasPrefix(".")
            && id.unicodeScalars.allSatisfy { ($0.isASCII && ($0.properties.isAlphabetic || ("0"..."9").contains($0))) || "-_.@".unicodeScalars.contains($0) }
    }

    /// Staker ids from a file: one per line; blank lines and lines starting with `#` are ignored,
    /// surrounding whitespace is trimmed. A duplicate or an id that cannot name a folder is an
    /// error naming the file and line.
    public static func read(_ path: String) throws -> [String] {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw MiningError("\(path): cannot read the staker list")
        }
        guard let text = String(data: data, encoding: .utf8) else {
            throw MiningError("\(path): the staker list is not UTF-8 text")
        }
        return try parse(text, name: path)
    }

    /// As `read`, from text; `name` labels errors.
    public static func parse(_ text: String, name: String = "<stakers>") throws -> [String] {
        var ids: [String] = []
        var firstLine: [String: Int] = [:]
        // `isNewline`, not "\n": in Swift "\r\n" is one Character, so CRLF files split here too.
        for (i, raw) in text.split(omittingEmptySubsequences: false, whereSeparator: \.isNewline).enumerated() {
            let line = raw.trimmingCharacters(in: .whitespacesAndNewlines)
            if line.isEmpty || line.hasPrefix("#") { continue }
            guard isValid(line) else {
                throw MiningError("\(name):\(i + 1): staker id '\(line)' must be letters, digits, '-', '_', '.' or '@' (it names a folder), not starting with '.'")
            }
            if let first = firstLine[line] {
                throw MiningError("\(name):\(i + 1): duplicate staker id '\(line)' (first on line \(first))")
            }
            firstLine[line] = i + 1
            ids.append(line)
        }
        guard !ids.isEmpty else { throw MiningError("\(name): no staker ids (one per line; # starts a comment)") }
        return ids
    }

    /// `staker-0001` … `staker-NNNN` (at least four digits).
    public static func generated(count: Int) -> [String] {
        let width = max(4, String(count).count)
        return (1...max(count, 1)).prefix(count).map { n in
            let digits = String(n)
            return "staker-" + String(repeating: "0", count: width - digits.count) + digits
        }
    }
}
