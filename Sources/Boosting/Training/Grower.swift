import CBoostingKernels
import Dispatch
import EraData

/// One leaf while a tree grows: its rows are `order[begin ..< begin + count]`.
struct LeafState {
    var begin = 0
    var count = 0
    var q: Int64 = 0
    var gradient = 0.0
    var hessian = 0.0
    var depth = 0
}

/// A tree under construction in LightGBM's array layout (`Tree::Split`).
struct TreeBuilder {
    var splitFeature: [Int32] = []
    var thresholdBin: [UInt8] = []
    var threshold: [Double] = []
    var splitGain: [Float] = []
    var leftChild: [Int32] = []
    var rightChild: [Int32] = []
    var internalValue: [Double] = []
    var internalCount: [Int32] = []
    var leafValue: [Double]
    var leafCount: [Int32]
    var leafParent: [Int32]
    var leafDepth: [Int]

    init(rootValue: Double, rootCount: Int) {
        leafValue = [rootValue]; leafCount = [Int32(rootCount)]; leafParent = [-1]; leafDepth = [0]
    }

    var numLeaves: Int { leafValue.count }

    /// Splits `leaf`: it stays the left child, the right child becomes leaf `numLeaves`.
    mutating func split(leaf: Int, feature: Int32, thresholdBin: UInt8, threshold: Double,
                        candidate c: SplitCandidate) {
        let node = Int32(numLeaves - 1)
        let parent = Int(leafParent[leaf])
        if parent >= 0 {
            if leftChild[parent] == ~Int32(leaf) { leftChild[parent] = node } else { rightChild[parent] = node }
        }
        splitFeature.append(feature)
        self.thresholdBin.append(thresholdBin)
        self.threshold.append(threshold)
        splitGain.append(Float(c.gain))
        leftChild.append(~Int32(leaf))
        rightChild.append(~Int32(numLeaves))
        internalValue.append(leafValue[leaf])
        internalCount.append(Int32(c.leftCount + c.rightCount))
        let right = numLeaves
        leafParent[leaf] = node
        leafParent.append(node)
        leafValue[leaf] = c.leftOutput.isNaN ? 0 : c.leftOutput
        leafValue.append(c.rightOutput.isNaN ? 0 : c.rightOutput)
        leafCount[leaf] = Int32(c.leftCount)
        leafCount.append(Int32(c.rightCount))
        leafDepth.append(leafDepth[leaf] + 1)
        leafDepth[leaf] += 1
        _ = right
    }

    /// `Tree::Shrinkage`: leaf and internal values times the learning rate.
    mutating func shrink(_ rate: Double) {
        for i in leafValue.indices { leafValue[i] = LightGBMConstants.roundToZero(leafValue[i] * rate) }
        for i in internalValue.indices { internalValue[i] = LightGBMConstants.roundToZero(internalValue[i] * rate) }
    }

    /// `Tree::AddBias`: the initial score folded into tree 0.
    mutating func addBias(_ value: Double) {
        for i in leafValue.indices { leafValue[i] = LightGBMConstants.roundToZero(leafValue[i] + value) }
        for i in internalValue.indices { internalValue[i] = LightGBMConstants.roundToZero(internalValue[i] + value) }
    }

    func tree(shrinkage: Double) -> Tree {
        Tree(splitFeature: splitFeature, thresholdBin: thresholdBin, threshold: threshold, splitGain: splitGain,
             leftChild: leftChild, rightChild: rightChild, leafValue: leafValue, leafCount: leafCount,
             internalCount: internalCount, internalValue: internalValue, shrinkage: shrinkage)
    }
}

/// Leaf-wise (best-first) growth as LightGBM's `SerialTreeLearner::Train`: the leaf with the best
/// split gain splits next, up to `num_leaves`; leaves at `max_depth` or with fewer than
/// 2·`min_data_in_leaf` rows in both new children are not searched; the smaller child's histogram
/// is built from its rows and the larger one's is the parent's minus it; a feature with no valid
/// split in a node is not tried again below it.
final class TreeGrower: @unchecked Sendable {
    let state: TrainingState
    let parameters: BoostingParameters
    let splitter: Splitter

    // Per tree: sampled features (positions in the model's feature list, ascending).
    var used: [Int] = []
    var histOffset: [Int] = []
    var histWidth = 0
    var pool: UnsafeMutablePointer<Int64>
    var poolCapacity: Int
    var splittable: [[Bool]]
    var leaves: [LeafState]
    var best: [SplitCandidate]
    var fixed = FixedPoint(rows: 1, maxAbsGradient: 1)

    /// LightGBM's arithmetic (see `TrainingState.exact`): per leaf, per sampled feature, a
    /// gradient and a hessian double per LightGBM bin.
    let exact: Bool
    var exactOffset: [Int] = []
    var exactWidth = 0
    var exactPool: UnsafeMutablePointer<Double>
    var exactPoolCapacity = 0

    // Per-thread buffers: chunk gather and partial histograms.
    static let chunk = 65536
    let threadCount: Int
    /// Threads the next histogram may use (≤ `threadCount`); asked once per node, so a study can
    /// hand a model the cores other models have left. Histograms are integer sums: any thread
    /// count gives the same bits.
    let threadBudget: (@Sendable () -> Int)?
    let chunkRows: UnsafeMutablePointer<Int32>
    let chunkPacked: UnsafeMutablePointer<Int64>
    var partials: UnsafeMutablePointer<Int64>
    var partialsCapacity: Int

