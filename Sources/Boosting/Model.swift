import EraData

/// One regression tree in array form (LightGBM's layout).
///
/// Internal node `i` sends a row left when `bin(row, splitFeature[i]) <= thresholdBin[i]`, where
/// the bin is the **dataset's** bin (0..4 for Numerai features). Children `>= 0` are internal
/// nodes; a negative child `c` is leaf `-(c + 1)`. A tree with one leaf has no internal nodes.
/// `leafValue` already includes the learning rate (and, for tree 0, the initial score).
public struct Tree: Equatable, Sendable, Codable {
    public var splitFeature: [Int32]
    public var thresholdBin: [UInt8]
    /// The raw-value threshold LightGBM would write (`x <= threshold` goes left).
    public var threshold: [Double]
    public var splitGain: [Float]
    public var leftChild: [Int32]
    public var rightChild: [Int32]
    public var leafValue: [Double]
    /// Training rows that reached each leaf (for LightGBM's `leaf_count`).
    public var leafCount: [Int32]
    /// Sum of hessians (rows for L2) per internal node and per leaf, for LightGBM's text format.
    public var internalCount: [Int32]
    public var internalValue: [Double]
    public var shrinkage: Double
    /// LightGBM's `decision_type` bits per internal node, kept for imported models: bit 1 (value 2)
    /// = missing values go left, bits 2–3 = missing type (0 none: NaN is read as 0; 1 zero: 0 and
    /// NaN take the default side; 2 NaN: NaN takes the default side). Empty means every node is
    /// `2` (numerical, default left, missing type none), which is what trained trees use.
    public var decisionType: [UInt8]

    public init(splitFeature: [Int32] = [], thresholdBin: [UInt8] = [], threshold: [Double] = [],
                splitGain: [Float] = [], leftChild: [Int32] = [], rightChild: [Int32] = [],
                leafValue: [Double], leafCount: [Int32] = [], internalCount: [Int32] = [],
                internalValue: [Double] = [], shrinkage: Double = 1, decisionType: [UInt8] = []) {
        self.splitFeature = splitFeature
        self.thresholdBin = thresholdBin
        self.threshold = threshold
        self.splitGain = splitGain
        self.leftChild = leftChild
        self.rightChild = rightChild
        self.leafValue = leafValue
        self.leafCount = leafCount
        self.internalCount = internalCount
        self.internalValue = internalValue
        self.shrinkage = shrinkage
        self.decisionType = decisionType
    }

    public var leafCountTotal: Int { leafValue.count }
}

/// A trained ensemble: the sum of its trees' leaf values is the prediction.
/// Feature indices in trees refer to `featureNames` (the dataset's full feature list).
public struct Booster: Equatable, Sendable, Codable {
    public var trees: [Tree]
    public var featureNames: [String]
    /// Upper raw-value edge of each dataset bin per feature (empty: integer bins, value = bin).
    public var binEdges: [[Double]]
    /// Resolved training parameters (name → value), for provenance and export.
    public var parameters: [String: Double]
    public var initScore: Double
    /// The objective of an imported LightGBM model, whose transform predictions apply (nil: the
    /// raw score, as for every model trained here).
    public var objective: ModelObjective?

    public init(trees: [Tree], featureNames: [String], binEdges: [[Double]] = [],
                parameters: [String: Double] = [:], initScore: Double = 0, objective: ModelObjective? = nil) {
        self.trees = trees
        self.featureNames = featureNames
        self.binEdges = binEdges
        self.parameters = parameters
        self.initScore = initScore
        self.objective = objective
    }
}
