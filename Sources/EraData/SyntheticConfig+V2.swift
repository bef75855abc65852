import Foundation

/// Which synthetic generator a `SyntheticConfig` drives.
public enum SyntheticGeneratorVersion: String, Codable, Sendable, CaseIterable {
    /// The original generator (independent rows, one horizon, aux targets noisier by construction);
    /// kept bit-identical for the committed baselines (`experiments/ci.json`, the notebook).
    case v1
    /// Feature groups with drifting loadings, targets over overlapping windows, aux targets with
    /// their own signal and a quality knob, persistent stocks, a regime factor (the default).
    case v2
}

/// Settings only generator v2 reads (model and measurements: `notebooks-md/synthetic-data.md`).
///
/// Decoding accepts any subset of keys (the rest keep their defaults) and rejects unknown keys;
/// `auxQuality` and `auxWindowScale` accept one number (used for every aux target) or a list.
public struct SyntheticV2Settings: Codable, Equatable, Sendable {
    /// Named feature groups; group g is driven by latent g mod K (features split into contiguous blocks).
    public var featureGroups: Int = 8
    /// Stationary std of each group's AR(1) loading drift ℓ_g(τ); the group's loadings are (1 + ℓ_g(τ)).
    public var loadingDrift: Double = 0.3
    /// AR(1) coefficient of the loading drift from one era to the next.
    public var loadingPersistence: Double = 0.9
    /// AR(1) coefficient ψ of each stock's latent factors from one era to the next.
    public var latentPersistence: Double = 0.8
    /// Stocks in the universe = round(universeFactor · rowsPerEra); each era holds rowsPerEra of them.
    public var universeFactor: Double = 1.25
    /// Eras H₀ the main target's future window spans: the targets of eras τ and τ+k share H₀−k
    /// periods of noise (Numerai's 20-day target on weekly eras: 4).
    public var targetWindow: Int = 4
    /// Aux target t's window H_t = max(1, round(targetWindow · auxWindowScale[t−1])) (list cycled).
    public var auxWindowScale: [Double] = [1, 3, 0.5]
    /// Aux target t's noise σ_t = noise / auxQuality[t−1] (list cycled): above 1 the aux target is
    /// less noisy than `target`, below 1 noisier.
    public var auxQuality: [Double] = [1.25, 1, 0.8]
    /// κ: the regime factor R(τ) scales every signal's stable part by (1 + κ·R(τ)).
    public var regimeStrength: Double = 0.6
    /// AR(1) coefficient of the regime factor R(τ) (stationary N(0, 1)).
    public var regimePersistence: Double = 0.7

    public init() {}

    public static let keys = ["featureGroups", "loadingDrift", "loadingPersistence", "latentPersistence",
                              "universeFactor", "targetWindow", "auxWindowScale", "auxQuality",
                              "regimeStrength", "regimePersistence"]

    struct Key: CodingKey {
        var stringValue: String
        var intValue: Int? { nil }
        init(stringValue: String) { self.stringValue = stringValue }
        init?(intValue: Int) { nil }
    }

    public init(from decoder: Decoder) throws {
        let c = try decoder.container(keyedBy: Key.self)
        for key in c.allKeys where !Self.keys.contains(key.stringValue) {
            throw DecodingError.dataCorruptedError(forKey: key, in: c,
                debugDescription: "unknown v2 setting '\(key.stringValue)' (known: \(Self.keys.joined(separator: ", ")))")
        }
        func number(_ name: String, _ value: inout Double) throws {
            if let v = try c.decodeIfPresent(Double.self, forKey: Key(stringValue: name)) { value = v }
        }
        func list(_ name: String, _ value: inout [Double]) throws {
            let key = Key(stringValue: name)
            guard c.contains(key) else { return }
            if let one = try? c.decode(Double.self, forKey: key) { value = [one] } else {
                value = try c.decode([Double].self, forKey: key)
            }
        }
        if let v = try c.decodeIfPresent(Int.self, forKey: Key(stringValue: "featureGroups")) { featureGroups = v }
        if let v = try c.decodeIfPresent(Int.self, forKey: Key(stringValue: "targetWindow")) { targetWindow = v }
        try number("loadingDrift", &loadingDrift)
        try number("loadingPersistence", &loadingPersistence)
        try number("latentPersistence", &latentPersistence)
        try number("universeFactor", &universeFactor)
        try number("regimeStrength", &regimeStrength)
        try number("regimePersistence", &regimePersistence)
        try list("auxWindowScale", &auxWindowScale)
        try list("auxQuality", &auxQuality)
    }

    /// Groups actually formed: min(featureGroups, features), so every group has a feature.
    public func groups(features: Int) -> Int { max(1, min(featureGroups, features)) }

    /// Aux target t's quality (t ≥ 1).
    public func quality(ofAux t: Int) -> Double { auxQuality[(t - 1) % auxQuality.count] }

    /// Target t's window in eras (t = 0: `targetWindow`).
    public func window(ofTarget t: Int) -> Int {
        t == 0 ? targetWindow : max(1, Int((Double(targetWindow) * auxWindowScale[(t - 1) % auxWindowScale.count]).rounded()))
    }
}

extension SyntheticConfig {
    /// Generator v2's defaults: 200 eras × 600 rows × 300 features in 8 groups, 4 targets;
    /// `noise` calibrated so that the example model lands near 0.02–0.03 mean per-era corr.
    public static let v2Default: SyntheticConfig = {
        var c = SyntheticConfig(eras: 200, rowsPerEra: 600, features: 300, targets: 4, seed: 0, noise: 10,
                                latents: 8, noiseFeatureFraction: 0.2, featureNoise: 1.6,
                                weightDrift: 0.8, driftPersistence: 0.9, nonlinearShare: 0.4,
                                auxSignalCorrelation: 0.7, sharedNoiseShare: 0.5, auxNaNEraFraction: 0.05,
                                validationFraction: 0.25, embargoEras: 4, liveEra: false)
        c.generator = .v2
        return c
    }()

    /// Generator v1's defaults (120 eras × 500 rows × 60 features, 4 targets): the memberwise
    /// initializer's defaults, kept for the committed v1 baselines.
    public static let v1Default = SyntheticConfig()

    /// The defaults of a generator version: settings a study omits come from here.
    public static func defaults(for version: SyntheticGeneratorVersion) -> SyntheticConfig {
        version == .v1 ? v1Default : v2Default
    }
}
