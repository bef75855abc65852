import HDF5
import TestSupport
import XCTest
@testable import EraData

/// `EraDataError`: one place format per kind of file, the texts from the reasons, and synthetic
/// settings refused at their bounds (with the bound and the value in the message).
final class EraDataErrorTests: XCTestCase {
    var directory: URL!
    override func setUp() { directory = TestSupport.temporaryDirectory("eradata-error") }
    override func tearDown() { try? FileManager.default.removeItem(at: directory) }
    func path(_ name: String) -> String { directory.appendingPathComponent(name).path }

    func testPlacesAreComposedOneWayPerKindOfFile() {
        typealias Place = EraDataError.Place
        XCTAssertEqual("\(Place(file: "a.csv", line: 3, column: 4, field: "feature_b"))", "a.csv:3:4 (feature_b)")
        XCTAssertEqual("\(Place(file: "a.csv", line: 3))", "a.csv:3")
        XCTAssertEqual("\(Place(file: "t.parquet", field: "target", row: 18, id: "n17"))", "t.parquet, column 'target', row 18 (id 'n17')")
        XCTAssertEqual("\(Place(file: "t.parquet", row: 1))", "t.parquet, row 1")
        XCTAssertEqual("\(Place(file: "d.h5", dataset: "/bin_edges"))", "d.h5:/bin_edges")
        XCTAssertEqual("\(Place())", "")
        XCTAssertEqual("\(EraDataError(.noData))", "no data given")
        XCTAssertEqual("\(EraDataError(.fieldCount(expected: 4, found: 3), file: "a.csv", line: 4))", "a.csv:4: expected 4 fields, found 3")
        let duplicate = EraDataError(.duplicateId("x", first: Place(file: "a.parquet", row: 1), second: Place(file: "b.parquet", row: 7)))
        XCTAssertEqual("\(duplicate)", "duplicate id 'x' at a.parquet, row 1 and b.parquet, row 7")
        XCTAssertEqual(duplicate.kind, .duplicateId)
        XCTAssertEqual(EraDataError(.mixedInputs(others: ["a.csv"])).kind, .inputs, "a usage error (exit 2)")
    }

    func testBoundsContainAndRead() {
        typealias Bounds = EraDataError.Bounds
        let cases: [(Bounds, String, inside: [Double], outside: [Double])] = [
            (.atLeast(0), "≥ 0", [0, 1e300], [-1e-300, .infinity, .nan]),
            (.above(0), "> 0", [1e-300], [0, .infinity, .nan]),
            (.closed(0, 1), "in [0, 1]", [0, 1], [-0.1, 1.1, .nan]),
            (.upperOpen(0, 1), "in [0, 1)", [0, 0.999], [1]),
            (.lowerOpen(0, 20), "in (0, 20]", [20], [0]),
            (.open(0, 1), "in (0, 1)", [0.5], [0, 1]),
            (.closed(1, 2147483646), "in [1, 2147483646]", [1, 2147483646], [0, 2147483647]),
        ]
        for (bounds, text, inside, outside) in cases {
            XCTAssertEqual("\(bounds)", text)
            for x in inside { XCTAssertTrue(bounds.contains(x), "\(x) in \(bounds)") }
            for x in outside { XCTAssertFalse(bounds.contains(x), "\(x) not in \(bounds)") }
        }
    }

    func testSyntheticSettingsNameTheSettingItsBoundsAndTheValue() {
        func refusal(_ change: (inout SyntheticConfig) -> Void) -> String {
            var c = SyntheticConfig.default
            change(&c)
            do { try c.validate(); return "accepted" } catch let error as EraDataError {
                XCTAssertEqual(error.kind, .syntheticConfig)
                return error.description
            } catch { return "\(error)" }
        }
        XCTAssertEqual(refusal { _ in }, "accepted")
        XCTAssertEqual(refusal { $0.eras = 0 }, "eras must be in [1, 2147483646] (got 0)")
        XCTAssertEqual(refusal { $0.features = -3 }, "features must be ≥ 1 (got -3)")
        XCTAssertEqual(refusal { $0.rowsPerEra = 4 }, "rowsPerEra must be ≥ 5 (got 4)")
        XCTAssertEqual(refusal { $0.noise = .nan }, "noise must be ≥ 0 (got nan)")
        XCTAssertEqual(refusal { $0.featureNoise = .infinity }, "featureNoise must be ≥ 0 (got inf)")
        XCTAssertEqual(refusal { $0.driftPersistence = 1 }, "driftPersistence must be in [0, 1) (got 1)")
        XCTAssertEqual(refusal { $0.validationFraction = 1.5 }, "validationFraction must be in (0, 1) (got 1.5)")
        XCTAssertEqual(refusal { $0.v2.universeFactor = 0.5 }, "v2.universeFactor must be in [1, 100] (got 0.5)")
        XCTAssertEqual(refusal { $0.v2.auxQuality = [1, 0] }, "v2.auxQuality must be one or more numbers > 0")
        XCTAssertEqual(refusal { $0.v2.auxWindowScale = [] }, "v2.auxWindowScale must be one or more numbers in (0, 20]")
        XCTAssertEqual(refusal { $0.eras = 4; $0.validationFraction = 0.9 },
                       "eras = 4 leaves no train era (validation 4)")
        XCTAssertTrue(refusal { $0.eras = 100_000; $0.rowsPerEra = 100_000 }.contains("is too large"))
        // v2's settings do not apply to generator v1.
        XCTAssertEqual(refusal { $0 = .v1Default; $0.v2.universeFactor = 0.5 }, "accepted")
    }

