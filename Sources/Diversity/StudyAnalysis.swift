import EraData
import EvaluationRules
import Foundation
import LinearAlgebra
import Support

/// A model of a study as the analysis sees it.
public struct ModelInfo: Codable, Equatable, Sendable {
    public var id: String
    /// The study arm (grid, drop_eras, drop_features, seeds, …).
    public var arm: String
    /// Resolved numeric hyperparameters.
    public var params: [String: Double]
    /// Other numeric descriptors of how the model was made (dropped era / feature fraction, seed…).
    public var descriptors: [String: Double]
    public init(id: String, arm: String, params: [String: Double] = [:], descriptors: [String: Double] = [:]) {
        self.id = id; self.arm = arm; self.params = params; self.descriptors = descriptors
    }
}

/// Everything the study analysis needs, in memory.
public struct AnalysisInput: Sendable {
    public var models: [ModelInfo]
    /// Per model, predictions aligned with `rows`.
    public var predictions: [[Float]]
    /// Evaluation rows (indices into `dataset`), in era order.
    public var rows: [Int32]
    public var dataset: Dataset
    public var targetIndex: Int
    /// Index into `models` of the benchmark for BMC (e.g. the Numerai example model), if any.
    public var benchmark: Int?
    public var split: EvaluationSplit
    public var scaling: ScalingConfig
    /// Feature-neutral corr and feature exposure (one least-squares solve per era).
    public var featureScores: Bool
    /// Declared ensembles (added to the defaults; see `EnsembleRule`).
    public var ensembles: [EnsembleRule] = []
    /// Declared contrasts; nil: the defaults (see `StudyInference.defaultContrasts`).
    public var contrasts: [ContrastRule]? = nil
    /// Levels, HAC lag, equivalence margin, bootstrap size and seed, contribution reference.
    public var inference = InferenceConfig()

    public init(models: [ModelInfo], predictions: [[Float]], rows: [Int32], dataset: Dataset, targetIndex: Int,
                benchmark: Int? = nil, split: EvaluationSplit = EvaluationSplit(), scaling: ScalingConfig = ScalingConfig(),
                featureScores: Bool = true) {
        self.models = models; self.predictions = predictions; self.rows = rows; self.dataset = dataset
        self.targetIndex = targetIndex; self.benchmark = benchmark; self.split = split; self.scaling = scaling
        self.featureScores = featureScores
    }
}

public struct ModelMetrics: Codable, Equatable, Sendable {
    public var id: String
    public var arm: String
    public var params: [String: Double]
    /// numerai_corr per evaluation era: mean, std (ddof 0), sharpe, max drawdown.
    public var corrMean: Double
    public var corrStd: Double
    public var corrSharpe: Double
    public var maxDrawdown: Double
    /// Mean correlation_contribution against the benchmark (NaN without one).
    public var bmcMean: Double
    public var fncMean: Double
    /// `max_feature_exposure`: mean over eras of max_f |pearson(feature, prediction)| on all rows
    /// of the era (numerai-tools' per-era `max_feature_correlation`, averaged; the dataset's binned
    /// features). metrics.json files written before the rename call it `feature_exposure`.
    public var featureExposure: Double
    /// Mean test-range contribution to the ensemble of all other models.
    public var contribution: Double
    public var selectionCorrMean: Double
    public var testCorrMean: Double
    enum CodingKeys: String, CodingKey {
        case id, arm, params, corrMean = "corr_mean", corrStd = "corr_std", corrSharpe = "corr_sharpe"
        case maxDrawdown = "max_drawdown", bmcMean = "bmc_mean", fncMean = "fnc_mean"
        case featureExposure = "max_feature_exposure", contribution
        case selectionCorrMean = "selection_corr_mean", testCorrMean = "test_corr_mean"
    }
}

extension ModelMetrics {
    /// Decodes `max_feature_exposure`, or `feature_exposure` as metrics.json files written before
    /// the rename spell it, so that older study directories stay readable.
    public init(from decoder: Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        id = try c.decode(String.self, forKey: .id)
        arm = try c.decode(String.self, forKey: .arm)
        params = try c.decode([String: Double].self, forKey: .params)
        corrMean = try c.decode(Double.self, forKey: .corrMean)
        corrStd = try c.decode(Double.self, forKey: .corrStd)
        corrSharpe = try c.decode(Double.self, forKey: .corrSharpe)
        maxDrawdown = try c.decode(Double.self, forKey: .maxDrawdown)
        bmcMean = try c.decode(Double.self, forKey: .bmcMean)
        fncMean = try c.decode(Double.self, forKey: .fncMean)
        if let v = try c.decodeIfPresent(Double.self, forKey: .featureExposure) {
            featureExposure = v
        } else {
            let old = try decoder.container(keyedBy: LegacyKeys.self)
            featureExposure = try old.decode(Double.self, forKey: .featureExposure)
        }
        contribution = try c.decode(Double.self, forKey: .contribution)
        selectionCorrMean = try c.decode(Double.self, forKey: .selectionCorrMean)
        testCorrMean = try c.decode(Double.self, forKey: .testCorrMean)
    }

