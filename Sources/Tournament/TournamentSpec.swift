import EvaluationRules
import Foundation
import EraData
import Studies
import Support

/// A heavy-tailed stake distribution.
public enum StakeDistribution: Equatable, Sendable, CustomStringConvertible {
    /// stake = exp(μ + σ·z), z ~ N(0, 1).
    case logNormal(mu: Double, sigma: Double)
    /// stake = min · u^(−1/α), u ~ U(0, 1]: P(stake > x) = (min/x)^α for x ≥ min.
    case pareto(alpha: Double, min: Double)

    /// One draw from the stream `rng`.
    public func draw(_ rng: inout SplitMix64) -> Double {
        switch self {
        case .logNormal(let mu, let sigma): return exp(mu + sigma * rng.nextGaussian())
        case .pareto(let alpha, let min): return min * pow(1 - rng.nextUnit(), -1 / alpha)
        }
    }

    public var description: String {
        switch self {
        case .logNormal(let mu, let sigma): return "log-normal(μ = \(mu), σ = \(sigma))"
        case .pareto(let alpha, let min): return "Pareto(α = \(alpha), min = \(min))"
        }
    }
}

/// What newcomers hold (the options of the forum thread).
public enum NewcomerOption: String, CaseIterable, Sendable, Codable {
    /// (a) everyone submits the example model.
    case example
    /// (b) a unique grid model, no filter.
    case unique
    /// (c) a grid model accepted only with mean selection-era corr > minCorr.
    case corrFiltered
    /// (d) searched until mean selection-era corr > minCorr AND mean selection-era MMC against
    /// the incumbents' selection-era meta model > minMMC (the sceptic's condition).
    case mmcFiltered
    /// (e) every newcomer stakes on one shared ensemble of the newcomers' unique models.
    case pool
    /// (f) newcomers rotate the unique models among themselves every era.
    case rotation

    public var title: String {
        switch self {
        case .example: return "(a) example model"
        case .unique: return "(b) unique grid model, unfiltered"
        case .corrFiltered: return "(c) grid model, selection corr > threshold"
        case .mmcFiltered: return "(d) grid model searched until selection corr and MMC > thresholds"
        case .pool: return "(e) share of a growing pooled ensemble"
        case .rotation: return "(f) rotating grid models"
        }
    }
}

/// One incumbent group: a share of the incumbents' total stake on models of some arms.
public struct IncumbentGroup: Equatable, Sendable {
    public var name: String
    /// `nil` = the study's example model (benchmark); else arm names.
    public var arms: [String]?
    public var share: Double
    public init(name: String, arms: [String]?, share: Double) {
        self.name = name; self.arms = arms; self.share = share
    }
}

/// Payout = clip(corrMultiplier·CORR + mmcMultiplier·MMC, −clip, clip).
public struct PayoutRule: Equatable, Sendable {
    public var corrMultiplier: Double = 0.5
    public var mmcMultiplier: Double = 2
    public var clip: Double = 0.05
    public init(corrMultiplier: Double = 0.5, mmcMultiplier: Double = 2, clip: Double = 0.05) {
        self.corrMultiplier = corrMultiplier; self.mmcMultiplier = mmcMultiplier; self.clip = clip
    }
    /// NaN when either score is undefined in that era.
    public func payout(corr: Double, mmc: Double) -> Double {
        let v = corrMultiplier * corr + mmcMultiplier * mmc
        return v.isFinite ? min(clip, max(-clip, v)) : .nan
    }
}

/// The tournament as declared in `SPEC.json` (see the module README for every key).
public struct TournamentSpec: Equatable, Sendable {
    public var name: String
    public var description: String?
    /// Absolute path of the pool's directory: a study output directory (predictions.h5 +
    /// study.json), or with `farm` a `workbench mine` farm (farm.json + stakers/).
    public var study: String
    /// The pool is a mined farm (`"farm": DIR` in the spec instead of `"study": DIR`): its accepted
    /// stakers' models, by their arms, and its benchmark as the example model. Needs `studyFile`.
    public var farm: Bool
    /// Absolute path of the study file the run used, when given (`studyFile`): its relative data
    /// paths resolve against its own directory. Without it, the copy recorded in the study
    /// directory is used and relative data paths resolve against the current directory.
    public var studyFile: String?
    public var seed: UInt64
    public var incumbentCount: Int
    public var incumbentStakes: StakeDistribution
    public var groups: [IncumbentGroup]
    public var counts: [Int]
    public var newcomerStakes: StakeDistribution
    /// Arms newcomers' grid models come from; nil = every arm.
    public var newcomerArms: [String]?
    public var options: [NewcomerOption]
    public var minCorr: Double
    public var minMMC: Double
    public var payout: PayoutRule
    public var level: Double
    public var alpha: Double
    /// Newey–West lags; nil = the study evaluation default `InferenceConfig().hacLag` (4).
    public var hacLags: Int?
    public var neutralContribution: Bool
    /// Leave-self-out MMC of every incumbent (one re-rank per incumbent and era).
    public var leaveSelfOut: Bool

