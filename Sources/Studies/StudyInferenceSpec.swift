import EvaluationRules
import Foundation
import Support

// The study file's inference keys (issue 14): `ensembles`, `contrasts` and the `evaluation` keys
// alpha, hacLag, equivalenceMargin, bootstrapResamples, contributionReference.
extension StudySpec {
    static let ensembleKeys = ["name", "from", "minSelectionCorr", "minSelectionBMC", "bmcReference", "maxAbsCorr",
                               "top", "topBy", "greedy", "weights"]
    static let inferenceEvaluationKeys = ["alpha", "hacLag", "equivalenceMargin", "bootstrapResamples",
                                          "contributionReference"]

    /// Names every study has without declaring them: each arm, ARM.filtered, all, and benchmark
    /// when one is trained.
    static func defaultEnsembleNames(arms: [Arm], benchmark: Bool) -> [String] {
        arms.flatMap { [$0.name, $0.name + ".filtered"] } + ["all"] + (benchmark ? ["benchmark"] : [])
            + (arms.contains { $0.name == EnsembleRule.bestSingleName } ? [] : [EnsembleRule.bestSingleName])
    }

    /// Reads `evaluation`'s inference keys into `config` (the bootstrap seed is the study seed).
    static func parseInferenceEvaluation(_ obj: [String: Node], into config: inout InferenceConfig) throws {
        if let a = obj["alpha"] {
            config.alpha = try a.number()
            guard config.alpha > 0, config.alpha < 0.5 else { throw a.fail(.mustBe("alpha", .open("0", "0.5"))) }
        }
        if let l = obj["hacLag"] {
            config.hacLag = try l.integer()
            guard config.hacLag >= 0, config.hacLag <= 100 else { throw l.fail(.hacLagOutOfRange) }
        }
        if let m = obj["equivalenceMargin"] {
            config.equivalenceMargin = try m.number()
            guard config.equivalenceMargin > 0, config.equivalenceMargin < 1 else { throw m.fail(.mustBe("equivalenceMargin", .open("0", "1"))) }
        }
        if let b = obj["bootstrapResamples"] {
            config.bootstrapResamples = try b.integer()
            guard config.bootstrapResamples >= 100, config.bootstrapResamples <= 1_000_000 else {
                throw b.fail(.mustBe("bootstrapResamples", .from("100", through: "1000000")))
            }
        }
        if let r = obj["contributionReference"] { config.contributionReference = try r.string() }
    }

