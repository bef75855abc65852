import Foundation
import Support

/// Settings of the Numerai-like synthetic generator (model: `notebooks-md/synthetic-data.md`).
///
/// Eras are laid out in time as: `trainEras` train eras, `embargoEras` eras that are generated (the
/// weights keep drifting) but not stored, `validationEras` validation eras, then one live era with
/// unknown targets when `liveEra` is set. `eras` counts the stored eras (train + validation + live).
public struct SyntheticConfig: Codable, Equatable, Sendable {
    /// Stored eras: train + validation (+ 1 live).
    public var eras: Int
    public var rowsPerEra: Int
    public var features: Int
    /// Targets: `target` (main) then `target_aux1`, ….
    public var targets: Int
    public var seed: UInt64
    /// Target noise: y = s + noise·(shared and own Gaussian noise); the ceiling corr is ≈ 1/√(1+noise²).
    public var noise: Double
    /// Number of latent factors z₁…z_K behind features and targets.
    public var latents: Int
    /// Share of features that are pure noise (no latent).
    public var noiseFeatureFraction: Double
    /// Std of a feature's own noise relative to its unit latent loading (scaled per feature by U(0.5, 1.5)).
    public var featureNoise: Double
    /// Stationary std of the AR(1) drift of the latent weights, relative to the N(0,1) mean weights.
    public var weightDrift: Double
    /// AR(1) coefficient of the weight drift from one era to the next.
    public var driftPersistence: Double
    /// Variance share of the nonlinear terms (interactions, thresholds) in each signal.
    public var nonlinearShare: Double
    /// Corr between the main signal and aux target t's signal is `auxSignalCorrelation^t`.
    public var auxSignalCorrelation: Double
    /// Share of the noise variance common to all targets (the same market move seen by every target).
    public var sharedNoiseShare: Double
    /// Aux target t is unknown (NaN) in the first round(auxNaNEraFraction·t·eras) eras.
    public var auxNaNEraFraction: Double
    /// Validation eras = max(1, round(validationFraction·eras)) (live era excluded).
    public var validationFraction: Double
    /// Eras left out between the last train era and the first validation era (targets overlap).
    public var embargoEras: Int
    /// Adds one final `live` era whose targets are all NaN.
    public var liveEra: Bool
    /// Which generator: `.v2` for `SyntheticConfig.default` and studies, `.v1` (the memberwise
    /// initializer's default) for the committed v1 baselines. See `SyntheticConfig+V2.swift`.
    public var generator: SyntheticGeneratorVersion
    /// Settings only generator v2 reads.
    public var v2: SyntheticV2Settings

    public init(eras: Int = 120, rowsPerEra: Int = 500, features: Int = 60, targets: Int = 4,
                seed: UInt64 = 0, noise: Double = 9, latents: Int = 8,
                noiseFeatureFraction: Double = 0.25, featureNoise: Double = 1.0,
                weightDrift: Double = 0.8, driftPersistence: Double = 0.9, nonlinearShare: Double = 0.4,
                auxSignalCorrelation: Double = 0.8, sharedNoiseShare: Double = 0.5,
                auxNaNEraFraction: Double = 0.05, validationFraction: Double = 0.25,
                embargoEras: Int = 4, liveEra: Bool = false,
                generator: SyntheticGeneratorVersion = .v1, v2: SyntheticV2Settings = SyntheticV2Settings()) {
        self.eras = eras
        self.rowsPerEra = rowsPerEra
        self.features = features
        self.targets = targets
        self.seed = seed
        self.noise = noise
        self.latents = latents
        self.noiseFeatureFraction = noiseFeatureFraction
        self.featureNoise = featureNoise
        self.weightDrift = weightDrift
        self.driftPersistence = driftPersistence
        self.nonlinearShare = nonlinearShare
        self.auxSignalCorrelation = auxSignalCorrelation
        self.sharedNoiseShare = sharedNoiseShare
        self.auxNaNEraFraction = auxNaNEraFraction
        self.validationFraction = validationFraction
        self.embargoEras = embargoEras
        self.liveEra = liveEra
        self.generator = generator
        self.v2 = v2
    }