    enum LegacyKeys: String, CodingKey { case featureExposure = "feature_exposure" }
}

public struct DiversityMetrics: Codable, Equatable, Sendable {
    public var models: Int
    public var pairwiseCorrMean: Double
    public var pairwiseCorr: PairwiseDistribution
    public var pcaExplainedVarianceRatio: [Double]
    public var participationRatio: Double
    public var effectiveModels: Double
    public var ambiguity: Ambiguity
    /// Model ids in average-linkage dendrogram order (heatmap order).
    public var clusterOrder: [String]
    enum CodingKeys: String, CodingKey {
        case models, pairwiseCorrMean = "pairwise_corr_mean", pairwiseCorr = "pairwise_corr"
        case pcaExplainedVarianceRatio = "pca_explained_variance_ratio", participationRatio = "participation_ratio"
        case effectiveModels = "effective_models", ambiguity, clusterOrder = "cluster_order"
    }
}

/// The theoretical curve's inputs, measured on the test range.
public struct TheoryMetrics: Codable, Equatable, Sendable {
    /// Mean over models of the mean test-range numerai_corr.
    public var c: Double
    /// Mean pairwise correlation of gaussianized predictions on the test range.
    public var rho: Double
    public var models: Int
    /// c/√(ρ + (1−ρ)/M).
    public var ensembleCorr: Double
    /// ensembleCorr / c.
    public var gain: Double
    /// c/√ρ, the limit for M → ∞.
    public var asymptote: Double
    enum CodingKeys: String, CodingKey {
        case c, rho, models, ensembleCorr = "ensemble_corr", gain, asymptote
    }
}

public struct ArmMetrics: Codable, Equatable, Sendable {
    public var arm: String
    public var modelIDs: [String]
    public var diversity: DiversityMetrics
    public var scaling: [ScalingRow]
    public var theory: TheoryMetrics
    public var contributionPositiveShare: Double
    public var attribution: [Attribution]
    enum CodingKeys: String, CodingKey {
        case arm, modelIDs = "model_ids", diversity, scaling, theory
        case contributionPositiveShare = "contribution_positive_share", attribution
    }
}

/// One test era for charts: the all-model ensemble, the best single model by selection corr, the
/// benchmark.
public struct EraPoint: Codable, Equatable, Sendable {
    public var era: String
    public var ensemble: Double
    public var bestSingle: Double
    public var benchmark: Double
    enum CodingKeys: String, CodingKey { case era, ensemble, bestSingle = "best_single", benchmark }
}

public struct SplitMetrics: Codable, Equatable, Sendable {
    public var selectionEras: [String]
    public var testEras: [String]
    public var embargoEras: Int
    public var selectionFraction: Double
    enum CodingKeys: String, CodingKey {
        case selectionEras = "selection_eras", testEras = "test_eras", embargoEras = "embargo_eras"
        case selectionFraction = "selection_fraction"
    }
}

