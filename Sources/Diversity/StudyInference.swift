import EraData
import EvaluationRules
import Foundation
import LinearAlgebra

/// The theory line out of sample (metrics.json `theory_out_of_sample[]`): c and ρ̄ measured on
/// the selection eras predict the test ensemble of random k-subsets; the in-sample line uses c
/// and ρ̄ of the test eras themselves (close to an identity at k = M). Errors are mean absolute
/// over the k grid. The gain factor f(k) = 1/√(ρ̄ + (1 − ρ̄)/k) is compared with the measured
/// ratio random(k)/random(1); the level with c_selection − c_test.
public struct TheoryOutOfSample: Codable, Equatable, Sendable {
    public struct Point: Codable, Equatable, Sendable {
        public var k: Int
        public var measured: Double
        public var predicted: Double
        public var inSample: Double
        public var measuredGain: Double
        public var predictedGain: Double
        enum CodingKeys: String, CodingKey {
            case k, measured, predicted, inSample = "in_sample", measuredGain = "measured_gain", predictedGain = "predicted_gain"
        }
    }
    public var arm: String
    public var cSelection: Double
    public var rhoSelection: Double
    public var cTest: Double
    public var rhoTest: Double
    public var points: [Point]
    public var errorPredicted: Double
    public var errorInSample: Double
    public var gainError: Double
    public var levelError: Double
    enum CodingKeys: String, CodingKey {
        case arm, cSelection = "c_selection", rhoSelection = "rho_selection", cTest = "c_test", rhoTest = "rho_test", points
        case errorPredicted = "error_predicted", errorInSample = "error_in_sample", gainError = "gain_error"
        case levelError = "level_error"
    }
}

/// Contributions against a chosen reference ensemble, next to those against all others, with
/// (1 − α) Newey–West intervals over test eras (metrics.json `reference_contributions`).
/// A model that belongs to the reference is measured against the reference without it.
public struct ReferenceContributions: Codable, Equatable, Sendable {
    public struct Model: Codable, Equatable, Sendable {
        public var id: String
        public var arm: String
        public var vsReference: MeanInterval
        public var vsOthers: MeanInterval
        enum CodingKeys: String, CodingKey { case id, arm, vsReference = "vs_reference", vsOthers = "vs_others" }
    }
    public struct Arm: Codable, Equatable, Sendable {
        public var arm: String
        /// The arm's equal-weight ensemble's contribution against the reference.
        public var ensemble: MeanInterval
        /// Share of the arm's models with a positive mean contribution against the reference.
        public var positiveShare: Double
        public var models: Int
        enum CodingKeys: String, CodingKey { case arm, ensemble, positiveShare = "positive_share", models }
    }
    public var reference: String
    public var referenceMembers: [String]
    public var models: [Model]
    public var arms: [Arm]
    enum CodingKeys: String, CodingKey { case reference, referenceMembers = "reference_members", models, arms }
}

/// Ensembles, contrasts, bootstrap, theory out of sample and reference contributions.
enum StudyInference {
    struct Output {
        var ensembles: [EnsembleResult]
        var contrasts: [ContrastResult]
        var uncertainty: [ArmUncertainty]
        var theory: [TheoryOutOfSample]
        var reference: ReferenceContributions?
        var recommendation: Recommendation? = nil
    }

    /// Arms of the analysed models other than the benchmark, sorted (the benchmark's own arm, made
    /// of it alone, is covered by the "benchmark" ensemble).
    static func studyArms(_ input: AnalysisInput) -> [String] {
        Set(input.models.enumerated().filter { $0.offset != input.benchmark }.map(\.element.arm)).sorted()
    }

    /// Defaults: each arm, each arm filtered to selection corr ≥ 0 and selection BMC ≥ 0 (BMC only
    /// with a benchmark), all models, the benchmark, and `best_single` (top 1 of all models by
    /// selection corr) unless an arm has that name.
    static func defaultEnsembles(_ input: AnalysisInput) -> [EnsembleRule] {
        var out: [EnsembleRule] = []
        for arm in studyArms(input) {
            out.append(EnsembleRule(name: arm, from: [arm]))
            out.append(EnsembleRule(name: arm + ".filtered", from: [arm], minSelectionCorr: 0,
                                    minSelectionBMC: input.benchmark == nil ? nil : 0))
        }
        out.append(EnsembleRule(name: "all", from: ["all"]))
        if input.benchmark != nil { out.append(EnsembleRule(name: "benchmark", from: ["benchmark"])) }
        if !studyArms(input).contains(EnsembleRule.bestSingleName) {
            out.append(EnsembleRule(name: EnsembleRule.bestSingleName, from: ["all"], top: 1, topBy: "corr"))
        }
        return out
    }

