import Foundation
import Support

/// Generator v2 (model: `notebooks-md/synthetic-data.md`, "Generator v2").
///
/// A universe of stocks with persistent AR(1) latent factors z_s(τ); each era holds `rowsPerEra`
/// of them. Features are named groups of noisy views of the latents whose loadings drift per era.
/// Each target t has signal s_t = std(√ρ·g_c + √(1−ρ)·g_t) — a common part g_c and its own part
/// g_t — where every g = std((1 + κR(τ))·A + δ·D(τ)) has a stable part A (long-run linear weights
/// plus nonlinear terms), a drifting part D and the regime factor R(τ). Targets add noise summed
/// over an overlapping future window of H_t eras: y_t(τ) = s_t + σ_t/√H_t · Σ_{h<H_t} e_t(τ+h),
/// e_t = √λ·m + √(1−λ)·u_t, with m shared by all targets.
///
/// Deterministic for a config and any thread count: structure from streams `[0, …]`, each stock's
/// latent path from `[2, stock]`, period u's noise from `[3, u]`, era τ's membership and feature
/// noise from `[1, τ]`; each parallel task writes only its own slots.
public enum SyntheticV2Generator {
    /// Numerai's feature group names, used in order (then `group_10`, …).
    public static let groupNames = ["intelligence", "charisma", "strength", "dexterity", "constitution",
                                    "wisdom", "agility", "serenity", "sunshine", "rain"]

    public static func groupName(_ g: Int) -> String { g < groupNames.count ? groupNames[g] : "group_\(g)" }

    /// Group of feature f: contiguous blocks, ⌊f·G/F⌋.
    public static func group(ofFeature f: Int, features: Int, groups: Int) -> Int { f * groups / features }

    /// Stock count of the universe.
    public static func universe(_ c: SyntheticConfig) -> Int {
        max(c.rowsPerEra, Int((Double(c.rowsPerEra) * c.v2.universeFactor).rounded()))
    }

    public static func generate(_ c: SyntheticConfig) -> Dataset {
        let layout = SyntheticGenerator.EraLayout(c)
        let structure = Structure(c, times: layout.timeCount)
        let r = c.rowsPerEra, k = c.latents, f = c.features, t = c.targets
        let stored = layout.stored.count, n = stored * r
        let u = universe(c)
        let maxWindow = (0..<t).map { c.v2.window(ofTarget: $0) }.max()!
        let periods = layout.timeCount + maxWindow

        // Latent paths z_s(τ), time-major [τ][s][k], one stream per stock.
        let latents = SharedBuffer<Float>(count: layout.timeCount * u * k)
        let psi = c.v2.latentPersistence, innovation = (1 - psi * psi).squareRoot()
        DispatchQueue.concurrentPerform(iterations: u) { s in
            var rng = SplitMix64(seed: c.seed, stream: [2, UInt64(s)])
            var z = (0..<k).map { _ in rng.nextGaussian() }
            for time in 0..<layout.timeCount {
                if time > 0 { for j in 0..<k { z[j] = psi * z[j] + innovation * rng.nextGaussian() } }
                for j in 0..<k { latents.pointer[(time * u + s) * k + j] = Float(z[j]) }
            }
        }
        // Per-period noise [u][s][1 + t]: the shared move m, then each target's own u_t.
        let width = 1 + t
        let noise = SharedBuffer<Float>(count: periods * u * width)
        DispatchQueue.concurrentPerform(iterations: periods) { p in
            var rng = SplitMix64(seed: c.seed, stream: [3, UInt64(p)])
            let base = p * u * width
            for i in 0..<(u * width) { noise.pointer[base + i] = Float(rng.nextGaussian()) }
        }

        let columns = FeatureColumns(rowCount: n, featureCount: f)
        let out = SyntheticGenerator.OutputBuffers(rows: n, targets: t)
        let stockOfRow = SharedBuffer<Int32>(count: n)
        DispatchQueue.concurrentPerform(iterations: stored) { e in
            generateEra(e, layout: layout, structure: structure, config: c, universe: u,
                        latents: latents, noise: noise, features: columns, out: out, stockOfRow: stockOfRow)
        }

        var eraOfRow = [Int32](repeating: 0, count: n)
        var splitOfRow = [Split](repeating: .train, count: n)
        var ids = [String]()
        ids.reserveCapacity(n)
        for (e, era) in layout.stored.enumerated() {
            for i in 0..<r {
                let row = e * r + i
                eraOfRow[row] = Int32(e)
                splitOfRow[row] = era.split
                ids.append(rowId(stock: Int(stockOfRow.pointer[row]), time: era.time, seed: c.seed))
            }
        }
        let digits = max(4, String(layout.stored.last!.time + 1).count)
        let eraNames = layout.stored.map {
            String(repeating: "0", count: max(0, digits - String($0.time + 1).count)) + String($0.time + 1)
        }
        var groups: [String: [String]] = [:]
        let names = (0..<f).map { SyntheticGenerator.featureName($0, count: f) }
        for (fi, name) in names.enumerated() {
            groups[groupName(group(ofFeature: fi, features: f, groups: c.v2.groups(features: f))), default: []].append(name)
        }
        var metadata = ["source": "synthetic", "generator": "v2"]
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        if let json = try? encoder.encode(c) { metadata["synthetic_config"] = String(decoding: json, as: UTF8.self) }
        metadata["regime"] = structure.regime.map { String(format: "%.4f", $0) }.joined(separator: ",")
        return Dataset(features: columns, featureNames: names,
                       targetNames: (0..<t).map { $0 == 0 ? "target" : "target_aux\($0)" },
                       targets: (0..<t).map { Array(out.targets[$0]) }, eras: eraNames, eraOfRow: eraOfRow,
                       ids: ids, splitOfRow: splitOfRow, trueSignal: Array(out.signal), metadata: metadata,
                       featureGroups: groups)
    }

