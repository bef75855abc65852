import Diversity
import EraData
import Foundation
import LinearAlgebra

/// One staker: a stake and what it submits. A column is a pool model (index < pool.count) or an
/// extra submission (`pool.count + k`, e.g. a pooled ensemble). With several columns the staker
/// rotates: in the t-th era of the evaluated range it submits `columns[(offset + t) % count]`.
public struct Staker: Sendable {
    public var stake: Double
    public var columns: [Int]
    public var offset: Int
    public init(stake: Double, column: Int) { self.stake = stake; columns = [column]; offset = 0 }
    public init(stake: Double, rotating columns: [Int], offset: Int) {
        precondition(!columns.isEmpty)
        self.stake = stake; self.columns = columns; self.offset = offset
    }
    @inline(__always)
    public func column(at t: Int) -> Int { columns.count == 1 ? columns[0] : columns[(offset + t) % columns.count] }
}

/// Scores of every submitted column in every evaluated era against one population's meta model.
///
/// Meta model (numerai-tools `stake_weight` over gaussianized submissions, as Numerai builds it):
/// per era, M = Σⱼ sⱼ·gⱼ / Σⱼ sⱼ, with gⱼ = Φ⁻¹(tie-kept rank of staker j's submission).
/// Per era and column c (what a staker holding c is scored on):
/// - corr: numerai_corr(c, target);
/// - mmc: numerai-tools `correlation_contribution(c, M, target)` = tᵀ(p − m·pᵀm/mᵀm)/n with
///   p = gaussianized c, m = Φ⁻¹(rank M), t = (4·target if target ⊂ [0,1]) − mean;
/// - nc: numerai-tools `neutral_contribution(c, M, features, target)`: the same with p and m each
///   neutralized against [features, 1] first (NaN without features).
/// Columns nobody holds in an era are NaN there.
public struct PopulationScores: Sendable {
    public let eras: Range<Int>
    public let columns: Int
    /// Per era: numerai_corr of the meta model.
    public let metaCorr: [Double]
    /// Per era: Σ stakes.
    public let totalStake: [Double]
    /// [era ordinal][column].
    public let corr: [[Double]]
    public let mmc: [[Double]]
    public let nc: [[Double]]?
    /// Raw meta model (stake-weighted mean, before ranking) over the compact span of `eras`.
    public let metaRaw: [Double]
    /// Φ⁻¹(rank M) over the same span.
    public let metaGaussianized: [Double]
    public let span: Range<Int>
}

public enum MetaModel {
    /// Scores `stakers` over `eras` (a contiguous range of `pool.layout.eras`). Row k of `extras`
    /// (`compactCount` columns) is column `pool.count + k`: gaussianized values, filled at least
    /// over the compact span of `eras`. Neutral contribution is computed when `neutral` is true and
    /// the pool has a neutral cache covering `eras`. Parallel over eras; bits do not depend on it.
    public static func score(pool: ModelPool, stakers: [Staker], extras: ModelMatrix? = nil, eras: Range<Int>,
                             neutral: Bool) throws -> PopulationScores {
        scoreMany(pool: pool, populations: [Population(stakers: stakers, extras: extras)], eras: eras, neutral: neutral)[0]
    }

    /// One population to score: its stakers and its extra columns (see `score`).
    public struct Population: Sendable {
        public var stakers: [Staker]
        public var extras: ModelMatrix?
        public init(stakers: [Staker], extras: ModelMatrix? = nil) { self.stakers = stakers; self.extras = extras }
    }