    public static let topKeys = ["name", "description", "study", "farm", "studyFile", "seed", "incumbents", "newcomers", "payout",
                                 "inference", "neutralContribution", "leaveSelfOut"]

    /// Parses and validates; errors carry the JSON path (and a did-you-mean for unknown keys).
    /// Relative `study` paths resolve against `baseDirectory`.
    public static func parse(_ data: Data, baseDirectory: String) throws -> TournamentSpec {
        let json: Any
        do { json = try JSONSerialization.jsonObject(with: data) } catch {
            throw StudiesError.at("$", .notJSON(error.localizedDescription))
        }
        let root = try Node(json).object()
        try checkKeys(root, allowed: topKeys, at: "$")
        func required(_ key: String) throws -> Node {
            guard let n = root[key] else { throw StudiesError.at("$.\(key)", .missingRequiredKey(key)) }
            return n
        }
        let name = try required("name").string()
        guard !name.isEmpty, !name.contains("/") else { throw StudiesError.at("$.name", .badTournamentName) }
        // The pool: a study's stored predictions (`study`) or a mined farm (`farm`), one of them.
        if root["study"] != nil && root["farm"] != nil {
            throw StudiesError.at("$.farm", .studyAndFarm)
        }
        let farm = root["farm"] != nil
        var study = try (farm ? root["farm"]! : required("study")).string()
        if !study.hasPrefix("/") { study = URL(fileURLWithPath: baseDirectory).appendingPathComponent(study).standardized.path }
        var studyFile = try root["studyFile"].map { try $0.string() }
        if let f = studyFile, !f.hasPrefix("/") { studyFile = URL(fileURLWithPath: baseDirectory).appendingPathComponent(f).standardized.path }
        if farm && studyFile == nil {
            throw StudiesError.at("$.studyFile", .farmWithoutStudyFile)
        }
        let seedValue = try root["seed"].map { try $0.integer() } ?? 0
        guard seedValue >= 0 else { throw StudiesError.at("$.seed", .mustBe(nil, .atLeast("0"))) }

        let inc = try required("incumbents").object()
        try checkKeys(inc, allowed: ["stakers", "stakes", "groups"], at: "$.incumbents")
        guard let countNode = inc["stakers"] else { throw StudiesError.at("$.incumbents.stakers", .missingRequiredKey("stakers")) }
        let count = try countNode.integer()
        guard count >= 1 && count <= 1_000_000 else { throw countNode.fail(.mustLie(nil, .closed("1", "1000000"))) }
        let stakes = try inc["stakes"].map(parseStakes) ?? .logNormal(mu: 0, sigma: 1)
        guard let groupsNode = inc["groups"] else { throw StudiesError.at("$.incumbents.groups", .missingRequiredKey("groups")) }
        var groups: [IncumbentGroup] = []
        for g in try groupsNode.array() {
            let o = try g.object()
            try checkKeys(o, allowed: ["name", "models", "share"], at: g.path)
            guard let m = o["models"] else { throw StudiesError.at("\(g.path).models", .missingRequiredKey("models")) }
            var arms: [String]? = nil
            if let s = m.value as? String {
                guard s == "example" else { throw m.fail(.notExampleOrArms) }
            } else {
                arms = try m.array().map { try $0.string() }
                guard !arms!.isEmpty else { throw m.fail(.noArmNamed) }
            }
            guard let shareNode = o["share"] else { throw StudiesError.at("\(g.path).share", .missingRequiredKey("share")) }
            let share = try shareNode.number()
            guard share > 0 && share <= 1 else { throw shareNode.fail(.mustLie(nil, .openClosed("0", "1"))) }
            let groupName = try o["name"].map { try $0.string() } ?? (arms?.joined(separator: "+") ?? "example model")
            groups.append(IncumbentGroup(name: groupName, arms: arms, share: share))
        }
        guard !groups.isEmpty else { throw groupsNode.fail(.noGroups) }
        let total = groups.reduce(0) { $0 + $1.share }
        guard abs(total - 1) < 1e-9 else { throw groupsNode.fail(.sharesNotSummingToOne(total)) }
        guard groups.count <= count else { throw groupsNode.fail(.moreGroupsThanStakers(groups: groups.count, stakers: count)) }

        var counts = [0, 10, 30, 100, 300, 1000]
        var newcomerStakes = stakes
        var newcomerArms: [String]? = nil
        var options = NewcomerOption.allCases
        var minCorr = 0.0, minMMC = 0.0
        if let n = root["newcomers"] {
            let o = try n.object()
            try checkKeys(o, allowed: ["counts", "stakes", "models", "options", "acceptance"], at: n.path)
            if let c = o["counts"] {
                counts = try c.array().map { node in
                    let v = try node.integer()
                    guard v >= 0 && v <= 1_000_000 else { throw node.fail(.mustLie(nil, .closed("0", "1000000"))) }
                    return v
                }
                guard !counts.isEmpty else { throw c.fail(.noCounts) }
                counts = Array(Set(counts + [0])).sorted()
            }
            if let s = o["stakes"] { newcomerStakes = try parseStakes(s) }
            if let m = o["models"] {
                newcomerArms = try m.array().map { try $0.string() }
                guard !newcomerArms!.isEmpty else { throw m.fail(.noArmNamed) }
            }
            if let opt = o["options"] {
                options = try opt.array().map { node in
                    let s = try node.string()
                    guard let v = NewcomerOption(rawValue: s) else {
                        throw node.fail(.unknownOption(s), suggestion: closest(to: s, in: NewcomerOption.allCases.map(\.rawValue)))
                    }
                    return v
                }
                guard !options.isEmpty, Set(options).count == options.count else { throw opt.fail(.repeatedOptions) }
            }
            if let a = o["acceptance"] {
                let ao = try a.object()
                try checkKeys(ao, allowed: ["minCorr", "minMMC"], at: a.path)
                minCorr = try ao["minCorr"].map { try $0.number() } ?? 0
                minMMC = try ao["minMMC"].map { try $0.number() } ?? 0
            }
        }

        var payout = PayoutRule()
        if let p = root["payout"] {
            let o = try p.object()
            try checkKeys(o, allowed: ["corr", "mmc", "clip"], at: p.path)
            payout.corrMultiplier = try o["corr"].map { try $0.number() } ?? payout.corrMultiplier
            payout.mmcMultiplier = try o["mmc"].map { try $0.number() } ?? payout.mmcMultiplier
            if let c = o["clip"] {
                payout.clip = try c.number()
                guard payout.clip > 0 else { throw c.fail(.mustBe(nil, .above("0"))) }
            }
        }
        var level = 0.9, alpha = 0.05
        var lags: Int? = nil
        if let i = root["inference"] {
            let o = try i.object()
            try checkKeys(o, allowed: ["level", "alpha", "hacLags"], at: i.path)
            if let l = o["level"] {
                level = try l.number()
                guard level > 0 && level < 1 else { throw l.fail(.mustLie(nil, .open("0", "1"))) }
            }
            if let a = o["alpha"] {
                alpha = try a.number()
                guard alpha > 0 && alpha < 1 else { throw a.fail(.mustLie(nil, .open("0", "1"))) }
            }
            if let h = o["hacLags"] {
                lags = try h.integer()
                guard lags! >= 0 else { throw h.fail(.mustBe(nil, .atLeast("0"))) }
            }
        }
        let neutral = try root["neutralContribution"].map { try $0.bool() } ?? true
        let leaveSelfOut = try root["leaveSelfOut"].map { try $0.bool() } ?? true
        return TournamentSpec(name: name, description: try root["description"].map { try $0.string() }, study: study, farm: farm, studyFile: studyFile,
                              seed: UInt64(seedValue), incumbentCount: count, incumbentStakes: stakes, groups: groups,
                              counts: counts, newcomerStakes: newcomerStakes, newcomerArms: newcomerArms, options: options,
                              minCorr: minCorr, minMMC: minMMC, payout: payout, level: level, alpha: alpha, hacLags: lags,
                              neutralContribution: neutral, leaveSelfOut: leaveSelfOut)
    }