    /// Defaults: every arm and "all" vs the benchmark; "all" vs `best_single` (the headline's two
    /// questions); every arm vs the equal-size seed-only
    /// ensemble "seeds[k]" (first k seeds models) when an arm named "seeds" exists; every arm's
    /// filtered ensemble vs the arm.
    static func defaultContrasts(_ input: AnalysisInput) -> [ContrastRule] {
        let arms = studyArms(input)
        var out: [ContrastRule] = []
        if input.benchmark != nil {
            for arm in arms + ["all"] { out.append(ContrastRule(a: arm, b: "benchmark")) }
        }
        if !arms.contains(EnsembleRule.bestSingleName) { out.append(ContrastRule(a: "all", b: EnsembleRule.bestSingleName)) }
        if arms.contains("seeds") {
            let seeds = input.models.filter { $0.arm == "seeds" }.count
            for arm in arms where arm != "seeds" {
                let k = min(input.models.filter { $0.arm == arm }.count, seeds)
                out.append(ContrastRule(a: arm, b: "seeds[\(k)]"))
            }
        }
        for arm in arms { out.append(ContrastRule(a: arm + ".filtered", b: arm)) }
        return out
    }

    static func run(input: AnalysisInput, g: ModelMatrix, layout: EraLayout, selection: Range<Int>, test: Range<Int>,
                    corrSeries: [[Double]], selectionCorr: [Double], xSelection: CrossProducts, xTest: CrossProducts,
                    xAll: CrossProducts, groups: [(name: String, members: [Int], scaling: [ScalingRow], contribution: [Double])],
                    othersSeries: [[Double]]) throws -> Output {
        let config = input.inference
        var builder = EnsembleBuilder(g: g, layout: layout, models: input.models, benchmark: input.benchmark,
                                      selection: selection, test: test, selectionCorr: selectionCorr,
                                      xSelection: xSelection, config: config)
        // Ensembles: defaults, then declared ones, then "ARM[k]" ones that contrasts name.
        var rules = defaultEnsembles(input)
        for rule in input.ensembles {
            guard !rules.contains(where: { $0.name == rule.name }) else {
                throw DiversityError("ensemble '\(rule.name)' is already defined (default ensembles: each arm, ARM.filtered, all, benchmark, best_single)")
            }
            rules.append(rule)
        }
        let contrastRules = input.contrasts ?? defaultContrasts(input)
        for c in contrastRules {
            for name in [c.a, c.b] where !rules.contains(where: { $0.name == name }) {
                if let open = name.lastIndex(of: "["), name.hasSuffix("]"),
                   let k = Int(name[name.index(after: open)..<name.index(before: name.endIndex)]), k >= 1 {
                    rules.append(EnsembleRule(name: name, from: [String(name[..<open])], firstModels: k))
                } else {
                    // The study file was validated: a name unknown here is an arm none of whose
                    // models finished. Its ensemble is empty and the contrast "undetermined".
                    rules.append(EnsembleRule(name: name, from: [name]))
                }
            }
        }
        var ensembles: [EnsembleResult] = []
        var testSeries: [String: [Double]] = [:]
        for rule in rules {
            let (members, weights) = try builder.build(rule)
            let (result, series) = builder.result(rule, members: members, weights: weights)
            ensembles.append(result)
            testSeries[rule.name] = series
        }
        var contrasts = contrastRules.map { c in
            ContrastResult(name: c.name, a: c.a, b: c.b, seriesA: testSeries[c.a]!, seriesB: testSeries[c.b]!, config: config)
        }
        contrasts = ContrastResult.finalize(contrasts, alpha: config.alpha)

        // Bootstrap and theory out of sample per group (all, then arms).
        var uncertainty: [ArmUncertainty] = [], theory: [TheoryOutOfSample] = []
        for group in groups where !group.members.isEmpty {
            let members = group.members
            uncertainty.append(ModelBootstrap.run(
                arm: group.name, corr: members.map { Array(corrSeries[$0][test]) },
                testCorrelation: xTest.correlation(of: members), allCorrelation: xAll.correlation(of: members),
                contribution: members.map { group.contribution[$0] }, resamples: config.bootstrapResamples,
                eraBlock: config.hacLag + 1, seed: config.bootstrapSeed, alpha: config.alpha))
            theory.append(theoryOutOfSample(name: group.name, members: members, scaling: group.scaling,
                                            corrSeries: corrSeries, selection: selection, test: test,
                                            xSelection: xSelection, xTest: xTest))
        }

        // Contributions against the reference.
        var reference: ReferenceContributions? = nil
        let arms = studyArms(input)
        let referenceName = config.contributionReference
            ?? (arms.contains("seeds") ? "seeds" : input.benchmark != nil ? "benchmark" : nil)
        if let name = referenceName {
            // Absent when the reference arm has no finished model (or no benchmark was trained).
            if let ref = builder.resolved[name], !ref.members.isEmpty {
                reference = referenceContributions(name: name, ref: ref, input: input, builder: builder, arms: arms,
                                                   test: test, othersSeries: othersSeries)
            }
        }
        var output = Output(ensembles: ensembles, contrasts: contrasts, uncertainty: uncertainty, theory: theory, reference: reference)
        output.recommendation = try Recommendation.choose(rules: rules, input: input, g: g, layout: layout, selection: selection,
                                                          corrSeries: corrSeries, embargo: input.split.embargoEras)
        return output
    }

