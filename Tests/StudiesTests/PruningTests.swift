import XCTest
import Diversity
import EraData
import EvaluationRules
import Pipeline
import PredictionStore
@testable import Studies
import Support
import TestSupport

/// Successive halving (`pruning`) and `eraStride`, on planted data: `target` follows features 0
/// and 1, `target_noise` follows nothing, so a model trained on `target_noise` has no selection
/// corr and must be pruned before any model trained on `target`.
final class PruningTests: XCTestCase {
    static let trainEras = 30, validationEras = 24, rowsPerEra = 150, featureCount = 8

    /// `selection` / `test` transform the scored target `target` of the validation eras in the
    /// study's selection range (the first 10 of 24 with selectionFraction 0.5 and embargo 4) or
    /// its test range (the last 10); the features and every train row stay the same.
    static func planted(selection: ((Float) -> Float)? = nil, test: ((Float) -> Float)? = nil) -> Dataset {
        let eras = trainEras + validationEras, rows = eras * rowsPerEra
        let features = FeatureColumns(rowCount: rows, featureCount: featureCount)
        var rng = SplitMix64(seed: 42)
        var target = [Float](repeating: 0, count: rows), noise = [Float](repeating: 0, count: rows)
        var eraOfRow: [Int32] = [], split: [Split] = [], ids: [String] = []
        for r in 0..<rows {
            for f in 0..<featureCount { features.storage[f * rows + r] = UInt8(rng.next() % 5) }
            let signal = Double(features[r, 0]) + Double(features[r, 1]) + 1.5 * rng.nextGaussian()
            target[r] = Float(min(1, max(0, (signal / 2).rounded() * 0.25)))
            noise[r] = Float(rng.next() % 5) * 0.25
            let era = r / rowsPerEra
            eraOfRow.append(Int32(era))
            split.append(era < trainEras ? .train : .validation)
            ids.append("r\(r)")
            let v = era - trainEras
            if v >= 0 && v < 10, let selection { target[r] = selection(target[r]) }
            if v >= 14, let test { target[r] = test(target[r]) }
        }
        return Dataset(features: features, featureNames: (0..<featureCount).map { "feature_\($0)" },
                       targetNames: ["target", "target_noise"], targets: [target, noise],
                       eras: (0..<eras).map { String(format: "era%03d", $0) }, eraOfRow: eraOfRow, ids: ids,
                       splitOfRow: split)
    }

