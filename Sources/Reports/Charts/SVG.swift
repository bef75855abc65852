import Foundation
import Support

/// A small SVG scene writer: primitives with fixed-precision coordinates and escaped text.
///
/// The output is self-contained (no external references, no ids, no CSS, no scripts) so it
/// renders the same in GitHub's image proxy, browsers and `rsvg-convert`. Elements are emitted in
/// the order they are added; numbers use `NumberFormat.compact` (2 decimals), so the same scene
/// always gives the same bytes.
public struct SVGDocument: Sendable {
    public let width: Double
    public let height: Double
    /// Font stack with fallbacks available everywhere (DejaVu on Linux, Helvetica/Arial elsewhere).
    public static let fontFamily = "DejaVu Sans, Helvetica, Arial, sans-serif"
    private var body: [String] = []

    public init(width: Double, height: Double) {
        self.width = width
        self.height = height
    }

    /// Escapes text for element content and attribute values (`& < > " '`); tab, newline and
    /// carriage return become spaces; drops characters that XML 1.0 forbids (other control
    /// characters, U+FFFE, U+FFFF).
    public static func escape(_ text: String) -> String {
        text.escaped(xmlEscapes) { scalar in
            let v = scalar.value
            return v < 0x20 || (v >= 0xFFFE && v <= 0xFFFF) || (v >= 0xD800 && v <= 0xDFFF) ? "" : nil
        }
    }

    static let xmlEscapes: [Unicode.Scalar: String] = [
        "&": "&amp;", "<": "&lt;", ">": "&gt;", "\"": "&quot;", "'": "&#39;", "\t": " ", "\n": " ", "\r": " ",
    ]

    static func n(_ x: Double) -> String { NumberFormat.compact(x, 2) }

    /// Appends pre-built markup (callers must escape any text themselves).
    public mutating func raw(_ markup: String) { body.append(markup) }

    public mutating func rect(x: Double, y: Double, width: Double, height: Double, fill: String,
                              stroke: String? = nil, strokeWidth: Double = 1, opacity: Double? = nil) {
        var s = "<rect x=\"\(Self.n(x))\" y=\"\(Self.n(y))\" width=\"\(Self.n(max(0, width)))\" height=\"\(Self.n(max(0, height)))\" fill=\"\(fill)\""
        if let stroke { s += " stroke=\"\(stroke)\" stroke-width=\"\(Self.n(strokeWidth))\"" }
        if let opacity { s += " fill-opacity=\"\(Self.n(opacity))\"" }
        body.append(s + "/>")
    }

    public mutating func line(x1: Double, y1: Double, x2: Double, y2: Double, stroke: String,
                              width: Double = 1, dash: String? = nil) {
        var s = "<line x1=\"\(Self.n(x1))\" y1=\"\(Self.n(y1))\" x2=\"\(Self.n(x2))\" y2=\"\(Self.n(y2))\" stroke=\"\(stroke)\" stroke-width=\"\(Self.n(width))\""
        if let dash { s += " stroke-dasharray=\"\(dash)\"" }
        body.append(s + "/>")
    }

    /// An open polyline; fewer than two points draws nothing.
    public mutating func polyline(_ points: [(Double, Double)], stroke: String, width: Double = 1.5,
                                  dash: String? = nil) {
        guard points.count >= 2 else { return }
        var s = "<polyline points=\"" + Self.pointList(points) + "\" fill=\"none\" stroke=\"\(stroke)\" stroke-width=\"\(Self.n(width))\" stroke-linejoin=\"round\" stroke-linecap=\"round\""
        if let dash { s += " stroke-dasharray=\"\(dash)\"" }
        body.append(s + "/>")
    }

    /// A closed, filled polygon (used for interval bands); fewer than three points draws nothing.
    public mutating func polygon(_ points: [(Double, Double)], fill: String, opacity: Double = 1) {
        guard points.count >= 3 else { return }
        body.append("<polygon points=\"" + Self.pointList(points) + "\" fill=\"\(fill)\" fill-opacity=\"\(Self.n(opacity))\" stroke=\"none\"/>")
    }

    public mutating func circle(cx: Double, cy: Double, r: Double, fill: String, opacity: Double? = nil,
                                stroke: String? = nil) {
        var s = "<circle cx=\"\(Self.n(cx))\" cy=\"\(Self.n(cy))\" r=\"\(Self.n(r))\" fill=\"\(fill)\""
        if let opacity { s += " fill-opacity=\"\(Self.n(opacity))\"" }
        if let stroke { s += " stroke=\"\(stroke)\" stroke-width=\"0.75\"" }
        body.append(s + "/>")
    }

    public enum Anchor: String, Sendable { case start, middle, end }

    /// Text at (x, y) (baseline), optionally rotated about its anchor point; `text` is escaped here.
    public mutating func text(_ text: String, x: Double, y: Double, size: Double = 11,
                              anchor: Anchor = .start, fill: String = "#222222", bold: Bool = false,
                              rotate: Double? = nil) {
        var s = "<text x=\"\(Self.n(x))\" y=\"\(Self.n(y))\" font-size=\"\(Self.n(size))\""
        if anchor != .start { s += " text-anchor=\"\(anchor.rawValue)\"" }
        if bold { s += " font-weight=\"bold\"" }
        s += " fill=\"\(fill)\""
        if let rotate { s += " transform=\"rotate(\(Self.n(rotate)) \(Self.n(x)) \(Self.n(y)))\"" }
        body.append(s + ">" + Self.escape(text) + "</text>")
    }

    /// The complete document. `title` becomes the accessible <title> (and browser tooltip).
    public func render(title: String) -> String {
        var out = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
        out += "<svg xmlns=\"http://www.w3.org/2000/svg\" version=\"1.1\" width=\"\(Self.n(width))\" height=\"\(Self.n(height))\" viewBox=\"0 0 \(Self.n(width)) \(Self.n(height))\" font-family=\"\(Self.fontFamily)\">\n"
        out += "<title>" + Self.escape(title) + "</title>\n"
        out += "<rect x=\"0\" y=\"0\" width=\"\(Self.n(width))\" height=\"\(Self.n(height))\" fill=\"#ffffff\"/>\n"
        for element in body {
            out += element
            out += "\n"
        }
        out += "</svg>\n"
        return out
    }

    private static func pointList(_ points: [(Double, Double)]) -> String {
        var s = ""
        s.reserveCapacity(points.count * 14)
        for (i, p) in points.enumerated() {
            if i > 0 { s += " " }
            s += n(p.0) + "," + n(p.1)
        }
        return s
    }

    /// Approximate rendered width of `text` at `size` (average glyph ≈ 0.6 em in DejaVu Sans);
    /// used only for layout (margins, legend width, truncation).
    public static func textWidth(_ text: String, size: Double) -> Double {
        Double(text.count) * size * 0.6
    }

    /// `text` cut to fit `maxWidth` at `size`, with an ellipsis when cut.
    public static func fit(_ text: String, size: Double, maxWidth: Double) -> String {
        let maxChars = max(1, Int(maxWidth / (size * 0.6)))
        guard text.count > maxChars else { return text }
        return String(text.prefix(max(1, maxChars - 1))) + "…"
    }
}
