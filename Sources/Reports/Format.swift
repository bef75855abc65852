import Foundation

/// Deterministic number formatting shared by charts, Markdown tables and `compare`.
///
/// Everything goes through `%.<d>f` / `%.<d>e` in the POSIX locale, so the same value always
/// gives the same bytes; negative zero prints as zero so that `-0.000` never shows up in diffs.
public enum NumberFormat {
    /// `x` with exactly `digits` decimals; "NaN", "inf", "-inf" for non-finite values.
    public static func fixed(_ x: Double, _ digits: Int) -> String {
        guard x.isFinite else { return x.isNaN ? "NaN" : (x > 0 ? "inf" : "-inf") }
        let s = String(format: "%.\(max(0, digits))f", x)
        return isNegativeZero(s) ? String(s.dropFirst()) : s
    }

    /// Like `fixed`, then without trailing zeros (and without a trailing dot): for SVG coordinates.
    public static func compact(_ x: Double, _ digits: Int = 2) -> String {
        var s = fixed(x, digits)
        guard x.isFinite, s.contains(".") else { return s }
        while s.hasSuffix("0") { s.removeLast() }
        if s.hasSuffix(".") { s.removeLast() }
        return s == "-0" ? "0" : s
    }

    /// A metric value: fixed `digits` decimals for zero and magnitudes in [10^−(digits−2), 1e6)
    /// (so at least three significant digits show), scientific with `digits − 3` mantissa
    /// decimals otherwise (so tiny changes never print as 0).
    public static func metric(_ x: Double, digits: Int = 6) -> String {
        guard x.isFinite else { return fixed(x, 0) }
        let a = abs(x)
        if a == 0 || (a >= pow(10, -Double(max(0, digits - 2))) && a < 1e6) { return fixed(x, digits) }
        let s = String(format: "%.\(max(1, digits - 3))e", x)
        return s
    }

    /// A signed change: like `metric` with an explicit "+" for positive values.
    public static func signedMetric(_ x: Double, digits: Int = 6) -> String {
        let s = metric(x, digits: digits)
        return (x > 0 && x.isFinite) ? "+" + s : s
    }

    private static func isNegativeZero(_ s: String) -> Bool {
        s.hasPrefix("-") && !s.contains(where: { $0 >= "1" && $0 <= "9" })
    }
}
