/// LightGBM's constants (include/LightGBM/meta.h): `kEpsilon = 1e-15f`, `kZeroThreshold = 1e-35f`.
enum LightGBMConstants {
    static let epsilon = Double(Float(1e-15))
    static let zeroThreshold = Double(Float(1e-35))

    /// `MaybeRoundToZero`: values within ±1e-35 become 0.
    @inline(__always) static func roundToZero(_ x: Double) -> Double { abs(x) > zeroThreshold ? x : 0 }
}

/// The best split found for a leaf (LightGBM's `SplitInfo`, L2 objective).
struct SplitCandidate {
    /// Gain over the parent minus `min_split_gain`; −∞ when the leaf cannot split.
    var gain: Double = -.infinity
    /// Position in the model's feature list; −1 for none.
    var feature: Int = -1
    /// LightGBM bin of the threshold: rows in bins ≤ it go left.
    var bin: Int = 0
    var leftCount = 0
    var rightCount = 0
    var leftQ: Int64 = 0
    var rightQ: Int64 = 0
    var leftGradient = 0.0
    var rightGradient = 0.0
    var leftHessian = 0.0
    var rightHessian = 0.0
    var leftOutput = 0.0
    var rightOutput = 0.0

    /// LightGBM's `SplitInfo::operator>`: larger gain, then the smaller feature index.
    @inline(__always) func isBetter(than other: SplitCandidate) -> Bool {
        if gain != other.gain { return gain > other.gain }
        let a = feature < 0 ? Int.max : feature, b = other.feature < 0 ? Int.max : other.feature
        return a < b
    }
}

/// Split rules of LightGBM's `FeatureHistogram::FindBestThresholdSequentially` (reverse scan,
/// no missing values): thresholds from the top bin down, each child needs `min_data_in_leaf` rows
/// and `min_sum_hessian_in_leaf`, the gain must beat the parent's gain plus `min_gain_to_split`,
/// and among equal gains the higher threshold wins.
struct Splitter {
    let lambdaL1: Double
    let lambdaL2: Double
    let minDataInLeaf: Int
    let minSumHessianInLeaf: Double
    let minGainToSplit: Double

    init(_ p: BoostingParameters) {
        lambdaL1 = p.regAlpha
        lambdaL2 = p.regLambda
        minDataInLeaf = p.minChildSamples
        minSumHessianInLeaf = p.minSumHessianInLeaf
        minGainToSplit = p.minSplitGain
    }

    /// Soft threshold of G by α.
    @inline(__always) func thresholdL1(_ s: Double) -> Double {
        let reg = max(0, abs(s) - lambdaL1)
        return s > 0 ? reg : (s < 0 ? -reg : 0)
    }

    /// Leaf value −T(G)/(H + λ).
    @inline(__always) func leafOutput(gradient: Double, hessian: Double) -> Double {
        -thresholdL1(gradient) / (hessian + lambdaL2)
    }

    /// Loss reduction of a leaf: T(G)²/(H + λ).
    @inline(__always) func leafGain(gradient: Double, hessian: Double) -> Double {
        let t = thresholdL1(gradient)
        return (t * t) / (hessian + lambdaL2)
    }

    /// Best threshold of one feature from its LightGBM-bin histogram.
    /// - Returns: the candidate (gain −∞ if none) and whether any threshold beat the parent
    ///   (LightGBM's `is_splittable`, which decides if the feature is tried in the children).
    func bestThreshold(feature: Int, counts: UnsafePointer<Int>, qs: UnsafePointer<Int64>, binCount: Int,
                       leafCount: Int, leafQ: Int64, leafGradient: Double, leafHessian: Double,
                       fixed: FixedPoint) -> (SplitCandidate, splittable: Bool) {
        var scan = ThresholdScan(self, binCount: binCount, leafCount: leafCount, leafGradient: leafGradient,
                                 leafHessian: leafHessian)
        var bestRightQ: Int64 = 0
        var rightQ: Int64 = 0, rightHessian = LightGBMConstants.epsilon, rightCount = 0
        var t = binCount - 1
        while t >= 1 {
            defer { t -= 1 }
            rightQ &+= qs[t]
            rightHessian += Double(counts[t])
            rightCount += counts[t]
            let step = scan.consider(threshold: t - 1, rightCount: rightCount, rightGradient: fixed.gradient(rightQ),
                                     rightHessian: rightHessian, splitter: self)
            if step == .stop { break }
            if step == .best { bestRightQ = rightQ }
        }
        guard scan.splittable else { return (SplitCandidate(), false) }
        var c = candidate(feature: feature, scan)
        c.rightQ = bestRightQ
        c.leftQ = leafQ &- bestRightQ
        return (c, true)
    }

