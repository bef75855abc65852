import Foundation
import Support

/// Markdown building blocks for reports: headings, tables with aligned fixed-precision numbers,
/// escaping, and image links relative to the report's directory. Output is deterministic and
/// padded so that the raw text lines up too (diffs of reports stay readable).
public enum Markdown {
    /// One table cell: text (escaped) or a number printed with exactly `digits` decimals.
    public enum Cell: Sendable, Equatable, ExpressibleByStringLiteral {
        case text(String)
        case number(Double, digits: Int)
        /// Pre-formatted numeric text, right-aligned like numbers (e.g. "+1.2%").
        case numeric(String)

        public init(stringLiteral value: String) { self = .text(value) }

        var rendered: String {
            switch self {
            case .text(let s): return Markdown.escapeCell(s)
            case .number(let x, let digits): return NumberFormat.fixed(x, digits)
            case .numeric(let s): return Markdown.escapeCell(s)
            }
        }
        var isNumeric: Bool {
            if case .text = self { return false }
            return true
        }
    }

    /// `#…# text` with the level clamped to 1…6; newlines in `text` become spaces.
    public static func heading(_ text: String, level: Int = 2) -> String {
        String(repeating: "#", count: min(6, max(1, level))) + " " + singleLine(text)
    }

    /// Escapes Markdown-significant characters in inline text (\ ` * _ [ ] < > | #) so that names
    /// from data (model ids, parameter values) print literally.
    public static func escapeInline(_ text: String) -> String { singleLine(text).escaped(inlineEscapes) }

    static let inlineEscapes = [Unicode.Scalar: String](uniqueKeysWithValues: "\\`*_[]<>|#".unicodeScalars.map { ($0, "\\\($0)") })

    /// A table cell: `|` escaped, newlines folded, `<`/`>` escaped so no HTML is injected.
    public static func escapeCell(_ text: String) -> String { singleLine(text).escaped(cellEscapes) }

    static let cellEscapes: [Unicode.Scalar: String] = ["|": "\\|", "<": "&lt;", ">": "&gt;"]

    /// A GitHub-flavoured table. Columns whose cells are all numeric are right-aligned (`---:`);
    /// every column is padded to its widest cell. Rows shorter than the header get empty cells.
    public static func table(header: [String], rows: [[Cell]]) -> String {
        let columns = header.count
        let cells = rows.map { row in (0..<columns).map { $0 < row.count ? row[$0].rendered : "" } }
        let numeric = (0..<columns).map { c in !rows.isEmpty && rows.allSatisfy { c < $0.count && $0[c].isNumeric } }
        let head = header.map(escapeCell)
        let widths = (0..<columns).map { c in max(3, ([head[c]] + cells.map { $0[c] }).map(\.count).max() ?? 3) }
        func pad(_ s: String, _ c: Int) -> String {
            let fill = String(repeating: " ", count: max(0, widths[c] - s.count))
            return numeric[c] ? fill + s : s + fill
        }
        var lines = ["| " + (0..<columns).map { pad(head[$0], $0) }.joined(separator: " | ") + " |"]
        lines.append("|" + (0..<columns).map { c in
            numeric[c] ? " " + String(repeating: "-", count: widths[c] - 1) + ": " : " " + String(repeating: "-", count: widths[c]) + " "
        }.joined(separator: "|") + "|")
        for row in cells {
            lines.append("| " + (0..<columns).map { pad(row[$0], $0) }.joined(separator: " | ") + " |")
        }
        return lines.joined(separator: "\n")
    }

    /// `![alt](path)` where path is `file` relative to `reportDirectory` (with `../` as needed),
    /// percent-encoded for spaces and parentheses so the link survives Markdown parsing.
    public static func image(alt: String, file: URL, reportDirectory: URL) -> String {
        let path = relativePath(of: file, from: reportDirectory)
        return "![" + escapeInline(alt) + "](" + encodeLink(path) + ")"
    }

    /// `file`'s path relative to `directory` (both made absolute and standardised).
    public static func relativePath(of file: URL, from directory: URL) -> String {
        let f = file.standardizedFileURL.pathComponents
        let d = directory.standardizedFileURL.pathComponents
        var common = 0
        while common < min(f.count, d.count) && f[common] == d[common] { common += 1 }
        let ups = Array(repeating: "..", count: d.count - common)
        return (ups + f[common...]).joined(separator: "/")
    }

    /// A link target with the characters that end or break a Markdown link percent-encoded.
    static func encodeLink(_ path: String) -> String { path.escaped(linkEscapes) }

    static let linkEscapes: [Unicode.Scalar: String] = [" ": "%20", "(": "%28", ")": "%29", "<": "%3C", ">": "%3E"]

    static func singleLine(_ text: String) -> String {
        text.replacingOccurrences(of: "\r\n", with: " ").replacingOccurrences(of: "\n", with: " ")
            .replacingOccurrences(of: "\r", with: " ")
    }
}
