import Foundation
import LinearAlgebra

/// Cross products of models' gaussianized predictions over a set of rows — enough to form the
/// Pearson correlation matrix of any subset of models, and the ambiguity decomposition.
public struct CrossProducts: Sendable {
    /// Σ_rows g_i·g_j (M × M).
    public var gram: Matrix
    /// Σ_rows g_i.
    public var sums: [Double]
    /// Σ_rows g_i·t, t the per-era centered target.
    public var targetDots: [Double]
    /// Σ_rows t².
    public var targetSquares: Double
    public var rows: Int

    public static func + (a: CrossProducts, b: CrossProducts) -> CrossProducts {
        var out = a
        for i in out.gram.values.indices { out.gram.values[i] += b.gram.values[i] }
        for i in out.sums.indices { out.sums[i] += b.sums[i]; out.targetDots[i] += b.targetDots[i] }
        out.targetSquares += b.targetSquares
        out.rows += b.rows
        return out
    }

    /// Accumulates over the compact positions `range` of `g` (models × compact rows) via `dsyrk`,
    /// in a fixed number of lanes summed in order, so the result does not depend on thread count.
    public static func compute(_ g: ModelMatrix, centeredTarget t: [Double], range: Range<Int>) -> CrossProducts {
        let m = g.models
        let lanes = 8, chunk = 2048
        final class Results: @unchecked Sendable {
            let lanes = UnsafeMutableBufferPointer<CrossProducts?>.allocate(capacity: 8)
            init() { lanes.initialize(repeating: nil) }
            deinit { lanes.deinitialize(); lanes.deallocate() }
        }
        let results = Results()
        let laneSize = (range.count + lanes - 1) / lanes
        DispatchQueue.concurrentPerform(iterations: lanes) { lane in
            let lo = range.lowerBound + min(range.count, lane * laneSize)
            let hi = range.lowerBound + min(range.count, (lane + 1) * laneSize)
            var acc = CrossProducts(gram: Matrix(rows: m, columns: m), sums: [Double](repeating: 0, count: m),
                                    targetDots: [Double](repeating: 0, count: m), targetSquares: 0, rows: hi - lo)
            var start = lo
            while start < hi {
                let end = min(hi, start + chunk)
                var block = Matrix(rows: end - start, columns: m)
                for model in 0..<m {
                    let row = g.row(model)
                    var s = 0.0, st = 0.0
                    for r in start..<end {
                        let v = row[r]
                        block.values[(r - start) * m + model] = v
                        s += v; st += v * t[r]
                    }
                    acc.sums[model] += s
                    acc.targetDots[model] += st
                }
                let c = LinearAlgebra.gram(block)
                for i in acc.gram.values.indices { acc.gram.values[i] += c.values[i] }
                for r in start..<end { acc.targetSquares += t[r] * t[r] }
                start = end
            }
            results.lanes[lane] = acc
        }
        return results.lanes.dropFirst().reduce(results.lanes[0]!) { $0 + $1! }
    }

    /// Pearson correlation matrix of the models `subset` (indices into the gram).
    public func correlation(of subset: [Int]) -> Matrix {
        let k = subset.count, n = Double(rows)
        var c = Matrix(rows: k, columns: k)
        var sd = [Double](repeating: 0, count: k)
        for (a, i) in subset.enumerated() {
            sd[a] = max(gram[i, i] - sums[i] * sums[i] / n, 0).squareRoot()
        }
        for (a, i) in subset.enumerated() {
            for (b, j) in subset.enumerated() where b >= a {
                let v = a == b ? 1.0 : (gram[i, j] - sums[i] * sums[j] / n) / (sd[a] * sd[b])
                c[a, b] = v; c[b, a] = v
            }
        }
        return c
    }

    /// Krogh & Vedelsby (1995): for the equal-weight ensemble f̄ of the `subset`, with squared error
    /// against the per-era centered target averaged over rows,
    /// ensemble error = mean member error − mean ambiguity, ambiguity = mean_i (f_i − f̄)².
    public func ambiguity(of subset: [Int]) -> Ambiguity {
        let k = Double(subset.count), n = Double(rows)
        var member = 0.0, dots = 0.0, all = 0.0
        for i in subset {
            member += (gram[i, i] - 2 * targetDots[i] + targetSquares) / n
            dots += targetDots[i]
            for j in subset { all += gram[i, j] }
        }
        let ensemble = (all / (k * k) - 2 * dots / k + targetSquares) / n
        let meanMember = member / k
        return Ambiguity(ensembleError: ensemble, meanMemberError: meanMember, meanAmbiguity: meanMember - ensemble)
    }
}

public struct Ambiguity: Codable, Equatable, Sendable {
    public var ensembleError: Double
    public var meanMemberError: Double
    public var meanAmbiguity: Double
    enum CodingKeys: String, CodingKey {
        case ensembleError = "ensemble_error", meanMemberError = "mean_member_error", meanAmbiguity = "mean_ambiguity"
    }
}

/// What the count of a `QuantileSummary` counts; `key` names it in JSON.
public protocol SummaryCount: Sendable { static var key: String { get } }
/// The off-diagonal pairs of a correlation matrix.
public enum Pairs: SummaryCount { public static let key = "pairs" }
/// Stakers (farm schemes, tournament newcomers).
public enum Stakers: SummaryCount { public static let key = "stakers" }

/// Count, mean, standard deviation (ddof 0, `SeriesSummary`), min, max and numpy's linear
/// quantiles (5, 25, 50, 75, 95 %) of a set of numbers. JSON: `{<Counted.key>, mean, std, min,
/// q05, q25, median, q75, q95, max}`.
public struct QuantileSummary<Counted: SummaryCount>: Codable, Equatable, Sendable {
    public var count: Int
    public var mean: Double
    public var std: Double
    public var min: Double
    public var q05: Double
    public var q25: Double
    public var median: Double
    public var q75: Double
    public var q95: Double
    public var max: Double

