import Foundation
import LinearAlgebra

/// Numerai's per-era scores with numerai-tools 0.7 `scoring.py` semantics.
///
/// Every function scores ONE era. Targets may hold NaN (those rows are dropped, as numerai-tools'
/// `filter_sort_index` does); predictions must be finite. Undefined scores are NaN: fewer than two
/// scored rows, constant predictions (all ranks ½ → Φ⁻¹ = 0 → zero variance, where pandas'
/// `Series.corr` also returns NaN) or a constant target.
public enum Scoring {
    // MARK: Transforms

    /// Twice the 1-based average-tie rank of each value (pandas `rank(method="average")` × 2),
    /// an integer in 2…2n, so that tie averages stay exact.
    public static func twiceAverageRanks(_ values: [Double]) -> [Int32] {
        var out = [Int32](repeating: 0, count: values.count)
        var order = [Int32]()
        values.withUnsafeBufferPointer { v in
            out.withUnsafeMutableBufferPointer { o in twiceAverageRanks(v, into: o, order: &order) }
        }
        return out
    }

    /// As above, into caller-owned storage; `order` is scratch reused between calls.
    @inlinable
    public static func twiceAverageRanks(_ values: UnsafeBufferPointer<Double>,
                                         into out: UnsafeMutableBufferPointer<Int32>,
                                         order: inout [Int32]) {
        let n = values.count
        order.removeAll(keepingCapacity: true)
        order.append(contentsOf: 0..<Int32(n))
        order.sort { values[Int($0)] < values[Int($1)] }
        var i = 0
        while i < n {
            let v = values[Int(order[i])]
            var j = i + 1
            while j < n && values[Int(order[j])] == v { j += 1 }
            // Ranks i+1 … j share their average (i+1+j)/2; store twice that.
            let twice = Int32(i + 1 + j)
            for k in i..<j { out[Int(order[k])] = twice }
            i = j
        }
    }

    /// numerai-tools' `tie_kept_rank`: (average rank − 0.5) / n.
    public static func percentileRanks(_ values: [Double]) -> [Double] {
        let n = Double(values.count)
        return twiceAverageRanks(values).map { (Double($0) * 0.5 - 0.5) / n }
    }

    /// Φ⁻¹ of the tie-kept percentile rank with twice-rank `twice` among `n` values.
    @inlinable
    public static func gaussianOfTwiceRank(_ twice: Int32, count n: Int) -> Double {
        inverseNormalCDF((Double(twice) * 0.5 - 0.5) / Double(n))
    }

    /// numerai-tools' `gaussian(tie_kept_rank(x))`.
    public static func gaussianizedRanks(_ values: [Double]) -> [Double] {
        twiceAverageRanks(values).map { gaussianOfTwiceRank($0, count: values.count) }
    }

    /// p15(x) = sign(x)·|x|^1.5.
    @inline(__always)
    public static func power15(_ x: Double) -> Double {
        let a = abs(x)
        return x < 0 ? -(a * a.squareRoot()) : a * a.squareRoot()
    }

    // MARK: Statistics

    /// Pearson correlation (two-pass); NaN when either side has zero variance or n < 2.
    public static func pearson(_ a: UnsafeBufferPointer<Double>, _ b: UnsafeBufferPointer<Double>) -> Double {
        let n = a.count
        precondition(b.count == n)
        if n < 2 { return .nan }
        var ma = 0.0, mb = 0.0
        for i in 0..<n { ma += a[i]; mb += b[i] }
        ma /= Double(n); mb /= Double(n)
        var sab = 0.0, saa = 0.0, sbb = 0.0
        for i in 0..<n {
            let da = a[i] - ma, db = b[i] - mb
            sab += da * db; saa += da * da; sbb += db * db
        }
        if saa == 0 || sbb == 0 { return .nan }
        return sab / (saa * sbb).squareRoot()
    }

