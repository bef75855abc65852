import Diversity
import Foundation

/// A study's headline numbers, read from its metrics.json (any version: older files without
/// `ensembles[]` fall back to the per-era and scaling blocks). `compare` opens with them and
/// `table` lists them per study.
///
/// | key | label | from |
/// |---|---|---|
/// | `ensemble` | ensemble (all) | `ensembles[name=all].test_corr.mean`, else the mean of `per_era[].ensemble` |
/// | `best_single` | best single | `ensembles[name=best_single].test_corr.mean`, else the mean of `per_era[].best_single` |
/// | `benchmark` | benchmark | `ensembles[name=benchmark].test_corr.mean`, else the mean of `per_era[].benchmark` |
/// | `arm:A` | arm A ensemble | `ensembles[name=A].test_corr.mean`, else `arms[arm=A].scaling` at the largest k (method random) |
/// | `rho` | ρ̄ (mean pairwise corr) | `diversity.pairwise_corr_mean` |
/// | `effective_models` | effective models | `diversity.effective_models` |
///
/// The first four are mean numerai_corr over the test eras (out of sample). Missing values are
/// left out (e.g. no benchmark).
public struct Headline: Sendable, Equatable {
    public struct Value: Sendable, Equatable {
        public let key: String
        public let label: String
        public let value: Double
    }
    public let values: [Value]
    /// Per-era test corr for `ensemble`, `best_single`, `benchmark`: key → era → value (finite only).
    public private(set) var perEra: [String: [String: Double]]
    /// Era names in the order of metrics.json `per_era` (time order).
    public private(set) var eraOrder: [String]
    /// The study's `inference.alpha` and `inference.hac_lag` (defaults 0.10 and 4 when absent).
    public let alpha: Double
    public let hacLag: Int

    public static let perEraKeys = ["ensemble", "best_single", "benchmark"]

    public init(_ document: JSONValue) {
        let top = document.object ?? [:]
        var perEra: [String: [String: Double]] = [:]
        var order: [String] = []
        for element in top["per_era"]?.array ?? [] {
            guard let o = element.object, let era = o["era"]?.string else { continue }
            order.append(era)
            for key in Self.perEraKeys {
                if let v = o[key]?.number, v.isFinite { perEra[key, default: [:]][era] = v }
            }
        }
        var ensembles: [String: Double] = [:]
        for element in top["ensembles"]?.array ?? [] {
            if let o = element.object, let name = o["name"]?.string, let v = o["test_corr"]?.object?["mean"]?.number {
                ensembles[name] = v
            }
        }
        func mean(_ key: String) -> Double? {
            guard let series = perEra[key], !series.isEmpty else { return nil }
            return series.keys.sorted().reduce(0.0) { $0 + series[$1]! } / Double(series.count)
        }
        var values: [Value] = []
        func add(_ key: String, _ label: String, _ value: Double?) {
            if let value { values.append(Value(key: key, label: label, value: value)) }
        }
        add("ensemble", "ensemble (all)", ensembles["all"] ?? mean("ensemble"))
        add("best_single", "best single", ensembles["best_single"] ?? mean("best_single"))
        let benchmarkID = top["benchmark"]?.string
        add("benchmark", "benchmark", ensembles["benchmark"] ?? (benchmarkID == nil ? nil : mean("benchmark")))
        for element in top["arms"]?.array ?? [] {
            guard let o = element.object, let arm = o["arm"]?.string, arm != "benchmark" else { continue }
            // An arm holding only the benchmark model is the benchmark row already.
            if let ids = o["model_ids"]?.array, ids.count == 1, ids.first?.string == benchmarkID { continue }
            var largest: (k: Double, corr: Double)? = nil
            for row in o["scaling"]?.array ?? [] {
                guard let r = row.object, r["method"]?.string == "random", let k = r["k"]?.number,
                      let c = r["corr_mean"]?.number else { continue }
                if largest == nil || k > largest!.k { largest = (k, c) }
            }
            add("arm:" + arm, "arm \(arm) ensemble", ensembles[arm] ?? largest?.corr)
        }
        let diversity = top["diversity"]?.object
        add("rho", "ρ̄ (mean pairwise corr)", diversity?["pairwise_corr_mean"]?.number)
        add("effective_models", "effective models", diversity?["effective_models"]?.number)
        self.values = values
        self.perEra = perEra
        eraOrder = order
        let inference = top["inference"]?.object
        alpha = inference?["alpha"]?.number ?? 0.10
        hacLag = Int(inference?["hac_lag"]?.number ?? 4)
    }