    /// The summary of `values` as given (callers drop what does not count).
    public init(of values: [Double]) {
        let v = values.sorted()
        let s = SeriesSummary(v)
        count = v.count
        mean = s.mean; std = s.std
        min = v.first ?? .nan; max = v.last ?? .nan
        q05 = quantile(v, 0.05); q25 = quantile(v, 0.25); median = quantile(v, 0.5)
        q75 = quantile(v, 0.75); q95 = quantile(v, 0.95)
    }

    private struct Key: CodingKey {
        var stringValue: String
        var intValue: Int? { nil }
        init(_ string: String) { stringValue = string }
        init?(stringValue: String) { self.stringValue = stringValue }
        init?(intValue: Int) { nil }
    }
    private static var valueKeys: [String] { ["mean", "std", "min", "q05", "q25", "median", "q75", "q95", "max"] }
    private var values: [Double] { [mean, std, min, q05, q25, median, q75, q95, max] }

    public init(from decoder: Decoder) throws {
        let c = try decoder.container(keyedBy: Key.self)
        count = try c.decode(Int.self, forKey: Key(Counted.key))
        let v = try Self.valueKeys.map { try c.decode(Double.self, forKey: Key($0)) }
        mean = v[0]; std = v[1]; min = v[2]; q05 = v[3]; q25 = v[4]; median = v[5]; q75 = v[6]; q95 = v[7]; max = v[8]
    }

    public func encode(to encoder: Encoder) throws {
        var c = encoder.container(keyedBy: Key.self)
        try c.encode(count, forKey: Key(Counted.key))
        for (key, value) in zip(Self.valueKeys, values) { try c.encode(value, forKey: Key(key)) }
    }
}

/// The off-diagonal entries of a correlation matrix.
public typealias PairwiseDistribution = QuantileSummary<Pairs>
/// One number per staker (finite ones only).
public typealias StakerDistribution = QuantileSummary<Stakers>

extension QuantileSummary where Counted == Pairs {
    public init(_ c: Matrix) {
        var v: [Double] = []
        for i in 0..<c.rows { for j in (i + 1)..<Swift.max(c.rows, i + 1) { v.append(c[i, j]) } }
        self.init(of: v)
    }
}

extension QuantileSummary where Counted == Stakers {
    public init(_ values: [Double]) { self.init(of: values.filter(\.isFinite)) }
}

/// numpy's default (linear) quantile of sorted values; NaN when empty.
public func quantile(_ sorted: [Double], _ q: Double) -> Double {
    if sorted.isEmpty { return .nan }
    let h = Double(sorted.count - 1) * q
    let lo = Int(h.rounded(.down)), hi = Swift.min(lo + 1, sorted.count - 1)
    return sorted[lo] + (h - Double(lo)) * (sorted[hi] - sorted[lo])
}

/// Average-linkage (UPGMA) hierarchical clustering on distance 1 − ρ; returns the leaf order of the
/// dendrogram (for heatmaps). Deterministic: the closest pair with the smallest indices merges
/// first; a merged cluster lists its lower-indexed part first.
public func clusterOrder(_ correlation: Matrix) -> [Int] {
    let n = correlation.rows
    if n == 0 { return [] }
    var distance = [Double](repeating: 0, count: n * n)
    for i in 0..<n { for j in 0..<n { distance[i * n + j] = 1 - correlation[i, j] } }
    var members: [[Int]?] = (0..<n).map { [$0] }
    var active = Array(0..<n)
    while active.count > 1 {
        var best = Double.infinity, bi = -1, bj = -1
        for (x, i) in active.enumerated() {
            for j in active[(x + 1)...] where distance[i * n + j] < best {
                best = distance[i * n + j]; bi = i; bj = j
            }
        }
        if bi < 0 { bi = active[0]; bj = active[1] }   // NaN distances: merge in index order
        let ni = Double(members[bi]!.count), nj = Double(members[bj]!.count)
        for k in active where k != bi && k != bj {
            let d = (ni * distance[bi * n + k] + nj * distance[bj * n + k]) / (ni + nj)
            distance[bi * n + k] = d; distance[k * n + bi] = d
        }
        members[bi]! += members[bj]!
        members[bj] = nil
        active.removeAll { $0 == bj }
    }
    return members[active[0]]!
}

/// PCA of a correlation matrix and the effective-number summaries derived from it.
public struct Spectrum: Codable, Equatable, Sendable {
    /// λ_i / M, descending (negative rounding noise clipped to 0).
    public var explainedVarianceRatio: [Double]
    /// (Σλ)² / Σλ²: how many equally strong directions the predictions span.
    public var participationRatio: Double
    /// Kish's effective number of models, M / (1 + (M − 1)·ρ̄), from the mean pairwise correlation ρ̄:
    /// the number of independent models whose average has the same variance as the average of
    /// these M equicorrelated ones.
    public var effectiveModels: Double

    public init(correlation c: Matrix, meanPairwise rho: Double) throws {
        let m = Double(c.rows)
        let values = c.rows == 0 ? [] : try symmetricEigen(c).values.map { Swift.max($0, 0) }
        let total = values.reduce(0, +)
        explainedVarianceRatio = values.map { $0 / m }
        participationRatio = total * total / values.reduce(0) { $0 + $1 * $1 }
        effectiveModels = c.rows == 1 ? 1 : m / (1 + (m - 1) * rho)
    }
}
