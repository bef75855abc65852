import Dispatch
import EraData

/// Why training could not start.
/// The rows, scores and partition of one model. Per training row it holds the row index (4 bytes),
/// the score (8), the partition order (4) and the partition scratch (4): 20 bytes; the feature
/// matrix and the targets are the dataset's, shared.
final class TrainingState: @unchecked Sendable {
    let dataset: Dataset
    /// Dataset row of each training position (rows with a target), in the caller's order.
    let rows: [Int32]
    let rowsAscending: Bool
    /// The target column (the dataset's array, not copied).
    let labels: [Float]
    /// Dataset feature index of each model feature.
    let features: [Int]
    let columns: [UnsafePointer<UInt8>]
    /// Histogram width per model feature (dataset bins) and whether the 5-bin kernel applies.
    let datasetBins: [Int]
    let fiveBin: [Bool]
    let binning: ModelBinning
    /// Split finding in LightGBM's own double arithmetic (`Grower.buildExactHistogram`), for models
    /// with an edge-binned float feature: there a leaf often has no rows in a run of bins (the
    /// empty zero bin among them), the exact gains of the thresholds along the run tie, and
    /// LightGBM's choice among them follows the rounding of its double histograms. The run's rows
    /// of other leaves and new data go left or right by that choice, so parity needs the same
    /// arithmetic. Integer-bin models keep the packed fixed-point histograms (exact, vectorised).
    let exact: Bool

    let score: UnsafeMutablePointer<Double>
    /// Training positions, grouped by leaf while a tree grows.
    let order: UnsafeMutablePointer<Int32>
    let scratch: UnsafeMutablePointer<Int32>
    let count: Int

    init(dataset: Dataset, rows: [Int32], features: [Int], labels: [Float], binning: ModelBinning) {
        self.dataset = dataset
        self.rows = rows
        var ascending = true
        for i in rows.indices.dropFirst() where rows[i] <= rows[i - 1] { ascending = false; break }
        rowsAscending = ascending
        self.labels = labels
        self.features = features
        columns = features.map { dataset.features.column($0).baseAddress! }
        datasetBins = features.enumerated().map { j, f in max(dataset.binCounts[f], binning.features[j].binOfDatasetBin.count) }
        fiveBin = datasetBins.map { $0 <= 5 }
        self.binning = binning
        exact = features.contains { $0 < dataset.binEdges.count && !dataset.binEdges[$0].isEmpty }
        count = rows.count
        score = .allocate(capacity: max(count, 1))
        order = .allocate(capacity: max(count, 1))
        scratch = .allocate(capacity: max(count, 1))
    }

    deinit { score.deallocate(); order.deallocate(); scratch.deallocate() }

    /// L2 gradient of a training position, as LightGBM computes it: `float(score − label)`.
    @inline(__always) func gradient(_ p: Int) -> Float {
        Float(score[p] - Double(labels[Int(rows[p])]))
    }

    /// The 32-bit fixed-point gradient part (`FixedPoint.q32`) of `order[i]` at `out[i]`, i < `count`,
    /// from the gradients `maxAbsGradient` left in `scratch` (call it first; no partition between).
    func fillQ32(count: Int, fixed: FixedPoint, into out: UnsafeMutablePointer<Int32>) {
        for i in 0..<count { out[i] = fixed.q32(fixed.pack(Float(bitPattern: UInt32(bitPattern: scratch[i])))) }
    }

