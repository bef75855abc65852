import Foundation

/// LightGBM's own random generator (`utils/random.h`): a 32-bit linear congruential generator.
/// Reproducing it makes column sampling, bagging and bin sampling pick exactly what LightGBM picks
/// for the same seed, so a user's LightGBM parameter set means the same model here.
struct LightGBMRandom {
    private var x: UInt32

    init(seed: Int32) { x = UInt32(bitPattern: seed) }

    private mutating func step() { x = x &* 214013 &+ 2531011 }

    /// 15 random bits.
    mutating func nextInt16() -> Int { step(); return Int((x >> 16) & 0x7FFF) }
    /// 31 random bits.
    mutating func nextInt32() -> Int { step(); return Int(x & 0x7FFF_FFFF) }

    /// In [lower, upper).
    mutating func nextShort(_ lower: Int, _ upper: Int) -> Int { nextInt16() % (upper - lower) + lower }
    mutating func nextInt(_ lower: Int, _ upper: Int) -> Int { nextInt32() % (upper - lower) + lower }
    /// In [0, 1), as LightGBM computes it (float).
    mutating func nextFloat() -> Float { Float(nextInt16()) / 32768.0 }

    /// K of {0, …, N−1}, ascending, with LightGBM's two algorithms (selection sampling when K is a
    /// large share of N, Floyd's algorithm otherwise).
    mutating func sample(_ n: Int, _ k: Int) -> [Int] {
        if k > n || k <= 0 { return [] }
        if k == n { return Array(0..<n) }
        var out: [Int] = []
        out.reserveCapacity(k)
        if k > 1 && Double(k) > Double(n) / log2(Double(k)) {
            for i in 0..<n {
                let probability = Double(k - out.count) / Double(n - i)
                if Double(nextFloat()) < probability { out.append(i) }
            }
        } else {
            var chosen = Set<Int>()
            for r in (n - k)..<n {
                let v = nextInt(0, r + 1)
                if !chosen.insert(v).inserted { chosen.insert(r) }
            }
            out = chosen.sorted()
        }
        return out
    }
}

/// The seeds LightGBM derives from `seed` (`Config::Set`), or its fixed defaults when unset.
struct LightGBMSeeds {
    var data: Int32 = 1
    var bagging: Int32 = 3
    var featureFraction: Int32 = 2

    init(seed: Int?) {
        guard let seed else { return }
        var random = LightGBMRandom(seed: Int32(truncatingIfNeeded: seed))
        let intMax = Int(Int16.max)
        data = Int32(random.nextShort(0, intMax))
        bagging = Int32(random.nextShort(0, intMax))
        _ = random.nextShort(0, intMax)  // drop_seed
        featureFraction = Int32(random.nextShort(0, intMax))
    }
}
