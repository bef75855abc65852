import Boosting
import Diversity
import EraData
import Foundation

/// The round's live rows and every farm model's predictions on them.
///
/// The live data is what `data import` / `predict` read (our `.h5`, Numerai parquet, Numerai-layout
/// CSV); its rows are the `live` split when it has live rows (a full dataset), else every row
/// (Numerai's `live.parquet`). Prediction follows `workbench predict`: integer features through
/// the model rebinned on the data, CSV floats as raw values.
public final class LivePredictor {
    public let ids: [String]
    let dataset: Dataset
    let rows: [Int32]
    let rawValues: [Int: [Double]]
    let threads: Int
    private var cache: [String: [Double]] = [:]

    public init(path: String, featureSet: String?, threads: Int) throws {
        let read: (Dataset, [Int: [Double]])
        do {
            let inputs = try DataInputs([path])
            if case .csv(let paths) = inputs {
                let csv = try CSVImporter.readForPrediction(paths: paths)
                read = (csv.dataset, csv.rawValues)
            } else {
                read = (try inputs.read(featureSet: featureSet), [:])
            }
        } catch {
            throw NodeError(.prediction, "live data \(path): \(error)")
        }
        let (data, live) = (read.0, read.0.rows(in: .live))
        let rows = live.isEmpty ? (0..<Int32(data.rowCount)).map { $0 } : live
        guard !rows.isEmpty else { throw NodeError(.prediction, "live data \(path): no rows") }
        dataset = data
        rawValues = read.1
        self.rows = rows
        ids = rows.map { data.ids[Int($0)] }
        self.threads = threads
    }

    /// The model file's raw predictions on the live rows (each file predicted once).
    public func predictions(model path: String) throws -> [Double] {
        if let p = cache[path] { return p }
        let p: [Double]
        do {
            let booster = try Booster.load(from: path)
            p = try booster.predict(input: dataset, rows: rows, rawValues: rawValues, threads: threads)
        } catch {
            throw NodeError(.prediction, "\(path) on the live data: \(error)")
        }
        guard p.allSatisfy(\.isFinite) else { throw NodeError(.prediction, "\(path): non-finite live predictions") }
        cache[path] = p
        return p
    }

    /// The submitted values of `models`: one model's predictions, or for several (the pool) the
    /// equal-weight mean of their gaussianized ranks, (1/m) Σ Φ⁻¹((rank − 0.5)/n) — the ensemble
    /// the mining simulation scores for scheme (c); `Submission` ranks it again into (0, 1).
    public func submission(models paths: [String]) throws -> [Double] {
        if paths.count == 1 { return try predictions(model: paths[0]) }
        var sum = [Double](repeating: 0, count: rows.count)
        for path in paths {
            let g = Scoring.gaussianizedRanks(try predictions(model: path))
            for i in sum.indices { sum[i] += g[i] }
        }
        return sum.map { $0 / Double(paths.count) }
    }
}
