import Diversity
import EraData
import Foundation
import Studies
import Support

/// What a model must achieve on the selection eras to be accepted.
public struct MiningCriteria: Codable, Equatable, Sendable {
    /// Mean per-era numerai_corr must be greater than this.
    public var minCorr: Double
    /// Mean BMC against the benchmark must be greater than this.
    public var minBMC: Double
    /// |Pearson| of gaussianized predictions with every already accepted model must be below this.
    public var maxCorr: Double
    public init(minCorr: Double = 0, minBMC: Double = 0, maxCorr: Double = 0.95) {
        self.minCorr = minCorr
        self.minBMC = minBMC
        self.maxCorr = maxCorr
    }
    enum CodingKeys: String, CodingKey { case minCorr = "min_corr", minBMC = "min_bmc", maxCorr = "max_corr" }
}

/// Why a candidate was not accepted. Codes, in the order they are checked and listed.
public enum RejectionReason: String, Codable, Sendable, CaseIterable {
    case trainingFailed = "training_failed"
    case duplicateRecipe = "duplicate_recipe"
    case corr = "corr_too_low"
    case bmc = "bmc_too_low"
    case tooCorrelated = "too_correlated"
}

/// One rejected candidate, with the numbers that decided it.
public struct Rejection: Codable, Equatable, Sendable {
    public var attempt: Int
    public var arm: String
    public var paramsHash: String
    public var reasons: [RejectionReason]
    /// Human-readable, e.g. "corr 0.0012 ≤ 0.002; |corr| 0.97 with staker-0003 ≥ 0.95".
    public var message: String
    public var selectionCorr: Double
    public var selectionBMC: Double
    /// Largest |corr| with an accepted model, and whose (nil when none was accepted yet).
    public var maxCorr: Double?
    public var maxCorrWith: String?
    public var trainSeconds: Double
    enum CodingKeys: String, CodingKey {
        case attempt, arm, paramsHash = "params_hash", reasons, message, selectionCorr = "selection_corr"
        case selectionBMC = "selection_bmc", maxCorr = "max_corr", maxCorrWith = "max_corr_with"
        case trainSeconds = "train_seconds"
    }
}

/// One staker of the farm.
public struct StakerEntry: Codable, Equatable, Sendable {
    public enum Status: String, Codable, Sendable { case accepted, notAccepted = "not_accepted" }
    public var id: String
    public var status: Status
    /// The attempt whose model the staker holds (nil when not accepted).
    public var acceptedAttempt: Int?
    /// Candidates decided for this staker (accepted one included).
    public var candidates: Int
    public var arm: String?
    public var paramsHash: String?
    public var selection: RangeMetrics?
    public var test: RangeMetrics?
    /// Largest |corr| (selection eras) with a model accepted before it.
    public var maxCorrWithEarlier: Double?
    public var maxCorrWith: String?
    /// Training seconds over all decided candidates (the cost of this staker's model).
    public var trainSeconds: Double
    public var rejections: [Rejection]
    /// Which run (0-based index into `runs`) mined this staker.
    public var run: Int
    enum CodingKeys: String, CodingKey {
        case id, status, acceptedAttempt = "accepted_attempt", candidates, arm, paramsHash = "params_hash"
        case selection, test, maxCorrWithEarlier = "max_corr_with_earlier", maxCorrWith = "max_corr_with"
        case trainSeconds = "train_seconds", rejections, run
    }
}

/// One invocation of `workbench mine` on the directory.
public struct MiningRun: Codable, Equatable, Sendable {
    public var newStakers: Int
    public var jobs: Int
    public var maxAttempts: Int
    /// Candidates trained, including speculative ones never needed.
    public var candidatesTrained: Int
    /// Trained ahead for a staker that was decided before needing them (cost of parallelism).
    public var speculativeUnused: Int
    public var trainSeconds: Double
    public var wallSeconds: Double
    enum CodingKeys: String, CodingKey {
        case newStakers = "new_stakers", jobs, maxAttempts = "max_attempts", candidatesTrained = "candidates_trained"
        case speculativeUnused = "speculative_unused", trainSeconds = "train_seconds", wallSeconds = "wall_seconds"
    }
}

/// `DIR/farm.json`: the farm's identity, criteria and every staker in mining order.
public struct FarmManifest: Codable, Equatable, Sendable {
    public var version: Int = 1
    public var study: String
    public var studyHash: String
    public var criteria: MiningCriteria
    public var target: String
    public var evaluationSplit: String
    public var selectionEras: [String]
    public var testEras: [String]
    public var embargoEras: Int
    public var benchmarkParamsHash: String
    public var benchmarkSelection: RangeMetrics
    public var benchmarkTest: RangeMetrics
    public var stakers: [StakerEntry]
    public var runs: [MiningRun]
    enum CodingKeys: String, CodingKey {
        case version, study, studyHash = "study_hash", criteria, target, evaluationSplit = "evaluation_split"
        case selectionEras = "selection_eras", testEras = "test_eras", embargoEras = "embargo_eras"
        case benchmarkParamsHash = "benchmark_params_hash", benchmarkSelection = "benchmark_selection"
        case benchmarkTest = "benchmark_test", stakers, runs
    }

    public static func read(_ url: URL) throws -> FarmManifest {
        guard let data = FileManager.default.contents(atPath: url.path) else {
            throw MiningError("\(url.path): cannot read")
        }
        do { return try CanonicalJSON.decode(FarmManifest.self, from: data) } catch {
            throw MiningError("\(url.path): not a farm manifest (\(error))")
        }
    }

    public func write(_ url: URL) throws {
        let data = try CanonicalJSON.encode(self)
        try writeAtomically(to: url.path) { try data.write(to: URL(fileURLWithPath: $0)) }
    }

    public var accepted: [StakerEntry] { stakers.filter { $0.status == .accepted } }
}
