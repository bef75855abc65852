import Foundation
import XCTest
@testable import Boosting
import EraData
import TestSupport

/// Trains LightGBM 4.7 (the test venv) on exactly the bins and targets our trainer sees.
enum LightGBMOracle {
    struct TreeInfo: Decodable {
        let split_feature: [Int]
        let threshold: [Double]
        let leaf_value: [Double]
        let num_leaves: Int
    }
    struct Result: Decodable {
        let trees: [TreeInfo]
        let predictions: [Double]
        let seconds: Double
    }

    /// Writes `rows × features` bins (uint8, row-major) and float32 targets for LightGBM.
    static func writeMatrix(_ dataset: Dataset, rows: [Int32], features: [Int], target: Int?, to url: URL) throws {
        var bytes = [UInt8](repeating: 0, count: rows.count * features.count)
        for (j, f) in features.enumerated() {
            let column = dataset.features.column(f)
            for (i, r) in rows.enumerated() { bytes[i * features.count + j] = column[Int(r)] }
        }
        try Data(bytes).write(to: url.appendingPathExtension("bins"))
        if let target {
            let y = rows.map { dataset.targets[target][Int($0)] }
            try y.withUnsafeBytes { try Data($0).write(to: url.appendingPathExtension("target")) }
        }
    }

    static let script = TestSupport.oracleScript("BoostingTests/LightGBMOracle-script.py")

    /// Trains LightGBM on `trainRows`, predicts `predictRows`.
    static func train(dataset: Dataset, trainRows: [Int32], predictRows: [Int32], features: [Int], target: Int,
                      parameters: [String: Double]) throws -> Result {
        let dir = TestSupport.temporaryDirectory("lgb")
        defer { try? FileManager.default.removeItem(at: dir) }
        let usable = trainRows.filter { !dataset.targets[target][Int($0)].isNaN }
        try writeMatrix(dataset, rows: usable, features: features, target: target,
                        to: dir.appendingPathComponent("train"))
        try writeMatrix(dataset, rows: predictRows, features: features, target: nil,
                        to: dir.appendingPathComponent("predict"))
        return try run(in: dir, features: features.count, parameters: parameters, input: "bins")
    }

    /// Runs `script` on `dir/train.<input>`, `dir/train.target`, `dir/predict.<input>` (input
    /// "bins": uint8, or "values": float64, row-major) with our canonical parameter names.
    static func run(in dir: URL, features: Int, parameters: [String: Double], input: String) throws -> Result {
        var native: [String: Double] = [:]
        for (k, v) in parameters { native[ParameterTable.spec(canonical: k)?.lightGBMName ?? k] = v }
        let json = String(decoding: try JSONSerialization.data(withJSONObject: native), as: UTF8.self)
        let result = try TestSupport.python(script, [dir.path, String(features), json, input])
        guard result.status == 0 else {
            throw OracleFailure(message: "LightGBM oracle failed: \(result.stderr)")
        }
        return try JSONDecoder().decode(Result.self, from: Data(contentsOf: dir.appendingPathComponent("out.json")))
    }

    struct OracleFailure: Error, CustomStringConvertible { let message: String; var description: String { message } }
}

/// Small helpers shared by the Boosting tests.
enum TestData {
    /// A synthetic era dataset (the data module's generator).
    static func synthetic(eras: Int, rowsPerEra: Int, features: Int, seed: UInt64 = 7, noise: Double = 3) -> Dataset {
        SyntheticGenerator.generate(SyntheticConfig(eras: eras, rowsPerEra: rowsPerEra, features: features,
                                                    targets: 2, seed: seed, noise: noise))
    }

    static func pearson(_ a: [Double], _ b: [Double]) -> Double {
        let n = Double(a.count)
        let ma = a.reduce(0, +) / n, mb = b.reduce(0, +) / n
        var sab = 0.0, saa = 0.0, sbb = 0.0
        for i in a.indices { let x = a[i] - ma, y = b[i] - mb; sab += x * y; saa += x * x; sbb += y * y }
        return sab / (saa * sbb).squareRoot()
    }

    /// Mean over eras of the Pearson correlation between predictions and the target.
    static func perEraCorrelation(_ dataset: Dataset, rows: [Int32], predictions: [Double], target: Int) -> Double {
        var total = 0.0, eras = 0
        for group in dataset.eraGroups(of: rows) {
            var p: [Double] = [], t: [Double] = []
            for i in group.range {
                let y = dataset.targets[target][Int(rows[i])]
                if y.isNaN { continue }
                p.append(predictions[i]); t.append(Double(y))
            }
            if p.count > 2 { total += pearson(p, t); eras += 1 }
        }
        return total / Double(max(eras, 1))
    }
}