    public func value(_ key: String) -> Double? { values.first { $0.key == key }?.value }

    /// Adds per-era series of further headline keys (the arms' ensembles from predictions.h5,
    /// `StoredSeries`); `eras` in time order.
    public mutating func addPerEra(_ series: [String: [String: Double]], eras: [String]) {
        for (key, values) in series where perEra[key] == nil { perEra[key] = values }
        for era in eras where !eraOrder.contains(era) { eraOrder.append(era) }
    }

    /// `keys` (first-seen order) grouped as the headline lists them: the ensembles and single
    /// models, then the arms' ensembles, then ρ̄ and effective models.
    public static func ordered(_ keys: [String]) -> [String] {
        func rank(_ key: String) -> Int { key.hasPrefix("arm:") ? 1 : (key == "rho" || key == "effective_models" ? 2 : 0) }
        return keys.enumerated().sorted { (rank($0.element), $0.offset) < (rank($1.element), $1.offset) }.map(\.element)
    }
}

/// new − base per shared era of one per-era series: mean, Newey–West se, t interval.
public struct PairedDifference: Sendable, Equatable, Codable {
    /// Shared eras with a finite value in both studies.
    public let eras: Int
    public let mean: Double
    public let se: Double
    public let ciLow: Double
    public let ciHigh: Double
    /// Interval level 1 − α.
    public let level: Double
    enum CodingKeys: String, CodingKey {
        case eras = "n_eras", mean, se = "hac_se", ciLow = "ci_low", ciHigh = "ci_high", level
    }

    /// d_e = new_e − base_e over the eras both have, in `order` (the new study's time order);
    /// d̄ ± t_{1−α/2, n−1} · HAC se (lag L, capped at n − 1), as the study's contrasts. nil with
    /// fewer than 3 shared eras.
    public init?(base: [String: Double], new: [String: Double], order: [String], alpha: Double, lag: Int) {
        let shared = order.filter { base[$0] != nil && new[$0] != nil }
        guard shared.count >= 3 else { return nil }
        let d = shared.map { new[$0]! - base[$0]! }
        eras = d.count
        mean = d.reduce(0, +) / Double(d.count)
        se = PairedInference.hacStandardError(d, lag: lag)
        let t = Distributions.tQuantile(1 - alpha / 2, degreesOfFreedom: Double(d.count - 1))
        ciLow = mean - t * se
        ciHigh = mean + t * se
        level = 1 - alpha
    }
}

/// One headline row of a comparison.
public struct HeadlineRow: Sendable, Equatable {
    public let key: String
    public let label: String
    public let base: Double?
    public let new: Double?
    /// Paired per-era difference when both studies have per-era values for shared eras.
    public let paired: PairedDifference?

    /// The rows of both studies' headlines, in the new study's order, then base-only rows.
    public static func rows(base: Headline, new: Headline) -> [HeadlineRow] {
        var labels: [String: String] = [:], order: [String] = []
        for v in new.values + base.values where labels[v.key] == nil {
            labels[v.key] = v.label
            order.append(v.key)
        }
        return Headline.ordered(order).map { key in
            let label = labels[key]!
            var paired: PairedDifference? = nil
            if let b = base.perEra[key], let n = new.perEra[key] {
                paired = PairedDifference(base: b, new: n, order: new.eraOrder, alpha: new.alpha, lag: new.hacLag)
            }
            return HeadlineRow(key: key, label: label, base: base.value(key), new: new.value(key), paired: paired)
        }
    }
}

extension JSONValue {
    var object: [String: JSONValue]? { if case .object(let o) = self { return o }; return nil }
    var array: [JSONValue]? { if case .array(let a) = self { return a }; return nil }
    var string: String? { if case .string(let s) = self { return s }; return nil }
    var number: Double? {
        switch self {
        case .number(let d): return d
        case .null: return .nan
        default: return nil
        }
    }
}
