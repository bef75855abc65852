import Foundation
import EraData
import Support

extension Booster {
    /// The booster as a LightGBM (v4) text model that `lightgbm.Booster(model_file=...)` loads
    /// and predicts with identically (raw scores, objective `regression`).
    ///
    /// Shape (LightGBM's `GBDT::SaveModelToString` / `Tree::ToString`): header lines, then per
    /// tree `Tree=i`, `num_leaves`, `num_cat=0`, the node arrays, `leaf_value` (learning rate
    /// applied, tree 0 carries the init score), counts, `is_linear=0`, `shrinkage`; then
    /// `end of trees` and a `parameters:` section (LightGBM's names for the parameters it knows). `tree_sizes` is omitted: LightGBM then parses
    /// the trees sequentially. Doubles are written in their shortest round-trip form, which
    /// LightGBM's parser reads back to the same bits.
    public func lightGBMText() -> String {
        var out = ""
        out.reserveCapacity(trees.count * 2_000 + featureNames.count * 40)
        out += "tree\nversion=v4\nnum_class=1\nnum_tree_per_iteration=1\nlabel_index=0\n"
        out += "max_feature_idx=\(featureNames.count - 1)\nobjective=\(objective?.text ?? "regression")\n"
        // LightGBM separates names by spaces, so whitespace inside a name becomes `_`.
        let names = featureNames.map { String($0.map { $0.isWhitespace ? "_" : $0 }) }
        out += "feature_names=" + names.joined(separator: " ") + "\n"
        out += "feature_infos=" + (0..<featureNames.count).map(featureInfo).joined(separator: " ") + "\n\n"
        for (i, tree) in trees.enumerated() {
            out += "Tree=\(i)\n"
            tree.appendLightGBMText(to: &out)
        }
        out += "end of trees\n\nparameters:\n"
        // LightGBM accepts only its canonical names here (aliases draw warnings on stdout).
        for name in parameters.keys.sorted() {
            guard let spec = ParameterTable.spec(canonical: name) else { continue }
            out += "[\(spec.lightGBMName): \(LightGBMFormat.parameter(parameters[name]!))]\n"
        }
        out += "end of parameters\n\npandas_categorical:null\n"
        return out
    }

    /// Writes `lightGBMText()` to `path` through the shared atomic writer (`writeAtomically`).
    public func saveLightGBM(to path: String) throws {
        try BoostingError.writing(Data(lightGBMText().utf8), to: path)
    }

    /// LightGBM's `[min:max]` range of a feature: 0..4 for integer bins, else the finite edges.
    private func featureInfo(_ f: Int) -> String {
        let edges = f < binEdges.count ? binEdges[f].filter(\.isFinite) : []
        guard let lo = edges.first, let hi = edges.last else { return "[0:4]" }
        return "[\(LightGBMFormat.number(lo)):\(LightGBMFormat.number(hi))]"
    }
}

extension Tree {
    fileprivate func appendLightGBMText(to out: inout String) {
        let n = splitFeature.count
        func line<T>(_ key: String, _ values: [T], _ format: (T) -> String) {
            out += key + "=" + values.map(format).joined(separator: " ") + "\n"
        }
        let double = LightGBMFormat.number
        out += "num_leaves=\(leafValue.count)\nnum_cat=0\n"
        line("split_feature", splitFeature) { String($0) }
        line("split_gain", splitGain.isEmpty ? [Float](repeating: 0, count: n) : splitGain) {
            LightGBMFormat.number(Double($0))
        }
        line("threshold", threshold, double)
        line("decision_type", decisionType.isEmpty ? [UInt8](repeating: 2, count: n) : decisionType) { String($0) }
        line("left_child", leftChild) { String($0) }
        line("right_child", rightChild) { String($0) }
        line("leaf_value", leafValue, double)
        // L2 hessians are 1 per row, so LightGBM's weights equal the counts.
        if leafCount.count == leafValue.count {
            if n > 0 { line("leaf_weight", leafCount) { String($0) } } else { out += "leaf_weight=\n" }
            line("leaf_count", leafCount) { String($0) }
        }
        if internalValue.count == n { line("internal_value", internalValue, double) }
        if internalCount.count == n {
            line("internal_weight", internalCount) { String($0) }
            line("internal_count", internalCount) { String($0) }
        }
        out += "is_linear=0\nshrinkage=\(LightGBMFormat.number(shrinkage))\n\n\n"
    }
}

enum LightGBMFormat {
    /// Shortest text that parses back to the same Double; integral values drop Swift's trailing
    /// `.0`; infinities are `inf`/`-inf` as LightGBM 4 itself writes them (NaN-default splits).
    static func number(_ x: Double) -> String {
        if x.isNaN { return "nan" }
        if x == .infinity { return "inf" }
        if x == -.infinity { return "-inf" }
        var s = x.description
        if s.hasSuffix(".0") { s.removeLast(2) }
        return s
    }

    static func parameter(_ x: Double) -> String {
        if x.isFinite, x == x.rounded(), abs(x) < 1e15 { return String(Int64(x)) }
        return number(x)
    }
}
