import Diversity
import EraData
import EvaluationRules
import Foundation
import Reports
import Support

/// A small synthetic study analysed by Diversity: models = true signal + arm-shared noise + own
/// noise, so pairwise correlation is planted per arm.
public enum ReportFixture {
    public struct Arm: Sendable {
        public let name: String
        public let models: Int
        /// Share of each model's noise that the arm's models share (planted pairwise correlation).
        public let shared: Double
        /// Multiplies every model's true-signal weight (0: pure noise; planted arm effects).
        public var strength: Double = 1

        public init(name: String, models: Int, shared: Double, strength: Double = 1) {
            self.name = name; self.models = models; self.shared = shared; self.strength = strength
        }
    }

    public static let dataset: Dataset = SyntheticGenerator.generate(SyntheticConfig(
        eras: 56, rowsPerEra: 80, features: 8, targets: 2, seed: 11, noise: 3, latents: 4,
        validationFraction: 0.5, embargoEras: 2))

    public static func build(arms: [Arm], benchmark: Bool, seed: UInt64 = 5, featureScores: Bool = true,
                             benchmarkStrength: Double = 0.35) throws -> (StudyAnalysisResult, StudyDescription) {
        let d = dataset
        let rows = (0..<d.rowCount).filter { d.splitOfRow[$0] != .train }.map(Int32.init)
        let signal = d.trueSignal!
        var infos: [ModelInfo] = [], predictions: [[Float]] = [], summaries: [ModelSummary] = []
        var rng = SplitMix64(seed: seed)
        for (a, arm) in arms.enumerated() {
            let common = rows.map { _ in rng.nextGaussian() }
            for i in 0..<arm.models {
                let strength = arm.strength * (0.3 + 0.1 * Double(i % 3))
                let learningRate = 0.001 * pow(10, Double(i) / 2)
                let params: [String: Double] = arm.name == "seeds"
                    ? ["seed": Double(1000 + i), "learning_rate": 0.01]
                    : ["learning_rate": learningRate, "num_leaves": Double(8 << (i % 3)), "seed": 1]
                let p = rows.enumerated().map { x, r in
                    Float(strength * Double(signal[Int(r)]) + arm.shared.squareRoot() * common[x]
                          + (1 - arm.shared).squareRoot() * rng.nextGaussian())
                }
                let id = "\(arm.name)-\(i)"
                infos.append(ModelInfo(id: id, arm: arm.name, params: params,
                                       descriptors: ["dropped_era_fraction": Double(a) * 0.1]))
                predictions.append(p)
                summaries.append(ModelSummary(id: id, arm: arm.name, target: "target", params: params,
                                              droppedEras: a * 2, droppedFeatures: i % 2, trees: 100 + i,
                                              trainSeconds: 0.5 + Double(i) / 8))
            }
        }
        var benchmarkIndex: Int? = nil
        if benchmark {
            benchmarkIndex = infos.count
            infos.append(ModelInfo(id: "example", arm: "benchmark", params: ["learning_rate": 0.01, "seed": 0]))
            predictions.append(rows.map { r in Float(benchmarkStrength * Double(signal[Int(r)]) + rng.nextGaussian()) })
            summaries.append(ModelSummary(id: "example", arm: "benchmark", target: "target",
                                          params: ["learning_rate": 0.01, "seed": 0], trees: 200, trainSeconds: 1.25))
        }
        let input = AnalysisInput(models: infos, predictions: predictions, rows: rows, dataset: d, targetIndex: 0,
                                  benchmark: benchmarkIndex, split: EvaluationSplit(selectionFraction: 0.5, embargoEras: 2),
                                  scaling: ScalingConfig(draws: 16, seed: 3), featureScores: featureScores)
        let analysis = try StudyAnalysis.run(input)
        let study = StudyDescription(
            name: "fixture <study> & co", description: "Synthetic fixture with planted correlation | pipes * stars",
            declaredJSON: #"{"arms":[{"models":3,"name":"seeds","vary":{}}],"data":{"synthetic":{"eras":56}},"empty":{},"list":[],"name":"fixture","seed":18446744073709551615,"text":"a \"quoted\" {brace}, [x]: y"}"#,
            resolvedPlan: "arm seeds: 3 models\n  seed 1000…1002\n```not a fence```",
            data: DataSummary(source: "synthetic (seed 11)", rows: d.rowCount, eras: d.eras.count, features: d.featureCount,
                              targets: d.targetNames, trainEras: d.eraIndices(in: .train).count,
                              validationEras: d.eraIndices(in: .validation).count, ceilingCorr: 0.1234),
            models: summaries, evaluation: EvaluationSetup(rows: "validation split", randomDraws: 16, scalingSeed: 3))
        return (analysis, study)
    }

    public static let threeArms = [Arm(name: "grid", models: 6, shared: 0.3), Arm(name: "seeds", models: 5, shared: 0.8)]
}
