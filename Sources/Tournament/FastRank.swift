import Diversity
import Foundation

/// Φ⁻¹(tie-kept rank) of one era's values, by sorting (key, position) pairs held contiguously —
/// the comparator reads no memory outside the pairs — with keys the order-preserving bit
/// patterns of the doubles. Bit-identical to `EraLayout.gaussianize` (average ranks for ties,
/// −0 and +0 tie as they compare equal, the same `GaussTable` lookup); the leave-self-out MMC
/// and every meta model go through it. Values must not be NaN.
public struct FastRanker {
    public struct Pair { var key: UInt64; var position: Int32 }
    var pairs: [Pair] = []
    public init() {}

    /// Order-preserving map of a double onto UInt64 (negative: all bits flipped; positive: sign set).
    @inline(__always)
    public static func key(_ x: Double) -> UInt64 {
        let b = (x == 0 ? 0.0 : x).bitPattern
        return b & (1 << 63) != 0 ? ~b : b | (1 << 63)
    }

    public mutating func gaussianize(_ values: UnsafeBufferPointer<Double>, table: GaussTable,
                                     into out: UnsafeMutableBufferPointer<Double>) {
        let n = values.count
        precondition(table.n == n && out.count == n)
        pairs.removeAll(keepingCapacity: true)
        for i in 0..<n { pairs.append(Pair(key: FastRanker.key(values[i]), position: Int32(i))) }
        pairs.sort { $0.key < $1.key }
        let g = table.g
        pairs.withUnsafeBufferPointer { p in
            var i = 0
            while i < n {
                let k = p[i].key
                var j = i + 1
                while j < n && p[j].key == k { j += 1 }
                // Ranks i+1 … j share their average; the table is indexed by twice the rank.
                let v = g[i + 1 + j]
                for m in i..<j { out[Int(p[m].position)] = v }
                i = j
            }
        }
    }
}

/// Φ⁻¹(tie-kept rank) of one era of Float predictions (the stored submissions) by an LSD radix
/// sort of 32-bit order-preserving keys: four 8-bit passes, a pass skipped when every key shares
/// its digit. Float → Double is exact and monotone, so the ranks — and with the same
/// `GaussTable` lookup the values — are bit-identical to ranking the Doubles (`FastRanker`,
/// `EraLayout.scoreModel`); the sort costs O(n) instead of O(n log n) comparisons. Also writes
/// p15 of each value (`GaussTable.g15`, the `numerai_corr` input). Values must not be NaN.
public final class RadixRanker {
    private var capacity = 0
    private var keys: UnsafeMutablePointer<UInt32>
    private var keys2: UnsafeMutablePointer<UInt32>
    private var order: UnsafeMutablePointer<Int32>
    private var order2: UnsafeMutablePointer<Int32>
    private let counts: UnsafeMutablePointer<Int>

    public init() {
        keys = .allocate(capacity: 1); keys2 = .allocate(capacity: 1)
        order = .allocate(capacity: 1); order2 = .allocate(capacity: 1)
        counts = .allocate(capacity: 4 * 256)
    }
    deinit {
        keys.deallocate(); keys2.deallocate(); order.deallocate(); order2.deallocate(); counts.deallocate()
    }

    /// Order-preserving map of a Float onto UInt32 (negative: all bits flipped; positive: sign
    /// set); −0 and +0 map to one key, as they compare equal.
    @inline(__always)
    public static func key(_ x: Float) -> UInt32 {
        let b = (x == 0 ? Float(0) : x).bitPattern
        return b & (1 << 31) != 0 ? ~b : b | (1 << 31)
    }

    /// Ranks `values[positions[i]]` (i = 0 ..< n) and writes out[i] = Φ⁻¹ and out15[i] = p15(Φ⁻¹).
    public func gaussianize(_ values: UnsafeBufferPointer<Float>, positions: [Int32], table: GaussTable,
                            into out: UnsafeMutableBufferPointer<Double>, power15 out15: UnsafeMutableBufferPointer<Double>) {
        let n = positions.count
        precondition(table.n == n && out.count == n && out15.count == n)
        if n == 0 { return }
        if n > capacity {
            keys.deallocate(); keys2.deallocate(); order.deallocate(); order2.deallocate()
            keys = .allocate(capacity: n); keys2 = .allocate(capacity: n)
            order = .allocate(capacity: n); order2 = .allocate(capacity: n)
            capacity = n
        }
        counts.initialize(repeating: 0, count: 4 * 256)
        positions.withUnsafeBufferPointer { pos in
            for i in 0..<n {
                let k = RadixRanker.key(values[Int(pos[i])])
                keys[i] = k
                order[i] = Int32(i)
                counts[Int(k & 255)] += 1
                counts[256 + Int((k >> 8) & 255)] += 1
                counts[512 + Int((k >> 16) & 255)] += 1
                counts[768 + Int(k >> 24)] += 1
            }
        }
        var srcK = keys, srcO = order, dstK = keys2, dstO = order2
        for d in 0..<4 {
            let c = counts + 256 * d
            let shift = UInt32(8 * d)
            if c[Int((srcK[0] >> shift) & 255)] == n { continue }  // one bucket: the pass changes nothing
            var offset = 0
            for b in 0..<256 { let k = c[b]; c[b] = offset; offset += k }
            for i in 0..<n {
                let k = srcK[i]
                let b = Int((k >> shift) & 255)
                let at = c[b]
                dstK[at] = k; dstO[at] = srcO[i]
                c[b] = at + 1
            }
            swap(&srcK, &dstK); swap(&srcO, &dstO)
        }
        table.g.withUnsafeBufferPointer { g in
            table.g15.withUnsafeBufferPointer { g15 in
                var i = 0
                while i < n {
                    let k = srcK[i]
                    var j = i + 1
                    while j < n && srcK[j] == k { j += 1 }
                    // Ranks i+1 … j share their average; the table is indexed by twice the rank.
                    let v = g[i + 1 + j], v15 = g15[i + 1 + j]
                    for m in i..<j { out[Int(srcO[m])] = v; out15[Int(srcO[m])] = v15 }
                    i = j
                }
            }
        }
    }
}
