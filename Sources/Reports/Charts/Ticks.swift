import Foundation

/// Axis ticks on the "1-2-5" ladder.
///
/// For a data range [lo, hi] and a target count n, the step is the smallest of
/// {1, 2, 5} × 10^e that is ≥ (hi − lo)/n; the axis domain is widened to whole steps
/// (floor(lo/step)·step … ceil(hi/step)·step) and ticks are i·step for integer i, computed by
/// multiplication (never by repeated addition) so they carry no accumulated rounding error.
/// Labels use exactly max(0, −e) decimals, so every label of an axis has the same precision.
public struct NiceTicks: Equatable, Sendable {
    public let values: [Double]
    public let labels: [String]
    public let step: Double
    public let decimals: Int
    /// The widened domain: [values.first, values.last].
    public var domain: ClosedRange<Double> { values.first!...values.last! }

    /// - Parameters:
    ///   - integer: ticks only at whole numbers (step ≥ 1), for counts such as k or a component.
    public init(lo rawLo: Double, hi rawHi: Double, target: Int = 5, integer: Bool = false) {
        var lo = rawLo.isFinite ? rawLo : 0
        var hi = rawHi.isFinite ? rawHi : 1
        if lo > hi { swap(&lo, &hi) }
        if hi - lo < 1e-12 * max(1, abs(lo), abs(hi)) {
            // A single value: a symmetric window around it, ±10% of its size (±0.5 for zero).
            let pad = lo == 0 ? 0.5 : abs(lo) * 0.1
            lo -= pad
            hi += pad
        }
        let raw = (hi - lo) / Double(max(1, target))
        var exponent = Int(floor(log10(raw)))
        let base = pow(10, Double(exponent))
        var multiple: Double
        switch raw / base {
        case ...1.000001: multiple = 1
        case ...2.000001: multiple = 2
        case ...5.000001: multiple = 5
        default: multiple = 1; exponent += 1
        }
        if integer && Double(exponent) < 0 { multiple = 1; exponent = 0 }
        let step = multiple * pow(10, Double(exponent))
        let first = Int((lo / step + 1e-9).rounded(.down))
        let last = Int((hi / step - 1e-9).rounded(.up))
        let decimals = max(0, -exponent)
        var values: [Double] = []
        for i in first...max(first + 1, last) {
            // Rounding to the label precision turns 0.30000000000000004 into 0.3.
            let v = Double(i) * step
            values.append(decimals > 0 ? (v * pow(10, Double(decimals))).rounded() / pow(10, Double(decimals)) : v)
        }
        self.values = values
        self.step = step
        self.decimals = decimals
        self.labels = values.map { NumberFormat.fixed($0, decimals) }
    }

    /// Decade ticks for a log axis: 10^e for e in [floor(log10 lo), ceil(log10 hi)] (every
    /// ⌈decades/8⌉-th decade on wide ranges), with 2× and 5× added when the range spans at most
    /// two decades. Non-positive bounds fall back to 1…10.
    public static func logarithmic(lo: Double, hi: Double) -> NiceTicks {
        NiceTicks(logLo: lo, hi: hi)
    }

    private init(logLo lo: Double, hi: Double) {
        let safeLo = lo > 0 && lo.isFinite ? lo : 1
        let safeHi = hi > 0 && hi.isFinite ? max(hi, safeLo) : safeLo * 10
        var e0 = Int(floor(log10(safeLo) + 1e-9))
        var e1 = Int(ceil(log10(safeHi) - 1e-9))
        if e1 <= e0 { e1 = e0 + 1 }
        // Wide ranges: a tick every `stride` decades (at most ~8 ticks), the ends widened to match.
        let stride = max(1, Int((Double(e1 - e0) / 8).rounded(.up)))
        e0 = Int((Double(e0) / Double(stride)).rounded(.down)) * stride
        e1 = Int((Double(e1) / Double(stride)).rounded(.up)) * stride
        var values: [Double] = []
        let dense = e1 - e0 <= 2
        for e in Swift.stride(from: e0, through: e1, by: stride) {
            let p = pow(10, Double(e))
            values.append(p)
            if dense && e < e1 { values.append(2 * p); values.append(5 * p) }
        }
        self.values = values
        self.step = 10
        self.decimals = max(0, -e0)
        self.labels = values.map(NiceTicks.logLabel)
    }

    init(values: [Double], labels: [String], step: Double, decimals: Int) {
        self.values = values
        self.labels = labels
        self.step = step
        self.decimals = decimals
    }

    /// 0.001 … 100000 in plain decimals (as many as the value needs); beyond, "1e6" style.
    static func logLabel(_ v: Double) -> String {
        let e = Int(floor(log10(v) + 1e-9))
        if e >= 6 || e <= -4 {
            let mantissa = (v / pow(10, Double(e))).rounded()
            return (mantissa == 1 ? "" : NumberFormat.fixed(mantissa, 0) + "×") + "1e\(e)"
        }
        return NumberFormat.fixed(v, max(0, -e))
    }
}

/// Maps data values to pixels along one axis (linear or log10).
public struct AxisScale: Sendable {
    public let domain: ClosedRange<Double>
    public let range: ClosedRange<Double>
    public let logarithmic: Bool
    /// Pixel range may be reversed (y grows downward): `reversed` maps domain.lower to range.upper.
    public let reversed: Bool

    public init(domain: ClosedRange<Double>, range: ClosedRange<Double>, logarithmic: Bool = false,
                reversed: Bool = false) {
        self.domain = domain
        self.range = range
        self.logarithmic = logarithmic
        self.reversed = reversed
    }

    public func callAsFunction(_ v: Double) -> Double {
        let t: Double
        if logarithmic {
            let a = log10(domain.lowerBound), b = log10(domain.upperBound)
            t = b > a ? (log10(v) - a) / (b - a) : 0.5
        } else {
            let span = domain.upperBound - domain.lowerBound
            t = span > 0 ? (v - domain.lowerBound) / span : 0.5
        }
        let u = reversed ? 1 - t : t
        return range.lowerBound + u * (range.upperBound - range.lowerBound)
    }
}
