import Diversity
import EraData
import Foundation
import LinearAlgebra
import TestSupport
import XCTest

/// Scores against numerai-tools 0.7 `scoring.py`, era by era, on random and tied predictions.
final class ScoringOracleTests: XCTestCase {
    func testInverseNormalMatchesScipy() throws {
        var ps: [Double] = [1e-300, 1e-20, 1e-10, 1e-5, 0.001, 0.02, 0.02425, 0.0243, 0.1, 0.25, 0.3,
                            0.4999, 0.5, 0.5001, 0.7, 0.75, 0.9, 0.97575, 0.999, 1 - 1e-10]
        for i in 1..<2000 { ps.append((Double(i) - 0.5) / 1999) }
        let json = try Fixture.python(TestSupport.oracleScript("DiversityTests/ScoringOracleTests-InverseNormalMatchesScipy.py"), [String(data: try JSONSerialization.data(withJSONObject: ps), encoding: .utf8)!])
        let expected = doubles(json)
        var worst = 0.0
        for (p, e) in zip(ps, expected) {
            let x = inverseNormalCDF(p)
            if e != 0 { worst = max(worst, abs(x - e) / abs(e)) } else { XCTAssertEqual(x, 0) }
        }
        XCTAssertLessThan(worst, 1e-14, "worst relative error of Φ⁻¹ vs scipy")
    }

    /// Runs numerai-tools per era on a CSV and returns {name: [per-era values]} plus summaries.
    static let oracle = TestSupport.oracleScript("DiversityTests/ScoringOracleTests-oracle.py")

    func testPerEraScoresMatchNumeraiTools() throws {
        let d = Fixture.dataset(eras: 6, rowsPerEra: 300, features: 7, seed: 11)
        let (pred, tied, meta, expected) = try Fixture.scoringOracle(d)

        // Generic per-era functions.
        var corr: [Double] = [], corrTied: [Double] = [], bmc: [Double] = [], fnc: [Double] = [], exposure: [Double] = []
        for group in d.eraGroups(of: (0..<Int32(d.rowCount)).map { $0 }) {
            let rows = Array(group.range)
            let t = rows.map { Double(d.targets[0][$0]) }
            let p = rows.map { Double(pred[$0]) }, q = rows.map { Double(tied[$0]) }, mm = rows.map { Double(meta[$0]) }
            var f = Matrix(rows: rows.count, columns: d.featureCount)
            for (i, r) in rows.enumerated() { for j in 0..<d.featureCount { f[i, j] = Double(d.features[r, j]) } }
            corr.append(Scoring.numeraiCorr(predictions: p, target: t))
            corrTied.append(Scoring.numeraiCorr(predictions: q, target: t))
            bmc.append(Scoring.correlationContribution(predictions: q, meta: mm, target: t))
            fnc.append(try Scoring.featureNeutralCorr(predictions: q, features: f, target: t))
            exposure.append(Scoring.featureExposure(predictions: q, features: f))
        }
        for (name, mine) in [("corr", corr), ("corr_tied", corrTied), ("bmc", bmc), ("fnc", fnc), ("exposure", exposure)] {
            let theirs = doubles(expected[name])
            XCTAssertEqual(theirs.count, mine.count, name)
            for (a, b) in zip(mine, theirs) { assertClose(a, b, rel: 1e-9, name) }
        }
        let s = SeriesSummary(corrTied), es = doubles(expected["summary"])
        assertClose(s.mean, es[0], rel: 1e-9, "mean")
        assertClose(s.std, es[1], rel: 1e-9, "std")
        assertClose(s.sharpe, es[2], rel: 1e-9, "sharpe")
        assertClose(s.maxDrawdown, es[3], rel: 1e-9, "max drawdown")

        // The batch engine (used by the study analysis and `score`) on the same data.
        let rows = (0..<Int32(d.rowCount)).map { $0 }
        let layout = try EraLayout(dataset: d, rows: rows, targetIndex: 0)
        let g = ModelMatrix(models: 2, columns: layout.compactCount)
        var scratch = RankScratch()
        let batchCorr = tied.withUnsafeBufferPointer { layout.scoreModel($0, gaussianized: g.row(0), scratch: &scratch) }
        _ = meta.withUnsafeBufferPointer { layout.scoreModel($0, gaussianized: g.row(1), scratch: &scratch) }
        let batchBMC = layout.contributionPerEra(gaussianized: UnsafeBufferPointer(g.row(0)),
                                                 meta: UnsafeBufferPointer(g.row(1)), eras: 0..<layout.eras.count)
        let features = try FeatureScores.compute(layout: layout, dataset: d, predictions: [tied, pred])
        for (name, mine) in [("corr_tied", batchCorr), ("bmc", batchBMC), ("fnc", features.fnc[0]),
                             ("exposure", features.exposure[0])] {
            for (a, b) in zip(mine, doubles(expected[name])) { assertClose(a, b, rel: 1e-9, "batch " + name) }
        }
    }

    func testDegenerateErasAreNaN() {
        XCTAssert(Scoring.numeraiCorr(predictions: [1, 1, 1], target: [0, 0.5, 1]).isNaN, "constant predictions")
        XCTAssert(Scoring.numeraiCorr(predictions: [1, 2], target: [0.5, .nan]).isNaN, "one scored row")
        XCTAssert(Scoring.numeraiCorr(predictions: [1, 2, 3], target: [0.5, 0.5, 0.5]).isNaN, "constant target")
        let s = SeriesSummary([0.1, .nan, -0.2, 0.3])
        XCTAssertEqual(s.eras, 3)
        XCTAssertEqual(s.maxDrawdown, 0.2, accuracy: 1e-15)
    }
}
