import Diversity
import EraData
import Foundation
import LinearAlgebra
import XCTest
import Support

/// The whole study analysis on synthetic equicorrelated predictions, at a size chosen by the
/// environment: WORKBENCH_BENCH_MODELS × WORKBENCH_BENCH_ROWS (defaults 40 × 20000, quick).
/// bench/analysis runs it at 500 × 100k and reads the `analysis-time` line it prints.
final class AnalysisScaleTests: XCTestCase {
    func testSyntheticStudyIsDeterministicAndPrintsItsTime() throws {
        let env = ProcessInfo.processInfo.environment
        let models = Int(env["WORKBENCH_BENCH_MODELS"] ?? "") ?? 40
        let rows = Int(env["WORKBENCH_BENCH_ROWS"] ?? "") ?? 20000
        let features = Int(env["WORKBENCH_BENCH_FEATURES"] ?? "") ?? 60
        let perEra = 500, eras = max(rows / perEra, 12)
        let n = eras * perEra
        let (c, rho) = (0.05, 0.6)

        var rng = SplitMix64(seed: 1)
        let columns = FeatureColumns(rowCount: n, featureCount: features)
        for i in 0..<(n * features) { columns.storage[i] = UInt8(rng.next() % 5) }
        var latent = [Double](repeating: 0, count: n), common = latent
        var target = [Float](repeating: 0, count: n)
        for r in 0..<n {
            latent[r] = rng.nextGaussian(); common[r] = rng.nextGaussian()
            target[r] = Float(min(4, max(0, (latent[r] + 2.5).rounded(.down))) / 4)
        }
        let dataset = Dataset(features: columns, featureNames: (0..<features).map { "f\($0)" }, targetNames: ["target"],
                              targets: [target], eras: (0..<eras).map { String(format: "%04d", $0) },
                              eraOfRow: (0..<n).map { Int32($0 / perEra) }, ids: (0..<n).map { "r\($0)" },
                              splitOfRow: [Split](repeating: .validation, count: n))
        let a = c, b = (rho - c * c).squareRoot(), s = (1 - rho).squareRoot()
        let arms = ["grid", "seeds", "drop_eras", "drop_features"]
        var infos: [ModelInfo] = []
        var predictions: [[Float]] = []
        for i in 0..<models {
            var r = SplitMix64(seed: 2, stream: [UInt64(i)])
            predictions.append((0..<n).map { Float(a * latent[$0] + b * common[$0] + s * r.nextGaussian()) })
            infos.append(ModelInfo(id: "m\(i)", arm: arms[i % arms.count],
                                   params: ["learning_rate": r.nextUnit(), "num_leaves": Double(r.next() % 64)],
                                   descriptors: ["dropped_feature_fraction": r.nextUnit()]))
        }
        let input = AnalysisInput(models: infos, predictions: predictions, rows: (0..<Int32(n)).map { $0 },
                                  dataset: dataset, targetIndex: 0, benchmark: 0)
        let start = DispatchTime.now().uptimeNanoseconds
        let result = try StudyAnalysis.run(input)
        let seconds = Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9
        print(String(format: "analysis-time %.3f s for %d models × %d rows × %d features (%d eras)",
                     seconds, models, n, features, eras))
        let json = try result.metrics.canonicalJSON()
        if let out = env["WORKBENCH_BENCH_JSON"] { try json.write(to: URL(fileURLWithPath: out)) }

        XCTAssertEqual(result.metrics.models.count, models)
        XCTAssertEqual(result.metrics.diversity.pairwiseCorrMean, rho, accuracy: 0.02)
        XCTAssertEqual(result.metrics.arms.count, min(models, arms.count))
        if env["WORKBENCH_BENCH_MODELS"] == nil {
            XCTAssertEqual(try StudyAnalysis.run(input).metrics.canonicalJSON(), json, "rerun gives identical JSON")
        }
    }
}
