import Foundation
import Support

/// What a study's successive halving (`pruning`) did: written by the runner to `DIR/pruning.json`
/// after every rung and copied into `metrics.json` (`pruning`) by the analysis.
///
/// At rung r, the candidates of an arm are its models still training whose `n_estimators` exceeds
/// r; each is scored by the mean per-era `numerai_corr` of its r-tree predictions over the
/// **selection** eras (never the test eras); they are ranked best first (an undefined score last,
/// ties by model id) and the first ⌈keep·n⌉ (at least 1) train on, the others stop: they stay in
/// `predictions.h5` with status `pruned` and their r-tree predictions, and are left out of the
/// analysis (ensembles, contrasts, diversity).
public struct PruningRecord: Codable, Equatable, Sendable {
    /// One ranked candidate of a rung.
    public struct Candidate: Codable, Equatable, Sendable {
        public var id: String
        public var index: Int
        /// Mean selection-era numerai_corr at the rung (NaN, `null` in JSON: undefined, e.g. constant predictions).
        public var selectionCorr: Double
        public var kept: Bool
        enum CodingKeys: String, CodingKey { case id, index, selectionCorr = "selection_corr", kept }
        public init(id: String, index: Int, selectionCorr: Double, kept: Bool) {
            self.id = id; self.index = index; self.selectionCorr = selectionCorr; self.kept = kept
        }
    }

    /// One arm at one rung: its candidates, best first.
    public struct Decision: Codable, Equatable, Sendable {
        public var rung: Int
        public var arm: String
        public var candidates: [Candidate]
        public init(rung: Int, arm: String, candidates: [Candidate]) {
            self.rung = rung; self.arm = arm; self.candidates = candidates
        }
        public var pruned: [Candidate] { candidates.filter { !$0.kept } }
    }

    /// What pruning did to one arm: models pruned at each rung (aligned with `rungs`) and the
    /// models left for the analysis.
    public struct ArmSummary: Codable, Equatable, Sendable {
        public var arm: String
        public var models: Int
        public var prunedPerRung: [Int]
        public var survivors: Int
        enum CodingKeys: String, CodingKey { case arm, models, prunedPerRung = "pruned_per_rung", survivors }
        public init(arm: String, models: Int, prunedPerRung: [Int], survivors: Int) {
            self.arm = arm; self.models = models; self.prunedPerRung = prunedPerRung; self.survivors = survivors
        }
    }

    public var rungs: [Int]
    public var keep: Double
    public var by: String
    public var decisions: [Decision]
    /// Per arm, in study order (recomputed by `summarize` whenever a decision is added).
    public var arms: [ArmSummary]

    public init(rungs: [Int], keep: Double, by: String, decisions: [Decision] = [], arms: [ArmSummary] = []) {
        self.rungs = rungs; self.keep = keep; self.by = by; self.decisions = decisions; self.arms = arms
    }

    /// The decision of `arm` at `rung`, when made.
    public func decision(rung: Int, arm: String) -> Decision? {
        decisions.first { $0.rung == rung && $0.arm == arm }
    }

    /// Recomputes `arms` from the decisions; `arms` gives each arm's name and model count.
    public mutating func summarize(arms declared: [(name: String, models: Int)]) {
        arms = declared.map { arm in
            let perRung = rungs.map { r in decision(rung: r, arm: arm.name)?.pruned.count ?? 0 }
            return ArmSummary(arm: arm.name, models: arm.models, prunedPerRung: perRung,
                              survivors: arm.models - perRung.reduce(0, +))
        }
    }

    /// ⌈keep·n⌉, at least 1 (a rounding guard so that 0.3·10 keeps 3, not 4).
    public static func keepCount(_ n: Int, keep: Double) -> Int {
        max(1, min(n, Int((keep * Double(n) - 1e-9).rounded(.up))))
    }

    /// Ranks `scores` (model id, index, score) best first — NaN last, ties by id — and marks the
    /// first `keepCount(n, keep)` kept. Deterministic: it depends on the scores and ids only.
    public static func rank(_ scores: [(id: String, index: Int, score: Double)], keep: Double) -> [Candidate] {
        let ordered = scores.sorted { a, b in
            switch (a.score.isNaN, b.score.isNaN) {
            case (false, true): return true
            case (true, false): return false
            case (false, false) where a.score != b.score: return a.score > b.score
            default: return a.id < b.id
            }
        }
        let kept = keepCount(scores.count, keep: keep)
        return ordered.enumerated().map { i, s in
            Candidate(id: s.id, index: s.index, selectionCorr: s.score, kept: i < kept)
        }
    }

    public static let fileName = "pruning.json"

    /// `DIR/pruning.json`, or nil when the study did not prune.
    public static func read(directory: URL) throws -> PruningRecord? {
        let url = directory.appendingPathComponent(fileName)
        guard let data = FileManager.default.contents(atPath: url.path) else { return nil }
        do { return try CanonicalJSON.decode(PruningRecord.self, from: data) } catch {
            throw EvaluationRulesError.unreadablePruningRecord(path: url.path, reason: "\(error)")
        }
    }

    /// Writes `DIR/pruning.json` atomically (deterministic bytes).
    public func write(directory: URL) throws {
        try writeAtomically(try CanonicalJSON.encode(self), to: directory.appendingPathComponent(Self.fileName).path)
    }
}
