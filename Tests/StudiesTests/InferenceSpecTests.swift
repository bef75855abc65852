import Diversity
import EvaluationRules
import XCTest
@testable import Studies

/// The study file's `ensembles`, `contrasts` and inference `evaluation` keys (issue 14).
final class InferenceSpecTests: XCTestCase {
    let arms = #""arms": [{"name": "grid", "models": 4}, {"name": "seeds", "models": 3}]"#

    func parse(_ extra: String) throws -> StudySpec {
        try StudySpec.parse(Data(#"{"name": "x", "models": 2, \#(arms)\#(extra)}"#.utf8))
    }

    func assertError(_ extra: String, path: String, contains text: String, file: StaticString = #filePath, line: UInt = #line) {
        XCTAssertThrowsError(try parse(extra), file: file, line: line) { error in
            guard let e = (error as? StudiesError)?.studyFileProblem else { return XCTFail("not a study-file error: \(error)", file: file, line: line) }
            XCTAssertEqual(e.path, path, "\(e)", file: file, line: line)
            XCTAssertTrue(e.message.contains(text), "\(e)", file: file, line: line)
        }
    }

    func testDefaultsWithoutAnyKey() throws {
        let spec = try parse("")
        XCTAssertEqual(spec.ensembles, [])
        XCTAssertNil(spec.contrasts)
        XCTAssertEqual(spec.evaluation.inference, InferenceConfig(bootstrapSeed: 0))
    }

    func testEnsemblesContrastsAndEvaluationParse() throws {
        let spec = try parse(#"""
        , "seed": 9,
        "evaluation": {"alpha": 0.05, "hacLag": 2, "equivalenceMargin": 0.001, "bootstrapResamples": 2000,
                       "contributionReference": "seeds"},
        "ensembles": [
          {"name": "mined", "from": ["grid"], "minSelectionCorr": 0.01, "minSelectionBMC": 0, "bmcReference": "seeds",
           "maxAbsCorr": 0.8, "top": 3, "topBy": "bmc", "weights": "selectionCorr"},
          {"name": "caruana", "from": "grid", "greedy": 10}
        ],
        "contrasts": [{"a": "mined", "b": "seeds[3]"}, {"name": "g", "a": "caruana", "b": "grid.filtered"}]
        """#)
        XCTAssertEqual(spec.evaluation.inference, InferenceConfig(alpha: 0.05, hacLag: 2, equivalenceMargin: 0.001,
                                                                  bootstrapResamples: 2000, bootstrapSeed: 9,
                                                                  contributionReference: "seeds"))
        XCTAssertEqual(spec.ensembles, [
            EnsembleRule(name: "mined", from: ["grid"], minSelectionCorr: 0.01, minSelectionBMC: 0, bmcReference: "seeds",
                         maxAbsCorr: 0.8, top: 3, topBy: "bmc", weights: "selection_corr"),
            EnsembleRule(name: "caruana", from: ["grid"], greedy: 10),
        ])
        XCTAssertEqual(spec.contrasts, [ContrastRule(a: "mined", b: "seeds[3]"), ContrastRule(name: "g", a: "caruana", b: "grid.filtered")])
        XCTAssertEqual(spec.contrasts![0].name, "mined − seeds[3]")
    }

    func testBadInferenceKeysAreLocated() {
        assertError(#", "evaluation": {"alpha": 0.7}"#, path: "$.evaluation.alpha", contains: "(0, 0.5)")
        assertError(#", "evaluation": {"hacLag": -1}"#, path: "$.evaluation.hacLag", contains: "0…100")
        assertError(#", "evaluation": {"bootstrapResamples": 10}"#, path: "$.evaluation.bootstrapResamples", contains: "100…")
        assertError(#", "evaluation": {"contributionReference": "sedes"}"#, path: "$.evaluation.contributionReference", contains: "no ensemble named")
        assertError(#", "ensembles": [{"name": "grid"}]"#, path: "$.ensembles[0].name", contains: "already defined")
        assertError(#", "ensembles": [{"name": "e", "from": ["gird"]}]"#, path: "$.ensembles[0].from[0]", contains: "unknown arm")
        assertError(#", "ensembles": [{"name": "e", "top": 0}]"#, path: "$.ensembles[0].top", contains: "≥ 1")
        assertError(#", "ensembles": [{"name": "e", "topBy": "sharpe"}]"#, path: "$.ensembles[0].topBy", contains: "corr or bmc")
        assertError(#", "ensembles": [{"name": "e", "maxAbsCorr": 2}]"#, path: "$.ensembles[0].maxAbsCorr", contains: "[0, 1]")
        assertError(#", "ensembles": [{"name": "e", "bmcReference": "later"}, {"name": "later"}]"#,
                    path: "$.ensembles[0].bmcReference", contains: "defined before")
        assertError(#", "ensembles": [{"name": "e", "weigths": "equal"}]"#, path: "$.ensembles[0].weigths", contains: "unknown key")
        assertError(#", "contrasts": [{"a": "grid", "b": "nope"}]"#, path: "$.contrasts[0].b", contains: "no ensemble named")
        assertError(#", "contrasts": [{"a": "grid", "b": "seeds[4]"}]"#, path: "$.contrasts[0].b", contains: "1 ≤ k")
        assertError(#", "contrasts": [{"a": "grid", "b": "grid"}]"#, path: "$.contrasts[0]", contains: "two different")
        assertError(#", "contrasts": []"#, path: "$.contrasts", contains: "empty")
        assertError(#", "benchmark": false, "contrasts": [{"a": "grid", "b": "benchmark"}]"#, path: "$.contrasts[0].b",
                    contains: "no ensemble named 'benchmark'")
    }
}