    /// Largest |gradient| of `order[0 ..< count]`; leaves the gradients (their float32 bits) in
    /// `scratch[0 ..< count]`, so `fillQ32` need not gather scores and labels again. `inOrder`:
    /// `order[i] == i` (no bagging), so when the rows are consecutive dataset rows nothing is
    /// gathered and the loop vectorises. The maximum is over the bits of |g| as integers (the same
    /// order for non-negative floats; a NaN, which a finite score and label cannot give, would win
    /// and be refused as an infinite one is): `Swift.max` on floats is a compare and a blend, a
    /// chain through every row (3 ns per row, 1.5 ms of a 35 ms tree at 500k rows).
    func maxAbsGradient(count: Int, inOrder: Bool) -> Float {
        var m: UInt32 = 0
        rows.withUnsafeBufferPointer { rowOf in labels.withUnsafeBufferPointer { labelOf in
            if inOrder && count > 0 && rowsAscending && Int(rowOf[count - 1]) - Int(rowOf[0]) == count - 1 {
                let label = labelOf.baseAddress! + Int(rowOf[0])
                for i in 0..<count {
                    let g = Float(score[i] - Double(label[i]))
                    scratch[i] = Int32(bitPattern: g.bitPattern)
                    m = max(m, g.bitPattern & 0x7FFF_FFFF)
                }
                return
            }
            // Four running maxima: the gathers, not one chain, bound this loop.
            var m1: UInt32 = 0, m2: UInt32 = 0, m3: UInt32 = 0
            @inline(__always) func bits(_ i: Int) -> UInt32 {
                let p = Int(order[i])
                let g = Float(score[p] - Double(labelOf[Int(rowOf[p])]))
                scratch[i] = Int32(bitPattern: g.bitPattern)
                return g.bitPattern & 0x7FFF_FFFF
            }
            var i = 0
            while i + 4 <= count {
                m = max(m, bits(i)); m1 = max(m1, bits(i + 1)); m2 = max(m2, bits(i + 2)); m3 = max(m3, bits(i + 3))
                i += 4
            }
            while i < count { m = max(m, bits(i)); i += 1 }
            m = max(max(m, m1), max(m2, m3))
        } }
        return Float(bitPattern: m)
    }

    /// Copies dataset rows and packed gradients of `order[start ..< start + count]`; returns their sum.
    @inline(__always)
    func gather(from start: Int, count: Int, fixed: FixedPoint, rows out: UnsafeMutablePointer<Int32>,
                packed: UnsafeMutablePointer<Int64>) -> Int64 {
        var total: Int64 = 0
        rows.withUnsafeBufferPointer { rowOf in labels.withUnsafeBufferPointer { labelOf in
            for i in 0..<count {
                let p = Int(order[start + i])
                let row = rowOf[p]
                out[i] = row
                let g = Float(score[p] - Double(labelOf[Int(row)]))
                let v = fixed.pack(g)
                packed[i] = v
                total &+= v
            }
        } }
        return total
    }

    /// Stable partition of `order[begin ..< begin + count]`: bin ≤ threshold first. Returns the left count.
    func partition(begin: Int, count: Int, column: UnsafePointer<UInt8>, threshold: UInt8) -> Int {
        var left = 0, right = 0
        let o = order + begin
        let limit = Int(threshold) &+ 1
        rows.withUnsafeBufferPointer { rowOf in
            for i in 0..<count {
                let p = o[i]
                // Branch-free: the split is close to a coin flip, a branch would mispredict.
                let goesLeft = Int(bitPattern: UInt(bitPattern: Int(column[Int(rowOf[Int(p)])]) &- limit) >> 63)
                o[left] = p
                scratch[right] = p
                left &+= goesLeft
                right &+= 1 &- goesLeft
            }
        }
        (o + left).update(from: scratch, count: right)
        return left
    }
}

/// Gradient boosting with LightGBM's semantics (L2 regression).
public enum Trainer {
    /// Trains a model on `rows` × `features` of a shared dataset, predicting `dataset.targets[target]`.
    ///
    /// Rows whose target is NaN are skipped. Row order is LightGBM's row order (it matters only for
    /// bagging and the bin-construction sample); feature order is LightGBM's column order (ties
    /// between equal gains go to the earlier feature). Tree thresholds are dataset bins.
    /// The result is bit-identical for any `threads`. With `threadBudget`, `threads` is the most a
    /// node may use and the budget says, node by node, how many it may use now.
    public static func train(dataset: Dataset, rows: [Int32], features: [Int], target: Int,
                             parameters: BoostingParameters, threads: Int = 1,
                             threadBudget: (@Sendable () -> Int)? = nil,
                             progress: ((_ treesDone: Int) throws -> Void)? = nil) throws -> Booster {
        let session = try TrainingSession(dataset: dataset, rows: rows, features: features, target: target,
                                          parameters: parameters)
        return try session.grow(to: parameters.nEstimators, threads: threads, threadBudget: threadBudget, progress: progress)
    }

