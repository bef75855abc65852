import EraData

/// How LightGBM would bin one feature, expressed over the dataset's bins.
///
/// LightGBM's `BinMapper::FindBin` (src/io/bin.cpp) turns a feature's sampled values into at most
/// `max_bin` bins: zero always gets its own bin, the positive and negative values are grouped
/// greedily (`GreedyFindBin`) into bins of similar counts, a boundary needs ≥ 3 rows below it
/// (`min_data_in_bin`), and each upper bound is `nextafter((a + b) / 2, +∞)` between neighbouring
/// distinct values. Our features are already small integer bins, so a LightGBM bin is a run of
/// consecutive dataset bins: histograms stay in dataset bins and the split finder only considers
/// thresholds at the end of a run. With ≥ 5 bins for 0..4 data every dataset bin is its own bin.
struct FeatureBinning: Sendable {
    /// LightGBM bin of each dataset bin.
    var binOfDatasetBin: [UInt8]
    /// Number of LightGBM bins.
    var binCount: Int
    /// Last dataset bin of each LightGBM bin (the dataset-bin threshold of a split after it).
    var lastDatasetBin: [UInt8]
    /// Raw upper bound of each LightGBM bin: the threshold LightGBM writes (last one is +∞).
    var upperBound: [Double]
    /// LightGBM drops features that have one bin or cannot be split with `min_data_in_leaf` rows.
    var isTrivial: Bool
    /// LightGBM's `most_freq_bin`: the bin with most sampled rows if it holds ≥ 70 % of them
    /// (`kSparseThreshold`), else the bin of 0 (`default_bin`). LightGBM never accumulates this
    /// bin: its histogram entry is the leaf's sum minus the other bins (`FixHistogram`).
    var mostFreqBin: Int = 0

    /// LightGBM's `kZeroThreshold` (1e-35f read as a double).
    static let zeroThreshold = Double(Float(1e-35))
    static let minDataInBin = 3

    /// - Parameters:
    ///   - counts: sampled rows per dataset bin.
    ///   - values: the raw value each dataset bin stands for (the bin index for integer features).
    ///   - totalSampleCount: rows sampled (zeros included).
    ///   - filterCount: LightGBM's pre-filter count, ⌊min_data_in_leaf · sample / rows⌋.
    init(counts: [Int], values: [Double], maxBin: Int, totalSampleCount: Int, filterCount: Int) {
        precondition(counts.count == values.count && !counts.isEmpty)
        // Distinct values present in the sample, ascending (zero only if sampled, as in FindBin).
        var distinct: [Double] = [], distinctCounts: [Int] = [], datasetBinOfDistinct: [Int] = []
        for b in 0..<counts.count where counts[b] > 0 {
            distinct.append(values[b]); distinctCounts.append(counts[b]); datasetBinOfDistinct.append(b)
        }
        if distinct.isEmpty { distinct = [0]; distinctCounts = [0]; datasetBinOfDistinct = [0] }

        let bounds = Self.findBinWithZeroAsOneBin(distinct, distinctCounts, maxBin: maxBin,
                                                  totalSampleCount: totalSampleCount)
        upperBound = bounds
        binCount = bounds.count

        // Dataset bin → LightGBM bin: the first bin whose upper bound holds the value.
        binOfDatasetBin = values.map { v in
            UInt8(bounds.firstIndex(where: { v <= $0 }) ?? (bounds.count - 1))
        }
        // A LightGBM bin holding no dataset bin (the zero bin of edge-binned float features, whose
        // upper edges are rarely within ±1e-35) splits the rows exactly as the bin below it: its
        // last dataset bin is that bin's. LightGBM's reverse scan keeps the higher of two equal-gain
        // thresholds, so it may choose the empty bin; the partition must then agree.
        var last = [Int](repeating: -1, count: bounds.count)
        for b in 0..<values.count { last[Int(binOfDatasetBin[b])] = b }
        for k in 1..<max(bounds.count, 1) where last[k] < 0 { last[k] = last[k - 1] }
        lastDatasetBin = last.map { UInt8(max($0, 0)) }

        var countInBin = [Int](repeating: 0, count: binCount)
        for b in 0..<counts.count { countInBin[Int(binOfDatasetBin[b])] += counts[b] }
        isTrivial = binCount <= 1 || Self.needFilter(countInBin, total: totalSampleCount, filter: filterCount)
        if !isTrivial {
            let defaultBin = bounds.firstIndex(where: { 0 <= $0 }) ?? (bounds.count - 1)
            var top = 0
            for k in countInBin.indices where countInBin[k] > countInBin[top] { top = k }
            let rate = Double(countInBin[top]) / Double(max(totalSampleCount, 1))
            mostFreqBin = top != defaultBin && rate < 0.7 ? defaultBin : top
        }
    }

