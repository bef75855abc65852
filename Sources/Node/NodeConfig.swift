import Foundation
import Mining
import Studies
import Support

/// `NODE.json`: which farm, which stakers (farm staker id → Numerai model id), where the live
/// file comes from, the policy and the API's settings. Relative paths are relative to the folder
/// holding NODE.json. Credentials are never part of it (see `Credentials`).
///
/// ```json
/// {"farm": "farm", "policy": "rotate",
///  "live": {"download": "v5.0/live.parquet"},
///  "stakers": [{"id": "alice", "model_id": "9b157d9b-ce61-4ab5-9413-413f13a0c0a6"}],
///  "tournament": 8, "api": "https://api-tournament.numer.ai",
///  "retry": {"attempts": 5, "delay_seconds": 2, "backoff": 2, "max_delay_seconds": 60},
///  "timeout_seconds": 600}
/// ```
public struct NodeConfig: Sendable, Equatable {
    public struct Staker: Sendable, Equatable {
        /// The staker's id in the farm (`FARM/stakers/<id>/`).
        public var id: String
        /// The Numerai model the staker's submission is uploaded for.
        public var modelId: String
    }

    /// Where the round's live data comes from.
    public enum Live: Sendable, Equatable {
        /// A file or Numerai parquet directory on disk (anything `data import` reads).
        case path(String)
        /// Numerai's dataset file name (e.g. `v5.0/live.parquet`), downloaded once per round
        /// into `FARM/rounds/<n>/live/`.
        case download(String)
    }

    /// Retries of a request that got no answer or a 5xx: `attempts` tries in all, waiting
    /// min(max_delay, delay · backoffᵏ) seconds before retry k + 1 (k = 0, 1, …).
    public struct Retry: Sendable, Equatable {
        public var attempts = 5
        public var delay = 2.0
        public var backoff = 2.0
        public var maxDelay = 60.0
        public init() {}
        public func wait(before retry: Int) -> Double { min(maxDelay, delay * pow(backoff, Double(retry))) }
    }

    public static let defaultAPI = "https://api-tournament.numer.ai"
    /// Environment variable that overrides `api` (tests point it at a local server).
    public static let apiEnvironment = "WORKBENCH_NUMERAI_API"

    public var farm: URL
    public var stakers: [Staker]
    public var live: Live
    public var featureSet: String?
    public var policy: PayoutScheme = .keep
    /// Numerai Classic is tournament 8 (numerapi's `NumerAPI().tournament_id`).
    public var tournament = 8
    public var api: URL
    public var retry = Retry()
    public var timeout = 600.0
    /// Where NODE.json was read from (error texts).
    public var source: String

    static let keys = ["farm", "stakers", "live", "feature_set", "policy", "tournament", "api", "retry", "timeout_seconds"]
    static let stakerKeys = ["id", "model_id"]
    static let retryKeys = ["attempts", "delay_seconds", "backoff", "max_delay_seconds"]

