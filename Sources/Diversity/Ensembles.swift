import EraData
import EvaluationRules
import Foundation
import LinearAlgebra

/// A per-era-mean with its (1 − α) interval: mean ± t_{1−α/2,n−1}·(Newey–West se).
public struct MeanInterval: Codable, Equatable, Sendable {
    public var mean: Double
    public var ciLow: Double
    public var ciHigh: Double
    public var eras: Int
    enum CodingKeys: String, CodingKey { case mean, ciLow = "ci_low", ciHigh = "ci_high", eras }

    public init(_ series: [Double], config: InferenceConfig) {
        let v = series.filter(\.isFinite)
        let m = v.isEmpty ? Double.nan : v.reduce(0, +) / Double(v.count)
        let se = PairedInference.hacStandardError(v, lag: config.hacLag)
        let t = v.count > 1 ? Distributions.tQuantile(1 - config.alpha / 2, degreesOfFreedom: Double(v.count - 1)) : .nan
        eras = v.count
        mean = m
        ciLow = m - t * se; ciHigh = m + t * se
    }
}

/// A resolved ensemble (metrics.json `ensembles[]`).
public struct EnsembleResult: Codable, Equatable, Sendable {
    public var name: String
    public var members: [String]
    /// Weight per member, same order (sum 1).
    public var weights: [Double]
    public var rule: String
    public var selectionCorr: Double
    public var testCorr: MeanInterval
    enum CodingKeys: String, CodingKey {
        case name, members, weights, rule, selectionCorr = "selection_corr", testCorr = "test_corr"
    }
}

/// Builds ensembles on the selection eras and scores them on the test eras.
struct EnsembleBuilder: Sendable {
    let g: ModelMatrix
    let layout: EraLayout
    let models: [ModelInfo]
    let benchmark: Int?
    let selection: Range<Int>
    let test: Range<Int>
    let selectionCorr: [Double]
    let xSelection: CrossProducts
    let config: InferenceConfig
    /// Resolved so far: name → (member indices, weights).
    var resolved: [String: (members: [Int], weights: [Double])] = [:]
    var selectionBMCCache: [String: [Double]] = [:]

    /// Weighted sum of members' gaussianized predictions over the compact span of `eras`.
    func weightedSum(_ members: [Int], _ weights: [Double], eras: Range<Int>) -> (values: [Double], span: Range<Int>) {
        let span = layout.compactRange(eras: eras)
        var sum = [Double](repeating: 0, count: span.count)
        for (x, i) in members.enumerated() {
            let row = g.row(i), w = weights[x]
            for j in 0..<span.count { sum[j] += w * row[span.lowerBound + j] }
        }
        return (sum, span)
    }

    /// numerai_corr per era of `eras` of the weighted ensemble (NaN per era when empty).
    func corrSeries(_ members: [Int], _ weights: [Double], eras: Range<Int>) -> [Double] {
        guard !members.isEmpty else { return [Double](repeating: .nan, count: eras.count) }
        let (sum, span) = weightedSum(members, weights, eras: eras)
        return Scaling.scoreSpan(sum, layout: layout, test: eras, span: span)
    }

    /// The ensemble's gaussianized predictions laid out over the whole compact range (only the
    /// eras of `eras` filled): the "meta model" for contributions.
    func gaussianized(_ members: [Int], _ weights: [Double], eras: Range<Int>) -> [Double] {
        var out = [Double](repeating: 0, count: layout.compactCount)
        guard !members.isEmpty else { return out }
        let (sum, span) = weightedSum(members, weights, eras: eras)
        var scratch = RankScratch()
        sum.withUnsafeBufferPointer { s in
            out.withUnsafeMutableBufferPointer { o in
                for e in eras {
                    let r = layout.eras[e].compact
                    layout.gaussianize(era: e, values: UnsafeBufferPointer(rebasing: s[(r.lowerBound - span.lowerBound)..<(r.upperBound - span.lowerBound)]),
                                       into: UnsafeMutableBufferPointer(rebasing: o[r]), scratch: &scratch)
                }
            }
        }
        return out
    }

