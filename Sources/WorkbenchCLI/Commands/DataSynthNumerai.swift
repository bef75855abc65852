import ArgumentParser
import EraData
import Foundation
import Parquet

/// `data synth --format`: our HDF5 dataset file, or Numerai's directory of parquet files.
enum SynthFormat: String, ExpressibleByArgument, CaseIterable {
    case hdf5, numerai
}

/// Sizes shaped like Numerai's v5 data: 2,376 features, 4,700 rows per era (574 train eras × 4,700
/// ≈ 2.70M train rows), 20 % of the stored eras for validation, one live era.
enum SynthPreset: String, ExpressibleByArgument, CaseIterable {
    /// 574 train + 144 validation + 1 live eras: 3.38M rows, 8.0 GB of feature bins.
    case numeraiFull = "numerai-full"
    /// A quarter of the eras: 143 train + 36 validation + 1 live: 846k rows, 2.0 GB of bins.
    case numeraiQuarter = "numerai-quarter"
    /// CI-sized (47 train + 12 validation + 1 live eras × 500 rows × 2,376 features): the shape, quickly.
    case numeraiSmoke = "numerai-smoke"

    var eras: Int {
        switch self {
        case .numeraiFull: 719
        case .numeraiQuarter: 180
        case .numeraiSmoke: 60
        }
    }
    var rowsPerEra: Int { self == .numeraiSmoke ? 500 : 4_700 }
    static let features = 2_376
    static let validationFraction = 0.2
}

extension DataSynthCommand {
    /// A preset's settings (and the live era Numerai's layout always has) over the parsed options.
    func applyNumeraiOptions(_ c: inout SyntheticConfig) {
        if let preset {
            c.eras = preset.eras
            c.rowsPerEra = preset.rowsPerEra
            c.features = SynthPreset.features
            c.validationFraction = SynthPreset.validationFraction
        }
        if format == .numerai { c.liveEra = true }
    }

    /// Refuses option combinations that would silently be ignored.
    func validateNumeraiOptions() throws {
        if format != .numerai {
            if compression != nil { throw ValidationError("--compression applies only to --format numerai") }
            if rowGroupRows != nil { throw ValidationError("--row-group-rows applies only to --format numerai") }
        }
        // Checked again when writing; here so a full-size run does not generate first and fail after.
        if format == .numerai && FileManager.default.fileExists(atPath: out) {
            throw ValidationError("\(out) already exists; choose a new directory (nothing is overwritten)")
        }
        if let rowGroupRows, rowGroupRows < 1 {
            throw ValidationError("--row-group-rows must be at least 1 (got \(rowGroupRows))")
        }
        if let preset {
            let overridden = [("--eras", eras != nil), ("--rows-per-era", rowsPerEra != nil),
                              ("--features", features != nil),
                              ("--validation-fraction", validationFraction != nil)]
                .filter(\.1).map(\.0)
            if !overridden.isEmpty {
                throw ValidationError("--preset \(preset.rawValue) sets \(overridden.joined(separator: ", ")); "
                                      + "give either the preset or the sizes")
            }
        }
    }

    func writeNumerai(_ dataset: Dataset) throws {
        let options = NumeraiWriter.Options(compression: compression ?? .snappy, rowGroupRows: rowGroupRows ?? 100_000,
                                            featureGroups: dataset.featureGroups)
        let summary = try NumeraiWriter.write(dataset, to: out, options: options)
        let counts = summary.files.compactMap { name in summary.rows[name].map { "\(name) \($0)" } }
        print("wrote \(out): \(dataset.rowCount) rows, \(dataset.eras.count) eras, \(dataset.featureCount) features, "
              + "\(dataset.targetNames.count) targets (\(counts.joined(separator: ", ")) rows; features.json)")
    }
}

extension ParquetCompression: ExpressibleByArgument {}
