import XCTest
@testable import Boosting
import EraData
import Support

/// The bin-construction and histogram kernels against plain loops.
final class KernelTests: XCTestCase {
    private func randomColumn(_ n: Int, maxBin: Int, seed: UInt64) -> [UInt8] {
        var g = SplitMix64(seed: seed)
        return (0..<n).map { _ in UInt8(Int(g.next() % UInt64(maxBin + 1))) }
    }

    func testSampleCountsMatchAPlainCount() {
        // 0..4 (the vector path), 0..15 and 0..255 (bins above 4 counted apart); longer than one
        // 16-bit block; contiguous and indexed rows.
        for (maxBin, n) in [(4, 150_000), (15, 70_001), (255, 5_000), (0, 10)] {
            let column = randomColumn(n, maxBin: maxBin, seed: UInt64(maxBin + 1))
            var g = SplitMix64(seed: 99)
            let rows = (0..<n).filter { _ in g.next() % 3 != 0 }.map { Int32($0) }
            var expectAll = [Int](repeating: 0, count: 256), expectRows = [Int](repeating: 0, count: 256)
            for b in column { expectAll[Int(b)] += 1 }
            for r in rows { expectRows[Int(column[Int(r)])] += 1 }
            column.withUnsafeBufferPointer { c in
                XCTAssertEqual(ModelBinning.sampleCounts(c.baseAddress!, count: n), expectAll, "contiguous, bins ≤ \(maxBin)")
                rows.withUnsafeBufferPointer { r in
                    XCTAssertEqual(ModelBinning.sampleCounts(c.baseAddress!, rows: r), expectRows, "indexed, bins ≤ \(maxBin)")
                }
            }
        }
    }

    func testFourFeatureHistogramPassEqualsOneFeatureAtATime() {
        let n = 5_000
        let columns = (0..<4).map { randomColumn(n, maxBin: 4, seed: UInt64(10 + $0)) }
        var g = SplitMix64(seed: 7)
        let rows = (0..<n).filter { _ in g.next() % 2 == 0 }.map { Int32($0) }
        let packed = rows.map { _ in Int64(1 << 40) &+ Int64(g.next() % 2_000_000) &- 1_000_000 }
        let total = packed.reduce(0, &+)
        var single = [Int64](repeating: 0, count: 20), quad = [Int64](repeating: 0, count: 20)
        columns.withUnsafeBufferPointers { c in
            rows.withUnsafeBufferPointer { r in packed.withUnsafeBufferPointer { p in
                single.withUnsafeMutableBufferPointer { h in
                    for k in 0..<4 {
                        HistogramKernel.accumulate5(column: c[k], rows: r.baseAddress!, packed: p.baseAddress!,
                                                    count: r.count, total: total, into: h.baseAddress! + 5 * k)
                    }
                }
                quad.withUnsafeMutableBufferPointer { h in
                    let o = h.baseAddress!
                    HistogramKernel.accumulate5Quad(columns: (c[0], c[1], c[2], c[3]), rows: r.baseAddress!,
                                                    packed: p.baseAddress!, count: r.count, total: total,
                                                    into: (o, o + 5, o + 10, o + 15))
                }
            } }
        }
        XCTAssertEqual(quad, single)
        // And both equal a scatter of the packed values by bin.
        var scatter = [Int64](repeating: 0, count: 20)
        for (i, r) in rows.enumerated() { for k in 0..<4 { scatter[5 * k + Int(columns[k][Int(r)])] &+= packed[i] } }
        XCTAssertEqual(single, scatter)
    }
}

private extension Array where Element == [UInt8] {
    /// Base addresses of every inner array, valid inside `body`.
    func withUnsafeBufferPointers<R>(_ body: ([UnsafePointer<UInt8>]) -> R) -> R {
        func go(_ i: Int, _ acc: [UnsafePointer<UInt8>]) -> R {
            if i == count { return body(acc) }
            return self[i].withUnsafeBufferPointer { go(i + 1, acc + [$0.baseAddress!]) }
        }
        return go(0, [])
    }
}
