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
    public let kind: Kind
    public let range: Range
    public let defaultValue: Double
    public let doc: String

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
        ParameterSpec(name: "learning_rate", aliases: ["eta", "shrinkage_rate"], kind: .real,
                      range: range(min: 0, minInclusive: false), defaultValue: 0.1,
                      doc: "Shrinkage applied to every tree's leaf values."),
        ParameterSpec(name: "n_estimators",
                      aliases: ["num_iterations", "num_iteration", "num_trees", "num_tree", "num_boost_round",
                                "num_round", "num_rounds", "nrounds", "n_iter", "max_iter"],
                      kind: .integer, range: range(min: 0), defaultValue: 100,
                      doc: "Boosting rounds (trees); training stops early when a tree cannot split."),
        ParameterSpec(name: "num_leaves", aliases: ["num_leaf", "max_leaves", "max_leaf", "max_leaf_nodes"],
                      kind: .integer, range: range(min: 1, minInclusive: false, max: 131072), defaultValue: 31,
                      doc: "Maximum leaves per tree (leaf-wise growth, best gain first)."),
        ParameterSpec(name: "max_depth", aliases: [], kind: .integer, range: range(), defaultValue: -1,
                      doc: "Maximum depth of a leaf; ≤ 0 means no limit."),
        ParameterSpec(name: "min_child_samples",
                      aliases: ["min_data_in_leaf", "min_data_per_leaf", "min_data", "min_samples_leaf"],
                      kind: .integer, range: range(min: 0), defaultValue: 20,
                      doc: "Minimum training rows in each child of a split."),
        ParameterSpec(name: "min_sum_hessian_in_leaf",
                      aliases: ["min_child_weight", "min_sum_hessian_per_leaf", "min_sum_hessian", "min_hessian"],
                      kind: .real, range: range(min: 0), defaultValue: 1e-3,
                      doc: "Minimum sum of hessians in each child (rows, for L2)."),
        ParameterSpec(name: "reg_lambda", aliases: ["lambda_l2", "lambda", "l2_regularization"], kind: .real,
                      range: range(min: 0), defaultValue: 0,
                      doc: "L2 penalty λ: gain G²/(H+λ), leaf value −G/(H+λ)."),
        ParameterSpec(name: "reg_alpha", aliases: ["lambda_l1", "l1_regularization"], kind: .real,
                      range: range(min: 0), defaultValue: 0,
                      doc: "L1 penalty α: G is soft-thresholded by α in gains and leaf values."),
        ParameterSpec(name: "colsample_bytree", aliases: ["feature_fraction", "sub_feature"], kind: .real,
                      range: range(min: 0, minInclusive: false, max: 1), defaultValue: 1,
                      doc: "Share of features sampled for each tree: max(1, ⌊F·fraction + 0.5⌋) features."),
        ParameterSpec(name: "subsample", aliases: ["bagging_fraction", "sub_row", "bagging"], kind: .real,
                      range: range(min: 0, minInclusive: false, max: 1), defaultValue: 1,
                      doc: "Share of rows bagged for each tree; only used when subsample_freq > 0."),
        ParameterSpec(name: "subsample_freq", aliases: ["bagging_freq"], kind: .integer,
                      range: range(min: 0), defaultValue: 0,
                      doc: "Re-draw the bag every k trees; 0 disables bagging."),
        ParameterSpec(name: "max_bin", aliases: ["max_bins"], kind: .integer,
                      range: range(min: 1, minInclusive: false), defaultValue: 255,
                      doc: "Maximum bins per feature; fewer than the distinct values merges them as LightGBM does."),
        ParameterSpec(name: "min_split_gain", aliases: ["min_gain_to_split"], kind: .real,
                      range: range(min: 0), defaultValue: 0,
                      doc: "A split must improve the loss by more than this."),
        ParameterSpec(name: "seed", aliases: ["random_state", "random_seed"], kind: .integer,
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

    /// The spec for a canonical name or any alias.
    public static func spec(named name: String) -> ParameterSpec? { byName[name] }

    /// Every accepted spelling (canonical names and aliases).
    public static var allNames: [String] { Array(byName.keys).sorted() }

    /// The parameter list for the README: name, aliases, kind, range, default, meaning.
    public static func markdownTable() -> String {
        var lines = ["| name | aliases | type | range | default | meaning |",
                     "|---|---|---|---|---|---|"]
        for spec in all {
            let aliases = spec.aliases.map { "`\($0)`" }.joined(separator: ", ")
            lines.append("| `\(spec.name)` | \(aliases) | \(spec.kind.rawValue) | \(spec.range) | "
                         + "\(ParameterSpec.format(spec.defaultValue)) | \(spec.doc) |")
        }
        return lines.joined(separator: "\n") + "\n"
    }
}

