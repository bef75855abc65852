import Diversity
import EraData
import Foundation
import LinearAlgebra
import TestSupport
import XCTest
import Support

/// Small in-memory datasets and predictions for oracle tests.
enum Fixture {
    /// `eras` eras of `rowsPerEra` rows, `features` bin features 0…4, one target on {0,.25,.5,.75,1}
    /// with a share of NaN; predictions rounded to `tieDecimals` decimals when set (ties).
    static func dataset(eras: Int, rowsPerEra: Int, features: Int, seed: UInt64, nanShare: Double = 0.1) -> Dataset {
        var rng = SplitMix64(seed: seed)
        let n = eras * rowsPerEra
        let columns = FeatureColumns(rowCount: n, featureCount: features)
        for i in 0..<(n * features) { columns.storage[i] = UInt8(rng.next() % 5) }
        var target = [Float](repeating: 0, count: n)
        for r in 0..<n {
            // Target related to feature 0 so scores are not pure noise.
            let signal = features > 0 ? Double(columns[r, 0]) / 4 - 0.5 : 0
            let v = (signal * 0.6 + rng.nextGaussian() * 0.25 + 0.5 + 0.1).clamped(0, 1)
            target[r] = rng.nextUnit() < nanShare ? .nan : Float((v * 4).rounded() / 4)
        }
        return Dataset(features: columns, featureNames: (0..<features).map { "feature_\($0)" },
                       targetNames: ["target"], targets: [target], eras: (0..<eras).map { String(format: "era%03d", $0) },
                       eraOfRow: (0..<n).map { Int32($0 / rowsPerEra) }, ids: (0..<n).map { "id\($0)" },
                       splitOfRow: [Split](repeating: .validation, count: n))
    }

    static func predictions(_ d: Dataset, seed: UInt64, signal: Double, tieDecimals: Int? = nil) -> [Float] {
        var rng = SplitMix64(seed: seed)
        return (0..<d.rowCount).map { r in
            let t = d.targets[0][r].isNaN ? 0.5 : Double(d.targets[0][r])
            var v = signal * t + rng.nextGaussian() * 0.3 + 0.5
            if let k = tieDecimals { let s = pow(10, Double(k)); v = (v * s).rounded() / s }
            return Float(v)
        }
    }

    static func writeCSV(_ d: Dataset, predictions: [String: [Float]], to url: URL) throws {
        var s = "era,target," + predictions.keys.sorted().joined(separator: ",") + ","
            + d.featureNames.joined(separator: ",") + "\n"
        let keys = predictions.keys.sorted()
        for r in 0..<d.rowCount {
            var line = d.eras[Int(d.eraOfRow[r])] + ","
            line += d.targets[0][r].isNaN ? "," : "\(d.targets[0][r]),"
            line += keys.map { "\(Double(predictions[$0]![r]))" }.joined(separator: ",")
            for f in 0..<d.featureCount { line += ",\(d.features[r, f])" }
            s += line + "\n"
        }
        try s.write(to: url, atomically: true, encoding: .utf8)
    }

    /// The scoring oracle's three prediction sets on `d` (`pred`; `tied`, rounded to 1 decimal:
    /// heavy ties; `meta`, 2 decimals) and numerai-tools' per-era scores of them
    /// (`ScoringOracleTests.oracle`: {name: [per-era values]} plus summaries).
    static func scoringOracle(_ d: Dataset) throws -> (pred: [Float], tied: [Float], meta: [Float], expected: [String: Any]) {
        let pred = predictions(d, seed: 1, signal: 0.3)
        let tied = predictions(d, seed: 2, signal: 0.4, tieDecimals: 1)
        let meta = predictions(d, seed: 3, signal: 0.5, tieDecimals: 2)
        let dir = TestSupport.temporaryDirectory("scoring-oracle")
        defer { try? FileManager.default.removeItem(at: dir) }
        let csv = dir.appendingPathComponent("scores.csv")
        try writeCSV(d, predictions: ["pred": pred, "tied": tied, "meta": meta], to: csv)
        let expected = try python(ScoringOracleTests.oracle, [csv.path]) as! [String: Any]
        return (pred, tied, meta, expected)
    }

    static func python(_ script: String, _ args: [String] = []) throws -> Any {
        let r = try TestSupport.python(script, args)
        guard r.status == 0 else {
            XCTFail("python failed: \(r.stderr)")
            throw DiversityError("python failed")
        }
        return try JSONSerialization.jsonObject(with: Data(r.stdout.utf8))
    }
}

extension Double {
    func clamped(_ lo: Double, _ hi: Double) -> Double { Swift.min(Swift.max(self, lo), hi) }
}

/// |a − b| ≤ rel·max(|a|, |b|, floor); both NaN counts as agreement.
func assertClose(_ a: Double, _ b: Double, rel: Double, floor: Double = 1e-12, _ what: String,
                 file: StaticString = #filePath, line: UInt = #line) {
    if a.isNaN && b.isNaN { return }
    let scale = Swift.max(abs(a), abs(b), floor)
    XCTAssert(abs(a - b) <= rel * scale, "\(what): \(a) vs \(b) (rel diff \(abs(a - b) / scale))", file: file, line: line)
}

/// JSON numbers (null → NaN).
func doubles(_ any: Any?) -> [Double] {
    (any as! [Any]).map { ($0 as? NSNumber)?.doubleValue ?? .nan }
}