    /// Tree-local copy of the sampled columns (integer-bin models), in byte columns ("slots"): the
    /// sampled 0–4 features in pairs, two to a byte (`slotOf`, `fieldOf`: the first of a pair in
    /// the low nibble, the second in the high one), every other feature in a byte column of its
    /// own. Leaf `l`'s slot `s`, for the rows `order[begin ..< begin + count]`, is the `count`
    /// bytes at `leafColumns[l · slotCount + s]`. Every split partitions the node's bytes as it
    /// partitions `order`, out of place, so a node's rows are contiguous in every column and
    /// histograms stream them instead of gathering one byte per row from full-length columns; a
    /// pair moves as one byte (at Numerai's shape the partition is bound by memory traffic, which
    /// the pairs halve). `local` holds `slotCount · n` bytes and `spares` (`byteScratch`) one more
    /// `n` per thread: a node's slot s is partitioned into the node's spare region, its old region
    /// becomes the next slot's destination, and the last slot's old region the children's spare
    /// (split at the left count): each byte moves once per split, nothing is copied back. When the
    /// tree's rows are consecutive dataset rows, the root's unpaired slots are the dataset's own
    /// columns and its split writes them straight into `local` (no copy first); pairs are packed
    /// into `local` before the root's histograms, which then read half the bytes.
    let useLocal: Bool
    var local: UnsafeMutablePointer<UInt8>
    var localCapacity = 0
    var leafColumns: UnsafeMutablePointer<UnsafeMutablePointer<UInt8>>
    var leafColumnsCapacity = 0
    /// Per sampled feature (position in `used`): its slot and where its bins sit in the slot's
    /// bytes (`WB_FIELD_BYTE`, `_LOW`, `_HIGH`); per slot: its low (or only) and high feature
    /// (−1: none). See `leafColumns`.
    var slotOf: [Int] = []
    var fieldOf: [UInt8] = []
    var slotLow: [Int] = []
    var slotHigh: [Int] = []
    var slotCount: Int { slotLow.count }
    /// Per leaf and thread: a region of the leaf's row count no column uses (see `leafColumns`).
    let leafSpares: UnsafeMutablePointer<UnsafeMutablePointer<UInt8>>
    /// The root's unpaired slots are the dataset's columns (read only): its split partitions them
    /// into `local`.
    var rootInDataset = false
    /// A leaf whose columns were not partitioned (the last searched level, see `DeferredSplit`):
    /// its slots in `leafColumns` are its parent's; nil for every other leaf.
    var deferred: [DeferredSplit?]
    /// Position in `used` of each model feature (−1: not sampled in this tree).
    var usedIndex: [Int]
    /// Per split: left masks (8 rows per word) and their left counts; per thread: the spare column.
    let masks: UnsafeMutablePointer<UInt64>
    let leftCounts: UnsafeMutablePointer<UInt8>
    let byteScratch: UnsafeMutablePointer<UInt8>
    /// The 32-bit gradient part of `order[i]` at `localQ[i]` for this tree (when `fixed.block32 > 0`),
    /// partitioned as the local columns are.
    let localQ: UnsafeMutablePointer<Int32>
    /// Per thread and sampled feature: a 5-bin histogram's counts and sums from the C kernel, and
    /// the column pointers and fields handed to it (capacity `binSumsCapacity` features per thread).
    var binSums: UnsafeMutablePointer<Int64>
    var fivePointerBuffer: UnsafeMutablePointer<UnsafePointer<UInt8>?>
    var fiveFieldBuffer: UnsafeMutablePointer<UInt8>
    var binSumsCapacity = 0
    /// Per thread: the byte planes of a chunk's gradient parts (`wb_hist5_q32_columns`).
    let planeScratch: UnsafeMutablePointer<UInt8>

    // Scratch for converting a histogram to LightGBM bins.
    var binCounts = [Int](repeating: 0, count: 257)
    var binQs = [Int64](repeating: 0, count: 257)

    init(state: TrainingState, parameters: BoostingParameters, threads: Int, threadBudget: (@Sendable () -> Int)? = nil) {
        self.threadBudget = threadBudget
        self.state = state
        self.parameters = parameters
        splitter = Splitter(parameters)
        threadCount = max(1, threads)
        let leavesMax = parameters.numLeaves
        leaves = [LeafState](repeating: LeafState(), count: leavesMax)
        best = [SplitCandidate](repeating: SplitCandidate(), count: leavesMax)
        splittable = [[Bool]](repeating: [], count: leavesMax)
        deferred = [DeferredSplit?](repeating: nil, count: leavesMax)
        poolCapacity = 0
        pool = .allocate(capacity: 1)
        partialsCapacity = 0
        partials = .allocate(capacity: 1)
        chunkRows = .allocate(capacity: Self.chunk * threadCount)
        chunkPacked = .allocate(capacity: Self.chunk * threadCount)
        exact = state.exact
        exactPool = .allocate(capacity: 1)
        useLocal = !state.exact
        local = .allocate(capacity: 1)
        leafColumns = .allocate(capacity: 1)
        leafSpares = .allocate(capacity: useLocal ? leavesMax * threadCount : 1)
        usedIndex = [Int](repeating: -1, count: state.features.count)
        let words = state.count / 8 + 1
        masks = .allocate(capacity: useLocal ? words : 1)
        leftCounts = .allocate(capacity: useLocal ? words : 1)
        byteScratch = .allocate(capacity: useLocal ? threadCount * (state.count + 64) : 1)
        localQ = .allocate(capacity: useLocal ? max(state.count, 1) : 1)
        binSums = .allocate(capacity: 1)
        fivePointerBuffer = .allocate(capacity: 1)
        fiveFieldBuffer = .allocate(capacity: 1)
        planeScratch = .allocate(capacity: useLocal ? threadCount * (4 * Self.chunk + 64) : 1)
    }