    /// `score` of several populations at once, each exactly as scored alone. Per era the pool
    /// models' block Gₑ (models × rows) is read twice for all of them: S·M = Gₑᵀ·W (one dgemm,
    /// W the stakes per model and population), then Gₑ·[m₁ … m_P] for every pᵀm (one dgemm); with
    /// tᵀp and numerai_corr stored per model and era, a pool column's scores are O(1) from there.
    /// The same again with the neutralized store for neutral contribution. Extra columns (a
    /// pooled submission) are scored element by element. Parallel over eras, one single-threaded
    /// BLAS call per step: the bits do not depend on the thread count.
    public static func scoreMany(pool: ModelPool, populations: [Population], eras: Range<Int>, neutral: Bool) -> [PopulationScores] {
        BLAS.setThreadsForAnalysis()
        let layout = pool.layout
        let models = pool.count
        let width = populations.count
        let span = layout.compactRange(eras: eras)
        let cache: NeutralCache? = neutral ? pool.neutral.flatMap { $0.eras.contains(eras.lowerBound) && $0.eras.contains(eras.upperBound - 1) ? $0 : nil } : nil
        let eraCount = eras.count
        let columnsOf = populations.map { models + ($0.extras?.models ?? 0) }
        // Per population: raw M and Φ⁻¹(rank M) over the span; per era metaCorr, total stake and
        // corr / mmc / nc of every column.
        let meta = populations.map { _ in ModelMatrix(models: 2, columns: span.count) }
        let perEra = columnsOf.map { ModelMatrix(models: 3 * eraCount, columns: $0) }
        // Row 0: metaCorr per era, row 1: total stake per era (own rows: eras may outnumber columns).
        let eraRows = populations.map { _ in ModelMatrix(models: 2, columns: eraCount) }
        let stride = layout.compactCount
        DispatchQueue.concurrentPerform(iterations: eraCount) { t in
            let store = UnsafePointer(pool.gaussianized.storage.baseAddress!)
            let e = eras.lowerBound + t
            let era = layout.eras[e]
            let n = era.valid.count
            let base = era.compact.lowerBound
            let local = (base - span.lowerBound)..<(base - span.lowerBound + n)
            // Stakes per pool model and population (models × width), and on extra columns.
            var weights = [Double](repeating: 0, count: models * width)
            var extraWeights = columnsOf.map { [Double](repeating: 0, count: $0 - models) }
            var totals = [Double](repeating: 0, count: width)
            for (q, population) in populations.enumerated() {
                for s in population.stakers {
                    let c = s.column(at: t)
                    if c < models { weights[c * width + q] += s.stake } else { extraWeights[q][c - models] += s.stake }
                    totals[q] += s.stake
                }
            }
            // S·M for every population: Gₑᵀ·W, rows × width.
            var raw = [Double](repeating: 0, count: n * width)
            weights.withUnsafeBufferPointer { w in
                raw.withUnsafeMutableBufferPointer {
                    multiplyWindow(store + base, rows: models, columns: n, stride: stride, transpose: true, w, width: width, into: $0)
                }
            }
            var ranked = [Double](repeating: 0, count: n * width)
            var ranker = FastRanker()
            var scratch = RankScratch()
            for q in 0..<width {
                let rawQ = UnsafeMutableBufferPointer(rebasing: meta[q].row(0)[local])
                let mg = UnsafeMutableBufferPointer(rebasing: meta[q].row(1)[local])
                for i in 0..<n { rawQ[i] = raw[i * width + q] }
                for (k, w) in extraWeights[q].enumerated() where w != 0 {
                    let g = populations[q].extras!.row(k)
                    for i in 0..<n { rawQ[i] += w * g[base + i] }
                }
                for i in 0..<n { rawQ[i] /= totals[q] }
                ranker.gaussianize(UnsafeBufferPointer(rawQ), table: era.table, into: mg)
                for i in 0..<n { ranked[i * width + q] = mg[i] }
                // numerai_corr(M) = pearson(p15(Φ⁻¹ rank M), t15): the ranks are already in mg.
                eraRows[q].row(0)[t] = Scoring.pearson(mg.map(Scoring.power15), era.t15)
                eraRows[q].row(1)[t] = totals[q]
            }
            // gᵀm of every pool model and population: Gₑ·[m₁ … m_P], models × width.
            var pm = [Double](repeating: 0, count: models * width)
            ranked.withUnsafeBufferPointer { r in
                pm.withUnsafeMutableBufferPointer {
                    multiplyWindow(store + base, rows: models, columns: n, stride: stride, transpose: false, r, width: width, into: $0)
                }
            }
            // The same against each neutralized meta model, with the pool's neutralized store.
            var neutralMeta: [[Double]?] = Array(repeating: nil, count: width)
            var pmN = [Double](), mmN = [Double](repeating: 0, count: width), tmN = [Double](repeating: 0, count: width)
            if let cache {
                var stacked = [Double](repeating: 0, count: n * width)
                for q in 0..<width {
                    let mg = Array(meta[q].row(1)[local])
                    guard let m = cache.neutralize(era: e, mg) else { continue }
                    neutralMeta[q] = m
                    for i in 0..<n { stacked[i * width + q] = m[i] }
                    m.withUnsafeBufferPointer { mp in mmN[q] = dot(mp, mp); tmN[q] = dot(era.tContribution, mp) }
                }
                pmN = [Double](repeating: 0, count: models * width)
                let nStore = UnsafePointer(cache.neutralized.storage.baseAddress!) + (base - cache.span.lowerBound)
                stacked.withUnsafeBufferPointer { r in
                    pmN.withUnsafeMutableBufferPointer {
                        multiplyWindow(nStore, rows: models, columns: n, stride: cache.span.count, transpose: false, r, width: width, into: $0)
                    }
                }
            }
            for q in 0..<width {
                let mg = UnsafeBufferPointer(rebasing: meta[q].row(1)[local])
                let mm = dot(mg, mg), tm = dot(era.tContribution, mg)
                let columns = columnsOf[q]
                let rows = perEra[q]
                let corrRow = rows.row(t), mmcRow = rows.row(eraCount + t), ncRow = rows.row(2 * eraCount + t)
                for c in 0..<columns {
                    let held = c < models ? weights[c * width + q] != 0 : extraWeights[q][c - models] != 0
                    guard held else { corrRow[c] = .nan; mmcRow[c] = .nan; ncRow[c] = .nan; continue }
                    if c < models {
                        corrRow[c] = pool.corr[c][e]
                        mmcRow[c] = contribution(tp: pool.tg.row(c)[e], pm: pm[c * width + q], tm: tm, mm: mm, n: n)
                        if let cache, neutralMeta[q] != nil {
                            ncRow[c] = contribution(tp: cache.tNeutralized.row(c)[e - cache.eras.lowerBound], pm: pmN[c * width + q],
                                                    tm: tmN[q], mm: mmN[q], n: n)
                        } else {
                            ncRow[c] = .nan
                        }
                        continue
                    }
                    let p = UnsafeBufferPointer(rebasing: populations[q].extras!.row(c - models)[base..<(base + n)])
                    corrRow[c] = layout.numeraiCorr(era: e, values: p, scratch: &scratch)
                    mmcRow[c] = contribution(p, mg, era.tContribution)
                    if let cache, let m = neutralMeta[q], let pn = cache.neutralize(era: e, Array(p)) {
                        ncRow[c] = pn.withUnsafeBufferPointer { a in m.withUnsafeBufferPointer { contribution(a, $0, era.tContribution) } }
                    } else {
                        ncRow[c] = .nan
                    }
                }
            }
        }
        return (0..<width).map { q in
            let rows = perEra[q]
            func block(_ from: Int) -> [[Double]] { (0..<eraCount).map { Array(rows.row(from + $0)) } }
            return PopulationScores(eras: eras, columns: columnsOf[q], metaCorr: Array(eraRows[q].row(0)),
                                    totalStake: Array(eraRows[q].row(1)),
                                    corr: block(0), mmc: block(eraCount), nc: cache == nil ? nil : block(2 * eraCount),
                                    metaRaw: Array(meta[q].row(0)), metaGaussianized: Array(meta[q].row(1)), span: span)
        }
    }

