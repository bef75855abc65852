import Diversity
import EraData
import EvaluationRules
import Foundation
import Support
import XCTest

/// The recommendation rule (issue 17): the winner's curse of picking the best single model on
/// the selection eras and judging it on the same eras, planted and avoided.
final class RecommendationTests: XCTestCase {
    /// 300 pure-noise models and an arm of 10 weak but real models. On the selection eras the
    /// luckiest noise model beats the weak arm's ensemble (the old rule recommends it); its edge is
    /// luck, so re-chosen on the first half it scores about 0 on the second, and the split-half
    /// rule recommends the real ensemble — which also wins on the test eras.
    func testManyNoiseModelsWinTheOldRuleButTheSplitHalfRulePicksTheEnsemble() throws {
        let eras = 120, rowsPerEra = 100
        let d = Fixture.dataset(eras: eras, rowsPerEra: rowsPerEra, features: 1, seed: 31, nanShare: 0)
        var rng = SplitMix64(seed: 77)
        let target = d.targets[0].map(Double.init)
        var models: [ModelInfo] = [], predictions: [[Float]] = []
        for i in 0..<300 {
            models.append(ModelInfo(id: String(format: "noise-%03d", i), arm: "noise"))
            predictions.append((0..<d.rowCount).map { _ in Float(rng.nextGaussian()) })
        }
        for i in 0..<10 {
            models.append(ModelInfo(id: "weak-\(i)", arm: "weak"))
            predictions.append(target.map { Float(0.07 * $0 + rng.nextGaussian()) })
        }
        let input = AnalysisInput(models: models, predictions: predictions, rows: (0..<d.rowCount).map(Int32.init),
                                  dataset: d, targetIndex: 0, split: EvaluationSplit(selectionFraction: 0.5, embargoEras: 4),
                                  scaling: ScalingConfig(draws: 4, seed: 1), featureScores: false)
        let analysis = try StudyAnalysis.run(input)
        let metrics = analysis.metrics
        let ensembles = try XCTUnwrap(metrics.ensembles)

        // The old rule: the largest mean selection-era corr. It picks noise chosen for its luck on
        // those eras (here `noise.filtered`, the noise models with selection corr ≥ 0).
        let old = ensembles.filter { $0.selectionCorr.isFinite }.reduce(ensembles[0]) { $1.selectionCorr > $0.selectionCorr ? $1 : $0 }
        XCTAssertTrue(old.members.allSatisfy { $0.hasPrefix("noise-") }, "\(old.name): \(old.members)")
        let weak = try XCTUnwrap(ensembles.first { $0.name == "weak" })
        let single = try XCTUnwrap(ensembles.first { $0.name == EnsembleRule.bestSingleName })
        XCTAssertTrue(single.members[0].hasPrefix("noise-"), "\(single.members)")
        XCTAssertGreaterThan(old.selectionCorr, weak.selectionCorr)

        // The split-half rule picks the real ensemble (weak, or its filtered version: only weak models).
        let rule = try XCTUnwrap(metrics.recommendation)
        let chosen = try XCTUnwrap(ensembles.first { $0.name == rule.name })
        XCTAssertTrue(chosen.members.allSatisfy { $0.hasPrefix("weak-") } && chosen.members.count > 1, "\(rule.name): \(chosen.members)")
        // … and it is the better choice out of sample: a higher test-era corr than the lucky picks.
        XCTAssertGreaterThan(chosen.testCorr.mean, old.testCorr.mean)
        XCTAssertGreaterThan(chosen.testCorr.mean, single.testCorr.mean)

        // Halves of the selection eras: first ⌈(n − 4)/2⌉, embargo 4, last ⌊(n − 4)/2⌋.
        let n = metrics.split.selectionEras.count
        XCTAssertEqual(rule.embargoEras, 4)
        XCTAssertEqual(rule.firstHalfEras, (n - 4 + 1) / 2)
        XCTAssertEqual(rule.secondHalfEras, (n - 4) / 2)
        // best_single's score, recomputed from the per-era corr: argmax over the first half,
        // its mean over the second half.
        let selection = 0..<n
        let first = selection.prefix(rule.firstHalfEras), second = selection.suffix(rule.secondHalfEras)
        func mean(_ v: ArraySlice<Double>) -> Double { v.reduce(0, +) / Double(v.count) }
        let scores = analysis.corrPerEra.map { mean($0[first]) }
        let pick = scores.indices.max { scores[$0] != scores[$1] ? scores[$0] < scores[$1] : $0 > $1 }!
        let bestSingle = try XCTUnwrap(rule.candidates.first { $0.name == EnsembleRule.bestSingleName })
        XCTAssertEqual(bestSingle.secondHalfCorr, mean(analysis.corrPerEra[pick][second]), accuracy: 1e-12)
        XCTAssertLessThan(bestSingle.secondHalfCorr, rule.candidates.first { $0.name == rule.name }!.secondHalfCorr)
    }

    /// Where a single model really is best (one strong model among weak ones) the rule keeps it.
    func testARealBestSingleModelIsStillRecommended() throws {
        let d = Fixture.dataset(eras: 80, rowsPerEra: 100, features: 1, seed: 5, nanShare: 0)
        var rng = SplitMix64(seed: 9)
        let target = d.targets[0].map(Double.init)
        var models: [ModelInfo] = [], predictions: [[Float]] = []
        for i in 0..<6 {
            models.append(ModelInfo(id: "m-\(i)", arm: "grid"))
            let w = i == 3 ? 3.0 : 0.0
            predictions.append(target.map { Float(w * $0 + rng.nextGaussian()) })
        }
        let input = AnalysisInput(models: models, predictions: predictions, rows: (0..<d.rowCount).map(Int32.init),
                                  dataset: d, targetIndex: 0, split: EvaluationSplit(selectionFraction: 0.5, embargoEras: 4),
                                  scaling: ScalingConfig(draws: 4, seed: 1), featureScores: false)
        let metrics = try StudyAnalysis.run(input).metrics
        let rule = try XCTUnwrap(metrics.recommendation)
        let chosen = try XCTUnwrap(metrics.ensembles?.first { $0.name == rule.name })
        XCTAssertEqual(chosen.members, ["m-3"], rule.name)
    }

    func testHalves() {
        XCTAssertNil(Recommendation.halves(of: 3..<4, embargo: 4))
        let two = Recommendation.halves(of: 0..<2, embargo: 4)!
        XCTAssertEqual([two.first, two.second], [0..<1, 1..<2]); XCTAssertEqual(two.gap, 0)
        let odd = Recommendation.halves(of: 10..<21, embargo: 4)!   // 11 eras: 4 + gap 4 + 3
        XCTAssertEqual([odd.first, odd.second], [10..<14, 18..<21]); XCTAssertEqual(odd.gap, 4)
        let short = Recommendation.halves(of: 0..<5, embargo: 4)!   // gap shrinks to keep one era a half
        XCTAssertEqual([short.first, short.second], [0..<1, 4..<5]); XCTAssertEqual(short.gap, 3)
    }
}