    deinit {
        pool.deallocate(); partials.deallocate(); chunkRows.deallocate(); chunkPacked.deallocate()
        exactPool.deallocate(); local.deallocate(); masks.deallocate(); leftCounts.deallocate()
        leafColumns.deallocate(); leafSpares.deallocate()
        byteScratch.deallocate(); localQ.deallocate(); binSums.deallocate()
        fivePointerBuffer.deallocate(); fiveFieldBuffer.deallocate(); planeScratch.deallocate()
    }

    /// Tree-local columns (sampled features × training rows, bytes) from which the last searched
    /// level is deferred (`DeferredSplit`). Beyond the caches the partition is bound by memory
    /// traffic and the deferral saves it (231k × 2,376 on Zen 5: partition −42 %, histograms +15 %
    /// of their CPU samples); in cache the masked histogram over twice the rows costs more than the
    /// partition it saves (200k × 300 held to AVX2: 7.4 → 8.5 ms per tree). Same trees either way
    /// (integer histograms); tests lower it to 0 to check that.
    nonisolated(unsafe) static var deferralMinimumBytes = 24 << 20

    /// The column kernels' prefetch hint for this tree (`PrefetchTuner`; never changes a result).
    var prefetch = Int32(WB_PREFETCH_NTA)

    /// The widest column-partition path this CPU has (`wb_partition_path`).
    static let partitionPath = wb_partition_path(3)

    /// Bytes per training row the tree-local columns need besides `TrainingState`'s 20: the
    /// slots (`localColumns`), the split masks (~1.1), one spare column byte per thread (see
    /// `leafColumns`) and the 32-bit gradient parts (4).
    static func localBytesPerRow(localColumns: Int, threads: Int) -> Int {
        localColumns + 6 + max(1, threads)
    }

    /// Slots (byte columns, see `leafColumns`) of a tree that samples `sampled` features of which
    /// `fiveBin` are 0–4 features: ⌈fiveBin / 2⌉ + the others.
    static func localColumns(sampled: Int, fiveBin: Int) -> Int {
        (fiveBin + 1) / 2 + (sampled - fiveBin)
    }

    /// Pairs the sampled 0–4 features in `used` order (see `leafColumns`).
    private func assignSlots() {
        slotOf = [Int](repeating: 0, count: used.count)
        fieldOf = [UInt8](repeating: UInt8(WB_FIELD_BYTE), count: used.count)
        slotLow = []; slotHigh = []
        var open = -1  // a slot whose low nibble waits for a partner
        for (k, j) in used.enumerated() {
            if state.fiveBin[j] && open >= 0 {
                slotOf[k] = open; fieldOf[k] = UInt8(WB_FIELD_HIGH)
                fieldOf[slotLow[open]] = UInt8(WB_FIELD_LOW)
                slotHigh[open] = k
                open = -1
                continue
            }
            slotOf[k] = slotLow.count
            if state.fiveBin[j] { open = slotLow.count }
            slotLow.append(k); slotHigh.append(-1)
        }
    }

    /// The root's columns: the dataset's own when the tree's rows are consecutive dataset rows,
    /// else the sampled columns of `order[0 ..< rootCount]` copied into `local`; the root's spares.
    private func fillLocal(rootCount: Int) {
        let n = state.count, slots = slotCount
        if localCapacity < slots * n {
            local.deallocate()
            localCapacity = max(slots * n, 1)
            local = .allocate(capacity: localCapacity)
        }
        if leafColumnsCapacity < slots * parameters.numLeaves {
            leafColumns.deallocate()
            leafColumnsCapacity = max(slots * parameters.numLeaves, 1)
            leafColumns = .allocate(capacity: leafColumnsCapacity)
        }
        for k in usedIndex.indices { usedIndex[k] = -1 }
        for (k, j) in used.enumerated() { usedIndex[j] = k }
        for t in 0..<threadCount { leafSpares[t] = byteScratch + t * (n + 64) }
        let rows = state.rows
        // Without bagging `order` is 0 ..< n; when the rows are consecutive too, the root reads
        // the dataset's columns (its unpaired slots are them; pairs are packed from them).
        rootInDataset = rootCount == n && state.rowsAscending && Int(rows[n - 1]) - Int(rows[0]) == n - 1
        let first = rootInDataset ? Int(rows[0]) : 0
        if !rootInDataset {
            for i in 0..<rootCount { state.scratch[i] = rows[Int(state.order[i])] }
        }
        nonisolated(unsafe) let local = self.local
        nonisolated(unsafe) let gather: UnsafePointer<Int32>? = rootInDataset ? nil : UnsafePointer(state.scratch)
        let columns = used.map { state.columns[$0] + first }
        // Slots to fill: every slot, or only the pairs when the root reads the dataset.
        var fill: [Int] = []
        for s in 0..<slots {
            if rootInDataset && slotHigh[s] < 0 {
                leafColumns[s] = UnsafeMutablePointer(mutating: columns[slotLow[s]])
            } else {
                leafColumns[s] = local + s * n
                fill.append(s)
            }
        }
        let t = min(threadCount, max(1, threadBudget?() ?? threadCount))
        let parts = t > 1 && rootCount * fill.count >= 1 << 20 ? min(t, fill.count) : 1
        let per = (fill.count + parts - 1) / parts
        nonisolated(unsafe) let columnPointers = columns
        let fillList = fill, lows = slotLow, highs = slotHigh
        parallelIterations(parts) { part in
            for s in fillList[min(fillList.count, part * per)..<min(fillList.count, (part + 1) * per)] {
                let dst = local + s * n, low = columnPointers[lows[s]]
                if highs[s] >= 0 {
                    wb_pack_nibbles(low, columnPointers[highs[s]], gather, Int64(rootCount), dst)
                } else if let gather {
                    for i in 0..<rootCount { dst[i] = low[Int(gather[i])] }
                }
            }
        }
    }