/// metrics.json.
public struct StudyMetrics: Codable, Equatable, Sendable {
    public var target: String
    public var benchmark: String?
    public var evaluationEras: Int
    public var evaluationRows: Int
    public var split: SplitMetrics
    public var models: [ModelMetrics]
    public var diversity: DiversityMetrics
    public var scaling: [ScalingRow]
    public var theory: TheoryMetrics
    public var contributionPositiveShare: Double
    public var attribution: [Attribution]
    public var arms: [ArmMetrics]
    public var bestSingle: String
    public var perEra: [EraPoint]
    // Inference (issue 14): optional so that metrics.json files written before them still decode.
    public var inference: InferenceConfig? = nil
    public var ensembles: [EnsembleResult]? = nil
    public var contrasts: [ContrastResult]? = nil
    public var uncertainty: [ArmUncertainty]? = nil
    public var theoryOutOfSample: [TheoryOutOfSample]? = nil
    public var referenceContributions: ReferenceContributions? = nil
    /// Ids of models left out because their predictions are constant within every evaluation era
    /// (see `StudyAnalysis.run`); empty when none. Optional so older metrics.json files decode.
    public var constantModels: [String]? = []
    /// The ensemble to submit, chosen on the selection eras by split halves (`Recommendation`).
    /// Optional so older metrics.json files decode.
    public var recommendation: Recommendation? = nil
    /// What the study's successive halving did (`DIR/pruning.json`); absent when it did not prune.
    public var pruning: PruningRecord? = nil
    enum CodingKeys: String, CodingKey {
        case target, benchmark, evaluationEras = "evaluation_eras", evaluationRows = "evaluation_rows", split
        case models, diversity, scaling, theory, contributionPositiveShare = "contribution_positive_share"
        case attribution, arms, bestSingle = "best_single", perEra = "per_era"
        case inference, ensembles, contrasts, uncertainty, theoryOutOfSample = "theory_out_of_sample"
        case referenceContributions = "reference_contributions"
        case constantModels = "constant_models"
        case recommendation
        case pruning
    }

    /// Deterministic JSON (sorted keys, 12 significant digits, NaN as null).
    public func canonicalJSON() throws -> Data { try CanonicalJSON.encode(self) }
    public static func decode(_ data: Data) throws -> StudyMetrics { try CanonicalJSON.decode(StudyMetrics.self, from: data) }
}

/// The analysis result: the JSON metrics plus arrays for charts that do not belong in JSON.
public struct StudyAnalysisResult: Sendable {
    public var metrics: StudyMetrics
    /// Pairwise correlation over all evaluation rows, models in input order.
    public var correlation: Matrix
    /// numerai_corr per evaluation era, per model.
    public var corrPerEra: [[Double]]
    public var eraNames: [String]
    /// correlation_contribution against the benchmark per evaluation era, per model (NaN without
    /// a benchmark); `bmc_mean` is its mean. `models.csv` / `per_era.csv` read it.
    public var bmcPerEra: [[Double]] = []
    /// numerai_corr per evaluation era (selection, embargo and test) of the equal-weight ensemble
    /// of all models, for the report's cumulative chart; its test eras equal `metrics.perEra`.
    public var ensemblePerEra: [Double] = []
}

public enum StudyAnalysis {
    /// Runs every analysis (Sources/Diversity/README.md) on the evaluation rows. Deterministic for a given input
    /// (parallel loops write disjoint slots; reductions run in a fixed order). Caps OpenBLAS at one
    /// thread because the loops around it already use every core.
    ///
    /// Constant models — predictions equal on every scored row (known target) within each
    /// evaluation era, e.g. a model that never split — carry no ranking, so their per-era
    /// correlations are undefined and their correlation matrix rows are NaN. They are left out of
    /// every analysis and listed in `metrics.constantModels`; the rest are analysed as if they were
    /// alone (a constant benchmark is dropped, so BMC is NaN). Only when every model is constant
    /// is there nothing to analyse, and that is an error.
    public static func run(_ input: AnalysisInput) throws -> StudyAnalysisResult {
        guard input.targetIndex >= 0 && input.targetIndex < input.dataset.targets.count else {
            throw DiversityError("target index \(input.targetIndex) out of range (dataset has \(input.dataset.targets.count) targets)")
        }
        let constant = constantModels(input)
        guard !constant.isEmpty else { return try analyseVarying(input) }
        guard constant.count < input.models.count else {
            throw DiversityError("every model's predictions are constant within each evaluation era (\(input.models.map(\.id).prefix(5).joined(separator: ", "))\(input.models.count > 5 ? ", …" : "")): nothing to analyse; check the parameters (e.g. min_child_samples larger than the data) and that eras have more than one row")
        }
        let isConstant = Set(constant)
        let kept = input.models.indices.filter { !isConstant.contains($0) }
        var reduced = input
        reduced.models = kept.map { input.models[$0] }
        reduced.predictions = kept.map { input.predictions[$0] }
        reduced.benchmark = input.benchmark.flatMap { kept.firstIndex(of: $0) }
        var result = try analyseVarying(reduced)
        result.metrics.constantModels = constant.map { input.models[$0].id }
        return result
    }

