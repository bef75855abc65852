import XCTest
import EraData
@testable import Studies
import TestSupport

final class StudySpecTests: XCTestCase {
    func parse(_ json: String) throws -> StudySpec {
        try StudySpec.parse(Data(json.utf8))
    }

    func assertError(_ json: String, path: String, contains text: String, suggestion: String? = nil,
                     file: StaticString = #filePath, line: UInt = #line) {
        assertStudyError(try parse(json), path: path, contains: text, suggestion: suggestion, file: file, line: line)
    }

    func testEveryShippedExperimentParses() throws {
        let dir = TestSupport.repoRoot.appendingPathComponent("experiments")
        let files = try FileManager.default.contentsOfDirectory(atPath: dir.path).filter { $0.hasSuffix(".json") }
        XCTAssertTrue(Set(files).isSuperset(of: ["quickstart.json", "seed-grid.json", "drop-eras.json",
                                                  "drop-features.json", "example-seeds.json", "ci.json"]))
        for f in files {
            let spec = try StudySpec.load(dir.appendingPathComponent(f).path)
            XCTAssertGreaterThan(spec.modelCount, 0, f)
        }
    }

    func testTyposGetPathAndSuggestion() {
        assertError(#"{"name": "x", "models": 2, "vary": {"learning_rat": [0.1]}}"#,
                    path: "$.vary.learning_rat", contains: "unknown parameter", suggestion: "learning_rate")
        assertError(#"{"name": "x", "modles": 2}"#, path: "$.modles", contains: "unknown key", suggestion: "models")
        assertError(#"{"name": "x", "models": 2, "arms": [{"name": "a"}, {"name": "b", "dropEra": {}}]}"#,
                    path: "$.arms[1].dropEra", contains: "unknown key", suggestion: "dropEras")
        assertError(#"{"name": "x", "models": 2, "vary": {"max_depth": {"intRnge": [1, 3]}}}"#,
                    path: "$.vary.max_depth.intRnge", contains: "unknown distribution", suggestion: "intRange")
    }

    func testWrongTypesEmptyRangesAndOutOfRange() {
        assertError(#"{"name": "x", "models": "many"}"#, path: "$.models", contains: "expected a number")
        assertError(#"{"name": "x", "models": 2, "vary": {"learning_rate": {"uniform": [0.5, 0.1]}}}"#,
                    path: "$.vary.learning_rate.uniform", contains: "empty range")
        assertError(#"{"name": "x", "models": 2, "vary": {"num_leaves": []}}"#,
                    path: "$.vary.num_leaves", contains: "empty list")
        assertError(#"{"name": "x", "models": 2, "vary": {"max_depth": [2.5]}}"#,
                    path: "$.vary.max_depth[0]", contains: "integers")
        assertError(#"{"name": "x", "models": 2, "vary": {"colsample_bytree": [0.5, 1.5]}}"#,
                    path: "$.vary.colsample_bytree", contains: "colsample_bytree")
        assertError(#"{"name": "x", "models": 2, "dropEras": {"fraction": 1.2}}"#,
                    path: "$.dropEras.fraction", contains: "[0, 1)")
        assertError(#"{"name": "x", "models": 0}"#, path: "$.models", contains: "≥ 1")
        assertError(#"{"name": "x", "models": 2, "fixed": {"max_depth": 3}, "vary": {"max_depth": [2, 3]}}"#,
                    path: "$.vary.max_depth", contains: "both varied and fixed")
        assertError(#"{"name": "x", "models": 2,"#, path: "$", contains: "not valid JSON")
    }

    func testLinspaceMatchesNumpyIncludingIntegerTruncation() {
        // np.linspace(2, 24, 15, dtype=int)
        XCTAssertEqual(linspace(2, 24, 15).map { Int($0.rounded(.towardZero)) },
                       [2, 3, 5, 6, 8, 9, 11, 13, 14, 16, 17, 19, 20, 22, 24])
        XCTAssertEqual(linspace(2, 5, 4), [2, 3, 4, 5])
        XCTAssertEqual(linspace(0.001, 1, 100).count, 100)
        XCTAssertEqual(linspace(0.001, 1, 100).last, 1)
    }

    func testArmsInheritAndOverride() throws {
        let spec = try parse(#"""
        {"name": "x", "models": 3, "fixed": {"n_estimators": 10, "learning_rate": 0.2},
         "vary": {"max_depth": [2, 3]},
         "arms": [{"name": "a"}, {"name": "b", "models": 5, "fixed": {"learning_rate": 0.1}, "vary": {"num_leaves": [4, 8]}}]}
        """#)
        XCTAssertEqual(spec.arms.map(\.models), [3, 5])
        XCTAssertEqual(spec.arms[0].vary.keys.sorted(), ["max_depth"])
        XCTAssertEqual(spec.arms[1].vary.keys.sorted(), ["num_leaves"])
        XCTAssertEqual(spec.arms[1].fixed["n_estimators"], 10)
        XCTAssertEqual(spec.arms[1].fixed["learning_rate"], 0.1)
        XCTAssertEqual(spec.modelCount, 8)
    }

    func testHashIgnoresKeyOrderButNotValues() throws {
        let a = try parse(#"{"name": "x", "models": 2, "seed": 1}"#)
        let b = try parse(#"{"seed": 1, "models": 2, "name": "x"}"#)
        let c = try parse(#"{"seed": 2, "models": 2, "name": "x"}"#)
        XCTAssertEqual(a.hash, b.hash)
        XCTAssertNotEqual(a.hash, c.hash)
    }
}
