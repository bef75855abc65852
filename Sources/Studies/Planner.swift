import Boosting
import EraData
import Foundation
import Support

/// Everything that makes one model: parameters, target, the eras and features it trains on.
/// Derived from (study seed, arm, index in arm) only, so a study is reproducible and shardable.
public struct ModelPlan: Equatable, Sendable {
    /// Position in the study (arms in order, then index in arm).
    public let index: Int
    /// Stable name such as `grid-007`.
    public let id: String
    public let arm: String
    public let indexInArm: Int
    /// Every training parameter, typed (`seed` always set).
    public let parameters: BoostingParameters
    public let target: String
    /// Dataset era indices of training eras this model does NOT see.
    public let droppedEras: [Int]
    /// Dataset feature indices this model does NOT see.
    public let droppedFeatures: [Int]
    /// Adjustments made to satisfy constraints (e.g. num_leaves clamped), for the report.
    public let notes: [String]

    /// Numeric descriptors of the recipe, for attribution (params + drop fractions).
    public func descriptors(trainEraCount: Int, featureCount: Int) -> [String: Double] {
        var d = parameters.resolved
        d["dropped_era_fraction"] = trainEraCount == 0 ? 0 : Double(droppedEras.count) / Double(trainEraCount)
        d["dropped_feature_fraction"] = featureCount == 0 ? 0 : Double(droppedFeatures.count) / Double(featureCount)
        return d
    }
}

/// Stored as before typed parameters: `parameters` is the canonical name → value object.
extension ModelPlan: Codable {
    enum CodingKeys: String, CodingKey {
        case index, id, arm, indexInArm, parameters, target, droppedEras, droppedFeatures, notes
    }

    public init(from decoder: Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        let values = try c.decode([String: Double].self, forKey: .parameters)
        do { parameters = try BoostingParameters(values) } catch {
            throw DecodingError.dataCorruptedError(forKey: .parameters, in: c, debugDescription: "\(error)")
        }
        index = try c.decode(Int.self, forKey: .index)
        id = try c.decode(String.self, forKey: .id)
        arm = try c.decode(String.self, forKey: .arm)
        indexInArm = try c.decode(Int.self, forKey: .indexInArm)
        target = try c.decode(String.self, forKey: .target)
        droppedEras = try c.decode([Int].self, forKey: .droppedEras)
        droppedFeatures = try c.decode([Int].self, forKey: .droppedFeatures)
        notes = try c.decode([String].self, forKey: .notes)
    }

    public func encode(to encoder: Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(index, forKey: .index)
        try c.encode(id, forKey: .id)
        try c.encode(arm, forKey: .arm)
        try c.encode(indexInArm, forKey: .indexInArm)
        try c.encode(parameters.resolved, forKey: .parameters)
        try c.encode(target, forKey: .target)
        try c.encode(droppedEras, forKey: .droppedEras)
        try c.encode(droppedFeatures, forKey: .droppedFeatures)
        try c.encode(notes, forKey: .notes)
    }
}

/// Turns a validated study into model plans against a concrete dataset.
public struct Planner: Sendable {
    public let spec: StudySpec
    public let trainEras: [Int]
    public let featureNames: [String]
    public let targetNames: [String]

    public init(spec: StudySpec, dataset: Dataset) throws {
        self.spec = try Self.resolvingDataGroups(spec, dataset: dataset)
        trainEras = EraStride.apply(spec.eraStride, to: dataset.eraIndices(in: .train))
        featureNames = dataset.featureNames
        targetNames = dataset.targetNames
        guard !trainEras.isEmpty else { throw StudiesError.at("$.data", .noTrainRows) }
        try validateAgainstData()
    }

    /// Arms with `"groups": "data"` get the dataset's feature groups (at least groupsToDrop + 1 of them).
    static func resolvingDataGroups(_ spec: StudySpec, dataset: Dataset) throws -> StudySpec {
        var spec = spec
        for (i, arm) in spec.arms.enumerated() where arm.dropFeatures.groupsFromData {
            let path = spec.arms.count == 1 && arm.name == "main" ? "$" : "$.arms[\(i)]"
            let groups = dataset.featureGroups
            guard arm.dropFeatures.groupsToDrop < groups.count else {
                throw StudiesError.at("\(path).dropFeatures.groupsToDrop",
                                 .tooFewFeatureGroups(groups.count))
            }
            spec.arms[i].dropFeatures.groups = groups
        }
        return spec
    }

