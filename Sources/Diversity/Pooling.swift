import EvaluationRules
import Foundation

/// Inverse-variance pooling of k independent estimates yᵢ with standard errors sᵢ (one per
/// replicate of a study), as `statsmodels.stats.meta_analysis.combine_effects(method_re="dl")`
/// except that τ² is clipped at 0 as DerSimonian–Laird (and R's metafor) define it; statsmodels
/// keeps the negative moment estimate when Q < k − 1.
///
/// Fixed effect: wᵢ = 1/sᵢ², μ_F = Σwᵢyᵢ/Σwᵢ, se_F = 1/√Σwᵢ.
/// Heterogeneity: Q = Σwᵢ(yᵢ − μ_F)², I² = max(0, (Q − (k−1))/Q) (0 when Q = 0).
/// DerSimonian–Laird: τ² = max(0, (Q − (k−1)) / (Σwᵢ − Σwᵢ²/Σwᵢ)), wᵢ* = 1/(sᵢ² + τ²),
/// μ_R = Σwᵢ*yᵢ/Σwᵢ*, se_R = 1/√Σwᵢ*. Intervals are μ ± z·se with z = Φ⁻¹(1 − (1 − level)/2)
/// (normal, as statsmodels' default `use_t=False`). With k = 1, τ² = I² = 0 and both equal the input.
public struct MetaAnalysis: Equatable, Sendable {
    public let k: Int
    public let level: Double
    public let fixedMean: Double
    public let fixedSE: Double
    public let randomMean: Double
    public let randomSE: Double
    public let q: Double
    public let tau2: Double
    public let i2: Double

    /// nil when no estimate has a finite mean and a finite standard error > 0.
    public init?(effects: [Double], standardErrors: [Double], level: Double = 0.9) {
        let pairs = zip(effects, standardErrors).filter { $0.0.isFinite && $0.1.isFinite && $0.1 > 0 }
        guard !pairs.isEmpty else { return nil }
        let y = pairs.map { $0.0 }, v = pairs.map { $0.1 * $0.1 }
        let w = v.map { 1 / $0 }
        let sw = w.reduce(0, +)
        let muF = zip(w, y).reduce(0) { $0 + $1.0 * $1.1 } / sw
        let q = zip(w, y).reduce(0) { $0 + $1.0 * ($1.1 - muF) * ($1.1 - muF) }
        let df = Double(pairs.count - 1)
        let c = sw - w.reduce(0) { $0 + $1 * $1 } / sw
        let tau2 = pairs.count > 1 && c > 0 ? max(0, (q - df) / c) : 0
        let wr = v.map { 1 / ($0 + tau2) }
        let swr = wr.reduce(0, +)
        k = pairs.count
        self.level = level
        fixedMean = muF
        fixedSE = 1 / sw.squareRoot()
        randomMean = zip(wr, y).reduce(0) { $0 + $1.0 * $1.1 } / swr
        randomSE = 1 / swr.squareRoot()
        self.q = q
        self.tau2 = tau2
        i2 = q > 0 ? max(0, (q - df) / q) : 0
    }

    /// z of the two-sided interval at `level`.
    public var z: Double { inverseNormalCDF(1 - (1 - level) / 2) }
    public var fixedInterval: (low: Double, high: Double) { (fixedMean - z * fixedSE, fixedMean + z * fixedSE) }
    public var randomInterval: (low: Double, high: Double) { (randomMean - z * randomSE, randomMean + z * randomSE) }
}

/// One replicate's estimate of one quantity (a contrast a − b, or an ensemble's level).
public struct ReplicateEstimate: Codable, Equatable, Sendable {
    /// The replicate's label (`data1-seed0-fold2of3`).
    public var replicate: String
    /// The quantity: a contrast's `name`, or a level such as `ensemble corr`.
    public var name: String
    public var mean: Double
    /// The standard error pooled with: the replicate's Newey–West (HAC) one (a contrast's plain
    /// one only when its HAC one is missing).
    public var se: Double
    /// The replicate's own interval, as its metrics.json gives it.
    public var ciLow: Double
    public var ciHigh: Double
    public var nEras: Int?
    /// The replicate's own verdict, when its metrics.json gives one.
    public var verdict: String?

