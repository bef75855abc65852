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
        let layout = pool.layout
        let columns = pool.count + (extras?.models ?? 0)
        let span = layout.compactRange(eras: eras)
        let cache: NeutralCache? = neutral ? pool.neutral.flatMap { $0.eras.contains(eras.lowerBound) && $0.eras.contains(eras.upperBound - 1) ? $0 : nil } : nil
        let eraCount = eras.count
        let meta = ModelMatrix(models: 2, columns: span.count)
        let perEra = ModelMatrix(models: 2 + 3 * eraCount, columns: columns)  // row 0: metaCorr, row 1: total stake
        let failure = ErrorBox()
        DispatchQueue.concurrentPerform(iterations: eraCount) { t in
            let e = eras.lowerBound + t
            let era = layout.eras[e]
            let n = era.valid.count
            let base = era.compact.lowerBound
            // Stakes per column in this era.
            var weight = [Double](repeating: 0, count: columns)
            var total = 0.0
            for s in stakers { weight[s.column(at: t)] += s.stake; total += s.stake }
            let local = (base - span.lowerBound)..<(base - span.lowerBound + n)
            let raw = UnsafeMutableBufferPointer(rebasing: meta.row(0)[local])
            let mg = UnsafeMutableBufferPointer(rebasing: meta.row(1)[local])
            for i in 0..<n { raw[i] = 0 }
            for c in 0..<columns where weight[c] != 0 {
                let w = weight[c]
                let g = values(pool: pool, extras: extras, column: c)
                for i in 0..<n { raw[i] += w * g[base + i] }
            }
            for i in 0..<n { raw[i] /= total }
            var scratch = RankScratch()
            var ranker = FastRanker()
            ranker.gaussianize(UnsafeBufferPointer(raw), table: era.table, into: mg)
            // numerai_corr(M) = pearson(p15(Φ⁻¹ rank M), t15): the ranks are already in mg.
            perEra.row(0)[t] = Scoring.pearson(mg.map(Scoring.power15), era.t15)
            perEra.row(1)[t] = total
            let corrRow = perEra.row(2 + t), mmcRow = perEra.row(2 + eraCount + t), ncRow = perEra.row(2 + 2 * eraCount + t)
            var mNeutral: [Double]? = nil
            if let cache {
                mNeutral = cache.neutralize(era: e, Array(mg))
            }
            for c in 0..<columns {
                guard weight[c] != 0 else { corrRow[c] = .nan; mmcRow[c] = .nan; ncRow[c] = .nan; continue }
                let g = values(pool: pool, extras: extras, column: c)
                let p = UnsafeBufferPointer(rebasing: g[base..<(base + n)])
                corrRow[c] = c < pool.count ? pool.corr[c][e]
                    : layout.numeraiCorr(era: e, values: p, scratch: &scratch)
                mmcRow[c] = contribution(p, UnsafeBufferPointer(mg), era.tContribution)
                if let cache {
                    if c < pool.count, let m = mNeutral {
                        let row = cache.neutralized.row(c)
                        let off = base - cache.span.lowerBound
                        let pn = UnsafeBufferPointer(rebasing: row[off..<(off + n)])
                        ncRow[c] = pn[0].isNaN ? .nan : m.withUnsafeBufferPointer { contribution(pn, $0, era.tContribution) }
                    } else if let m = mNeutral {
                        if let pn = cache.neutralize(era: e, Array(p)) {
                            ncRow[c] = pn.withUnsafeBufferPointer { a in m.withUnsafeBufferPointer { contribution(a, $0, era.tContribution) } }
                        } else { ncRow[c] = .nan }
                    } else {
                        ncRow[c] = .nan
                    }
                } else {
                    ncRow[c] = .nan
                }
            }
        }
        try failure.rethrow()
        func rows(_ from: Int) -> [[Double]] { (0..<eraCount).map { Array(perEra.row(from + $0)) } }
        return PopulationScores(eras: eras, columns: columns, metaCorr: Array(perEra.row(0)[0..<eraCount]),
                                totalStake: Array(perEra.row(1)[0..<eraCount]),
                                corr: rows(2), mmc: rows(2 + eraCount), nc: cache == nil ? nil : rows(2 + 2 * eraCount),
                                metaRaw: Array(meta.row(0)), metaGaussianized: Array(meta.row(1)), span: span)
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