    /// Targets and feature groups exist in the data.
    func validateAgainstData() throws {
        let featureSet = Set(featureNames)
        for (i, arm) in spec.arms.enumerated() {
            let path = spec.arms.count == 1 && arm.name == "main" ? "$" : "$.arms[\(i)]"
            let targets: [ParameterValue]
            switch arm.target {
            case .constant(let v): targets = [v]
            case .choice(let vs): targets = vs
            default: targets = []
            }
            for t in targets {
                guard let name = t.string, targetNames.contains(name) else {
                    throw StudiesError.at("\(path).target", .unknownTarget("\(t)", known: targetNames),
                                     suggestion: closest(to: t.description, in: targetNames))
                }
            }
            for (group, features) in arm.dropFeatures.groups.sorted(by: { $0.key < $1.key }) {
                for f in features where !featureSet.contains(f) {
                    throw StudiesError.at("\(path).dropFeatures.groups.\(group)", .unknownFeature(f),
                                     suggestion: closest(to: f, in: featureNames))
                }
            }
        }
        if spec.benchmark != nil, !targetNames.contains(spec.benchmarkTarget) {
            throw StudiesError.at("$.benchmark.target", .unknownTarget(spec.benchmarkTarget, known: nil),
                             suggestion: closest(to: spec.benchmarkTarget, in: targetNames))
        }
    }

    /// All plans, in study order.
    public func plans() -> [ModelPlan] {
        var out: [ModelPlan] = []
        for (armIndex, arm) in spec.arms.enumerated() {
            for i in 0..<arm.models {
                out.append(plan(armIndex: armIndex, indexInArm: i, globalIndex: out.count))
            }
        }
        return out
    }

    /// One plan; depends only on (study seed, arm index, index in arm).
    public func plan(armIndex: Int, indexInArm: Int, globalIndex: Int) -> ModelPlan {
        var rng = SplitMix64(seed: spec.seed, stream: [UInt64(armIndex), UInt64(indexInArm)])
        let id = String(format: "%@-%03d", spec.arms[armIndex].name, indexInArm)
        return plan(armIndex: armIndex, drawingFrom: &rng, id: id, index: globalIndex, indexInArm: indexInArm)
    }

    /// One plan of arm `armIndex` drawn from a caller-supplied stream: the arm's vary, target,
    /// drop-eras and drop-features settings are sampled exactly as for the study's own models.
    /// Callers that derive plans from other keys (e.g. `Miner`: study seed, staker id, attempt)
    /// pass their own stream; `id`, `index` and `indexInArm` only label the plan.
    public func plan(armIndex: Int, drawingFrom rng: inout SplitMix64, id: String, index: Int,
                     indexInArm: Int) -> ModelPlan {
        let arm = spec.arms[armIndex]
        var notes: [String] = []
        // Drawn values need no check: each distribution's bounds were validated when the study
        // was parsed, and every parameter's range is an interval.
        var params = arm.base
        for attempt in 0..<100 {
            params = arm.base
            for name in arm.vary.keys.sorted() {
                let parameter = ParameterTable.spec(canonical: name)!
                params[parameter] = arm.vary[name]!.sample(&rng, integer: parameter.kind == .integer).number!
            }
            if spec.leavesPolicy == .resample, violatesLeaves(params), attempt < 99 { continue }
            break
        }
        if spec.leavesPolicy != .none, violatesLeaves(params) {
            let cap = 1 << params.maxDepth
            notes.append("num_leaves \(params.numLeaves) → \(cap) (max_depth \(params.maxDepth))")
            params.numLeaves = cap
        }
        let target = arm.target.sample(&rng, integer: false).string!
        if params.seed == nil { params.seed = Int(rng.next() % (1 << 31)) }

        let droppedEras = dropEras(arm.dropEras, &rng)
        let droppedFeatures = dropFeatures(arm.dropFeatures, &rng)
        return ModelPlan(index: index, id: id, arm: arm.name, indexInArm: indexInArm, parameters: params,
                         target: target, droppedEras: droppedEras, droppedFeatures: droppedFeatures, notes: notes)
    }

    func violatesLeaves(_ p: BoostingParameters) -> Bool {
        p.maxDepth > 0 && p.maxDepth < 31 && p.numLeaves > 1 << p.maxDepth
    }