    enum CodingKeys: String, CodingKey {
        case replicate, name, mean, se, ciLow = "ci_low", ciHigh = "ci_high", nEras = "n_eras", verdict
    }
}

/// What one replicate's `metrics.json` says, as estimates to pool. Every standard error comes
/// from the replicate's own inference (Diversity/Inference: `ContrastResult`, `MeanInterval`);
/// nothing here estimates one again.
public struct ReplicateEvidence: Sendable {
    /// Quantities in first-seen order with their kind, sides and equivalence margin.
    public struct Quantity: Codable, Equatable, Sendable {
        public var name: String
        /// `contrast` (from `contrasts[]`) or `level` (an ensemble's test corr, from `ensembles[]`).
        public var kind: String
        public var a: String?
        public var b: String?
        /// The contrast's equivalence margin (TOST), when it has one.
        public var margin: Double?
    }
    public var quantities: [Quantity] = []
    public var estimates: [ReplicateEstimate] = []

    public init() {}

    /// The pooled name of an ensemble's level: "all" → `ensemble corr`, "benchmark" →
    /// `benchmark corr`, an arm → `arm <name> ensemble corr`.
    static func levelName(_ ensemble: String) -> String {
        switch ensemble {
        case "all": return "ensemble corr"
        case "benchmark": return "benchmark corr"
        default: return "arm \(ensemble) ensemble corr"
        }
    }

    /// Reads one replicate's metrics.json.
    ///
    /// Contrasts: each `contrasts[]` entry's `mean` with its `hac_se` and `hac_ci_*` (the plain
    /// `se` / `ci_*` only when the HAC ones are null). Levels: the test corr of the ensembles
    /// `all`, `benchmark` and each arm's (`ensembles[]` `test_corr`, an interval
    /// mean ± t_{1−α/2,n−1}·HAC se at the study's `inference.alpha`), whose se is read back as
    /// (ci_high − ci_low)/(2·t_{1−α/2,n−1}) — `PairedInference.hacStandardError` of the
    /// ensemble's per-era test corr, not a second estimate.
    ///
    /// Order of first appearance: the headline contrasts (`all` − `best_single`, `all` −
    /// `benchmark`, as the study report's headline), the levels, then the other contrasts in the
    /// study's order. `level` is the two-sided level of the intervals made up when a contrast
    /// gives none.
    public mutating func add(metricsJSON data: Data, replicate: String, level: Double) throws {
        guard let root = try JSONSerialization.jsonObject(with: data) as? [String: Any] else {
            throw DiversityError("metrics.json of replicate \(replicate) is not a JSON object")
        }
        let z = inverseNormalCDF(1 - (1 - level) / 2)
        func number(_ v: Any?) -> Double? {
            guard let n = v as? NSNumber else { return nil }
            let d = n.doubleValue
            return d.isFinite ? d : nil
        }
        var contrasts: [(Quantity, ReplicateEstimate)] = []
        for (i, entry) in ((root["contrasts"] as? [Any]) ?? []).enumerated() {
            guard let c = entry as? [String: Any], let name = c["name"] as? String else {
                throw DiversityError("metrics.json of replicate \(replicate): contrasts[\(i)] has no name")
            }
            guard let mean = number(c["mean"]), let se = number(c["hac_se"]) ?? number(c["se"]) else { continue }
            let hac = number(c["hac_se"]) != nil
            let low = (hac ? number(c["hac_ci_low"]) : nil) ?? number(c["ci_low"]) ?? mean - z * se
            let high = (hac ? number(c["hac_ci_high"]) : nil) ?? number(c["ci_high"]) ?? mean + z * se
            let margin = number((c["equivalence"] as? [String: Any])?["margin"])
            contrasts.append((Quantity(name: name, kind: "contrast", a: c["a"] as? String, b: c["b"] as? String, margin: margin),
                              ReplicateEstimate(replicate: replicate, name: name, mean: mean, se: se, ciLow: low, ciHigh: high,
                                                nEras: (c["n_eras"] as? NSNumber)?.intValue, verdict: c["verdict"] as? String)))
        }

        var levels: [(Quantity, ReplicateEstimate)] = []
        let alpha = number((root["inference"] as? [String: Any])?["alpha"]) ?? InferenceConfig().alpha
        let benchmark = root["benchmark"] as? String
        let arms = ((root["arms"] as? [[String: Any]]) ?? []).compactMap { $0["arm"] as? String }
            .filter { $0 != benchmark && $0 != "all" && $0 != "benchmark" }
        let ensembles = Dictionary(((root["ensembles"] as? [[String: Any]]) ?? []).compactMap { e in (e["name"] as? String).map { ($0, e) } },
                                   uniquingKeysWith: { first, _ in first })
        for ensemble in ["all", "benchmark"] + arms {
            guard let corr = ensembles[ensemble]?["test_corr"] as? [String: Any], let mean = number(corr["mean"]),
                  let low = number(corr["ci_low"]), let high = number(corr["ci_high"]),
                  let eras = (corr["eras"] as? NSNumber)?.intValue, eras > 1 else { continue }
            let t = Distributions.tQuantile(1 - alpha / 2, degreesOfFreedom: Double(eras - 1))
            let name = Self.levelName(ensemble)
            levels.append((Quantity(name: name, kind: "level", a: ensemble, b: nil, margin: nil),
                           ReplicateEstimate(replicate: replicate, name: name, mean: mean, se: (high - low) / (2 * t),
                                             ciLow: low, ciHigh: high, nEras: eras, verdict: nil)))
        }

        func isHeadline(_ q: Quantity, _ b: String) -> Bool { q.a == "all" && q.b == b }
        let headline = [EnsembleRule.bestSingleName, "benchmark"].flatMap { b in contrasts.filter { isHeadline($0.0, b) } }
        let others = contrasts.filter { c in !headline.contains { $0.0.name == c.0.name } }
        for (q, e) in headline + levels + others {
            note(q)
            estimates.append(e)
        }
    }