    /// Reads and validates NODE.json; every error names the file and the JSON path.
    /// `environment` supplies `WORKBENCH_NUMERAI_API`.
    public static func load(_ path: String, environment: [String: String] = ProcessInfo.processInfo.environment) throws -> NodeConfig {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw NodeError.config("\(path): cannot read the node file")
        }
        let object: Any
        do { object = try JSONSerialization.jsonObject(with: data) } catch {
            throw NodeError.config("\(path): not valid JSON (\((error as NSError).userInfo["NSDebugDescription"] ?? error))")
        }
        let base = URL(fileURLWithPath: path).deletingLastPathComponent()
        return try parse(object, source: path, base: base, environment: environment)
    }

    static func parse(_ object: Any, source: String, base: URL, environment: [String: String]) throws -> NodeConfig {
        func fail(_ at: String, _ text: String) -> NodeError { .config("\(source): \(at): \(text)") }
        func checkKeys(_ dict: [String: Any], _ allowed: [String], at: String) throws {
            for key in dict.keys.sorted() where !allowed.contains(key) {
                let hint = closest(to: key, in: allowed).map { " (did you mean '\($0)'?)" } ?? ""
                throw fail(at.isEmpty ? key : "\(at).\(key)", "unknown key\(hint); allowed: \(allowed.joined(separator: ", "))")
            }
        }
        func string(_ dict: [String: Any], _ key: String, at: String) throws -> String? {
            guard let value = dict[key] else { return nil }
            guard let s = value as? String, !s.trimmingCharacters(in: .whitespaces).isEmpty else {
                throw fail(at, "must be a non-empty string")
            }
            return s
        }
        func number(_ dict: [String: Any], _ key: String, at: String) throws -> Double? {
            guard let value = dict[key] else { return nil }
            guard !(value is String), let n = value as? NSNumber, n.doubleValue.isFinite else {
                throw fail(at, "must be a number")
            }
            return n.doubleValue
        }
        func resolve(_ p: String) -> URL { p.hasPrefix("/") ? URL(fileURLWithPath: p) : base.appendingPathComponent(p) }

        guard let root = object as? [String: Any] else { throw NodeError.config("\(source): must be a JSON object") }
        try checkKeys(root, keys, at: "")
        guard let farmPath = try string(root, "farm", at: "farm") else { throw fail("farm", "missing: the farm directory made by `workbench mine`") }
        guard let liveValue = root["live"] else {
            throw fail("live", "missing: a path (\"live\": \"live.parquet\") or {\"download\": \"v5.0/live.parquet\"}")
        }
        let live: Live
        if let p = liveValue as? String, !p.isEmpty {
            live = .path(resolve(p).path)
        } else if let d = liveValue as? [String: Any] {
            try checkKeys(d, ["download"], at: "live")
            guard let name = try string(d, "download", at: "live.download") else { throw fail("live.download", "missing: Numerai's file name, e.g. v5.0/live.parquet") }
            live = .download(name)
        } else {
            throw fail("live", "must be a path or {\"download\": \"v5.0/live.parquet\"}")
        }

        guard let list = root["stakers"] as? [Any], !list.isEmpty else {
            throw fail("stakers", "must be a non-empty list of {\"id\": farm staker id, \"model_id\": Numerai model id}")
        }
        var stakers: [Staker] = []
        var seenIds: [String: Int] = [:], seenModels: [String: Int] = [:]
        for (i, item) in list.enumerated() {
            let at = "stakers[\(i)]"
            guard let d = item as? [String: Any] else { throw fail(at, "must be an object {\"id\": …, \"model_id\": …}") }
            try checkKeys(d, stakerKeys, at: at)
            guard let id = try string(d, "id", at: "\(at).id") else { throw fail("\(at).id", "missing: the staker's id in the farm") }
            guard let model = try string(d, "model_id", at: "\(at).model_id") else {
                throw fail("\(at).model_id", "missing: the Numerai model id (numer.ai/models) to submit for")
            }
            guard model.unicodeScalars.allSatisfy({ $0.isASCII && ($0.properties.isAlphabetic || ("0"..."9").contains($0) || $0 == "-") }) else {
                throw fail("\(at).model_id", "'\(model)' is not a model id (letters, digits and '-', like 9b157d9b-ce61-4ab5-9413-413f13a0c0a6)")
            }
            if let j = seenIds[id] { throw fail("\(at).id", "staker '\(id)' is listed twice (first as stakers[\(j)])") }
            if let j = seenModels[model] { throw fail("\(at).model_id", "model id \(model) is listed twice (first for stakers[\(j)]): one submission per model and round") }
            seenIds[id] = i; seenModels[model] = i
            stakers.append(Staker(id: id, modelId: model))
        }

        var config = NodeConfig(farm: resolve(farmPath), stakers: stakers, live: live, featureSet: nil,
                                api: URL(string: defaultAPI)!, source: source)
        config.featureSet = try string(root, "feature_set", at: "feature_set")
        if let p = try string(root, "policy", at: "policy") {
            guard let policy = PayoutScheme(rawValue: p) else {
                let names = PayoutScheme.allCases.map(\.rawValue)
                let hint = closest(to: p, in: names).map { " (did you mean '\($0)'?)" } ?? ""
                throw fail("policy", "unknown policy '\(p)'\(hint); choose \(names.joined(separator: ", "))")
            }
            config.policy = policy
        }
        if let t = try number(root, "tournament", at: "tournament") {
            guard t == t.rounded(), t >= 1, t < 1e6 else { throw fail("tournament", "must be a positive integer (8: Numerai Classic)") }
            config.tournament = Int(t)
        }
        let apiText = try environment[apiEnvironment].flatMap { $0.isEmpty ? nil : $0 } ?? string(root, "api", at: "api") ?? defaultAPI
        guard let api = URL(string: apiText), ["http", "https"].contains(api.scheme ?? ""), api.host != nil else {
            let at = environment[apiEnvironment].map { _ in "\(apiEnvironment) (environment)" } ?? "api"
            throw NodeError.config("\(source): \(at): '\(apiText)' is not an http(s) URL")
        }
        config.api = api
        if let t = try number(root, "timeout_seconds", at: "timeout_seconds") {
            guard t > 0 else { throw fail("timeout_seconds", "must be > 0") }
            config.timeout = t
        }
        if let r = root["retry"] {
            guard let d = r as? [String: Any] else { throw fail("retry", "must be an object") }
            try checkKeys(d, retryKeys, at: "retry")
            if let a = try number(d, "attempts", at: "retry.attempts") {
                guard a == a.rounded(), a >= 1, a <= 100 else { throw fail("retry.attempts", "must be an integer in 1…100") }
                config.retry.attempts = Int(a)
            }
            if let v = try number(d, "delay_seconds", at: "retry.delay_seconds") {
                guard v >= 0 else { throw fail("retry.delay_seconds", "must be ≥ 0") }
                config.retry.delay = v
            }
            if let v = try number(d, "backoff", at: "retry.backoff") {
                guard v >= 1 else { throw fail("retry.backoff", "must be ≥ 1") }
                config.retry.backoff = v
            }
            if let v = try number(d, "max_delay_seconds", at: "retry.max_delay_seconds") {
                guard v >= 0 else { throw fail("retry.max_delay_seconds", "must be ≥ 0") }
                config.retry.maxDelay = v
            }
        }
        return config
    }
}
