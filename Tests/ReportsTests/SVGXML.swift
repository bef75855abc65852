import Foundation
#if canImport(FoundationXML)
import FoundationXML
#endif

/// Parses an SVG document with Foundation's XMLParser and collects what the tests look at.
final class SVGXML: NSObject, XMLParserDelegate {
    struct Element { let name: String; let attributes: [String: String] }
    private(set) var elements: [Element] = []
    private(set) var texts: [String] = []
    private var currentText: String?
    private(set) var error: String?

    static func parse(_ svg: String) -> SVGXML {
        let result = SVGXML()
        let parser = XMLParser(data: Data(svg.utf8))
        parser.delegate = result
        if !parser.parse() && result.error == nil {
            result.error = parser.parserError.map { "\($0)" } ?? "parse failed"
        }
        return result
    }

    func parser(_ parser: XMLParser, didStartElement name: String, namespaceURI: String?, qualifiedName: String?,
                attributes: [String: String] = [:]) {
        elements.append(Element(name: name, attributes: attributes))
        if name == "text" || name == "title" { currentText = "" }
    }
    func parser(_ parser: XMLParser, foundCharacters string: String) { currentText? += string }
    func parser(_ parser: XMLParser, didEndElement name: String, namespaceURI: String?, qualifiedName: String?) {
        if name == "text" || name == "title", let t = currentText { texts.append(t); currentText = nil }
    }
    func parser(_ parser: XMLParser, parseErrorOccurred parseError: Error) {
        error = "line \(parser.lineNumber), column \(parser.columnNumber): \(parseError)"
    }
}
