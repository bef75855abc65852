import EraData
import Foundation
import LinearAlgebra
import Support

public struct ScalingConfig: Codable, Equatable, Sendable {
    /// Random subsets drawn per k.
    public var draws: Int
    public var seed: UInt64
    /// Every k = 1…M when M ≤ this, else this many log-spaced k (always 1 and M).
    public var maxGridPoints: Int
    public init(draws: Int = 32, seed: UInt64 = 0, maxGridPoints: Int = 24) {
        self.draws = draws; self.seed = seed; self.maxGridPoints = maxGridPoints
    }
}

/// One point of an ensemble-scaling curve: mean test-range numerai_corr of an ensemble of k models.
public struct ScalingRow: Codable, Equatable, Sendable {
    public var k: Int
    /// `random`, `top_k`, `greedy` or `theory`.
    public var method: String
    public var corrMean: Double
    public var ciLow: Double
    public var ciHigh: Double
    /// `draws`: 5th–95th percentile over random subsets (k = M: one subset, interval of width 0); `eras`: mean ± 1.645·sd/√eras over test
    /// eras (a deterministic ensemble); `none`: the theoretical curve.
    public var ciKind: String
    enum CodingKeys: String, CodingKey {
        case k, method, corrMean = "corr_mean", ciLow = "ci_low", ciHigh = "ci_high", ciKind = "ci_kind"
    }
}

/// c/√(ρ + (1−ρ)/k): corr of the mean of k models each with corr c to the target and pairwise ρ.
public func theoreticalEnsembleCorr(c: Double, rho: Double, k: Int) -> Double {
    c / (rho + (1 - rho) / Double(k)).squareRoot()
}

public enum Scaling {
    /// k = 1…M, or `maxPoints` log-spaced integers from 1 to M (duplicates removed).
    public static func grid(models m: Int, maxPoints: Int) -> [Int] {
        if m <= max(maxPoints, 2) { return Array(1...max(m, 1)) }
        var out: [Int] = []
        for i in 0..<maxPoints {
            let k = Int(exp(log(Double(m)) * Double(i) / Double(maxPoints - 1)).rounded())
            if out.last != k { out.append(min(k, m)) }
        }
        if out.last != m { out.append(m) }
        return out
    }

    /// Out-of-sample scaling curves of the `models` subset (indices into `g`'s rows).
    ///
    /// - random: k distinct models drawn uniformly: the k-prefix of draw d's random permutation
    ///   (SplitMix64 stream (seed, d)), so subsets are nested across k within a draw.
    /// - top_k: the k best by mean selection-range numerai_corr (`selectionCorr`, per subset entry).
    /// - greedy: Caruana et al. (2004) forward selection WITH replacement, from an empty ensemble;
    ///   each step adds the model maximizing the selection-range pooled Pearson correlation of
    ///   the summed gaussianized predictions with the per-era centered target (computed from
    ///   `selection`'s cross products in O(M) per candidate — a rank-free surrogate of numerai_corr;
    ///   ties go to the lower index). k counts picks.
    /// Ensembles average the members' gaussianized predictions; the score is numerai_corr per test
    /// era, averaged over the test eras.
    public static func curves(g: ModelMatrix, layout: EraLayout, models: [Int], selectionCorr: [Double],
                              selection: CrossProducts, test: Range<Int>, config: ScalingConfig) -> [ScalingRow] {
        let m = models.count
        if m == 0 { return [] }
        let ks = grid(models: m, maxPoints: config.maxGridPoints)
        let span = layout.compactRange(eras: test)
        var rows: [ScalingRow] = []

        // Random subsets: each draw is a uniformly random permutation (SplitMix64 stream (seed, draw))
        // whose k-prefixes are the draw's k-subsets — each uniformly random for its k, nested across
        // k so one running sum serves the whole grid. Parallel over draws.
        let draws = max(config.draws, 1)
        let randomMeans = SharedDoubles(count: ks.count * draws)
        DispatchQueue.concurrentPerform(iterations: draws) { draw in
            var rng = SplitMix64(seed: config.seed, stream: [UInt64(draw)])
            var order = models
            for i in 0..<(m - 1) { order.swapAt(i, i + Int(rng.next() % UInt64(m - i))) }
            var sum = [Double](repeating: 0, count: span.count)
            var used = 0
            for (ki, k) in ks.enumerated() {
                while used < k {
                    let row = g.row(order[used])
                    for i in 0..<span.count { sum[i] += row[span.lowerBound + i] }
                    used += 1
                }
                let scale = 1 / Double(k)
                randomMeans.v[ki * draws + draw] = SeriesSummary.mean(
                    scoreSpan(sum.map { $0 * scale }, layout: layout, test: test, span: span))
            }
        }
        for (ki, k) in ks.enumerated() {
            var v = (0..<draws).map { randomMeans.v[ki * draws + $0] }.filter { !$0.isNaN }
            v.sort()
            rows.append(ScalingRow(k: k, method: "random", corrMean: SeriesSummary.mean(v),
                                   ciLow: quantile(v, 0.05), ciHigh: quantile(v, 0.95), ciKind: v.count > 1 ? "draws" : "none"))
        }

        // Top-k by selection corr.
        let ranked = models.indices.sorted { a, b in
            let x = selectionCorr[a].isNaN ? -Double.infinity : selectionCorr[a]
            let y = selectionCorr[b].isNaN ? -Double.infinity : selectionCorr[b]
            return x != y ? x > y : a < b
        }.map { models[$0] }
        rows += sequentialRows(method: "top_k", order: ranked, ks: ks, g: g, layout: layout, test: test, span: span)

        // Greedy forward selection with replacement.
        rows += sequentialRows(method: "greedy", order: greedyOrder(models: models, selection: selection, steps: ks.last!),
                               ks: ks, g: g, layout: layout, test: test, span: span)
        return rows
    }

