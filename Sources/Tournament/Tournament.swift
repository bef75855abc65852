import Diversity
import EraData
import Foundation
import Mining
import Studies
import Support

/// One incumbent's scores over the test eras (means over eras with a defined score).
public struct StakerRecord: Codable, Equatable, Sendable {
    public var id: String
    public var group: String
    public var model: String
    public var stake: Double
    public var corrMean: Double
    public var mmcMean: Double
    /// MMC against the meta model without the staker's own stake.
    public var mmcLeaveSelfOutMean: Double
    public var ncMean: Double
    public var payoutMean: Double
    enum CodingKeys: String, CodingKey {
        case id, group, model, stake, corrMean = "corr_mean", mmcMean = "mmc_mean"
        case mmcLeaveSelfOutMean = "mmc_leave_self_out_mean", ncMean = "nc_mean", payoutMean = "payout_mean"
    }
}

/// One scenario at one newcomer count, all on the test eras; changes are paired per era
/// against the incumbents alone (N = 0).
public struct ScenarioPoint: Codable, Equatable, Sendable {
    public var newcomers: Int
    /// Newcomers' share of the total stake.
    public var newcomerStakeShare: Double
    public var metaCorrMean: Double
    /// Per era: meta corr with the newcomers − meta corr without them.
    public var metaCorrChange: HACMean
    /// Per era: mean over newcomers of their payout (nil at N = 0).
    public var newcomerPayout: HACMean?
    public var newcomerCorrMean: Double
    public var newcomerMMCMean: Double
    public var newcomerNCMean: Double
    /// Spread over newcomers of each one's mean payout over the test eras (luck).
    public var newcomerPayoutSpread: StakerDistribution?
    /// Share of newcomers whose mean payout is > 0.
    public var newcomerPositiveShare: Double
    /// Per era: stake-weighted mean MMC of the incumbents.
    public var incumbentMMCMean: Double
    /// Per era: incumbents' stake-weighted MMC with − without the newcomers (dilution < 0).
    public var incumbentMMCChange: HACMean
    public var incumbentPayoutChange: HACMean
    enum CodingKeys: String, CodingKey {
        case newcomers, newcomerStakeShare = "newcomer_stake_share", metaCorrMean = "meta_corr_mean"
        case metaCorrChange = "meta_corr_change", newcomerPayout = "newcomer_payout"
        case newcomerCorrMean = "newcomer_corr_mean", newcomerMMCMean = "newcomer_mmc_mean", newcomerNCMean = "newcomer_nc_mean"
        case newcomerPayoutSpread = "newcomer_payout_spread", newcomerPositiveShare = "newcomer_positive_share"
        case incumbentMMCMean = "incumbent_mmc_mean", incumbentMMCChange = "incumbent_mmc_change"
        case incumbentPayoutChange = "incumbent_payout_change"
    }
}

/// A verdict with its test: the estimate at the largest newcomer count and the Holm-adjusted p.
public struct Finding: Codable, Equatable, Sendable {
    public var mean: Double
    public var low: Double
    public var high: Double
    public var p: Double
    public var pHolm: Double
    public var verdict: Verdict
    enum CodingKeys: String, CodingKey { case mean, low, high, p, pHolm = "p_holm", verdict }
}

public struct ScenarioResult: Codable, Equatable, Sendable {
    public var option: NewcomerOption
    public var title: String
    /// Models the newcomers could draw (after the option's filter).
    public var candidates: Int
    public var candidateIDs: [String]
    public var points: [ScenarioPoint]
    /// At the largest count: does the fund gain (meta corr change), do newcomers gain (payout),
    /// are incumbents diluted (MMC change)? Holm across scenarios per question.
    public var fund: Finding?
    public var newcomers: Finding?
    public var incumbents: Finding?
    enum CodingKeys: String, CodingKey {
        case option, title, candidates, candidateIDs = "candidate_ids", points, fund, newcomers, incumbents
    }
}

