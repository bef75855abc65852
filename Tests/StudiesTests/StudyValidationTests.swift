import Foundation
import XCTest
@testable import Studies

/// Every study error at once (issue 17): the parser's own errors, found by re-parsing with each
/// reported member removed; consequences of a removal are not reported.
final class StudyValidationTests: XCTestCase {
    func errors(_ json: String) -> [StudyFileProblem] { StudyValidation.errors(in: Data(json.utf8)) }

    func testAValidStudyHasNoErrorsAndTheFirstErrorIsTheParsers() throws {
        XCTAssertEqual(errors(#"{"name": "ok", "models": 2}"#), [])
        let json = #"{"name": "x", "models": 2, "seed": -1, "vary": {"learning_rat": [0.1]}}"#
        XCTAssertThrowsError(try StudySpec.parse(Data(json.utf8))) { first in
            XCTAssertEqual(errors(json).first, (first as? StudiesError)?.studyFileProblem)
        }
        XCTAssertEqual(errors(json).map(\.path), ["$.seed", "$.vary.learning_rat"])
    }

    func testARequiredNameIsReplacedSoLaterErrorsShow() {
        // A bad study name and a bad arm name: both reported, then the arm's unknown key.
        let json = #"{"name": "a/b", "arms": [{"name": "g", "models": 1}, {"name": "g", "models": 1, "vari": {}}]}"#
        XCTAssertEqual(errors(json).map(\.path), ["$.name", "$.arms[1].vari", "$.arms[1].name"])
        // A missing name is reported once, not as a cascade of the placeholder.
        XCTAssertEqual(errors(#"{"models": 1, "seed": "x"}"#).map(\.path), ["$", "$.seed"])
    }

    func testAConsequenceOfARemovalIsNotReported() {
        // Removing the bad 'models' of the only arm leaves it with none: not a second error.
        let json = #"{"name": "x", "arms": [{"name": "a", "models": 0}], "seed": 1}"#
        XCTAssertEqual(errors(json).map(\.path), ["$.arms[0].models"])
    }

    func testKeysHoldingDotsResolve() {
        let tree: Any = ["a.b": ["c": [1, ["d": 2]]]]
        XCTAssertEqual(JSONTree.resolve("$.a.b.c[1].d", in: tree), [.key("a.b"), .key("c"), .index(1), .key("d")])
        XCTAssertNil(JSONTree.resolve("$.a.b.c[5]", in: tree))
        XCTAssertTrue(JSONTree.isSameOrAncestor("$.a", of: "$.a[0]"))
        XCTAssertFalse(JSONTree.isSameOrAncestor("$.a", of: "$.ab"))
    }

    func testLineAndColumn() {
        let data = Data("ab\ncdé\nfg".utf8)
        XCTAssertEqual(lineAndColumn(ofByte: 0, in: data).line, 1)
        XCTAssertEqual(lineAndColumn(ofByte: 4, in: data).column, 2)   // 'd'
        let afterE = lineAndColumn(ofByte: 7, in: data)                 // '\n' after é (2 bytes)
        XCTAssertEqual([afterE.line, afterE.column], [2, 4])
        XCTAssertEqual(lineAndColumn(ofByte: 9, in: data).line, 3)
    }
}