    /// Indices of models whose predictions are constant within every evaluation era (on the rows
    /// with a known target). Predictions of the wrong length are left to `analyseVarying`'s checks.
    public static func constantModels(_ input: AnalysisInput) -> [Int] {
        let target = input.dataset.targets[input.targetIndex]
        let groups = input.dataset.eraGroups(of: input.rows)
        return input.predictions.indices.filter { i in
            let p = input.predictions[i]
            guard p.count == input.rows.count else { return false }
            for group in groups {
                var first: Float? = nil
                for position in group.range where !target[Int(input.rows[position])].isNaN {
                    if let f = first {
                        // Bit equality: NaN predictions are not constant (the finiteness check reports them).
                        if p[position].bitPattern != f.bitPattern { return false }
                    } else {
                        first = p[position]
                    }
                }
            }
            return true
        }
    }

    static func analyseVarying(_ input: AnalysisInput) throws -> StudyAnalysisResult {
        let m = input.models.count
        guard m > 0 else { throw DiversityError("no models to analyse") }
        guard input.predictions.count == m else {
            throw DiversityError("\(m) models but \(input.predictions.count) prediction arrays")
        }
        for (i, p) in input.predictions.enumerated() {
            guard p.count == input.rows.count else {
                throw DiversityError("model \(input.models[i].id): \(p.count) predictions for \(input.rows.count) rows")
            }
            if let bad = p.firstIndex(where: { !$0.isFinite }) {
                throw DiversityError("model \(input.models[i].id): prediction \(bad) is \(p[bad])")
            }
        }
        if let b = input.benchmark, !(0..<m).contains(b) { throw DiversityError("benchmark index \(b) out of range") }
        BLAS.setThreadsForAnalysis()
        let clock = PhaseClock()

        let layout = try EraLayout(dataset: input.dataset, rows: input.rows, targetIndex: input.targetIndex)
        let (selection, test) = try input.split.ranges(eraCount: layout.eras.count)

        // Per model: gaussianized predictions (compact) and numerai_corr per era.
        let g = ModelMatrix(models: m, columns: layout.compactCount)
        let corr = ModelMatrix(models: m, columns: layout.eras.count)
        DispatchQueue.concurrentPerform(iterations: m) { i in
            var scratch = RankScratch()
            let series = input.predictions[i].withUnsafeBufferPointer {
                layout.scoreModel($0, gaussianized: g.row(i), scratch: &scratch)
            }
            for (e, v) in series.enumerated() { corr.row(i)[e] = v }
        }
        let corrSeries = (0..<m).map { Array(corr.row($0)) }
        clock.mark("scores")

        var bmc = [Double](repeating: .nan, count: m)
        var bmcSeries = [[Double]](repeating: [Double](repeating: .nan, count: layout.eras.count), count: m)
        if let b = input.benchmark {
            let out = ModelMatrix(models: m, columns: layout.eras.count)
            DispatchQueue.concurrentPerform(iterations: m) { i in
                let series = layout.contributionPerEra(
                    gaussianized: UnsafeBufferPointer(g.row(i)), meta: UnsafeBufferPointer(g.row(b)),
                    eras: 0..<layout.eras.count)
                for (e, v) in series.enumerated() { out.row(i)[e] = v }
            }
            bmcSeries = (0..<m).map { Array(out.row($0)) }
            bmc = bmcSeries.map(SeriesSummary.mean)
        }
        clock.mark("bmc")

        var fnc = [Double](repeating: .nan, count: m), exposure = fnc
        if input.featureScores {
            let scores = try FeatureScores.compute(layout: layout, dataset: input.dataset, predictions: input.predictions)
            fnc = scores.fnc.map(SeriesSummary.mean)
            exposure = scores.exposure.map(SeriesSummary.mean)
        }
        clock.mark("features")

        // Cross products per range: selection, test, and everything.
        let target = compactCenteredTarget(layout)
        let selectionSpan = layout.compactRange(eras: selection), testSpan = layout.compactRange(eras: test)
        let xSelection = CrossProducts.compute(g, centeredTarget: target, range: selectionSpan)
        let xTest = CrossProducts.compute(g, centeredTarget: target, range: testSpan)
        let xGap = CrossProducts.compute(g, centeredTarget: target, range: selectionSpan.upperBound..<testSpan.lowerBound)
        let xAll = xSelection + xGap + xTest
        clock.mark("cross products")

        let selectionCorr = corrSeries.map { SeriesSummary.mean(Array($0[selection])) }
        let testCorr = corrSeries.map { SeriesSummary.mean(Array($0[test])) }
        let all = Array(0..<m)
        let group = try analyseGroup(name: "all", members: all, input: input, g: g, layout: layout, xAll: xAll,
                                     xSelection: xSelection, xTest: xTest, test: test, selectionCorr: selectionCorr,
                                     testCorr: testCorr, corrMean: corrSeries.map(SeriesSummary.mean))

        clock.mark("all-model group")
        var models: [ModelMetrics] = []
        for i in 0..<m {
            let s = SeriesSummary(corrSeries[i])
            models.append(ModelMetrics(id: input.models[i].id, arm: input.models[i].arm, params: input.models[i].params,
                                       corrMean: s.mean, corrStd: s.std, corrSharpe: s.sharpe, maxDrawdown: s.maxDrawdown,
                                       bmcMean: bmc[i], fncMean: fnc[i], featureExposure: exposure[i],
                                       contribution: group.contribution[i], selectionCorrMean: selectionCorr[i],
                                       testCorrMean: testCorr[i]))
        }

        var arms: [ArmMetrics] = []
        var groups = [(name: "all", members: all, scaling: group.metrics.scaling, contribution: group.contribution)]
        for arm in Set(input.models.map(\.arm)).sorted() {
            let members = all.filter { input.models[$0].arm == arm }
            let a = try analyseGroup(name: arm, members: members, input: input, g: g, layout: layout, xAll: xAll,
                                     xSelection: xSelection, xTest: xTest, test: test, selectionCorr: selectionCorr,
                                     testCorr: testCorr, corrMean: corrSeries.map(SeriesSummary.mean))
            arms.append(a.metrics)
            if members != input.benchmark.map({ [$0] }) { groups.append((arm, members, a.metrics.scaling, a.contribution)) }
        }
        clock.mark("arms")
        let inference = try StudyInference.run(
            input: input, g: g, layout: layout, selection: selection, test: test, corrSeries: corrSeries,
            selectionCorr: selectionCorr, xSelection: xSelection, xTest: xTest, xAll: xAll, groups: groups,
            othersSeries: group.contributionSeries)
        clock.mark("inference")

        // Per test era: all-model ensemble, best single by selection corr, benchmark.
        let best = all.max { a, b in
            let x = selectionCorr[a].isNaN ? -Double.infinity : selectionCorr[a]
            let y = selectionCorr[b].isNaN ? -Double.infinity : selectionCorr[b]
            return x != y ? x < y : a > b
        }!
        let ensemble = Scaling.testCorr(g: g, layout: layout, members: all, test: test, span: testSpan)
        let perEra = test.enumerated().map { x, e in
            EraPoint(era: layout.eras[e].name, ensemble: ensemble[x], bestSingle: corrSeries[best][e],
                     benchmark: input.benchmark.map { corrSeries[$0][e] } ?? .nan)
        }

        let metrics = StudyMetrics(
            target: input.dataset.targetNames[input.targetIndex],
            benchmark: input.benchmark.map { input.models[$0].id },
            evaluationEras: layout.eras.count, evaluationRows: layout.compactCount,
            split: SplitMetrics(selectionEras: selection.map { layout.eras[$0].name },
                                testEras: test.map { layout.eras[$0].name },
                                embargoEras: input.split.embargoEras, selectionFraction: input.split.selectionFraction),
            models: models, diversity: group.metrics.diversity, scaling: group.metrics.scaling,
            theory: group.metrics.theory, contributionPositiveShare: group.metrics.contributionPositiveShare,
            attribution: group.metrics.attribution, arms: arms, bestSingle: input.models[best].id, perEra: perEra,
            inference: input.inference, ensembles: inference.ensembles, contrasts: inference.contrasts,
            uncertainty: inference.uncertainty, theoryOutOfSample: inference.theory,
            referenceContributions: inference.reference, recommendation: inference.recommendation)
        return StudyAnalysisResult(metrics: metrics, correlation: xAll.correlation(of: all), corrPerEra: corrSeries,
                                   eraNames: layout.eras.map(\.name), bmcPerEra: bmcSeries,
                                   ensemblePerEra: Scaling.testCorr(g: g, layout: layout, members: all, test: 0..<layout.eras.count,
                                                                    span: layout.compactRange(eras: 0..<layout.eras.count)))
    }

