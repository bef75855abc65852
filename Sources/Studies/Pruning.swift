import EraData
import Foundation
import Support

/// A study's opt-in successive halving: `"pruning": {"rungs": [100, 1000, 10000], "keep": 0.5, "by": "corr"}`.
///
/// Every arm is pruned on its own (arms are compared with each other, so one arm's models never
/// push out another's). At each rung r, the arm's models still training that would grow past r
/// trees are scored by their r-tree predictions on the **selection** eras only and the best
/// ⌈keep·n⌉ go on (`PruningRecord` states the rule); the benchmark is never pruned.
public struct PruningSpec: Equatable, Sendable {
    /// Tree counts at which models are judged, strictly increasing, each ≥ 1.
    public var rungs: [Int]
    /// Share of each rung's candidates that train on, in (0, 1).
    public var keep: Double
    /// The score: `corr` (mean per-era numerai_corr over the selection eras).
    public var by: String

    public static let scores = ["corr"]
    static let keys = ["rungs", "keep", "by"]
    /// At most this many rungs (each is one pass over the arm's survivors).
    public static let maxRungs = 64

    static func parse(_ node: Node?) throws -> PruningSpec? {
        guard let node else { return nil }
        let obj = try node.object()
        try checkKeys(obj, allowed: keys, at: node.path)
        guard let r = obj["rungs"] else { throw node.fail(.missingRungs) }
        let list = try r.array()
        guard !list.isEmpty else { throw r.fail(.emptyRungs) }
        guard list.count <= maxRungs else { throw r.fail(.tooManyRungs(list.count, max: maxRungs)) }
        var rungs: [Int] = []
        for item in list {
            let value = try item.integer()
            guard value >= 1 else { throw item.fail(.rungBelowOne(value)) }
            if let last = rungs.last, value <= last {
                throw item.fail(.rungsNotIncreasing(value, after: last))
            }
            rungs.append(value)
        }
        guard let k = obj["keep"] else { throw node.fail(.missingKeep) }
        let keep = try k.number()
        guard keep > 0, keep < 1 else { throw k.fail(.keepOutsideUnitInterval(keep)) }
        var by = "corr"
        if let b = obj["by"] {
            by = try b.string()
            guard scores.contains(by) else {
                throw StudiesError.at(b.path, .unknownPruningScore(by, known: scores),
                                 suggestion: closest(to: by, in: scores))
            }
        }
        return PruningSpec(rungs: rungs, keep: keep, by: by)
    }
}

/// `"data": {…, "eraStride": k}`: models (and the benchmark) train on every k-th training era,
/// starting with the first, as Numerai's example scripts do so that 20-day targets of neighbouring
/// weekly eras do not overlap. 1 (the default) keeps every era.
enum EraStride {
    static func parse(_ node: Node?) throws -> Int {
        guard let node, case let obj as [String: Any] = node.value, obj["eraStride"] != nil else { return 1 }
        let s = try node.object()["eraStride"]!
        let k = try s.integer()
        guard k >= 1 else { throw s.fail(.eraStrideBelowOne(k)) }
        return k
    }

    /// Every k-th of `eras`, starting with the first.
    static func apply(_ k: Int, to eras: [Int]) -> [Int] {
        k <= 1 ? eras : stride(from: 0, to: eras.count, by: k).map { eras[$0] }
    }
}