public struct TournamentResult: Codable, Equatable, Sendable {
    public var name: String
    public var description: String?
    public var study: String
    /// "study" (stored predictions) or "farm" (a mined farm's models).
    public var poolSource: String
    public var seed: UInt64
    public var poolModels: Int
    public var poolArms: [String: Int]
    public var exampleModel: String?
    public var testEras: [String]
    public var selectionEras: Int
    public var incumbentStakes: String
    public var newcomerStakes: String
    public var groups: [GroupSummary]
    public var payout: PayoutSummary
    public var inference: InferenceSummary
    /// Incumbents alone: meta corr per test era and its mean.
    public var baselineMetaCorrPerEra: [Double]
    public var baselineMetaCorrMean: Double
    public var incumbents: [StakerRecord]
    public var scenarios: [ScenarioResult]
    public var neutralContribution: Bool
    enum CodingKeys: String, CodingKey {
        case name, description, study, poolSource = "pool_source", seed, poolModels = "pool_models", poolArms = "pool_arms"
        case exampleModel = "example_model", testEras = "test_eras", selectionEras = "selection_eras"
        case incumbentStakes = "incumbent_stakes", newcomerStakes = "newcomer_stakes", groups, payout, inference
        case baselineMetaCorrPerEra = "baseline_meta_corr_per_era", baselineMetaCorrMean = "baseline_meta_corr_mean"
        case incumbents, scenarios, neutralContribution = "neutral_contribution"
    }

    public struct GroupSummary: Codable, Equatable, Sendable {
        public var name: String
        public var models: [String]
        public var share: Double
        public var stakers: Int
    }
    public struct PayoutSummary: Codable, Equatable, Sendable {
        public var corr: Double
        public var mmc: Double
        public var clip: Double
    }
    public struct InferenceSummary: Codable, Equatable, Sendable {
        public var method: String
        public var level: Double
        public var alpha: Double
        public var lags: Int
        public var multipleTesting: String
        enum CodingKeys: String, CodingKey { case method, level, alpha, lags, multipleTesting = "multiple_testing" }
    }
}

/// Builds the populations and runs every scenario (see the module README "Design notes").
public struct TournamentRunner: Sendable {
    public let spec: TournamentSpec
    public let pool: ModelPool

    public init(spec: TournamentSpec, pool: ModelPool) { self.spec = spec; self.pool = pool }

    /// Pool models of the given arms (nil: every model but the example).
    func models(arms: [String]?, path: String) throws -> [Int] {
        guard let arms else { return (0..<pool.count).filter { $0 != pool.example } }
        let known = Array(Set(pool.arms.enumerated().filter { $0.offset != pool.example }.map(\.element))).sorted()
        for a in arms where !known.contains(a) {
            throw StudiesError.at(path, .unknownStudyArm(a, known: known),
                             suggestion: closest(to: a, in: known))
        }
        return (0..<pool.count).filter { $0 != pool.example && arms.contains(pool.arms[$0]) }
    }

