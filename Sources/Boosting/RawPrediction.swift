import Foundation
import EraData

/// Raw input that does not fit the booster (missing columns, ragged rows).
/// LightGBM's `kZeroThreshold` (the float 1e-35f widened to double): values this close to zero
/// are zero for its predictor, and zero-as-missing tests use the same band.
let lightGBMZeroThreshold = Double(Float(1e-35))

extension Booster {
    /// Predictions for raw (unbinned) rows, `rows[r][c]`, following LightGBM's numerical
    /// decision exactly, so a model imported from LightGBM predicts what `Booster.predict` does:
    ///
    /// - a value with |x| ≤ 1e-35 is 0 (LightGBM's dense-row reader drops such values);
    /// - missing type none (`decision_type` 0/2, and every trained tree): NaN is read as 0, then
    ///   `x ≤ threshold` goes left;
    /// - missing type zero: 0 and NaN go to the default side (`decision_type` bit 2 = left);
    /// - missing type NaN: NaN goes to the default side; everything else by `x ≤ threshold`.
    ///
    /// The prediction is Σ trees leaf value, summed in tree order from 0 as LightGBM does (raw
    /// score), then the objective's transform (`ModelObjective`) for imported non-L2 models.
    /// `columnNames` names the columns of `rows` (features are matched by name, extra columns are
    /// ignored); without it the columns are the booster's `featureNames` in order.
    public func predict(raw rows: [[Double]], columnNames: [String]? = nil, threads: Int = 1) throws -> [Double] {
        let plan = try RawPredictionPlan(booster: self, columnNames: columnNames, columnCount: rows.first?.count)
        if let bad = rows.firstIndex(where: { $0.count != plan.columnCount }) {
            throw BoostingError.rowLength(row: bad, values: rows[bad].count, expected: plan.columnCount)
        }
        return applyingObjective(plan.predict(rowCount: rows.count, threads: threads) { row, column in rows[row][column] })
    }

    /// Predictions for raw column-major values, `columns[c][r]` (see `predict(raw:columnNames:threads:)`).
    public func predict(rawColumns columns: [[Double]], columnNames: [String]? = nil, threads: Int = 1) throws -> [Double] {
        let plan = try RawPredictionPlan(booster: self, columnNames: columnNames, columnCount: columns.count)
        let rowCount = columns.first?.count ?? 0
        if let bad = columns.firstIndex(where: { $0.count != rowCount }) {
            throw BoostingError.columnLength(column: bad, values: columns[bad].count, expected: rowCount)
        }
        return applyingObjective(plan.predict(rowCount: rowCount, threads: threads) { row, column in columns[column][row] })
    }

    /// The dataset bin of raw value `x` of feature `f` through the stored bin edges, consistent
    /// with the raw decision of trained and rebinned trees (whose thresholds lie between bins):
    /// integer-bin features (no edges) take the value itself, clamped to 0…255; edge-binned
    /// features take the first bin b with x ≤ edges[b] (the last bin above every edge). NaN is
    /// read as 0, as LightGBM does for splits without missing values.
    public func bin(rawValue x: Double, feature f: Int) -> UInt8 {
        let x = x.isNaN || abs(x) <= lightGBMZeroThreshold ? 0 : x
        let edges = f < binEdges.count ? binEdges[f] : []
        if edges.isEmpty { return UInt8(min(max(x.rounded(.down), 0), 255)) }
        var lo = 0, hi = edges.count - 1  // first b with x <= edges[b], else the last bin
        while lo < hi {
            let mid = (lo + hi) / 2
            if x <= edges[mid] { hi = mid } else { lo = mid + 1 }
        }
        return UInt8(min(lo, 255))
    }

    /// Predictions for raw column-major values mapped to bins through the stored edges
    /// (`bin(rawValue:feature:)`) and sent down the trees by `thresholdBin`. Equal to the raw
    /// prediction whenever every threshold lies between bins (trained or `rebinned` boosters).
    public func predictThroughBins(rawColumns columns: [[Double]], columnNames: [String]? = nil) throws -> [Double] {
        let plan = try RawPredictionPlan(booster: self, columnNames: columnNames, columnCount: columns.count)
        let rowCount = columns.first?.count ?? 0
        var bins = [[UInt8]](repeating: [], count: featureNames.count)
        for (f, column) in plan.columnOfFeature.enumerated() where column >= 0 {
            guard columns[column].count == rowCount else {
                throw BoostingError.columnLength(column: column, values: columns[column].count, expected: rowCount)
            }
            bins[f] = columns[column].map { bin(rawValue: $0, feature: f) }
        }
        var out = [Double](repeating: 0, count: rowCount)
        for tree in trees {
            for r in 0..<rowCount {
                var node: Int32 = tree.splitFeature.isEmpty ? -1 : 0
                while node >= 0 {
                    let i = Int(node)
                    node = bins[Int(tree.splitFeature[i])][r] <= tree.thresholdBin[i] ? tree.leftChild[i] : tree.rightChild[i]
                }
                out[r] += tree.leafValue[Int(-(node + 1))]
            }
        }
        return applyingObjective(out)
    }
}

/// Trees flattened for raw prediction; split features renumbered to input columns.
struct RawPredictionPlan {
    /// Per booster feature: its input column, -1 when unused by every split.
    let columnOfFeature: [Int]
    let columnCount: Int
    private let trees: [Tree]
    /// Distinct input columns used by splits, and each split's slot in that list, per tree.
    private let usedColumns: [Int]
    private let slotOfSplit: [[Int32]]