    /// The embedded default: generator v2 (`v2Default`, 200 eras × 600 rows × 300 features);
    /// `v1Default` is the old one.
    public static let `default` = SyntheticConfig.v2Default

    public var validationEras: Int {
        max(1, Int((validationFraction * Double(eras)).rounded()))
    }
    public var trainEras: Int { eras - validationEras - (liveEra ? 1 : 0) }

    /// This config with the sizes given replaced (nil keeps a size): the settings a small test
    /// dataset or `data synth`'s flags change, in one call.
    public func sized(eras: Int? = nil, rowsPerEra: Int? = nil, features: Int? = nil, targets: Int? = nil) -> SyntheticConfig {
        var c = self
        if let eras { c.eras = eras }
        if let rowsPerEra { c.rowsPerEra = rowsPerEra }
        if let features { c.features = features }
        if let targets { c.targets = targets }
        return c
    }

    /// Checks the settings (generator v2's too, when it is the generator); the message names the
    /// offending setting.
    public func validate() throws {
        // Sizes first, without overflow: everything below multiplies them. A dataset holds
        // rows × (features + targets) cells; 2^33 (≈ 8.6e9, tens of GB) is beyond any machine here.
        try Self.check(.eras, eras, .closed(1, Double(Int32.max) - 1))
        try Self.check(.rowsPerEra, rowsPerEra, .atLeast(1))
        try Self.check(.features, features, .atLeast(1))
        try Self.check(.targets, targets, .atLeast(1))
        try Self.check(.latents, latents, .atLeast(1))
        let (rows, rowOverflow) = (eras + 1).multipliedReportingOverflow(by: rowsPerEra)
        let (columns, columnOverflow) = features.addingReportingOverflow(targets)
        let (cells, cellOverflow) = rows.multipliedReportingOverflow(by: columns)
        guard !rowOverflow, !columnOverflow, !cellOverflow, rows <= Int(Int32.max), cells <= 1 << 33,
              latents <= 100_000, latents.multipliedReportingOverflow(by: features).overflow == false,
              latents * features <= 1 << 28 else {
            throw EraDataError(.tooLarge(eras: eras, rowsPerEra: rowsPerEra, features: features, targets: targets, latents: latents))
        }
        try Self.check(.rowsPerEra, rowsPerEra, .atLeast(5))
        try Self.check(.noise, noise, .atLeast(0))
        try Self.check(.featureNoise, featureNoise, .atLeast(0))
        try Self.check(.weightDrift, weightDrift, .atLeast(0))
        try Self.check(.noiseFeatureFraction, noiseFeatureFraction, .closed(0, 1))
        try Self.check(.driftPersistence, driftPersistence, .upperOpen(0, 1))
        try Self.check(.nonlinearShare, nonlinearShare, .closed(0, 1))
        try Self.check(.auxSignalCorrelation, auxSignalCorrelation, .closed(0, 1))
        try Self.check(.sharedNoiseShare, sharedNoiseShare, .closed(0, 1))
        try Self.check(.auxNaNEraFraction, auxNaNEraFraction, .closed(0, 1))
        try Self.check(.validationFraction, validationFraction, .open(0, 1))
        try Self.check(.embargoEras, embargoEras, .atLeast(0))
        guard trainEras >= 1 else {
            throw EraDataError(.noTrainEra(eras: eras, validation: validationEras, live: liveEra))
        }
        if generator == .v2 {
            try Self.check(.featureGroups, v2.featureGroups, .atLeast(1))
            try Self.check(.loadingDrift, v2.loadingDrift, .atLeast(0))
            try Self.check(.loadingPersistence, v2.loadingPersistence, .upperOpen(0, 1))
            try Self.check(.latentPersistence, v2.latentPersistence, .upperOpen(0, 1))
            try Self.check(.universeFactor, v2.universeFactor, .closed(1, 100))
            try Self.check(.targetWindow, v2.targetWindow, .closed(1, 520))
            for (setting, values, bounds) in [(Setting.auxWindowScale, v2.auxWindowScale, EraDataError.Bounds.lowerOpen(0, 20)),
                                              (.auxQuality, v2.auxQuality, .above(0))]
            where values.isEmpty || !values.allSatisfy(bounds.contains) {
                throw EraDataError(.settingList(setting, mustBe: bounds))
            }
            try Self.check(.regimeStrength, v2.regimeStrength, .atLeast(0))
            try Self.check(.regimePersistence, v2.regimePersistence, .upperOpen(0, 1))
            guard Double(rowsPerEra) * v2.universeFactor <= Double(Int32.max) else {
                throw EraDataError(.universeTooLarge(rowsPerEra: rowsPerEra, universeFactor: v2.universeFactor))
            }
        }
    }

