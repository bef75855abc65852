import Diversity
import EraData
import Foundation
import Studies
import Support

/// Numerai's submission file: `id,prediction`, one row per live id, predictions in (0, 1).
public enum Submission {
    /// Predictions as Numerai accepts them: the tie-kept percentile rank (average rank − 0.5)/n
    /// over all rows, so every value lies strictly inside (0, 1) and the order is kept.
    public static func ranked(_ predictions: [Double]) -> [Double] {
        Scoring.percentileRanks(predictions)
    }

    /// The CSV text (header, then `id,value` with 10 decimals in the ids' order).
    public static func csv(ids: [String], predictions: [Double]) -> String {
        precondition(ids.count == predictions.count)
        let ranks = ranked(predictions)
        var out = "id,prediction\n"
        out.reserveCapacity(ids.count * 32)
        for (id, r) in zip(ids, ranks) { out += id + "," + String(format: "%.10f", r) + "\n" }
        return out
    }

    /// Writes the submission atomically.
    public static func write(ids: [String], predictions: [Double], to path: String) throws {
        guard !ids.isEmpty else { throw MiningError("\(path): no live rows to submit") }
        guard predictions.allSatisfy(\.isFinite) else { throw MiningError("\(path): non-finite live predictions") }
        let data = Data(csv(ids: ids, predictions: predictions).utf8)
        try writeAtomically(to: path) { try data.write(to: URL(fileURLWithPath: $0)) }
    }
}
