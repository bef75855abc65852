import Foundation
import EraData
import Support

/// A booster cannot be mapped onto a dataset's features.
extension Booster {
    /// Largest integer bin b (0…255) with b ≤ threshold; 0 for thresholds below 0.
    static func integerBin(atOrBelow threshold: Double) -> UInt8 {
        guard !threshold.isNaN else { return 0 }
        return UInt8(min(max(threshold.rounded(.down), 0), 255))
    }

    /// The booster expressed on `dataset`'s features and bins, ready for bin-based prediction.
    ///
    /// Features are matched by name (split features missing from the dataset are an error naming
    /// them; unused ones may be absent). Each split `x ≤ threshold` becomes `bin ≤ thresholdBin`
    /// with thresholdBin the largest bin whose every raw value is ≤ threshold: for integer bins the
    /// largest b ≤ threshold, for edge-binned features the largest b with edges[b] ≤ threshold.
    /// A split that sends every bin right (threshold below bin 0) is removed, its right subtree
    /// taking its place, so predictions are unchanged. Missing-value rules do not matter on bins
    /// (bins are never NaN); zero-as-missing splits that would send bin value 0 against the
    /// threshold rule cannot be expressed on bins and are an error.
    public func rebinned(for dataset: Dataset) throws -> Booster {
        var datasetIndex: [String: Int] = [:]
        for (i, name) in dataset.featureNames.enumerated() { datasetIndex[name] = i }
        var used = Set<Int32>()
        for tree in trees { used.formUnion(tree.splitFeature) }
        let missing = used.sorted().map { featureNames[Int($0)] }.filter { datasetIndex[$0] == nil }
        guard missing.isEmpty else {
            throw BoostingError.datasetLacksFeatures(missing)
        }
        func edges(_ f: Int) -> [Double] { f < dataset.binEdges.count ? dataset.binEdges[f] : [] }

        var out: [Tree] = []
        out.reserveCapacity(trees.count)
        for (t, tree) in trees.enumerated() {
            var tree = tree
            var alwaysRight = Set<Int>()
            if tree.thresholdBin.count != tree.splitFeature.count {
                tree.thresholdBin = [UInt8](repeating: 0, count: tree.splitFeature.count)
            }
            for node in 0..<tree.splitFeature.count {
                let f = datasetIndex[featureNames[Int(tree.splitFeature[node])]]!
                tree.splitFeature[node] = Int32(f)
                let threshold = tree.threshold[node]
                guard !threshold.isNaN else { throw BoostingError.nanThreshold(tree: t, node: node) }
                let e = edges(f)
                // Index of the largest bin wholly at or below the threshold, -1 when none.
                var bin: Int
                if e.isEmpty {
                    bin = threshold < 0 ? -1 : Int(min(threshold.rounded(.down), 255))
                } else {
                    bin = -1
                    while bin + 1 < e.count && e[bin + 1] <= threshold { bin += 1 }
                }
                bin = min(bin, 255)
                if !tree.decisionType.isEmpty {
                    let type = tree.decisionType[node]
                    // Zero-as-missing: the bin holding raw value 0 follows the default side.
                    if (type >> 2) & 3 == 1 {
                        let zeroBin = e.isEmpty ? 0 : (e.firstIndex(where: { 0 <= $0 }) ?? e.count)
                        let zeroGoesLeft = type & 2 != 0
                        if zeroGoesLeft != (zeroBin <= bin) && zeroBin < max(e.count, 1) {
                            throw BoostingError.zeroAsMissingOnBins(tree: t, node: node, feature: featureNames[Int(tree.splitFeature[node])])
                        }
                    }
                }
                if bin < 0 { alwaysRight.insert(node) }
                tree.thresholdBin[node] = UInt8(max(bin, 0))
            }
            out.append(alwaysRight.isEmpty ? tree : tree.removingAlwaysRight(alwaysRight))
        }
        return Booster(trees: out, featureNames: dataset.featureNames, binEdges: dataset.binEdges,
                       parameters: parameters, initScore: initScore, objective: objective)
    }
}

extension Tree {
    /// The tree with the given internal nodes replaced by their right subtrees, renumbered in
    /// depth-first order (nodes and leaves), unreachable leaves dropped.
    func removingAlwaysRight(_ bypass: Set<Int>) -> Tree {
        var result = Tree(leafValue: [], shrinkage: shrinkage)
        let hasGain = !splitGain.isEmpty, hasLeafCount = !leafCount.isEmpty
        let hasInternalValue = !internalValue.isEmpty, hasInternalCount = !internalCount.isEmpty
        let hasDecision = !decisionType.isEmpty
        // Returns the new child reference for old reference `child`.
        func visit(_ child: Int32) -> Int32 {
            var c = child
            while c >= 0 && bypass.contains(Int(c)) { c = rightChild[Int(c)] }
            if c < 0 {
                let leaf = Int(-(c + 1))
                result.leafValue.append(leafValue[leaf])
                if hasLeafCount { result.leafCount.append(leafCount[leaf]) }
                return -Int32(result.leafValue.count)
            }
            let old = Int(c), new = result.splitFeature.count
            result.splitFeature.append(splitFeature[old])
            result.thresholdBin.append(thresholdBin[old])
            result.threshold.append(threshold[old])
            if hasGain { result.splitGain.append(splitGain[old]) }
            if hasInternalValue { result.internalValue.append(internalValue[old]) }
            if hasInternalCount { result.internalCount.append(internalCount[old]) }
            if hasDecision { result.decisionType.append(decisionType[old]) }
            result.leftChild.append(0)
            result.rightChild.append(0)
            let l = visit(leftChild[old])
            let r = visit(rightChild[old])
            result.leftChild[new] = l
            result.rightChild[new] = r
            return Int32(new)
        }
        if splitFeature.isEmpty {
            return self
        }
        let root = visit(0)
        if root < 0 {  // the whole tree collapsed to one leaf
            result.splitGain = []
        }
        return result
    }
}
