import Foundation
import Support

extension SyntheticConfig {
    /// Peak resident bytes of generating `rows` rows (the fit `MemoryEstimate` uses for a
    /// generated study's loading phase): 44 MB runtime + rows·features·1.2 (1-byte bins and the
    /// generator's per-era values) + rows·(4·targets + 182) (targets, signal, eras, splits, ids).
    /// Fitted to measured peaks at the default latents and universe (the study's 0.04–0.4M rows).
    public static func fittedGenerationBytes(rows: Int, features: Int, targets: Int) -> Int {
        44_000_000 + rows * features * 6 / 5 + rows * (4 * targets + 182)
    }

    /// Peak bytes of `SyntheticGenerator.generate(self)`, in floating point (no overflow for any
    /// settings `validate()` passes): the fitted per-row term above plus what grows with time
    /// steps T (eras and embargo), latents k and, for generator v2, the universe u:
    ///
    ///     8·(targets + 1)·T·(k + 4)                  signal weights per time step
    ///     + threads·8·(rowsPerEra·(k + features) + u) each generating thread's era: latents and
    ///                                                features as doubles (u = rowsPerEra for v1)
    ///     v2: 4·T·u·k + 4·(T + window)·u·(1 + targets) + 8·groups·T
    ///                                                latent paths, per-period noise, group loadings
    ///
    /// these terms rounded up by 10 % (the allocator's slack; measured against the peak RSS of
    /// `data synth` where latents dominate: 1.005× without it, `SyntheticMemoryTests`). At the
    /// default latents they are megabytes (already inside the fit); a hostile `latents`,
    /// `embargoEras` or `v2.universeFactor` makes them terabytes.
    public var generationBytes: Double {
        let layout = SyntheticGenerator.EraLayout(self)
        let times = Double(layout.timeCount), k = Double(latents), t = Double(targets)
        // validate() bounds rows (2^31) and cells (2^33), so the fitted term fits an Int.
        let fitted = Double(Self.fittedGenerationBytes(rows: layout.stored.count * rowsPerEra, features: features, targets: targets))
        var bytes = 0.0
        let universe = Double(generator == .v2 ? SyntheticV2Generator.universe(self) : rowsPerEra)
        let threads = Double(ProcessInfo.processInfo.activeProcessorCount)
        bytes += 8 * (t + 1) * times * (k + 4)
        bytes += threads * 8 * (Double(rowsPerEra) * (k + Double(features)) + universe)
        if generator == .v2 {
            let window = Double((0..<targets).map { v2.window(ofTarget: $0) }.max() ?? 1)
            bytes += 4 * times * universe * k + 4 * (times + window) * universe * (1 + t)
                + 8 * Double(v2.groups(features: features)) * times
        }
        return fitted + 1.1 * bytes
    }

    /// Throws `generationTooLarge` when generating needs more than `MemoryBudget.usable` of
    /// `physicalMemory` (85 %, the study runner's bound), before anything is allocated. Call after `validate()`.
    public func checkGenerationFits(physicalMemory: Int = Int(ProcessInfo.processInfo.physicalMemory)) throws {
        let needed = generationBytes
        if needed > MemoryBudget.usable(of: physicalMemory) {
            throw EraDataError(.generationTooLarge(needed: needed >= Double(Int.max) ? Int.max : Int(needed),
                                                   available: physicalMemory))
        }
    }
}