    /// LightGBM's `NeedFilter` for numerical features: no cut leaves `filter` rows on both sides.
    static func needFilter(_ countInBin: [Int], total: Int, filter: Int) -> Bool {
        var left = 0
        for i in 0..<(countInBin.count - 1) {
            left += countInBin[i]
            if left >= filter && total - left >= filter { return false }
        }
        return true
    }

    @inline(__always) static func upper(_ x: Double) -> Double { x.nextUp }
    @inline(__always) static func equalOrdered(_ a: Double, _ b: Double) -> Bool { b <= a.nextUp }

    /// `GreedyFindBin`: upper bounds (last +∞) grouping `values` into ≤ `maxBin` bins.
    static func greedyFindBin(_ values: ArraySlice<Double>, _ counts: ArraySlice<Int>, maxBin maxBinIn: Int,
                              totalCount: Int) -> [Double] {
        let values = Array(values), counts = Array(counts), n = values.count
        var bounds: [Double] = []
        precondition(maxBinIn > 0)
        if n <= maxBinIn {
            var inBin = 0
            for i in 0..<(n - 1) {
                inBin += counts[i]
                if inBin >= minDataInBin {
                    let v = upper((values[i] + values[i + 1]) / 2)
                    if bounds.isEmpty || !equalOrdered(bounds.last!, v) {
                        bounds.append(v)
                        inBin = 0
                    }
                }
            }
            bounds.append(.infinity)
            return bounds
        }
        var maxBin = maxBinIn
        if minDataInBin > 0 {
            maxBin = max(min(maxBin, totalCount / minDataInBin), 1)
        }
        var meanBinSize = Double(totalCount) / Double(maxBin)
        var restBinCount = maxBin
        var restSampleCount = totalCount
        var isBig = [Bool](repeating: false, count: n)
        for i in 0..<n where Double(counts[i]) >= meanBinSize {
            isBig[i] = true
            restBinCount -= 1
            restSampleCount -= counts[i]
        }
        meanBinSize = Double(restSampleCount) / Double(restBinCount)
        var uppers = [Double](repeating: .infinity, count: maxBin)
        var lowers = [Double](repeating: .infinity, count: maxBin)
        var binCount = 0
        lowers[0] = values[0]
        var inBin = 0
        for i in 0..<(n - 1) {
            if !isBig[i] { restSampleCount -= counts[i] }
            inBin += counts[i]
            if isBig[i] || Double(inBin) >= meanBinSize
                || (isBig[i + 1] && Double(inBin) >= max(1.0, meanBinSize * Double(Float(0.5)))) {
                uppers[binCount] = values[i]
                binCount += 1
                lowers[binCount] = values[i + 1]
                if binCount >= maxBin - 1 { break }
                inBin = 0
                if !isBig[i] {
                    restBinCount -= 1
                    meanBinSize = Double(restSampleCount) / Double(restBinCount)
                }
            }
        }
        binCount += 1
        for i in 0..<(binCount - 1) {
            let v = upper((uppers[i] + lowers[i + 1]) / 2)
            if bounds.isEmpty || !equalOrdered(bounds.last!, v) { bounds.append(v) }
        }
        bounds.append(.infinity)
        return bounds
    }

