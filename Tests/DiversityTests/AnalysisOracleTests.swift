import Diversity
import EraData
import Foundation
import LinearAlgebra
import TestSupport
import XCTest
import Support

/// The study analysis against numpy / scikit-learn, and the scaling curve against theory.
final class AnalysisOracleTests: XCTestCase {
    func input(_ d: Dataset, models: Int, seed: UInt64) -> AnalysisInput {
        var infos: [ModelInfo] = []
        var predictions: [[Float]] = []
        for i in 0..<models {
            let params: [String: Double] = ["signal": Double(i % 4), "x": Double(i)]
            let descriptors: [String: Double] = ["dropped_era_fraction": Double(i % 2) * 0.1]
            infos.append(ModelInfo(id: "m\(i)", arm: i % 3 == 0 ? "seeds" : "grid", params: params, descriptors: descriptors))
            let signal: Double = 0.1 + 0.1 * Double(i % 4)
            let ties: Int? = i % 5 == 0 ? 1 : nil
            predictions.append(Fixture.predictions(d, seed: seed &+ UInt64(i), signal: signal, tieDecimals: ties))
        }
        return AnalysisInput(models: infos, predictions: predictions, rows: (0..<Int32(d.rowCount)).map { $0 },
                             dataset: d, targetIndex: 0, benchmark: 0, scaling: ScalingConfig(draws: 8, seed: 5))
    }

    func testCorrelationMatrixAndPCAMatchNumpyAndSklearn() throws {
        let d = Fixture.dataset(eras: 16, rowsPerEra: 150, features: 5, seed: 21)
        let input = input(d, models: 12, seed: 100)
        let result = try StudyAnalysis.run(input)
        let dir = TestSupport.temporaryDirectory("div")
        defer { try? FileManager.default.removeItem(at: dir) }
        let csv = dir.appendingPathComponent("preds.csv")
        var preds: [String: [Float]] = [:]
        for (i, p) in input.predictions.enumerated() { preds[String(format: "m%02d", i)] = p }
        try Fixture.writeCSV(d, predictions: preds, to: csv)
        let expected = try Fixture.python(TestSupport.oracleScript("DiversityTests/AnalysisOracleTests-CorrelationMatrixAndPCAMatchNumpyAndSklearn.py"), [csv.path]) as! [String: Any]
        let corr = doubles(expected["corr"])
        for (a, b) in zip(result.correlation.values, corr) { assertClose(a, b, rel: 1e-9, floor: 1e-9, "corr matrix") }
        let ratio = doubles(expected["ratio"]), mine = result.metrics.diversity.pcaExplainedVarianceRatio
        XCTAssertEqual(mine.count, ratio.count)
        for (a, b) in zip(mine, ratio) { assertClose(a, b, rel: 1e-9, floor: 1e-9, "explained variance ratio") }
        // Summaries follow from the matrix.
        let m = 12.0
        var off = 0.0
        for i in 0..<12 { for j in 0..<12 where j != i { off += result.correlation[i, j] } }
        let rho = off / (m * (m - 1))
        assertClose(result.metrics.diversity.pairwiseCorrMean, rho, rel: 1e-12, "mean pairwise corr")
        assertClose(result.metrics.diversity.effectiveModels, m / (1 + (m - 1) * rho), rel: 1e-12, "Kish n_eff")
        let lambdas = mine.map { $0 * m }
        assertClose(result.metrics.diversity.participationRatio,
                    pow(lambdas.reduce(0, +), 2) / lambdas.reduce(0) { $0 + $1 * $1 }, rel: 1e-12, "participation")
        let a = result.metrics.diversity.ambiguity
        assertClose(a.ensembleError, a.meanMemberError - a.meanAmbiguity, rel: 1e-12, "Krogh–Vedelsby identity")
        XCTAssertGreaterThan(a.meanAmbiguity, 0)
        // Keys the reports rely on, and determinism of the encoding.
        let json = try result.metrics.canonicalJSON()
        let object = try JSONSerialization.jsonObject(with: json) as! [String: Any]
        for key in ["models", "diversity", "scaling", "arms", "theory", "per_era"] { XCTAssertNotNil(object[key], key) }
        let model = (object["models"] as! [[String: Any]])[0]
        for key in ["id", "arm", "params", "corr_mean", "corr_sharpe", "bmc_mean", "corr_std", "max_drawdown",
                    "fnc_mean", "max_feature_exposure", "contribution"] { XCTAssertNotNil(model[key], key) }
        XCTAssertEqual(try StudyAnalysis.run(input).metrics.canonicalJSON(), json, "same input → identical JSON")
        let decoded = try StudyMetrics.decode(json)
        XCTAssertEqual(decoded.models.count, 12)
        XCTAssertEqual(decoded.arms.map(\.arm), ["grid", "seeds"])
        XCTAssertEqual(try decoded.canonicalJSON(), json, "decode → encode round trip")
    }