    static func theoryOutOfSample(name: String, members: [Int], scaling: [ScalingRow], corrSeries: [[Double]],
                                  selection: Range<Int>, test: Range<Int>, xSelection: CrossProducts,
                                  xTest: CrossProducts) -> TheoryOutOfSample {
        let cSel = SeriesSummary.mean(members.map { SeriesSummary.mean(Array(corrSeries[$0][selection])) })
        let cTest = SeriesSummary.mean(members.map { SeriesSummary.mean(Array(corrSeries[$0][test])) })
        let rhoSel = members.count > 1 ? PairwiseDistribution(xSelection.correlation(of: members)).mean : 1
        let rhoTest = members.count > 1 ? PairwiseDistribution(xTest.correlation(of: members)).mean : 1
        let random = scaling.filter { $0.method == "random" }.sorted { $0.k < $1.k }
        let one = random.first { $0.k == 1 }?.corrMean ?? .nan
        let points = random.map { r in
            TheoryOutOfSample.Point(k: r.k, measured: r.corrMean,
                                    predicted: theoreticalEnsembleCorr(c: cSel, rho: rhoSel, k: r.k),
                                    inSample: theoreticalEnsembleCorr(c: cTest, rho: rhoTest, k: r.k),
                                    measuredGain: r.corrMean / one,
                                    predictedGain: theoreticalEnsembleCorr(c: 1, rho: rhoSel, k: r.k))
        }
        func mae(_ v: [Double]) -> Double { SeriesSummary.mean(v.map(abs)) }
        return TheoryOutOfSample(arm: name, cSelection: cSel, rhoSelection: rhoSel, cTest: cTest, rhoTest: rhoTest, points: points,
                                 errorPredicted: mae(points.map { $0.predicted - $0.measured }),
                                 errorInSample: mae(points.map { $0.inSample - $0.measured }),
                                 gainError: mae(points.map { $0.predictedGain - $0.measuredGain }),
                                 levelError: cSel - cTest)
    }

    static func referenceContributions(name: String, ref: (members: [Int], weights: [Double]), input: AnalysisInput,
                                       builder: EnsembleBuilder, arms: [String], test: Range<Int>,
                                       othersSeries: [[Double]]) -> ReferenceContributions {
        let config = input.inference
        let g = builder.g, layout = builder.layout
        let refSet = Set(ref.members)
        let shared = builder.gaussianized(ref.members, ref.weights, eras: test)
        let candidates = (0..<input.models.count).filter { $0 != input.benchmark || name != "benchmark" }
        let width = test.count
        let out = SharedDoubles(count: candidates.count * width)
        DispatchQueue.concurrentPerform(iterations: candidates.count) { x in
            let i = candidates[x]
            let series: [Double]
            if refSet.contains(i) {
                // The reference without this model (a model does not contribute to itself).
                let others = ref.members.indices.filter { ref.members[$0] != i }
                let meta = builder.gaussianized(others.map { ref.members[$0] }, others.map { ref.weights[$0] }, eras: test)
                series = others.isEmpty ? [Double](repeating: .nan, count: test.count)
                    : meta.withUnsafeBufferPointer { layout.contributionPerEra(gaussianized: UnsafeBufferPointer(g.row(i)), meta: $0, eras: test) }
            } else {
                series = shared.withUnsafeBufferPointer { layout.contributionPerEra(gaussianized: UnsafeBufferPointer(g.row(i)), meta: $0, eras: test) }
            }
            for (e, v) in series.enumerated() { out.v[x * width + e] = v }
        }
        let flat = out.array
        var perModel = [[Double]](repeating: [], count: input.models.count)
        for (x, i) in candidates.enumerated() { perModel[i] = Array(flat[(x * width)..<((x + 1) * width)]) }
        let models = candidates.map { i in
            ReferenceContributions.Model(id: input.models[i].id, arm: input.models[i].arm,
                                         vsReference: MeanInterval(perModel[i], config: config),
                                         vsOthers: MeanInterval(othersSeries[i], config: config))
        }
        var armRows: [ReferenceContributions.Arm] = []
        for arm in arms where arm != name {
            let members = (0..<input.models.count).filter { input.models[$0].arm == arm && $0 != input.benchmark }
            let w = members.map { _ in 1.0 / Double(members.count) }
            let ensemble = builder.gaussianized(members, w, eras: test)
            let series = shared.withUnsafeBufferPointer { meta in
                ensemble.withUnsafeBufferPointer { layout.contributionPerEra(gaussianized: $0, meta: meta, eras: test) }
            }
            let means = members.map { SeriesSummary.mean(perModel[$0]) }.filter(\.isFinite)
            armRows.append(ReferenceContributions.Arm(
                arm: arm, ensemble: MeanInterval(series, config: config),
                positiveShare: means.isEmpty ? .nan : Double(means.filter { $0 > 0 }.count) / Double(means.count),
                models: members.count))
        }
        return ReferenceContributions(reference: name, referenceMembers: ref.members.map { input.models[$0].id },
                                      models: models, arms: armRows)
    }
}