    /// Incumbents: stakes i.i.d. from `incumbentStakes` (stream [1, i]); stakers split into groups
    /// by largest remainder of share × count (each group ≥ 1); each group's stakes are then scaled
    /// so it holds exactly its share of the total (the sum of all draws); each staker holds a model drawn uniformly, with
    /// replacement, from its group's models (stream [2, i]).
    func makeIncumbents() throws -> (stakers: [Staker], groupOf: [Int], groupModels: [[Int]]) {
        let count = spec.incumbentCount
        var groupModels: [[Int]] = []
        for (k, g) in spec.groups.enumerated() {
            if let arms = g.arms {
                groupModels.append(try models(arms: arms, path: "$.incumbents.groups[\(k)].models"))
            } else {
                guard let e = pool.example else {
                    throw StudiesError.at("$.incumbents.groups[\(k)].models", .noExampleModel)
                }
                groupModels.append([e])
            }
        }
        // Largest remainder, at least one staker per group.
        let quota = spec.groups.map { $0.share * Double(count - spec.groups.count) }
        var sizes = quota.map { 1 + Int($0.rounded(.down)) }
        let remainder = quota.map { $0 - $0.rounded(.down) }
        let order = quota.indices.sorted { remainder[$0] > remainder[$1] || (remainder[$0] == remainder[$1] && $0 < $1) }
        var k = 0
        while sizes.reduce(0, +) < count { sizes[order[k % order.count]] += 1; k += 1 }
        let raw: [Double] = (0..<count).map { i in
            var rng = SplitMix64(seed: spec.seed, stream: [1, UInt64(i)])
            return spec.incumbentStakes.draw(&rng)
        }
        // The total stays the sum of the draws, so newcomers drawn from the same distribution
        // are on the same scale; only its split between groups is set by the shares.
        let total = raw.reduce(0, +)
        var stakers: [Staker] = [], groupOf: [Int] = []
        var i = 0
        for (g, size) in sizes.enumerated() {
            let sum = raw[i..<(i + size)].reduce(0, +)
            for _ in 0..<size {
                var rng = SplitMix64(seed: spec.seed, stream: [2, UInt64(i)])
                let models = groupModels[g]
                let m = models[min(models.count - 1, Int(rng.nextUnit() * Double(models.count)))]
                stakers.append(Staker(stake: raw[i] / sum * spec.groups[g].share * total, column: m))
                groupOf.append(g)
                i += 1
            }
        }
        return (stakers, groupOf, groupModels)
    }

    /// Newcomer i's draw from `candidates`: a fresh seeded permutation of them per round of
    /// |candidates| newcomers (stream [stream, round]), so the first |candidates| newcomers hold
    /// distinct models and later ones sample again (with replacement across rounds).
    func draw(_ candidates: [Int], count: Int, stream: UInt64) -> [Int] {
        guard !candidates.isEmpty else { return [] }
        var out: [Int] = []
        var round: UInt64 = 0
        while out.count < count {
            var rng = SplitMix64(seed: spec.seed, stream: [stream, round])
            var perm = candidates
            for j in stride(from: perm.count - 1, to: 0, by: -1) {
                let r = min(j, Int(rng.nextUnit() * Double(j + 1)))
                perm.swapAt(j, r)
            }
            out.append(contentsOf: perm.prefix(count - out.count))
            round += 1
        }
        return out
    }

    func payoutSeries(_ scores: PopulationScores, _ staker: Staker) -> (corr: [Double], mmc: [Double], nc: [Double], payout: [Double]) {
        var corr: [Double] = [], mmc: [Double] = [], nc: [Double] = [], payout: [Double] = []
        for t in 0..<scores.eras.count {
            let c = staker.column(at: t)
            corr.append(scores.corr[t][c]); mmc.append(scores.mmc[t][c])
            nc.append(scores.nc?[t][c] ?? .nan)
            payout.append(spec.payout.payout(corr: scores.corr[t][c], mmc: scores.mmc[t][c]))
        }
        return (corr, mmc, nc, payout)
    }

    /// Stake-weighted mean over `stakers` of a per-era score (NaN scores skipped).
    func weighted(_ scores: PopulationScores, _ stakers: ArraySlice<Staker>, _ pick: (Int, Int) -> Double) -> [Double] {
        (0..<scores.eras.count).map { t in
            var s = 0.0, w = 0.0
            for st in stakers {
                let v = pick(t, st.column(at: t))
                if v.isFinite { s += st.stake * v; w += st.stake }
            }
            return w > 0 ? s / w : .nan
        }
    }

    public struct Output {
        public let result: TournamentResult
        /// Per incumbent and test era: corr, mmc, leave-self-out mmc, nc, payout.
        public let scoresCSV: String
    }