    func dropEras(_ drop: DropEras, _ rng: inout SplitMix64) -> [Int] {
        let fraction = drop.fraction.sample(&rng, integer: false).number!
        let n = trainEras.count
        let k = min(n - 1, Int((fraction * Double(n)).rounded()))
        guard k > 0 else { return [] }
        if drop.blocks <= 0 {
            return sampleWithoutReplacement(n, k, &rng).map { trainEras[$0] }.sorted()
        }
        // k eras as `blocks` contiguous runs: block sizes split k evenly; starts drawn so runs
        // never touch (at least one kept era between them).
        let blocks = min(drop.blocks, k, n - k)
        let sizes = (0..<blocks).map { k / blocks + ($0 < k % blocks ? 1 : 0) }
        // Distribute the n − k kept eras into blocks + 1 gaps, inner gaps ≥ 1.
        let kept = n - k
        var gaps = [Int](repeating: 0, count: blocks + 1)
        for g in 1..<blocks { gaps[g] = 1 }
        for _ in 0..<(kept - (blocks - 1)) { gaps[Int(rng.next() % UInt64(blocks + 1))] += 1 }
        var out: [Int] = []
        var position = 0
        for b in 0..<blocks {
            position += gaps[b]
            out += (position..<(position + sizes[b])).map { trainEras[$0] }
            position += sizes[b]
        }
        return out
    }

    func dropFeatures(_ drop: DropFeatures, _ rng: inout SplitMix64) -> [Int] {
        var dropped = Set<Int>()
        if !drop.groups.isEmpty {
            let names = drop.groups.keys.sorted()
            for g in sampleWithoutReplacement(names.count, drop.groupsToDrop, &rng) {
                for f in drop.groups[names[g]]! { dropped.insert(featureNames.firstIndex(of: f)!) }
            }
        }
        let fraction = drop.fraction.sample(&rng, integer: false).number!
        let remaining = (0..<featureNames.count).filter { !dropped.contains($0) }
        let k = min(remaining.count - 1, Int((fraction * Double(featureNames.count)).rounded()))
        if k > 0 {
            for i in sampleWithoutReplacement(remaining.count, k, &rng) { dropped.insert(remaining[i]) }
        }
        return dropped.sorted()
    }

    /// Relative training cost of a plan: trees × kept eras × sampled features.
    public func cost(_ plan: ModelPlan) -> Double {
        let trees = Double(plan.parameters.nEstimators)
        let colsample = plan.parameters.colsampleBytree
        let features = Double(featureNames.count - plan.droppedFeatures.count) * colsample
        let eras = Double(trainEras.count - plan.droppedEras.count)
        return trees * max(1, features) * eras
    }

    /// Model indices of one shard (see `shardAssignment`).
    public func models(of shard: Shard) -> Set<Int> {
        let all = plans()
        let assignment = shardAssignment(costs: all.map(cost), count: shard.count)
        return Set(all.indices.filter { assignment[$0] == shard.index })
    }

    /// The benchmark's plan: the example model on all train eras and features.
    public func benchmarkPlan() -> ModelPlan? {
        guard var params = spec.benchmarkParameters else { return nil }
        if params.seed == nil { params.seed = 0 }
        return ModelPlan(index: -1, id: "benchmark", arm: "benchmark", indexInArm: 0, parameters: params,
                         target: spec.benchmarkTarget, droppedEras: [], droppedFeatures: [], notes: [])
    }
}

/// k distinct indices from 0..<n (partial Fisher–Yates), in draw order.
func sampleWithoutReplacement(_ n: Int, _ k: Int, _ rng: inout SplitMix64) -> [Int] {
    var pool = Array(0..<n)
    let k = min(k, n)
    for i in 0..<k {
        let j = i + Int(rng.next() % UInt64(n - i))
        pool.swapAt(i, j)
    }
    return Array(pool[0..<k])
}

/// What `--check` prints: how the study resolves, without training.
public struct PlanSummary {
    public let spec: StudySpec
    public let plans: [ModelPlan]

    public init(spec: StudySpec, plans: [ModelPlan]) {
        self.spec = spec
        self.plans = plans
    }

