import EraData
import Foundation
import Studies
import Support

/// Derives each staker's candidate models from the study's grid.
///
/// Candidate `k` of staker `id` draws from `SplitMix64(seed: study seed, stream: ["mine",
/// FNV-1a 64(id), k])`: first the arm (with probability proportional to the arm's `models`, so the
/// study's mix of recipe families carries over), then — through `Planner.plan(armIndex:drawingFrom:…)`,
/// the same code the study's own models use — the arm's vary settings, target, dropped eras and
/// dropped features. A candidate therefore depends only on (study seed, staker id, attempt): not on
/// the other stakers, their order, or how many there are.
public struct CandidatePlanner: Sendable {
    public let planner: Planner

    /// "mine" in ASCII: keeps mining streams apart from the study's `[arm, index]` streams.
    static let streamTag: UInt64 = 0x6D69_6E65

    public init(planner: Planner) { self.planner = planner }

    public func candidate(staker: String, attempt: Int) -> ModelPlan {
        var rng = SplitMix64(seed: planner.spec.seed, stream: [Self.streamTag, FNV1a64.hash(staker), UInt64(attempt)])
        let arms = planner.spec.arms
        let total = UInt64(arms.reduce(0) { $0 + $1.models })
        var pick = rng.next() % total
        var armIndex = 0
        while pick >= UInt64(arms[armIndex].models) {
            pick -= UInt64(arms[armIndex].models)
            armIndex += 1
        }
        return planner.plan(armIndex: armIndex, drawingFrom: &rng, id: "\(staker)#\(attempt)", index: attempt,
                            indexInArm: attempt)
    }
}

/// Everything that makes a model what it is — the fully resolved recipe, not its labels. Two
/// stakers with equal recipes would hold the same model; mining refuses that.
public struct Recipe: Codable, Hashable, Sendable {
    public let parameters: [String: Double]
    public let target: String
    public let droppedEras: [Int]
    public let droppedFeatures: [Int]

    public init(_ plan: ModelPlan) {
        parameters = plan.parameters.resolved
        target = plan.target
        droppedEras = plan.droppedEras
        droppedFeatures = plan.droppedFeatures
    }

    /// The recipe without its seed: equal for models that differ only by chance.
    public var ignoringSeed: Recipe {
        var p = parameters
        p["seed"] = nil
        return Recipe(parameters: p, target: target, droppedEras: droppedEras, droppedFeatures: droppedFeatures)
    }

    init(parameters: [String: Double], target: String, droppedEras: [Int], droppedFeatures: [Int]) {
        self.parameters = parameters
        self.target = target
        self.droppedEras = droppedEras
        self.droppedFeatures = droppedFeatures
    }

    /// FNV-1a 64 (hex) of the canonical JSON (sorted keys): the params hash in `farm.json`.
    public var hash: String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        let data = (try? encoder.encode(self)) ?? Data()
        return String(FNV1a64.hash(data), radix: 16)
    }
}