    public func run(progress: (String) -> Void = { _ in }) throws -> Output {
        let test = pool.test
        let level = spec.level
        let lags = spec.hacLags
        let (incumbents, groupOf, groupModels) = try makeIncumbents()
        let k = incumbents.count
        // Newcomer stakes (stream [3, i]) and candidate lists per option.
        let maxN = spec.counts.max() ?? 0
        let newcomerStakes: [Double] = (0..<maxN).map { i in
            var rng = SplitMix64(seed: spec.seed, stream: [3, UInt64(i)])
            return spec.newcomerStakes.draw(&rng)
        }
        let grid = try models(arms: spec.newcomerArms, path: "$.newcomers.models")
        guard !grid.isEmpty else { throw StudiesError.at("$.newcomers.models", .noGridModel) }
        let selectionCorr = grid.map { SeriesSummary.mean(Array(pool.corr[$0][pool.selection])) }
        var selectionMMC: [Double] = []
        if spec.options.contains(.mmcFiltered) {
            // The sceptic's condition: MMC against the incumbents' SELECTION-era meta model.
            let sel = try MetaModel.score(pool: pool, stakers: incumbents, eras: pool.selection, neutral: false)
            selectionMMC = grid.map { m in
                let g = pool.gaussianized.row(m)
                let series = pool.selection.enumerated().map { (t, e) -> Double in
                    let era = pool.layout.eras[e]
                    let local = era.compact.lowerBound - sel.span.lowerBound
                    return sel.metaGaussianized.withUnsafeBufferPointer { mg in
                        MetaModel.contribution(UnsafeBufferPointer(rebasing: g[era.compact]),
                                               UnsafeBufferPointer(rebasing: mg[local..<(local + era.valid.count)]), era.tContribution)
                    }
                }
                return SeriesSummary.mean(series)
            }
        }
        let uniqueDraw = draw(grid, count: maxN, stream: 4)

        // Every population first (the incumbents alone, then each option and newcomer count),
        // then one batched scoring over the test eras (`MetaModel.scoreMany`).
        var populations = [MetaModel.Population(stakers: incumbents)]
        var plans: [(option: NewcomerOption, candidates: [Int], points: [(n: Int, population: Int)])] = []
        for option in spec.options {
            var candidates: [Int]
            switch option {
            case .example:
                guard let e = pool.example else { throw StudiesError.at("$.newcomers.options", .exampleOptionWithoutExample) }
                candidates = [e]
            case .unique, .pool, .rotation: candidates = grid
            case .corrFiltered: candidates = grid.indices.filter { selectionCorr[$0] > spec.minCorr }.map { grid[$0] }
            case .mmcFiltered:
                candidates = grid.indices.filter { selectionCorr[$0] > spec.minCorr && selectionMMC[$0] > spec.minMMC }.map { grid[$0] }
            }
            let held: [Int]
            switch option {
            case .example: held = [Int](repeating: candidates[0], count: maxN)
            case .unique, .pool, .rotation: held = uniqueDraw
            case .corrFiltered: held = draw(candidates, count: maxN, stream: 5)
            case .mmcFiltered: held = draw(candidates, count: maxN, stream: 6)
            }
            var points: [(n: Int, population: Int)] = []
            for n in spec.counts {
                if n > 0 && candidates.isEmpty { continue }
                if n == 0 { points.append((0, 0)); continue }
                var stakers = incumbents
                var extras: ModelMatrix? = nil
                switch option {
                case .example, .unique, .corrFiltered, .mmcFiltered:
                    for i in 0..<n { stakers.append(Staker(stake: newcomerStakes[i], column: held[i])) }
                case .rotation:
                    let cycle = Array(held.prefix(n))
                    for i in 0..<n { stakers.append(Staker(stake: newcomerStakes[i], rotating: cycle, offset: i)) }
                case .pool:
                    if n > 0 {
                        extras = pooledSubmission(Array(held.prefix(n)))
                        for i in 0..<n { stakers.append(Staker(stake: newcomerStakes[i], column: pool.count)) }
                    }
                }
                points.append((n, populations.count))
                populations.append(MetaModel.Population(stakers: stakers, extras: extras))
            }
            plans.append((option, candidates, points))
        }
        // Batches of 16: each batch reads the pool's store twice per era, whatever its size.
        var scored: [PopulationScores] = []
        for from in stride(from: 0, to: populations.count, by: 16) {
            scored += MetaModel.scoreMany(pool: pool, populations: Array(populations[from..<min(populations.count, from + 16)]),
                                          eras: test, neutral: spec.neutralContribution)
        }
        let base = scored[0]
        progress("meta model and scores of \(populations.count) populations (\(k) incumbents, newcomers up to \(maxN), \(test.count) test eras)")

        // Per-incumbent table, with leave-self-out MMC (one re-rank per staker and era).
        let lso = ModelMatrix(models: k, columns: test.count)
        if spec.leaveSelfOut {
            DispatchQueue.concurrentPerform(iterations: k) { i in
                let v = MetaModel.leaveSelfOutMMC(pool: pool, scores: base, staker: incumbents[i])
                for (t, x) in v.enumerated() { lso.row(i)[t] = x }
            }
            progress("leave-self-out MMC of every incumbent")
        } else {
            for i in 0..<k { for t in 0..<test.count { lso.row(i)[t] = .nan } }
        }
        // Records and CSV lines per incumbent, built in parallel into per-staker slots and joined in order.
        let recordSlots = Slots<StakerRecord>(k), lineSlots = Slots<String>(k)
        let chunk = 64
        DispatchQueue.concurrentPerform(iterations: (k + chunk - 1) / chunk) { block in
            for i in (block * chunk)..<min(k, (block + 1) * chunk) {
                let s = incumbents[i]
                let series = payoutSeries(base, s)
                let id = "incumbent-" + Self.padded(i, 5)
                let model = pool.ids[s.columns[0]]
                let record = StakerRecord(id: id, group: spec.groups[groupOf[i]].name, model: model, stake: s.stake,
                                          corrMean: SeriesSummary.mean(series.corr), mmcMean: SeriesSummary.mean(series.mmc),
                                          mmcLeaveSelfOutMean: SeriesSummary.mean(Array(lso.row(i))),
                                          ncMean: SeriesSummary.mean(series.nc), payoutMean: SeriesSummary.mean(series.payout))
                var text = ""
                text.reserveCapacity(test.count * 128)
                let prefix = "\(model),\(Self.number(s.stake)),"
                for t in 0..<test.count {
                    // Appended piece by piece: no per-line arrays or temporaries (2M lines at scale).
                    text += id; text += ","; text += pool.layout.eras[test.lowerBound + t].name; text += ","; text += prefix
                    text += Self.number(series.corr[t]); text += ","; text += Self.number(series.mmc[t]); text += ","
                    text += Self.number(lso.row(i)[t]); text += ","; text += Self.number(series.nc[t]); text += ","
                    text += Self.number(series.payout[t]); text += "\n"
                }
                recordSlots[i] = record
                lineSlots[i] = text
            }
        }
        let records = recordSlots.values
        // One allocation for the whole table (joining grows it step by step: copies and page faults).
        let lines = lineSlots.values
        var csv = "staker,era,model,stake,corr,mmc,mmc_leave_self_out,nc,payout\n"
        csv.reserveCapacity(lines.reduce(csv.utf8.count) { $0 + $1.utf8.count })
        for line in lines { csv += line }
        let baseIncMMC = weighted(base, incumbents[...]) { base.mmc[$0][$1] }
        let baseIncPayout = weighted(base, incumbents[...]) { spec.payout.payout(corr: base.corr[$0][$1], mmc: base.mmc[$0][$1]) }

        var scenarios: [ScenarioResult] = []
        for (option, candidates, planned) in plans {
            var points: [ScenarioPoint] = []
            for (n, index) in planned {
                let scores = scored[index]
                let stakers = populations[index].stakers
                let newcomers = stakers[k...]
                let incMMC = weighted(scores, incumbents[...]) { scores.mmc[$0][$1] }
                let incPayout = weighted(scores, incumbents[...]) { spec.payout.payout(corr: scores.corr[$0][$1], mmc: scores.mmc[$0][$1]) }
                var perNewcomer: [Double] = []
                var payoutPerEra = [Double](repeating: 0, count: test.count)
                var corrSum = 0.0, mmcSum = 0.0, ncSum = 0.0, cells = 0.0, ncCells = 0.0
                // Newcomers holding the same column share its series: score each distinct holding once.
                var cache: [[Int]: [Double]] = [:]
                for s in newcomers {
                    let key = s.columns.count == 1 ? s.columns : [s.columns.count, s.offset % s.columns.count]
                    let payout: [Double]
                    if let p = cache[key] { payout = p } else {
                        let series = payoutSeries(scores, s)
                        payout = series.payout
                        cache[key] = payout
                    }
                    perNewcomer.append(SeriesSummary.mean(payout))
                    for t in 0..<test.count { payoutPerEra[t] += payout[t] / Double(n) }
                }
                // Means of corr / MMC / nc over newcomers and eras.
                var counts = [Int](repeating: 0, count: scores.columns)
                for t in 0..<test.count {
                    for c in counts.indices { counts[c] = 0 }
                    for s in newcomers { counts[s.column(at: t)] += 1 }
                    for (c, m) in counts.enumerated() where m > 0 {
                        let w = Double(m)
                        if scores.corr[t][c].isFinite { corrSum += w * scores.corr[t][c]; cells += w }
                        if scores.mmc[t][c].isFinite { mmcSum += w * scores.mmc[t][c] }
                        if let nc = scores.nc?[t][c], nc.isFinite { ncSum += w * nc; ncCells += w }
                    }
                }
                let newStake = newcomers.reduce(0) { $0 + $1.stake }
                let totalStake = stakers.reduce(0) { $0 + $1.stake }
                points.append(ScenarioPoint(
                    newcomers: n, newcomerStakeShare: newStake / totalStake,
                    metaCorrMean: SeriesSummary.mean(scores.metaCorr),
                    metaCorrChange: HACMean(zip(scores.metaCorr, base.metaCorr).map { $0 - $1 }, level: level, lags: lags),
                    newcomerPayout: n == 0 ? nil : HACMean(payoutPerEra, level: level, lags: lags),
                    newcomerCorrMean: cells > 0 ? corrSum / cells : .nan,
                    newcomerMMCMean: cells > 0 ? mmcSum / cells : .nan,
                    newcomerNCMean: ncCells > 0 ? ncSum / ncCells : .nan,
                    newcomerPayoutSpread: n == 0 ? nil : StakerDistribution(perNewcomer),
                    newcomerPositiveShare: n == 0 ? .nan : Double(perNewcomer.filter { $0 > 0 }.count) / Double(n),
                    incumbentMMCMean: SeriesSummary.mean(incMMC),
                    incumbentMMCChange: HACMean(zip(incMMC, baseIncMMC).map { $0 - $1 }, level: level, lags: lags),
                    incumbentPayoutChange: HACMean(zip(incPayout, baseIncPayout).map { $0 - $1 }, level: level, lags: lags)))
            }
            progress("scenario \(option.rawValue): \(points.count) newcomer counts")
            scenarios.append(ScenarioResult(option: option, title: option.title, candidates: candidates.count,
                                            candidateIDs: candidates.map { pool.ids[$0] }, points: points,
                                            fund: nil, newcomers: nil, incumbents: nil))
        }
        applyVerdicts(&scenarios)

        var armCounts: [String: Int] = [:]
        for (m, a) in pool.arms.enumerated() where m != pool.example { armCounts[a, default: 0] += 1 }
        let sizes = groupOf.reduce(into: [Int](repeating: 0, count: spec.groups.count)) { $0[$1] += 1 }
        let result = TournamentResult(
            name: spec.name, description: spec.description, study: spec.study, poolSource: spec.farm ? "farm" : "study",
            seed: spec.seed, poolModels: pool.count,
            poolArms: armCounts, exampleModel: pool.example.map { pool.ids[$0] },
            testEras: test.map { pool.layout.eras[$0].name }, selectionEras: pool.selection.count,
            incumbentStakes: spec.incumbentStakes.description, newcomerStakes: spec.newcomerStakes.description,
            groups: spec.groups.enumerated().map { g, group in
                TournamentResult.GroupSummary(name: group.name, models: groupModels[g].map { pool.ids[$0] }, share: group.share, stakers: sizes[g])
            },
            payout: .init(corr: spec.payout.corrMultiplier, mmc: spec.payout.mmcMultiplier, clip: spec.payout.clip),
            inference: .init(method: "Newey–West HAC (Bartlett kernel, T/(T−1) correction), t(T−1) reference, per-era paired differences",
                             level: level, alpha: spec.alpha, lags: spec.hacLags ?? HACMean.defaultLag,
                             multipleTesting: "Holm across scenarios, per question"),
            baselineMetaCorrPerEra: base.metaCorr, baselineMetaCorrMean: SeriesSummary.mean(base.metaCorr),
            incumbents: records, scenarios: scenarios, neutralContribution: base.nc != nil)
        return Output(result: result, scoresCSV: csv)
    }