    /// `ensembles`: a list of rules (see `EnsembleRule`), names unique and not a default name.
    static func parseEnsembles(_ node: Node?, arms: [Arm], benchmark: Bool) throws -> [EnsembleRule] {
        guard let node else { return [] }
        let armNames = arms.map(\.name)
        let sources = armNames + ["all"] + (benchmark ? ["benchmark"] : [])
        var known = defaultEnsembleNames(arms: arms, benchmark: benchmark)
        var out: [EnsembleRule] = []
        for item in try node.array() {
            let obj = try item.object()
            try checkKeys(obj, allowed: ensembleKeys, at: item.path)
            guard let n = obj["name"] else { throw item.fail(.missingKey("name")) }
            let name = try n.string()
            guard !name.isEmpty, !name.contains("["), !name.contains("]") else { throw n.fail(.badEnsembleName) }
            guard !known.contains(name) else { throw n.fail(.ensembleDefined(name)) }
            var rule = EnsembleRule(name: name)
            if let f = obj["from"] {
                let list = f.value is String ? [try f.string()] : try f.array().map { try $0.string() }
                for (i, arm) in list.enumerated() where !sources.contains(arm) {
                    throw StudiesError.at(f.value is String ? f.path : "\(f.path)[\(i)]", .unknownArm(arm, known: sources),
                                     suggestion: closest(to: arm, in: armNames))
                }
                rule.from = list
            }
            if let c = obj["minSelectionCorr"] { rule.minSelectionCorr = try c.number() }
            if let b = obj["minSelectionBMC"] { rule.minSelectionBMC = try b.number() }
            if let r = obj["bmcReference"] {
                let ref = try r.string()
                guard (ref == "benchmark" && benchmark) || known.contains(ref) else {
                    throw r.fail(.badBMCReference(ref),
                                 suggestion: closest(to: ref, in: known))
                }
                rule.bmcReference = ref
            }
            if let x = obj["maxAbsCorr"] {
                rule.maxAbsCorr = try x.number()
                guard rule.maxAbsCorr! >= 0, rule.maxAbsCorr! <= 1 else { throw x.fail(.mustBe("maxAbsCorr", .closed("0", "1"))) }
            }
            if let t = obj["top"] {
                rule.top = try t.integer()
                guard rule.top! >= 1 else { throw t.fail(.mustBe("top", .atLeast("1"))) }
            }
            if let t = obj["topBy"] {
                let by = try t.string()
                guard ["corr", "bmc"].contains(by) else { throw t.fail(.badTopBy(by), suggestion: closest(to: by, in: ["corr", "bmc"])) }
                rule.topBy = by
            }
            if let g = obj["greedy"] {
                rule.greedy = try g.integer()
                guard rule.greedy! >= 1, rule.greedy! <= 100_000 else { throw g.fail(.greedyOutOfRange) }
            }
            if let w = obj["weights"] {
                let text = try w.string()
                let values = ["equal": "equal", "selectionCorr": "selection_corr"]
                guard let v = values[text] else { throw w.fail(.badWeights(text), suggestion: closest(to: text, in: Array(values.keys))) }
                guard rule.greedy == nil || v == "equal" else { throw w.fail(.weightedGreedy) }
                rule.weights = v
            }
            if (rule.minSelectionBMC != nil || rule.topBy == "bmc"), rule.bmcReference == "benchmark", !benchmark {
                throw item.fail(.bmcWithoutBenchmark)
            }
            known.append(name)
            out.append(rule)
        }
        return out
    }

    /// `contrasts`: [{"a": E, "b": E, "name"?: text}], E an ensemble name or ARM[k] (the first k
    /// models of an arm). nil when the key is absent (the defaults apply).
    static func parseContrasts(_ node: Node?, arms: [Arm], benchmark: Bool, ensembles: [EnsembleRule]) throws -> [ContrastRule]? {
        guard let node else { return nil }
        let list = try node.array()
        guard !list.isEmpty else { throw node.fail(.emptyContrasts) }
        let known = defaultEnsembleNames(arms: arms, benchmark: benchmark) + ensembles.map(\.name)
        var names = Set<String>()
        var out: [ContrastRule] = []
        for item in list {
            let obj = try item.object()
            try checkKeys(obj, allowed: ["name", "a", "b"], at: item.path)
            var sides: [String] = []
            for key in ["a", "b"] {
                guard let s = obj[key] else { throw item.fail(.missingKey(key)) }
                let e = try s.string()
                if let open = e.lastIndex(of: "["), e.hasSuffix("]") {
                    let arm = String(e[..<open])
                    let k = Int(e[e.index(after: open)..<e.index(before: e.endIndex)]) ?? 0
                    guard let a = arms.first(where: { $0.name == arm }), k >= 1, k <= a.models else {
                        throw s.fail(.badArmPrefix(e))
                    }
                } else if !known.contains(e) {
                    throw s.fail(.unknownContrastSide(e, known: known), suggestion: closest(to: e, in: known))
                }
                sides.append(e)
            }
            guard sides[0] != sides[1] else { throw item.fail(.contrastOfOneEnsemble) }
            let label = try obj["name"]?.string()
            let rule = ContrastRule(name: label, a: sides[0], b: sides[1])
            guard names.insert(rule.name).inserted else { throw item.fail(.duplicateContrastName(rule.name)) }
            out.append(rule)
        }
        return out
    }
}
