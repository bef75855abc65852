import ArgumentParser
import EraData
import Foundation
import Parquet

struct DataSynthCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "synth",
        abstract: "Generate a Numerai-like synthetic dataset with a known true signal.",
        discussion: """
        Features are latent factors seen through noise, binned 0..4 per era (quintiles); targets are \
        binned per era into 0, .25, .5, .75, 1 with 5/20/50/20/5 % shares. Validation eras follow \
        the train eras after an embargo gap. Model: notebooks-md/synthetic-data.md.
        """
    )

    @Option(help: "Output dataset file (HDF5), or the new directory for --format numerai.") var out: String
    @Option(help: "Stored eras (train + validation).") var eras = SyntheticConfig.default.eras
    @Option(help: "Rows per era.") var rowsPerEra = SyntheticConfig.default.rowsPerEra
    @Option(help: "Feature columns.") var features = SyntheticConfig.default.features
    @Option(help: "Targets: 'target' then 'target_aux1', ….") var targets = SyntheticConfig.default.targets
    @Option(help: "Random seed.") var seed = SyntheticConfig.default.seed
    @Option(help: "Target noise (ceiling corr ≈ 1/√(1+noise²)).") var noise = SyntheticConfig.default.noise
    @Option(help: "Share of eras used for validation.") var validationFraction = SyntheticConfig.default.validationFraction
    @Flag(help: "Add a final live era with unknown targets.") var live = false
    @Option(help: "Output format: hdf5 (one dataset file) or numerai (a directory of Numerai v5 parquet files + features.json).")
    var format: SynthFormat = .hdf5
    @Option(help: "Numerai-shaped size (sets eras, rows-per-era, features, validation-fraction): \(SynthPreset.allValueStrings.joined(separator: ", ")).")
    var preset: SynthPreset?
    @Option(help: "Parquet page compression for --format numerai: none, snappy, zstd.") var compression: ParquetCompression?
    @Option(help: "Rows per parquet row group for --format numerai.") var rowGroupRows: Int?

    var config: SyntheticConfig {
        var c = SyntheticConfig.default
        c.eras = eras
        c.rowsPerEra = rowsPerEra
        c.features = features
        c.targets = targets
        c.seed = seed
        c.noise = noise
        c.validationFraction = validationFraction
        c.liveEra = live
        applyNumeraiOptions(&c)
        return c
    }

    func validate() throws {
        try validateNumeraiOptions()
        do { try config.validate() } catch let error as SyntheticConfigError {
            throw ValidationError(error.description)
        }
    }

    func run() throws {
        let dataset = SyntheticGenerator.generate(config)
        if format == .numerai { return try writeNumerai(dataset) }
        try withDataErrors { try DatasetFile.write(dataset, to: out) }
        let counts = dataset.splitCounts
        print("wrote \(out): \(dataset.rowCount) rows, \(dataset.eras.count) eras, \(dataset.featureCount) features, "
              + "\(dataset.targetNames.count) targets (train \(counts[.train] ?? 0), validation \(counts[.validation] ?? 0)"
              + (live ? ", live \(counts[.live] ?? 0)" : "") + " rows)")
    }
}
