import Diversity
import EraData
import Foundation
import LinearAlgebra
import Support
import TestSupport
import XCTest

/// `FeatureScores` neutralizes through the normal equations when the design [F, 1] is
/// well-conditioned and falls back to `dgelsd` otherwise; both paths against numerai-tools
/// (`feature_neutral_corr`, `max_feature_correlation`, numpy `lstsq` with rcond 1e-6).
final class FeatureScoresSolverTests: XCTestCase {
    /// Wide eras (150 rows × 90 features): neutralization removes most of the prediction, so a
    /// wrong projection shows. The fast path is taken in every era and agrees with numpy.
    func testNormalEquationsPathMatchesNumeraiTools() throws {
        let d = Fixture.dataset(eras: 4, rowsPerEra: 150, features: 90, seed: 5)
        var rng = SplitMix64(seed: 9)
        for design in designs(d) {
            let x = (0..<150).map { _ in rng.nextGaussian() }
            let fast = try XCTUnwrap(normalEquationResiduals(a: design.values, rows: 150, columns: 91, x: x, rhs: 1,
                                                             minimumReciprocalCondition: 1e-10),
                                     "a random 150 × 91 design is well-conditioned: no fallback")
            // Against the rank-revealing SVD solve (LAPACK dgelsd, what numpy's lstsq calls).
            let reference = try Scoring.neutralize(Matrix(rows: 150, columns: 1, values: x), against: design.rowMajorFeatures)
            for (a, b) in zip(fast, reference.values) { XCTAssertEqual(a, b, accuracy: 1e-12) }
        }
        try assertMatchesOracle(d)
    }

    /// Rank-deficient designs: a duplicated feature, a feature that is 4 − another (collinear
    /// with the intercept), a feature constant in one era. The Gram matrix is singular, the fast
    /// path declines, and the `dgelsd` fallback still gives numerai-tools' values.
    func testRankDeficientErasFallBackAndMatchNumeraiTools() throws {
        let d = Fixture.dataset(eras: 4, rowsPerEra: 150, features: 30, seed: 6)
        for r in 0..<d.rowCount {
            d.features.storage[1 * d.rowCount + r] = d.features[r, 0]
            d.features.storage[3 * d.rowCount + r] = 4 - d.features[r, 4]
            if d.eraOfRow[r] == 0 { d.features.storage[2 * d.rowCount + r] = 3 }
        }
        var rng = SplitMix64(seed: 10)
        for design in designs(d) {
            let x = (0..<150).map { _ in rng.nextGaussian() }
            XCTAssertNil(normalEquationResiduals(a: design.values, rows: 150, columns: 31, x: x, rhs: 1,
                                                 minimumReciprocalCondition: 1e-10),
                         "a rank-deficient design must fall back to the rank-revealing solver")
        }
        try assertMatchesOracle(d)
    }

    // MARK: Helpers

    /// Each era's design [F, 1], column-major, and its features row-major.
    private func designs(_ d: Dataset) -> [(values: [Double], rowMajorFeatures: Matrix)] {
        d.eraGroups(of: (0..<Int32(d.rowCount)).map { $0 }).map { group in
            let n = group.range.count, f = d.featureCount
            var values = [Double](repeating: 1, count: n * (f + 1))
            var features = Matrix(rows: n, columns: f)
            for (i, r) in group.range.enumerated() {
                for j in 0..<f {
                    values[j * n + i] = Double(d.features[r, j])
                    features[i, j] = Double(d.features[r, j])
                }
            }
            return (values, features)
        }
    }

    private func assertMatchesOracle(_ d: Dataset) throws {
        let (pred, tied, _, expected) = try Fixture.scoringOracle(d)
        let layout = try EraLayout(dataset: d, rows: (0..<Int32(d.rowCount)).map { $0 }, targetIndex: 0)
        let scores = try FeatureScores.compute(layout: layout, dataset: d, predictions: [tied, pred])
        let fnc = doubles(expected["fnc"]), exposure = doubles(expected["exposure"])
        XCTAssertEqual(fnc.count, scores.fnc[0].count)
        for (a, b) in zip(scores.fnc[0], fnc) { assertClose(a, b, rel: 1e-9, "fnc") }
        for (a, b) in zip(scores.exposure[0], exposure) { assertClose(a, b, rel: 1e-9, "exposure") }
        XCTAssert(fnc.contains { abs($0) > 1e-3 }, "the fixture's fnc is not trivially zero")
    }
}
