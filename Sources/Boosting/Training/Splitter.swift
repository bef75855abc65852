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
        let eps = LightGBMConstants.epsilon
        let sumHessian = leafHessian + 2 * eps
        let sumGradient = leafGradient
        let minGainShift = leafGain(gradient: sumGradient, hessian: sumHessian) + minGainToSplit
        var splittable = false
        var bestGain = -Double.infinity
        var bestThreshold = binCount, bestLeftCount = 0
        var bestLeftGradient = Double.nan, bestLeftHessian = Double.nan, bestRightQ: Int64 = 0
        var rightQ: Int64 = 0, rightHessian = eps, rightCount = 0
        var t = binCount - 1
        while t >= 1 {
            defer { t -= 1 }
            rightQ &+= qs[t]
            rightHessian += Double(counts[t])
            rightCount += counts[t]
            if rightCount < minDataInLeaf || rightHessian < minSumHessianInLeaf { continue }
            let leftCount = leafCount - rightCount
            if leftCount < minDataInLeaf { break }
            let leftHessian = sumHessian - rightHessian
            if leftHessian < minSumHessianInLeaf { break }
            let rightGradient = fixed.gradient(rightQ)
            let leftGradient = sumGradient - rightGradient
            let gain = leafGain(gradient: leftGradient, hessian: leftHessian)
                + leafGain(gradient: rightGradient, hessian: rightHessian)
            if gain <= minGainShift { continue }
            splittable = true
            if gain > bestGain {
                bestLeftCount = leftCount
                bestLeftGradient = leftGradient
                bestLeftHessian = leftHessian
                bestRightQ = rightQ
                bestThreshold = t - 1
                bestGain = gain
            }
        }
        guard splittable else { return (SplitCandidate(), false) }
        var c = SplitCandidate()
        c.gain = bestGain - minGainShift
        c.feature = feature
        c.bin = bestThreshold
        c.leftCount = bestLeftCount
        c.rightCount = leafCount - bestLeftCount
        c.rightQ = bestRightQ
        c.leftQ = leafQ &- bestRightQ
        c.leftGradient = bestLeftGradient
        c.leftHessian = bestLeftHessian - eps
        c.leftOutput = leafOutput(gradient: bestLeftGradient, hessian: bestLeftHessian)
        c.rightGradient = sumGradient - bestLeftGradient
        c.rightHessian = sumHessian - bestLeftHessian - eps
        c.rightOutput = leafOutput(gradient: sumGradient - bestLeftGradient, hessian: sumHessian - bestLeftHessian)
        return (c, true)
    }

    /// `bestThreshold` in LightGBM's own floating-point arithmetic, for histograms held as LightGBM
    /// holds them (`hist[2b]` = gradient sum of LightGBM bin `b` in double, `hist[2b + 1]` = its
    /// hessian sum). Counts are `RoundInt(hessian · num_data / sum_hessian)` and every sum
    /// accumulates in scan order, so thresholds whose exact gains tie (bins empty in this leaf)
    /// are decided by the same rounding residues as in LightGBM.
    func bestThresholdExact(feature: Int, hist: UnsafePointer<Double>, binCount: Int,
                            leafCount: Int, leafGradient: Double, leafHessian: Double) -> (SplitCandidate, splittable: Bool) {
        let eps = LightGBMConstants.epsilon
        let sumHessian = leafHessian + 2 * eps
        let sumGradient = leafGradient
        let countFactor = Double(leafCount) / sumHessian
        let minGainShift = leafGain(gradient: sumGradient, hessian: sumHessian) + minGainToSplit
        var splittable = false
        var bestGain = -Double.infinity
        var bestThreshold = binCount, bestLeftCount = 0
        var bestLeftGradient = Double.nan, bestLeftHessian = Double.nan
        var rightGradient = 0.0, rightHessian = eps, rightCount = 0
        var t = binCount - 1
        while t >= 1 {
            defer { t -= 1 }
            let hessian = hist[2 * t + 1]
            rightGradient += hist[2 * t]
            rightHessian += hessian
            rightCount += Int(hessian * countFactor + 0.5)  // RoundInt: truncation of x + 0.5
            if rightCount < minDataInLeaf || rightHessian < minSumHessianInLeaf { continue }
            let leftCount = leafCount - rightCount
            if leftCount < minDataInLeaf { break }
            let leftHessian = sumHessian - rightHessian
            if leftHessian < minSumHessianInLeaf { break }
            let leftGradient = sumGradient - rightGradient
            let gain = leafGain(gradient: leftGradient, hessian: leftHessian)
                + leafGain(gradient: rightGradient, hessian: rightHessian)
            if gain <= minGainShift { continue }
            splittable = true
            if gain > bestGain {
                bestLeftCount = leftCount
                bestLeftGradient = leftGradient
                bestLeftHessian = leftHessian
                bestThreshold = t - 1
                bestGain = gain
            }
        }
        guard splittable else { return (SplitCandidate(), false) }
        var c = SplitCandidate()
        c.gain = bestGain - minGainShift
        c.feature = feature
        c.bin = bestThreshold
        c.leftCount = bestLeftCount
        c.rightCount = leafCount - bestLeftCount
        c.leftGradient = bestLeftGradient
        c.leftHessian = bestLeftHessian - eps
        c.leftOutput = leafOutput(gradient: bestLeftGradient, hessian: bestLeftHessian)
        c.rightGradient = sumGradient - bestLeftGradient
        c.rightHessian = sumHessian - bestLeftHessian - eps
        c.rightOutput = leafOutput(gradient: sumGradient - bestLeftGradient, hessian: sumHessian - bestLeftHessian)
        return (c, true)
    }
}