    /// The pooled submission of `members`: per era Φ⁻¹(rank of the mean of their gaussianized
    /// predictions), as Numerai would turn the shared ensemble into a submission.
    func pooledSubmission(_ members: [Int]) -> ModelMatrix {
        let layout = pool.layout
        let out = ModelMatrix(models: 1, columns: layout.compactCount)
        let row = out.row(0)
        let span = layout.compactRange(eras: pool.test)
        var counts: [Int: Int] = [:]
        for m in members { counts[m, default: 0] += 1 }
        var mean = [Double](repeating: 0, count: span.count)
        for m in counts.keys.sorted() {
            let w = Double(counts[m]!) / Double(members.count)
            let g = pool.gaussianized.row(m)
            for i in 0..<span.count { mean[i] += w * g[span.lowerBound + i] }
        }
        var scratch = RankScratch()
        mean.withUnsafeBufferPointer { v in
            for e in pool.test {
                let era = layout.eras[e]
                let local = (era.compact.lowerBound - span.lowerBound)..<(era.compact.upperBound - span.lowerBound)
                layout.gaussianize(era: e, values: UnsafeBufferPointer(rebasing: v[local]),
                                   into: UnsafeMutableBufferPointer(rebasing: row[era.compact]), scratch: &scratch)
            }
        }
        return out
    }

