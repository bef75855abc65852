import XCTest
@testable import Studies

/// `parse` fails with a study-file error (`StudiesError.studyFile`) at `path` whose message contains `text` (and, when given,
/// whose suggestion is `suggestion`): the study-file tests' one check of a refusal.
func assertStudyError(_ parse: @autoclosure () throws -> StudySpec, path: String, contains text: String,
                      suggestion: String? = nil, file: StaticString = #filePath, line: UInt = #line) {
    XCTAssertThrowsError(try parse(), file: file, line: line) { error in
        guard let e = (error as? StudiesError)?.studyFileProblem else { return XCTFail("not a study-file error: \(error)", file: file, line: line) }
        XCTAssertEqual(e.path, path, "\(e)", file: file, line: line)
        XCTAssertTrue(e.message.contains(text), "\(e)", file: file, line: line)
        if let suggestion { XCTAssertEqual(e.suggestion, suggestion, "\(e)", file: file, line: line) }
    }
}
