import XCTest
import Boosting
import Diversity
import EraData
@testable import Mining
@testable import Studies
import TestSupport

final class MiningTests: XCTestCase {
    /// Small synthetic data with a live era: 80 eras × 300 rows (20 validation eras → 8 selection,
    /// 4 embargo, 8 test).
    static let dataset: Dataset = {
        var config = SyntheticConfig.v1Default   // v1: the max-corr thresholds below are v1's numbers
        config.eras = 80
        config.rowsPerEra = 300
        config.features = 24
        config.liveEra = true
        return SyntheticGenerator.generate(config)
    }()

    static let gridJSON = #"""
    {"name": "mine-test", "seed": 9, "models": 8,
     "data": {"synthetic": {"eras": 80, "rowsPerEra": 300, "features": 24, "liveEra": true}},
     "fixed": {"n_estimators": 30},
     "benchmark": {"n_estimators": 30, "learning_rate": 0.1},
     "arms": [
       {"name": "grid", "models": 6, "vary": {"learning_rate": {"linspace": [0.02, 0.3, 15]}, "max_depth": {"intRange": [2, 6]},
                                              "colsample_bytree": {"linspace": [0.1, 1, 10]}, "num_leaves": {"linspace": [4, 24, 6]}}},
       {"name": "drop-eras", "models": 2, "fixed": {"learning_rate": 0.1, "colsample_bytree": 0.3}, "dropEras": {"fraction": 0.3}}
     ]}
    """#

    func spec(_ json: String = gridJSON) throws -> StudySpec { try StudySpec.parse(Data(json.utf8)) }

    func mine(_ stakers: [String], into dir: URL, jobs: Int = 2, maxAttempts: Int = 4,
              criteria: MiningCriteria = MiningCriteria(), force: Bool = false, json: String = gridJSON) throws -> FarmResult {
        var options = MiningOptions()
        options.jobs = jobs
        options.maxAttempts = maxAttempts
        options.criteria = criteria
        options.force = force
        let miner = try Miner(spec: try spec(json), dataset: Self.dataset, directory: dir, options: options)
        return try miner.mine(stakers: stakers)
    }

    func bytes(_ url: URL) throws -> Data { try Data(contentsOf: url) }

    /// Decisions without timings: what must not depend on --jobs.
    func decisions(_ m: FarmManifest) -> [String] {
        m.stakers.map { s in
            "\(s.id) \(s.status.rawValue) \(s.acceptedAttempt ?? -1) \(s.candidates) \(s.paramsHash ?? "-") "
                + "\(s.selection.map { "\($0.corrMean) \($0.bmcMean)" } ?? "-") \(s.test.map { "\($0.corrMean)" } ?? "-") "
                + s.rejections.map { "\($0.attempt):\($0.reasons.map(\.rawValue)):\($0.selectionCorr):\($0.maxCorr ?? -1)" }.joined(separator: ",")
        }
    }

    // MARK: Staker lists

    func testStakerListParsingIgnoresBlanksAndCommentsAndNamesDuplicateLines() throws {
        let ids = try StakerList.parse("# farm\nalice\n\n  bob  \n# later\ncarol\n", name: "s.txt")
        XCTAssertEqual(ids, ["alice", "bob", "carol"])
        XCTAssertThrowsError(try StakerList.parse("alice\nbob\n\nalice\n", name: "s.txt")) { error in
            XCTAssertEqual("\(error)", "s.txt:4: duplicate staker id 'alice' (first on line 1)")
        }
        XCTAssertThrowsError(try StakerList.parse("ok\nbad/id\n", name: "s.txt")) { error in
            XCTAssertTrue("\(error)".hasPrefix("s.txt:2: staker id 'bad/id'"), "\(error)")
        }
        XCTAssertThrowsError(try StakerList.parse("# only comments\n\n", name: "s.txt"))
        XCTAssertEqual(StakerList.generated(count: 3), ["staker-0001", "staker-0002", "staker-0003"])
        XCTAssertEqual(StakerList.generated(count: 12_345).last, "staker-12345")
    }

    // MARK: Candidates

    func testCandidatesDependOnlyOnSeedStakerAndAttempt() throws {
        let planner = try Planner(spec: try spec(), dataset: Self.dataset)
        let c = CandidatePlanner(planner: planner)
        XCTAssertEqual(c.candidate(staker: "alice", attempt: 0), c.candidate(staker: "alice", attempt: 0))
        XCTAssertNotEqual(Recipe(c.candidate(staker: "alice", attempt: 0)), Recipe(c.candidate(staker: "alice", attempt: 1)))
        XCTAssertNotEqual(Recipe(c.candidate(staker: "alice", attempt: 0)), Recipe(c.candidate(staker: "bob", attempt: 0)))
        // Arms are drawn in proportion to their model counts (6:2 here).
        let arms = (0..<400).map { c.candidate(staker: "s\($0)", attempt: 0).arm }
        let grid = arms.filter { $0 == "grid" }.count
        XCTAssertEqual(Double(grid) / 400, 0.75, accuracy: 0.07)
        // A drop-eras candidate drops the arm's fraction of train eras, like the study's own models.
        let dropped = (0..<50).map { c.candidate(staker: "d\($0)", attempt: 0) }.first { $0.arm == "drop-eras" }!
        XCTAssertEqual(dropped.droppedEras.count, Int((0.3 * Double(planner.trainEras.count)).rounded()))
        // The study's own plans are untouched by the new entry point.
        let plans = planner.plans()
        XCTAssertEqual(plans[0].id, "grid-000")
        XCTAssertEqual(plans[7].id, "drop-eras-001")
        XCTAssertEqual(plans, try Planner(spec: try spec(), dataset: Self.dataset).plans())
    }

    // MARK: Determinism and extension

    func testSameStakersGiveBitIdenticalModelsWhateverTheJobs() throws {
        let a = TestSupport.temporaryDirectory("mine-a"), b = TestSupport.temporaryDirectory("mine-b")
        defer { try? FileManager.default.removeItem(at: a); try? FileManager.default.removeItem(at: b) }
        let ids = ["alice", "bob", "carol", "dave", "erin"]
        let criteria = MiningCriteria(maxCorr: 0.8)   // strict enough to force some later attempts
        let one = try mine(ids, into: a, jobs: 1, criteria: criteria)
        let three = try mine(ids, into: b, jobs: 3, criteria: criteria)
        XCTAssertEqual(decisions(one.manifest), decisions(three.manifest))
        XCTAssertGreaterThan(one.manifest.accepted.count, 0)
        for s in one.manifest.accepted {
            for file in ["model.wbm", "model.txt", "params.json", "metrics.json", "live.csv"] {
                XCTAssertEqual(try bytes(a.appendingPathComponent("stakers/\(s.id)/\(file)")),
                               try bytes(b.appendingPathComponent("stakers/\(s.id)/\(file)")), "\(s.id)/\(file)")
            }
        }
        for (x, y) in zip(one.models, three.models) {
            XCTAssertEqual(x.scored.gaussianized, y.scored.gaussianized)
        }
        // jobs = 1 never trains a candidate it does not need.
        XCTAssertEqual(one.manifest.runs[0].speculativeUnused, 0)
        XCTAssertEqual(one.manifest.runs[0].candidatesTrained, one.manifest.stakers.reduce(0) { $0 + $1.candidates })
    }

    func testAddingStakersChangesNobodysModel() throws {
        let dir = TestSupport.temporaryDirectory("mine-ext")
        defer { try? FileManager.default.removeItem(at: dir) }
        let first = try mine(["alice", "bob", "carol"], into: dir, jobs: 1)
        // farm.json keeps 12 significant digits: compare with what the file holds.
        let recorded = try FarmManifest.read(dir.appendingPathComponent("farm.json"))
        XCTAssertEqual(decisions(recorded).count, 3)
        let before = try first.manifest.accepted.map { try bytes(dir.appendingPathComponent("stakers/\($0.id)/model.wbm")) }
        let second = try mine(["alice", "bob", "carol", "dave", "erin"], into: dir, jobs: 1)
        XCTAssertEqual(Array(second.manifest.stakers.prefix(3)), recorded.stakers)
        let after = try first.manifest.accepted.map { try bytes(dir.appendingPathComponent("stakers/\($0.id)/model.wbm")) }
        XCTAssertEqual(before, after)
        // The second run trained only the new stakers' candidates.
        let newCandidates = second.manifest.stakers.suffix(2).reduce(0) { $0 + $1.candidates }
        XCTAssertEqual(second.manifest.runs.count, 2)
        XCTAssertEqual(second.manifest.runs[1].candidatesTrained, newCandidates)
        XCTAssertEqual(second.manifest.stakers.suffix(2).map(\.run), [1, 1])
        // Loaded models predict exactly what was mined.
        for (x, y) in zip(first.models, second.models) { XCTAssertEqual(x.scored.gaussianized, y.scored.gaussianized) }

        // A farm only grows; a different study or different criteria are refused without --force.
        XCTAssertThrowsError(try mine(["alice", "dave"], into: dir, jobs: 1)) { error in
            XCTAssertTrue("\(error)".contains("missing from the list (bob, carol, erin)"), "\(error)")
        }
        XCTAssertThrowsError(try mine(["alice"], into: dir, criteria: MiningCriteria(maxCorr: 0.5))) { error in
            XCTAssertTrue("\(error)".contains("--max-corr 0.95"), "\(error)")
        }
        let changed = Self.gridJSON.replacingOccurrences(of: "\"seed\": 9", with: "\"seed\": 10")
        XCTAssertThrowsError(try mine(["zed"], into: dir, json: changed)) { error in
            XCTAssertTrue("\(error)".contains("different study"), "\(error)")
        }
        let forced = try mine(["zed"], into: dir, jobs: 1, force: true, json: changed)
        XCTAssertEqual(forced.manifest.stakers.map(\.id), ["zed"])
        XCTAssertFalse(FileManager.default.fileExists(atPath: dir.appendingPathComponent("stakers/alice").path))
    }

    // MARK: Acceptance criteria

    func testTooStrictMaxCorrForcesRecordedRejectionsAndHolds() throws {
        let dir = TestSupport.temporaryDirectory("mine-strict")
        defer { try? FileManager.default.removeItem(at: dir) }
        let maxCorr = 0.6
        let result = try mine(["a", "b", "c", "d", "e", "f"], into: dir, jobs: 2, maxAttempts: 6,
                              criteria: MiningCriteria(maxCorr: maxCorr))
        let rejections = result.manifest.stakers.flatMap(\.rejections)
        let correlated = rejections.filter { $0.reasons.contains(.tooCorrelated) }
        XCTAssertFalse(correlated.isEmpty, "a max-corr of \(maxCorr) should reject some candidates")
        for r in correlated {
            XCTAssertGreaterThanOrEqual(r.maxCorr!, maxCorr)
            XCTAssertNotNil(r.maxCorrWith)
            XCTAssertTrue(r.message.contains("|corr|"), r.message)
        }
        for r in rejections where r.reasons.contains(.corr) { XCTAssertLessThanOrEqual(r.selectionCorr, 0) }
        // Measured independently: every pair of accepted models is below the threshold on the
        // selection eras, and every accepted model passed corr and BMC there.
        let e = result.evaluation
        for i in result.models.indices {
            for j in result.models.indices where j > i {
                let r = Scoring.pearson(Array(result.models[i].scored.gaussianized[e.selectionSpan]),
                                        Array(result.models[j].scored.gaussianized[e.selectionSpan]))
                XCTAssertLessThan(abs(r), maxCorr)
            }
        }
        for s in result.manifest.accepted {
            XCTAssertGreaterThan(s.selection!.corrMean, 0)
            XCTAssertGreaterThan(s.selection!.bmcMean, 0)
            XCTAssertEqual(s.candidates, s.acceptedAttempt! + 1)
            XCTAssertEqual(s.rejections.map(\.attempt), Array(0..<s.acceptedAttempt!))
        }
        XCTAssertEqual(Set(result.models.map { Recipe($0.plan) }).count, result.models.count)
    }

    func testImpossibleMinCorrEndsAfterBoundedAttemptsAsNotAccepted() throws {
        let dir = TestSupport.temporaryDirectory("mine-none")
        defer { try? FileManager.default.removeItem(at: dir) }
        let result = try mine(["a", "b"], into: dir, jobs: 2, maxAttempts: 3, criteria: MiningCriteria(minCorr: 0.9))
        XCTAssertEqual(result.manifest.stakers.map(\.status), [.notAccepted, .notAccepted])
        for s in result.manifest.stakers {
            XCTAssertEqual(s.candidates, 3)
            XCTAssertEqual(s.rejections.count, 3)
            XCTAssertTrue(s.rejections.allSatisfy { $0.reasons.contains(.corr) && $0.message.contains("≤ 0.9") })
            XCTAssertNil(s.paramsHash)
            XCTAssertFalse(FileManager.default.fileExists(atPath: dir.appendingPathComponent("stakers/\(s.id)").path))
        }
        XCTAssertTrue(result.models.isEmpty)
        XCTAssertTrue(FarmSimulation.run(evaluation: result.evaluation, models: [], benchmark: result.benchmark).isEmpty)
    }

    func testIdenticalRecipesAreRejectedAsDuplicates() throws {
        // Nothing varies and the seed is fixed: every candidate is the same model.
        let json = #"""
        {"name": "same", "seed": 1, "models": 1, "fixed": {"n_estimators": 20, "seed": 3},
         "benchmark": {"n_estimators": 20}}
        """#
        let dir = TestSupport.temporaryDirectory("mine-dup")
        defer { try? FileManager.default.removeItem(at: dir) }
        let result = try mine(["a", "b"], into: dir, jobs: 2, maxAttempts: 2, json: json)
        let b = result.manifest.stakers[1]
        if result.manifest.stakers[0].status == .accepted {
            XCTAssertEqual(b.status, .notAccepted)
            XCTAssertTrue(b.rejections.allSatisfy { $0.reasons.contains(.duplicateRecipe) && $0.message.contains("same recipe as a") })
            XCTAssertTrue(b.rejections.allSatisfy { $0.reasons.contains(.tooCorrelated) && $0.maxCorr! > 0.999 })
        } else {
            XCTFail("the fixed example model should pass corr > 0 and BMC > 0 against a differently seeded benchmark: \(result.manifest.stakers[0].rejections)")
        }
    }

    // MARK: Submissions

    func testSubmissionCSVHasLiveIdsAndRanksInsideTheUnitInterval() throws {
        let dir = TestSupport.temporaryDirectory("mine-csv")
        defer { try? FileManager.default.removeItem(at: dir) }
        let result = try mine(["alice"], into: dir, jobs: 1)
        let id = try XCTUnwrap(result.manifest.accepted.first?.id)
        let text = try String(contentsOf: dir.appendingPathComponent("stakers/\(id)/live.csv"), encoding: .utf8)
        var lines = text.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        XCTAssertEqual(lines.removeLast(), "")
        XCTAssertEqual(lines.first, "id,prediction")
        let rows = lines.dropFirst().map { $0.split(separator: ",").map(String.init) }
        let live = Self.dataset.rows(in: .live)
        XCTAssertEqual(rows.map { $0[0] }, live.map { Self.dataset.ids[Int($0)] })
        let values = rows.map { Double($0[1])! }
        XCTAssertTrue(values.allSatisfy { $0 > 0 && $0 < 1 })
        // Ranks keep the model's order.
        let booster = try Booster.load(from: dir.appendingPathComponent("stakers/\(id)/model.wbm").path)
        let raw = booster.predict(dataset: Self.dataset, rows: live)
        XCTAssertEqual(Scoring.spearman(values, raw), 1, accuracy: 1e-12)
        XCTAssertEqual(Submission.ranked([3, 1, 2, 2]), [0.875, 0.125, 0.5, 0.5])
    }

    // MARK: Rotation and pooling

    func testRotationIsAPermutationEveryEraAndBalancedOverNEras() {
        for n in 1...9 {
            let schedule = RotationSchedule(models: n)
            for era in 0..<(3 * n) {
                XCTAssertEqual(schedule.assignment(era: era).sorted(), Array(0..<n), "n \(n) era \(era)")
            }
            for start in [0, 1, n + 2] {
                for staker in 0..<n {
                    let held = (start..<(start + n)).map { schedule.model(staker: staker, era: $0) }
                    XCTAssertEqual(held.sorted(), Array(0..<n), "n \(n) staker \(staker) from era \(start)")
                }
            }
        }
    }

    func testSchemesShareTheFundButNotThePayouts() throws {
        let dir = TestSupport.temporaryDirectory("mine-sim")
        defer { try? FileManager.default.removeItem(at: dir) }
        let result = try mine(["a", "b", "c", "d"], into: dir, jobs: 2)
        let e = result.evaluation
        let models = result.models.map(\.scored)
        XCTAssertGreaterThanOrEqual(models.count, 2)
        let schemes = FarmSimulation.run(evaluation: e, models: models, benchmark: result.benchmark)
        XCTAssertEqual(schemes.map(\.scheme), [.keep, .rotate, .pool])
        let keep = schemes[0], rotate = schemes[1], pool = schemes[2]
        // (a): each staker's mean is its own model's test corr.
        for (i, m) in models.enumerated() {
            XCTAssertEqual(keep.stakerMeans[i], SeriesSummary.mean(Array(m.corrPerEra[e.test])), accuracy: 1e-15)
        }
        // (b): staker i in test era t scores model (i + t) mod n.
        let n = models.count
        for i in 0..<n {
            let series = e.test.enumerated().map { t, era in models[(i + t) % n].corrPerEra[era] }
            XCTAssertEqual(rotate.stakerMeans[i], SeriesSummary.mean(series), accuracy: 1e-15)
        }
        // Rotation keeps the average payout, pooling pays everyone the same.
        XCTAssertEqual(SeriesSummary.mean(rotate.stakerMeans), SeriesSummary.mean(keep.stakerMeans), accuracy: 1e-12)
        XCTAssertEqual(pool.distribution.std, 0, accuracy: 1e-15)
        // The fund's meta model is the same in all schemes (up to rounding), and equals the
        // numerai_corr of the equal-weight ensemble.
        let ensemble = e.ensemble(models.map(\.gaussianized))
        let ensembleCorr = SeriesSummary.mean(Array(e.corrPerEra(compact: ensemble)[e.test]))
        for s in schemes { XCTAssertEqual(s.fundCorrMean, ensembleCorr, accuracy: 1e-9) }
        XCTAssertEqual(pool.stakerMeans[0], ensembleCorr, accuracy: 1e-12)
        XCTAssertEqual(keep.distribution.max, keep.stakerMeans.max()!)
    }
}