    private mutating func note(_ q: Quantity) {
        if let i = quantities.firstIndex(where: { $0.name == q.name }) {
            if quantities[i].margin == nil { quantities[i].margin = q.margin }
        } else {
            quantities.append(q)
        }
    }
}

/// A quantity pooled over the replicates, with the robustness rule applied.
public struct PooledEstimate: Codable, Equatable, Sendable {
    public struct Fixed: Codable, Equatable, Sendable {
        public var mean: Double, se: Double, ciLow: Double, ciHigh: Double
        enum CodingKeys: String, CodingKey { case mean, se, ciLow = "ci_low", ciHigh = "ci_high" }
    }
    public struct Random: Codable, Equatable, Sendable {
        public var mean: Double, se: Double, ciLow: Double, ciHigh: Double, tau2: Double, i2: Double
        enum CodingKeys: String, CodingKey { case mean, se, ciLow = "ci_low", ciHigh = "ci_high", tau2, i2 }
    }
    /// Between-replicate spread of the replicate means: sd (ddof 1; 0 for one), min, max.
    public struct Spread: Codable, Equatable, Sendable {
        public var sd: Double, min: Double, max: Double
    }
    public var name: String
    public var kind: String
    public var a: String?
    public var b: String?
    /// Replicates pooled (those with a finite mean and se > 0).
    public var k: Int
    public var fixed: Fixed
    public var random: Random
    public var q: Double
    public var spread: Spread
    /// Replicates whose mean has the sign of the pooled (random-effects) mean.
    public var signAgreement: Int
    /// ⌈2k/3⌉: the agreement a robust verdict needs.
    public var signNeeded: Int
    public var robust: Bool
    /// `robust positive`, `robust negative`, `positive, not robust`, `negative, not robust`,
    /// `equivalent` or `inconclusive`.
    public var verdict: String
    /// Labels of replicates left out: the quantity is missing there, or has no finite mean or no
    /// finite standard error > 0 (an empty ensemble, or the same ensemble on both sides of a
    /// contrast, e.g. a filter that kept every model: every paired difference is exactly 0).
    public var excluded: [String]
    /// Contrasts only: two-sided p of the random-effects estimate, 2·(1 − Φ(|μ_RE|/se_RE)) — the
    /// normal test whose (1 − α) interval is `random` — and that p Holm-adjusted over all the
    /// pooled contrasts of the study (levels are not tested). nil for levels.
    public var p: Double? = nil
    public var pHolm: Double? = nil
    /// Contrasts with an equivalence margin δ only: the TOST p of the random-effects estimate,
    /// max(1 − Φ((μ_RE + δ)/se_RE), Φ((μ_RE − δ)/se_RE)) — the interval at `level` lies inside ±δ
    /// exactly when it is below α/2 — and that p Holm-adjusted over all the pooled contrasts
    /// with a margin (the family of `p_holm`). nil otherwise.
    public var tostP: Double? = nil
    public var tostPHolm: Double? = nil
    /// Contrasts only: `verdict` with both calls adjusted over the pooled contrasts — the
    /// directional one made by `p_holm` < α instead of by the unadjusted interval (robust rule
    /// unchanged), the equivalence one by `tost_p_holm` < α/2 instead of by the unadjusted
    /// interval inside ±δ; else `inconclusive`. What a claim across many contrasts should quote.
    public var verdictHolm: String? = nil
    /// Contrasts only: the pooled minimum detectable effect, (z_{1−α/2} + z_{0.8})·se_RE — the true
    /// difference the unadjusted pooled test finds with 80 % power.
    public var mde: Double? = nil

