import Diversity
import EraData
import Support

/// Era data for the tournament: per era, the target is the binned rank of z1 + z2 + 1.5·noise
/// (latents per row kept, so tests plant predictions with a known share of each); feature 0 partly
/// explains z1, so neutralization matters. Used by `TournamentTests` and
/// `workbench-bench tournament-scale` (bench/tournament --scale).
public struct TournamentFixture {
    public let dataset: Dataset
    public let rows: [Int32]
    /// Latent components per row.
    public let z1: [Double], z2: [Double], noise: [Double]

    public init(eras: Int, rows perEra: Int, features: Int = 3, seed: UInt64 = 1, missingTargets: Bool = false) {
        let n = eras * perEra
        var rng = SplitMix64(seed: seed)
        let z1 = (0..<n).map { _ in rng.nextGaussian() }, z2 = (0..<n).map { _ in rng.nextGaussian() }
        let noise = (0..<n).map { _ in rng.nextGaussian() }
        let columns = FeatureColumns(rowCount: n, featureCount: features)
        for f in 0..<features {
            for i in 0..<n {
                // Features partly explain z1 so neutralization matters.
                let v = (f == 0 ? z1[i] : rng.nextGaussian()) + 0.5 * rng.nextGaussian()
                columns.storage[f * n + i] = UInt8(max(0, min(4, Int((v + 2.5).rounded(.down)))))
            }
        }
        var target = [Float](repeating: 0, count: n)
        for e in 0..<eras {
            let range = (e * perEra)..<((e + 1) * perEra)
            let score = range.map { z1[$0] + z2[$0] + 1.5 * noise[$0] }
            let ranks = Scoring.percentileRanks(score)
            for (k, i) in range.enumerated() {
                let r = ranks[k]
                target[i] = r < 0.05 ? 0 : r < 0.25 ? 0.25 : r < 0.75 ? 0.5 : r < 0.95 ? 0.75 : 1
                if missingTargets && k == 3 { target[i] = .nan }
            }
        }
        dataset = Dataset(features: columns, featureNames: (0..<features).map { "feature_\($0)" }, targetNames: ["target"],
                          targets: [target], eras: (0..<eras).map { String(format: "era%03d", $0) },
                          eraOfRow: (0..<n).map { Int32($0 / perEra) }, ids: (0..<n).map { "id\($0)" },
                          splitOfRow: [Split](repeating: .validation, count: n))
        rows = (0..<Int32(n)).map { $0 }
        self.z1 = z1; self.z2 = z2; self.noise = noise
    }
}
