import Foundation
import TestSupport
import XCTest
@testable import EraData

/// One era order for every reader: the same rows as CSV and as Numerai parquet (written by pandas)
/// give the same eras, rows and splits — numbered eras by prefix and number, the rest (the live era
/// `X`, named regimes) after them in order of appearance.
final class EraOrderTests: XCTestCase {
    var directory: URL!
    override func setUp() { directory = TestSupport.temporaryDirectory("era-order") }
    override func tearDown() { try? FileManager.default.removeItem(at: directory) }

    static let script = TestSupport.oracleScript("EraDataTests/EraOrderTests-script.py")

    func testCSVAndParquetGiveTheSameEraOrder() throws {
        let result = try TestSupport.python(Self.script, [directory.path])
        XCTAssertEqual(result.status, 0, result.stderr)
        let csv = try CSVImporter.read(paths: [directory.appendingPathComponent("data.csv").path])
        let parquet = try NumeraiParquet.read(paths: [directory.appendingPathComponent("data.parquet").path])
        let expected = ["0003", "era2", "era9", "era10", "X", "crisis"]
        XCTAssertEqual(csv.eras, expected)
        XCTAssertEqual(parquet.eras, expected)
        XCTAssertEqual(csv.ids, parquet.ids)
        XCTAssertEqual(csv.eraOfRow, parquet.eraOfRow)
        XCTAssertEqual(csv.splitOfRow, parquet.splitOfRow)
        XCTAssertEqual(csv.ids, ["r04", "r09", "r02", "r05", "r08", "r11", "r00", "r07", "r01", "r06", "r03", "r10"])
    }

    func testNumberedErasSortByPrefixThenNumberWithoutOverflow() {
        let names = ["era10", "99999999999999999999999", "era9", "0002", "live", "1"]
        XCTAssertEqual(EraOrder.indices(names).map { names[$0] }, ["1", "0002", "99999999999999999999999", "era9", "era10", "live"])
        XCTAssertEqual(EraOrder.indices([]), [])
    }
}
