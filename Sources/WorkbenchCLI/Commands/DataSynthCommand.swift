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

    @Option(name: [.customShort("o"), .long], help: "Output dataset file (HDF5), or the new directory for --format numerai.") var out: String
    @Option(parsing: .unconditional, help: "Stored eras (train + validation) (default: v2 200, v1 120).") var eras: Int?
    @Option(parsing: .unconditional, help: "Rows per era (default: v2 600, v1 500).") var rowsPerEra: Int?
    @Option(parsing: .unconditional, help: "Feature columns (default: v2 300, v1 60).") var features: Int?
    @Option(parsing: .unconditional, help: "Targets: 'target' then 'target_aux1', … (default: 4).") var targets: Int?
    @Option(parsing: .unconditional, help: "Random seed (default: 0).") var seed: UInt64?
    @Option(parsing: .unconditional, help: "Target noise (ceiling corr ≈ 1/√(1+noise²)) (default: the generator's).") var noise: Double?
    @Option(parsing: .unconditional, help: "Share of eras used for validation (default: 0.25).") var validationFraction: Double?
    @Flag(help: "Add a final live era with unknown targets.") var live = false
    @Flag(name: [.customShort("q"), .long], help: "No progress or informational output (errors are still printed).")
    var quiet = false
    @Option(help: "Generator (v1 is the old one, with its own defaults for options not given).")
    var generator: SyntheticGeneratorVersion = .v2
    @Option(help: ArgumentHelp("More generator settings as a JSON object, as in a study's data.synthetic (e.g. '{\"v2\": {\"regimeStrength\": 0}}'); the options above win.", valueName: "JSON"))
    var settings: String?
    @Option(help: "Output format: hdf5 (one dataset file) or numerai (a directory of Numerai v5 parquet files + features.json).")
    var format: SynthFormat = .hdf5
    @Option(help: "Numerai-shaped size (sets eras, rows-per-era, features, validation-fraction).")
    var preset: SynthPreset?
    @Option(help: "Parquet page compression for --format numerai.") var compression: ParquetCompression?
    @Option(parsing: .unconditional, help: "Rows per parquet row group for --format numerai.") var rowGroupRows: Int?

    var config: SyntheticConfig {
        var c = SyntheticConfig.defaults(for: generator)
        if let settings { c = (try? Self.merging(settings, into: c)) ?? c }
        c = c.sized(eras: eras, rowsPerEra: rowsPerEra, features: features, targets: targets)
        if let seed { c.seed = seed }
        if let noise { c.noise = noise }
        if let validationFraction { c.validationFraction = validationFraction }
        c.liveEra = live
        applyNumeraiOptions(&c)
        return c
    }

    /// `base` with the keys of the JSON object `text` replaced (a partial "v2" object keeps the other v2 defaults).
    static func merging(_ text: String, into base: SyntheticConfig) throws -> SyntheticConfig {
        guard let given = try? JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any] else {
            throw ValidationError("--settings must be a JSON object")
        }
        var merged = try JSONSerialization.jsonObject(with: JSONEncoder().encode(base)) as! [String: Any]
        for (key, value) in given {
            guard merged[key] != nil else {
                throw ValidationError("--settings: unknown generator setting '\(key)' (known: \(merged.keys.sorted().joined(separator: ", ")))")
            }
            merged[key] = value
        }
        do {
            return try JSONDecoder().decode(SyntheticConfig.self, from: JSONSerialization.data(withJSONObject: merged))
        } catch {
            throw ValidationError("--settings: \(error)")
        }
    }

    func validate() throws {
        try validateNumeraiOptions()
        if let settings { _ = try Self.merging(settings, into: SyntheticConfig.defaults(for: generator)) }
        do { try config.validate() } catch let error as EraDataError {
            throw ValidationError(error.description(naming: flagName))
        }
    }

    /// How the generator's messages name `setting`: by its flag when the user gave that flag
    /// ("--rows-per-era must be ≥ 5"; the user typed the flag, not the setting), else by its key
    /// (settings from --settings or a preset).
    func flagName(_ setting: SyntheticConfig.Setting) -> String {
        switch setting {
        case .eras where eras != nil: return "--eras"
        case .rowsPerEra where rowsPerEra != nil: return "--rows-per-era"
        case .features where features != nil: return "--features"
        case .targets where targets != nil: return "--targets"
        case .noise where noise != nil: return "--noise"
        case .validationFraction where validationFraction != nil: return "--validation-fraction"
        default: return setting.key
        }
    }

    func run() throws {
        let config = self.config
        try config.checkGenerationFits()
        let dataset = SyntheticGenerator.generate(config)
        if format == .numerai { return try writeNumerai(dataset) }
        try DatasetFile.write(dataset, to: out)
        let counts = dataset.splitCounts
        if quiet { return }
        print("wrote \(out): \(dataset.rowCount) rows, \(dataset.eras.count) eras, \(dataset.featureCount) features, "
              + "\(dataset.targetNames.count) targets (train \(counts[.train] ?? 0), validation \(counts[.validation] ?? 0)"
              + (live ? ", live \(counts[.live] ?? 0)" : "") + " rows)")
    }
}

extension SyntheticGeneratorVersion: ExpressibleByArgument {}