    enum CodingKeys: String, CodingKey {
        case name, kind, a, b, k, fixed, random, q, spread, signAgreement = "sign_agreement", signNeeded = "sign_needed"
        case robust, verdict, excluded, p, pHolm = "p_holm", tostP = "tost_p", tostPHolm = "tost_p_holm"
        case verdictHolm = "verdict_holm", mde
    }
}

public enum ReplicatePooling {
    /// ⌈2k/3⌉: how many of k replicates must share the pooled sign for a robust verdict.
    public static func signNeeded(k: Int) -> Int { (2 * k + 2) / 3 }

    /// Pools every quantity of `evidence` over the replicates (in `replicates` order).
    ///
    /// The verdict reads the random-effects interval at `level`: above 0 is positive, below 0
    /// negative; an interval inside ±margin (contrasts with an equivalence margin) is
    /// `equivalent`; otherwise `inconclusive`. A positive or negative verdict is *robust* only
    /// when k ≥ 2 and at least ⌈2k/3⌉ of the k replicate means have the pooled mean's sign.
    public static func pool(_ evidence: ReplicateEvidence, replicates: [String], level: Double = 0.9) -> [PooledEstimate] {
        var out: [PooledEstimate] = []
        var margins: [Double?] = []
        for quantity in evidence.quantities {
            let byReplicate = Dictionary(evidence.estimates.filter { $0.name == quantity.name }.map { ($0.replicate, $0) },
                                         uniquingKeysWith: { first, _ in first })
            let rows = replicates.compactMap { byReplicate[$0] }
            let usable = rows.filter { $0.mean.isFinite && $0.se.isFinite && $0.se > 0 }
            let excluded = replicates.filter { label in !usable.contains { $0.replicate == label } }
            guard let meta = MetaAnalysis(effects: usable.map(\.mean), standardErrors: usable.map(\.se), level: level) else { continue }
            let means = usable.map(\.mean)
            let avg = means.reduce(0, +) / Double(means.count)
            let sd = means.count > 1 ? (means.reduce(0) { $0 + ($1 - avg) * ($1 - avg) } / Double(means.count - 1)).squareRoot() : 0
            let sign = meta.randomMean > 0 ? 1.0 : (meta.randomMean < 0 ? -1.0 : 0)
            let agree = sign == 0 ? 0 : means.filter { $0 * sign > 0 }.count
            let needed = signNeeded(k: meta.k)
            let (lo, hi) = meta.randomInterval
            let direction: String? = lo > 0 ? "positive" : (hi < 0 ? "negative" : nil)
            let robust = direction != nil && meta.k >= 2 && agree >= needed
            let verdict: String
            if let direction {
                verdict = robust ? "robust \(direction)" : "\(direction), not robust"
            } else if let margin = quantity.margin, lo > -margin, hi < margin {
                verdict = "equivalent"
            } else {
                verdict = "inconclusive"
            }
            let (flo, fhi) = meta.fixedInterval
            margins.append(quantity.margin)
            out.append(PooledEstimate(
                name: quantity.name, kind: quantity.kind, a: quantity.a, b: quantity.b, k: meta.k,
                fixed: .init(mean: meta.fixedMean, se: meta.fixedSE, ciLow: flo, ciHigh: fhi),
                random: .init(mean: meta.randomMean, se: meta.randomSE, ciLow: lo, ciHigh: hi, tau2: meta.tau2, i2: meta.i2),
                q: meta.q, spread: .init(sd: sd, min: means.min()!, max: means.max()!),
                signAgreement: agree, signNeeded: needed, robust: robust, verdict: verdict, excluded: excluded))
        }
        return holmAdjusted(out, margins: margins, alpha: 1 - level)
    }

