import Foundation

/// Histogram kernels over packed (count, gradient) values.
///
/// Every row carries one `Int64`: `(1 << countShift) + q`, where `q = round(g · 2^fractionBits)` is
/// the row's L2 gradient in fixed point. Summing packed values sums counts (high bits) and
/// gradients (low bits) in one add; with L2 every hessian is 1, so the count is the hessian.
/// Integer sums are exact and associative, so any row order or thread split gives bit-identical
/// histograms, and `parent − smaller child` is exact.
struct FixedPoint: Sendable {
    let countShift: Int
    let fractionBits: Int
    let scale: Double
    let inverseScale: Double
    /// Rows per block of the 32-bit kernel (`wb_hist5_q32`): the largest
    /// multiple of 64 up to 4096 with `block · max|q| < 2^31`, or 0 when that is below 64.
    let block32: Int

    /// Chooses shifts so that `rows` values with |g| ≤ `maxAbsGradient` cannot overflow.
    init(rows: Int, maxAbsGradient: Double) {
        let bits = Int.bitWidth - max(rows, 1).leadingZeroBitCount
        countShift = 62 - bits
        // Need rows · |q| < 2^(countShift − 1): leave one more bit for rounding.
        let magnitude = Double(max(rows, 1)) * max(maxAbsGradient, 1e-30)
        var f = countShift - 2 - Int(log2(magnitude).rounded(.up))
        // Keep |q| < 2^50 so `pack` can round with the 1.5·2^52 trick.
        f = min(f, 50 - Int(log2(max(maxAbsGradient, 1e-30)).rounded(.up)))
        fractionBits = f
        scale = Double(sign: .plus, exponent: f, significand: 1)
        inverseScale = 1 / scale
        // |q| = |round(g · 2^F)| ≤ max|g| · 2^F + 0.5.
        let maxQ = max(maxAbsGradient, 0) * scale + 1
        let rowsPerBlock = maxQ.isFinite ? min(4096.0, (2_147_483_647.0 / maxQ).rounded(.down)) : 0
        block32 = rowsPerBlock >= 64 ? Int(rowsPerBlock) / 64 * 64 : 0
    }

    /// Adding 1.5·2^52 rounds to an integer (ties to even) held in the low mantissa bits: no
    /// range checks in the hot loop.
    private static let magic = 6_755_399_441_055_744.0
    private static let magicBits = Int64(bitPattern: magic.bitPattern)

    @inline(__always) func pack(_ gradient: Float) -> Int64 {
        let rounded = Int64(bitPattern: (Double(gradient) * scale + FixedPoint.magic).bitPattern) &- FixedPoint.magicBits
        return (Int64(1) << countShift) &+ rounded
    }

    /// The gradient part of a packed row value (`pack(g) − 2^countShift`), when it fits 32 bits.
    @inline(__always) func q32(_ packed: Int64) -> Int32 {
        Int32(truncatingIfNeeded: packed &- (Int64(1) << countShift))
    }

    /// Splits a packed sum into (count, gradient sum in fixed point).
    @inline(__always) func unpack(_ v: Int64) -> (count: Int, q: Int64) {
        let count = (v &+ (Int64(1) << (countShift - 1))) >> countShift
        return (Int(count), v &- (count << countShift))
    }

    @inline(__always) func gradient(_ q: Int64) -> Double { Double(q) * inverseScale }
}

enum HistogramKernel {
    /// Adds bins 1…4 and bin 0 (the total minus the others) to a 5-bin histogram.
    @inline(__always)
    static func finish(_ h: UnsafeMutablePointer<Int64>, _ total: Int64, _ v1: Int64, _ v2: Int64, _ v3: Int64, _ v4: Int64) {
        h[0] &+= total &- v1 &- v2 &- v3 &- v4
        h[1] &+= v1; h[2] &+= v2; h[3] &+= v3; h[4] &+= v4
    }

    /// Bins 1…4 of a 0..4 feature over consecutive rows (`column` points at the first row's byte,
    /// `packed` at its packed value; the bin is the byte's low nibble, or its high one when `high`):
    /// branch-free compare-and-masked-add (bin 0 is `total` minus the others).
    @inline(__always)
    static func accumulate5Contiguous(column: UnsafePointer<UInt8>, high: Bool = false, packed: UnsafePointer<Int64>,
                                      count: Int, total: Int64, into h: UnsafeMutablePointer<Int64>) {
        var a1: Int64 = 0, a2: Int64 = 0, a3: Int64 = 0, a4: Int64 = 0
        let shift: UInt8 = high ? 4 : 0
        var i = 0
        while i < count {
            let b = Int64((column[i] >> shift) & 0x0F)
            let p = packed[i]
            a1 &+= p & -((b ^ 1) == 0 ? 1 : 0)
            a2 &+= p & -((b ^ 2) == 0 ? 1 : 0)
            a3 &+= p & -((b ^ 3) == 0 ? 1 : 0)
            a4 &+= p & -((b ^ 4) == 0 ? 1 : 0)
            i &+= 1
        }
        finish(h, total, a1, a2, a3, a4)
    }

    /// Any number of bins (up to 256) over consecutive rows: a scalar scatter of the packed values.
    @inline(__always)
    static func accumulateGeneralContiguous(column: UnsafePointer<UInt8>, packed: UnsafePointer<Int64>, count: Int,
                                            into h: UnsafeMutablePointer<Int64>) {
        var i = 0
        while i < count {
            h[Int(column[i])] &+= packed[i]
            i &+= 1
        }
    }
}