    /// Grows one tree on `order[0 ..< rootCount]` with the sampled features `usedFeatures`.
    func grow(rootCount: Int, usedFeatures: [Int], fixed: FixedPoint) -> TreeBuilder {
        self.fixed = fixed
        used = usedFeatures
        if useLocal {
            assignSlots()
            if fixed.block32 > 0 {
                // In the order of `order`, partitioned with it: a node's gradient parts are contiguous.
                // (First: the gradients wait in `state.scratch`, which `fillLocal` may use.)
                state.fillQ32(count: rootCount, fixed: fixed, into: localQ)
            }
            fillLocal(rootCount: rootCount)
        }
        if binSumsCapacity < used.count {
            binSums.deallocate(); fivePointerBuffer.deallocate(); fiveFieldBuffer.deallocate()
            binSumsCapacity = used.count
            binSums = .allocate(capacity: 8 * used.count * threadCount)
            fivePointerBuffer = .allocate(capacity: used.count * threadCount)
            fiveFieldBuffer = .allocate(capacity: used.count * threadCount)
        }
        histOffset = []
        var width = 0
        for j in used { histOffset.append(width); width += state.datasetBins[j] }
        histWidth = width
        let leavesMax = parameters.numLeaves
        if poolCapacity < width * leavesMax {
            pool.deallocate()
            poolCapacity = max(width * leavesMax, 1)
            pool = .allocate(capacity: poolCapacity)
        }
        if partialsCapacity < width * threadCount {
            partials.deallocate()
            partialsCapacity = max(width * threadCount, 1)
            partials = .allocate(capacity: partialsCapacity)
        }
        for i in 0..<leavesMax { best[i] = SplitCandidate(); deferred[i] = nil }

        if exact {
            exactOffset = []
            var w = 0
            for j in used { exactOffset.append(w); w += 2 * state.binning.features[j].binCount }
            exactWidth = w
            if exactPoolCapacity < w * leavesMax {
                exactPool.deallocate()
                exactPoolCapacity = max(w * leavesMax, 1)
                exactPool = .allocate(capacity: exactPoolCapacity)
            }
            // LightGBM's root sums (`LeafSplits::Init`): in row order, in double.
            var gradient = 0.0, hessian = 0.0
            for i in 0..<rootCount {
                gradient += Double(state.gradient(Int(state.order[i])))
                hessian += 1
            }
            leaves[0] = LeafState(begin: 0, count: rootCount, q: 0, gradient: gradient, hessian: hessian, depth: 0)
            buildExactHistogram(leaf: 0, flags: nil)
        } else {
            // Root: histograms over all rows; their total gives the root's sums.
            let total = buildHistogram(leaf: 0, count: rootCount, into: pool)
            let (count, q) = fixed.unpack(total)
            precondition(count == rootCount)
            leaves[0] = LeafState(begin: 0, count: rootCount, q: q, gradient: fixed.gradient(q),
                                  hessian: Double(rootCount), depth: 0)
        }
        var builder = TreeBuilder(
            rootValue: LightGBMConstants.roundToZero(
                splitter.leafOutput(gradient: leaves[0].gradient, hessian: leaves[0].hessian)),
            rootCount: rootCount)
        splittable[0] = [Bool](repeating: true, count: used.count)

        var leftLeaf = 0, rightLeaf = -1
        var rootHistogramBuilt = true
        for iteration in 0..<(leavesMax - 1) {
            if beforeFindBestSplit(builder: builder, left: leftLeaf, right: rightLeaf) {
                findBestSplits(left: leftLeaf, right: rightLeaf, rootReady: rootHistogramBuilt)
            }
            rootHistogramBuilt = false
            var bestLeaf = 0
            for l in 1..<leavesMax where best[l].isBetter(than: best[bestLeaf]) { bestLeaf = l }
            let c = best[bestLeaf]
            if !(c.gain > 0) { break }
            let newLeaf = builder.numLeaves
            split(leaf: bestLeaf, newLeaf: newLeaf, candidate: c, builder: &builder,
                  last: iteration == leavesMax - 2)
            leftLeaf = bestLeaf
            rightLeaf = newLeaf
        }
        return builder
    }

    private func beforeFindBestSplit(builder: TreeBuilder, left: Int, right: Int) -> Bool {
        let maxDepth = parameters.maxDepth
        if maxDepth > 0 && builder.leafDepth[left] >= maxDepth {
            best[left].gain = -.infinity
            if right >= 0 { best[right].gain = -.infinity }
            return false
        }
        let leftCount = leaves[left].count, rightCount = right >= 0 ? leaves[right].count : 0
        let minData = parameters.minChildSamples
        if rightCount < minData * 2 && leftCount < minData * 2 {
            best[left].gain = -.infinity
            if right >= 0 { best[right].gain = -.infinity }
            return false
        }
        return true
    }

