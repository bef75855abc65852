import Dispatch
import EraData

/// A tree flattened for prediction: one 16-byte record per internal node.
private struct FlatNode {
    var column: UnsafePointer<UInt8>
    var threshold: UInt8
    var left: Int32
    var right: Int32
}

extension Booster {
    /// Predictions for dataset rows, straight on their bins: the sum of every tree's leaf value
    /// (then the objective's transform, for imported non-L2 LightGBM models).
    ///
    /// Trees are applied one at a time over blocks of rows (the block's bins stay in cache), each
    /// row's sum is taken in tree order, so the result is bit-identical for any `threads`.
    /// Feature indices in the trees refer to the dataset's features (same layout as in training).
    public func predict(dataset: Dataset, rows: [Int32], threads: Int = 1) -> [Double] {
        let maxFeature = trees.lazy.flatMap { $0.splitFeature }.max() ?? -1
        precondition(Int(maxFeature) < dataset.featureCount,
                     "model uses feature \(maxFeature) but the dataset has \(dataset.featureCount)")
        // Flatten all trees into one node array and one leaf-value array, in tree order.
        // A tree without splits has nodeStart −1 and adds its single value.
        var nodes: [FlatNode] = []
        var leafValues: [Double] = []
        var nodeStart: [Int32] = [], leafStart: [Int32] = []
        for tree in trees {
            nodeStart.append(tree.leftChild.isEmpty ? -1 : Int32(nodes.count))
            leafStart.append(Int32(leafValues.count))
            for i in tree.splitFeature.indices {
                nodes.append(FlatNode(column: dataset.features.column(Int(tree.splitFeature[i])).baseAddress!,
                                      threshold: tree.thresholdBin[i], left: tree.leftChild[i],
                                      right: tree.rightChild[i]))
            }
            leafValues.append(contentsOf: tree.leafValue.isEmpty ? [0] : tree.leafValue)
        }
        let n = rows.count
        var out = [Double](repeating: 0, count: n)
        if n == 0 { return out }
        let treeCount = trees.count
        let block = 2048
        let blocks = (n + block - 1) / block
        let workers = max(1, min(threads, blocks))
        out.withUnsafeMutableBufferPointer { outBuffer in
            let outBase = outBuffer.baseAddress!
            nodes.withUnsafeBufferPointer { nodeBuffer in
                leafValues.withUnsafeBufferPointer { leafBuffer in
                    rows.withUnsafeBufferPointer { rowBuffer in
                        nonisolated(unsafe) let work = { (b: Int) in
                            let start = b * block, count = min(block, n - start)
                            let o = outBase + start, r = rowBuffer.baseAddress! + start
                            for t in 0..<treeCount {
                                let lv = leafBuffer.baseAddress! + Int(leafStart[t])
                                if nodeStart[t] < 0 {
                                    let v = lv[0]
                                    for i in 0..<count { o[i] += v }
                                } else {
                                    Self.addTree(nodes: nodeBuffer.baseAddress! + Int(nodeStart[t]), leaves: lv,
                                                 rows: r, count: count, into: o)
                                }
                            }
                        }
                        if workers > 1 {
                            parallelIterations(workers) { w in
                                var b = w
                                while b < blocks { work(b); b += workers }
                            }
                        } else {
                            for b in 0..<blocks { work(b) }
                        }
                    }
                }
            }
        }
        return applyingObjective(out)
    }

    /// Walks eight rows at a time so their dependent loads overlap.
    @inline(__always)
    private static func addTree(nodes: UnsafePointer<FlatNode>, leaves: UnsafePointer<Double>,
                                rows: UnsafePointer<Int32>, count: Int, into out: UnsafeMutablePointer<Double>) {
        var i = 0
        var r = (0, 0, 0, 0, 0, 0, 0, 0)
        while i + 8 <= count {
            r = (Int(rows[i]), Int(rows[i + 1]), Int(rows[i + 2]), Int(rows[i + 3]),
                 Int(rows[i + 4]), Int(rows[i + 5]), Int(rows[i + 6]), Int(rows[i + 7]))
            var n: (Int32, Int32, Int32, Int32, Int32, Int32, Int32, Int32) = (0, 0, 0, 0, 0, 0, 0, 0)
            @inline(__always) func step(_ node: inout Int32, _ row: Int) {
                if node >= 0 { let d = nodes[Int(node)]; node = d.column[row] <= d.threshold ? d.left : d.right }
            }
            // Until all eight reached a leaf (a negative node): the AND of negatives is negative.
            while (n.0 & n.1 & n.2 & n.3 & n.4 & n.5 & n.6 & n.7) >= 0 {
                step(&n.0, r.0); step(&n.1, r.1); step(&n.2, r.2); step(&n.3, r.3)
                step(&n.4, r.4); step(&n.5, r.5); step(&n.6, r.6); step(&n.7, r.7)
            }
            out[i] += leaves[Int(~n.0)]; out[i + 1] += leaves[Int(~n.1)]
            out[i + 2] += leaves[Int(~n.2)]; out[i + 3] += leaves[Int(~n.3)]
            out[i + 4] += leaves[Int(~n.4)]; out[i + 5] += leaves[Int(~n.5)]
            out[i + 6] += leaves[Int(~n.6)]; out[i + 7] += leaves[Int(~n.7)]
            i += 8
        }
        while i < count {
            let r = Int(rows[i])
            var node: Int32 = 0
            while node >= 0 { let d = nodes[Int(node)]; node = d.column[r] <= d.threshold ? d.left : d.right }
            out[i] += leaves[Int(~node)]
            i += 1
        }
    }
}
