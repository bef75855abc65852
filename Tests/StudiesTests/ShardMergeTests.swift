import XCTest
import EraData
import PredictionStore
@testable import Studies
import TestSupport

final class ShardMergeTests: XCTestCase {
    let dataset = PlannerAndRunnerTests.dataset

    func spec(_ seed: Int = 3) throws -> StudySpec {
        try StudySpec.parse(Data(PlannerAndRunnerTests.runStudy.replacingOccurrences(of: #""seed": 3"#, with: #""seed": \#(seed)"#).utf8))
    }

    func runShard(_ spec: StudySpec, _ shard: Shard, into dir: URL) throws {
        let planner = try Planner(spec: spec, dataset: dataset)
        var options = RunOptions()
        options.jobs = 2
        options.only = planner.models(of: shard)
        options.includeBenchmark = shard.index == 0
        _ = try StudyRunner(spec: spec, dataset: dataset, directory: shard.directory(in: dir), options: options,
                            progress: ProgressReporter(quiet: true)).run()
    }

    func testShardsPartitionTheModelsAndBalanceCost() throws {
        XCTAssertEqual(shardAssignment(costs: [5, 4, 3, 3, 1], count: 2), [0, 1, 1, 0, 1])
        let planner = try Planner(spec: try spec(), dataset: dataset)
        let parts = (0..<3).map { planner.models(of: try! Shard(index: $0, count: 3)) }
        XCTAssertEqual(parts.reduce(0) { $0 + $1.count }, planner.plans().count)
        XCTAssertEqual(parts.reduce(Set<Int>()) { $0.union($1) }.count, planner.plans().count)
    }

    func testShardFromSchedulerEnvironment() throws {
        XCTAssertEqual(try Shard.fromEnvironment(["SLURM_ARRAY_TASK_ID": "2", "SLURM_ARRAY_TASK_COUNT": "4"]), try Shard(index: 2, count: 4))
        XCTAssertEqual(try Shard.fromEnvironment(["SLURM_ARRAY_TASK_ID": "5", "SLURM_ARRAY_TASK_MIN": "4", "SLURM_ARRAY_TASK_COUNT": "2"]), try Shard(index: 1, count: 2))
        XCTAssertEqual(try Shard.fromEnvironment(["JOB_COMPLETION_INDEX": "1", "WORKBENCH_SHARD_COUNT": "3"]), try Shard(index: 1, count: 3))
        XCTAssertEqual(try Shard.fromEnvironment(["AWS_BATCH_JOB_ARRAY_INDEX": "0", "WORKBENCH_SHARD_COUNT": "2"]), try Shard(index: 0, count: 2))
        // A partial re-submission (`--array=1`) with the count given keeps the shard index exact.
        XCTAssertEqual(try Shard.fromEnvironment(["SLURM_ARRAY_TASK_ID": "1", "SLURM_ARRAY_TASK_MIN": "1", "SLURM_ARRAY_TASK_COUNT": "1", "WORKBENCH_SHARD_COUNT": "3"]), try Shard(index: 1, count: 3))
        XCTAssertNil(try Shard.fromEnvironment([:]))
        // Typed errors; the texts name the option or variable, never a JSON path.
        XCTAssertThrowsError(try Shard.fromEnvironment(["JOB_COMPLETION_INDEX": "1"])) {
            XCTAssertEqual($0 as? StudiesError, .shardCountNotInEnvironment(indexVariable: "JOB_COMPLETION_INDEX"))
            XCTAssertEqual("\($0)", "$WORKBENCH_SHARD_COUNT: JOB_COMPLETION_INDEX is set; give the shard count in WORKBENCH_SHARD_COUNT or --shard I/N")
        }
        XCTAssertThrowsError(try Shard.fromEnvironment(["SLURM_ARRAY_TASK_ID": "x1"])) {
            XCTAssertEqual($0 as? StudiesError, .environmentNotAnInteger(variable: "SLURM_ARRAY_TASK_ID", value: "x1"))
        }
        XCTAssertThrowsError(try Shard(parsing: "3/3")) {
            XCTAssertEqual($0 as? StudiesError, .shardIndexOutside(index: 3, count: 3))
            XCTAssertEqual("\($0)", "--shard: shard index 3 outside 0…2")
        }
        XCTAssertThrowsError(try Shard(parsing: "x")) { XCTAssertEqual("\($0)", "--shard: expected I/N (e.g. 0/4), found 'x'") }
    }

    func testMergedShardsEqualTheSingleMachineRunBitForBit() throws {
        let single = TestSupport.temporaryDirectory("single"), sharded = TestSupport.temporaryDirectory("sharded")
        defer { [single, sharded].forEach { try? FileManager.default.removeItem(at: $0) } }
        let s = try spec()
        var options = RunOptions()
        options.jobs = 2
        _ = try StudyRunner(spec: s, dataset: dataset, directory: single, options: options, progress: ProgressReporter(quiet: true)).run()
        for i in [2, 0] { try runShard(s, try Shard(index: i, count: 3), into: sharded) }

        // Shard 1 is missing: merge names it and the command that completes it.
        XCTAssertThrowsError(try ShardMerger.merge(directory: sharded, spec: s, dataset: dataset)) { error in
            guard case let StudiesError.incompleteShards(e)? = error as? StudiesError else { return XCTFail("\(error)") }
            XCTAssertEqual(e.problems, [.init(shard: 1, state: .notStarted(directoryName: "shard-001-of-003"))])
            XCTAssertEqual(e.shardCount, 3)
            XCTAssertEqual(e.directory, sharded.path)
            XCTAssertTrue("\(error)".contains("  shard 1: not started (no shard-001-of-003)"), "\(error)")
            XCTAssertTrue("\(error)".contains("--shard 1/3 --out"), "\(error)")
        }
        // A shard killed before it recorded its study is reported as unfinished, not as an error.
        let early = try Shard(index: 1, count: 3).directory(in: sharded)
        try FileManager.default.createDirectory(at: early, withIntermediateDirectories: true)
        XCTAssertThrowsError(try ShardMerger.merge(directory: sharded, spec: s, dataset: dataset)) { error in
            guard case let StudiesError.incompleteShards(e)? = error as? StudiesError else { return XCTFail("\(error)") }
            XCTAssertEqual(e.problems, [.init(shard: 1, state: .stoppedBeforeRecording)])
        }
        try runShard(s, try Shard(index: 1, count: 3), into: sharded)
        XCTAssertEqual(try ShardMerger.study(in: sharded).hash, s.hash)
        _ = try ShardMerger.merge(directory: sharded, spec: s, dataset: dataset)

        let a = try StoredStudy.read(directory: single), b = try StoredStudy.read(directory: sharded)
        XCTAssertEqual(a.matrix.map(\.bitPattern), b.matrix.map(\.bitPattern))
        XCTAssertEqual(a.benchmarkPredictions?.map(\.bitPattern), b.benchmarkPredictions?.map(\.bitPattern))
        XCTAssertEqual(a.records.map(\.id), b.records.map(\.id))
        XCTAssertEqual(a.records.map(\.parameters), b.records.map(\.parameters))
        XCTAssertEqual(a.ids, b.ids)
        XCTAssertTrue(b.records.allSatisfy { $0.status == .done })
    }

    func testShardsOfDifferentStudiesAreRefused() throws {
        let dir = TestSupport.temporaryDirectory("mixed")
        defer { try? FileManager.default.removeItem(at: dir) }
        try runShard(try spec(3), try Shard(index: 0, count: 2), into: dir)
        try runShard(try spec(4), try Shard(index: 1, count: 2), into: dir)
        XCTAssertThrowsError(try ShardMerger.study(in: dir)) { error in
            XCTAssertTrue("\(error)".contains("different studies"), "\(error)")
        }
        XCTAssertThrowsError(try ShardMerger.merge(directory: dir, spec: try spec(3), dataset: dataset)) { error in
            XCTAssertTrue("\(error)".contains("different studies"), "\(error)")
        }
    }
}
