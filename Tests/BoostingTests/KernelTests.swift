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
                // The same rows as a mask over their span (shuffled: a sample's order does not matter).
                var shuffled = rows, s = SplitMix64(seed: 5)
                for i in shuffled.indices.reversed() where i > 0 { shuffled.swapAt(i, Int(s.next() % UInt64(i + 1))) }
                if let selection = SampleSelection(rows: shuffled) {
                    XCTAssertEqual(ModelBinning.sampleCounts(c.baseAddress! + selection.first, selection: selection),
                                   expectRows, "masked, bins ≤ \(maxBin)")
                } else {
                    XCTFail("rows 2 of 3 in their span make a selection (bins ≤ \(maxBin))")
                }
            }
        }
    }

    func testSampleSelectionRefusesRepeatedAndSparseRows() {
        XCTAssertNil(SampleSelection(rows: [3, 4, 3]), "a repeated row")
        XCTAssertNil(SampleSelection(rows: [0, 1_000]), "span 1,001 for 2 rows")
        XCTAssertNil(SampleSelection(rows: []))
        let selection = SampleSelection(rows: [9, 5, 7])
        XCTAssertEqual(selection?.first, 5)
        XCTAssertEqual(selection?.mask, [0xFF, 0, 0xFF, 0, 0xFF])
        XCTAssertEqual(selection?.count, 3)
    }

    func testPackedHistogramKernelsEqualAScatter() {
        // The 64-bit packed kernels (used when a tree's gradients are too large for the 32-bit
        // ones): the 5-bin compare-and-add (bin 0 from the total) and the general scatter, over a
        // run of rows starting inside a column, against a plain scatter of the packed values.
        let n = 5_003, offset = 17
        let five = randomColumn(n + offset, maxBin: 4, seed: 10), wide = randomColumn(n + offset, maxBin: 255, seed: 11)
        var g = SplitMix64(seed: 7)
        let packed = (0..<n).map { _ in Int64(1 << 40) &+ Int64(g.next() % 2_000_000) &- 1_000_000 }
        let total = packed.reduce(0, &+)
        var scatterFive = [Int64](repeating: 0, count: 5), scatterWide = [Int64](repeating: 0, count: 256)
        for i in 0..<n {
            scatterFive[Int(five[offset + i])] &+= packed[i]
            scatterWide[Int(wide[offset + i])] &+= packed[i]
        }
        var hFive = [Int64](repeating: 0, count: 5), hWide = [Int64](repeating: 0, count: 256)
        five.withUnsafeBufferPointer { c in packed.withUnsafeBufferPointer { p in
            HistogramKernel.accumulate5Contiguous(column: c.baseAddress! + offset, packed: p.baseAddress!, count: n,
                                                  total: total, into: &hFive)
        } }
        wide.withUnsafeBufferPointer { c in packed.withUnsafeBufferPointer { p in
            HistogramKernel.accumulateGeneralContiguous(column: c.baseAddress! + offset, packed: p.baseAddress!, count: n,
                                                        into: &hWide)
        } }
        XCTAssertEqual(hFive, scatterFive)
        XCTAssertEqual(hWide, scatterWide)
        // The 0–4 column packed with another (the trainer's pairs): the same histogram from its
        // low nibble and from its high one.
        let other = randomColumn(n + offset, maxBin: 4, seed: 12)
        for high in [false, true] {
            let bytes = zip(five, other).map { high ? $1 | $0 << 4 : $0 | $1 << 4 }
            var h = [Int64](repeating: 0, count: 5)
            bytes.withUnsafeBufferPointer { c in packed.withUnsafeBufferPointer { p in
                HistogramKernel.accumulate5Contiguous(column: c.baseAddress! + offset, high: high, packed: p.baseAddress!,
                                                      count: n, total: total, into: &h)
            } }
            XCTAssertEqual(h, scatterFive, "high \(high)")
        }
    }

    func testFiveBinKernelSumsExactlyOnEveryPath() {
        // Row counts around the 32-row step and the block; |q| at the block's limit (sums reach
        // ±2^31 − block within a block: an overflow would show); AVX2 (when this CPU has it) and
        // the scalar loop against a plain 64-bit scatter.
        // The portable scatter reads its packed sums out every 128 blocks: 20_000 rows of block 64
        // cross that several times, and the all-equal cases put every row of a 128-block span at
        // +limit or −limit in one bin (|Σq| at its bound, ~2^38).
        for (n, block, extreme) in [(0, 64, 0), (31, 64, 0), (33, 64, 0), (1_000, 64, 0), (70_001, 4096, 0), (9_000, 1024, 0),
                                    (20_000, 64, 0), (3 * 128 * 64 + 5, 64, 1), (3 * 128 * 64 + 5, 64, -1)] {
            let bins = extreme == 0 ? randomColumn(n, maxBin: 4, seed: UInt64(n + 7)) : [UInt8](repeating: 3, count: n)
            var g = SplitMix64(seed: UInt64(n))
            let limit = Int64(Int32.max) / Int64(block)
            let q = (0..<n).map { i in
                extreme != 0 ? Int32(Int64(extreme) * limit)
                    : Int32(i % 3 == 0 ? (i % 2 == 0 ? limit : -limit) : Int64(g.next() % UInt64(2 * limit)) - limit)
            }
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
        // plain 64-bit sum per column and bin, over all rows and over the rows a mask selects.
        // 2,100,000 rows pass the point (2^15 steps of 64 rows) where the vector paths reduce their
        // 32-bit accumulators and start again.
        let cases: [(Int, Int, Int64)] = [(0, 64, 1_000), (1, 64, 1 << 22), (63, 64, 1 << 22), (64, 64, (1 << 23) - 1),
                                  (65, 4096, 1 << 20), (1_000, 64, Int64(Int32.max) / 64), (70_001, 1024, Int64(Int32.max) / 1024),
                                  (20_000, 64, Int64(Int32.max) / 64), (2_100_000, 64, (1 << 23) - 1)]
        for (n, block, limit) in cases {
            // 5 columns: one pass of four and a short one (the portable path takes four at a time).
            // From 20,000 rows the last is one bin throughout: every byte lane of the VNNI path's
            // counts gains 1 per 64-row step, past a byte's 255 unless they are widened in time.
            let columns = (0..<5).map { c in
                c == 4 && n >= 20_000 ? [UInt8](repeating: 4, count: n)
                    : randomColumn(n, maxBin: 4, seed: UInt64(n + 31 * c + 3))
            }
            var g = SplitMix64(seed: UInt64(n + 5))
            let q = (0..<n).map { i in
                Int32(i % 5 == 0 ? (i % 2 == 0 ? limit : -limit) : Int64(g.next() % UInt64(2 * limit)) - limit)
            }
            // All rows, then a split's masks (0xFF: left) selecting the left rows (flip 0) and the
            // right rows (flip 0xFF), as a deferred split's children read their parent's rows.
            // Also a flip other than 0 and 0xFF (0x5A, masks 0xA5 / 0x5A: neither `mask` nor `~mask`
            // keeps bins 1…4 whole), which the AVX2 path takes apart from the trainer's two.
            let maskBytes = (0..<n).map { _ in g.next() % 3 == 0 ? UInt8(0xFF) : 0 }
            let otherMasks = maskBytes.map { $0 == 0xFF ? UInt8(0xA5) : 0x5A }
            for (selected, flip) in [(false, UInt8(0)), (true, 0), (true, 0xFF), (true, 0x5A)] {
                let masks = flip == 0x5A ? otherMasks : maskBytes
                let keep = (0..<n).map { !selected || masks[$0] ^ flip == 0xFF }
                var expected = [Int64](repeating: 0, count: 8 * columns.count)
                for (c, column) in columns.enumerated() {
                    for i in 0..<n where column[i] > 0 && keep[i] {
                        expected[8 * c + Int(column[i]) - 1] += 1
                        expected[8 * c + 4 + Int(column[i]) - 1] += Int64(q[i])
                    }
                }
                // Both prefetch hints on the paths that prefetch (the portable one does not); the
                // columns as bytes, and packed as the trainer packs them: columns 0 and 1 in one
                // byte (low, high), 2 and 3 in another, read as a pair or its high nibble alone
                // (column 2 then read from its own bytes), column 4 a byte of its own.
                let nta = Int32(WB_PREFETCH_NTA), t0 = Int32(WB_PREFETCH_T0)
                let packed01 = zip(columns[0], columns[1]).map { $0 | $1 << 4 }
                let packed23 = zip(columns[2], columns[3]).map { $0 | $1 << 4 }
                let low = UInt8(WB_FIELD_LOW), high = UInt8(WB_FIELD_HIGH), byte = UInt8(WB_FIELD_BYTE)
                let layouts: [(String, [[UInt8]], [UInt8]?)] = [
                    ("bytes", columns, nil),
                    ("pairs", [packed01, packed01, packed23, packed23, columns[4]], [low, high, low, high, byte]),
                    ("lone high", [packed01, packed01, columns[2], packed23, columns[4]], [low, high, byte, high, byte]),
                ]
                for (path, prefetch) in [(2, nta), (2, t0), (1, nta), (1, t0), (0, nta)] {
                    for (layout, data, fields) in layouts {
                        var out = [Int64](repeating: 0, count: 8 * columns.count)
                        var scratch = [UInt8](repeating: 0xCD, count: 4 * n + 64)
                        data.withUnsafeBufferPointers { c in
                            // A pair's two entries are the same pointer, as the trainer passes them.
                            var pointers: [UnsafePointer<UInt8>?] = c
                            if layout != "bytes" { pointers[1] = pointers[0] }
                            if layout == "pairs" { pointers[3] = pointers[2] }
                            masks.withUnsafeBufferPointer { m in
                                wb_hist5_q32_columns_path(pointers, fields, Int64(c.count), q, Int64(n), Int64(block), &out,
                                                          &scratch, selected ? m.baseAddress : nil, flip, Int32(path),
                                                          prefetch)
                            }
                        }
                        XCTAssertEqual(out, expected, "n \(n), limit \(limit), selected \(selected), flip \(flip), "
                                       + "path \(path), prefetch \(prefetch), \(layout)")
                    }
                }
            }
        }
    }

    func testOrderPartitionIsAStableFilterOnEveryPath() {
        // Counts around the 16-row step (tails 0…15), the 8-row step of the AVX2 and portable
        // paths and the masks' 32-row step, thresholds that send none, some and all rows left;
        // the dispatched path (AVX-512 where this CPU has it), AVX2 and the portable loop.
        for (n, threshold) in [(0, 2), (1, 2), (15, 0), (16, 4), (17, 1), (33, 1), (64, 2), (1_003, 3), (50_001, 2), (999, 255)] {
            let split = randomColumn(n, maxBin: 4, seed: UInt64(n + 11))
            var g = SplitMix64(seed: UInt64(n + 13))
            let order = (0..<n).map { _ in Int32(truncatingIfNeeded: g.next()) }
            let goes = split.map { $0 <= UInt8(threshold) }
            let expected = order.indices.filter { goes[$0] }.map { order[$0] } + order.indices.filter { !goes[$0] }.map { order[$0] }
            var masks = [UInt64](repeating: 0, count: n / 8 + 1), counts = [UInt8](repeating: 0, count: n / 8 + 1)
            let left = wb_split_masks(split, Int64(n), UInt8(threshold), Int32(WB_FIELD_BYTE), &masks, &counts)
            XCTAssertEqual(Int(left), goes.filter { $0 }.count, "n \(n)")
            // The dispatched masks (AVX2 when this CPU has it) are the scalar loop's, and the split
            // column packed with another 0–4 column (by `wb_pack_nibbles`, checked against a plain
            // pack, gathered through a row list too) gives the same masks from either nibble.
            var portableMasks = [UInt64](repeating: 0, count: n / 8 + 1), portableCounts = [UInt8](repeating: 0, count: n / 8 + 1)
            XCTAssertEqual(wb_split_masks_portable(split, Int64(n), UInt8(threshold), Int32(WB_FIELD_BYTE),
                                                   &portableMasks, &portableCounts), left)
            XCTAssertEqual(masks, portableMasks, "n \(n), threshold \(threshold)")
            XCTAssertEqual(counts, portableCounts, "n \(n), threshold \(threshold)")
            let other = randomColumn(n, maxBin: 4, seed: UInt64(n + 17))
            let reversed = (0..<n).map { Int32(n - 1 - $0) }
            for (field, lowColumn, highColumn) in [(WB_FIELD_LOW, split, other), (WB_FIELD_HIGH, other, split)] {
                var packed = [UInt8](repeating: 0, count: n), gathered = [UInt8](repeating: 0, count: n)
                wb_pack_nibbles(lowColumn, highColumn, nil, Int64(n), &packed)
                XCTAssertEqual(packed, zip(lowColumn, highColumn).map { $0 | $1 << 4 }, "n \(n)")
                wb_pack_nibbles(lowColumn, highColumn, reversed, Int64(n), &gathered)
                XCTAssertEqual(gathered, packed.reversed(), "n \(n)")
                for portable in [false, true] {
                    var m = [UInt64](repeating: 0, count: n / 8 + 1), k = [UInt8](repeating: 0, count: n / 8 + 1)
                    let l = portable ? wb_split_masks_portable(packed, Int64(n), UInt8(threshold), Int32(field), &m, &k)
                                     : wb_split_masks(packed, Int64(n), UInt8(threshold), Int32(field), &m, &k)
                    XCTAssertEqual(l, left, "n \(n), field \(field), portable \(portable)")
                    XCTAssertEqual(m, masks, "n \(n), threshold \(threshold), field \(field), portable \(portable)")
                    XCTAssertEqual(k, counts, "n \(n), threshold \(threshold), field \(field), portable \(portable)")
                }
            }
            for path in ["dispatched", "avx2", "portable"] {
                var o = order, scratch = [Int32](repeating: -1, count: Swift.max(n, 1))
                let l = switch path {
                case "portable": wb_partition_order_portable(&o, Int64(n), masks, &scratch)
                case "avx2": wb_partition_order_avx2(&o, Int64(n), masks, &scratch)
                default: wb_partition_order(&o, Int64(n), masks, &scratch)
                }
                XCTAssertEqual(l, left, "n \(n), path \(path)")
                XCTAssertEqual(o, expected, "n \(n), threshold \(threshold), path \(path)")
            }
        }
    }

    func testColumnPartitionIsAStableFilterOnEveryPath() {
        // Counts around the 8-row word and the 64-row block (tails 0…63), thresholds that send
        // none, some and all rows left, a split whose left rows all come first (one side ends
        // long before the other: its stores near the end must not spill into the other side), one
        // with a left row only every 97 rows (nearly every group's left store is near that side's
        // end) and one with no left row at all;
        // the dispatched path (AVX-512 compress, AVX2 shuffles or PEXT, when this CPU has them), the
        // AVX2 path, the PEXT path and the portable loop against a plain filter, out of place in the
        // trainer's chain of regions, with guard bytes on both sides of every region.
        let cases = [(0, 2), (1, 2), (7, 0), (8, 4), (13, 1), (64, 2), (65, 1), (127, 3), (1_003, 3), (50_001, 2), (999, 255)]
        for ((n, threshold), kind) in cases.flatMap({ c in ["random", "blocky", "sparse", "none"].map { (c, $0) } }) {
            var split = randomColumn(n, maxBin: 4, seed: UInt64(n + 1))
            switch kind {
            case "blocky": split = split.indices.map { $0 < n / 3 ? 0 : 4 }
            case "sparse": split = split.indices.map { $0 % 97 == 5 ? 0 : 4 }
            case "none": split = [UInt8](repeating: 4, count: n)  // bin 4 > every threshold below 4
            default: break
            }
            if kind == "none" && threshold >= 4 { continue }
            // Six columns: the portable path moves four at a time, then the rest one by one.
            let others = (0..<5).map { randomColumn(n, maxBin: 255, seed: UInt64(100 + n + $0)) }
            let goes = split.map { $0 <= UInt8(threshold) }
            func expected(_ c: [UInt8]) -> [UInt8] {
                c.indices.filter { goes[$0] }.map { c[$0] } + c.indices.filter { !goes[$0] }.map { c[$0] }
            }
            var masks = [UInt64](repeating: 0, count: n / 8 + 1), counts = [UInt8](repeating: 0, count: n / 8 + 1)
            let left = wb_split_masks(split, Int64(n), UInt8(threshold), Int32(WB_FIELD_BYTE), &masks, &counts)
            XCTAssertEqual(Int(left), goes.filter { $0 }.count, "n \(n)")
            let sources = [split] + others
            // Both prefetch hints on the paths that prefetch (PEXT and portable do not).
            let nta = Int32(WB_PREFETCH_NTA), t0 = Int32(WB_PREFETCH_T0)
            for (path, prefetch) in [("dispatched", nta), ("dispatched", t0), ("avx2", nta), ("avx2", t0),
                                     ("pext", nta), ("portable", nta)] {
                // The trainer's layout: column c's source region becomes column c + 1's destination,
                // column 0 goes into a spare region (one more buffer than columns).
                let guardBytes = 80
                let buffers = (0...sources.count).map { _ -> UnsafeMutablePointer<UInt8> in
                    let b = UnsafeMutablePointer<UInt8>.allocate(capacity: n + 2 * guardBytes)
                    b.initialize(repeating: 0xEE, count: n + 2 * guardBytes)
                    return b
                }
                defer { buffers.forEach { $0.deallocate() } }
                for (c, column) in sources.enumerated() { (buffers[c + 1] + guardBytes).update(from: column, count: n) }
                let from: [UnsafePointer<UInt8>?] = (1...sources.count).map { UnsafePointer(buffers[$0] + guardBytes) }
                let targets: [UnsafeMutablePointer<UInt8>?] = (0..<sources.count).map { buffers[$0] + guardBytes }
                // The plan in a buffer of exactly the documented 4 · n bytes, 4-byte aligned but
                // not 16 (the AVX2 plan aligns itself inside it), dirty from an earlier split.
                let code: Int32 = ["portable": 0, "pext": 1, "avx2": 2][path] ?? 3
                let planBuffer = UnsafeMutableRawPointer.allocate(byteCount: 4 * n + 8, alignment: 16)
                defer { planBuffer.deallocate() }
                planBuffer.initializeMemory(as: UInt8.self, repeating: 0xA5, count: 4 * n + 8)
                wb_partition_plan(code, Int64(n), left, masks, counts, planBuffer + 4)
                wb_partition_columns(code, from, targets, 6, Int64(n), left, masks, counts, planBuffer + 4, prefetch)
                XCTAssertEqual(Array(UnsafeBufferPointer(start: (planBuffer + 4 * n + 4).assumingMemoryBound(to: UInt8.self), count: 4)),
                               [0xA5, 0xA5, 0xA5, 0xA5], "the plan stays within 4 · n bytes, n \(n), path \(path)")
                let label = "n \(n), threshold \(threshold), split \(kind), path \(path), prefetch \(prefetch)"
                XCTAssertEqual(targets.map { Array(UnsafeBufferPointer(start: $0!, count: n)) }, sources.map(expected), label)
                for b in buffers {
                    XCTAssertEqual(Array(UnsafeBufferPointer(start: b, count: guardBytes)), [UInt8](repeating: 0xEE, count: guardBytes), label)
                    XCTAssertEqual(Array(UnsafeBufferPointer(start: b + guardBytes + n, count: guardBytes)),
                                   [UInt8](repeating: 0xEE, count: guardBytes), label)
                }
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
