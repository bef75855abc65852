import Diversity
import EraData
import Foundation

extension StudyPipeline {
    /// The "best so far" score `workbench run` shows while a study trains: for predictions aligned
    /// with `rows`, numerai_corr per era (Φ⁻¹ of the per-era ranks against the target, as
    /// `EraLayout.scoreModel`), averaged over the eras where it is defined (not NaN):
    ///
    ///     score = mean over eras e with a defined corr of numerai_corr(predictions_e, target_e)
    ///
    /// NaN when no era has one. nil when the target is unknown or `rows` hold no era with a
    /// known target (nothing to show).
    public static func progressScore(dataset: Dataset, rows: [Int32], target: String) -> (@Sendable ([Float]) -> Double)? {
        guard let t = dataset.targetIndex(target),
              let layout = try? EraLayout(dataset: dataset, rows: rows, targetIndex: t), !layout.eras.isEmpty else { return nil }
        return { predictions in
            var scratch = RankScratch()
            var buffer = [Double](repeating: 0, count: layout.compactCount)
            let corrs = predictions.withUnsafeBufferPointer { p in
                buffer.withUnsafeMutableBufferPointer { layout.scoreModel(p, gaussianized: $0, scratch: &scratch) }
            }
            let valid = corrs.filter { !$0.isNaN }
            return valid.isEmpty ? .nan : valid.reduce(0, +) / Double(valid.count)
        }
    }
}