    public static func pearson(_ a: [Double], _ b: [Double]) -> Double {
        a.withUnsafeBufferPointer { ap in b.withUnsafeBufferPointer { bp in pearson(ap, bp) } }
    }

    /// Spearman rank correlation: Pearson of average-tie ranks. Pairs with a NaN are dropped.
    public static func spearman(_ a: [Double], _ b: [Double]) -> Double {
        var x: [Double] = [], y: [Double] = []
        for i in a.indices where a[i].isFinite && b[i].isFinite { x.append(a[i]); y.append(b[i]) }
        let rx = twiceAverageRanks(x).map(Double.init), ry = twiceAverageRanks(y).map(Double.init)
        return pearson(rx, ry)
    }

    // MARK: Targets

    /// Centered target raised to 1.5 as `numerai_corr` uses it: p15(t − mean t).
    public static func numeraiTarget(_ target: [Double]) -> [Double] {
        let mean = target.reduce(0, +) / Double(max(target.count, 1))
        return target.map { power15($0 - mean) }
    }

    /// Target as `contribution_scores` uses it: ×4 when every value lies in [0, 1], then centered.
    public static func contributionTarget(_ target: [Double]) -> [Double] {
        let scaled = target.allSatisfy({ $0 >= 0 && $0 <= 1 }) ? target.map { $0 * 4 } : target
        let mean = scaled.reduce(0, +) / Double(max(scaled.count, 1))
        return scaled.map { $0 - mean }
    }

    // MARK: Scores (one era)

    /// `numerai_corr`: pearson(p15(Φ⁻¹(rank(pred))), p15(t − mean t)) over rows with a target.
    public static func numeraiCorr(predictions: [Double], target: [Double]) -> Double {
        let (p, t) = dropMissingTargets(predictions, target)
        let t15 = numeraiTarget(t)
        let g15 = gaussianizedRanks(p).map(power15)
        return pearson(g15, t15)
    }

    /// `correlation_contribution` (BMC against a benchmark, MMC against the meta model):
    /// p = Φ⁻¹(rank pred), m = Φ⁻¹(rank meta), p⊥ = p − m·(pᵀm)/(mᵀm), t as `contributionTarget`,
    /// score = tᵀp⊥ / n. Rows without a target are dropped before ranking.
    public static func correlationContribution(predictions: [Double], meta: [Double], target: [Double]) -> Double {
        precondition(meta.count == predictions.count)
        var p: [Double] = [], m: [Double] = [], t: [Double] = []
        for i in target.indices where !target[i].isNaN {
            p.append(predictions[i]); m.append(meta[i]); t.append(target[i])
        }
        if t.isEmpty { return .nan }
        return contribution(gaussianized: gaussianizedRanks(p), metaGaussianized: gaussianizedRanks(m),
                            contributionTarget: contributionTarget(t))
    }

    /// The contribution kernel on already gaussianized inputs.
    static func contribution(gaussianized p: [Double], metaGaussianized m: [Double],
                             contributionTarget t: [Double]) -> Double {
        var pm = 0.0, mm = 0.0
        for i in p.indices { pm += p[i] * m[i]; mm += m[i] * m[i] }
        if mm == 0 { return .nan }
        let beta = pm / mm
        var s = 0.0
        for i in p.indices { s += t[i] * (p[i] - m[i] * beta) }
        return s / Double(p.count)
    }

    /// `feature_neutral_corr`: numerai_corr(normalize_std(neutralize(Φ⁻¹(rank pred), F)), t), where
    /// neutralize(X, F) = X − [F,1]·lstsq([F,1], X) with rcond 1e-6 (numpy's). As in numerai-tools,
    /// ranking and neutralization use ALL rows of the era (also those without a target); the
    /// std normalization is omitted because numerai_corr re-ranks (scale-free).
    /// `features` is rows × features. NaN when the gaussianized predictions are constant.
    public static func featureNeutralCorr(predictions: [Double], features: Matrix, target: [Double]) throws -> Double {
        precondition(features.rows == predictions.count && target.count == predictions.count)
        let g = gaussianizedRanks(predictions)
        if g.allSatisfy({ $0 == g[0] }) { return .nan }
        let residual = try neutralize(Matrix(rows: g.count, columns: 1, values: g), against: features)
        return numeraiCorr(predictions: residual.values, target: target)
    }

