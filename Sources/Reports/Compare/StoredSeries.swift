import Diversity
import Foundation
import PredictionStore

/// Per-era test corr of each arm's equal-weight ensemble, recomputed from `DIR/predictions.h5`
/// (its stored target and test flags), so `compare` can pair the arms' ensembles era by era as
/// it pairs the ensemble of all models, the best single model and the benchmark.
public enum StoredSeries {
    /// Key `arm:A` → era → numerai_corr of Σ_i Φ⁻¹(rank(p_i)) over arm A's finished models, on the
    /// test eras' rows with a known target (ranks among those rows, as the study's ensembles;
    /// equal weights, so it is `ensembles[name=A]`'s per-era corr). nil when the directory has no
    /// predictions.h5, or one written before the labels were stored.
    public static func armEnsembles(directory: String) -> (series: [String: [String: Double]], eras: [String])? {
        let path = URL(fileURLWithPath: directory).appendingPathComponent("predictions.h5").path
        guard FileManager.default.fileExists(atPath: path),
              let stored = try? StoredStudy.read(path: path), let labels = stored.labels else { return nil }
        var eras: [String] = []
        var columnsOfEra: [String: [Int]] = [:]
        for c in stored.rows.indices where labels.test[c] && !labels.target[c].isNaN {
            if columnsOfEra[stored.eras[c]] == nil { eras.append(stored.eras[c]) }
            columnsOfEra[stored.eras[c], default: []].append(c)
        }
        var arms: [String: [Int]] = [:]
        for r in stored.records where r.status == .done { arms[r.arm, default: []].append(r.index) }
        var out: [String: [String: Double]] = [:]
        for (arm, members) in arms {
            var series: [String: Double] = [:]
            for era in eras {
                let columns = columnsOfEra[era]!
                var sum = [Double](repeating: 0, count: columns.count)
                for m in members {
                    let base = m * stored.rows.count
                    let g = Scoring.gaussianizedRanks(columns.map { Double(stored.matrix[base + $0]) })
                    for i in sum.indices { sum[i] += g[i] }
                }
                let corr = Scoring.numeraiCorr(predictions: sum, target: columns.map { Double(labels.target[$0]) })
                if corr.isFinite { series[era] = corr }
            }
            out["arm:" + arm] = series
        }
        return (out, eras)
    }
}