    /// Row id: the stock's persistent key (`n` + 12 hex digits, the same in every era) followed by
    /// the era's time index (4 hex digits), so ids stay unique per row as Numerai's files and our
    /// importers require while `stockId(of:)` recovers the stock.
    public static func rowId(stock: Int, time: Int, seed: UInt64) -> String {
        stockId(stock: stock, seed: seed) + hex(UInt64(time), digits: 4)
    }

    /// The persistent part of a row id.
    public static func stockId(stock: Int, seed: UInt64) -> String {
        "n" + hex(stockKey48(stock, seed: seed), digits: 12)
    }

    /// Stock id of a v2 row id (its first 13 characters).
    public static func stockId(of rowId: String) -> Substring { rowId.prefix(13) }

    /// A bijection of the 48-bit stock index space (xorshift and odd multiplies mod 2⁴⁸), keyed by
    /// the seed, so distinct stocks get distinct keys.
    static func stockKey48(_ s: Int, seed: UInt64) -> UInt64 {
        let mask: UInt64 = (1 << 48) - 1
        var x = (UInt64(s) ^ (SplitMix64.mix(seed ^ 0x57_0C_4B_1D) & mask)) & mask
        x = (x ^ (x >> 23)) & mask
        x = (x &* 0x9E37_79B9_7F4B) & mask
        x = (x ^ (x >> 21)) & mask
        x = (x &* 0xBF58_476D_1CE5) & mask
        return x ^ (x >> 24)
    }

    static func hex(_ v: UInt64, digits: Int) -> String {
        let s = String(v, radix: 16)
        return String(repeating: "0", count: max(0, digits - s.count)) + s
    }

    // MARK: structure

    struct SignalSpec {
        /// Long-run linear weights μ, scaled to unit norm (so μ·z has unit variance).
        var mean: [Double]
        /// [time][latent]: the drift d(τ), scaled to unit norm each era.
        var drift: [[Double]]
        var pairs: [(a: Int, b: Int, beta: Double)]
        var steps: [(c: Int, theta: Double, gamma: Double)]
    }

    struct FeatureSpec {
        var group: Int
        var loadings: [(latent: Int, weight: Double)]
        var noise: Double
    }

    struct Structure: @unchecked Sendable {
        /// [0]: the common signal g_c; [1 + t]: target t's own part g_t.
        var signals: [SignalSpec]
        var features: [FeatureSpec]
        /// [group][time]: the loading multiplier 1 + ℓ_g(τ).
        var groupLoading: [[Double]]
        /// R(τ), stationary AR(1) N(0, 1).
        var regime: [Double]

