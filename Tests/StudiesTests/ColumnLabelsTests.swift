import XCTest
import EraData
import PredictionStore
@testable import Studies
import TestSupport

/// predictions.h5's per-column labels (scored target, split, selection/test flags): written with
/// the predictions, read back, absent in older files, refused when only partly there.
final class ColumnLabelsTests: XCTestCase {
    func store(_ dir: URL, labels: ColumnLabels?) throws -> PredictionStore {
        try PredictionStore(directory: dir, studyName: "s", studyHash: "h", studyJSON: "{}", rows: [4, 5, 6, 7],
                            ids: ["a", "b", "c", "d"], eraOfColumn: ["e1", "e1", "e2", "e2"], modelCount: 1, labels: labels)
    }

    func testLabelsRoundTripOlderFilesReadAndPartialLabelsAreDamage() throws {
        let dir = TestSupport.temporaryDirectory("labels")
        defer { try? FileManager.default.removeItem(at: dir) }
        let record = ModelRecord(index: 0, id: "m0", arm: "a", target: "target", parameters: [:], droppedEras: 0,
                                 droppedFeatures: 0, descriptors: [:], trees: 1, trainSeconds: 0, status: .done)
        var contents = StoreContents()
        contents.records[0] = record
        contents.predictions[0] = [0.1, 0.2, 0.3, 0.4]

        // Without labels (as before they existed): reads, labels nil.
        try store(dir, labels: nil).write(contents, placeholders: [])
        XCTAssertNil(try StoredStudy.read(directory: dir).labels)

        let labels = ColumnLabels(targetName: "target", target: [0.25, .nan, 1, 0], split: ["validation", "validation", "validation", "live"],
                                  selection: [true, true, false, false], test: [false, false, true, false])
        try store(dir, labels: labels).write(contents, placeholders: [])
        let back = try XCTUnwrap(try StoredStudy.read(directory: dir).labels)
        XCTAssertEqual(back.targetName, "target")
        XCTAssertEqual(back.split, labels.split)
        XCTAssertEqual(back.selection, labels.selection)
        XCTAssertEqual(back.test, labels.test)
        XCTAssertEqual(back.target.map(\.bitPattern), labels.target.map(\.bitPattern))
        // h5py sees the same (an independent reader).
        let h5 = dir.appendingPathComponent("predictions.h5").path
        let py = try TestSupport.python(TestSupport.oracleScript("StudiesTests/ColumnLabelsTests-LabelsRoundTripOlderFilesReadAndPartialLabelsAreDamage-py.py"), [h5])
        XCTAssertEqual(py.status, 0, py.stderr)
        XCTAssertEqual(py.stdout, "target ['validation', 'validation', 'validation', 'live'] [1, 1, 0, 0] [0, 0, 1, 0] int8 True float32\n")

        // Mis-sized labels are refused before anything is written.
        XCTAssertThrowsError(try store(dir, labels: ColumnLabels(targetName: "t", target: [1], split: ["v"], selection: [true], test: [false])))
        // A file with only part of the labels is damaged, with a message naming it.
        let cut = try TestSupport.python(TestSupport.oracleScript("StudiesTests/ColumnLabelsTests-LabelsRoundTripOlderFilesReadAndPartialLabelsAreDamage.py"), [h5])
        XCTAssertEqual(cut.status, 0, cut.stderr)
        XCTAssertThrowsError(try StoredStudy.read(directory: dir)) {
            XCTAssertTrue("\($0)".contains("column labels incomplete"), "\($0)")
        }
    }

    /// The flags follow the analysis' cut of the evaluation eras that have a known target.
    func testColumnLabelsCutTheEvaluationErasLikeTheAnalysis() throws {
        let dataset = PlannerAndRunnerTests.dataset
        let spec = try StudySpec.parse(Data(PlannerAndRunnerTests.runStudy.utf8))
        let rows = evaluationRows(dataset)
        let labels = spec.columnLabels(rows: rows, dataset: dataset)
        let split = spec.evaluation.split
        var eras: [String] = []
        for r in rows where dataset.splitOfRow[Int(r)] == split && !dataset.targets[spec.scoredTargetIndex(in: dataset)][Int(r)].isNaN {
            let e = dataset.eras[Int(dataset.eraOfRow[Int(r)])]
            if eras.last != e { eras.append(e) }
        }
        let usable = eras.count - spec.evaluation.embargoEras
        let selection = Int((Double(usable) * spec.evaluation.selectionFraction).rounded())
        func flagged(_ flags: [Bool]) -> [String] {
            var out: [String] = []
            for (i, r) in rows.enumerated() where flags[i] {
                let e = dataset.eras[Int(dataset.eraOfRow[Int(r)])]
                if out.last != e { out.append(e) }
            }
            return out
        }
        XCTAssertEqual(flagged(labels.selection), Array(eras[0..<selection]))
        XCTAssertEqual(flagged(labels.test), Array(eras[(selection + spec.evaluation.embargoEras)...]))
        XCTAssertEqual(labels.split, rows.map { dataset.splitOfRow[Int($0)].rawValue })
        XCTAssertFalse(zip(labels.selection, labels.test).contains { $0 && $1 })
    }
}
