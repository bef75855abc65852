import Foundation

/// Colours used by every chart: a colour-blind-safe categorical palette (Okabe–Ito order, with
/// yellow replaced by brown for contrast on white) and a diverging blue–white–red scale.
public enum ChartColors {
    public static let categorical = [
        "#0072b2", "#d55e00", "#009e73", "#cc79a7", "#e69f00", "#56b4e9", "#8c564b", "#555555",
    ]
    public static let axis = "#333333"
    public static let grid = "#e3e3e3"
    public static let text = "#222222"
    public static let mutedText = "#666666"
    public static let reference = "#444444"

    /// The i-th categorical colour (cycles).
    public static func series(_ i: Int) -> String { categorical[((i % categorical.count) + categorical.count) % categorical.count] }

    /// Diverging stops from −1 to +1 (ColorBrewer RdBu, 5 classes, reversed so + is red).
    static let divergingStops: [(Double, (Double, Double, Double))] = [
        (-1.0, (33, 102, 172)), (-0.5, (146, 197, 222)), (0.0, (247, 247, 247)),
        (0.5, (244, 165, 130)), (1.0, (178, 24, 43)),
    ]

    /// Colour for t ∈ [−1, 1] (clamped), linear in RGB between stops; NaN is mid grey.
    public static func diverging(_ t: Double) -> String {
        guard t.isFinite else { return "#bdbdbd" }
        return interpolate(divergingStops, min(1, max(-1, t)))
    }

    /// Sequential stops from 0 to 1 (viridis at 0, ¼, ½, ¾, 1: perceptually uniform, colour-blind safe,
    /// dark = low). Used where values do not centre on zero, e.g. a correlation matrix over its range.
    static let sequentialStops: [(Double, (Double, Double, Double))] = [
        (0.0, (68, 1, 84)), (0.25, (59, 82, 139)), (0.5, (33, 145, 140)), (0.75, (94, 201, 98)), (1.0, (253, 231, 37)),
    ]

    /// Colour for t ∈ [0, 1] (clamped), linear in RGB between stops; NaN is mid grey.
    public static func sequential(_ t: Double) -> String {
        guard t.isFinite else { return "#bdbdbd" }
        return interpolate(sequentialStops, min(1, max(0, t)))
    }

    /// The colour at x between the stops (x₀, c₀) < … < (xₙ, cₙ): for x ≤ xᵢ (the first such i ≥ 1),
    /// cᵢ₋₁ + u·(cᵢ − cᵢ₋₁) per RGB channel with u = (x − xᵢ₋₁)/(xᵢ − xᵢ₋₁); past the last stop, its colour.
    static func interpolate(_ stops: [(Double, (Double, Double, Double))], _ x: Double) -> String {
        for i in 1..<stops.count where x <= stops[i].0 {
            let (a, ca) = stops[i - 1], (b, cb) = stops[i]
            let u = (x - a) / (b - a)
            return hex(ca.0 + u * (cb.0 - ca.0), ca.1 + u * (cb.1 - ca.1), ca.2 + u * (cb.2 - ca.2))
        }
        let c = stops.last!.1
        return hex(c.0, c.1, c.2)
    }

    static func hex(_ r: Double, _ g: Double, _ b: Double) -> String {
        func byte(_ v: Double) -> String {
            let i = Int(min(255, max(0, v.rounded())))
            let digits = Array("0123456789abcdef")
            return String([digits[i / 16], digits[i % 16]])
        }
        return "#" + byte(r) + byte(g) + byte(b)
    }
}
