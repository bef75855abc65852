import Foundation
import XCTest
@testable import Studies

/// Study-file problems are typed reasons whose texts are composed in one place
/// (`StudyFileProblem.Reason.text`): the shapes many checks share read as the user has always
/// read them, whole line by whole line, and code tells problems apart by reason, not by text.
final class StudyFileReasonTests: XCTestCase {
    /// The located problem `json` fails with (`PATH: MESSAGE[; did you mean 'X'?]`).
    func located(_ json: String, file: StaticString = #filePath, line: UInt = #line) -> String {
        do {
            _ = try StudySpec.parse(Data(json.utf8))
            XCTFail("parsed: \(json)", file: file, line: line)
            return ""
        } catch {
            guard let problem = (error as? StudiesError)?.studyFileProblem else {
                XCTFail("not a study-file error: \(error)", file: file, line: line)
                return ""
            }
            return problem.located
        }
    }

    func testSharedShapesReadAsBefore() {
        // Wrong types, with the kind found.
        XCTAssertEqual(located(#"{"name": 3}"#), "$.name: expected a string, found a number")
        XCTAssertEqual(located(#"{"name": "x", "arms": {}}"#), "$.arms: expected a list, found an object")
        XCTAssertEqual(located(#"{"name": "x", "seed": 1.5}"#), "$.seed: expected an integer, found 1.5")
        XCTAssertEqual(located(#"{"name": "x", "vary": {"num_leaves": "a"}}"#),
                       "$.vary.num_leaves: expected a number or a distribution, found a string")
        XCTAssertEqual(located(#"{"name": "x", "vary": {"num_leaves": null}}"#),
                       "$.vary.num_leaves: expected a value, a list or a distribution object, found null")
        // Keys.
        XCTAssertEqual(located(#"{"models": 1}"#), "$: missing key 'name'")
        XCTAssertEqual(located(#"{"name": "x", "sed": 1}"#), "$.sed: unknown key 'sed'; did you mean 'seed'?")
        // Bounds: ≥, open and half-open intervals, integer ranges.
        XCTAssertEqual(located(#"{"name": "x", "seed": -1}"#), "$.seed: seed must be ≥ 0")
        XCTAssertEqual(located(#"{"name": "x", "evaluation": {"selectionFraction": 1}}"#),
                       "$.evaluation.selectionFraction: selectionFraction must be in (0, 1)")
        XCTAssertEqual(located(#"{"name": "x", "dropEras": {"fraction": 1}}"#), "$.dropEras.fraction: a fraction must lie in [0, 1)")
        XCTAssertEqual(located(#"{"name": "x", "models": 1, "fold": {"index": 3, "of": 2}}"#), "$.fold.index: index must be in 1…2")
        XCTAssertEqual(located(#"{"name": "x", "models": 1, "ensembles": [{"name": "e", "maxAbsCorr": 2}]}"#),
                       "$.ensembles[0].maxAbsCorr: maxAbsCorr must be in [0, 1]")
        // A sentence of its own, with its numbers.
        XCTAssertEqual(located(#"{"name": "x", "vary": {"learning_rate": {"uniform": [0.2, 0.1]}}}"#),
                       "$.vary.learning_rate.uniform: empty range: low 0.2 ≥ high 0.1")
        XCTAssertEqual(located(#"{"name": "x", "models": 1, "pruning": {"rungs": [10, 5], "keep": 0.5}}"#),
                       "$.pruning.rungs[1]: rungs must increase strictly (5 after 10)")
    }

    func testBoundsRenderAsWritten() {
        typealias Reason = StudyFileProblem.Reason
        XCTAssertEqual(Reason.mustLie(nil, .openClosed("0", "1e12")).text, "must lie in (0, 1e12]")
        XCTAssertEqual(Reason.mustLie(nil, .closed("-50", "50")).text, "must lie in [-50, 50]")
        XCTAssertEqual(Reason.mustBe(nil, .above("0")).text, "must be > 0")
        XCTAssertEqual(Reason.mustBe("bootstrapResamples", .from("100", through: "1000000")).text,
                       "bootstrapResamples must be in 100…1000000")
    }

    func testProblemsAreToldApartByReason() throws {
        // The missing study name is recognised by its reason; the validation pass then adds a
        // placeholder name and goes on to the next problem.
        let problems = StudyValidation.errors(in: Data(#"{"models": 1, "seed": -1}"#.utf8))
        XCTAssertEqual(problems.map(\.reason), [.missingKey("name"), .mustBe("seed", .atLeast("0"))])
        XCTAssertEqual(problems.map(\.message), ["missing key 'name'", "seed must be ≥ 0"])
    }
}