/// A parameter set that could not be accepted; the message names the parameter.
public struct ParameterError: Error, CustomStringConvertible, Equatable {
    public enum Reason: Equatable, Sendable {
        case unknown(suggestion: String?)
        case outOfRange(ParameterSpec.Range)
        case notInteger
        case notFinite
        /// An integer parameter beyond `ParameterTable.maxIntegerMagnitude` (no exact `Int` for it).
        case tooLarge
        case duplicate(String)
    }
    public let parameter: String
    public let value: Double?
    public let reason: Reason

    public var description: String {
        let shown = value.map { ParameterSpec.format($0) } ?? ""
        switch reason {
        case .unknown(let suggestion):
            return "unknown parameter '\(parameter)'" + (suggestion.map { " (did you mean '\($0)'?)" } ?? "")
        case .outOfRange(let range):
            return "parameter '\(parameter)' = \(shown) is out of range \(range)"
        case .notInteger:
            return "parameter '\(parameter)' = \(shown) must be an integer"
        case .notFinite:
            return "parameter '\(parameter)' = \(shown) must be a finite number"
        case .tooLarge:
            return "parameter '\(parameter)' = \(shown) is too large for an integer parameter (at most 9e15 in magnitude)"
        case .duplicate(let other):
            return "parameter '\(parameter)' is given twice (also as '\(other)')"
        }
    }
}

/// Typed, validated training parameters (LightGBM semantics, L2 regression).
public struct BoostingParameters: Codable, Equatable, Sendable {
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
                throw ParameterError(parameter: name, value: value,
                                     reason: .unknown(suggestion: Self.suggestion(for: name)))
            }
            if let previous = canonical[spec.name] {
                throw ParameterError(parameter: name, value: value, reason: .duplicate(previous.given))
            }
            guard value.isFinite else { throw ParameterError(parameter: name, value: value, reason: .notFinite) }
            if spec.kind == .integer, value != value.rounded() {
                throw ParameterError(parameter: name, value: value, reason: .notInteger)
            }
            if spec.kind == .integer, abs(value) > ParameterTable.maxIntegerMagnitude {
                throw ParameterError(parameter: name, value: value, reason: .tooLarge)
            }
            guard spec.range.contains(value) else {
                throw ParameterError(parameter: name, value: value, reason: .outOfRange(spec.range))
            }
            canonical[spec.name] = (name, value)
        }
        func real(_ name: String) -> Double? { canonical[name]?.value }
        func int(_ name: String) -> Int? { canonical[name].map { Int($0.value) } }
        if let v = real("learning_rate") { learningRate = v }
        if let v = int("n_estimators") { nEstimators = v }
        if let v = int("num_leaves") { numLeaves = v }
        if let v = int("max_depth") { maxDepth = v }
        if let v = int("min_child_samples") { minChildSamples = v }
        if let v = real("min_sum_hessian_in_leaf") { minSumHessianInLeaf = v }
        if let v = real("reg_lambda") { regLambda = v }
        if let v = real("reg_alpha") { regAlpha = v }
        if let v = real("colsample_bytree") { colsampleBytree = v }
        if let v = real("subsample") { subsample = v }
        if let v = int("subsample_freq") { subsampleFreq = v }
        if let v = int("max_bin") { maxBin = v }
        if let v = real("min_split_gain") { minSplitGain = v }
        if let v = int("seed") { seed = v }
    }

    /// Canonical name → value for every parameter (`seed` only when set).
    public var resolved: [String: Double] {
        var out: [String: Double] = [
            "learning_rate": learningRate, "n_estimators": Double(nEstimators),
            "num_leaves": Double(numLeaves), "max_depth": Double(maxDepth),
            "min_child_samples": Double(minChildSamples), "min_sum_hessian_in_leaf": minSumHessianInLeaf,
            "reg_lambda": regLambda, "reg_alpha": regAlpha, "colsample_bytree": colsampleBytree,
            "subsample": subsample, "subsample_freq": Double(subsampleFreq), "max_bin": Double(maxBin),
            "min_split_gain": minSplitGain,
        ]
        if let seed { out["seed"] = Double(seed) }
        return out
    }

    /// Checks the typed fields against the table (for values set directly, not through `init(_:)`).
    public func validate() throws { _ = try BoostingParameters(resolved) }

    /// The accepted name a typo most likely meant (the tool's one did-you-mean rule, `closest`).
    static func suggestion(for name: String) -> String? { closest(to: name, in: ParameterTable.allNames) }
}
