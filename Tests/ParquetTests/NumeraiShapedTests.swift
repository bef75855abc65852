import Foundation
import TestSupport
import XCTest
@testable import Parquet

/// A Numerai-shaped file as Numerai ships it (pandas → pyarrow, snappy, dictionary): every value
/// compared with what pyarrow reads.
final class NumeraiShapedTests: XCTestCase {
    static let script = #"""
import sys, os, json, numpy as np, pandas as pd, pyarrow.parquet as pq
out, n = sys.argv[1], int(sys.argv[2])
rng = np.random.default_rng(11)
eras = np.repeat(np.arange(1, n // 400 + 2), 400)[:n]
df = pd.DataFrame({"era": ["%04d" % e for e in eras], "data_type": "train"},
                  index=pd.Index(["n%015x" % rng.integers(0, 2**60) for _ in range(n)], name="id"))
feats = pd.DataFrame(rng.integers(0, 5, (n, 300), dtype=np.int8), index=df.index,
                     columns=["feature_%03d" % i for i in range(300)])
targets = pd.DataFrame((rng.integers(0, 5, (n, 4)) / 4).astype(np.float32), index=df.index,
                       columns=["target", "target_a_20", "target_b_20", "target_c_60"])
targets.iloc[rng.random(n) < 0.07, 1:] = np.nan
path = os.path.join(out, "numerai.parquet")
pd.concat([df, feats, targets], axis=1).to_parquet(path, engine="pyarrow", compression="snappy")
t = pq.read_table(path)
md = pq.ParquetFile(path).metadata
encodings = set(md.row_group(0).column(5).encodings)
cols = [c for c in t.column_names if c.startswith("feature_")]
np.stack([t.column(c).to_numpy() for c in cols]).astype(np.int8).tofile(os.path.join(out, "features.bin"))
tn = [c for c in t.column_names if c.startswith("target")]
np.stack([t.column(c).to_numpy(zero_copy_only=False) for c in tn]).astype(np.float32).tofile(os.path.join(out, "targets.bin"))
json.dump({"ids": t.column("id").to_pylist(), "eras": t.column("era").to_pylist(), "features": cols, "targets": tn,
           "codec": md.row_group(0).column(5).compression, "encodings": sorted(encodings),
           "index": json.loads(t.schema.metadata[b"pandas"])["index_columns"]}, open(os.path.join(out, "expected.json"), "w"))
"""#

    func testNumeraiShapedFileMatchesPyarrow() throws {
        let dir = TestSupport.temporaryDirectory("parquet-numerai")
        defer { try? FileManager.default.removeItem(at: dir) }
        let rows = 100_000
        _ = try Fixtures.python(Self.script, [dir.path, String(rows)])
        let expected = try JSONSerialization.jsonObject(with: Data(contentsOf: dir.appendingPathComponent("expected.json"))) as! [String: Any]
        XCTAssertEqual(expected["codec"] as? String, "SNAPPY")
        XCTAssertTrue((expected["encodings"] as! [String]).contains { $0.contains("DICTIONARY") }, "\(expected["encodings"]!)")

        let file = try ParquetFile(path: dir.appendingPathComponent("numerai.parquet").path)
        XCTAssertEqual(file.rowCount, rows)
        XCTAssertEqual(file.pandasIndexColumns, expected["index"] as! [String])
        XCTAssertEqual(file.pandasIndexColumns, ["id"])
        let featureNames = expected["features"] as! [String]
        XCTAssertEqual(featureNames.count, 300)
        XCTAssertEqual(file.column(named: featureNames[0])?.logicalType, .integer(bitWidth: 8, signed: true))

        let bins = try file.readInt8Bins(featureNames, validBins: 0...4)
        let wantFeatures = [UInt8](try Data(contentsOf: dir.appendingPathComponent("features.bin")))
        XCTAssertEqual(wantFeatures.count, 300 * rows)
        for (f, column) in bins.enumerated() where !column.elementsEqual(wantFeatures[(f * rows)..<((f + 1) * rows)]) {
            XCTFail("feature \(featureNames[f]) differs from pyarrow")
        }
        // The natural-type read of a feature agrees too.
        guard case .int32(let raw, _) = try file.readColumn(featureNames[7]) else { return XCTFail("int8 should read as int32") }
        XCTAssertEqual(raw.map { UInt8($0) }, bins[7])

        let targetNames = expected["targets"] as! [String]
        let targets = try file.readFloatColumns(targetNames)
        let wantTargets = try Data(contentsOf: dir.appendingPathComponent("targets.bin")).withUnsafeBytes { Array($0.bindMemory(to: UInt32.self)) }
        for (t, column) in targets.enumerated() {
            let got = column.map(\.bitPattern)
            if !got.elementsEqual(wantTargets[(t * rows)..<((t + 1) * rows)]) { XCTFail("target \(targetNames[t]) differs from pyarrow") }
        }
        XCTAssertEqual(try file.readStringColumn("id").values, expected["ids"] as! [String])
        XCTAssertEqual(try file.readStringColumn("era").values, expected["eras"] as! [String])
    }
}