    /// The greedy picks (model indices, repeats allowed), `steps` of them.
    public static func greedyOrder(models: [Int], selection s: CrossProducts, steps: Int) -> [Int] {
        let n = Double(s.rows)
        var a = 0.0, b = 0.0, c = 0.0
        var r = [Double](repeating: 0, count: models.count)   // Σ_{i∈S} G_ij per candidate j
        var picks: [Int] = []
        for _ in 0..<steps {
            var best = -Double.infinity, bestIndex = 0
            for (x, j) in models.enumerated() {
                let num = a + s.targetDots[j]
                let sum = c + s.sums[j]
                let variance = b + 2 * r[x] + s.gram[j, j] - sum * sum / n
                let score = variance > 0 ? num / variance.squareRoot() : -Double.infinity
                if score > best { best = score; bestIndex = x }
            }
            let j = models[bestIndex]
            a += s.targetDots[j]; c += s.sums[j]
            b += 2 * r[bestIndex] + s.gram[j, j]
            for (x, i) in models.enumerated() { r[x] += s.gram[i, j] }
            picks.append(j)
        }
        return picks
    }

    /// Scores the prefixes of `order` at each k of `ks` (k = prefix length).
    static func sequentialRows(method: String, order: [Int], ks: [Int], g: ModelMatrix, layout: EraLayout,
                               test: Range<Int>, span: Range<Int>) -> [ScalingRow] {
        var sum = [Double](repeating: 0, count: span.count)
        var rows: [ScalingRow] = []
        var used = 0
        for k in ks where k <= order.count {
            while used < k {
                let row = g.row(order[used])
                for i in 0..<span.count { sum[i] += row[span.lowerBound + i] }
                used += 1
            }
            let scale = 1 / Double(k)
            let series = scoreSpan(sum.map { $0 * scale }, layout: layout, test: test, span: span)
            rows.append(erasRow(k: k, method: method, series: series))
        }
        return rows
    }

    static func erasRow(k: Int, method: String, series: [Double]) -> ScalingRow {
        let s = SeriesSummary(series)
        let half = 1.6448536269514722 * s.std / Double(max(s.eras, 1)).squareRoot()
        return ScalingRow(k: k, method: method, corrMean: s.mean, ciLow: s.mean - half, ciHigh: s.mean + half, ciKind: "eras")
    }

    /// numerai_corr per test era of the equal-weight mean of `members`' gaussianized predictions.
    public static func testCorr(g: ModelMatrix, layout: EraLayout, members: [Int], test: Range<Int>,
                                span: Range<Int>) -> [Double] {
        var sum = [Double](repeating: 0, count: span.count)
        for member in members {
            let row = g.row(member)
            for i in 0..<span.count { sum[i] += row[span.lowerBound + i] }
        }
        let scale = 1 / Double(members.count)
        return scoreSpan(sum.map { $0 * scale }, layout: layout, test: test, span: span)
    }

    /// numerai_corr per era of values laid out over the compact `span` of the `test` eras.
    static func scoreSpan(_ values: [Double], layout: EraLayout, test: Range<Int>, span: Range<Int>) -> [Double] {
        var scratch = RankScratch()
        return values.withUnsafeBufferPointer { v in
            test.map { e in
                let r = layout.eras[e].compact
                return layout.numeraiCorr(era: e, values: UnsafeBufferPointer(rebasing: v[(r.lowerBound - span.lowerBound)..<(r.upperBound - span.lowerBound)]),
                                          scratch: &scratch)
            }
        }
    }
}