    /// Reads and parses a spec file; errors name the file.
    public static func load(_ path: String) throws -> TournamentSpec {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw StudiesError.unreadableFile(path)
        }
        do {
            return try parse(data, baseDirectory: URL(fileURLWithPath: path).deletingLastPathComponent().path)
        } catch let error as StudiesError {
            throw error.inFile(path)
        }
    }

    static func parseStakes(_ node: Node) throws -> StakeDistribution {
        let o = try node.object()
        try checkKeys(o, allowed: ["logNormal", "pareto"], at: node.path)
        guard o.count == 1, let (key, body) = o.first else { throw node.fail(.notOneStakeDistribution) }
        let b = try body.object()
        if key == "logNormal" {
            try checkKeys(b, allowed: ["mu", "sigma"], at: body.path)
            let mu = try b["mu"].map { try $0.number() } ?? 0
            let sigma = try b["sigma"].map { try $0.number() } ?? 1
            guard sigma >= 0 && sigma <= 10 else { throw StudiesError.at("\(body.path).sigma", .mustLie(nil, .closed("0", "10"))) }
            guard abs(mu) <= 50 else { throw StudiesError.at("\(body.path).mu", .mustLie(nil, .closed("-50", "50"))) }
            return .logNormal(mu: mu, sigma: sigma)
        }
        try checkKeys(b, allowed: ["alpha", "min"], at: body.path)
        let alpha = try b["alpha"].map { try $0.number() } ?? 1.5
        let min = try b["min"].map { try $0.number() } ?? 1
        guard alpha >= 0.1 && alpha <= 100 else { throw StudiesError.at("\(body.path).alpha", .mustLie(nil, .closed("0.1", "100"))) }
        guard min > 0 && min <= 1e12 else { throw StudiesError.at("\(body.path).min", .mustLie(nil, .openClosed("0", "1e12"))) }
        return .pareto(alpha: alpha, min: min)
    }
}