    /// The checked inputs of a training: the rows with a known target (the caller's array itself
    /// when every target is known) and the target column.
    static func checkedInputs(dataset: Dataset, rows: [Int32], features: [Int], target: Int,
                              parameters: BoostingParameters) throws -> (rows: [Int32], labels: [Float]) {
        try parameters.validate()
        guard dataset.targets.indices.contains(target) else {
            throw BoostingError.targetIndexOutOfRange(target, targets: dataset.targets.count)
        }
        guard !features.isEmpty else { throw BoostingError.noFeatures }
        for f in features where !(0..<dataset.featureCount).contains(f) {
            throw BoostingError.featureIndexOutOfRange(f, features: dataset.featureCount)
        }
        guard Set(features).count == features.count else { throw BoostingError.duplicateFeatures }
        let labels = dataset.targets[target]
        var unknown = 0
        for r in rows {
            guard r >= 0 && Int(r) < dataset.rowCount else {
                throw BoostingError.rowIndexOutOfRange(r, rows: dataset.rowCount)
            }
            let y = labels[Int(r)]
            if y.isNaN { unknown += 1 } else if y.isInfinite {
                throw BoostingError.nonFiniteTarget(dataset.targetNames[target], value: y, row: r, id: dataset.ids[Int(r)])
            }
        }
        // The caller's row list itself when every target is known (shared, not copied: 4 B per
        // row less while the model trains).
        let trainRows = unknown == 0 ? rows : rows.filter { !labels[Int($0)].isNaN }
        guard !trainRows.isEmpty else {
            throw BoostingError.noTrainingRows(target: dataset.targetNames[target])
        }
        return (trainRows, labels)
    }
}

extension Trainer {
    /// Bytes one model's training needs besides the shared dataset:
    /// 20 per training row (score 8, partition order 4, partition scratch 4, row list 4; + 4 with
    /// bagging), plus per row the tree-local copy of the `sampledFeatures` columns a tree uses
    /// (1 byte each, half a byte for each of the `sampledFiveBin` 0–4 features among them, which
    /// are packed in pairs) with its split masks and spare columns (2 + threads bytes), the leaves'
    /// histograms (`numLeaves × histogramBins × 8`, where `histogramBins` is the sum of the bins of
    /// the features a tree may use) and the per-thread chunk buffers.
    public static func workingMemory(trainingRows: Int, sampledFeatures: Int, sampledFiveBin: Int = 0,
                                     histogramBins: Int, numLeaves: Int, bagging: Bool = false,
                                     threads: Int = 1) -> Int {
        let t = max(1, threads)
        let columns = TreeGrower.localColumns(sampled: sampledFeatures, fiveBin: min(sampledFiveBin, sampledFeatures))
        return trainingRows * ((bagging ? 24 : 20) + TreeGrower.localBytesPerRow(localColumns: columns, threads: t))
            + numLeaves * histogramBins * 8
            + t * TreeGrower.chunk * (4 + 8 + 4) + (t > 1 ? t * histogramBins * 8 : 0)
    }
}

/// A training that can pause and continue: `grow(to: r)` then `grow(to: R)` gives, bit for bit, the
/// model `Trainer.train` gives with `n_estimators = R` (same trees, same predictions), because the
/// session carries the boosting loop's complete state across the pause (`BoostingLoop`: trees,
/// LightGBM's column-sampling and bagging generators mid-stream, the bag; and the training scores).
///
/// Between grows the session may `pause()`: it drops the working memory of training (the
/// partition buffers, the tree-local columns, the histograms: `Trainer.workingMemory`) and keeps
///
///     pausedBytes = 8·n (training scores, doubles) + 4·n (training row list)
///                   + ⌈n/64⌉·8 (bag membership bits, with bagging) + 4·⌈n/1024⌉ (bagging generators)
///                   + the trees (`Tree.bytes`)
///
/// for n training rows. The next grow rebuilds the working memory (the model's binning is a pure
/// function of the inputs) and restores the state. Threads never change results, so each grow may
/// use its own `threads` and `threadBudget` (they hold until the next pause).
public final class TrainingSession: @unchecked Sendable {
    public let parameters: BoostingParameters
    let dataset: Dataset
    let rows: [Int32]
    let features: [Int]
    let labels: [Float]
    /// The live loop (nil while paused or before the first grow).
    private var engine: GBDT?
    private var loop: BoostingLoop?
    /// The training scores and bag bits while paused.
    private var pausedScores: [Double] = []
    private var pausedBag: [UInt64] = []

    /// Checks the inputs as `Trainer.train` does; trains nothing yet.
    public init(dataset: Dataset, rows: [Int32], features: [Int], target: Int, parameters: BoostingParameters) throws {
        (self.rows, labels) = try Trainer.checkedInputs(dataset: dataset, rows: rows, features: features, target: target,
                                                        parameters: parameters)
        self.dataset = dataset
        self.features = features
        self.parameters = parameters
    }

