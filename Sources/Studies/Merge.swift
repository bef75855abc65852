import EraData
import Foundation
import PredictionStore
import Support

/// Merges the shard stores under `DIR/shards/` into `DIR/predictions.h5`, exactly as a single
/// run would have written it: the same models, the same predictions, bit for bit.
public enum ShardMerger {
    /// Shard directories by index, and their common count.
    public static func shardDirectories(in directory: URL) throws -> (count: Int, byIndex: [Int: URL]) {
        let root = directory.appendingPathComponent("shards")
        guard let names = try? FileManager.default.contentsOfDirectory(atPath: root.path) else {
            throw StudiesError.noShards(root: root.path, directory: directory.path)
        }
        var counts = Set<Int>()
        var byIndex: [Int: URL] = [:]
        for name in names.sorted() {
            // shard-III-of-NNN
            let parts = name.split(separator: "-")
            guard parts.count == 4, parts[0] == "shard", parts[2] == "of", let i = Int(parts[1]), let n = Int(parts[3]) else { continue }
            counts.insert(n)
            byIndex[i] = root.appendingPathComponent(name)
        }
        guard let count = counts.first else { throw StudiesError.noShardDirectories(root: root.path) }
        guard counts.count == 1 else {
            throw StudiesError.mixedShardCounts(root: root.path, counts: counts.sorted())
        }
        return (count, byIndex)
    }

    /// The study recorded by the shards (they must all agree).
    public static func study(in directory: URL) throws -> StudySpec {
        let (_, shards) = try shardDirectories(in: directory)
        var records: [(Int, StudyRunner.StudyRecordFile)] = []
        for (i, url) in shards.sorted(by: { $0.key < $1.key }) {
            // A shard killed before it recorded its study is simply unfinished; merge reports it.
            if let record = try? StudyRunner.StudyRecordFile.read(url) { records.append((i, record)) }
        }
        guard !records.isEmpty else {
            throw StudiesError.noRecordedShard(shards: "\(directory.path)/shards")
        }
        let first = records[0].1
        for (i, r) in records where r.hash != first.hash {
            throw StudiesError.shardsDisagree(shard: i, name: r.name, hash: r.hash, firstShard: records[0].0,
                                              firstName: first.name, firstHash: first.hash)
        }
        return try first.spec()
    }

    /// Merges; throws `StudiesError.incompleteShards` when a shard is missing, unfinished or failed.
    public static func merge(directory: URL, spec: StudySpec, dataset: Dataset) throws -> PredictionStore {
        let (count, shards) = try shardDirectories(in: directory)
        let planner = try Planner(spec: spec, dataset: dataset)
        let plans = planner.plans()
        let assignment = shardAssignment(costs: plans.map(planner.cost), count: count)

        let rows = evaluationRows(dataset)
        let fingerprint = DataFingerprint.of(dataset)
        let labels = spec.columnLabels(rows: rows, dataset: dataset)
        func store(at url: URL) throws -> PredictionStore {
            try PredictionStore(directory: url, studyName: spec.name, studyHash: spec.hash, studyJSON: spec.canonicalJSON,
                                rows: rows, ids: rows.map { dataset.ids[Int($0)] },
                                eraOfColumn: rows.map { dataset.eras[Int(dataset.eraOfRow[Int($0)])] },
                                modelCount: plans.count, labels: labels)
        }
        var merged = StoreContents()
        var owner: [Int: Int] = [:]
        var problems: [IncompleteShards.Problem] = []
        for i in 0..<count {
            guard let url = shards[i] else {
                problems.append(.init(shard: i, state: .notStarted(directoryName: Shard.directory(index: i, count: count, in: directory).lastPathComponent)))
                continue
            }
            guard let record = try? StudyRunner.StudyRecordFile.read(url) else {
                problems.append(.init(shard: i, state: .stoppedBeforeRecording))
                continue
            }
            guard record.hash == spec.hash else {
                throw StudiesError.shardOfOtherStudy(shard: i, name: record.name, hash: record.hash,
                                                     studyName: spec.name, studyHash: spec.hash)
            }
            if let trainedOn = record.data, trainedOn != fingerprint {
                throw StudiesError.shardOnOtherData(shard: i, trainedOn: trainedOn, now: fingerprint)
            }
            let contents = try store(at: url).contents()
            let expected = plans.indices.filter { assignment[$0] == i }
            var missing = 0, failed: [String] = []
            for m in expected {
                switch contents.records[m]?.status {
                case .done?: break
                case .failed?: failed.append(contents.records[m]!.id)
                default: missing += 1
                }
            }
            for (m, r) in contents.records where m >= 0 && r.status == .done {
                guard assignment[m] == i else {
                    throw StudiesError.modelInWrongShard(shard: i, model: r.id, owner: assignment[m])
                }
                if let other = owner[m] { throw StudiesError.modelStoredTwice(model: r.id, first: other, second: i) }
                owner[m] = i
                merged.records[m] = r
                merged.predictions[m] = contents.predictions[m]
            }
            if i == 0, spec.benchmark != nil {
                if let b = contents.records[-1], let p = contents.predictions[-1] {
                    merged.records[-1] = b
                    merged.predictions[-1] = p
                } else {
                    missing += 1
                }
            }
            if missing > 0 || !failed.isEmpty {
                problems.append(.init(shard: i, state: .unfinished(expected: expected.count, missing: missing, failed: failed)))
            }
        }
        if !problems.isEmpty {
            let script = directory.appendingPathComponent("slurm/shards.sbatch").path
            throw StudiesError.incompleteShards(IncompleteShards(
                problems: problems, shardCount: count, study: spec.sourcePath ?? "STUDY.json", directory: directory.path,
                slurmScript: FileManager.default.fileExists(atPath: script) ? script : nil))
        }
        try StudyRunner.prepareDirectory(directory, spec: spec, force: false, fingerprint: fingerprint)
        let target = try store(at: directory)
        try target.write(merged, placeholders: [])
        return target
    }
}

extension Shard {
    static func directory(index: Int, count: Int, in studyDirectory: URL) -> URL {
        studyDirectory.appendingPathComponent("shards").appendingPathComponent(String(format: "shard-%03d-of-%03d", index, count))
    }
}