    /// Throws `EraDataError.Reason.setting` unless `value` lies in `bounds` (NaN and infinities never do).
    static func check(_ setting: Setting, _ value: Double, _ bounds: EraDataError.Bounds) throws {
        guard bounds.contains(value) else { throw EraDataError(.setting(setting, mustBe: bounds, got: value)) }
    }

    static func check(_ setting: Setting, _ value: Int, _ bounds: EraDataError.Bounds) throws {
        try check(setting, Double(value), bounds)
    }

    /// A setting that `validate()` checks, as its messages name it. `key` is its place in the
    /// JSON form of the config (`rowsPerEra`, `v2.universeFactor`), the name the messages use
    /// unless the caller passes its own names to `EraDataError.Reason.text(naming:)` (the CLI
    /// names a setting given as a flag by that flag).
    public enum Setting: String, CaseIterable, Sendable {
        case eras, rowsPerEra, features, targets, latents, noise, featureNoise, weightDrift
        case noiseFeatureFraction, driftPersistence, nonlinearShare, auxSignalCorrelation, sharedNoiseShare
        case auxNaNEraFraction, validationFraction, embargoEras
        // Generator v2's.
        case featureGroups = "v2.featureGroups", loadingDrift = "v2.loadingDrift"
        case loadingPersistence = "v2.loadingPersistence", latentPersistence = "v2.latentPersistence"
        case universeFactor = "v2.universeFactor", targetWindow = "v2.targetWindow"
        case auxWindowScale = "v2.auxWindowScale", auxQuality = "v2.auxQuality"
        case regimeStrength = "v2.regimeStrength", regimePersistence = "v2.regimePersistence"

        public var key: String { rawValue }
    }
}

/// The Numerai-like generator: latent factors, noisy binned feature views, era-drifting weights,
/// nonlinear terms, heavy noise, several correlated targets binned 5/20/50/20/5 per era.
///
/// Deterministic for a config: the structure comes from stream `[0]` of the seed and era τ's rows
/// from stream `[1, τ]`, so eras are generated in parallel with identical results.
public enum SyntheticGenerator {
    /// Target values and their per-era shares.
    public static let targetValues: [Float] = [0, 0.25, 0.5, 0.75, 1]
    public static let targetShares: [Double] = [0.05, 0.20, 0.50, 0.20, 0.05]