    /// Histograms of the two new children (or the root), then their best splits.
    private func findBestSplits(left: Int, right: Int, rootReady: Bool) {
        if right < 0 {
            // Root: histogram already built in `grow`.
            best[left] = bestSplit(leaf: left, hist: pool + left * histWidth, parentFlags: nil)
            return
        }
        // The parent's histogram sits in the left leaf's slot (the left child keeps its index).
        let parentFlags = splittable[left]
        let smaller = leaves[left].count < leaves[right].count ? left : right
        let larger = smaller == left ? right : left
        if exact {
            let small = exactPool + smaller * exactWidth, large = exactPool + larger * exactWidth
            if smaller == left { large.update(from: small, count: exactWidth) }
            buildExactHistogram(leaf: smaller, flags: parentFlags)
            // The larger child is the parent minus the smaller one, in double as LightGBM does.
            for (k, j) in used.enumerated() where parentFlags[k] {
                let o = exactOffset[k]
                for b in 0..<(2 * state.binning.features[j].binCount) { large[o + b] -= small[o + b] }
            }
            best[smaller] = bestSplit(leaf: smaller, hist: pool, parentFlags: parentFlags)
            best[larger] = bestSplit(leaf: larger, hist: pool, parentFlags: parentFlags)
            return
        }
        let smallHist = pool + smaller * histWidth, largeHist = pool + larger * histWidth
        if smaller == left {
            largeHist.update(from: smallHist, count: histWidth)
        }
        _ = buildHistogram(leaf: smaller, count: leaves[smaller].count, into: smallHist, flags: parentFlags)
        for (k, j) in used.enumerated() where parentFlags[k] {
            let o = histOffset[k]
            for b in 0..<state.datasetBins[j] { largeHist[o + b] &-= smallHist[o + b] }
        }
        best[smaller] = bestSplit(leaf: smaller, hist: smallHist, parentFlags: parentFlags)
        best[larger] = bestSplit(leaf: larger, hist: largeHist, parentFlags: parentFlags)
    }

    /// Best split of a leaf over the sampled features still splittable in its parent.
    private func bestSplit(leaf: Int, hist: UnsafeMutablePointer<Int64>, parentFlags: [Bool]?) -> SplitCandidate {
        let L = leaves[leaf]
        var flags = parentFlags ?? [Bool](repeating: true, count: used.count)
        var result = SplitCandidate()
        binCounts.withUnsafeMutableBufferPointer { counts in
            binQs.withUnsafeMutableBufferPointer { qs in
                for (k, j) in used.enumerated() where flags[k] {
                    let binning = state.binning.features[j]
                    if exact {
                        let (c, ok) = splitter.bestThresholdExact(
                            feature: j, hist: exactPool + leaf * exactWidth + exactOffset[k], binCount: binning.binCount,
                            leafCount: L.count, leafGradient: L.gradient, leafHessian: L.hessian)
                        flags[k] = ok
                        if ok && c.isBetter(than: result) { result = c }
                        continue
                    }
                    let h = hist + histOffset[k]
                    for b in 0..<binning.binCount { counts[b] = 0; qs[b] = 0 }
                    for b in 0..<state.datasetBins[j] {
                        let (n, q) = fixed.unpack(h[b])
                        let lb = Int(binning.binOfDatasetBin[b])
                        counts[lb] += n
                        qs[lb] &+= q
                    }
                    let (c, ok) = splitter.bestThreshold(
                        feature: j, counts: counts.baseAddress!, qs: qs.baseAddress!, binCount: binning.binCount,
                        leafCount: L.count, leafQ: L.q, leafGradient: L.gradient, leafHessian: L.hessian,
                        fixed: fixed)
                    flags[k] = ok
                    if ok && c.isBetter(than: result) { result = c }
                }
            }
        }
        splittable[leaf] = flags
        return result
    }

    /// Splits the rows of `leaf` (stable) and records the split.
    private func split(leaf: Int, newLeaf: Int, candidate c: SplitCandidate, builder: inout TreeBuilder, last: Bool) {
        let j = c.feature
        let binning = state.binning.features[j]
        let thresholdBin = binning.lastDatasetBin[c.bin]
        let f = state.features[j]
        let raw = ModelBinning.rawThreshold(dataset: state.dataset, feature: f, binning: binning, bin: c.bin)
        builder.split(leaf: leaf, feature: Int32(f), thresholdBin: thresholdBin, threshold: raw, candidate: c)

        let L = leaves[leaf]
        let depth = L.depth + 1
        let leftCount: Int
        if useLocal {
            // The children's rows need contiguous columns only if a child will be searched.
            let maxDepth = parameters.maxDepth, minData = parameters.minChildSamples
            let searched = !last && !(maxDepth > 0 && depth >= maxDepth)
                && !(c.leftCount < 2 * minData && c.rightCount < 2 * minData)
            // The children's own splits will not be searched (they sit one level above
            // `max_depth`): their histograms can come from this node's columns (see `DeferredSplit`).
            let flags = splittable[leaf]
            let deferring = searched && maxDepth > 0 && depth == maxDepth - 1 && fixed.block32 > 0
                && used.count * state.count >= Self.deferralMinimumBytes && deferred[leaf] == nil && used.indices.allSatisfy { !flags[$0] || state.fiveBin[used[$0]] }
            if let d = deferred[leaf] {
                leftCount = splitDeferred(leaf: leaf, from: d, begin: L.begin, count: L.count,
                                          splitColumn: usedIndex[j], threshold: thresholdBin)
                deferred[leaf] = nil
                deferred[newLeaf] = nil
            } else if deferring {
                leftCount = deferPartition(leaf: leaf, newLeaf: newLeaf, begin: L.begin, count: L.count,
                                           splitColumn: usedIndex[j], threshold: thresholdBin)
            } else {
                leftCount = partitionLocal(leaf: leaf, newLeaf: newLeaf, begin: L.begin, count: L.count,
                                           splitColumn: usedIndex[j], threshold: thresholdBin,
                                           flags: searched ? flags : nil)
            }
        } else {
            leftCount = state.partition(begin: L.begin, count: L.count, column: state.columns[j],
                                        threshold: thresholdBin)
        }
        precondition(leftCount == c.leftCount, "partition disagrees with histogram")
        leaves[leaf] = LeafState(begin: L.begin, count: c.leftCount, q: c.leftQ, gradient: c.leftGradient,
                                 hessian: c.leftHessian, depth: depth)
        leaves[newLeaf] = LeafState(begin: L.begin + c.leftCount, count: c.rightCount, q: c.rightQ,
                                    gradient: c.rightGradient, hessian: c.rightHessian, depth: depth)
        splittable[newLeaf] = splittable[leaf]
    }