    /// `FindBinWithZeroAsOneBin`: negatives, zero and positives binned separately.
    static func findBinWithZeroAsOneBin(_ values: [Double], _ counts: [Int], maxBin: Int,
                                        totalSampleCount: Int) -> [Double] {
        let n = values.count
        var leftCountData = 0, zeroCount = 0, rightCountData = 0
        for i in 0..<n {
            if values[i] <= -zeroThreshold { leftCountData += counts[i] }
            else if values[i] > zeroThreshold { rightCountData += counts[i] }
            else { zeroCount += counts[i] }
        }
        let leftCount = values.firstIndex(where: { $0 > -zeroThreshold }) ?? n
        var bounds: [Double] = []
        if leftCount > 0 && maxBin > 1 {
            var leftMaxBin = Int(Double(leftCountData) / Double(totalSampleCount - zeroCount) * Double(maxBin - 1))
            leftMaxBin = max(1, leftMaxBin)
            bounds = greedyFindBin(values[0..<leftCount], counts[0..<leftCount], maxBin: leftMaxBin,
                                   totalCount: leftCountData)
            if !bounds.isEmpty { bounds[bounds.count - 1] = -zeroThreshold }
        }
        let rightStart = values[leftCount...].firstIndex(where: { $0 > zeroThreshold })
        let rightMaxBin = maxBin - 1 - bounds.count
        if let rightStart, rightMaxBin > 0 {
            let right = greedyFindBin(values[rightStart...], counts[rightStart...], maxBin: rightMaxBin,
                                      totalCount: rightCountData)
            bounds.append(zeroThreshold)
            bounds.append(contentsOf: right)
        } else {
            bounds.append(.infinity)
        }
        return bounds
    }
}

/// The bin-construction sample as a byte mask over the span of its rows (0xFF: a sample row), for
/// `ModelBinning.sampleCounts(_:selection:)`: counting a feature's bins then streams the column over
/// the span instead of reading one byte per sample row at random (a cache miss each once the span
/// outgrows the caches). At Numerai's width (200k of 230k rows, 2,376 features) the gather was most
/// of a model's set-up: 0.19 s of 0.43 s for 3 trees on Zen 5. Nil when the rows repeat (a mask
/// cannot count a row twice) or span more than 16 times their count (the gather reads less).
struct SampleSelection {
    /// The first row of the span (the smallest sample row).
    let first: Int
    /// One byte per row of the span: 0xFF for a sample row, else 0.
    let mask: [UInt8]
    /// Sample rows (set bytes of `mask`).
    let count: Int

    init?(rows: [Int32]) {
        guard let low = rows.min(), let high = rows.max() else { return nil }
        let span = Int(high) - Int(low) + 1
        guard span <= 16 * rows.count else { return nil }
        var mask = [UInt8](repeating: 0, count: span)
        for r in rows {
            let i = Int(r) - Int(low)
            if mask[i] != 0 { return nil }
            mask[i] = 0xFF
        }
        first = Int(low)
        self.mask = mask
        count = rows.count
    }
}

/// The binning of every feature a model trains on, from LightGBM's bin-construction sample.
struct ModelBinning {
    var features: [FeatureBinning]

    /// LightGBM's `bin_construct_sample_cnt` default.
    static let sampleCount = 200_000

    /// - Parameters:
    ///   - rows: the model's training rows (dataset indices), in LightGBM's row order.
    ///   - features: dataset feature indices.
    static func build(dataset: Dataset, rows: [Int32], features: [Int], parameters: BoostingParameters,
                      seeds: LightGBMSeeds) -> ModelBinning {
        let n = rows.count
        let sampleSize = min(sampleCount, n)
        var random = LightGBMRandom(seed: seeds.data)
        let sample: [Int32] = sampleSize == n ? rows : random.sample(n, sampleSize).map { rows[$0] }
        let filterCount = n > 0 ? Int(Double(parameters.minChildSamples * sampleSize) / Double(n)) : 0
        var out: [FeatureBinning] = []
        out.reserveCapacity(features.count)
        var contiguous = !sample.isEmpty
        for i in sample.indices.dropFirst() where sample[i] != sample[i - 1] &+ 1 { contiguous = false; break }
        let selection = contiguous ? nil : SampleSelection(rows: sample)
        for f in features {
            let binCount = max(dataset.binCounts[f], 1)
            let column = dataset.features.column(f).baseAddress!
            var counts = sample.withUnsafeBufferPointer { rows in
                if contiguous { return sampleCounts(column + Int(rows[0]), count: rows.count) }
                if let selection { return sampleCounts(column + selection.first, selection: selection) }
                return sampleCounts(column, rows: rows)
            }
            let maxSeen = counts.lastIndex { $0 > 0 } ?? 0
            let bins = max(binCount, maxSeen + 1)
            counts.removeLast(256 - bins)
            let values = representativeValues(dataset: dataset, feature: f, bins: bins)
            out.append(FeatureBinning(counts: counts, values: values, maxBin: parameters.maxBin,
                                      totalSampleCount: sampleSize, filterCount: filterCount))
        }
        return ModelBinning(features: out)
    }

