import XCTest
import EraData
@testable import Studies

/// `"dropFeatures": {"groups": "data", …}` drops whole feature groups of the dataset (generator v2).
final class DataFeatureGroupsTests: XCTestCase {
    static let dataset = SyntheticGenerator.generate(SyntheticConfig.default.sized(eras: 20, rowsPerEra: 50, features: 32))

    func spec(_ groupsToDrop: Int) throws -> StudySpec {
        try StudySpec.parse(Data(#"{"name": "g", "seed": 1, "models": 6, "dropFeatures": {"groups": "data", "groupsToDrop": \#(groupsToDrop)}}"#.utf8))
    }

    func testEachModelDropsWholeGroupsOfTheData() throws {
        let d = Self.dataset
        XCTAssertEqual(d.featureGroups.count, 8)
        let planner = try Planner(spec: try spec(3), dataset: d)
        let groupOf = Dictionary(uniqueKeysWithValues: d.featureGroups.flatMap { g, fs in fs.map { ($0, g) } })
        var seen = Set<Set<String>>()
        for plan in planner.plans() {
            let dropped = Set(plan.droppedFeatures.map { groupOf[d.featureNames[$0]]! })
            XCTAssertEqual(dropped.count, 3, plan.id)
            // Whole groups only: every feature of a dropped group is dropped, nothing else.
            XCTAssertEqual(plan.droppedFeatures.count, dropped.map { d.featureGroups[$0]!.count }.reduce(0, +), plan.id)
            seen.insert(dropped)
        }
        XCTAssertGreaterThan(seen.count, 1, "models drop different groups")
    }

    func testTooManyGroupsOrNoGroupsIsALocatedError() throws {
        XCTAssertThrowsError(try Planner(spec: try spec(8), dataset: Self.dataset)) {
            XCTAssertTrue("\($0)".contains("$.dropFeatures.groupsToDrop") && "\($0)".contains("8 feature group"), "\($0)")
        }
        let v1 = SyntheticGenerator.generate(SyntheticConfig(eras: 20, rowsPerEra: 50, features: 8))
        XCTAssertThrowsError(try Planner(spec: try spec(1), dataset: v1)) {
            XCTAssertTrue("\($0)".contains("0 feature group"), "\($0)")
        }
        XCTAssertThrowsError(try StudySpec.parse(Data(#"{"name": "g", "dropFeatures": {"groups": "mine", "groupsToDrop": 1}}"#.utf8))) {
            XCTAssertTrue("\($0)".contains("\"data\""), "\($0)")
        }
    }
}
