import Diversity
import EraData
import Foundation
import LinearAlgebra
@testable import Tournament
import XCTest
import Support

/// The fast paths of the tournament against the direct computations they replace: the radix
/// rank is bit-identical; the meta model and scores built from dgemv inner products agree with the
/// element-by-element formulas up to floating-point reassociation (1e-12 on scores of order 0.1;
/// the oracle tests tie both to numerai-tools at 1e-9).
final class TournamentSpeedTests: XCTestCase {
    /// Pool ranks (radix sort on Float keys) = `EraLayout.scoreModel` (pair sort on Doubles),
    /// bit for bit: gaussianized values and numerai_corr, with ties, ±0, negative values and
    /// values spanning many binades.
    func testRadixPoolRankIsBitIdenticalToTheLayoutScore() throws {
        let fx = Fixture(eras: 6, rows: 257, features: 1, seed: 8, missingTargets: true)
        var rng = SplitMix64(seed: 21)
        let n = fx.rows.count
        var predictions: [[Float]] = []
        for k in 0..<8 {
            predictions.append((0..<n).map { i in
                let z = rng.nextGaussian()
                switch k % 4 {
                case 0: return Float(z)
                case 1: return Float((z * 3).rounded() / 2)                    // many ties, ±0
                case 2: return Float(z * pow(10, Double(Int(rng.nextUnit() * 12)) - 6))   // wide exponent range
                default: return i % 5 == 0 ? -0.0 : (i % 7 == 0 ? 0.0 : Float(z * 1e-3))
                }
            })
        }
        predictions.append([Float](repeating: 3, count: n))  // constant: every row ties
        let pool = try fx.pool(predictions, neutral: false)
        var scratch = RankScratch()
        for m in predictions.indices {
            var g = [Double](repeating: 0, count: pool.layout.compactCount)
            let corr = predictions[m].withUnsafeBufferPointer { p in
                g.withUnsafeMutableBufferPointer { pool.layout.scoreModel(p, gaussianized: $0, scratch: &scratch) }
            }
            XCTAssertEqual(Array(pool.gaussianized.row(m)).map(\.bitPattern), g.map(\.bitPattern), "model \(m)")
            XCTAssertEqual(pool.corr[m].map(\.bitPattern), corr.map(\.bitPattern), "model \(m)")
        }
        XCTAssertLessThan(RadixRanker.key(-2), RadixRanker.key(-1))
        XCTAssertEqual(RadixRanker.key(-0.0), RadixRanker.key(0.0))
        XCTAssertLessThan(RadixRanker.key(0), RadixRanker.key(.leastNonzeroMagnitude))
        XCTAssertLessThan(RadixRanker.key(-.infinity), RadixRanker.key(-.greatestFiniteMagnitude))
    }

