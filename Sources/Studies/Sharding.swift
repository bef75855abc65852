import Foundation

/// One shard of a study: index `index` of `count`.
public struct Shard: Equatable, Sendable, CustomStringConvertible {
    public let index: Int
    public let count: Int

    public init(index: Int, count: Int) throws {
        guard count >= 1 else { throw StudiesError.shardCountNotPositive }
        guard index >= 0, index < count else {
            throw StudiesError.shardIndexOutside(index: index, count: count)
        }
        self.index = index
        self.count = count
    }

    public var description: String { "\(index)/\(count)" }

    /// Parses `I/N`.
    public init(parsing text: String) throws {
        let parts = text.split(separator: "/")
        guard parts.count == 2, let i = Int(parts[0]), let n = Int(parts[1]) else {
            throw StudiesError.shardNotIOfN(text)
        }
        try self.init(index: i, count: n)
    }

    /// The shard from a scheduler's array-job variables: Slurm (`SLURM_ARRAY_TASK_ID`,
    /// `SLURM_ARRAY_TASK_COUNT`, offset by `SLURM_ARRAY_TASK_MIN`; with `WORKBENCH_SHARD_COUNT` set, the
    /// task id is the shard index), Kubernetes indexed jobs
    /// (`JOB_COMPLETION_INDEX` with the count in `WORKBENCH_SHARD_COUNT`), AWS Batch array jobs
    /// (`AWS_BATCH_JOB_ARRAY_INDEX`, count in `WORKBENCH_SHARD_COUNT`). Nil when none is set.
    public static func fromEnvironment(_ env: [String: String] = ProcessInfo.processInfo.environment) throws -> Shard? {
        func int(_ key: String) throws -> Int? {
            guard let v = env[key] else { return nil }
            guard let i = Int(v) else { throw StudiesError.environmentNotAnInteger(variable: key, value: v) }
            return i
        }
        let explicitCount = try int("WORKBENCH_SHARD_COUNT")
        if let id = try int("SLURM_ARRAY_TASK_ID") {
            // With the count given explicitly the task id is the shard index itself, which keeps a
            // partial re-submission (`--array=1,4`) exact; otherwise the array is the whole split
            // and may start above 0.
            if let count = explicitCount { return try Shard(index: id, count: count) }
            let min = try int("SLURM_ARRAY_TASK_MIN") ?? 0
            guard let count = try int("SLURM_ARRAY_TASK_COUNT") else {
                throw StudiesError.slurmTaskCountMissing
            }
            return try Shard(index: id - min, count: count)
        }
        for key in ["JOB_COMPLETION_INDEX", "AWS_BATCH_JOB_ARRAY_INDEX"] {
            if let id = try int(key) {
                guard let count = explicitCount else {
                    throw StudiesError.shardCountNotInEnvironment(indexVariable: key)
                }
                return try Shard(index: id, count: count)
            }
        }
        return nil
    }

    /// Directory of this shard's store under a study directory.
    public func directory(in studyDirectory: URL) -> URL {
        Self.directory(index: index, count: count, in: studyDirectory)
    }
}

/// Deterministic partition of the models into `count` shards, balanced by estimated cost:
/// longest first, each to the least-loaded shard (ties: lowest shard). Depends only on the plans.
public func shardAssignment(costs: [Double], count: Int) -> [Int] {
    var load = [Double](repeating: 0, count: count)
    var assignment = [Int](repeating: 0, count: costs.count)
    let order = costs.indices.sorted { costs[$0] > costs[$1] || (costs[$0] == costs[$1] && $0 < $1) }
    for i in order {
        var best = 0
        for s in 1..<max(count, 1) where load[s] < load[best] { best = s }
        assignment[i] = best
        load[best] += costs[i]
    }
    return assignment
}
