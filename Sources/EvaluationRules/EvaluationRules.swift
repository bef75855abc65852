import Foundation

// The study file's evaluation rules, shared by Studies (which reads and validates them) and
// Diversity (which applies them); plain values with no dependency, so neither module needs the other.

/// How the evaluation eras are split for out-of-sample choices: an earlier selection
/// range, an embargo gap (targets overlap across neighbouring eras), a later test range.
public struct EvaluationSplit: Codable, Equatable, Sendable {
    /// Share of the non-embargo eras given to selection.
    public var selectionFraction: Double
    public var embargoEras: Int
    public init(selectionFraction: Double = 0.5, embargoEras: Int = 4) {
        self.selectionFraction = selectionFraction
        self.embargoEras = embargoEras
    }

    /// Splits `eraCount` ordered eras: selection = first round(f·(E − embargo)) eras, then the
    /// embargo, then test = the rest.
    public func ranges(eraCount: Int) throws -> (selection: Range<Int>, test: Range<Int>) {
        guard selectionFraction > 0 && selectionFraction < 1, embargoEras >= 0 else {
            throw EvaluationRulesError.badSplit(selectionFraction: selectionFraction, embargoEras: embargoEras)
        }
        let usable = eraCount - embargoEras
        let selection = Int((Double(usable) * selectionFraction).rounded())
        guard usable >= 2, selection >= 1, usable - selection >= 1 else {
            throw EvaluationRulesError.tooFewEras(eraCount: eraCount, embargoEras: embargoEras)
        }
        return (0..<selection, (selection + embargoEras)..<eraCount)
    }
}

/// How the study judges differences (study file `evaluation`): the level α of every test and
/// interval, the Newey–West lag, the equivalence margin, the bootstrap size and seed.
public struct InferenceConfig: Codable, Equatable, Sendable {
    /// Two-sided level: intervals are (1 − α); tests reject at p < α. 0.10 matches the report's 90% intervals.
    public var alpha: Double
    /// Newey–West lag L (Bartlett weights 1 − j/(L+1)): eras whose targets overlap. 20-day targets
    /// on weekly eras overlap 4 eras, hence 4.
    public var hacLag: Int
    /// TOST margin δ: "equivalent" means the mean difference lies inside (−δ, +δ).
    public var equivalenceMargin: Double
    /// Bootstrap resamples for the uncertainty over an arm's models.
    public var bootstrapResamples: Int
    public var bootstrapSeed: UInt64
    /// Contributions are also measured against this ensemble (an arm name or "benchmark"); nil:
    /// the arm named "seeds" if there is one, else the benchmark, else none.
    public var contributionReference: String?
    public init(alpha: Double = 0.10, hacLag: Int = 4, equivalenceMargin: Double = 0.002, bootstrapResamples: Int = 1000,
                bootstrapSeed: UInt64 = 0, contributionReference: String? = nil) {
        self.alpha = alpha; self.hacLag = hacLag; self.equivalenceMargin = equivalenceMargin
        self.bootstrapResamples = bootstrapResamples; self.bootstrapSeed = bootstrapSeed
        self.contributionReference = contributionReference
    }
    enum CodingKeys: String, CodingKey {
        case alpha, hacLag = "hac_lag", equivalenceMargin = "equivalence_margin"
        case bootstrapResamples = "bootstrap_resamples", bootstrapSeed = "bootstrap_seed"
        case contributionReference = "contribution_reference"
    }
}

/// A named ensemble (study file `ensembles`), built by rules that see only the selection eras.
///
/// Steps, in order: candidates = the models of the `from` arms in study order ("all": every
/// analysed model; empty: all); keep those with selection-era corr ≥ `minSelectionCorr` and
/// selection-era BMC ≥ `minSelectionBMC` (against `bmcReference`: "benchmark" or an ensemble
/// defined earlier); order by `topBy` (selection corr or selection BMC, descending; ties by study
/// order); the mining rule drops any model whose |selection-era correlation| with an
/// already kept one exceeds `maxAbsCorr`; keep the first `top`; then, if `greedy` is set, that
/// many Caruana picks with replacement among the survivors (`Scaling.greedyOrder`, weights =
/// pick counts). Weights: `equal`, or `selection_corr` (∝ max(selection corr, 0); equal when all are 0).
/// `firstModels` keeps the first k candidates in study order (the equal-size seed-only null "seeds[k]").
public struct EnsembleRule: Codable, Equatable, Sendable {
    public var name: String
    public var from: [String]
    public var minSelectionCorr: Double?
    public var minSelectionBMC: Double?
    public var bmcReference: String
    public var maxAbsCorr: Double?
    public var top: Int?
    public var topBy: String
    public var greedy: Int?
    public var weights: String
    public var firstModels: Int?
    public init(name: String, from: [String] = [], minSelectionCorr: Double? = nil, minSelectionBMC: Double? = nil,
                bmcReference: String = "benchmark", maxAbsCorr: Double? = nil, top: Int? = nil, topBy: String = "corr",
                greedy: Int? = nil, weights: String = "equal", firstModels: Int? = nil) {
        self.name = name; self.from = from; self.minSelectionCorr = minSelectionCorr; self.minSelectionBMC = minSelectionBMC
        self.bmcReference = bmcReference; self.maxAbsCorr = maxAbsCorr; self.top = top; self.topBy = topBy
        self.greedy = greedy; self.weights = weights; self.firstModels = firstModels
    }

    /// A short human description of the rule ("weights rule" in metrics.json).
    public var describe: String {
        var parts = [from.isEmpty ? "all models" : from.joined(separator: "+")]
        if let k = firstModels { parts.append("first \(k) in study order") }
        if let c = minSelectionCorr { parts.append("selection corr ≥ \(c)") }
        if let b = minSelectionBMC { parts.append("selection BMC vs \(bmcReference) ≥ \(b)") }
        if let r = maxAbsCorr { parts.append("|corr| with kept ≤ \(r)") }
        if let k = top { parts.append("top \(k) by selection \(topBy)") }
        if let g = greedy { parts.append("greedy \(g) picks") }
        parts.append("weights \(greedy != nil ? "pick counts" : weights)")
        return parts.joined(separator: ", ")
    }
}

extension EnsembleRule {
    /// The default ensemble holding the best single model by selection corr among all analysed
    /// models (ties: study order) — the report headline's "best single model" (metrics `best_single`).
    public static let bestSingleName = "best_single"
}

/// A paired contrast to test (study file `contrasts`): ensemble `a` − ensemble `b`.
public struct ContrastRule: Codable, Equatable, Sendable {
    public var name: String
    public var a: String
    public var b: String
    public init(name: String? = nil, a: String, b: String) {
        self.name = name ?? "\(a) − \(b)"; self.a = a; self.b = b
    }
}

/// The one error of this module: an evaluation split that cannot cut the eras it is given, or a
/// pruning record that cannot be read.
public enum EvaluationRulesError: Error, Equatable, CustomStringConvertible, Sendable {
    case badSplit(selectionFraction: Double, embargoEras: Int)
    case tooFewEras(eraCount: Int, embargoEras: Int)
    case unreadablePruningRecord(path: String, reason: String)

    public var description: String {
        switch self {
        case let .badSplit(fraction, embargo):
            return "selection fraction must lie in (0, 1) and the embargo be ≥ 0 (got \(fraction), \(embargo))"
        case let .tooFewEras(eras, embargo):
            return "\(eras) evaluation eras are too few for a selection range, a \(embargo)-era embargo and a test range"
        case let .unreadablePruningRecord(path, reason):
            return "\(path): not a pruning record written by workbench (\(reason))"
        }
    }
}
