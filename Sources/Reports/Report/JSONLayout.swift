import Foundation

/// Re-indents JSON text without parsing its values, so numbers (64-bit seeds, long decimals)
/// and strings print exactly as written. Whitespace outside strings is dropped and re-emitted:
/// two-space indentation, one member per line, `"key": value`, empty `{}` / `[]` kept on one line.
/// Text that is not balanced JSON is returned unchanged.
enum JSONLayout {
    static func pretty(_ json: String) -> String {
        var out = ""
        var depth = 0
        var inString = false, escaped = false
        let chars = Array(json)
        var i = 0
        func newline() { out += "\n" + String(repeating: "  ", count: depth) }
        func nextSignificant(after j: Int) -> Character? {
            var k = j + 1
            while k < chars.count, chars[k].isWhitespace { k += 1 }
            return k < chars.count ? chars[k] : nil
        }
        while i < chars.count {
            let c = chars[i]
            if inString {
                out.append(c)
                if escaped { escaped = false } else if c == "\\" { escaped = true } else if c == "\"" { inString = false }
                i += 1
                continue
            }
            switch c {
            case "\"":
                inString = true
                out.append(c)
            case "{", "[":
                let close: Character = c == "{" ? "}" : "]"
                if nextSignificant(after: i) == close {
                    out.append(c); out.append(close)
                    var k = i + 1
                    while chars[k] != close { k += 1 }
                    i = k
                } else {
                    out.append(c)
                    depth += 1
                    newline()
                }
            case "}", "]":
                depth -= 1
                if depth < 0 { return json }
                newline()
                out.append(c)
            case ",":
                out.append(c)
                newline()
            case ":":
                out += ": "
            default:
                if !c.isWhitespace { out.append(c) }
            }
            i += 1
        }
        return depth == 0 && !inString ? out : json
    }
}