    /// Splits the rows of `leaf` (`order[begin ..< begin + count]`) whose children are searched but
    /// whose grandchildren are not: only `order` is partitioned; both children keep this node's
    /// columns (`deferred`), and the smaller child's histogram is built from them with the split's
    /// masks, which stay in `masks` until `findBestSplits` has used them (it runs right after).
    /// Returns the left count.
    private func deferPartition(leaf: Int, newLeaf: Int, begin: Int, count: Int, splitColumn: Int,
                                threshold: UInt8) -> Int {
        let width = slotCount
        let from = leafColumns + leaf * width, to = leafColumns + newLeaf * width
        let left = Int(wb_split_masks(from[slotOf[splitColumn]], Int64(count), threshold, Int32(fieldOf[splitColumn]),
                                      masks, leftCounts))
        precondition(Int(wb_partition_order(state.order + begin, Int64(count), masks, state.scratch)) == left)
        to.update(from: from, count: width)
        let parent = DeferredSplit(begin: begin, count: count, left: left, splitColumn: splitColumn,
                                   threshold: threshold, spare: leafSpares[leaf * threadCount])
        deferred[leaf] = parent
        deferred[newLeaf] = parent
        let spares = leafSpares + leaf * threadCount, newSpares = leafSpares + newLeaf * threadCount
        for p in 0..<threadCount { newSpares[p] = spares[p] + left }
        return left
    }

    /// Splits a leaf of a deferred split (its children are not searched: only `order` moves). Its
    /// split column, in its own rows' order, is the parent's column partitioned by the parent's
    /// split (masks recomputed) into the parent's spare region, which nothing else uses below it.
    private func splitDeferred(leaf: Int, from d: DeferredSplit, begin: Int, count: Int, splitColumn: Int,
                               threshold: UInt8) -> Int {
        let columns = leafColumns + leaf * slotCount
        let parentLeft = Int(wb_split_masks(columns[slotOf[d.splitColumn]], Int64(d.count), d.threshold,
                                            Int32(fieldOf[d.splitColumn]), masks, leftCounts))
        precondition(parentLeft == d.left)
        let path = Self.partitionPath
        wb_partition_plan(path, Int64(d.count), Int64(d.left), masks, leftCounts, state.scratch)
        var source: UnsafePointer<UInt8>? = UnsafePointer(columns[slotOf[splitColumn]])
        var target: UnsafeMutablePointer<UInt8>? = d.spare
        wb_partition_columns(path, &source, &target, 1, Int64(d.count), Int64(d.left), masks, leftCounts, state.scratch,
                             prefetch)
        let own = d.spare + (begin == d.begin ? 0 : d.left)
        let left = Int(wb_split_masks(own, Int64(count), threshold, Int32(fieldOf[splitColumn]), masks, leftCounts))
        precondition(Int(wb_partition_order(state.order + begin, Int64(count), masks, state.scratch)) == left)
        return left
    }