    /// M equicorrelated predictions p_i = a·t + b·z + s·e_i (corr c = a, pairwise ρ = a² + b²) on a
    /// Gaussian target: the ensemble of k of them must score c/√(ρ + (1−ρ)/k).
    ///
    /// Tolerance, honestly: per test era e, d_e = corr_e(ensemble of k) − f(k)·mean_i corr_e(member i),
    /// f(k) = 1/√(ρ + (1−ρ)/k) with the measured ρ; the theory says E[d] = 0. Its standard error is
    /// sd(d)/√E from the E test eras; we require |mean d| ≤ 4 standard errors.
    func testScalingCurveMatchesTheoryOnPlantedModels() throws {
        let eras = 48, perEra = 1000, models = 30
        let (c, rho) = (0.1, 0.4)
        let a = c, b = (rho - a * a).squareRoot(), s = (1 - rho).squareRoot()
        var rng = SplitMix64(seed: 77)
        let n = eras * perEra
        var target = [Float](repeating: 0, count: n), common = [Double](repeating: 0, count: n)
        for r in 0..<n { target[r] = Float(rng.nextGaussian()); common[r] = rng.nextGaussian() }
        let predictions: [[Float]] = (0..<models).map { _ in
            (0..<n).map { r in Float(a * Double(target[r]) + b * common[r] + s * rng.nextGaussian()) }
        }
        let d = Dataset(features: FeatureColumns(rowCount: n, featureCount: 0), featureNames: [], targetNames: ["t"],
                        targets: [target], eras: (0..<eras).map { "e\($0)" }, eraOfRow: (0..<n).map { Int32($0 / perEra) },
                        ids: (0..<n).map { "r\($0)" }, splitOfRow: [Split](repeating: .validation, count: n))
        let input = AnalysisInput(models: (0..<models).map { ModelInfo(id: "m\($0)", arm: "planted") },
                                  predictions: predictions, rows: (0..<Int32(n)).map { $0 }, dataset: d, targetIndex: 0,
                                  scaling: ScalingConfig(draws: 16, seed: 9), featureScores: false)
        let result = try StudyAnalysis.run(input)
        let theory = result.metrics.theory
        XCTAssertEqual(theory.rho, rho, accuracy: 0.02, "measured ρ near the planted ρ")
        XCTAssertEqual(theory.c, c, accuracy: 0.02, "measured c near the planted c (p15 transforms shrink it slightly)")

        let layout = try EraLayout(dataset: d, rows: input.rows, targetIndex: 0)
        let (_, test) = try input.split.ranges(eraCount: eras)
        let g = ModelMatrix(models: models, columns: layout.compactCount)
        var scratch = RankScratch()
        for i in 0..<models { _ = predictions[i].withUnsafeBufferPointer { layout.scoreModel($0, gaussianized: g.row(i), scratch: &scratch) } }
        for k in [1, 2, 5, 10, 30] {
            let members = Array(0..<k)   // exchangeable models: any k are a random subset
            let ensemble = Scaling.testCorr(g: g, layout: layout, members: members, test: test,
                                            span: layout.compactRange(eras: test))
            let f = 1 / (theory.rho + (1 - theory.rho) / Double(k)).squareRoot()
            let diff = test.enumerated().map { x, e in
                ensemble[x] - f * members.map { result.corrPerEra[$0][e] }.reduce(0, +) / Double(k)
            }
            let summary = SeriesSummary(diff)
            let se = summary.std * (Double(diff.count) / Double(diff.count - 1)).squareRoot() / Double(diff.count).squareRoot()
            XCTAssertLessThan(abs(summary.mean), 4 * se + 1e-12, "k=\(k): mean deviation from theory \(summary.mean), se \(se)")
        }
        // The library's own curve: every random-subset mean lies within its draw interval widened by
        // the era-sampling error of the theory (4 se of the k=M deviation, as above, at most 0.01).
        let random = result.metrics.scaling.filter { $0.method == "random" }
        let predicted = result.metrics.scaling.filter { $0.method == "theory" }
        XCTAssertEqual(random.map(\.k), Scaling.grid(models: models, maxPoints: 24))
        for (r, t) in zip(random, predicted) {
            XCTAssertEqual(r.corrMean, t.corrMean, accuracy: 0.01, "k=\(r.k) random \(r.corrMean) vs theory \(t.corrMean)")
        }
        let gain = random.last!.corrMean / random.first!.corrMean
        XCTAssertEqual(gain, 1 / (theory.rho + (1 - theory.rho) / 30).squareRoot(), accuracy: 0.1, "gain at M")
    }
}