    /// MetaModel.score (dgemv meta model, MMC and NC from inner products) = the direct per-element
    /// computation: M = Σ sⱼgⱼ / Σ sⱼ row by row, its Φ⁻¹(rank), and tᵀ(p − m·pᵀm/mᵀm)/n per column,
    /// for single-model stakers, rotating stakers and an extra (pooled) column, with features.
    func testScoresEqualTheDirectComputation() throws {
        let fx = Fixture(eras: 12, rows: 150, features: 3, seed: 17, missingTargets: true)
        var rng = SplitMix64(seed: 3)
        let n = fx.rows.count
        let predictions: [[Float]] = (0..<7).map { k in
            (0..<n).map { Float(Double(k % 3) * fx.z1[$0] + Double(k % 2) * fx.z2[$0] + rng.nextGaussian()) }
        }
        let pool = try fx.pool(predictions)
        let extras = ModelMatrix(models: 1, columns: pool.layout.compactCount)
        for i in 0..<pool.layout.compactCount { extras.row(0)[i] = (pool.gaussianized.row(1)[i] + pool.gaussianized.row(4)[i]) / 2 }
        var stakers = (0..<6).map { Staker(stake: 1 + Double($0 * $0), column: $0) }
        stakers.append(Staker(stake: 2.5, rotating: [6, 2, 3], offset: 1))
        stakers.append(Staker(stake: 0.7, column: pool.count))
        let scores = try MetaModel.score(pool: pool, stakers: stakers, extras: extras, eras: pool.test, neutral: true)
        let cache = try XCTUnwrap(pool.neutral)
        let nc = try XCTUnwrap(scores.nc)
        var scratch = RankScratch()
        for (t, e) in pool.test.enumerated() {
            let era = pool.layout.eras[e]
            let rows = era.valid.count, base = era.compact.lowerBound, local = base - scores.span.lowerBound
            func column(_ c: Int) -> [Double] {
                c < pool.count ? Array(pool.gaussianized.row(c)[era.compact]) : Array(extras.row(0)[era.compact])
            }
            var raw = [Double](repeating: 0, count: rows)
            var total = 0.0
            var held = Set<Int>()
            for s in stakers {
                let g = column(s.column(at: t))
                for i in 0..<rows { raw[i] += s.stake * g[i] }
                total += s.stake
                held.insert(s.column(at: t))
            }
            raw = raw.map { $0 / total }
            for i in 0..<rows { XCTAssertEqual(scores.metaRaw[local + i], raw[i], accuracy: 1e-13) }
            var m = [Double](repeating: 0, count: rows)
            raw.withUnsafeBufferPointer { r in
                m.withUnsafeMutableBufferPointer { pool.layout.gaussianize(era: e, values: r, into: $0, scratch: &scratch) }
            }
            XCTAssertEqual(Array(scores.metaGaussianized[local..<(local + rows)]), m)
            XCTAssertEqual(scores.metaCorr[t], Scoring.pearson(m.map(Scoring.power15), era.t15), accuracy: 1e-15)
            let mNeutral = try XCTUnwrap(cache.neutralize(era: e, m))
            for c in 0..<(pool.count + 1) {
                guard held.contains(c) else {
                    XCTAssertTrue(scores.mmc[t][c].isNaN && scores.corr[t][c].isNaN && nc[t][c].isNaN)
                    continue
                }
                let p = column(c)
                let mmc = p.withUnsafeBufferPointer { a in m.withUnsafeBufferPointer { MetaModel.contribution(a, $0, era.tContribution) } }
                XCTAssertEqual(scores.mmc[t][c], mmc, accuracy: 1e-12, "era \(e) column \(c)")
                let pn = try XCTUnwrap(cache.neutralize(era: e, p))
                let ncDirect = pn.withUnsafeBufferPointer { a in mNeutral.withUnsafeBufferPointer { MetaModel.contribution(a, $0, era.tContribution) } }
                XCTAssertEqual(nc[t][c], ncDirect, accuracy: 1e-12, "era \(e) column \(c)")
                let corr = Scoring.numeraiCorr(predictions: p, target: Array(era.valid.map { Double(fx.dataset.targets[0][Int($0)]) }))
                XCTAssertEqual(scores.corr[t][c], corr, accuracy: 1e-12)
            }
        }
    }

    /// Scoring populations together (one pass over the store for all) gives each the scores it
    /// gets alone, to reassociation.
    func testBatchedPopulationsEqualSingleOnes() throws {
        let fx = Fixture(eras: 10, rows: 120, features: 2, seed: 23)
        var rng = SplitMix64(seed: 9)
        let n = fx.rows.count
        let predictions: [[Float]] = (0..<5).map { k in (0..<n).map { Float(Double(k) * fx.z1[$0] + rng.nextGaussian()) } }
        let pool = try fx.pool(predictions)
        let extras = ModelMatrix(models: 1, columns: pool.layout.compactCount)
        for i in 0..<pool.layout.compactCount { extras.row(0)[i] = pool.gaussianized.row(2)[i] }
        let populations = [
            MetaModel.Population(stakers: (0..<5).map { Staker(stake: Double($0 + 1), column: $0) }),
            MetaModel.Population(stakers: [Staker(stake: 3, column: 0), Staker(stake: 1, rotating: [1, 3], offset: 0)]),
            MetaModel.Population(stakers: [Staker(stake: 2, column: 4), Staker(stake: 5, column: pool.count)], extras: extras),
        ]
        let together = MetaModel.scoreMany(pool: pool, populations: populations, eras: pool.test, neutral: true)
        for (q, population) in populations.enumerated() {
            let alone = try MetaModel.score(pool: pool, stakers: population.stakers, extras: population.extras, eras: pool.test, neutral: true)
            for (a, b) in zip(together[q].metaRaw, alone.metaRaw) { XCTAssertEqual(a, b, accuracy: 1e-13) }
            XCTAssertEqual(together[q].metaGaussianized, alone.metaGaussianized)
            for t in 0..<pool.test.count {
                for c in 0..<alone.columns {
                    for (x, y) in [(together[q].mmc[t][c], alone.mmc[t][c]), (together[q].nc![t][c], alone.nc![t][c]),
                                   (together[q].corr[t][c], alone.corr[t][c])] {
                        XCTAssertEqual(x.isNaN, y.isNaN, "population \(q) era \(t) column \(c)")
                        if !x.isNaN { XCTAssertEqual(x, y, accuracy: 1e-12, "population \(q) era \(t) column \(c)") }
                    }
                }
            }
        }
    }

