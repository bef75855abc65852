import XCTest
@testable import Boosting
import CBoostingKernels
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

    func testFiveBinKernelSumsExactlyOnEveryPath() {
        // Row counts around the 32-row step and the block; |q| at the block's limit (sums reach
        // ±2^31 − block within a block: an overflow would show); AVX2 (when this CPU has it) and
        // the scalar loop against a plain 64-bit scatter.
        for (n, block) in [(0, 64), (31, 64), (33, 64), (1_000, 64), (70_001, 4096), (9_000, 1024)] {
            let bins = randomColumn(n, maxBin: 4, seed: UInt64(n + 7))
            var g = SplitMix64(seed: UInt64(n))
            let limit = Int64(Int32.max) / Int64(block)
            let q = (0..<n).map { i in Int32(i % 3 == 0 ? (i % 2 == 0 ? limit : -limit) : Int64(g.next() % UInt64(2 * limit)) - limit) }
            var counts = [Int64](repeating: 0, count: 4), sums = [Int64](repeating: 0, count: 4)
            for i in 0..<n where bins[i] > 0 { counts[Int(bins[i]) - 1] += 1; sums[Int(bins[i]) - 1] += Int64(q[i]) }
            for portable in [false, true] {
                var c = [Int64](repeating: 0, count: 4), s = [Int64](repeating: 0, count: 4)
                if portable { wb_hist5_q32_portable(bins, q, Int64(n), Int64(block), &c, &s) }
                else { wb_hist5_q32(bins, q, Int64(n), Int64(block), &c, &s) }
                XCTAssertEqual(c, counts, "n \(n), portable \(portable)")
                XCTAssertEqual(s, sums, "n \(n), portable \(portable)")
            }
        }
    }

    func testManyColumnFiveBinKernelSumsExactlyOnEveryPath() {
        // Several columns over one run of rows: row counts around the 64-row step, |q| below 2^23
        // (three byte planes) and at the 32-bit block limit (four planes, sums near ±2^31 per
        // block); the AVX-512 VNNI path (when this CPU has it), AVX2 and the scalar loop against a
        // plain 64-bit sum per column and bin.
        let cases: [(Int, Int, Int64)] = [(0, 64, 1_000), (1, 64, 1 << 22), (63, 64, 1 << 22), (64, 64, (1 << 23) - 1),
                                  (65, 4096, 1 << 20), (1_000, 64, Int64(Int32.max) / 64), (70_001, 1024, Int64(Int32.max) / 1024)]
        for (n, block, limit) in cases {
            let columns = (0..<5).map { randomColumn(n, maxBin: 4, seed: UInt64(n + 31 * $0 + 3)) }
            var g = SplitMix64(seed: UInt64(n + 5))
            let q = (0..<n).map { i in
                Int32(i % 5 == 0 ? (i % 2 == 0 ? limit : -limit) : Int64(g.next() % UInt64(2 * limit)) - limit)
            }
            var expected = [Int64](repeating: 0, count: 8 * columns.count)
            for (c, column) in columns.enumerated() {
                for i in 0..<n where column[i] > 0 {
                    expected[8 * c + Int(column[i]) - 1] += 1
                    expected[8 * c + 4 + Int(column[i]) - 1] += Int64(q[i])
                }
            }
            for path in [2, 1, 0] {
                var out = [Int64](repeating: 0, count: 8 * columns.count)
                var scratch = [UInt8](repeating: 0xCD, count: 4 * n + 64)
                columns.withUnsafeBufferPointers { c in
                    let pointers: [UnsafePointer<UInt8>?] = c
                    wb_hist5_q32_columns_path(pointers, Int64(c.count), q, Int64(n), Int64(block), &out, &scratch, Int32(path))
                }
                XCTAssertEqual(out, expected, "n \(n), limit \(limit), path \(path)")
            }
        }
    }

    func testOrderPartitionIsAStableFilterOnBothPaths() {
        // Counts around the 16-row step (tails 0…15) and the masks' 32-row step, thresholds that
        // send none, some and all rows left.
        for (n, threshold) in [(0, 2), (1, 2), (15, 0), (16, 4), (17, 1), (33, 1), (64, 2), (1_003, 3), (50_001, 2), (999, 255)] {
            let split = randomColumn(n, maxBin: 4, seed: UInt64(n + 11))
            var g = SplitMix64(seed: UInt64(n + 13))
            let order = (0..<n).map { _ in Int32(truncatingIfNeeded: g.next()) }
            let goes = split.map { $0 <= UInt8(threshold) }
            let expected = order.indices.filter { goes[$0] }.map { order[$0] } + order.indices.filter { !goes[$0] }.map { order[$0] }
            var masks = [UInt64](repeating: 0, count: n / 8 + 1), counts = [UInt8](repeating: 0, count: n / 8 + 1)
            let left = wb_split_masks(split, Int64(n), UInt8(threshold), &masks, &counts)
            // The dispatched masks (AVX2 when this CPU has it) are the scalar loop's.
            var portableMasks = [UInt64](repeating: 0, count: n / 8 + 1), portableCounts = [UInt8](repeating: 0, count: n / 8 + 1)
            XCTAssertEqual(wb_split_masks_portable(split, Int64(n), UInt8(threshold), &portableMasks, &portableCounts), left)
            XCTAssertEqual(masks, portableMasks, "n \(n), threshold \(threshold)")
            XCTAssertEqual(counts, portableCounts, "n \(n), threshold \(threshold)")
            for portable in [false, true] {
                var o = order, scratch = [Int32](repeating: -1, count: Swift.max(n, 1))
                let l = portable ? wb_partition_order_portable(&o, Int64(n), masks, &scratch)
                    : wb_partition_order(&o, Int64(n), masks, &scratch)
                XCTAssertEqual(l, left, "n \(n), portable \(portable)")
                XCTAssertEqual(o, expected, "n \(n), threshold \(threshold), portable \(portable)")
            }
        }
    }

    func testColumnPartitionIsAStableFilterOnBothPaths() {
        // Counts around the 8-row word (tails 0…7), thresholds that send none, some and all rows
        // left; the dispatched path (AVX-512 compress or PEXT, when this CPU has them), the PEXT
        // path and the portable loop against a plain filter.
        for (n, threshold) in [(0, 2), (1, 2), (7, 0), (8, 4), (13, 1), (64, 2), (1_003, 3), (50_001, 2), (999, 255)] {
            let split = randomColumn(n, maxBin: 4, seed: UInt64(n + 1))
            let others = (0..<3).map { randomColumn(n, maxBin: 255, seed: UInt64(100 + n + $0)) }
            let goes = split.map { $0 <= UInt8(threshold) }
            func expected(_ c: [UInt8]) -> [UInt8] {
                c.indices.filter { goes[$0] }.map { c[$0] } + c.indices.filter { !goes[$0] }.map { c[$0] }
            }
            var masks = [UInt64](repeating: 0, count: n / 8 + 1), counts = [UInt8](repeating: 0, count: n / 8 + 1)
            let left = wb_split_masks(split, Int64(n), UInt8(threshold), &masks, &counts)
            XCTAssertEqual(Int(left), goes.filter { $0 }.count, "n \(n)")
            for path in ["dispatched", "pext", "portable"] {
                var columns = [split] + others
                var scratch = [UInt8](repeating: 0xAB, count: n + 64)
                let pointers = UnsafeMutablePointer<UnsafeMutablePointer<UInt8>?>.allocate(capacity: 4)
                defer { pointers.deallocate() }
                let buffers = columns.map { c -> UnsafeMutablePointer<UInt8> in
                    let b = UnsafeMutablePointer<UInt8>.allocate(capacity: Swift.max(n, 1))
                    b.initialize(from: c, count: n)
                    return b
                }
                for (k, b) in buffers.enumerated() { pointers[k] = b }
                switch path {
                case "portable": wb_partition_columns_portable(pointers, 4, Int64(n), masks, counts, &scratch)
                case "pext": wb_partition_columns_pext(pointers, 4, Int64(n), masks, counts, &scratch)
                default: wb_partition_columns(pointers, 4, Int64(n), masks, counts, &scratch)
                }
                for k in 0..<4 {
                    columns[k] = Array(UnsafeBufferPointer(start: buffers[k], count: n))
                    buffers[k].deallocate()
                }
                XCTAssertEqual(columns, ([split] + others).map(expected), "n \(n), threshold \(threshold), path \(path)")
            }
        }
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