    /// Leave-self-out MMC of staker `j` in every era of `scores`: its correlation_contribution
    /// against M₋ⱼ = (S·M − sⱼ·gⱼ)/(S − sⱼ), the meta model without its own stake (re-ranked).
    /// NaN when j holds all the stake. One rank per era.
    public static func leaveSelfOutMMC(pool: ModelPool, extras: ModelMatrix? = nil, scores: PopulationScores,
                                       staker: Staker) -> [Double] {
        let layout = pool.layout
        var ranker = FastRanker()
        var out: [Double] = []
        var without: [Double] = [], gaussian: [Double] = []
        for t in 0..<scores.eras.count {
            let e = scores.eras.lowerBound + t
            let era = layout.eras[e]
            let n = era.valid.count, base = era.compact.lowerBound, local = base - scores.span.lowerBound
            let total = scores.totalStake[t], rest = total - staker.stake
            guard rest > 0 && rest / total > 1e-12 else { out.append(.nan); continue }
            let g = values(pool: pool, extras: extras, column: staker.column(at: t))
            without = (0..<n).map { (total * scores.metaRaw[local + $0] - staker.stake * g[base + $0]) / rest }
            gaussian = [Double](repeating: 0, count: n)
            without.withUnsafeBufferPointer { w in
                gaussian.withUnsafeMutableBufferPointer { ranker.gaussianize(w, table: era.table, into: $0) }
            }
            out.append(gaussian.withUnsafeBufferPointer { m in
                contribution(UnsafeBufferPointer(rebasing: g[base..<(base + n)]), m, era.tContribution)
            })
        }
        return out
    }