    /// `bestThreshold` in LightGBM's own floating-point arithmetic, for histograms held as LightGBM
    /// holds them (`hist[2b]` = gradient sum of LightGBM bin `b` in double, `hist[2b + 1]` = its
    /// hessian sum). Counts are `RoundInt(hessian · num_data / sum_hessian)` and every sum
    /// accumulates in scan order, so thresholds whose exact gains tie (bins empty in this leaf)
    /// are decided by the same rounding residues as in LightGBM.
    func bestThresholdExact(feature: Int, hist: UnsafePointer<Double>, binCount: Int,
                            leafCount: Int, leafGradient: Double, leafHessian: Double) -> (SplitCandidate, splittable: Bool) {
        var scan = ThresholdScan(self, binCount: binCount, leafCount: leafCount, leafGradient: leafGradient,
                                 leafHessian: leafHessian)
        let countFactor = Double(leafCount) / scan.sumHessian
        var rightGradient = 0.0, rightHessian = LightGBMConstants.epsilon, rightCount = 0
        var t = binCount - 1
        while t >= 1 {
            defer { t -= 1 }
            let hessian = hist[2 * t + 1]
            rightGradient += hist[2 * t]
            rightHessian += hessian
            rightCount += Int(hessian * countFactor + 0.5)  // RoundInt: truncation of x + 0.5
            if scan.consider(threshold: t - 1, rightCount: rightCount, rightGradient: rightGradient,
                             rightHessian: rightHessian, splitter: self) == .stop { break }
        }
        guard scan.splittable else { return (SplitCandidate(), false) }
        return (candidate(feature: feature, scan), true)
    }

    /// The split a scan found (LightGBM's `SplitInfo` fill): the left child's sums as scanned
    /// (hessian with the scan's 2ε start, removed here), the right child's = the leaf's − left,
    /// and both outputs −T(G)/(H + λ) of those sums (ε still in, as LightGBM computes them).
    private func candidate(feature: Int, _ scan: ThresholdScan) -> SplitCandidate {
        let eps = LightGBMConstants.epsilon
        let sumGradient = scan.sumGradient, sumHessian = scan.sumHessian
        var c = SplitCandidate()
        c.gain = scan.bestGain - scan.minGainShift
        c.feature = feature
        c.bin = scan.bestThreshold
        c.leftCount = scan.bestLeftCount
        c.rightCount = scan.leafCount - scan.bestLeftCount
        c.leftGradient = scan.bestLeftGradient
        c.leftHessian = scan.bestLeftHessian - eps
        c.leftOutput = leafOutput(gradient: scan.bestLeftGradient, hessian: scan.bestLeftHessian)
        c.rightGradient = sumGradient - scan.bestLeftGradient
        c.rightHessian = sumHessian - scan.bestLeftHessian - eps
        c.rightOutput = leafOutput(gradient: sumGradient - scan.bestLeftGradient, hessian: sumHessian - scan.bestLeftHessian)
        return c
    }
}

/// A reverse threshold scan of one leaf and feature (`FindBestThresholdSequentially`), shared by
/// the fixed-point and the double scans: the leaf's sums (hessian + 2ε, as LightGBM), the gain a
/// split must beat (the leaf's own plus `min_gain_to_split`) and the best threshold so far.
struct ThresholdScan {
    enum Step { case skip, stop, valid, best }
    let leafCount: Int
    let sumGradient: Double
    let sumHessian: Double
    let minGainShift: Double
    var splittable = false
    var bestGain = -Double.infinity
    var bestThreshold: Int
    var bestLeftCount = 0
    var bestLeftGradient = Double.nan
    var bestLeftHessian = Double.nan

    @inline(__always)
    init(_ splitter: Splitter, binCount: Int, leafCount: Int, leafGradient: Double, leafHessian: Double) {
        self.leafCount = leafCount
        sumGradient = leafGradient
        sumHessian = leafHessian + 2 * LightGBMConstants.epsilon
        minGainShift = splitter.leafGain(gradient: sumGradient, hessian: sumHessian) + splitter.minGainToSplit
        bestThreshold = binCount
    }

    /// The threshold `threshold` with the right child's running sums (bins above it): `.skip` when
    /// the right child is too small, `.stop` when the left one is (so is every lower threshold's),
    /// else `.valid` when the gain beats the leaf's (the feature is splittable) and `.best` when it
    /// also beats every higher threshold's (kept: among equal gains the higher threshold wins).
    @inline(__always)
    mutating func consider(threshold: Int, rightCount: Int, rightGradient: Double, rightHessian: Double,
                           splitter: Splitter) -> Step {
        if rightCount < splitter.minDataInLeaf || rightHessian < splitter.minSumHessianInLeaf { return .skip }
        let leftCount = leafCount - rightCount
        if leftCount < splitter.minDataInLeaf { return .stop }
        let leftHessian = sumHessian - rightHessian
        if leftHessian < splitter.minSumHessianInLeaf { return .stop }
        let leftGradient = sumGradient - rightGradient
        let gain = splitter.leafGain(gradient: leftGradient, hessian: leftHessian)
            + splitter.leafGain(gradient: rightGradient, hessian: rightHessian)
        if gain <= minGainShift { return .skip }
        splittable = true
        guard gain > bestGain else { return .valid }
        bestLeftCount = leftCount
        bestLeftGradient = leftGradient
        bestLeftHessian = leftHessian
        bestThreshold = threshold
        bestGain = gain
        return .best
    }
}