    /// The per-era centered target laid out like compact arrays.
    static func compactCenteredTarget(_ layout: EraLayout) -> [Double] {
        var t = [Double](repeating: 0, count: layout.compactCount)
        for era in layout.eras { for (i, v) in era.tCentered.enumerated() { t[era.compact.lowerBound + i] = v } }
        return t
    }

    static func analyseGroup(name: String, members: [Int], input: AnalysisInput, g: ModelMatrix, layout: EraLayout,
                             xAll: CrossProducts, xSelection: CrossProducts, xTest: CrossProducts, test: Range<Int>,
                             selectionCorr: [Double], testCorr: [Double], corrMean: [Double])
        throws -> (metrics: ArmMetrics, contribution: [Double], contributionSeries: [[Double]]) {
        let ids = members.map { input.models[$0].id }
        let correlation = xAll.correlation(of: members)
        let distribution = PairwiseDistribution(correlation)
        let rhoAll = members.count > 1 ? distribution.mean : 1
        let spectrum = try Spectrum(correlation: correlation, meanPairwise: rhoAll)
        let diversity = DiversityMetrics(
            models: members.count, pairwiseCorrMean: rhoAll, pairwiseCorr: distribution,
            pcaExplainedVarianceRatio: spectrum.explainedVarianceRatio, participationRatio: spectrum.participationRatio,
            effectiveModels: spectrum.effectiveModels, ambiguity: xAll.ambiguity(of: members),
            clusterOrder: clusterOrder(correlation).map { ids[$0] })

        let testRho = members.count > 1 ? PairwiseDistribution(xTest.correlation(of: members)).mean : 1
        let c = SeriesSummary.mean(members.map { testCorr[$0] })
        let k = members.count
        let theoryCorr = theoreticalEnsembleCorr(c: c, rho: testRho, k: k)
        let theory = TheoryMetrics(c: c, rho: testRho, models: k, ensembleCorr: theoryCorr, gain: theoryCorr / c,
                                   asymptote: c / testRho.squareRoot())

        let scalingStart = DispatchTime.now().uptimeNanoseconds
        var scaling = Scaling.curves(g: g, layout: layout, models: members, selectionCorr: members.map { selectionCorr[$0] },
                                     selection: xSelection, test: test, config: input.scaling)
        for kk in Scaling.grid(models: k, maxPoints: input.scaling.maxGridPoints) {
            let v = theoreticalEnsembleCorr(c: c, rho: testRho, k: kk)
            scaling.append(ScalingRow(k: kk, method: "theory", corrMean: v, ciLow: v, ciHigh: v, ciKind: "none"))
        }

        let contributionStart = DispatchTime.now().uptimeNanoseconds
        let series = Contribution.toOthersSeries(g: g, layout: layout, models: members, eras: test)
        let contribution = series.map(SeriesSummary.mean)
        if ProcessInfo.processInfo.environment["WORKBENCH_ANALYSIS_TIMING"] != nil {
            FileHandle.standardError.write(Data(String(format: "  %@: scaling %.3f s, contribution %.3f s\n", name as NSString,
                Double(contributionStart - scalingStart) / 1e9,
                Double(DispatchTime.now().uptimeNanoseconds - contributionStart) / 1e9).utf8))
        }
        let defined = contribution.filter { !$0.isNaN }
        let share = defined.isEmpty ? Double.nan : Double(defined.filter { $0 > 0 }.count) / Double(defined.count)
        let values = members.map { input.models[$0].params.merging(input.models[$0].descriptors) { a, _ in a } }
        let attribution = Attribution.compute(values: values, correlation: correlation, contribution: contribution,
                                              corrMean: members.map { corrMean[$0] })
        var full = [Double](repeating: .nan, count: input.models.count)
        var fullSeries = [[Double]](repeating: [Double](repeating: .nan, count: test.count), count: input.models.count)
        for (x, i) in members.enumerated() { full[i] = contribution[x]; fullSeries[i] = series[x] }
        return (ArmMetrics(arm: name, modelIDs: ids, diversity: diversity, scaling: scaling, theory: theory,
                           contributionPositiveShare: share, attribution: attribution), full, fullSeries)
    }
}

/// Phase timings on stderr when WORKBENCH_ANALYSIS_TIMING is set (for bench/analysis).
final class PhaseClock {
    let enabled = ProcessInfo.processInfo.environment["WORKBENCH_ANALYSIS_TIMING"] != nil
    var last = DispatchTime.now().uptimeNanoseconds
    func mark(_ phase: String) {
        guard enabled else { return }
        let now = DispatchTime.now().uptimeNanoseconds
        FileHandle.standardError.write(Data(String(format: "phase %-16@ %.3f s\n", phase as NSString, Double(now - last) / 1e9).utf8))
        last = now
    }
}
