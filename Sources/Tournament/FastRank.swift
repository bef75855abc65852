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
