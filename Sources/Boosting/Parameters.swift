import Foundation
import Support

/// One training parameter: the single source for parsing, validation, defaults and docs
/// (the role of LightGBM's `config.h`).
public struct ParameterSpec: Sendable, Equatable {
    public enum Kind: String, Sendable { case integer, real }

    /// Allowed values: `min`/`max` (nil = unbounded) with inclusive flags.
    public struct Range: Sendable, Equatable, CustomStringConvertible {
        public var min: Double?
        public var minInclusive: Bool
        public var max: Double?
        public var maxInclusive: Bool

        public func contains(_ x: Double) -> Bool {
            if let min, minInclusive ? x < min : x <= min { return false }
            if let max, maxInclusive ? x > max : x >= max { return false }
            return true
        }

        /// Interval notation, e.g. `(0, 1]` or `[0, ∞)`.
        public var description: String {
            let lo = min.map { ParameterSpec.format($0) } ?? "-∞"
            let hi = max.map { ParameterSpec.format($0) } ?? "∞"
            return "\(min != nil && minInclusive ? "[" : "(")\(lo), \(hi)\(max != nil && maxInclusive ? "]" : ")")"
        }
    }

    /// Canonical name (scikit-learn spelling, as in most Numerai code).
    public let name: String
    /// Other names accepted for it (LightGBM's aliases).
    public let aliases: [String]
    /// LightGBM's canonical config name (`config.h`), as its model files and `lgb.train` spell it.
    public let lightGBMName: String
    public let kind: Kind
    public let range: Range
    public let defaultValue: Double
    public let doc: String

    /// Throws unless `value` is finite, integral for an integer parameter (and at most
    /// `ParameterTable.maxIntegerMagnitude`), and inside `range`; the error names `given`.
    public func check(_ value: Double, as given: String) throws {
        guard value.isFinite else { throw BoostingError.parameter(given, value: value, .notFinite) }
        if kind == .integer, value != value.rounded() {
            throw BoostingError.parameter(given, value: value, .notInteger)
        }
        if kind == .integer, abs(value) > ParameterTable.maxIntegerMagnitude {
            throw BoostingError.parameter(given, value: value, .tooLarge)
        }
        guard range.contains(value) else {
            throw BoostingError.parameter(given, value: value, .outOfRange(range))
        }
    }

    static func format(_ x: Double) -> String {
        if x == x.rounded(), abs(x) < 1e15 { return String(Int64(x)) }
        return "\(x)"
    }
}

/// Every parameter the engine understands, with LightGBM's defaults, aliases and ranges.
public enum ParameterTable {
    /// The largest magnitude an integer parameter may have: every integer up to it is exact in a
    /// Double and converts to `Int` without trapping (2^53 ≈ 9.007e15).
    public static let maxIntegerMagnitude = 9e15
    private static func range(min: Double? = nil, minInclusive: Bool = true,
                              max: Double? = nil, maxInclusive: Bool = true) -> ParameterSpec.Range {
        ParameterSpec.Range(min: min, minInclusive: minInclusive, max: max, maxInclusive: maxInclusive)
    }

