import Diversity
import Foundation
import Mining
import Reports
import Studies
import Support

/// The end of `workbench mine`: the farm's keep / rotate / pool simulation (`DIR/schemes.json`)
/// and its report (`DIR/report.md`, `charts/`), from what `Miner.mine` returned.
public enum FarmReport {
    /// Simulates the schemes on the test eras, writes `schemes.json` and the mining report.
    /// Returns `report.md`.
    @discardableResult
    public static func write(spec: StudySpec, result: FarmResult, jobs: Int, maxAttempts: Int, to directory: URL) throws -> URL {
        let schemes = FarmSimulation.run(evaluation: result.evaluation, models: result.models.map(\.scored),
                                         benchmark: result.benchmark)
        let schemesData = try CanonicalJSON.encode(schemes)
        try writeAtomically(to: directory.appendingPathComponent("schemes.json").path) {
            try schemesData.write(to: URL(fileURLWithPath: $0))
        }
        return try MiningReport.write(input(spec: spec, result: result, schemes: schemes, jobs: jobs, maxAttempts: maxAttempts),
                                      to: directory)
    }

    /// Pearson correlation of every pair of accepted models' gaussianized predictions
    /// (`MiningEvaluation.correlation`), over the selection eras and over the test eras: for
    /// models 0…n−1 in mining order, the n(n−1)/2 pairs (i, j), i < j, row by row
    /// ((0,1), (0,2), …, (1,2), …). NaN where a model is constant over the span.
    public static func pairwiseCorrelations(_ models: [FarmModel], evaluation e: MiningEvaluation) -> (selection: [Double], test: [Double]) {
        var selection: [Double] = [], test: [Double] = []
        for i in models.indices {
            for j in (i + 1)..<max(models.count, i + 1) {
                selection.append(e.correlation(models[i].scored.gaussianized, models[j].scored.gaussianized, span: e.selectionSpan))
                test.append(e.correlation(models[i].scored.gaussianized, models[j].scored.gaussianized, span: e.testSpan))
            }
        }
        return (selection, test)
    }

    /// The mining report's input: every staker's decision and scores from the manifest, rejection
    /// counts by reason, the pairwise correlations of the accepted models, distinct recipes (with
    /// and without the seed), the benchmark's scores and the schemes.
    public static func input(spec: StudySpec, result: FarmResult, schemes: [SchemeResult], jobs: Int,
                             maxAttempts: Int) -> MiningReportInput {
        let m = result.manifest
        let models = result.models
        let pairs = pairwiseCorrelations(models, evaluation: result.evaluation)
        var counts: [RejectionReason: Int] = [:]
        for s in m.stakers { for r in s.rejections { for reason in r.reasons { counts[reason, default: 0] += 1 } } }
        let stakers = m.stakers.map { s in
            MiningReportInput.Staker(
                id: s.id, accepted: s.status == .accepted, candidates: s.candidates, acceptedAttempt: s.acceptedAttempt,
                arm: s.arm, selectionCorr: s.selection?.corrMean ?? .nan, selectionBMC: s.selection?.bmcMean ?? .nan,
                testCorr: s.test?.corrMean ?? .nan, testBMC: s.test?.bmcMean ?? .nan,
                maxCorrWithEarlier: s.maxCorrWithEarlier ?? .nan, trainSeconds: s.trainSeconds,
                lastRejection: s.rejections.last?.message)
        }
        let data: String
        switch spec.data {
        case .synthetic(let c):
            data = "synthetic, \(c.eras) eras × \(c.rowsPerEra) rows, \(c.features) features, noise \(c.noise), seed \(c.seed)"
        case .files(let paths, _):
            data = paths.joined(separator: ", ")
        }
        return MiningReportInput(
            studyName: m.study, studyHash: m.studyHash, data: data, target: m.target, evaluationSplit: m.evaluationSplit,
            selectionEras: m.selectionEras.count, testEras: m.testEras.count, embargoEras: m.embargoEras,
            minCorr: m.criteria.minCorr, minBMC: m.criteria.minBMC, maxCorr: m.criteria.maxCorr, maxAttempts: maxAttempts,
            stakers: stakers,
            rejectionCounts: RejectionReason.allCases.compactMap { r in counts[r].map { (r.rawValue, $0) } },
            candidatesTrained: m.runs.reduce(0) { $0 + $1.candidatesTrained },
            speculativeUnused: m.runs.reduce(0) { $0 + $1.speculativeUnused },
            wallSeconds: m.runs.reduce(0) { $0 + $1.wallSeconds }, jobs: jobs,
            pairwiseSelection: pairs.selection, pairwiseTest: pairs.test,
            distinctRecipes: Set(models.map { Recipe($0.plan) }).count,
            distinctRecipesIgnoringSeed: Set(models.map { Recipe($0.plan).ignoringSeed }).count,
            benchmarkSelectionCorr: m.benchmarkSelection.corrMean, benchmarkTestCorr: m.benchmarkTest.corrMean,
            schemes: schemes.map {
                MiningReportInput.Scheme(name: $0.scheme.title, stakerMeans: $0.stakerMeans, fundCorrMean: $0.fundCorrMean,
                                         fundCorrSharpe: $0.fundCorrSharpe, fundBMCMean: $0.fundBMCMean)
            },
            rotationRule: "staker i (mining order) holds model (i + t) mod n in test era t, so each era is a permutation and over any n consecutive eras every staker holds every model once")
    }
}
