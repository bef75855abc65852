import Foundation
import Parquet
import TestSupport
import XCTest
@testable import EraData

/// `NumeraiWriter`: the written directory reads back as the same dataset (our importer) and as
/// Numerai's layout (pandas + pyarrow as the oracle).
final class NumeraiWriterTests: XCTestCase {
    var directory: URL!
    override func setUp() { directory = TestSupport.temporaryDirectory("numerai-writer") }
    override func tearDown() { try? FileManager.default.removeItem(at: directory) }
    func path(_ name: String) -> String { directory.appendingPathComponent(name).path }

    static func synthetic() -> Dataset {
        var c = SyntheticConfig.default
        c.eras = 14
        c.rowsPerEra = 150
        c.features = 45
        c.seed = 21
        c.auxNaNEraFraction = 0.1       // aux targets unknown in leading eras: NaN round trip
        c.liveEra = true
        return SyntheticGenerator.generate(c)
    }

    func testRoundTripThroughOurImporterForEveryCompression() throws {
        let dataset = Self.synthetic()
        XCTAssertTrue(dataset.targets[1].contains { $0.isNaN } && dataset.targets[0].contains { !$0.isNaN })
        var sizes: [ParquetCompression: Int] = [:]
        for compression in ParquetCompression.allCases {
            let out = path("numerai-\(compression)")
            // 333-row groups: groups straddle eras, and the last group of each file is short.
            let summary = try NumeraiWriter.write(dataset, to: out, options: .init(compression: compression, rowGroupRows: 333))
            XCTAssertEqual(summary.files, ["train.parquet", "validation.parquet", "live.parquet", "features.json"])
            XCTAssertEqual(summary.rows.values.reduce(0, +), dataset.rowCount)
            let back = try NumeraiParquet.readDirectory(out)
            // Everything the Numerai layout carries is identical after write → import.
            assertSameDataset(dataset, back, numeraiLayout: true)
            let train = try ParquetFile(path: out + "/train.parquet")
            XCTAssertEqual(train.rowGroupSizes.first, 333)
            XCTAssertEqual(train.pandasIndexColumns, ["id"])
            sizes[compression] = try FileManager.default.attributesOfItem(atPath: out + "/train.parquet")[.size] as? Int ?? 0
        }
        // Same dataset, same bytes.
        try NumeraiWriter.write(dataset, to: path("again"), options: .init(compression: .snappy, rowGroupRows: 333))
        XCTAssertEqual(FileManager.default.contents(atPath: path("again/train.parquet")),
                       FileManager.default.contents(atPath: path("numerai-snappy/train.parquet")))
        try FileManager.default.removeItem(atPath: path("again"))
        XCTAssertLessThan(sizes[.zstd]!, sizes[.none]!)
        XCTAssertLessThan(sizes[.snappy]!, sizes[.none]!)
        // Nothing but the final directories is left in the parent (no temporary directories).
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: directory.path).sorted(),
                       ["numerai-none", "numerai-snappy", "numerai-zstd"])
    }

    /// pandas reads Numerai's dtypes, the index and every value; features.json has Numerai's shape.
    func testPandasReadsNumeraisLayout() throws {
        let dataset = Self.synthetic()
        let out = path("numerai")
        let groups = ["intelligence": Array(dataset.featureNames[0..<10]), "charisma": Array(dataset.featureNames[10..<45])]
        try NumeraiWriter.write(dataset, to: out, options: .init(compression: .zstd, rowGroupRows: 500, featureGroups: groups))
        // Our HDF5 file of the same dataset is the second, independent route into pandas.
        let h5 = path("same.h5")
        try DatasetFile.write(dataset, to: h5)
        let result = try TestSupport.python(TestSupport.oracleScript("EraDataTests/NumeraiWriterTests-PandasReadsNumeraisLayout.py"), [out, h5])
        XCTAssertEqual(result.stdout, "ok \(dataset.rowCount)\n", result.stderr)

        // A feature set from the written features.json selects those columns on import.
        let small = try NumeraiParquet.readDirectory(out, featureSet: "charisma")
        XCTAssertEqual(small.featureNames, Array(dataset.featureNames[10..<45]))
    }

    func testDefaultGroupsAndSetSizesAtNumeraisShape() throws {
        let names = (0..<2_376).map { SyntheticGenerator.featureName($0, count: 2_376) }
        let groups = NumeraiWriter.defaultFeatureGroups(featureNames: names)
        XCTAssertEqual(groups.count, 8)
        XCTAssertEqual(groups.values.map(\.count).reduce(0, +), 2_376)
        XCTAssertEqual(Set(groups.values.flatMap { $0 }).count, 2_376)
        XCTAssertEqual(groups["intelligence"]?.first, "feature_0000")
        let json = try NumeraiWriter.featuresJSON(featureNames: names, targetNames: ["target"], featureGroups: groups)
        let sets = (try JSONSerialization.jsonObject(with: json) as! [String: Any])["feature_sets"] as! [String: [String]]
        XCTAssertEqual(sets["small"]?.count, 42)          // v5's sizes
        XCTAssertEqual(sets["medium"]?.count, 705)
        XCTAssertEqual(sets["all"]?.count, 2_376)
    }

    func testRefusalsLeaveNothingBehind() throws {
        let dataset = Self.synthetic()
        let existing = path("existing")
        try FileManager.default.createDirectory(atPath: existing, withIntermediateDirectories: false)
        try Data("keep".utf8).write(to: URL(fileURLWithPath: existing + "/mine.txt"))
        func refuses(_ out: String, _ options: NumeraiWriter.Options = .init(), _ expected: String) {
            XCTAssertThrowsError(try NumeraiWriter.write(dataset, to: out, options: options)) { error in
                XCTAssertTrue("\(error)".contains(expected), "\(error)")
            }
        }
        refuses(existing, .init(), "already exists")
        refuses(path("missing/parent/out"), .init(), "parent directory")
        refuses(path("a"), .init(rowGroupRows: 0), "row group rows must be at least 1")
        refuses(path("b"), .init(featureGroups: ["small": ["feature_0000"]]), "clashes with the feature set")
        refuses(path("c"), .init(featureGroups: ["wisdom": ["feature_9999"]]), "'feature_9999', which is not a feature")
        XCTAssertEqual(try String(contentsOfFile: existing + "/mine.txt", encoding: .utf8), "keep")
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: directory.path), ["existing"])
    }
}