    public func render() -> String {
        var lines: [String] = []
        lines.append("study '\(spec.name)' (hash \(spec.hash)): \(plans.count) models in \(spec.arms.count) arm(s), seed \(spec.seed)")
        for arm in spec.arms {
            let armPlans = plans.filter { $0.arm == arm.name }
            lines.append("arm '\(arm.name)': \(arm.models) models")
            for name in arm.vary.keys.sorted() { lines.append("  vary \(name): \(arm.vary[name]!.summary)") }
            if arm.target.distinctCount ?? 1 > 1 { lines.append("  vary target: \(arm.target.summary)") }
            let distinct = distinctConfigurations(arm)
            for name in arm.fixed.keys.sorted() { lines.append("  fixed \(name) = \(fmt(arm.fixed[name]!))") }
            if case .constant(let t) = arm.target { lines.append("  target \(t)") }
            let combos = arm.vary.values.contains { $0.distinctCount == nil } ? "continuous (unbounded)"
                : distinct.map { formatCount($0) } ?? "more than 9.2e18"
            lines.append("  distinct configurations in the grid: \(combos)")
            if arm.dropEras != .none {
                lines.append("  drop eras: fraction \(arm.dropEras.fraction.summary)" + (arm.dropEras.blocks > 0 ? " in \(arm.dropEras.blocks) contiguous block(s)" : " at random"))
            }
            if arm.dropFeatures != .none {
                var text = "  drop features:"
                if !arm.dropFeatures.groups.isEmpty { text += " \(arm.dropFeatures.groupsToDrop) of \(arm.dropFeatures.groups.count) groups" }
                text += " fraction \(arm.dropFeatures.fraction.summary)"
                lines.append(text)
            }
            let adjusted = armPlans.filter { !$0.notes.isEmpty }.count
            if adjusted > 0 {
                lines.append("  constraint num_leaves ≤ 2^max_depth (\(spec.leavesPolicy.rawValue)): adjusted \(adjusted) of \(armPlans.count) models")
            }
            let unique = Set(armPlans.map { PlanKey($0) }).count
            lines.append("  distinct recipes drawn (seed aside): \(unique) of \(armPlans.count)")
        }
        if let b = spec.benchmark {
            lines.append("benchmark: example model " + b.keys.sorted().map { "\($0)=\(fmt(b[$0]!))" }.joined(separator: " ") + ", target \(spec.benchmarkTarget)")
        }
        return lines.joined(separator: "\n")
    }

    /// Every model's drawn recipe, one line each (`run --check --models`): id, arm, target, the
    /// number of dropped training eras and features, and each parameter whose value differs between
    /// models; parameters equal for every model are listed once above the table. Columns are
    /// padded to their widest cell; numbers print as in the plan summary.
    public func renderModels() -> String {
        let parameters = plans.map(\.parameters.resolved)
        let names = Set(parameters.flatMap(\.keys)).sorted()
        let varying = names.filter { name in Set(parameters.map { $0[name].map(fmt) ?? "—" }).count > 1 }
        let same = names.filter { !varying.contains($0) }
        var lines: [String] = []
        if let first = parameters.first, !same.isEmpty {
            lines.append("same for every model: " + same.map { "\($0)=\(first[$0].map(fmt) ?? "—")" }.joined(separator: " "))
        }
        let header = ["id", "arm", "target", "dropped_eras", "dropped_features"] + varying
        let rows = zip(plans, parameters).map { p, values in
            [p.id, p.arm, p.target, String(p.droppedEras.count), String(p.droppedFeatures.count)]
                + varying.map { values[$0].map(fmt) ?? "—" }
        }
        let widths = header.indices.map { c in ([header] + rows).map { $0[c].count }.max() ?? 0 }
        func line(_ cells: [String]) -> String {
            cells.enumerated().map { c, text in
                c == cells.count - 1 ? text : text + String(repeating: " ", count: widths[c] - text.count)
            }.joined(separator: "  ")
        }
        lines.append(line(header))
        lines += rows.map(line)
        return lines.joined(separator: "\n")
    }

    struct PlanKey: Hashable {
        let params: BoostingParameters
        let target: String
        let eras: [Int]
        let features: [Int]
        init(_ p: ModelPlan) {
            var params = p.parameters
            params.seed = nil
            self.params = params
            target = p.target
            eras = p.droppedEras
            features = p.droppedFeatures
        }
    }
}

func formatCount(_ n: Int) -> String {
    n < 1_000_000 ? String(n) : String(format: "%.3g", Double(n))
}