    @inline(__always)
    static func values(pool: ModelPool, extras: ModelMatrix?, column c: Int) -> UnsafeBufferPointer<Double> {
        if c < pool.count { return UnsafeBufferPointer(pool.gaussianized.row(c)) }
        return UnsafeBufferPointer(extras!.row(c - pool.count))
    }

    /// correlation_contribution from its inner products: tᵀ(p − m·β)/n = (tᵀp − β·tᵀm)/n with
    /// β = pᵀm/mᵀm (`contribution(_:_:_:)` reassociated); NaN when m = 0.
    @inline(__always)
    static func contribution(tp: Double, pm: Double, tm: Double, mm: Double, n: Int) -> Double {
        if mm == 0 || !mm.isFinite { return .nan }
        return (tp - pm / mm * tm) / Double(n)
    }

    /// Σᵢ aᵢ·bᵢ in index order.
    @inline(__always)
    static func dot(_ a: [Double], _ b: UnsafeBufferPointer<Double>) -> Double {
        a.withUnsafeBufferPointer { a in dot(a, b) }
    }
    @inline(__always)
    static func dot(_ a: UnsafeBufferPointer<Double>, _ b: UnsafeBufferPointer<Double>) -> Double {
        precondition(a.count == b.count)
        var s = 0.0
        for i in 0..<a.count { s += a[i] * b[i] }
        return s
    }
    @inline(__always)
    static func dot(_ a: UnsafeMutableBufferPointer<Double>, _ b: UnsafeMutableBufferPointer<Double>) -> Double {
        dot(UnsafeBufferPointer(a), UnsafeBufferPointer(b))
    }

    /// tᵀ(p − m·pᵀm/mᵀm)/n (numerai-tools `orthogonalize` + `contribution_scores`); NaN when m = 0.
    @inline(__always)
    static func contribution(_ p: UnsafeBufferPointer<Double>, _ m: UnsafeBufferPointer<Double>, _ t: [Double]) -> Double {
        let n = p.count
        var pm = 0.0, mm = 0.0
        for i in 0..<n { pm += p[i] * m[i]; mm += m[i] * m[i] }
        if mm == 0 || !mm.isFinite { return .nan }
        let beta = pm / mm
        var s = 0.0
        for i in 0..<n { s += t[i] * (p[i] - m[i] * beta) }
        return s / Double(n)
    }
}
