import Foundation
import Mining
import Studies
import Support

/// Which farm models a staker submits in a round, by the node's policy (the mining design's
/// payout schemes, `PayoutScheme`): `keep` its own model; `rotate` the model of accepted staker
/// (i + round) mod n, where i is the staker's place among the farm's n accepted stakers (mining
/// order) — `RotationSchedule` with the round number as the era, so every round is a permutation
/// and over n consecutive rounds each staker submits each model once; `pool` the ensemble of
/// all n accepted models. Depends only on the farm, the policy and the round number.
public enum NodePolicy {
    public static func sources(policy: PayoutScheme, staker: String, accepted: [String], round: Int) -> [String] {
        switch policy {
        case .keep: return [staker]
        case .rotate:
            guard let i = accepted.firstIndex(of: staker) else { return [staker] }
            return [accepted[RotationSchedule(models: accepted.count).model(staker: i, era: round)]]
        case .pool: return accepted
        }
    }
}

/// `FARM/rounds/<n>/round.json`: everything the node did in round n, rewritten atomically after
/// every step so an interrupted round resumes where it stopped. Checksums are byte-wise
/// FNV-1a 64 (`Support.FNV1a64`, 16 hex digits): they identify files, they are not signatures.
public struct RoundRecord: Codable, Equatable, Sendable {
    public struct FileRecord: Codable, Equatable, Sendable {
        /// Relative to the round folder when inside it, else absolute.
        public var path: String
        public var bytes: Int
        public var fnv1a64: String
    }

    public struct Live: Codable, Equatable, Sendable {
        /// `path` or `download`.
        public var source: String
        /// Numerai's file name when downloaded.
        public var dataset: String?
        public var file: FileRecord
        public var rows: Int
    }

    public struct Staker: Codable, Equatable, Sendable {
        /// `pending` → `written` (submission file on disk) → `uploaded` (PUT done) → `sending`
        /// (mutation sent, answer not yet recorded) → `submitted`; or `failed` (nothing took
        /// effect: safe to submit again) or `unconfirmed` (the mutation may have taken effect;
        /// the next run asks the API before anything else).
        public enum Status: String, Codable, Sendable {
            case pending, written, uploaded, sending, submitted, failed, unconfirmed
        }
        public var id: String
        public var modelId: String
        public var policy: PayoutScheme
        /// Farm stakers whose models made the submission.
        public var models: [String]
        /// The model files' checksums, in `models` order.
        public var modelFiles: [FileRecord]
        public var status: Status
        public var submission: FileRecord?
        public var rows: Int?
        /// The live file's checksum the submission was predicted from.
        public var liveFNV1a64: String?
        /// The file name Numerai's upload authorisation returned (named by the mutation).
        public var uploadFilename: String?
        public var submissionId: String?
        /// Upload attempts (upload authorisation through mutation) over all runs.
        public var uploads: Int
        public var error: String?
        public var errorKind: NodeError.Kind?
        public var updated: String
        enum CodingKeys: String, CodingKey {
            case id, modelId = "model_id", policy, models, modelFiles = "model_files", status, submission, rows
            case liveFNV1a64 = "live_fnv1a64", uploadFilename = "upload_filename", submissionId = "submission_id"
            case uploads, error, errorKind = "error_kind", updated
        }
    }

    public struct Run: Codable, Equatable, Sendable {
        public var started: String
        public var finished: String?
        public var dryRun: Bool
        public var submitted: Int
        public var failed: Int
        enum CodingKeys: String, CodingKey { case started, finished, dryRun = "dry_run", submitted, failed }
    }

    public var version = 1
    public var round: Int
    public var tournament: Int
    public var policy: PayoutScheme
    public var live: Live?
    public var stakers: [Staker]
    public var runs: [Run]

    public static func read(_ url: URL) throws -> RoundRecord {
        guard let data = FileManager.default.contents(atPath: url.path) else { throw NodeError.config("\(url.path): cannot read") }
        do { return try JSONDecoder().decode(RoundRecord.self, from: data) } catch {
            throw NodeError.config("\(url.path): not a round record (\(error)); move it away to start the round afresh")
        }
    }

    public func write(_ url: URL) throws {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        try writeAtomically(try encoder.encode(self) + Data("\n".utf8), to: url.path)
    }

    /// Checksum record of a file.
    static func file(_ url: URL, relativeTo folder: URL) throws -> FileRecord {
        guard let data = FileManager.default.contents(atPath: url.path) else { throw NodeError.config("\(url.path): cannot read") }
        let prefix = folder.standardizedFileURL.path + "/"
        let full = url.standardizedFileURL.path
        return FileRecord(path: full.hasPrefix(prefix) ? String(full.dropFirst(prefix.count)) : full,
                          bytes: data.count, fnv1a64: fnv(data))
    }

    static func fnv(_ data: Data) -> String {
        var h = FNV1a64()
        h.add(bytes: data)
        return h.hex
    }

    static func now() -> String { ISO8601DateFormatter().string(from: Date()) }
}
