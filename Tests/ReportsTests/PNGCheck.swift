import Foundation
import TestSupport

/// Renders SVG to PNG with `rsvg-convert` and measures the image with the venv Python
/// (a PNG decoder from zlib + numpy; no imaging library needed).
enum PNGCheck {
    struct Stats: Decodable {
        let width: Int
        let height: Int
        /// Share of pixels in the central crop that are not the white background.
        let inkFraction: Double
        /// Distinct RGB colours in the central crop.
        let distinctColors: Int
        /// Distinct strongly saturated colours (data marks, not grey text/axes) in the whole image.
        let saturatedColors: Int
    }

    static let rsvg = "/usr/bin/rsvg-convert"

    struct Failure: Error, CustomStringConvertible { let description: String }

    static func render(svg: String, to png: URL) throws {
        let svgURL = png.deletingPathExtension().appendingPathExtension("svg")
        try svg.write(to: svgURL, atomically: true, encoding: .utf8)
        guard FileManager.default.isExecutableFile(atPath: rsvg) else {
            throw Failure(description: "rsvg-convert missing: apt-get install -y librsvg2-bin (scripts/test does it)")
        }
        let r = try TestSupport.run(rsvg, ["-f", "png", "-o", png.path, svgURL.path])
        guard r.status == 0 else { throw Failure(description: "rsvg-convert failed: \(r.stderr)") }
    }

    static let decoder = TestSupport.oracleScript("ReportsTests/PNGCheck-decoder.py")

    static func stats(png: URL) throws -> Stats {
        let r = try TestSupport.python(decoder, [png.path])
        guard r.status == 0 else { throw Failure(description: "PNG decoder failed: \(r.stderr)") }
        return try JSONDecoder().decode(Stats.self, from: Data(r.stdout.utf8))
    }
}