    /// Every setting a synthetic message mentions goes through the caller's naming (the CLI's
    /// flags), and only those: values, bounds and the rest of the wording stay as they are.
    func testSyntheticMessagesNameSettingsThroughTheCallersNaming() {
        let bracket: (SyntheticConfig.Setting) -> String = { "<\($0.key)>" }
        let cases: [(EraDataError.Reason, key: String, named: String)] = [
            (.setting(.rowsPerEra, mustBe: .atLeast(5), got: 3), "rowsPerEra must be ≥ 5 (got 3)", "<rowsPerEra> must be ≥ 5 (got 3)"),
            (.settingList(.auxQuality, mustBe: .above(0)), "v2.auxQuality must be one or more numbers > 0",
             "<v2.auxQuality> must be one or more numbers > 0"),
            (.noTrainEra(eras: 3, validation: 3, live: true), "eras = 3 leaves no train era (validation 3 + live 1)",
             "<eras> = 3 leaves no train era (validation 3 + live 1)"),
            (.tooLarge(eras: 9, rowsPerEra: 8, features: 7, targets: 6, latents: 5),
             "eras × rowsPerEra × (features + targets) = 9 × 8 × (7 + 6) is too large (at most 2^31 rows and 2^33 values), or latents (5) is",
             "<eras> × <rowsPerEra> × (<features> + <targets>) = 9 × 8 × (7 + 6) is too large (at most 2^31 rows and 2^33 values), or <latents> (5) is"),
            (.universeTooLarge(rowsPerEra: 8, universeFactor: 1.5),
             "v2.universeFactor × rowsPerEra = 1.5 × 8 is too large (at most 2^31 − 1 rows per era's universe)",
             "<v2.universeFactor> × <rowsPerEra> = 1.5 × 8 is too large (at most 2^31 − 1 rows per era's universe)"),
        ]
        for (reason, key, named) in cases {
            XCTAssertEqual(reason.text, key)
            XCTAssertEqual(EraDataError(reason).description, key)
            XCTAssertEqual(reason.text(naming: bracket), named)
            XCTAssertEqual(EraDataError(reason).description(naming: bracket), named)
        }
        // A placed error keeps its place in front.
        XCTAssertEqual(EraDataError(.setting(.noise, mustBe: .atLeast(0), got: -1), file: "s.json").description(naming: bracket),
                       "s.json: <noise> must be ≥ 0 (got -1)")
        // Keys are the JSON config's: each decodes back to the setting it names.
        let json = try! JSONSerialization.jsonObject(with: JSONEncoder().encode(SyntheticConfig.default)) as! [String: Any]
        for setting in SyntheticConfig.Setting.allCases {
            let path = setting.key.split(separator: ".").map(String.init)
            let value = path.count == 1 ? json[path[0]] : (json[path[0]] as? [String: Any])?[path[1]]
            XCTAssertNotNil(value, "\(setting.key) is a key of the config's JSON")
        }
    }

    /// A damaged array of our HDF5 layout is named by its dataset, with the row and value.
    func testDatasetFileArraysNameTheirDataset() throws {
        let file = path("d.h5")
        let d = SyntheticGenerator.generate(SyntheticConfig(eras: 6, rowsPerEra: 10, features: 3, targets: 1, seed: 1))
        func damaged(_ name: String, _ values: [UInt8]? = nil, eras: [Int32]? = nil) throws {
            try? FileManager.default.removeItem(atPath: file)
            try DatasetFile.write(d, to: file)
            let h5 = try H5File.open(file, writable: true)
            try h5.delete(name)
            if let values { try h5.write(name, values) }
            if let eras { try h5.write(name, eras) }
            try h5.flush()
        }
        var splits = d.splitOfRow.map(\.code)
        splits[4] = 9
        try damaged("split_of_row", splits)
        for read in [{ _ = try DatasetFile.read(file) }, { _ = try DatasetFile.info(file) }] {
            XCTAssertThrowsError(try read()) {
                XCTAssertEqual("\($0)", "\(file):/split_of_row: row 4 has split code 9; the codes are 0…3 (train, validation, live or test)")
            }
        }
        var eras = d.eraOfRow
        eras[12] = 0
        try damaged("era_of_row", eras: eras)
        XCTAssertThrowsError(try DatasetFile.read(file)) {
            XCTAssertEqual("\($0)", "\(file):/era_of_row: row 12 has era 0 after era 1: rows must be sorted by era")
        }
        eras[12] = 99
        try damaged("era_of_row", eras: eras)
        XCTAssertThrowsError(try DatasetFile.read(file)) {
            XCTAssertEqual("\($0)", "\(file):/era_of_row: row 12 has era 99, out of range (6 eras)")
        }
    }
}
