import Boosting
import EraData
import EvaluationRules
import Foundation
import Support

/// Where a study's data comes from.
public enum DataSource: Equatable, Sendable {
    /// Generated in memory by `SyntheticGenerator` (the embedded default).
    case synthetic(SyntheticConfig)
    /// Our HDF5 dataset, Numerai CSV/parquet files, or a directory of Numerai's files.
    case files([String], featureSet: String?)
}

/// Dropping training eras per model.
public struct DropEras: Equatable, Sendable {
    /// Fraction of training eras dropped (drawn per model when a distribution).
    public var fraction: Distribution
    /// 0: eras dropped at random; n > 0: dropped as n contiguous blocks.
    public var blocks: Int
    public static let none = DropEras(fraction: .constant(.number(0)), blocks: 0)
}

/// Dropping features per model.
public struct DropFeatures: Equatable, Sendable {
    /// Fraction of features dropped at random (drawn per model when a distribution).
    public var fraction: Distribution
    /// Named feature groups; `groupsToDrop` of them are dropped per model.
    public var groups: [String: [String]]
    public var groupsToDrop: Int
    /// `"groups": "data"`: the groups are the dataset's own `featureGroups`, filled in by the planner.
    public var groupsFromData: Bool = false
    public static let none = DropFeatures(fraction: .constant(.number(0)), groups: [:], groupsToDrop: 0)
}

/// How `num_leaves ≤ 2^max_depth` is enforced when both are sampled.
public enum LeavesPolicy: String, Sendable, CaseIterable {
    /// num_leaves is lowered to 2^max_depth (counted and reported).
    case clamp
    /// the model's draw is repeated until the constraint holds.
    case resample
    /// no constraint (LightGBM's own behaviour: depth bounds growth first).
    case none
}

/// One arm of a study: a recipe family whose models are compared with the other arms'.
public struct Arm: Equatable, Sendable {
    public var name: String
    public var models: Int
    /// Sampled parameters (canonical names) plus `target`.
    public var vary: [String: Distribution]
    /// Constant parameters (canonical names), as the study file gives them.
    public var fixed: [String: Double]
    /// `fixed` on LightGBM's defaults: the typed parameters every model of the arm starts from,
    /// validated once when the study is parsed.
    public var base = BoostingParameters()
    public var target: Distribution
    public var dropEras: DropEras
    public var dropFeatures: DropFeatures
}

/// Which eras evaluate models, and how they split into a selection range and a later test range.
public struct Evaluation: Equatable, Sendable {
    public var split: Split = .validation
    /// Fraction of evaluation eras (the earlier ones) used to choose ensembles; the rest test.
    public var selectionFraction: Double = 0.5
    /// Eras skipped between selection and test (20-day targets overlap).
    public var embargoEras: Int = 4
    /// How contrasts and intervals judge (alpha, hacLag, equivalenceMargin, bootstrapResamples,
    /// contributionReference; the bootstrap seed is the study seed).
    public var inference = InferenceConfig()
}

/// A declared study, validated.
public struct StudySpec: Equatable, Sendable {
    public var name: String
    public var description: String
    public var data: DataSource
    public var seed: UInt64
    public var arms: [Arm]
    public var evaluation: Evaluation
    public var leavesPolicy: LeavesPolicy
    /// The benchmark (Numerai example model) trained with the study; nil when disabled.
    public var benchmark: [String: Double]?
    /// `benchmark` typed (validated when the study is parsed); nil when disabled.
    public var benchmarkParameters: BoostingParameters? = nil
    public var benchmarkTarget: String
    /// Declared ensembles (added to the defaults) and contrasts (nil: the defaults).
    public var ensembles: [EnsembleRule] = []
    public var contrasts: [ContrastRule]? = nil
    /// Canonical JSON of the file as read (for hashing and the report).
    public var canonicalJSON: String
    /// Absolute path of the study file, when read from one.
    public var sourcePath: String? = nil
    /// `replicates`: run the whole study once per data seed × study seed × fold (Replicates.swift).
    public var replicates: Replicates? = nil
    /// `fold`: this study is one walk-forward fold of its data (Replicates.swift).
    public var fold: WalkForwardFold? = nil
    /// `pruning`: successive halving of each arm's models on the selection eras (Pruning.swift).
    public var pruning: PruningSpec? = nil
    /// `data.eraStride`: train on every k-th training era (Pruning.swift, `EraStride`).
    public var eraStride: Int = 1

    public var modelCount: Int { arms.reduce(0) { $0 + $1.models } }

