import Diversity
import EraData
import Foundation
import Support

/// Synthetic equicorrelated predictions for the study analysis: `rows` rows in eras of 500 (at
/// least 12 eras), `features` uniform bins in 0…4, a target binned from a latent z, and model i's
/// prediction p_i = c·z + √(ρ − c²)·u + √(1 − ρ)·e_i with one shared u and own noise e_i, so every
/// model has corr ≈ c with the latent and every pair correlation ≈ ρ. Models cycle through four
/// arms and carry random parameters and descriptors. Used by `AnalysisScaleTests` (small) and
/// `workbench-bench analysis` (bench/analysis, 500 × 100k).
public enum EquicorrelatedStudy {
    public static let rowsPerEra = 500
    public static let c = 0.05, rho = 0.6
    public static let arms = ["grid", "seeds", "drop_eras", "drop_features"]

    public static func input(models: Int, rows: Int, features: Int) -> AnalysisInput {
        let eras = max(rows / rowsPerEra, 12)
        let n = eras * rowsPerEra
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
                              eraOfRow: (0..<n).map { Int32($0 / rowsPerEra) }, ids: (0..<n).map { "r\($0)" },
                              splitOfRow: [Split](repeating: .validation, count: n))
        let a = c, b = (rho - c * c).squareRoot(), s = (1 - rho).squareRoot()
        var infos: [ModelInfo] = []
        var predictions: [[Float]] = []
        for i in 0..<models {
            var r = SplitMix64(seed: 2, stream: [UInt64(i)])
            predictions.append((0..<n).map { Float(a * latent[$0] + b * common[$0] + s * r.nextGaussian()) })
            infos.append(ModelInfo(id: "m\(i)", arm: arms[i % arms.count],
                                   params: ["learning_rate": r.nextUnit(), "num_leaves": Double(r.next() % 64)],
                                   descriptors: ["dropped_feature_fraction": r.nextUnit()]))
        }
        return AnalysisInput(models: infos, predictions: predictions, rows: (0..<Int32(n)).map { $0 },
                             dataset: dataset, targetIndex: 0, benchmark: 0)
    }
}