    /// Findings at each scenario's largest newcomer count; Holm across scenarios per question.
    func applyVerdicts(_ scenarios: inout [ScenarioResult]) {
        func finding(_ h: HACMean?) -> Finding? {
            guard let h else { return nil }
            return Finding(mean: h.mean, low: h.low, high: h.high, p: h.p, pHolm: .nan, verdict: .undetermined)
        }
        let last = scenarios.map { $0.points.last(where: { $0.newcomers > 0 }) }
        var fund = last.map { finding($0?.metaCorrChange) }
        var newcomers = last.map { finding($0?.newcomerPayout) }
        var incumbents = last.map { finding($0?.incumbentMMCChange) }
        for family in [0, 1, 2] {
            var list = family == 0 ? fund : family == 1 ? newcomers : incumbents
            let adjusted = PairedInference.holm(list.map { $0?.p ?? .nan })
            for i in list.indices where list[i] != nil {
                list[i]!.pHolm = adjusted[i]
                list[i]!.verdict = Verdict(mean: list[i]!.mean, adjustedP: adjusted[i], alpha: spec.alpha)
            }
            if family == 0 { fund = list } else if family == 1 { newcomers = list } else { incumbents = list }
        }
        for i in scenarios.indices {
            scenarios[i].fund = fund[i]; scenarios[i].newcomers = newcomers[i]; scenarios[i].incumbents = incumbents[i]
        }
    }

    /// Shortest round-trip text (Swift's `description`): full precision for the CSV, which the
    /// oracle tests read, without `String(format:)`'s cost.
    static func number(_ x: Double) -> String { x.isFinite ? x.description : "nan" }

    /// `i` in decimal, zero-padded to `width` digits (`String(format: "%05d")` without its cost).
    static func padded(_ i: Int, _ width: Int) -> String {
        let digits = String(i)
        return digits.count >= width ? digits : String(repeating: "0", count: width - digits.count) + digits
    }
}