    init(booster: Booster, columnNames: [String]?, columnCount: Int?) throws {
        var used = Set<Int32>()
        for tree in booster.trees { used.formUnion(tree.splitFeature) }
        var columnOfFeature = [Int](repeating: -1, count: booster.featureNames.count)
        if let columnNames {
            var index: [String: Int] = [:]
            for (i, name) in columnNames.enumerated() where index[name] == nil { index[name] = i }
            let missing = used.sorted().map { booster.featureNames[Int($0)] }.filter { index[$0] == nil }
            guard missing.isEmpty else {
                throw BoostingError.inputLacksFeatures(missing)
            }
            for f in used { columnOfFeature[Int(f)] = index[booster.featureNames[Int(f)]]! }
            self.columnCount = columnNames.count
        } else {
            let expected = booster.featureNames.count
            if let columnCount, columnCount != expected {
                throw BoostingError.columnCount(columnCount, features: expected)
            }
            for f in used { columnOfFeature[Int(f)] = Int(f) }
            self.columnCount = expected
        }
        if let columnCount, columnCount != self.columnCount {
            throw BoostingError.columnNameCount(columns: columnCount, names: self.columnCount)
        }
        self.columnOfFeature = columnOfFeature
        usedColumns = used.sorted().map { columnOfFeature[Int($0)] }
        var slotOfFeature = [Int32](repeating: -1, count: booster.featureNames.count)
        for (slot, f) in used.sorted().enumerated() { slotOfFeature[Int(f)] = Int32(slot) }
        slotOfSplit = booster.trees.map { $0.splitFeature.map { slotOfFeature[Int($0)] } }
        trees = booster.trees
    }

    static let blockSize = 256

    func predict(rowCount: Int, threads: Int, value: (Int, Int) -> Double) -> [Double] {
        var out = [Double](repeating: 0, count: rowCount)
        let blocks = (rowCount + Self.blockSize - 1) / Self.blockSize
        let workers = max(1, min(threads, blocks))
        out.withUnsafeMutableBufferPointer { result in
            let result = UnsafeMutableSendableBuffer(result)
            // Rows are independent and each is summed in tree order: any thread count gives the
            // same bits.
            withoutActuallyEscaping(value) { value in
                let value = UnsafeSendableBox(value)
                DispatchQueue.concurrentPerform(iterations: workers) { worker in
                    var block = [Double](repeating: 0, count: usedColumns.count * Self.blockSize)
                    var b = worker
                    while b < blocks {
                        let start = b * Self.blockSize, count = min(Self.blockSize, rowCount - start)
                        predictBlock(start: start, count: count, block: &block, value: value.value,
                                     into: result.buffer)
                        b += workers
                    }
                }
            }
        }
        return out
    }

    private func predictBlock(start: Int, count: Int, block: inout [Double], value: (Int, Int) -> Double,
                              into out: UnsafeMutableBufferPointer<Double>) {
        let n = Self.blockSize
        for (slot, column) in usedColumns.enumerated() {
            for i in 0..<count {
                let x = value(start + i, column)
                block[slot * n + i] = abs(x) <= lightGBMZeroThreshold ? 0 : x
            }
        }
        block.withUnsafeBufferPointer { values in
            for (t, tree) in trees.enumerated() {
                let slots = slotOfSplit[t]
                if slots.isEmpty {
                    for i in 0..<count { out[start + i] += tree.leafValue[0] }
                    continue
                }
                for i in 0..<count {
                    var node = 0
                    while true {
                        var x = values[Int(slots[node]) * n + i]
                        let type = tree.decisionType.isEmpty ? 2 : tree.decisionType[node]
                        let missing = (type >> 2) & 3
                        let next: Int32
                        if x.isNaN && missing != 2 { x = 0 }
                        if (missing == 1 && x == 0) || (missing == 2 && x.isNaN) {
                            next = type & 2 != 0 ? tree.leftChild[node] : tree.rightChild[node]
                        } else {
                            next = x <= tree.threshold[node] ? tree.leftChild[node] : tree.rightChild[node]
                        }
                        if next < 0 {
                            out[start + i] += tree.leafValue[Int(-(next + 1))]
                            break
                        }
                        node = Int(next)
                    }
                }
            }
        }
    }
}

/// A buffer written by disjoint row blocks from several threads.
struct UnsafeMutableSendableBuffer: @unchecked Sendable {
    let buffer: UnsafeMutableBufferPointer<Double>
    init(_ buffer: UnsafeMutableBufferPointer<Double>) { self.buffer = buffer }
}

/// A read-only accessor shared by the prediction workers.
struct UnsafeSendableBox<T>: @unchecked Sendable {
    let value: T
    init(_ value: T) { self.value = value }
}

extension Booster {
    /// Predictions for `rows` of an input dataset, as `workbench predict` and the node make them:
    /// without raw values, through the model rebinned on the dataset's bins (`rebinned(for:)`);
    /// with them (float CSV features, `rawValues[f][row]`), on the raw values, so thresholds apply
    /// to what the file says (features without raw values use their integer bins as values).
    public func predict(input dataset: Dataset, rows: [Int32], rawValues: [Int: [Double]], threads: Int) throws -> [Double] {
        if rawValues.isEmpty {
            return try rebinned(for: dataset).predict(dataset: dataset, rows: rows, threads: threads)
        }
        let columns = (0..<dataset.featureCount).map { f in
            rawValues[f].map { values in rows.map { values[Int($0)] } } ?? rows.map { Double(dataset.features[Int($0), f]) }
        }
        return try predict(rawColumns: columns, columnNames: dataset.featureNames, threads: threads)
    }
}