    /// X − [F,1]·lstsq([F,1], X, rcond 1e-6): the part of each column of `x` that no affine
    /// combination of the features explains.
    public static func neutralize(_ x: Matrix, against features: Matrix) throws -> Matrix {
        let n = features.rows, f = features.columns
        var design = Matrix(rows: n, columns: f + 1)
        for i in 0..<n {
            for j in 0..<f { design.values[i * (f + 1) + j] = features.values[i * f + j] }
            design.values[i * (f + 1) + f] = 1
        }
        let coefficients = try leastSquares(design, x, rcond: numpyNeutralizeRcond)
        let fitted = multiply(design, coefficients)
        var out = x
        for i in out.values.indices { out.values[i] -= fitted.values[i] }
        return out
    }

    /// numerai-tools' `np.linalg.lstsq(..., rcond=1e-6)`.
    public static let numpyNeutralizeRcond = 1e-6

    /// Feature exposure of one era: max over features of |pearson(feature, prediction)|, features
    /// with zero variance skipped (pandas gives NaN, `idxmax` skips it); all rows of the era.
    public static func featureExposure(predictions: [Double], features: Matrix) -> Double {
        precondition(features.rows == predictions.count)
        var best = Double.nan
        var column = [Double](repeating: 0, count: features.rows)
        for j in 0..<features.columns {
            for i in 0..<features.rows { column[i] = features.values[i * features.columns + j] }
            let r = abs(pearson(column, predictions))
            if r.isNaN { continue }
            if best.isNaN || r > best { best = r }
        }
        return best
    }

    static func dropMissingTargets(_ p: [Double], _ t: [Double]) -> ([Double], [Double]) {
        precondition(p.count == t.count)
        var pp: [Double] = [], tt: [Double] = []
        pp.reserveCapacity(p.count); tt.reserveCapacity(t.count)
        for i in t.indices where !t[i].isNaN { pp.append(p[i]); tt.append(t[i]) }
        return (pp, tt)
    }
}

/// Summary of a per-era score series. NaN eras (undefined scores) are skipped, as
/// pandas' `mean`/`std`/`cumsum` skip NaN by default.
public struct SeriesSummary: Codable, Equatable, Sendable {
    /// Mean over eras.
    public var mean: Double
    /// Standard deviation, ddof 0.
    public var std: Double
    /// mean / std; NaN when std = 0.
    public var sharpe: Double
    /// max over eras of (cummax(cumsum c) − cumsum c), ≥ 0.
    public var maxDrawdown: Double
    /// Eras with a defined score.
    public var eras: Int

    enum CodingKeys: String, CodingKey {
        case mean, std, sharpe, maxDrawdown = "max_drawdown", eras
    }

    public init(_ series: [Double]) {
        let c = series.filter { !$0.isNaN }
        eras = c.count
        guard !c.isEmpty else { mean = .nan; std = .nan; sharpe = .nan; maxDrawdown = .nan; return }
        let m = c.reduce(0, +) / Double(c.count)
        var ss = 0.0
        for x in c { ss += (x - m) * (x - m) }
        let s = (ss / Double(c.count)).squareRoot()
        mean = m
        std = s
        sharpe = s == 0 ? .nan : m / s
        var cum = 0.0, peak = -Double.infinity, dd = 0.0
        for x in c {
            cum += x
            peak = max(peak, cum)
            dd = max(dd, peak - cum)
        }
        maxDrawdown = dd
    }

    /// Mean of the defined values; NaN when none.
    public static func mean(_ series: [Double]) -> Double { SeriesSummary(series).mean }
}