    /// Trees grown so far.
    public var treeCount: Int { loop?.trees.count ?? 0 }
    /// No tree will be added: `n_estimators` reached or a tree could not split.
    public var isFinished: Bool { (loop?.stopped ?? false) || treeCount >= parameters.nEstimators }

    /// Grows the model to `min(trees, n_estimators)` trees (fewer when a tree cannot split) and
    /// returns it as `Trainer.train` with that `n_estimators` would. `progress` gets the tree
    /// count after every tree; if it throws, training stops and the session stays consistent at
    /// the trees grown.
    public func grow(to trees: Int, threads: Int = 1, threadBudget: (@Sendable () -> Int)? = nil,
                     progress: ((_ treesDone: Int) throws -> Void)? = nil) throws -> Booster {
        let target = max(0, min(trees, parameters.nEstimators))
        let engine = resume(threads: threads, threadBudget: threadBudget)
        var loop = self.loop ?? engine.start()
        defer { self.loop = loop }
        try engine.grow(&loop, to: target, progress: progress)
        return engine.booster(loop, requested: target)
    }

    /// Releases the working memory; the session keeps `pausedBytes`.
    public func pause() {
        guard let engine, var loop else { self.engine = nil; return }
        let n = engine.state.count
        pausedScores = Array(UnsafeBufferPointer(start: engine.state.score, count: n))
        if engine.bagging {
            pausedBag = [UInt64](repeating: 0, count: (n + 63) / 64)
            for p in loop.bag { pausedBag[Int(p) >> 6] |= 1 << UInt64(p & 63) }
        }
        loop.bag = []; loop.outOfBag = []
        self.loop = loop
        self.engine = nil
    }

    /// Bytes the session holds while paused (see the type's formula).
    public var pausedBytes: Int {
        Self.pausedStateBytes(trainingRows: rows.count, bagging: parameters.subsampleFreq > 0 && parameters.subsample < 1)
            + (loop?.trees.reduce(0) { $0 + $1.bytes } ?? 0)
    }

    /// A paused session's bytes besides its trees, for `trainingRows` rows (the type's formula).
    public static func pausedStateBytes(trainingRows n: Int, bagging: Bool) -> Int {
        12 * n + (bagging ? (n + 63) / 64 * 8 + 4 * ((n + 1023) / 1024) : 0)
    }

    /// The live engine: the existing one, or a new one with the paused state restored.
    private func resume(threads: Int, threadBudget: (@Sendable () -> Int)?) -> GBDT {
        if let engine { return engine }
        let engine = GBDT(dataset: dataset, rows: rows, features: features, labels: labels,
                          parameters: parameters, threads: threads, threadBudget: threadBudget)
        if var loop, !pausedScores.isEmpty {
            pausedScores.withUnsafeBufferPointer { engine.state.score.initialize(from: $0.baseAddress!, count: $0.count) }
            if engine.bagging {
                for p in 0..<engine.state.count {
                    if pausedBag[p >> 6] >> UInt64(p & 63) & 1 == 1 { loop.bag.append(Int32(p)) } else { loop.outOfBag.append(Int32(p)) }
                }
            }
            self.loop = loop
            pausedScores = []; pausedBag = []
        }
        self.engine = engine
        return engine
    }
}

extension Tree {
    /// Bytes the tree's arrays hold (nodes and leaves).
    var bytes: Int {
        splitFeature.count * 4 + thresholdBin.count + threshold.count * 8 + splitGain.count * 4 + leftChild.count * 4
            + rightChild.count * 4 + leafValue.count * 8 + leafCount.count * 4 + internalCount.count * 4
            + internalValue.count * 8 + decisionType.count
    }
}

/// Everything the boosting loop carries from one tree to the next besides the training scores:
/// the trees, the column-sampling and bagging generators (LightGBM's streams, mid-sequence), the
/// current bag and whether the loop stopped. With the scores it is the loop's complete state.
struct BoostingLoop {
    var initScore: Double
    var trees: [Tree] = []
    /// A tree could not split: LightGBM stops there.
    var stopped = false
    var columnRandom: LightGBMRandom
    var bagRandoms: [LightGBMRandom]
    var bagCount: Int
    var needBag: Bool
    /// Training positions in / out of the current bag, ascending (bagging only).
    var bag: [Int32] = []
    var outOfBag: [Int32] = []
}