    static let study = #"""
    {"name": "prune", "seed": 3, "models": 10,
     "fixed": {"n_estimators": 40, "learning_rate": 0.1, "max_depth": 3, "num_leaves": 8, "colsample_bytree": 0.5},
     "vary": {"target": ["target", "target_noise"], "seed": {"intRange": [0, 1000]}},
     "benchmark": {"n_estimators": 20, "learning_rate": 0.1},
     "pruning": {"rungs": [5, 15], "keep": 0.5}}
    """#

    func run(_ dataset: Dataset, _ json: String = study, jobs: Int = 2, into dir: URL) throws -> (RunSummary, PruningRecord, StoredStudy) {
        var options = RunOptions()
        options.jobs = jobs
        let runner = try StudyRunner(spec: try StudySpec.parse(Data(json.utf8)), dataset: dataset, directory: dir,
                                     options: options, progress: ProgressReporter(quiet: true))
        runner.selectionScore = try StudyPipeline.selectionScore(spec: runner.spec, dataset: dataset, evaluationRows: runner.evalRows)
        let summary = try runner.run()
        return (summary, try XCTUnwrap(try PruningRecord.read(directory: dir)), try StoredStudy.read(directory: dir))
    }

    func testNoiseModelsArePrunedAndSignalModelsKept() throws {
        let dir = TestSupport.temporaryDirectory("prune")
        defer { try? FileManager.default.removeItem(at: dir) }
        let dataset = Self.planted()
        let (summary, record, stored) = try run(dataset, into: dir)
        XCTAssertFalse(summary.interrupted)
        XCTAssertEqual(summary.trained, 11, "10 models (done or pruned) and the benchmark")
        let noise = Set(stored.records.filter { $0.target == "target_noise" }.map(\.id))
        let signal = Set(stored.records.filter { $0.target == "target" }.map(\.id))
        // The draw this test relies on: enough of each kind that the planted effect decides every rung.
        XCTAssertGreaterThanOrEqual(noise.count, 3, "\(noise)")
        XCTAssertGreaterThanOrEqual(signal.count, 3, "\(signal)")

        // 10 → ⌈5⌉ = 5 after 5 trees → ⌈2.5⌉ = 3 after 15 trees.
        XCTAssertEqual(record.decisions.map(\.rung), [5, 15])
        XCTAssertEqual(record.decisions.map { $0.candidates.count }, [10, 5])
        XCTAssertEqual(record.decisions.map { $0.candidates.filter(\.kept).count }, [5, 3])
        XCTAssertEqual(record.arms, [PruningRecord.ArmSummary(arm: "main", models: 10, prunedPerRung: [5, 2], survivors: 3)])
        let first = record.decisions[0]
        // Every noise model ranks below every signal model at the first rung, so the 5 pruned there
        // are noise models (as many as there are, then the weakest signal models).
        let ranked = first.candidates.map(\.id)
        XCTAssertEqual(Set(ranked.suffix(noise.count)), noise, "ranking \(ranked)")
        let prunedFirst = Set(first.pruned.map(\.id))
        if noise.count >= 5 { XCTAssertTrue(prunedFirst.isSubset(of: noise)) } else { XCTAssertTrue(noise.isSubset(of: prunedFirst)) }
        for c in first.candidates where signal.contains(c.id) { XCTAssertGreaterThan(c.selectionCorr, 0.2, c.id) }
        // A fit to noise is a random function of the features, so it may correlate a little with the target by chance.
        for c in first.candidates where noise.contains(c.id) { XCTAssertLessThan(abs(c.selectionCorr), 0.15, c.id) }

        // Survivors are signal models trained to the end; pruned models are stored with their rung's trees.
        let done = stored.records.filter { $0.status == .done }
        XCTAssertEqual(done.count, 3)
        XCTAssertTrue(Set(done.map(\.id)).isSubset(of: signal))
        XCTAssertTrue(done.allSatisfy { $0.trees == 40 })
        for d in record.decisions {
            for c in d.pruned {
                let r = stored.records[c.index]
                XCTAssertEqual(r.status, .pruned, r.id)
                XCTAssertEqual(r.trees, d.rung, r.id)
                XCTAssertEqual(r.parameters["n_estimators"], 40, "the record keeps the declared n_estimators")
                XCTAssertFalse(stored.predictions(ofModel: c.index).contains { $0.isNaN }, r.id)
            }
        }
        XCTAssertEqual(stored.benchmarkRecord?.status, .done)

        // Oracle: numerai-tools' numerai_corr of each pruned model's stored predictions, averaged
        // over the selection eras stored in predictions.h5, is the score it was pruned by.
        let pruned = record.decisions.flatMap { d in d.pruned.map { ($0.index, $0.selectionCorr) } }
        let oracle = try TestSupport.python(TestSupport.oracleScript("StudiesTests/PruningTests-SelectionEraCorr.py"), [dir.appendingPathComponent("predictions.h5").path, "\(pruned.map(\.0))"])
        XCTAssertEqual(oracle.status, 0, oracle.stderr)
        let expected = try JSONDecoder().decode([String: Double].self, from: Data(oracle.stdout.utf8))
        for (index, corr) in pruned {
            XCTAssertEqual(corr, try XCTUnwrap(expected[String(index)]), accuracy: 1e-9, "model \(index)")
        }
    }

    func testOnlySelectionErasDecide() throws {
        let base = TestSupport.temporaryDirectory("prune-base"), test = TestSupport.temporaryDirectory("prune-test"),
            selection = TestSupport.temporaryDirectory("prune-sel")
        defer { [base, test, selection].forEach { try? FileManager.default.removeItem(at: $0) } }
        let (_, a, storedA) = try run(Self.planted(), into: base)
        // Test-era targets reversed: a different test range, the same pruning, bit for bit.
        let (_, b, storedB) = try run(Self.planted(test: { 1 - $0 }), into: test)
        XCTAssertEqual(a.decisions.map { $0.candidates.map(\.id) }, b.decisions.map { $0.candidates.map(\.id) })
        XCTAssertEqual(a.decisions.map { $0.candidates.map(\.kept) }, b.decisions.map { $0.candidates.map(\.kept) })
        XCTAssertEqual(a.decisions.map { $0.candidates.map(\.selectionCorr.bitPattern) },
                       b.decisions.map { $0.candidates.map(\.selectionCorr.bitPattern) })
        XCTAssertEqual(storedA.matrix.map(\.bitPattern), storedB.matrix.map(\.bitPattern))
        XCTAssertNotEqual(storedA.labels?.target, storedB.labels?.target, "the test-era targets did change")
        // Selection-era targets reversed: now the signal models look worst and the noise models survive.
        let (_, c, storedC) = try run(Self.planted(selection: { 1 - $0 }), into: selection)
        let survivorsC = storedC.records.filter { $0.status == .done }
        XCTAssertTrue(survivorsC.allSatisfy { $0.target == "target_noise" }, "\(survivorsC.map(\.id))")
        XCTAssertNotEqual(a.decisions[0].pruned.map(\.id), c.decisions[0].pruned.map(\.id))
    }

    func testDecisionsAndPredictionsAreTheSameAtAnyJobCount() throws {
        let one = TestSupport.temporaryDirectory("prune-j1"), three = TestSupport.temporaryDirectory("prune-j3")
        defer { [one, three].forEach { try? FileManager.default.removeItem(at: $0) } }
        let dataset = Self.planted()
        _ = try run(dataset, jobs: 1, into: one)
        _ = try run(dataset, jobs: 3, into: three)
        XCTAssertEqual(try Data(contentsOf: one.appendingPathComponent("pruning.json")),
                       try Data(contentsOf: three.appendingPathComponent("pruning.json")))
        let a = try StoredStudy.read(directory: one), b = try StoredStudy.read(directory: three)
        XCTAssertEqual(a.matrix.map(\.bitPattern), b.matrix.map(\.bitPattern))
        XCTAssertEqual(a.records.map(\.status), b.records.map(\.status))
        XCTAssertEqual(a.records.map(\.trees), b.records.map(\.trees))
        // Everything stored: the same command trains nothing more and keeps the record.
        let (again, record, _) = try run(dataset, into: one)
        XCTAssertEqual(again.trained, 0)
        XCTAssertEqual(record, try XCTUnwrap(try PruningRecord.read(directory: three)))
    }

    func testResumeAfterTheDecisionsKeepsThemAndTrainsOnlyTheSurvivors() throws {
        let full = TestSupport.temporaryDirectory("prune-full"), cut = TestSupport.temporaryDirectory("prune-cut")
        defer { [full, cut].forEach { try? FileManager.default.removeItem(at: $0) } }
        let dataset = Self.planted()
        _ = try run(dataset, into: full)
        _ = try run(dataset, into: cut)
        // As if the run had died after recording both rungs and storing the pruned models: the
        // survivors' results are gone.
        let before = try StoredStudy.read(directory: cut)
        let survivors = before.records.filter { $0.status == .done }
        let store = try PredictionStore(directory: cut, studyName: before.studyName, studyHash: before.studyHash,
                                        studyJSON: before.studyJSON, rows: before.rows, ids: before.ids,
                                        eraOfColumn: before.eras, modelCount: before.records.count, labels: before.labels)
        var contents = try store.contents()
        for r in survivors { contents.records[r.index] = nil; contents.predictions[r.index] = nil }
        try store.write(contents, placeholders: before.records.map { var p = $0; p.status = .pending; return p })
        let (resumed, _, after) = try run(dataset, into: cut)
        XCTAssertEqual(resumed.trained, survivors.count, "only the survivors are trained again")
        let reference = try StoredStudy.read(directory: full)
        XCTAssertEqual(after.matrix.map(\.bitPattern), reference.matrix.map(\.bitPattern))
        XCTAssertEqual(after.records.map(\.status), reference.records.map(\.status))
    }

    func testPruningSpecErrorsNameThePath() throws {
        func error(_ pruning: String) -> String {
            let json = #"{"name": "p", "models": 2, "pruning": "# + pruning + "}"
            do { _ = try StudySpec.parse(Data(json.utf8)); return "no error" } catch { return "\(error)" }
        }
        let cases: [(String, String)] = [
            (#"[100]"#, "$.pruning"),
            (#"{"rungs": [], "keep": 0.5}"#, "rungs is empty"),
            (#"{"rungs": [100, 100], "keep": 0.5}"#, "rungs must increase strictly (100 after 100)"),
            (#"{"rungs": [1000, 100], "keep": 0.5}"#, "rungs must increase strictly"),
            (#"{"rungs": [0, 100], "keep": 0.5}"#, "a rung is a tree count ≥ 1"),
            (#"{"rungs": [10.5], "keep": 0.5}"#, "$.pruning.rungs[0]"),
            (#"{"rungs": [100]}"#, "missing key 'keep'"),
            (#"{"keep": 0.5}"#, "missing key 'rungs'"),
            (#"{"rungs": [100], "keep": 1}"#, "keep must lie in (0, 1)"),
            (#"{"rungs": [100], "keep": 0}"#, "keep must lie in (0, 1)"),
            (#"{"rungs": [100], "keep": 0.5, "by": "cor"}"#, "did you mean 'corr'"),
            (#"{"rung": [100], "keep": 0.5}"#, "did you mean 'rungs'"),
        ]
        for (pruning, expected) in cases {
            let text = error(pruning)
            XCTAssertTrue(text.contains(expected), "\(pruning): \(text)")
        }
        let ok = try StudySpec.parse(Data(#"{"name": "p", "models": 2, "pruning": {"rungs": [100, 1000, 10000], "keep": 0.5, "by": "corr"}}"#.utf8))
        XCTAssertEqual(ok.pruning, PruningSpec(rungs: [100, 1000, 10000], keep: 0.5, by: "corr"))
        XCTAssertNil(try StudySpec.parse(Data(#"{"name": "p", "models": 2}"#.utf8)).pruning)
    }

    func testKeepCountAndRankingRule() {
        XCTAssertEqual(PruningRecord.keepCount(10, keep: 0.3), 3)
        XCTAssertEqual(PruningRecord.keepCount(10, keep: 0.31), 4)
        XCTAssertEqual(PruningRecord.keepCount(3, keep: 0.1), 1)
        XCTAssertEqual(PruningRecord.keepCount(16, keep: 0.5), 8)
        let ranked = PruningRecord.rank([("b", 1, 0.2), ("a", 0, 0.2), ("c", 2, .nan), ("d", 3, 0.5)], keep: 0.5)
        XCTAssertEqual(ranked.map(\.id), ["d", "a", "b", "c"], "best first, ties by id, undefined last")
        XCTAssertEqual(ranked.map(\.kept), [true, true, false, false])
    }

    func testShardedPrunedStudyIsRefused() throws {
        let dir = TestSupport.temporaryDirectory("prune-shard")
        defer { try? FileManager.default.removeItem(at: dir) }
        var options = RunOptions()
        options.only = [0, 1]
        let runner = try StudyRunner(spec: try StudySpec.parse(Data(Self.study.utf8)), dataset: Self.planted(),
                                     directory: dir, options: options, progress: ProgressReporter(quiet: true))
        XCTAssertThrowsError(try runner.run()) { error in
            XCTAssertTrue("\(error)".contains("cannot be split into shards"), "\(error)")
        }
    }

    func testEraStrideTrainsOnEveryKthEra() throws {
        let dataset = Self.planted()
        let json = #"{"name": "s", "models": 2, "data": {"path": "x.h5", "eraStride": 4}, "fixed": {"n_estimators": 5}}"#
        let spec = try StudySpec.parse(Data(json.utf8))
        XCTAssertEqual(spec.eraStride, 4)
        let planner = try Planner(spec: spec, dataset: dataset)
        // Every 4th of the 30 train eras, from the first: 0, 4, …, 28.
        XCTAssertEqual(planner.trainEras, Array(stride(from: 0, to: Self.trainEras, by: 4)))
        let dir = TestSupport.temporaryDirectory("stride")
        defer { try? FileManager.default.removeItem(at: dir) }
        let runner = try StudyRunner(spec: spec, dataset: dataset, directory: dir, options: RunOptions(),
                                     progress: ProgressReporter(quiet: true))
        let expected = (0..<dataset.rowCount).filter { r in
            let era = r / Self.rowsPerEra
            return era < Self.trainEras && era % 4 == 0
        }.map(Int32.init)
        for plan in runner.plans + [try XCTUnwrap(runner.planner.benchmarkPlan())] {
            XCTAssertEqual(runner.trainRows(for: plan), expected, plan.id)
        }
        // Dropped eras are drawn from the strided eras only.
        let dropping = try StudySpec.parse(Data(#"{"name": "s", "models": 5, "data": {"synthetic": {"eras": 40, "rowsPerEra": 50, "features": 8}, "eraStride": 3}, "dropEras": {"fraction": 0.5}}"#.utf8))
        let synthetic = try dropping.loadData()
        let p = try Planner(spec: dropping, dataset: synthetic)
        let all = synthetic.eraIndices(in: .train)
        XCTAssertEqual(p.trainEras, stride(from: 0, to: all.count, by: 3).map { all[$0] })
        for plan in p.plans() { XCTAssertTrue(Set(plan.droppedEras).isSubset(of: Set(p.trainEras))) }
        // Without the key nothing changes; bad values are located errors.
        XCTAssertEqual(try StudySpec.parse(Data(#"{"name": "s", "models": 1}"#.utf8)).eraStride, 1)
        for (bad, expected) in [(#"0"#, "eraStride must be ≥ 1"), (#""2""#, "$.data.eraStride"), (#"1.5"#, "$.data.eraStride")] {
            let text = #"{"name": "s", "models": 1, "data": {"path": "x.h5", "eraStride": "# + bad + "}}"
            XCTAssertThrowsError(try StudySpec.parse(Data(text.utf8))) { error in
                XCTAssertTrue("\(error)".contains(expected), "\(bad): \(error)")
            }
        }
    }
}