        init(_ c: SyntheticConfig, times: Int) {
            let k = c.latents, v = c.v2
            regime = ar1Path(times, persistence: v.regimePersistence, scale: 1,
                             rng: SplitMix64(seed: c.seed, stream: [0, 0]))
            signals = (0...c.targets).map { j in
                var rng = SplitMix64(seed: c.seed, stream: [0, 1, UInt64(j)])
                let mean = unit((0..<k).map { _ in rng.nextGaussian() })
                var d = (0..<k).map { _ in rng.nextGaussian() }
                let phi = c.driftPersistence, innovation = (1 - phi * phi).squareRoot()
                var drift: [[Double]] = []
                for _ in 0..<times {
                    drift.append(unit(d))
                    d = d.map { phi * $0 + innovation * rng.nextGaussian() }
                }
                let (pairs, steps) = SyntheticGenerator.nonlinearTerms(latents: k, &rng)
                return SignalSpec(mean: mean, drift: drift, pairs: pairs, steps: steps)
            }
            var rng = SplitMix64(seed: c.seed, stream: [0, 2])
            let noiseCount = Int((c.noiseFeatureFraction * Double(c.features)).rounded())
            var order = Array(0..<c.features)
            for i in stride(from: order.count - 1, to: 0, by: -1) { order.swapAt(i, Int(rng.next() % UInt64(i + 1))) }
            let isNoise = Set(order.prefix(noiseCount))
            features = (0..<c.features).map { fi in
                let g = group(ofFeature: fi, features: c.features, groups: v.groups(features: c.features))
                let scale = c.featureNoise * (0.5 + rng.nextUnit())
                let hasSecondary = rng.nextUnit() < 0.5
                let secondaryDraw = rng.next(), weight = 0.5 * rng.nextGaussian()
                if isNoise.contains(fi) { return FeatureSpec(group: g, loadings: [], noise: 1) }
                let primary = g % k
                var loadings = [(primary, 1.0)]
                if k > 1 && hasSecondary {
                    loadings.append(((primary + 1 + Int(secondaryDraw % UInt64(k - 1))) % k, weight))
                }
                return FeatureSpec(group: g, loadings: loadings, noise: scale)
            }
            groupLoading = (0..<v.groups(features: c.features)).map { g in
                ar1Path(times, persistence: v.loadingPersistence, scale: v.loadingDrift,
                        rng: SplitMix64(seed: c.seed, stream: [0, 3, UInt64(g)])).map { 1 + $0 }
            }
        }
    }

    /// x₀ ~ N(0, scale²), x_τ = φ·x_{τ−1} + scale·√(1−φ²)·η: stationary N(0, scale²).
    static func ar1Path(_ count: Int, persistence phi: Double, scale: Double, rng: SplitMix64) -> [Double] {
        var rng = rng
        var x = scale * rng.nextGaussian()
        var out: [Double] = []
        let innovation = scale * (1 - phi * phi).squareRoot()
        for _ in 0..<count {
            out.append(x)
            x = phi * x + innovation * rng.nextGaussian()
        }
        return out
    }

    static func unit(_ v: [Double]) -> [Double] {
        let norm = v.reduce(0) { $0 + $1 * $1 }.squareRoot()
        return norm > 0 ? v.map { $0 / norm } : v
    }

    // MARK: one era