    /// Per-bin counts (256 slots) of a column's bins over the sample rows. Numerai's 0..4 bins take
    /// a vectorised compare-and-count (bins ≥ 5 are counted apart and then scattered), since this
    /// pass over every feature is most of a model's set-up time.
    static func sampleCounts(_ column: UnsafePointer<UInt8>, rows: UnsafeBufferPointer<Int32>) -> [Int] {
        countBins(rows.count, binOf: { i in Int(column[Int(rows[i])]) })
    }

    /// `sampleCounts` over consecutive rows (`column` points at the first).
    static func sampleCounts(_ column: UnsafePointer<UInt8>, count: Int) -> [Int] {
        countBins(count, binOf: { i in Int(column[i]) })
    }

    /// `sampleCounts` over the rows of `selection` (`column` points at its first row): every row of
    /// the span is read and the unselected ones count as bin 0 (`bin & 0`), taken off bin 0 after.
    static func sampleCounts(_ column: UnsafePointer<UInt8>, selection: SampleSelection) -> [Int] {
        var counts = selection.mask.withUnsafeBufferPointer { mask in
            countBins(mask.count, binOf: { i in Int(column[i] & mask[i]) })
        }
        counts[0] -= selection.mask.count - selection.count
        return counts
    }

    @inline(__always)
    private static func countBins(_ n: Int, binOf bin: (Int) -> Int) -> [Int] {
        // In blocks of 16-bit lanes (16 rows per AVX2 op); `b == k` as arithmetic, since
        // `cond ? 1 : 0` became a jump table here: for b < 256, (b ^ k) − 1 wraps
        // to 0xFFFF exactly when b == k, so its top bit is the indicator.
        @inline(__always) func top(_ d: UInt16) -> UInt16 { d >> 15 }
        var c1 = 0, c2 = 0, c3 = 0, c4 = 0, above = 0
        var start = 0
        while start < n {
            let end = min(n, start + Int(UInt16.max))
            var d1: UInt16 = 0, d2: UInt16 = 0, d3: UInt16 = 0, d4: UInt16 = 0, dAbove: UInt16 = 0
            for i in start..<end {
                let b = UInt16(truncatingIfNeeded: bin(i))
                d1 &+= top((b ^ 1) &- 1); d2 &+= top((b ^ 2) &- 1)
                d3 &+= top((b ^ 3) &- 1); d4 &+= top((b ^ 4) &- 1)
                dAbove &+= top(4 &- b)
            }
            c1 += Int(d1); c2 += Int(d2); c3 += Int(d3); c4 += Int(d4); above += Int(dAbove)
            start = end
        }
        var counts = [Int](repeating: 0, count: 256)
        counts[1] = c1; counts[2] = c2; counts[3] = c3; counts[4] = c4
        if above > 0 {
            for i in 0..<n { let b = bin(i); if b > 4 { counts[b] += 1 } }
        }
        counts[0] = n - c1 - c2 - c3 - c4 - above
        return counts
    }

    /// The raw value a dataset bin stands for: the bin itself for integer features, else its upper
    /// edge (the last, open bin one above the previous edge).
    static func representativeValues(dataset: Dataset, feature f: Int, bins: Int) -> [Double] {
        guard f < dataset.binEdges.count, !dataset.binEdges[f].isEmpty else {
            return (0..<bins).map(Double.init)
        }
        let edges = dataset.binEdges[f]
        return (0..<bins).map { b in
            if b < edges.count, edges[b].isFinite { return edges[b] }
            let last = edges.last(where: { $0.isFinite }) ?? Double(b)
            return last + Double(b - edges.count + 2)
        }
    }

    /// The raw threshold to write for a split after LightGBM bin `k` of a feature.
    static func rawThreshold(dataset: Dataset, feature f: Int, binning: FeatureBinning, bin k: Int) -> Double {
        if f < dataset.binEdges.count, !dataset.binEdges[f].isEmpty {
            let edges = dataset.binEdges[f], last = Int(binning.lastDatasetBin[k])
            if last < edges.count { return edges[last] }
        }
        return binning.upperBound[k]
    }
}