    /// Generates the dataset; `config` must pass `validate()` (a precondition).
    public static func generate(_ config: SyntheticConfig) -> Dataset {
        do { try config.validate() } catch { preconditionFailure("\(error)") }
        if config.generator == .v2 { return SyntheticV2Generator.generate(config) }
        let structure = Structure(config)
        let layout = EraLayout(config)
        let r = config.rowsPerEra, n = layout.stored.count * r
        let f = config.features, t = config.targets

        let columns = FeatureColumns(rowCount: n, featureCount: f)
        let out = OutputBuffers(rows: n, targets: t)
        DispatchQueue.concurrentPerform(iterations: layout.stored.count) { e in
            generateEra(e, layout: layout, structure: structure, config: config,
                        features: columns, out: out)
        }

        var eraOfRow = [Int32](repeating: 0, count: n)
        var splitOfRow = [Split](repeating: .train, count: n)
        var ids = [String]()
        ids.reserveCapacity(n)
        let salt = SplitMix64.mix(config.seed ^ 0x5EED_1D5)
        for (e, era) in layout.stored.enumerated() {
            for i in 0..<r {
                eraOfRow[e * r + i] = Int32(e)
                splitOfRow[e * r + i] = era.split
                ids.append(idString(SplitMix64.mix(salt ^ (UInt64(era.time) << 32 | UInt64(i)))))
            }
        }
        let targets = (0..<t).map { Array(out.targets[$0]) }
        let signal = Array(out.signal)
        let width = max(4, String(layout.stored.last!.time + 1).count)
        let eraNames = layout.stored.map { String(repeating: "0", count: max(0, width - String($0.time + 1).count)) + String($0.time + 1) }
        var metadata = ["source": "synthetic"]
        if let json = try? JSONEncoder().encode(config) { metadata["synthetic_config"] = String(decoding: json, as: UTF8.self) }
        return Dataset(features: columns,
                       featureNames: (0..<f).map { featureName($0, count: f) },
                       targetNames: (0..<t).map { $0 == 0 ? "target" : "target_aux\($0)" },
                       targets: targets, eras: eraNames, eraOfRow: eraOfRow, ids: ids,
                       splitOfRow: splitOfRow, trueSignal: signal, metadata: metadata)
    }

    /// `feature_0000`-style names, at least four digits.
    static func featureName(_ f: Int, count: Int) -> String {
        let digits = max(4, String(count - 1).count)
        let s = String(f)
        return "feature_" + String(repeating: "0", count: digits - s.count) + s
    }

    /// `n` + 16 hex digits; the 64-bit value comes from a bijective mix of (era time, row), so ids are unique.
    static func idString(_ value: UInt64) -> String {
        let hex = String(value, radix: 16)
        return "n" + String(repeating: "0", count: 16 - hex.count) + hex
    }

    // MARK: structure

    /// A signal g = √(1−ν)·std(w(τ)·z) + √ν·std(Σβ z_a z_b + Σγ 1[z_c > θ]), standardized per era.
    struct SignalSpec {
        var weights: [[Double]]          // [time][latent]: μ + drift(τ)
        var pairs: [(a: Int, b: Int, beta: Double)]
        var steps: [(c: Int, theta: Double, gamma: Double)]
    }

    /// A signal's nonlinear part, shared by both generators (the draw order is part of their bits):
    /// max(1, ⌊k/2⌋) pairwise products β·z_a·z_b (a ≠ b) and as many steps γ·1[z_c > θ], θ ~ U(−1, 1).
    static func nonlinearTerms(latents k: Int, _ rng: inout SplitMix64)
        -> (pairs: [(Int, Int, Double)], steps: [(Int, Double, Double)]) {
        let terms = max(1, k / 2)
        let pairs = (0..<terms).map { _ -> (Int, Int, Double) in
            let a = Int(rng.next() % UInt64(k))
            let b = k > 1 ? (a + 1 + Int(rng.next() % UInt64(k - 1))) % k : a
            return (a, b, rng.nextGaussian())
        }
        let steps = (0..<terms).map { _ -> (Int, Double, Double) in
            (Int(rng.next() % UInt64(k)), 2 * rng.nextUnit() - 1, rng.nextGaussian())
        }
        return (pairs, steps)
    }

    struct FeatureSpec {
        var loadings: [(latent: Int, weight: Double)]
        var noise: Double
    }

    struct Structure {
        var signals: [SignalSpec]        // one per target: main signal, then each aux target's own part
        var features: [FeatureSpec]

