import Foundation
import XCTest
@testable import Boosting
import EraData
import Support
import TestSupport

/// Bounded mutation fuzzing of the model readers (.wbm, LightGBM text) and what a read model is
/// used for (prediction on bins and on raw values): every mutant reads or throws; no crash, no
/// hang (< 2 s each), peak memory grows < 512 MB over the loop.
final class ModelInputFuzzTests: XCTestCase {
    static let data = TestData.synthetic(eras: 6, rowsPerEra: 60, features: 6)

    static func seedModels() throws -> [Booster] {
        let d = data
        let rows = d.rows(in: .train)
        return try [["n_estimators": 6, "num_leaves": 5], ["n_estimators": 3, "num_leaves": 12, "max_depth": 3]].map {
            try Trainer.train(dataset: d, rows: rows, features: Array(0..<d.featureCount), target: 0,
                              parameters: BoostingParameters($0))
        }
    }

    /// Uses a read booster the way commands do.
    static func exercise(_ booster: Booster) throws {
        let d = data
        let rebinned = try booster.rebinned(for: d)
        _ = rebinned.predict(dataset: d, rows: Array(0..<Int32(20)))
        let columns = (0..<booster.featureNames.count).map { f in (0..<10).map { Double(($0 + f) % 5) } }
        _ = try booster.predict(rawColumns: columns)
        _ = booster.lightGBMText()
    }

    func loop(seeds: [[UInt8]], iterations: Int, seed: UInt64, tokens: [String] = [],
              fixChecksum: Bool = false, read: ([UInt8]) throws -> Booster) -> Int {
        var mutator = ByteMutator(seed: seed)
        let before = TestSupport.peakResidentBytes()
        var thrown = 0
        let watchdog = HangGuard()
        defer { watchdog.stop() }
        for i in 0..<iterations {
            var bytes = seeds[i % seeds.count]
            for _ in 0...mutator.below(3) {
                // Keep the magic and version so mutations reach the parser, mostly.
                bytes = mutator.mutate(bytes, region: fixChecksum ? 12..<max(13, bytes.count - 8) : nil, tokens: tokens)
            }
            if fixChecksum, mutator.below(4) != 0, bytes.count >= 8 {
                let sum = FNV1a64.hash(bytes[0..<(bytes.count - 8)])
                for k in 0..<8 { bytes[bytes.count - 8 + k] = UInt8(truncatingIfNeeded: sum >> (8 * k)) }
            }
            do { try watchdog.step("model fuzz iteration \(i) (seed \(seed))") { try Self.exercise(try read(bytes)) } } catch { thrown += 1 }
        }
        XCTAssertLessThan(TestSupport.peakResidentBytes() - before, 512 << 20, "peak memory grew too much")
        print("fuzz: \(iterations) mutants, \(thrown) errors")
        return thrown
    }

    func testModelFileMutationFuzzLoop() throws {
        let seeds = try Self.seedModels().map { $0.modelFileBytes() }
        let thrown = loop(seeds: seeds, iterations: 4_000, seed: 0x3b3, fixChecksum: true) {
            try ModelFile.decode($0, path: "fuzz.wbm")
        }
        XCTAssertGreaterThan(thrown, 1_000)
    }

    func testLightGBMTextMutationFuzzLoop() throws {
        let seeds = try Self.seedModels().map { Array($0.lightGBMText().utf8) }
            + [Array(try Self.seedModels()[0].lightGBMText().replacingOccurrences(of: "\n", with: "\r\n").utf8)]
        let tokens = ByteMutator.textTokens + ["Tree=", "end of trees", "num_leaves=", "threshold=", "objective=binary",
                                               "objective=lambdarank", "max_feature_idx=999999999999", "decision_type=9"]
        let thrown = loop(seeds: seeds, iterations: 4_000, seed: 0x7e7, tokens: tokens) {
            try Booster.fromLightGBM(text: String(decoding: $0, as: UTF8.self), source: "fuzz.txt")
        }
        XCTAssertGreaterThan(thrown, 500)
    }
}
