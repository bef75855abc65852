import XCTest
import EraData
import Foundation
import Mining
import PredictionStore
import TestSupport
@testable import Studies

/// Study files a careless or hostile user writes: limits checked from the counts, names that are
/// not folders, CRLF staker lists, the data fingerprint, and a bounded mutation fuzz loop over
/// study JSON (parse → plan → summary: an error or a plan, never a crash or unbounded memory).
final class HostileStudyFileTests: XCTestCase {
    func parse(_ json: String) throws -> StudySpec { try StudySpec.parse(Data(json.utf8)) }

    func assertRefused(_ json: String, path: String, contains text: String, file: StaticString = #filePath, line: UInt = #line) {
        XCTAssertThrowsError(try parse(json), file: file, line: line) { error in
            guard let e = (error as? StudiesError)?.studyFileProblem else { return XCTFail("\(error)", file: file, line: line) }
            XCTAssertEqual(e.path, path, "\(e)", file: file, line: line)
            XCTAssertTrue(e.message.contains(text), "\(e)", file: file, line: line)
        }
    }

    func testLimitsAreCheckedFromTheCounts() {
        // A refusal that materialised the values first would allocate gigabytes (1e9 doubles):
        // far above anything this test process reaches otherwise.
        let before = TestSupport.peakResidentBytes()
        defer { XCTAssertLessThan(TestSupport.peakResidentBytes() - before, 256 << 20, "refusals must come from the counts, before materialising") }
        assertRefused(#"{"name": "x", "vary": {"max_depth": {"linspace": [2, 24, 1e9]}}}"#,
                      path: "$.vary.max_depth.linspace[2]", contains: "at most 1000000")
        assertRefused(#"{"name": "x", "models": 1e9}"#, path: "$.models", contains: "at most 100000")
        assertRefused(#"{"name": "x", "arms": [{"name": "a", "models": 100000}, {"name": "b", "models": 1}]}"#,
                      path: "$.arms", contains: "100001 models in all")
        XCTAssertNoThrow(try parse(#"{"name": "x", "models": 100000, "vary": {"max_depth": {"linspace": [2, 24, 1000000]}}}"#))
    }

    func testNamesThatAreNotFoldersOfTheirOwnAreRefused() {
        assertRefused(#"{"name": ".."}"#, path: "$.name", contains: "current or parent directory")
        assertRefused(#"{"name": "."}"#, path: "$.name", contains: "current or parent directory")
        assertRefused(#"{"name": "a/b"}"#, path: "$.name", contains: "letters, digits")
        assertRefused(#"{"name": "\#(String(repeating: "a", count: 101))"}"#, path: "$.name", contains: "at most 100")
        XCTAssertNoThrow(try parse(#"{"name": "...v2", "models": 1}"#))
    }

    func testStakerListsWithCRLFLineEnds() throws {
        XCTAssertEqual(try StakerList.parse("# list\r\nalice\r\n\r\nbob\r\n"), ["alice", "bob"])
        XCTAssertEqual(try StakerList.parse("alice\rbob\n"), ["alice", "bob"])
        XCTAssertThrowsError(try StakerList.parse("alice\r\nalice\r\n", name: "s.txt")) { error in
            XCTAssertEqual("\(error)", "s.txt:2: duplicate staker id 'alice' (first on line 1)")
        }
    }

    func testDataFingerprintChangesWithAnyPartOfTheData() {
        var config = SyntheticConfig.default
        config.eras = 20; config.rowsPerEra = 30; config.features = 6
        let a = SyntheticGenerator.generate(config)
        XCTAssertEqual(DataFingerprint.of(a), DataFingerprint.of(SyntheticGenerator.generate(config)), "deterministic")
        XCTAssertEqual(DataFingerprint.of(a).count, 16)
        func changed(_ edit: (inout [[Float]], inout [String], FeatureColumns) -> Void) -> String {
            var targets = a.targets, ids = a.ids
            let columns = FeatureColumns(rowCount: a.rowCount, featureCount: a.featureCount)
            columns.storage.update(fromContentsOf: a.features.storage)
            edit(&targets, &ids, columns)
            return DataFingerprint.of(Dataset(features: columns, featureNames: a.featureNames, binEdges: a.binEdges,
                                              binCounts: a.binCounts, targetNames: a.targetNames, targets: targets,
                                              eras: a.eras, eraOfRow: a.eraOfRow, ids: ids, splitOfRow: a.splitOfRow))
        }
        let same = changed { _, _, _ in }
        XCTAssertEqual(same, DataFingerprint.of(a))
        XCTAssertNotEqual(changed { t, _, _ in t[0][7] += 0.25 }, same, "a target value")
        XCTAssertNotEqual(changed { _, ids, _ in ids[3] = "other" }, same, "an id")
        XCTAssertNotEqual(changed { _, _, f in f.storage[f.storage.count - 1] ^= 1 }, same, "the last feature bin")
        XCTAssertNotEqual(changed { _, _, f in f.storage[11] ^= 1 }, same, "a feature bin")
    }

    /// Mutates a valid study file (byte flips, digit runs, deleted and duplicated spans, huge
    /// numbers spliced into number positions) and feeds each to the parser, the planner and the
    /// summary. Each must end in a value or a study-file error (`StudiesError.studyFile`): no crash, no hang, and never more
    /// plans than `StudyLimits.maxModels`. Bounded: 3,000 mutants, a fixed seed.
    func testMutatedStudyFilesNeverCrashThePlanner() throws {
        let base = try String(contentsOf: TestSupport.repoRoot.appendingPathComponent("experiments/ci.json"), encoding: .utf8)
        var config = SyntheticConfig.default
        config.eras = 30; config.rowsPerEra = 20; config.features = 8; config.targets = 2
        let dataset = SyntheticGenerator.generate(config)
        let splices = ["1e9", "-1", "1e308", "0", "9007199254740993", "\"..\"", "[]", "{}", "null", "\"\"",
                       "{\"linspace\": [0, 1, 1e9]}", "{\"intRange\": [-9e15, 9e15]}", "true", "\"target\"", "[1e9]"]
        var state: UInt64 = 0x1234_5678
        func next(_ n: Int) -> Int {
            state = state &* 6364136223846793005 &+ 1442695040888963407
            return Int((state >> 33) % UInt64(max(n, 1)))
        }
        var parsed = 0, refused = 0
        let watchdog = HangGuard()
        defer { watchdog.stop() }
        for i in 0..<3000 {
            var bytes = Array(base.utf8)
            for _ in 0..<(1 + next(3)) {
                switch next(5) {
                case 0: bytes[next(bytes.count)] = UInt8(32 + next(95))
                case 1:
                    let at = next(bytes.count), length = min(next(12), bytes.count - at)
                    bytes.removeSubrange(at..<(at + length))
                case 2:
                    let at = next(bytes.count), length = min(next(20), bytes.count - at)
                    bytes.insert(contentsOf: bytes[at..<(at + length)], at: next(bytes.count))
                default:
                    // Replace a number (a run of digits) by a hostile value.
                    let digits = bytes.indices.filter { (48...57).contains(bytes[$0]) }
                    guard !digits.isEmpty else { continue }
                    var lo = digits[next(digits.count)], hi = lo
                    while lo > 0 && (48...57).contains(bytes[lo - 1]) { lo -= 1 }
                    while hi + 1 < bytes.count && ((48...57).contains(bytes[hi + 1]) || bytes[hi + 1] == 46) { hi += 1 }
                    bytes.replaceSubrange(lo...hi, with: Array(splices[next(splices.count)].utf8))
                }
                if bytes.isEmpty { bytes = Array("{}".utf8) }
            }
            watchdog.step("study-file mutant \(i)") {
                do {
                    let spec = try StudySpec.parse(Data(bytes))
                    XCTAssertLessThanOrEqual(spec.modelCount, StudyLimits.maxModels)
                    let planner = try Planner(spec: spec, dataset: dataset)
                    let plans = planner.plans()
                    XCTAssertEqual(plans.count, spec.modelCount)
                    _ = PlanSummary(spec: spec, plans: plans).render()
                    try? spec.checkEvaluation(on: dataset)
                    parsed += 1
                } catch StudiesError.studyFile {
                    refused += 1
                } catch {
                    XCTFail("not a study-file error: \(error) for \(String(decoding: bytes, as: UTF8.self))")
                }
            }
        }
        XCTAssertGreaterThan(parsed, 100, "the mutants must reach the planner, not only the parser")
        XCTAssertGreaterThan(refused, 100)
    }
}