        init(_ c: SyntheticConfig) {
            var rng = SplitMix64(seed: c.seed, stream: [0])
            let k = c.latents, times = EraLayout(c).timeCount
            signals = (0..<c.targets).map { _ in
                let mean = (0..<k).map { _ in rng.nextGaussian() }
                var drift = (0..<k).map { _ in c.weightDrift * rng.nextGaussian() }
                let phi = c.driftPersistence, innovation = c.weightDrift * (1 - phi * phi).squareRoot()
                var weights: [[Double]] = []
                for _ in 0..<times {
                    weights.append(zip(mean, drift).map { $0 + $1 })
                    drift = drift.map { phi * $0 + innovation * rng.nextGaussian() }
                }
                let (pairs, steps) = SyntheticGenerator.nonlinearTerms(latents: k, &rng)
                return SignalSpec(weights: weights, pairs: pairs, steps: steps)
            }
            // Pure-noise features sit at random positions; the others cycle through the latents.
            let noiseCount = Int((c.noiseFeatureFraction * Double(c.features)).rounded())
            var order = Array(0..<c.features)
            for i in stride(from: order.count - 1, to: 0, by: -1) {
                order.swapAt(i, Int(rng.next() % UInt64(i + 1)))
            }
            let isNoise = Set(order.prefix(noiseCount))
            var specs: [FeatureSpec] = []
            var cycle = 0
            for f in 0..<c.features {
                let scale = c.featureNoise * (0.5 + rng.nextUnit())
                if isNoise.contains(f) {
                    specs.append(FeatureSpec(loadings: [], noise: 1))
                    continue
                }
                let primary = cycle % k
                cycle += 1
                var loadings = [(primary, 1.0)]
                if k > 1 && rng.nextUnit() < 0.5 {
                    let secondary = (primary + 1 + Int(rng.next() % UInt64(k - 1))) % k
                    loadings.append((secondary, 0.5 * rng.nextGaussian()))
                }
                specs.append(FeatureSpec(loadings: loadings, noise: scale))
            }
            features = specs
        }
    }

    /// Stored eras with their time index τ (embargo eras skipped) and split.
    struct EraLayout {
        var stored: [(time: Int, split: Split)]
        var timeCount: Int
        init(_ c: SyntheticConfig) {
            var eras: [(Int, Split)] = []
            var time = 0
            for _ in 0..<c.trainEras { eras.append((time, .train)); time += 1 }
            time += c.embargoEras
            for _ in 0..<c.validationEras { eras.append((time, .validation)); time += 1 }
            if c.liveEra { eras.append((time, .live)); time += 1 }
            stored = eras
            timeCount = time
        }
    }

    final class OutputBuffers: @unchecked Sendable {
        let targets: [UnsafeMutableBufferPointer<Float>]
        let signal: UnsafeMutableBufferPointer<Float>
        init(rows: Int, targets t: Int) {
            targets = (0..<t).map { _ in
                let b = UnsafeMutableBufferPointer<Float>.allocate(capacity: rows)
                b.initialize(repeating: .nan)
                return b
            }
            signal = .allocate(capacity: rows)
            signal.initialize(repeating: 0)
        }
        deinit {
            targets.forEach { $0.deallocate() }
            signal.deallocate()
        }
    }

    // MARK: one era