    /// Partitions `order[begin ..< begin + count]` (the rows of `leaf`; stable, bin ≤ threshold
    /// first) by the leaf's sampled feature `splitColumn`, and the leaf's slots with a feature whose
    /// flag is set (none when `flags` is nil) with it, into the slots of `leaf` (now the left child)
    /// and `newLeaf` (the right child; see `leafColumns`). Returns the left count.
    private func partitionLocal(leaf: Int, newLeaf: Int, begin: Int, count: Int, splitColumn: Int, threshold: UInt8,
                                flags: [Bool]?) -> Int {
        let n = state.count, width = slotCount
        let from = leafColumns + leaf * width, to = leafColumns + newLeaf * width
        let left = Int(wb_split_masks(from[slotOf[splitColumn]], Int64(count), threshold, Int32(fieldOf[splitColumn]),
                                      masks, leftCounts))
        // The order, by the same masks (AVX-512 compress, 16 rows per step, where the CPU has it).
        let l = Int(wb_partition_order(state.order + begin, Int64(count), masks, state.scratch))
        precondition(l == left)
        guard let flags else { return left }
        if fixed.block32 > 0 { _ = wb_partition_order(localQ + begin, Int64(count), masks, state.scratch) }
        let active = (0..<width).filter { flags[slotLow[$0]] || (slotHigh[$0] >= 0 && flags[slotHigh[$0]]) }
        let t = min(threadCount, max(1, threadBudget?() ?? threadCount))
        let parts = t > 1 && count * active.count >= 1 << 20 ? min(t, active.count) : 1
        let per = (active.count + parts - 1) / parts
        // Sources and destinations: a slot that is a dataset column (the root's unpaired slots when
        // the root reads the dataset) into its own region of `local`, every other slot through its
        // part's chain of spares (see `leafColumns`).
        var sources: [UnsafePointer<UInt8>?] = [], targets: [UnsafeMutablePointer<UInt8>?] = []
        let fromDataset = leaf == 0 && begin == 0 && rootInDataset && newLeaf == 1
        let spares = leafSpares + leaf * threadCount, newSpares = leafSpares + newLeaf * threadCount
        for part in 0..<parts {
            var free = spares[part]  // where the part's next chained slot goes
            for s in active[min(active.count, part * per)..<min(active.count, (part + 1) * per)] {
                sources.append(UnsafePointer(from[s]))
                if fromDataset && slotHigh[s] < 0 {
                    targets.append(local + s * n)
                } else {
                    targets.append(free)
                    free = from[s]
                }
            }
            spares[part] = free
        }
        // The split's plan (what depends only on the masks) once for all columns and parts, in
        // the partition scratch: the order and gradient parts are done with it.
        let path = Self.partitionPath
        nonisolated(unsafe) let plan = UnsafeRawPointer(state.scratch)
        wb_partition_plan(path, Int64(count), Int64(left), masks, leftCounts, state.scratch)
        nonisolated(unsafe) let sourceList = sources, targetList = targets
        nonisolated(unsafe) let masks = self.masks, leftCounts = self.leftCounts
        let prefetch = self.prefetch
        parallelIterations(parts) { part in
            let lo = part * per, hi = min(sourceList.count, lo + per)
            guard lo < hi else { return }
            sourceList.withUnsafeBufferPointer { s in targetList.withUnsafeBufferPointer { d in
                wb_partition_columns(path, s.baseAddress! + lo, d.baseAddress! + lo, Int64(hi - lo), Int64(count),
                                     Int64(left), masks, leftCounts, plan, prefetch)
            } }
        }
        for (i, s) in active.enumerated() {
            from[s] = targets[i]!
            to[s] = targets[i]! + left
        }
        for p in 0..<threadCount { newSpares[p] = spares[p] + left }
        return left
    }

    /// LightGBM's histograms of `leaf` for the sampled features whose flag is set (all when `flags`
    /// is nil): float gradients added in double in row order, hessians as counts, then the most
    /// frequent bin set to the leaf's sums minus the other bins (`Dataset::FixHistogram`).
    /// Sequential: the rounding of these sums is what LightGBM's ties are decided by.
    private func buildExactHistogram(leaf: Int, flags: [Bool]?) {
        let L = leaves[leaf]
        let hist = exactPool + leaf * exactWidth
        let active = used.indices.filter { flags?[$0] ?? true }
        let maps = active.map { state.binning.features[used[$0]].binOfDatasetBin }
        for k in active {
            (hist + exactOffset[k]).initialize(repeating: 0, count: 2 * state.binning.features[used[k]].binCount)
        }
        for i in L.begin..<(L.begin + L.count) {
            let p = Int(state.order[i])
            let g = Double(state.gradient(p))
            let row = Int(state.rows[p])
            for (a, k) in active.enumerated() {
                let b = 2 * Int(maps[a][Int(state.columns[used[k]][row])])
                let h = hist + exactOffset[k]
                h[b] += g
                h[b + 1] += 1
            }
        }
        for k in active {
            let binning = state.binning.features[used[k]]
            let m = binning.mostFreqBin
            guard m > 0 else { continue }
            let h = hist + exactOffset[k]
            h[2 * m] = L.gradient
            h[2 * m + 1] = L.hessian
            for b in 0..<binning.binCount where b != m {
                h[2 * m] -= h[2 * b]
                h[2 * m + 1] -= h[2 * b + 1]
            }
        }
    }

    /// Builds the histograms of `leaf`'s rows (`order[begin ..< begin + count]`) for the sampled
    /// features whose flag is set (all when `flags` is nil); returns the packed total of the rows.
    @discardableResult
    func buildHistogram(leaf: Int, count leafCount: Int, into hist: UnsafeMutablePointer<Int64>,
                        flags: [Bool]? = nil) -> Int64 {
        // A child of a deferred split: its parent's rows and columns, its own rows by the masks.
        let d = deferred[leaf]
        let begin = d?.begin ?? leaves[leaf].begin, count = d?.count ?? leafCount
        let selection = d.map {
            RowSelection(masks: UnsafeRawPointer(masks).assumingMemoryBound(to: UInt8.self), begin: $0.begin,
                         flip: leaves[leaf].begin == $0.begin ? 0 : 0xFF)
        }
        nonisolated(unsafe) let columns = UnsafePointer(leafColumns + leaf * slotCount)
        hist.initialize(repeating: 0, count: histWidth)
        let active: [Int] = used.indices.filter { flags?[$0] ?? true }
        let t = min(threadCount, max(1, threadBudget?() ?? threadCount))
        let parallel = t > 1 && count >= 16_384
        if !parallel {
            return accumulate(begin: begin, count: count, leafBegin: begin, leafColumns: columns, active: active,
                              selection: selection, thread: 0, into: hist)
        }
        let per = (count + t - 1) / t
        nonisolated(unsafe) let partials = self.partials
        let width = histWidth
        nonisolated(unsafe) let totals = UnsafeMutablePointer<Int64>.allocate(capacity: t)
        defer { totals.deallocate() }
        parallelIterations(t) { i in
            let start = begin + i * per, n = max(0, min(per, begin + count - start))
            let out = partials + i * width
            out.initialize(repeating: 0, count: width)
            totals[i] = n > 0 ? self.accumulate(begin: start, count: n, leafBegin: begin, leafColumns: columns,
                                                active: active, selection: selection, thread: i, into: out) : 0
        }
        var total: Int64 = 0
        for i in 0..<t {
            total &+= totals[i]
            let p = partials + i * width
            for k in 0..<width { hist[k] &+= p[k] }
        }
        return total
    }