    /// Numerai's example model parameters (v5 example: 2000 trees, lr 0.01, depth 5, 32 leaves).
    public static let exampleModel: [String: Double] = [
        "n_estimators": 2000, "learning_rate": 0.01, "max_depth": 5, "num_leaves": 31,
        "colsample_bytree": 0.1,
    ]

    /// FNV-1a 64 of the canonical JSON: a study's identity for resume and shard checks.
    public var hash: String {
        var h: UInt64 = 0xcbf2_9ce4_8422_2325
        for b in canonicalJSON.utf8 { h = (h ^ UInt64(b)) &* 0x100_0000_01b3 }
        return String(h, radix: 16)
    }
}

// MARK: - Parsing

extension StudySpec {
    static let topKeys = ["name", "description", "data", "seed", "models", "vary", "fixed", "target",
                          "dropEras", "dropFeatures", "evaluation", "arms", "constraints", "benchmark",
                          "ensembles", "contrasts", "replicates", "fold",
                          "pruning"]
    static let armKeys = ["name", "models", "vary", "fixed", "target", "dropEras", "dropFeatures"]

    /// Reads and validates a study file.
    public static func load(_ path: String) throws -> StudySpec {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw StudiesError.unreadableFile(path)
        }
        let base = URL(fileURLWithPath: path).deletingLastPathComponent().path
        do {
            var spec = try StudyValidation.parseReportingAll(data, baseDirectory: base)
            spec.sourcePath = URL(fileURLWithPath: path).standardized.path
            return spec
        } catch let error as StudiesError {
            throw error.inFile(path)
        }
    }

    /// Parses a study from JSON bytes; relative data paths resolve against `baseDirectory`.
    public static func parse(_ data: Data, baseDirectory: String = ".") throws -> StudySpec {
        let json: Any
        do {
            json = try JSONSerialization.jsonObject(with: data, options: [.fragmentsAllowed])
        } catch {
            throw StudiesError.at("$", .notJSON(jsonErrorText(error, data)))
        }
        let root = Node(json)
        let top = try root.object()
        try checkKeys(top, allowed: topKeys, at: "$")

        guard let nameNode = top["name"] else { throw root.fail(.missingKey("name")) }
        let name = try nameNode.string()
        guard !name.isEmpty, name.allSatisfy({ $0.isLetter || $0.isNumber || "-_.".contains($0) }) else {
            throw nameNode.fail(.badStudyName)
        }
        try StudyLimits.checkName(name, at: nameNode)
        let description = try top["description"]?.string() ?? ""
        let seed = try top["seed"].map { n -> UInt64 in
            let v = try n.integer()
            guard v >= 0 else { throw n.fail(.mustBe("seed", .atLeast("0"))) }
            return UInt64(v)
        } ?? 0

        let dataSource = try parseData(top["data"], baseDirectory: baseDirectory)

        var leavesPolicy = LeavesPolicy.clamp
        if let c = top["constraints"] {
            let obj = try c.object()
            try checkKeys(obj, allowed: ["numLeavesWithinDepth"], at: c.path)
            if let p = obj["numLeavesWithinDepth"] {
                let s = try p.string()
                guard let policy = LeavesPolicy(rawValue: s) else {
                    throw StudiesError.at(p.path, .unknownLeavesPolicy(s),
                                     suggestion: closest(to: s, in: LeavesPolicy.allCases.map(\.rawValue)))
                }
                leavesPolicy = policy
            }
        }

        var evaluation = Evaluation()
        if let e = top["evaluation"] {
            let obj = try e.object()
            try checkKeys(obj, allowed: ["split", "selectionFraction", "embargoEras"] + inferenceEvaluationKeys, at: e.path)
            try parseInferenceEvaluation(obj, into: &evaluation.inference)
            if let s = obj["split"] {
                let text = try s.string()
                guard let split = Split(rawValue: text), split != .train else {
                    throw StudiesError.at(s.path, .badEvaluationSplit(text),
                                     suggestion: closest(to: text, in: ["validation", "test"]))
                }
                evaluation.split = split
            }
            if let f = obj["selectionFraction"] {
                evaluation.selectionFraction = try f.number()
                guard evaluation.selectionFraction > 0, evaluation.selectionFraction < 1 else {
                    throw f.fail(.mustBe("selectionFraction", .open("0", "1")))
                }
            }
            if let g = obj["embargoEras"] {
                evaluation.embargoEras = try g.integer()
                guard evaluation.embargoEras >= 0 else { throw g.fail(.mustBe("embargoEras", .atLeast("0"))) }
            }
        }

        // Defaults shared by all arms; each arm may override any of them.
        let defaults = try parseArmBody(top, name: "main", path: "$", defaults: nil, defaultModels: nil)

        var arms: [Arm] = []
        if let armsNode = top["arms"] {
            let list = try armsNode.array()
            guard !list.isEmpty else { throw armsNode.fail(.emptyArms) }
            var names = Set<String>()
            for armNode in list {
                let obj = try armNode.object()
                try checkKeys(obj, allowed: armKeys, at: armNode.path)
                guard let n = obj["name"] else { throw armNode.fail(.missingKey("name")) }
                let armName = try n.string()
                guard names.insert(armName).inserted else { throw n.fail(.duplicateArmName(armName)) }
                arms.append(try parseArmBody(obj, name: armName, path: armNode.path, defaults: defaults,
                                             defaultModels: defaults.models))
            }
        } else {
            arms = [defaults]
        }
        for (i, arm) in arms.enumerated() where arm.models < 1 {
            throw StudiesError.at(top["arms"] == nil ? "$.models" : "$.arms[\(i)].models",
                             .armWithoutModels(arm: arm.name, models: arm.models))
        }
        try StudyLimits.checkModelCounts(arms, armsDeclared: top["arms"] != nil)

        var benchmark: [String: Double]? = exampleModel
        var benchmarkParameters: BoostingParameters? = try validateParameters(exampleModel, at: "$.benchmark")
        var benchmarkTarget = "target"
        if let b = top["benchmark"] {
            if case let flag as NSNumber = b.value, (try? b.bool()) != nil {
                benchmark = flag.boolValue ? exampleModel : nil
                if !flag.boolValue { benchmarkParameters = nil }
            } else {
                let obj = try b.object()
                var params = exampleModel
                for (key, node) in obj.sorted(by: { $0.key < $1.key }) {
                    if key == "target" { benchmarkTarget = try node.string(); continue }
                    let spec = try parameterSpec(key, node: node)
                    params[spec.name] = try node.number()
                }
                benchmarkParameters = try validateParameters(params, at: b.path)
                benchmark = params
            }
        }

        evaluation.inference.bootstrapSeed = seed
        let ensembles = try parseEnsembles(top["ensembles"], arms: arms, benchmark: benchmark != nil)
        let contrasts = try parseContrasts(top["contrasts"], arms: arms, benchmark: benchmark != nil, ensembles: ensembles)
        if let r = evaluation.inference.contributionReference {
            let known = defaultEnsembleNames(arms: arms, benchmark: benchmark != nil) + ensembles.map(\.name)
            guard known.contains(r) else {
                throw StudiesError.at("$.evaluation.contributionReference", .unknownContributionReference(r, known: known),
                                 suggestion: closest(to: r, in: known))
            }
        }

        let canonical = try canonicalize(json)
        var spec = StudySpec(name: name, description: description, data: dataSource, seed: seed, arms: arms,
                             evaluation: evaluation, leavesPolicy: leavesPolicy, benchmark: benchmark,
                             benchmarkTarget: benchmarkTarget, canonicalJSON: canonical)
        spec.benchmarkParameters = benchmarkParameters
        spec.ensembles = ensembles
        spec.contrasts = contrasts
        spec.replicates = try parseReplicates(top["replicates"], data: dataSource, baseDirectory: baseDirectory)
        spec.fold = try parseFold(top["fold"])
        spec.pruning = try PruningSpec.parse(top["pruning"])
        spec.eraStride = try EraStride.parse(top["data"])
        if spec.replicates != nil, let f = top["fold"] { throw f.fail(.foldInReplicatedStudy) }
        return spec
    }

    static func parseArmBody(_ obj: [String: Node], name: String, path: String, defaults: Arm?,
                             defaultModels: Int?) throws -> Arm {
        var arm = defaults ?? Arm(name: name, models: 0, vary: [:], fixed: [:], target: .constant(.string("target")),
                                  dropEras: .none, dropFeatures: .none)
        arm.name = name
        if let m = obj["models"] {
            arm.models = try m.integer()
            guard arm.models >= 1 else { throw m.fail(.mustBe("models", .atLeast("1"))) }
        }
        var ownFixed = Set<String>()
        if let f = obj["fixed"] {
            var fixed = defaults?.fixed ?? [:]
            for (key, node) in try f.object().sorted(by: { $0.key < $1.key }) {
                if key == "target" {
                    arm.target = .constant(.string(try node.string()))
                    continue
                }
                let spec = try parameterSpec(key, node: node)
                fixed[spec.name] = try node.number()
                ownFixed.insert(spec.name)
            }
            arm.base = try validateParameters(fixed, at: f.path)
            arm.fixed = fixed
        }
        if let v = obj["vary"] {
            var vary: [String: Distribution] = [:]
            for (key, node) in try v.object().sorted(by: { $0.key < $1.key }) {
                if key == "target" {
                    arm.target = try Distribution.parse(node, integer: false, allowStrings: true)
                    continue
                }
                let spec = try parameterSpec(key, node: node)
                guard vary[spec.name] == nil else { throw node.fail(.parameterGivenTwice(spec.name, alias: key)) }
                let dist = try Distribution.parse(node, integer: spec.kind == .integer, allowStrings: false)
                if let (lo, hi) = dist.numericBounds {
                    for value in [lo, hi] {
                        try StudyLimits.checkMagnitude(spec.name, value, at: node.path)
                        do { try spec.check(value, as: spec.name) } catch let error as BoostingError {
                            throw node.fail(.parameterRejected(error))
                        }
                    }
                }
                vary[spec.name] = dist
            }
            arm.vary = vary
        }
        if let t = obj["target"] {
            arm.target = try Distribution.parse(t, integer: false, allowStrings: true)
            if arm.target.numericBounds != nil { throw t.fail(.targetNotAString) }
        }
        if let d = obj["dropEras"] { arm.dropEras = try parseDropEras(d) }
        if let d = obj["dropFeatures"] { arm.dropFeatures = try parseDropFeatures(d) }
        // A parameter varied here replaces an inherited constant; varied and fixed in the same
        // object is a contradiction.
        for key in arm.vary.keys.sorted() where arm.fixed[key] != nil {
            if ownFixed.contains(key) || defaults == nil {
                throw StudiesError.at("\(path).vary.\(key)", .variedAndFixed(key))
            }
            arm.fixed[key] = nil
            arm.base[ParameterTable.spec(canonical: key)!] = nil
        }
        return arm
    }

    static func parameterSpec(_ key: String, node: Node) throws -> ParameterSpec {
        guard let spec = ParameterTable.spec(named: key) else {
            let names = ParameterTable.all.flatMap { [$0.name] + $0.aliases } + ["target"]
            throw StudiesError.at(node.path, .unknownParameter(key), suggestion: closest(to: key, in: names))
        }
        return spec
    }

    /// The typed parameters of `params` (canonical names), or the error located at `path`.
    static func validateParameters(_ params: [String: Double], at path: String) throws -> BoostingParameters {
        for (name, value) in params.sorted(by: { $0.key < $1.key }) {
            try StudyLimits.checkMagnitude(name, value, at: "\(path).\(name)")
        }
        do { return try BoostingParameters(params) } catch let error as BoostingError {
            throw StudiesError.at(path, .parameterRejected(error))
        }
    }

    static func parseDropEras(_ node: Node) throws -> DropEras {
        let obj = try node.object()
        try checkKeys(obj, allowed: ["fraction", "blocks"], at: node.path)
        guard let f = obj["fraction"] else { throw node.fail(.missingKey("fraction")) }
        let fraction = try parseFraction(f)
        let blocks = try obj["blocks"]?.integer() ?? 0
        if blocks < 0 { throw obj["blocks"]!.fail(.mustBe("blocks", .atLeast("0"))) }
        return DropEras(fraction: fraction, blocks: blocks)
    }

    static func parseDropFeatures(_ node: Node) throws -> DropFeatures {
        let obj = try node.object()
        try checkKeys(obj, allowed: ["fraction", "groups", "groupsToDrop"], at: node.path)
        var out = DropFeatures.none
        if let f = obj["fraction"] { out.fraction = try parseFraction(f) }
        if let g = obj["groups"], g.value is String {
            guard try g.string() == "data" else { throw g.fail(.groupsNotDataOrObject) }
            out.groupsFromData = true
            guard let n = obj["groupsToDrop"] else { throw node.fail(.groupsWithoutCount) }
            out.groupsToDrop = try n.integer()
            guard out.groupsToDrop >= 1 else { throw n.fail(.mustBe("groupsToDrop", .atLeast("1"))) }
        } else if let g = obj["groups"] {
            for (name, list) in try g.object() {
                let features = try list.array().map { try $0.string() }
                guard !features.isEmpty else { throw list.fail(.emptyGroup(name)) }
                out.groups[name] = features
            }
            guard let n = obj["groupsToDrop"] else { throw node.fail(.groupsWithoutCount) }
            out.groupsToDrop = try n.integer()
            guard out.groupsToDrop >= 1, out.groupsToDrop < out.groups.count else {
                throw n.fail(.groupsToDropOutOfRange(max: out.groups.count - 1))
            }
        } else if let n = obj["groupsToDrop"] {
            throw n.fail(.groupsToDropWithoutGroups)
        }
        if obj["fraction"] == nil && obj["groups"] == nil { throw node.fail(.noFractionOrGroups) }
        return out
    }

    static func parseFraction(_ node: Node) throws -> Distribution {
        let dist = try Distribution.parse(node, integer: false, allowStrings: false)
        guard let (lo, hi) = dist.numericBounds, lo >= 0, hi < 1 else {
            throw node.fail(.mustLie("a fraction", .closedOpen("0", "1")))
        }
        return dist
    }

    static func parseData(_ node: Node?, baseDirectory: String) throws -> DataSource {
        guard let node else { return .synthetic(.default) }
        func resolve(_ p: String) -> String {
            p.hasPrefix("/") ? p : URL(fileURLWithPath: baseDirectory).appendingPathComponent(p).standardized.path
        }
        switch node.value {
        case is String:
            return .files([resolve(try node.string())], featureSet: nil)
        default:
            let obj = try node.object()
            try checkKeys(obj, allowed: ["synthetic", "path", "paths", "featureSet", "eraStride"], at: node.path)
            if let s = obj["synthetic"] {
                guard obj.keys.filter({ $0 != "eraStride" }).count == 1 else { throw node.fail(.syntheticWithFiles) }
                return .synthetic(try parseSynthetic(s))
            }
            var paths: [String] = []
            if let p = obj["path"] { paths.append(resolve(try p.string())) }
            if let ps = obj["paths"] { paths += try ps.array().map { resolve(try $0.string()) } }
            guard !paths.isEmpty else { throw node.fail(.noDataSource) }
            return .files(paths, featureSet: try obj["featureSet"]?.string())
        }
    }

    static func parseSynthetic(_ node: Node) throws -> SyntheticConfig {
        // Decode through Codable so every generator setting is accepted by its own name; unknown
        // keys are caught first so typos get a suggestion.
        let obj = try node.object()
        let allowed = syntheticKeys
        try checkKeys(obj, allowed: allowed, at: node.path)
        // Omitted settings come from the chosen generator's defaults (v2 unless "generator": "v1").
        var version = SyntheticGeneratorVersion.v2
        if let g = obj["generator"] {
            guard let v = SyntheticGeneratorVersion(rawValue: try g.string()) else {
                throw g.fail(.unknownGenerator(known: SyntheticGeneratorVersion.allCases.map(\.rawValue)))
            }
            version = v
        }
        var merged = try JSONSerialization.jsonObject(
            with: JSONEncoder().encode(SyntheticConfig.defaults(for: version))) as! [String: Any]
        for (k, v) in obj { merged[k] = v.value }
        do {
            let data = try JSONSerialization.data(withJSONObject: merged)
            let config = try JSONDecoder().decode(SyntheticConfig.self, from: data)
            // Generation requires a valid config (a precondition): refuse here, at the JSON path.
            do { try config.validate() } catch let error as EraDataError {
                throw StudiesError.at(node.path, .invalidSyntheticSettings(error))
            }
            return config
        } catch let error as StudiesError {
            throw error
        } catch let DecodingError.typeMismatch(_, ctx), let DecodingError.dataCorrupted(ctx) {
            let key = ctx.codingPath.map(\.stringValue).joined(separator: ".")
            throw StudiesError.at("\(node.path).\(key)", .wrongSettingType(ctx.debugDescription))
        } catch {
            throw node.fail(.undecodableSyntheticSettings("\(error)"))
        }
    }

    static var syntheticKeys: [String] {
        let data = try! JSONEncoder().encode(SyntheticConfig.default)
        return (try! JSONSerialization.jsonObject(with: data) as! [String: Any]).keys.sorted()
    }

    static func canonicalize(_ json: Any) throws -> String {
        let data = try JSONSerialization.data(withJSONObject: json, options: [.sortedKeys, .fragmentsAllowed])
        return String(decoding: data, as: UTF8.self)
    }

    static func jsonErrorText(_ error: Error, _ data: Data) -> String {
        let text = (error as NSError).userInfo["NSDebugDescription"] as? String ?? "\(error)"
        return jsonSyntaxLocated(text, data)
    }
}