    static func generateEra(_ e: Int, layout: EraLayout, structure: Structure, config c: SyntheticConfig,
                            features: FeatureColumns, out: OutputBuffers) {
        let (time, split) = layout.stored[e]
        let r = c.rowsPerEra, k = c.latents, f = c.features, t = c.targets
        let n = features.rowCount, base = e * r
        var rng = SplitMix64(seed: c.seed, stream: [1, UInt64(time)])

        // Draw order per row: K latents, F feature noises, 1 shared noise, T own noises.
        var z = [Double](repeating: 0, count: r * k)
        var x = [Double](repeating: 0, count: f * r)        // feature-major raw values
        var shared = [Double](repeating: 0, count: r)
        var own = [Double](repeating: 0, count: t * r)
        for i in 0..<r {
            for j in 0..<k { z[i * k + j] = rng.nextGaussian() }
            for fi in 0..<f {
                let spec = structure.features[fi]
                var v = spec.noise * rng.nextGaussian()
                for (latent, weight) in spec.loadings { v += weight * z[i * k + latent] }
                x[fi * r + i] = v
            }
            shared[i] = rng.nextGaussian()
            for ti in 0..<t { own[ti * r + i] = rng.nextGaussian() }
        }

        // Features: quintiles within the era (rank·5/r), so each bin holds a fifth of the era.
        var order = [Int](repeating: 0, count: r)
        for fi in 0..<f {
            rankOrder(x, offset: fi * r, count: r, into: &order)
            let column = features.storage.baseAddress! + fi * n + base
            for (rank, i) in order.enumerated() { column[i] = UInt8(rank * 5 / r) }
        }

        // Signals.
        let nu = c.nonlinearShare
        var signals: [[Double]] = []
        for spec in structure.signals {
            let w = spec.weights[time]
            var linear = [Double](repeating: 0, count: r), nonlinear = [Double](repeating: 0, count: r)
            for i in 0..<r {
                var l = 0.0, q = 0.0
                for j in 0..<k { l += w[j] * z[i * k + j] }
                for p in spec.pairs { q += p.beta * z[i * k + p.a] * z[i * k + p.b] }
                for s in spec.steps where z[i * k + s.c] > s.theta { q += s.gamma }
                linear[i] = l
                nonlinear[i] = q
            }
            standardize(&linear)
            standardize(&nonlinear)
            var g = (0..<r).map { (1 - nu).squareRoot() * linear[$0] + nu.squareRoot() * nonlinear[$0] }
            standardize(&g)
            signals.append(g)
        }
        let main = signals[0]
        for i in 0..<r { out.signal[base + i] = Float(main[i]) }

        // Targets: y_t = s_t + noise·h_t·(√λ·m + √(1−λ)·u_t), binned 5/20/50/20/5 within the era.
        guard split != .live else { return }
        let lambda = c.sharedNoiseShare
        var y = [Double](repeating: 0, count: r)
        for ti in 0..<t {
            if ti > 0 && e < auxNaNEras(ti, c) { continue }    // stays NaN
            let rho = pow(c.auxSignalCorrelation, Double(ti))
            let horizon = 1 + 0.25 * Double(ti)
            for i in 0..<r {
                let s = ti == 0 ? main[i] : rho * main[i] + (1 - rho * rho).squareRoot() * signals[ti][i]
                y[i] = s + c.noise * horizon * (lambda.squareRoot() * shared[i] + (1 - lambda).squareRoot() * own[ti * r + i])
            }
            rankOrder(y, offset: 0, count: r, into: &order)
            let bounds = targetBounds(r)
            let column = out.targets[ti]
            var bin = 0
            for (rank, i) in order.enumerated() {
                while bin < bounds.count && rank >= bounds[bin] { bin += 1 }
                column[base + i] = targetValues[bin]
            }
        }
    }

    /// Aux target t's unknown leading eras.
    static func auxNaNEras(_ t: Int, _ c: SyntheticConfig) -> Int {
        min(c.trainEras, Int((c.auxNaNEraFraction * Double(t) * Double(c.eras)).rounded()))
    }

    /// Rank boundaries of the five target bins for `r` rows: round(r·{.05, .25, .75, .95}).
    public static func targetBounds(_ r: Int) -> [Int] {
        var cumulative = 0.0
        return targetShares.dropLast().map { share in
            cumulative += share
            return Int((cumulative * Double(r)).rounded())
        }
    }

    /// Row order by value (ties by row), i.e. `order[rank] = row`.
    static func rankOrder(_ values: [Double], offset: Int, count: Int, into order: inout [Int]) {
        for i in 0..<count { order[i] = i }
        values.withUnsafeBufferPointer { v in
            order.sort { a, b in
                let va = v[offset + a], vb = v[offset + b]
                return va < vb || (va == vb && a < b)
            }
        }
    }

    /// x ← (x − mean)/std (population std); all zeros when the std is 0.
    static func standardize(_ x: inout [Double]) {
        let n = Double(x.count)
        let mean = x.reduce(0, +) / n
        let variance = x.reduce(0) { $0 + ($1 - mean) * ($1 - mean) } / n
        let scale = variance > 0 ? 1 / variance.squareRoot() : 0
        for i in x.indices { x[i] = (x[i] - mean) * scale }
    }
}
