import EraData
import Foundation
import LinearAlgebra

/// Scores of one prediction set (the `workbench score` report).
public struct PredictionScore: Codable, Equatable, Sendable {
    public struct Era: Codable, Equatable, Sendable {
        public var era: String
        public var rows: Int
        public var corr: Double
        public var fnc: Double
        public var featureExposure: Double
        public var bmc: Double?
        public var mmc: Double?
        enum CodingKeys: String, CodingKey {
            case era, rows, corr, fnc, featureExposure = "max_feature_exposure", bmc, mmc
        }
    }
    public var target: String
    public var rows: Int
    public var eras: Int
    public var corrMean: Double
    public var corrStd: Double
    public var corrSharpe: Double
    public var maxDrawdown: Double
    public var fncMean: Double
    public var featureExposure: Double
    public var bmcMean: Double?
    public var mmcMean: Double?
    public var perEra: [Era]
    enum CodingKeys: String, CodingKey {
        case target, rows, eras, corrMean = "corr_mean", corrStd = "corr_std", corrSharpe = "corr_sharpe"
        case maxDrawdown = "max_drawdown", fncMean = "fnc_mean", featureExposure = "max_feature_exposure"
        case bmcMean = "bmc_mean", mmcMean = "mmc_mean", perEra = "per_era"
    }

    /// Scores `predictions` (aligned with `rows`) per era; BMC/MMC when a benchmark / meta model
    /// (aligned likewise) is given. Eras without any target are left out.
    public static func compute(dataset: Dataset, rows: [Int32], targetIndex: Int, predictions: [Float],
                               benchmark: [Float]? = nil, meta: [Float]? = nil) throws -> PredictionScore {
        BLAS.setThreadsForAnalysis()
        let layout = try EraLayout(dataset: dataset, rows: rows, targetIndex: targetIndex)
        guard !layout.eras.isEmpty else { throw DiversityError("no row of the selected rows has a target") }
        let sets = [predictions] + [benchmark, meta].compactMap { $0 }
        let g = ModelMatrix(models: sets.count, columns: layout.compactCount)
        var scratch = RankScratch()
        var corrs: [[Double]] = []
        for (i, p) in sets.enumerated() {
            corrs.append(p.withUnsafeBufferPointer { layout.scoreModel($0, gaussianized: g.row(i), scratch: &scratch) })
        }
        let allEras = 0..<layout.eras.count
        func contribution(_ index: Int) -> [Double] {
            layout.contributionPerEra(gaussianized: UnsafeBufferPointer(g.row(0)), meta: UnsafeBufferPointer(g.row(index)),
                                      eras: allEras)
        }
        let bmc = benchmark == nil ? nil : contribution(1)
        let mmc = meta == nil ? nil : contribution(benchmark == nil ? 1 : 2)
        let features = try FeatureScores.compute(layout: layout, dataset: dataset, predictions: [predictions])
        let corr = corrs[0], summary = SeriesSummary(corr)
        let perEra = allEras.map { e in
            Era(era: layout.eras[e].name, rows: layout.eras[e].valid.count, corr: corr[e], fnc: features.fnc[0][e],
                featureExposure: features.exposure[0][e], bmc: bmc?[e], mmc: mmc?[e])
        }
        return PredictionScore(target: dataset.targetNames[targetIndex], rows: layout.compactCount, eras: layout.eras.count,
                               corrMean: summary.mean, corrStd: summary.std, corrSharpe: summary.sharpe,
                               maxDrawdown: summary.maxDrawdown, fncMean: SeriesSummary.mean(features.fnc[0]),
                               featureExposure: SeriesSummary.mean(features.exposure[0]),
                               bmcMean: bmc.map(SeriesSummary.mean), mmcMean: mmc.map(SeriesSummary.mean), perEra: perEra)
    }
}

/// Predictions read from a CSV file with columns `id,prediction`.
public struct PredictionFile: Sendable {
    public let path: String
    public let values: [String: Float]

    /// Reads and validates: header `id,prediction`, one number per row (finite as a float32), no
    /// duplicate id; LF or CRLF line ends.
    /// Errors name the file and line.
    public init(path: String) throws {
        self.path = path
        guard let data = FileManager.default.contents(atPath: path) else {
            throw DiversityError("\(path): cannot read the file")
        }
        let text = String(decoding: data, as: UTF8.self)
        var values: [String: Float] = [:]
        var lineOf: [String: Int] = [:]
        var lineNumber = 0
        var sawHeader = false
        // Split on the newline byte: in Swift "\r\n" is one Character, so a CRLF file would be
        // one line for `split(separator: "\n")`.
        for raw in text.utf8.split(separator: UInt8(ascii: "\n"), omittingEmptySubsequences: false) {
            lineNumber += 1
            let line = Substring(raw.last == UInt8(ascii: "\r") ? raw.dropLast() : raw)
            if line.trimmingCharacters(in: .whitespaces).isEmpty { continue }
            let fields = line.split(separator: ",", omittingEmptySubsequences: false)
                .map { $0.trimmingCharacters(in: .whitespaces).trimmingCharacters(in: CharacterSet(charactersIn: "\"")) }
            if !sawHeader {
                guard fields == ["id", "prediction"] else {
                    let shown = line.count > 80 ? line.prefix(80) + "…" : line
                    throw DiversityError("\(path):\(lineNumber): header must be `id,prediction`, found `\(shown)`")
                }
                sawHeader = true
                continue
            }
            guard fields.count == 2 else {
                throw DiversityError("\(path):\(lineNumber): expected 2 columns (id,prediction), found \(fields.count)")
            }
            guard let value = Double(fields[1]) else {
                throw DiversityError("\(path):\(lineNumber): prediction `\(fields[1])` is not a number")
            }
            // Predictions are kept as float32: 1e40 would become infinity.
            guard value.isFinite, Float(value).isFinite else {
                throw DiversityError("\(path):\(lineNumber): prediction for id \(fields[0]) is \(fields[1]); predictions must be finite float32 numbers (|x| ≤ 3.4e38)")
            }
            if let first = lineOf[fields[0]] {
                throw DiversityError("\(path):\(lineNumber): duplicate id \(fields[0]) (first on line \(first))")
            }
            lineOf[fields[0]] = lineNumber
            values[fields[0]] = Float(value)
        }
        guard sawHeader else { throw DiversityError("\(path): empty file; expected a header `id,prediction`") }
        guard !values.isEmpty else { throw DiversityError("\(path): no predictions") }
        self.values = values
    }

    /// The predictions for `rows` of `dataset`, in order. Every id of the file must exist in the
    /// dataset, and every row must have a prediction.
    public func aligned(to dataset: Dataset, rows: [Int32], rowsName: String) throws -> [Float] {
        var known = Set<String>()
        known.reserveCapacity(dataset.rowCount)
        for id in dataset.ids { known.insert(id) }
        let unknown = values.keys.filter { !known.contains($0) }.sorted()
        if !unknown.isEmpty {
            throw DiversityError("\(path): \(unknown.count) id(s) are not in the data, e.g. \(unknown.prefix(3).joined(separator: ", "))")
        }
        var out = [Float](repeating: 0, count: rows.count)
        var missing: [String] = []
        for (i, row) in rows.enumerated() {
            if let v = values[dataset.ids[Int(row)]] { out[i] = v } else { missing.append(dataset.ids[Int(row)]) }
        }
        if !missing.isEmpty {
            throw DiversityError("\(path): \(missing.count) of \(rows.count) rows of \(rowsName) have no prediction, e.g. \(missing.prefix(3).joined(separator: ", "))")
        }
        return out
    }
}
