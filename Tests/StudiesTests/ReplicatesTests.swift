import EraData
import Foundation
@testable import Studies
import TestSupport
import XCTest

/// The `replicates` key: validation, the replicate studies it derives, and walk-forward folds
/// (cut as scikit-learn's TimeSeriesSplit with the embargo as its gap).
final class ReplicatesTests: XCTestCase {
    func parse(_ json: String) throws -> StudySpec { try StudySpec.parse(Data(json.utf8), baseDirectory: "/studies") }

    func assertError(_ json: String, path: String, contains text: String, suggestion: String? = nil,
                     file: StaticString = #filePath, line: UInt = #line) {
        assertStudyError(try parse(json), path: path, contains: text, suggestion: suggestion, file: file, line: line)
    }

    func testValidationNamesThePathAndSuggests() {
        let base = #""name": "x", "models": 2, "data": {"synthetic": {"eras": 60}}"#
        assertError(#"{\#(base), "replicate": {"dataSeeds": [1]}}"#, path: "$.replicate", contains: "unknown key", suggestion: "replicates")
        assertError(#"{\#(base), "replicates": {"dataSeed": [1]}}"#, path: "$.replicates.dataSeed", contains: "unknown key", suggestion: "dataSeeds")
        assertError(#"{\#(base), "replicates": {"splits": {"walkFoward": 3}}}"#, path: "$.replicates.splits.walkFoward",
                    contains: "unknown key", suggestion: "walkForward")
        assertError(#"{\#(base), "replicates": {}}"#, path: "$.replicates", contains: "at least one")
        assertError(#"{\#(base), "replicates": {"dataSeeds": []}}"#, path: "$.replicates.dataSeeds", contains: "empty")
        assertError(#"{\#(base), "replicates": {"studySeeds": [1, 2, 1]}}"#, path: "$.replicates.studySeeds[2]", contains: "twice")
        assertError(#"{\#(base), "replicates": {"studySeeds": [-1]}}"#, path: "$.replicates.studySeeds[0]", contains: "≥ 0")
        assertError(#"{\#(base), "replicates": {"studySeeds": [1.5]}}"#, path: "$.replicates.studySeeds[0]", contains: "integer")
        assertError(#"{\#(base), "replicates": {"splits": {"walkForward": 1}}}"#, path: "$.replicates.splits.walkForward", contains: "≥ 2")
        assertError(#"{\#(base), "replicates": {"splits": "walk-forward"}}"#, path: "$.replicates.splits", contains: "expected an object")
        assertError(#"{"name": "x", "models": 2, "data": "d.h5", "replicates": {"dataSeeds": [1, 2]}}"#,
                    path: "$.replicates.dataSeeds", contains: "synthetic")
        // The cap: 10 × 10 × 6 = 600 > 500.
        let ten = "[" + (0..<10).map(String.init).joined(separator: ", ") + "]"
        assertError(#"{\#(base), "replicates": {"dataSeeds": \#(ten), "studySeeds": \#(ten), "splits": {"walkForward": 6}}}"#,
                    path: "$.replicates", contains: "600 replicates")
        XCTAssertNoThrow(try parse(#"{\#(base), "replicates": {"dataSeeds": \#(ten), "studySeeds": \#(ten), "splits": {"walkForward": 5}}}"#))
        assertError(#"{\#(base), "fold": {"index": 4, "of": 3}}"#, path: "$.fold.index", contains: "1…3")
        assertError(#"{\#(base), "replicates": {"studySeeds": [1]}, "fold": {"index": 1, "of": 3}}"#, path: "$.fold", contains: "cannot itself")
    }

    func testReplicateStudiesCoverEveryCellInOrder() throws {
        let spec = try parse(#"""
        {"name": "rep", "seed": 9, "models": 2, "data": {"synthetic": {"eras": 60, "noise": 5}},
         "replicates": {"dataSeeds": [3, 4], "studySeeds": [0, 7], "splits": {"walkForward": 2}}}
        """#)
        XCTAssertEqual(spec.replicates?.count, 8)
        let cells = try spec.replicateStudies()
        XCTAssertEqual(cells.map { $0.cell.label }, [
            "data3-seed0-fold1of2", "data3-seed0-fold2of2", "data3-seed7-fold1of2", "data3-seed7-fold2of2",
            "data4-seed0-fold1of2", "data4-seed0-fold2of2", "data4-seed7-fold1of2", "data4-seed7-fold2of2",
        ])
        let c = cells[6]
        XCTAssertEqual(c.spec.name, "rep-data4-seed7-fold1of2")
        XCTAssertEqual(c.spec.seed, 7)
        XCTAssertEqual(c.spec.fold, WalkForwardFold(index: 1, of: 2))
        XCTAssertNil(c.spec.replicates)
        guard case .synthetic(let config) = c.spec.data else { return XCTFail("synthetic data expected") }
        XCTAssertEqual(config.seed, 4)
        XCTAssertEqual(config.noise, 5, "other data settings are kept")
        XCTAssertEqual(config.eras, 60)
        XCTAssertEqual(Set(cells.map { $0.spec.hash }).count, 8, "every replicate is a distinct study")
        // A replicate's recorded JSON parses back to the same study (what merge and report read).
        let again = try StudySpec.parse(Data(c.spec.canonicalJSON.utf8))
        XCTAssertEqual(again.hash, c.spec.hash)
        XCTAssertEqual(again.fold, c.spec.fold)
        // Only the axes given vary; the others keep the study's values.
        let seedsOnly = try parse(#"{"name": "rep", "seed": 9, "models": 2, "replicates": {"studySeeds": [1, 2]}}"#).replicateStudies()
        XCTAssertEqual(seedsOnly.map { $0.cell.label }, ["seed1", "seed2"])
        XCTAssertEqual(seedsOnly.map { $0.cell.dataSeed }, [nil, nil])
        XCTAssertEqual(seedsOnly.map { $0.spec.data }, [.synthetic(.default), .synthetic(.default)])
    }

    func testFoldCutsMatchScikitLearnTimeSeriesSplit() throws {
        let settings: [(eras: Int, folds: Int, embargo: Int)] = [(20, 3, 0), (20, 3, 2), (97, 5, 4), (13, 2, 1), (60, 4, 3)]
        let input = settings.map { [$0.eras, $0.folds, $0.embargo] }
        let json = String(decoding: try JSONSerialization.data(withJSONObject: input), as: UTF8.self)
        let r = try TestSupport.python(TestSupport.oracleScript("StudiesTests/ReplicatesTests-FoldCutsMatchScikitLearnTimeSeriesSplit.py"), [json])
        XCTAssertEqual(r.status, 0, r.stderr)
        let expected = try JSONSerialization.jsonObject(with: Data(r.stdout.utf8)) as! [[[Int]]]
        for (s, oracle) in zip(settings, expected) {
            for i in 1...s.folds {
                let (train, eval) = try WalkForwardFold(index: i, of: s.folds).cut(eraCount: s.eras, embargoEras: s.embargo)
                XCTAssertEqual([train.lowerBound, train.upperBound, eval.lowerBound, eval.upperBound], oracle[i - 1],
                               "\(s) fold \(i)")
            }
        }
        XCTAssertThrowsError(try WalkForwardFold(index: 1, of: 5).cut(eraCount: 12, embargoEras: 2)) { error in
            XCTAssertTrue("\(error)".contains("too few"), "\(error)")
        }
    }

    func testFoldDatasetKeepsTrainAndWindowRowsOnly() throws {
        var config = SyntheticConfig.default
        config.eras = 41
        config.rowsPerEra = 20
        config.features = 6
        config.liveEra = true
        let full = SyntheticGenerator.generate(config)
        var evaluation = Evaluation()
        evaluation.embargoEras = 2
        evaluation.selectionFraction = 0.5
        let labelled = (0..<full.eras.count).filter { e in
            full.splitOfRow.indices.contains { full.eraOfRow[$0] == e && full.splitOfRow[$0] != .live }
        }
        XCTAssertEqual(labelled.count, 40, "the live era is not labelled")
        let fold = WalkForwardFold(index: 2, of: 3)
        let d = try fold.apply(to: full, evaluation: evaluation)
        // T = 40, W = 10: fold 2 evaluates on labelled eras 20..<30 and trains on 0..<18.
        XCTAssertEqual(d.eraIndices(in: .train).map { d.eras[$0] }, (0..<18).map { full.eras[labelled[$0]] })
        XCTAssertEqual(d.eraIndices(in: .validation).map { d.eras[$0] }, (20..<30).map { full.eras[labelled[$0]] })
        XCTAssertEqual(d.rowCount, 28 * 20)
        XCTAssertEqual(d.splitCounts[.live], nil)
        // Row contents follow their ids.
        let rowOfID = Dictionary(uniqueKeysWithValues: full.ids.enumerated().map { ($1, $0) })
        for r in stride(from: 0, to: d.rowCount, by: 37) {
            let o = rowOfID[d.ids[r]]!
            XCTAssertEqual(d.eras[Int(d.eraOfRow[r])], full.eras[Int(full.eraOfRow[o])])
            for f in 0..<d.featureCount { XCTAssertEqual(d.features[r, f], full.features[o, f]) }
            XCTAssertEqual(d.targets[0][r].bitPattern, full.targets[0][o].bitPattern)
            XCTAssertEqual(d.trueSignal?[r], full.trueSignal?[o])
        }
        XCTAssertEqual(d.metadata["walk_forward_fold"], "2/3")
        // The study's loadData applies its fold.
        let spec = try parse(#"{"name": "f", "models": 1, "data": {"synthetic": {"eras": 41, "rowsPerEra": 20, "features": 6, "liveEra": true}}, "evaluation": {"embargoEras": 2}, "fold": {"index": 2, "of": 3}}"#)
        XCTAssertEqual(try spec.loadData().ids, d.ids)
        // A window too small for selection, embargo and test is refused with the reason.
        var tight = evaluation
        tight.embargoEras = 9
        XCTAssertThrowsError(try WalkForwardFold(index: 3, of: 3).apply(to: full, evaluation: tight)) { error in
            XCTAssertTrue("\(error)".contains("walk-forward folds evaluates on 10 eras"), "\(error)")
        }
    }
}