    /// Each model's mean selection-era correlation_contribution against the reference.
    mutating func selectionBMC(reference: String) throws -> [Double] {
        if let cached = selectionBMCCache[reference] { return cached }
        let meta = ModelMatrix(models: 1, columns: layout.compactCount)
        if reference == "benchmark" {
            guard let b = benchmark else { return [Double](repeating: .nan, count: models.count) }
            for (i, v) in g.row(b).enumerated() { meta.storage[i] = v }
        } else {
            guard let r = resolved[reference] else {
                throw DiversityError("BMC reference '\(reference)' is neither \"benchmark\" nor an ensemble defined before it")
            }
            for (i, v) in gaussianized(r.members, r.weights, eras: selection).enumerated() { meta.storage[i] = v }
        }
        let out = SharedDoubles(count: models.count)
        let (g, layout, selection, count) = (self.g, self.layout, self.selection, models.count)
        DispatchQueue.concurrentPerform(iterations: count) { i in
            out.v[i] = SeriesSummary.mean(layout.contributionPerEra(gaussianized: UnsafeBufferPointer(g.row(i)),
                                                                    meta: UnsafeBufferPointer(meta.row(0)), eras: selection))
        }
        selectionBMCCache[reference] = out.array
        return out.array
    }

    /// Applies a rule; records the result under its name.
    mutating func build(_ rule: EnsembleRule) throws -> (members: [Int], weights: [Double]) {
        let all = Array(0..<models.count)
        var candidates: [Int]
        if rule.from.isEmpty || rule.from.contains("all") {
            candidates = all
        } else if rule.from == ["benchmark"] {
            candidates = benchmark.map { [$0] } ?? []
        } else {
            let arms = Set(rule.from)
            candidates = all.filter { arms.contains(models[$0].arm) && $0 != benchmark }
        }
        if let k = rule.firstModels { candidates = Array(candidates.prefix(k)) }
        let needBMC = rule.minSelectionBMC != nil || rule.topBy == "bmc"
        var bmc: [Double] = []
        if needBMC { bmc = try selectionBMC(reference: rule.bmcReference) }
        if let c = rule.minSelectionCorr { candidates = candidates.filter { selectionCorr[$0] >= c } }
        if let b = rule.minSelectionBMC { candidates = candidates.filter { bmc[$0] >= b } }
        if rule.maxAbsCorr != nil || rule.top != nil || rule.greedy != nil {
            let key = rule.topBy == "bmc" ? bmc : selectionCorr
            candidates.sort { x, y in
                let a = key[x].isNaN ? -Double.infinity : key[x], b = key[y].isNaN ? -Double.infinity : key[y]
                return a != b ? a > b : x < y
            }
        }
        if let limit = rule.maxAbsCorr {
            let r = xSelection.correlation(of: candidates)
            var kept: [Int] = []
            for x in candidates.indices where kept.allSatisfy({ abs(r[x, $0]) <= limit }) { kept.append(x) }
            candidates = kept.map { candidates[$0] }
        }
        if let k = rule.top { candidates = Array(candidates.prefix(k)) }
        var members = candidates, weights: [Double]
        if let steps = rule.greedy, !candidates.isEmpty {
            let picks = Scaling.greedyOrder(models: candidates, selection: xSelection, steps: steps)
            members = candidates.filter { picks.contains($0) }
            weights = members.map { i in Double(picks.filter { $0 == i }.count) }
        } else if rule.weights == "selection_corr" {
            weights = members.map { max(selectionCorr[$0], 0) }
            if !(weights.reduce(0, +) > 0) { weights = members.map { _ in 1 } }
        } else {
            weights = members.map { _ in 1 }
        }
        let total = weights.reduce(0, +)
        weights = weights.map { $0 / total }
        resolved[rule.name] = (members, weights)
        return (members, weights)
    }

    func result(_ rule: EnsembleRule, members: [Int], weights: [Double]) -> (EnsembleResult, test: [Double]) {
        let testSeries = corrSeries(members, weights, eras: test)
        let r = EnsembleResult(name: rule.name, members: members.map { models[$0].id }, weights: weights,
                               rule: rule.describe,
                               selectionCorr: SeriesSummary.mean(corrSeries(members, weights, eras: selection)),
                               testCorr: MeanInterval(testSeries, config: config))
        return (r, testSeries)
    }
}