/// The boosting loop (LightGBM's `GBDT::TrainOneIter`).
final class GBDT {
    let state: TrainingState
    let parameters: BoostingParameters
    let seeds: LightGBMSeeds
    let grower: TreeGrower
    let validFeatures: [Int]
    let dataset: Dataset
    /// The kernels' prefetch hint, timed on this CPU over the first trees (`PrefetchTuner`).
    var prefetch: PrefetchTuner

    init(dataset: Dataset, rows: [Int32], features: [Int], labels: [Float], parameters: BoostingParameters,
         threads: Int, threadBudget: (@Sendable () -> Int)?) {
        self.dataset = dataset
        self.parameters = parameters
        seeds = LightGBMSeeds(seed: parameters.seed)
        let binning = ModelBinning.build(dataset: dataset, rows: rows, features: features,
                                         parameters: parameters, seeds: seeds)
        state = TrainingState(dataset: dataset, rows: rows, features: features, labels: labels, binning: binning)
        validFeatures = binning.features.indices.filter { !binning.features[$0].isTrivial }
        grower = TreeGrower(state: state, parameters: parameters, threads: threads, threadBudget: threadBudget)
        let sampled = Self.sampledCount(valid: validFeatures.count, colsample: parameters.colsampleBytree)
        prefetch = .forEngine(columnBytes: grower.useLocal ? state.count * sampled : 0)
    }

    /// Column sampling (ColSampler): whether trees sample columns, and how many each uses.
    var sampleColumns: Bool { parameters.colsampleBytree < 1 }
    var usedCount: Int { Self.sampledCount(valid: validFeatures.count, colsample: parameters.colsampleBytree) }
    static func sampledCount(valid: Int, colsample: Double) -> Int {
        max(Int(Double(valid) * colsample + 0.5), min(1, valid))
    }
    var bagging: Bool { parameters.subsampleFreq > 0 && parameters.subsample < 1 }

    /// The loop before its first tree: training scores set to the init score, the setup draws made.
    func start() -> BoostingLoop {
        let n = state.count
        // boost_from_average: the label mean, summed in row order.
        var sum = 0.0
        for p in 0..<n { sum += Double(state.labels[Int(state.rows[p])]) }
        var initScore = sum / Double(n)
        if abs(initScore) <= LightGBMConstants.epsilon { initScore = 0 }
        state.score.initialize(repeating: initScore, count: n)

        // Column sampling (ColSampler): one draw at setup, then one per tree.
        var columnRandom = LightGBMRandom(seed: seeds.featureFraction)
        if sampleColumns { _ = columnRandom.sample(validFeatures.count, usedCount) }

        // Bagging: one LightGBM generator per block of 1024 rows.
        let bagRandoms: [LightGBMRandom] = bagging
            ? (0..<((n + 1023) / 1024)).map { LightGBMRandom(seed: seeds.bagging &+ Int32($0)) } : []
        return BoostingLoop(initScore: initScore, columnRandom: columnRandom, bagRandoms: bagRandoms,
                            bagCount: bagging ? Int(parameters.subsample * Double(n)) : n, needBag: bagging)
    }