    /// Histograms of `order[begin ..< begin + count]`, rows of the leaf that starts at `leafBegin`
    /// and whose tree-local columns are `leafColumns` (integer-bin models: the exact ones build
    /// theirs in `buildExactHistogram`).
    /// With `selection`, only the selected rows of the run count (a deferred split's child; needs
    /// `fixed.block32 > 0` and 5-bin features only, as `split` checks before deferring).
    private func accumulate(begin: Int, count: Int, leafBegin: Int, leafColumns: UnsafePointer<UnsafeMutablePointer<UInt8>>,
                            active: [Int], selection: RowSelection?, thread: Int,
                            into hist: UnsafeMutablePointer<Int64>) -> Int64 {
        let rowsBuffer = chunkRows + thread * Self.chunk
        let packedBuffer = chunkPacked + thread * Self.chunk
        // Column and histogram of each active feature, 5-bin ones first.
        let five = active.filter { state.fiveBin[used[$0]] }, general = active.filter { !state.fiveBin[used[$0]] }
        let ordered = five + general
        let hists = ordered.map { hist + histOffset[$0] }
        var grand: Int64 = 0
        var start = begin
        let end = begin + count
        // The node's rows are contiguous in the local columns (indexed by position here). A pair's
        // two features are neighbours in `five` (low first): the kernel reads their bytes once.
        let locals = ordered.map { UnsafePointer(leafColumns[slotOf[$0]] - leafBegin) }
        let block = fixed.block32
        let shift = fixed.countShift
        let sums = binSums + 8 * used.count * thread
        let fivePointers = fivePointerBuffer + used.count * thread
        let fiveFields = fiveFieldBuffer + used.count * thread
        for k in 0..<five.count { fiveFields[k] = fieldOf[five[k]] }
        while start < end {
            let c = min(Self.chunk, end - start)
            if block > 0 {
                // Gradient parts by position (one load per row), summed in C per bin.
                var sumQ: Int64 = 0, rows = c
                let qBuffer = UnsafePointer(localQ + start)
                let mask = selection.map { $0.masks + (start - $0.begin) }
                if let mask, let flip = selection?.flip {
                    rows = 0
                    for i in 0..<c {
                        let keep = Int64(Int8(bitPattern: mask[i] ^ flip))  // −1 or 0
                        sumQ &+= Int64(qBuffer[i]) & keep
                        rows &-= Int(keep)
                    }
                } else {
                    for i in 0..<c { sumQ &+= Int64(qBuffer[i]) }
                }
                let total = (Int64(rows) << shift) &+ sumQ
                grand &+= total
                if !five.isEmpty {
                    // All 5-bin columns in one call: the kernel prepares the rows' gradients once.
                    for k in 0..<five.count { fivePointers[k] = UnsafePointer(locals[k] + start) }
                    sums.initialize(repeating: 0, count: 8 * five.count)
                    wb_hist5_q32_columns(fivePointers, fiveFields, Int64(five.count), qBuffer, Int64(c), Int64(block), sums,
                                         planeScratch + thread * (4 * Self.chunk + 64), mask, selection?.flip ?? 0,
                                         prefetch)
                    for k in 0..<five.count {
                        let v = sums + 8 * k
                        HistogramKernel.finish(hists[k], total, (v[0] << shift) &+ v[4], (v[1] << shift) &+ v[5],
                                               (v[2] << shift) &+ v[6], (v[3] << shift) &+ v[7])
                    }
                }
                if five.count < locals.count {
                    for i in 0..<c { packedBuffer[i] = (Int64(1) << shift) &+ Int64(qBuffer[i]) }
                }
            } else {
                precondition(selection == nil, "a deferred split needs the 32-bit gradient parts")
                let total = state.gather(from: start, count: c, fixed: fixed, rows: rowsBuffer, packed: packedBuffer)
                grand &+= total
                for k in 0..<five.count {
                    HistogramKernel.accumulate5Contiguous(column: locals[k] + start,
                                                          high: fieldOf[five[k]] == WB_FIELD_HIGH,
                                                          packed: packedBuffer, count: c, total: total, into: hists[k])
                }
            }
            precondition(selection == nil || five.count == locals.count, "a deferred split needs 5-bin features")
            for k in five.count..<locals.count {
                HistogramKernel.accumulateGeneralContiguous(column: locals[k] + start, packed: packedBuffer,
                                                            count: c, into: hists[k])
            }
            start += c
        }
        return grand
    }
}

/// A split whose children's columns were not partitioned: its rows `order[begin ..< begin + count]`
/// (left child first, `left` rows), its split column (position in `used`) and threshold, and its
/// spare region (`count` bytes no column uses), where a child's split column is rebuilt. Used at
/// the last searched level (the children are searched, their children are not): the smaller
/// child's histogram reads the parent's columns with the split's masks instead of a partition of
/// every column (which would read and write each byte once more, only for that histogram).
struct DeferredSplit {
    let begin: Int
    let count: Int
    let left: Int
    let splitColumn: Int
    let threshold: UInt8
    let spare: UnsafeMutablePointer<UInt8>
}

/// The rows of a run a histogram counts: those whose split-mask byte (at `masks[position − begin]`)
/// XOR `flip` is 0xFF (`flip` 0: the left child's rows, 0xFF: the right child's).
struct RowSelection: @unchecked Sendable {
    let masks: UnsafePointer<UInt8>
    let begin: Int
    let flip: UInt8
}