    public static let all: [ParameterSpec] = [
        ParameterSpec(name: "learning_rate", aliases: ["eta", "shrinkage_rate"], lightGBMName: "learning_rate", kind: .real,
                      range: range(min: 0, minInclusive: false), defaultValue: 0.1,
                      doc: "Shrinkage applied to every tree's leaf values."),
        ParameterSpec(name: "n_estimators",
                      aliases: ["num_iterations", "num_iteration", "num_trees", "num_tree", "num_boost_round",
                                "num_round", "num_rounds", "nrounds", "n_iter", "max_iter"], lightGBMName: "num_iterations",
                      kind: .integer, range: range(min: 0), defaultValue: 100,
                      doc: "Boosting rounds (trees); training stops early when a tree cannot split."),
        ParameterSpec(name: "num_leaves", aliases: ["num_leaf", "max_leaves", "max_leaf", "max_leaf_nodes"], lightGBMName: "num_leaves",
                      kind: .integer, range: range(min: 1, minInclusive: false, max: 131072), defaultValue: 31,
                      doc: "Maximum leaves per tree (leaf-wise growth, best gain first)."),
        ParameterSpec(name: "max_depth", aliases: [], lightGBMName: "max_depth", kind: .integer, range: range(), defaultValue: -1,
                      doc: "Maximum depth of a leaf; ≤ 0 means no limit."),
        ParameterSpec(name: "min_child_samples",
                      aliases: ["min_data_in_leaf", "min_data_per_leaf", "min_data", "min_samples_leaf"], lightGBMName: "min_data_in_leaf",
                      kind: .integer, range: range(min: 0), defaultValue: 20,
                      doc: "Minimum training rows in each child of a split."),
        ParameterSpec(name: "min_sum_hessian_in_leaf",
                      aliases: ["min_child_weight", "min_sum_hessian_per_leaf", "min_sum_hessian", "min_hessian"], lightGBMName: "min_sum_hessian_in_leaf",
                      kind: .real, range: range(min: 0), defaultValue: 1e-3,
                      doc: "Minimum sum of hessians in each child (rows, for L2)."),
        ParameterSpec(name: "reg_lambda", aliases: ["lambda_l2", "lambda", "l2_regularization"], lightGBMName: "lambda_l2", kind: .real,
                      range: range(min: 0), defaultValue: 0,
                      doc: "L2 penalty λ: gain G²/(H+λ), leaf value −G/(H+λ)."),
        ParameterSpec(name: "reg_alpha", aliases: ["lambda_l1", "l1_regularization"], lightGBMName: "lambda_l1", kind: .real,
                      range: range(min: 0), defaultValue: 0,
                      doc: "L1 penalty α: G is soft-thresholded by α in gains and leaf values."),
        ParameterSpec(name: "colsample_bytree", aliases: ["feature_fraction", "sub_feature"], lightGBMName: "feature_fraction", kind: .real,
                      range: range(min: 0, minInclusive: false, max: 1), defaultValue: 1,
                      doc: "Share of features sampled for each tree: max(1, ⌊F·fraction + 0.5⌋) features."),
        ParameterSpec(name: "subsample", aliases: ["bagging_fraction", "sub_row", "bagging"], lightGBMName: "bagging_fraction", kind: .real,
                      range: range(min: 0, minInclusive: false, max: 1), defaultValue: 1,
                      doc: "Share of rows bagged for each tree; only used when subsample_freq > 0."),
        ParameterSpec(name: "subsample_freq", aliases: ["bagging_freq"], lightGBMName: "bagging_freq", kind: .integer,
                      range: range(min: 0), defaultValue: 0,
                      doc: "Re-draw the bag every k trees; 0 disables bagging."),
        ParameterSpec(name: "max_bin", aliases: ["max_bins"], lightGBMName: "max_bin", kind: .integer,
                      range: range(min: 1, minInclusive: false), defaultValue: 255,
                      doc: "Maximum bins per feature; fewer than the distinct values merges them as LightGBM does."),
        ParameterSpec(name: "min_split_gain", aliases: ["min_gain_to_split"], lightGBMName: "min_gain_to_split", kind: .real,
                      range: range(min: 0), defaultValue: 0,
                      doc: "A split must improve the loss by more than this."),
        ParameterSpec(name: "seed", aliases: ["random_state", "random_seed"], lightGBMName: "seed", kind: .integer,
                      range: range(min: Double(Int32.min), max: Double(Int32.max)), defaultValue: 0,
                      doc: "Derives LightGBM's data, bagging and feature-fraction seeds; unset uses LightGBM's fixed seeds."),
    ]

    private static let byName: [String: ParameterSpec] = {
        var out: [String: ParameterSpec] = [:]
        for spec in all {
            out[spec.name] = spec
            for alias in spec.aliases { out[alias] = spec }
        }
        return out
    }()

    private static let byLightGBMName: [String: ParameterSpec] =
        Dictionary(uniqueKeysWithValues: all.map { ($0.lightGBMName, $0) })

    /// The spec for a canonical name or any alias.
    public static func spec(named name: String) -> ParameterSpec? { byName[name] }

    /// The spec whose canonical name is exactly `name` (aliases excluded).
    public static func spec(canonical name: String) -> ParameterSpec? {
        byName[name].flatMap { $0.name == name ? $0 : nil }
    }

    /// The spec for LightGBM's canonical config name (`num_iterations`, `lambda_l2`, …).
    public static func spec(lightGBMName name: String) -> ParameterSpec? { byLightGBMName[name] }

    /// Every accepted spelling (canonical names and aliases).
    public static var allNames: [String] { Array(byName.keys).sorted() }

    /// The parameter list for the README: name, LightGBM's name, aliases, kind, range, default, meaning.
    public static func markdownTable() -> String {
        var lines = ["| name | LightGBM | aliases | type | range | default | meaning |",
                     "|---|---|---|---|---|---|---|"]
        for spec in all {
            let aliases = spec.aliases.map { "`\($0)`" }.joined(separator: ", ")
            lines.append("| `\(spec.name)` | `\(spec.lightGBMName)` | \(aliases) | \(spec.kind.rawValue) | \(spec.range) | "
                         + "\(ParameterSpec.format(spec.defaultValue)) | \(spec.doc) |")
        }
        return lines.joined(separator: "\n") + "\n"
    }
}

