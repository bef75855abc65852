import EraData
import EvaluationRules
import Foundation

/// Which named ensemble to submit, chosen on the selection eras without the winner's curse
/// (metrics.json `recommendation`; the report summary's recommendation).
///
/// Choosing `best_single` = argmax_i mean_selection(corr_i) and then comparing its mean selection
/// corr with the ensembles' on the same eras is biased: with many models of equal skill the max of
/// their selection means exceeds their common mean by about σ·√(2 ln M), so a lucky single model
/// beats a sound ensemble. Here every candidate is judged as the *rule* that makes it, out of sample
/// but still inside the selection eras:
/// 1. the selection eras S (in time order) split into a first half A = the first ⌈(|S| − g)/2⌉ eras
///    and a second half B = the last ⌊(|S| − g)/2⌋, with an embargo of g = min(embargo eras,
///    |S| − 2) eras between them (20-day targets overlap neighbouring eras);
/// 2. every named ensemble's rule (best_single's argmax, top-k, filters, greedy, weights; the
///    benchmark and fixed ensembles unchanged) is re-run seeing only A;
/// 3. the candidate whose A-built ensemble has the highest mean per-era numerai_corr over B wins
///    (ties: the earlier one; empty ensembles and NaN scores never win).
/// The winner's ensemble as built on all selection eras is what is submitted and scored on the
/// test eras. The test eras play no part. With fewer than 2 selection eras there is no rule.
public struct Recommendation: Codable, Equatable, Sendable {
    public struct Candidate: Codable, Equatable, Sendable {
        public var name: String
        /// Mean per-era corr over the second half of the selection eras of the rule re-run on the first half.
        public var secondHalfCorr: Double
        enum CodingKeys: String, CodingKey { case name, secondHalfCorr = "second_half_corr" }
    }
    /// The chosen ensemble's name.
    public var name: String
    public var firstHalfEras: Int
    public var embargoEras: Int
    public var secondHalfEras: Int
    public var candidates: [Candidate]
    enum CodingKeys: String, CodingKey {
        case name, candidates, firstHalfEras = "first_half_eras", embargoEras = "embargo_eras"
        case secondHalfEras = "second_half_eras"
    }

    /// The halves of `selection` (see the type's rule 1); nil with fewer than 2 eras.
    public static func halves(of selection: Range<Int>, embargo: Int) -> (first: Range<Int>, gap: Int, second: Range<Int>)? {
        guard selection.count >= 2 else { return nil }
        let gap = max(0, min(embargo, selection.count - 2))
        let usable = selection.count - gap
        let first = selection.lowerBound..<(selection.lowerBound + (usable + 1) / 2)
        return (first, gap, (first.upperBound + gap)..<selection.upperBound)
    }

    /// Applies the rule to `rules` (the named ensembles, in order) on the analysis' matrices.
    static func choose(rules: [EnsembleRule], input: AnalysisInput, g: ModelMatrix, layout: EraLayout,
                       selection: Range<Int>, corrSeries: [[Double]], embargo: Int) throws -> Recommendation? {
        guard let (first, gap, second) = halves(of: selection, embargo: embargo), !rules.isEmpty else { return nil }
        let target = StudyAnalysis.compactCenteredTarget(layout)
        let xFirst = CrossProducts.compute(g, centeredTarget: target, range: layout.compactRange(eras: first))
        var builder = EnsembleBuilder(g: g, layout: layout, models: input.models, benchmark: input.benchmark,
                                      selection: first, test: second,
                                      selectionCorr: corrSeries.map { SeriesSummary.mean(Array($0[first])) },
                                      xSelection: xFirst, config: input.inference)
        var candidates: [Candidate] = []
        var best: Int? = nil
        for rule in rules {
            let (members, weights) = try builder.build(rule)
            let score = members.isEmpty ? Double.nan : SeriesSummary.mean(builder.corrSeries(members, weights, eras: second))
            candidates.append(Candidate(name: rule.name, secondHalfCorr: score))
            if score.isFinite, best == nil || score > candidates[best!].secondHalfCorr { best = candidates.count - 1 }
        }
        guard let best else { return nil }
        return Recommendation(name: candidates[best].name, firstHalfEras: first.count, embargoEras: gap,
                              secondHalfEras: second.count, candidates: candidates)
    }
}
