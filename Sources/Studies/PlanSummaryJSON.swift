import Foundation

/// `run --check --json`: the resolved plan as a JSON tree (serialized by `CanonicalJSON`), the
/// same facts `render()` prints. Distributions keep the study file's own form
/// (`{"uniform": [lo, hi]}`, `{"choice": [...]}`, …) so a script can read them back.
extension PlanSummary {
    /// Distinct configurations the arm's grid holds: the product of every varied parameter's (and
    /// a varied target's) distinct values; `nil` when a distribution is continuous or the product
    /// exceeds `Int.max`.
    func distinctConfigurations(_ arm: Arm) -> Int? {
        var distinct = 1
        for d in Array(arm.vary.values) + (arm.target.distinctCount ?? 1 > 1 ? [arm.target] : []) {
            guard let c = d.distinctCount else { return nil }
            let (product, overflow) = distinct.multipliedReportingOverflow(by: c)
            if overflow { return nil }
            distinct = product
        }
        return distinct
    }

    /// The plan: study, arms (vary, fixed, target, drops, distinct configurations and recipes,
    /// constraint adjustments), benchmark; with `models`, every model's drawn recipe (id, arm,
    /// target, dropped eras and features, every resolved parameter).
    public func jsonObject(models: Bool) -> [String: Any] {
        var arms: [[String: Any]] = []
        for arm in spec.arms {
            let armPlans = plans.filter { $0.arm == arm.name }
            let continuous = arm.vary.values.contains { $0.distinctCount == nil }
            var object: [String: Any] = [
                "name": arm.name, "models": arm.models,
                "vary": arm.vary.mapValues(Self.json), "fixed": arm.fixed, "target": Self.json(arm.target),
                "continuous": continuous,
                "distinct_configurations": (continuous ? nil : distinctConfigurations(arm)).map { $0 as Any } ?? NSNull(),
                "distinct_recipes": Set(armPlans.map { PlanKey($0) }).count,
                "constraint_adjusted": armPlans.filter { !$0.notes.isEmpty }.count,
            ]
            let dropEras: [String: Any] = ["fraction": Self.json(arm.dropEras.fraction), "blocks": arm.dropEras.blocks]
            let dropFeatures: [String: Any] = ["fraction": Self.json(arm.dropFeatures.fraction),
                                               "groups": arm.dropFeatures.groups.count,
                                               "groups_to_drop": arm.dropFeatures.groupsToDrop]
            object["drop_eras"] = arm.dropEras == .none ? NSNull() as Any : dropEras as Any
            object["drop_features"] = arm.dropFeatures == .none ? NSNull() as Any : dropFeatures as Any
            arms.append(object)
        }
        var out: [String: Any] = [
            "study": spec.name, "hash": spec.hash, "seed": NSNumber(value: spec.seed), "models": plans.count, "arms": arms,
            "constraint": spec.leavesPolicy.rawValue,
            "benchmark": spec.benchmark.map { ["parameters": $0, "target": spec.benchmarkTarget] as Any } ?? NSNull(),
        ]
        if models {
            out["model_recipes"] = plans.map { p -> [String: Any] in
                ["id": p.id, "arm": p.arm, "target": p.target, "dropped_eras": p.droppedEras.count,
                 "dropped_features": p.droppedFeatures.count, "parameters": p.parameters.resolved, "notes": p.notes]
            }
        }
        return out
    }

    /// A distribution in the study file's form.
    static func json(_ d: Distribution) -> Any {
        func value(_ v: ParameterValue) -> Any { v.number.map { $0 as Any } ?? v.string! }
        switch d {
        case .constant(let v): return ["constant": value(v)]
        case .choice(let values): return ["choice": values.map(value)]
        case .uniform(let lo, let hi): return ["uniform": [lo, hi]]
        case .logUniform(let lo, let hi): return ["logUniform": [lo, hi]]
        case .intRange(let lo, let hi): return ["intRange": [lo, hi]]
        }
    }
}