/// Typed, validated training parameters (LightGBM semantics, L2 regression).
public struct BoostingParameters: Codable, Hashable, Sendable {
    public var learningRate: Double = 0.1
    public var nEstimators: Int = 100
    public var numLeaves: Int = 31
    public var maxDepth: Int = -1
    public var minChildSamples: Int = 20
    public var minSumHessianInLeaf: Double = 1e-3
    public var regLambda: Double = 0
    public var regAlpha: Double = 0
    public var colsampleBytree: Double = 1
    public var subsample: Double = 1
    public var subsampleFreq: Int = 0
    public var maxBin: Int = 255
    public var minSplitGain: Double = 0
    /// nil: LightGBM's fixed default seeds (data 1, feature fraction 2, bagging 3).
    public var seed: Int? = nil

    /// LightGBM's defaults.
    public init() {}

    /// Parses `name → value` (canonical names or aliases). Unknown names, the same parameter twice,
    /// out-of-range or non-integral values are errors naming the parameter.
    public init(_ values: [String: Double]) throws {
        var canonical: [String: (given: String, value: Double)] = [:]
        for (name, value) in values.sorted(by: { $0.key < $1.key }) {
            guard let spec = ParameterTable.spec(named: name) else {
                throw BoostingError.parameter(name, value: value, .unknown(suggestion: Self.suggestion(for: name)))
            }
            if let previous = canonical[spec.name] {
                throw BoostingError.parameter(name, value: value, .duplicate(previous.given))
            }
            try spec.check(value, as: name)
            canonical[spec.name] = (name, value)
        }
        for (name, entry) in canonical { self[ParameterTable.spec(canonical: name)!] = entry.value }
    }

    /// The value of one table row (nil only for an unset `seed`). Setting stores the value as
    /// the field's type without checking it (integer parameters truncate toward zero); nil
    /// restores LightGBM's default. Values from outside the program enter through `init(_:)`,
    /// which validates them.
    public subscript(spec: ParameterSpec) -> Double? {
        get {
            switch spec.name {
            case "learning_rate": return learningRate
            case "n_estimators": return Double(nEstimators)
            case "num_leaves": return Double(numLeaves)
            case "max_depth": return Double(maxDepth)
            case "min_child_samples": return Double(minChildSamples)
            case "min_sum_hessian_in_leaf": return minSumHessianInLeaf
            case "reg_lambda": return regLambda
            case "reg_alpha": return regAlpha
            case "colsample_bytree": return colsampleBytree
            case "subsample": return subsample
            case "subsample_freq": return Double(subsampleFreq)
            case "max_bin": return Double(maxBin)
            case "min_split_gain": return minSplitGain
            case "seed": return seed.map(Double.init)
            default: preconditionFailure("'\(spec.name)' is not a row of ParameterTable")
            }
        }
        set {
            if spec.name == "seed" { seed = newValue.map { Int($0) }; return }
            let x = newValue ?? spec.defaultValue
            switch spec.name {
            case "learning_rate": learningRate = x
            case "n_estimators": nEstimators = Int(x)
            case "num_leaves": numLeaves = Int(x)
            case "max_depth": maxDepth = Int(x)
            case "min_child_samples": minChildSamples = Int(x)
            case "min_sum_hessian_in_leaf": minSumHessianInLeaf = x
            case "reg_lambda": regLambda = x
            case "reg_alpha": regAlpha = x
            case "colsample_bytree": colsampleBytree = x
            case "subsample": subsample = x
            case "subsample_freq": subsampleFreq = Int(x)
            case "max_bin": maxBin = Int(x)
            case "min_split_gain": minSplitGain = x
            default: preconditionFailure("'\(spec.name)' is not a row of ParameterTable")
            }
        }
    }

    /// Canonical name → value for every parameter (`seed` only when set).
    public var resolved: [String: Double] {
        var out: [String: Double] = [:]
        for spec in ParameterTable.all { out[spec.name] = self[spec] }
        return out
    }

    /// LightGBM's canonical name → value for every parameter (`seed` only when set), the
    /// parameters `lgb.train` takes for the same model.
    public var lightGBM: [String: Double] {
        var out: [String: Double] = [:]
        for spec in ParameterTable.all { out[spec.lightGBMName] = self[spec] }
        return out
    }

    /// Checks the typed fields against the table (for values set directly, not through `init(_:)`).
    public func validate() throws {
        for spec in ParameterTable.all { if let value = self[spec] { try spec.check(value, as: spec.name) } }
    }

    /// The accepted name a typo most likely meant (the tool's one did-you-mean rule, `closest`).
    static func suggestion(for name: String) -> String? { closest(to: name, in: ParameterTable.allNames) }
}