    /// Boosts until the model has `target` trees or no tree can split (then `loop.stopped`). The
    /// iteration number is the tree count, so stopping here and growing on later draws the same
    /// random numbers in the same order as one uninterrupted loop.
    func grow(_ loop: inout BoostingLoop, to target: Int, progress: ((Int) throws -> Void)?) throws {
        let n = state.count
        while !loop.stopped && loop.trees.count < target {
            let iteration = loop.trees.count
            if bagging && ((loop.bagCount < n && iteration % parameters.subsampleFreq == 0) || loop.needBag) {
                loop.needBag = false
                loop.bag.removeAll(keepingCapacity: true); loop.outOfBag.removeAll(keepingCapacity: true)
                for p in 0..<n {
                    if Double(loop.bagRandoms[p / 1024].nextFloat()) < parameters.subsample { loop.bag.append(Int32(p)) }
                    else { loop.outOfBag.append(Int32(p)) }
                }
                loop.bagCount = loop.bag.count
            }
            let rootCount: Int
            if bagging {
                loop.bag.withUnsafeBufferPointer { state.order.update(from: $0.baseAddress!, count: $0.count) }
                rootCount = loop.bag.count
            } else {
                for p in 0..<n { state.order[p] = Int32(p) }
                rootCount = n
            }

            var used = validFeatures
            if sampleColumns {
                used = loop.columnRandom.sample(validFeatures.count, usedCount).map { validFeatures[$0] }
            }
            let maxAbs = state.maxAbsGradient(count: rootCount, inOrder: !bagging)
            // Finite targets near float32's limit can still give an infinite float32 gradient
            // (score − label); fixed point cannot hold it, so stop with an error, not a trap.
            guard maxAbs.isFinite else {
                throw BoostingError.gradientOverflow(tree: iteration + 1)
            }
            let fixed = FixedPoint(rows: rootCount, maxAbsGradient: Double(maxAbs))

            var builder: TreeBuilder
            if used.isEmpty || rootCount == 0 {
                builder = TreeBuilder(rootValue: 0, rootCount: rootCount)
            } else {
                grower.prefetch = prefetch.hintForNextTree
                let start = DispatchTime.now().uptimeNanoseconds
                builder = grower.grow(rootCount: rootCount, usedFeatures: used, fixed: fixed)
                let seconds = Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9
                if let choice = prefetch.record(seconds: seconds) { PrefetchChoice.shared.record(choice) }
            }

            if builder.numLeaves > 1 {
                builder.shrink(parameters.learningRate)
                updateScores(builder: builder, rootCount: rootCount, outOfBag: loop.outOfBag)
                var shrinkage = parameters.learningRate
                if loop.trees.isEmpty && loop.initScore != 0 {
                    builder.addBias(loop.initScore)
                    shrinkage = 1
                }
                loop.trees.append(builder.tree(shrinkage: shrinkage))
            } else {
                // LightGBM stops when a tree cannot split; a first tree becomes the constant init score.
                if loop.trees.isEmpty {
                    loop.trees.append(Tree(leafValue: [loop.initScore], leafCount: [Int32(n)], shrinkage: 1))
                }
                loop.stopped = true
                try progress?(loop.trees.count)
                break
            }
            try progress?(loop.trees.count)
        }
    }

    /// The model of the loop's trees, as `Trainer.train` with `n_estimators = requested` returns it.
    func booster(_ loop: BoostingLoop, requested: Int) -> Booster {
        var resolved = parameters
        resolved.nEstimators = requested
        return Booster(trees: loop.trees, featureNames: dataset.featureNames, binEdges: dataset.binEdges,
                       parameters: resolved.resolved, initScore: loop.initScore)
    }

    /// Adds the tree's (shrunk) outputs to the training scores: in-bag rows by leaf, the rest by walking.
    private func updateScores(builder: TreeBuilder, rootCount: Int, outOfBag: [Int32]) {
        let leaves = grower.leaves
        if rootCount == state.count && builder.numLeaves <= 256 && rootCount > 0 {
            // Every position is in the tree: mark each with its leaf (a byte scatter into the
            // partition scratch, free once the tree is grown), then add the leaves' values in
            // position order. Adding by leaf (`score[order[i]] += v`) swept the 8-byte scores
            // once per leaf, a cache line per row: 1.6 ms of a 35 ms tree at 500k rows. Each
            // score still gains exactly one addition of its leaf's value: the same bits.
            let values = builder.leafValue
            let score = state.score
            state.scratch.withMemoryRebound(to: UInt8.self, capacity: rootCount) { leafOf in
                for l in 0..<builder.numLeaves {
                    let leaf = leaves[l], id = UInt8(l)
                    for i in leaf.begin..<(leaf.begin + leaf.count) { leafOf[Int(state.order[i])] = id }
                }
                values.withUnsafeBufferPointer { v in
                    for p in 0..<rootCount { score[p] += v[Int(leafOf[p])] }
                }
            }
        } else {
            for l in 0..<builder.numLeaves {
                let v = builder.leafValue[l], leaf = leaves[l]
                for i in leaf.begin..<(leaf.begin + leaf.count) { state.score[Int(state.order[i])] += v }
            }
        }
        guard !outOfBag.isEmpty else { return }
        let tree = builder.tree(shrinkage: 1)
        for p in outOfBag {
            let row = Int(state.rows[Int(p)])
            state.score[Int(p)] += tree.leafValue[tree.leafIndex { dataset.features[row, $0] }]
        }
    }
}

extension Tree {
    /// The leaf a row reaches; `bin(f)` gives the row's dataset bin of feature `f`.
    @inline(__always)
    func leafIndex(_ bin: (Int) -> UInt8) -> Int {
        if leftChild.isEmpty { return 0 }
        var node: Int32 = 0
        while node >= 0 {
            let i = Int(node)
            node = bin(Int(splitFeature[i])) <= thresholdBin[i] ? leftChild[i] : rightChild[i]
        }
        return Int(~node)
    }
}