    static func generateEra(_ e: Int, layout: SyntheticGenerator.EraLayout, structure: Structure,
                            config c: SyntheticConfig, universe u: Int, latents: SharedBuffer<Float>,
                            noise: SharedBuffer<Float>, features: FeatureColumns,
                            out: SyntheticGenerator.OutputBuffers, stockOfRow: SharedBuffer<Int32>) {
        let (time, split) = layout.stored[e]
        let r = c.rowsPerEra, k = c.latents, f = c.features, t = c.targets
        let n = features.rowCount, base = e * r
        var rng = SplitMix64(seed: c.seed, stream: [1, UInt64(time)])

        // Membership: a partial Fisher–Yates draw of r stocks, rows in stock order.
        var pool = Array(0..<u)
        for i in 0..<r { pool.swapAt(i, i + Int(rng.next() % UInt64(u - i))) }
        let stocks = pool.prefix(r).sorted()
        for (i, s) in stocks.enumerated() { stockOfRow.pointer[base + i] = Int32(s) }
        var z = [Double](repeating: 0, count: r * k)
        for (i, s) in stocks.enumerated() {
            for j in 0..<k { z[i * k + j] = Double(latents.pointer[(time * u + s) * k + j]) }
        }

        // Features: x_f = (1 + ℓ_g(τ))·Σ loading·z + σ_f·ε, quintiles within the era.
        var x = [Double](repeating: 0, count: f * r)
        for i in 0..<r {
            for fi in 0..<f {
                let spec = structure.features[fi]
                var v = 0.0
                for (latent, weight) in spec.loadings { v += weight * z[i * k + latent] }
                x[fi * r + i] = structure.groupLoading[spec.group][time] * v + spec.noise * rng.nextGaussian()
            }
        }
        var order = [Int](repeating: 0, count: r)
        for fi in 0..<f {
            SyntheticGenerator.rankOrder(x, offset: fi * r, count: r, into: &order)
            let column = features.storage.baseAddress! + fi * n + base
            for (rank, i) in order.enumerated() { column[i] = UInt8(rank * 5 / r) }
        }

        // Signals g = std((1 + κR)·A + δ·D), A = std(√(1−ν)·μ·z + √ν·std(q)), D = d(τ)·z.
        let nu = c.nonlinearShare, regime = 1 + c.v2.regimeStrength * structure.regime[time]
        let delta = c.weightDrift
        let g: [[Double]] = structure.signals.map { spec in
            var linear = [Double](repeating: 0, count: r), nonlinear = linear, drift = linear
            let d = spec.drift[time]
            for i in 0..<r {
                var l = 0.0, q = 0.0, m = 0.0
                for j in 0..<k { l += spec.mean[j] * z[i * k + j]; m += d[j] * z[i * k + j] }
                for p in spec.pairs { q += p.beta * z[i * k + p.a] * z[i * k + p.b] }
                for s in spec.steps where z[i * k + s.c] > s.theta { q += s.gamma }
                linear[i] = l
                nonlinear[i] = q
                drift[i] = m
            }
            SyntheticGenerator.standardize(&linear)
            SyntheticGenerator.standardize(&nonlinear)
            SyntheticGenerator.standardize(&drift)
            var stable = (0..<r).map { (1 - nu).squareRoot() * linear[$0] + nu.squareRoot() * nonlinear[$0] }
            SyntheticGenerator.standardize(&stable)
            var out = (0..<r).map { regime * stable[$0] + delta * drift[$0] }
            SyntheticGenerator.standardize(&out)
            return out
        }
        let rho = c.auxSignalCorrelation
        let signals: [[Double]] = (0..<t).map { ti in
            var s = (0..<r).map { rho.squareRoot() * g[0][$0] + (1 - rho).squareRoot() * g[1 + ti][$0] }
            SyntheticGenerator.standardize(&s)
            return s
        }
        for i in 0..<r { out.signal[base + i] = Float(signals[0][i]) }

        // Targets over overlapping windows, binned 5/20/50/20/5 within the era.
        guard split != .live else { return }
        let lambda = c.sharedNoiseShare, width = 1 + t
        let bounds = SyntheticGenerator.targetBounds(r)
        var y = [Double](repeating: 0, count: r)
        for ti in 0..<t {
            if ti > 0 && e < SyntheticGenerator.auxNaNEras(ti, c) { continue }
            let window = c.v2.window(ofTarget: ti)
            let sigma = ti == 0 ? c.noise : c.noise / c.v2.quality(ofAux: ti)
            let scale = sigma / Double(window).squareRoot()
            for (i, s) in stocks.enumerated() {
                var sum = 0.0
                for h in 0..<window {
                    let cell = ((time + h) * u + s) * width
                    sum += lambda.squareRoot() * Double(noise.pointer[cell])
                        + (1 - lambda).squareRoot() * Double(noise.pointer[cell + 1 + ti])
                }
                y[i] = signals[ti][i] + scale * sum
            }
            SyntheticGenerator.rankOrder(y, offset: 0, count: r, into: &order)
            let column = out.targets[ti]
            var bin = 0
            for (rank, i) in order.enumerated() {
                while bin < bounds.count && rank >= bounds[bin] { bin += 1 }
                column[base + i] = SyntheticGenerator.targetValues[bin]
            }
        }
    }
}

/// A fixed-size buffer written by parallel tasks at disjoint slots, then read.
final class SharedBuffer<T>: @unchecked Sendable {
    let pointer: UnsafeMutablePointer<T>
    let count: Int
    init(count: Int) where T: Numeric {
        self.count = count
        pointer = .allocate(capacity: max(count, 1))
        pointer.initialize(repeating: 0, count: max(count, 1))
    }
    deinit { pointer.deallocate() }
}