    /// More test eras than columns (2 models, 10 test eras): per-era totals and meta corr have
    /// storage of their own and never overwrite the per-column scores (they did, by a race).
    func testMoreErasThanColumns() throws {
        let fx = Fixture(eras: 20, rows: 60, features: 1, seed: 4)
        var rng = SplitMix64(seed: 1)
        let pool = try fx.pool((0..<2).map { _ in (0..<fx.rows.count).map { Float(fx.z1[$0] + rng.nextGaussian()) } }, neutral: false)
        XCTAssertEqual(pool.test.count, 10)
        for _ in 0..<20 {
            let scores = try MetaModel.score(pool: pool, stakers: [Staker(stake: 2, column: 0), Staker(stake: 3, column: 1)],
                                             eras: pool.test, neutral: false)
            XCTAssertEqual(scores.totalStake, [Double](repeating: 5, count: 10))
            for (t, e) in pool.test.enumerated() {
                XCTAssertEqual(scores.corr[t], [pool.corr[0][e], pool.corr[1][e]])
                XCTAssertLessThan(abs(scores.mmc[t][0]), 1)
            }
        }
    }

    /// multiplyWindow on a window of a larger row-major store = the loops, for B·X and Bᵀ·X with
    /// X of 1 and 3 columns.
    func testMatrixWindowProducts() {
        var rng = SplitMix64(seed: 2)
        let rows = 5, stride = 11, offset = 3, columns = 6
        let store = (0..<(rows * stride + offset)).map { _ in rng.nextGaussian() }
        func b(_ i: Int, _ j: Int) -> Double { store[offset + i * stride + j] }
        for width in [1, 3] {
            let x = (0..<(columns * width)).map { _ in rng.nextGaussian() }, w = (0..<(rows * width)).map { _ in rng.nextGaussian() }
            var y = [Double](repeating: 0, count: rows * width), z = [Double](repeating: 0, count: columns * width)
            store.withUnsafeBufferPointer { s in
                x.withUnsafeBufferPointer { xp in
                    y.withUnsafeMutableBufferPointer {
                        multiplyWindow(s.baseAddress! + offset, rows: rows, columns: columns, stride: stride, transpose: false, xp, width: width, into: $0)
                    }
                }
                w.withUnsafeBufferPointer { wp in
                    z.withUnsafeMutableBufferPointer {
                        multiplyWindow(s.baseAddress! + offset, rows: rows, columns: columns, stride: stride, transpose: true, wp, width: width, into: $0)
                    }
                }
            }
            for i in 0..<rows {
                for q in 0..<width {
                    XCTAssertEqual(y[i * width + q], (0..<columns).map { b(i, $0) * x[$0 * width + q] }.reduce(0, +), accuracy: 1e-12)
                }
            }
            for j in 0..<columns {
                for q in 0..<width {
                    XCTAssertEqual(z[j * width + q], (0..<rows).map { b($0, j) * w[$0 * width + q] }.reduce(0, +), accuracy: 1e-12)
                }
            }
        }
    }
}