    /// Sets `p`, `p_holm`, `tost_p`, `tost_p_holm`, `verdict_holm` and `mde` of the contrast rows
    /// (each p Holm-adjusted over all of them together). `verdict_holm`: the directional verdict
    /// when p_holm < α; else `equivalent` when the contrast has a margin (`margins[i]`) and
    /// tost_p_holm < α/2 (the adjusted form of "the interval lies inside ±margin"); else
    /// `inconclusive`.
    static func holmAdjusted(_ rows: [PooledEstimate], margins: [Double?], alpha: Double) -> [PooledEstimate] {
        let contrasts = rows.indices.filter { rows[$0].kind == "contrast" }
        func usable(_ r: PooledEstimate.Random) -> Bool { r.se > 0 && r.se.isFinite && r.mean.isFinite }
        let p = contrasts.map { i -> Double in
            let r = rows[i].random
            guard usable(r) else { return .nan }
            return 2 * (1 - Distributions.normalCDF(abs(r.mean) / r.se))
        }
        let tost = contrasts.map { i -> Double in
            let r = rows[i].random
            guard usable(r), let margin = margins[i] else { return .nan }
            return PairedInference.normalTOST(mean: r.mean, se: r.se, margin: margin)
        }
        let adjusted = PairedInference.holm(p), tostAdjusted = PairedInference.holm(tost)
        let zMDE = Distributions.normalQuantile(1 - alpha / 2) + Distributions.normalQuantile(0.8)
        var out = rows
        for (j, i) in contrasts.enumerated() {
            out[i].mde = rows[i].random.se.isFinite ? zMDE * rows[i].random.se : nil
            out[i].p = p[j].isNaN ? nil : p[j]
            out[i].pHolm = adjusted[j].isNaN ? nil : adjusted[j]
            out[i].tostP = tost[j].isNaN ? nil : tost[j]
            out[i].tostPHolm = tostAdjusted[j].isNaN ? nil : tostAdjusted[j]
            let directional = out[i].verdict.hasPrefix("robust") || out[i].verdict.hasSuffix("not robust")
            if directional, let ph = out[i].pHolm, ph < alpha {
                out[i].verdictHolm = out[i].verdict
            } else if let tp = out[i].tostPHolm, tp < alpha / 2 {
                out[i].verdictHolm = "equivalent"
            } else {
                out[i].verdictHolm = "inconclusive"
            }
        }
        return out
    }
}
