import Foundation

/// SplitMix64 (Steele, Lea & Flood 2014): a tiny, fast, statistically solid generator whose whole
/// state is one UInt64 — so any stream is reproducible from (seed, stream ids) alone.
public struct SplitMix64: RandomNumberGenerator, Sendable {
    public private(set) var state: UInt64

    public init(seed: UInt64) { state = seed }

    /// A generator for an independent stream derived from a seed and a path of stream ids, e.g.
    /// `SplitMix64(seed: studySeed, stream: [arm, modelIndex])`. Each id is mixed in through the
    /// finalizer, so neighbouring ids give unrelated streams.
    public init(seed: UInt64, stream: [UInt64]) {
        var s = SplitMix64.mix(seed &+ 0x9E37_79B9_7F4A_7C15)
        for id in stream { s = SplitMix64.mix(s ^ SplitMix64.mix(id &+ 0xD1B5_4A32_D192_ED03)) }
        state = s
    }

    @inline(__always)
    public static func mix(_ z0: UInt64) -> UInt64 {
        var z = z0
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }

    @inline(__always)
    public mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        return SplitMix64.mix(state)
    }

    /// Uniform in [0, 1) with 53 random bits.
    @inline(__always)
    public mutating func nextUnit() -> Double { Double(next() >> 11) * 0x1.0p-53 }

    /// Standard normal (Box–Muller; deterministic, one value per call).
    public mutating func nextGaussian() -> Double {
        let u1 = max(nextUnit(), 0x1.0p-60), u2 = nextUnit()
        return (-2 * log(u1)).squareRoot() * cos(2 * Double.pi * u2)
    }
}
