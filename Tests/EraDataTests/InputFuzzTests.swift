import Foundation
import XCTest
@testable import EraData
import TestSupport
import Support

/// Bounded mutation fuzzing of the data readers (CSV import, dataset .h5): every mutant either
/// reads or throws; no crash, no hang (each read < 2 s), and the process's peak memory grows by
/// less than 512 MB over the whole loop. Seeded: a failing iteration replays.
final class InputFuzzTests: XCTestCase {
    static let memoryBound = 512 << 20

    static func seedCSV(rows: Int, crlf: Bool) -> String {
        var rng = SplitMix64(seed: 5)
        var out = "id,era,data_type,feature_a,feature_b,feature_c,target,target_aux\n"
        for r in 0..<rows {
            let split = r % 4 == 3 ? "validation" : "train"
            out += "n\(r),era\(r / 10 + 1),\(split),\(Int(rng.nextUnit() * 5)),\(String(format: "%.4f", rng.nextGaussian())),"
                + "\(Int(rng.nextUnit() * 5)),\(String(format: "%.2f", rng.nextUnit())),\(r % 7 == 0 ? "" : "0.5")\n"
        }
        return crlf ? out.replacingOccurrences(of: "\n", with: "\r\n") : out
    }

    /// Runs `iterations` mutants of `seeds` through `read` (a path to the mutant on disk).
    func fuzz(seeds: [[UInt8]], iterations: Int, seed: UInt64, ext: String, tokens: [String] = [],
              read: (String) throws -> Void) throws -> (thrown: Int, read: Int) {
        let dir = TestSupport.temporaryDirectory("fuzz-\(ext)")
        defer { try? FileManager.default.removeItem(at: dir) }
        var mutator = ByteMutator(seed: seed)
        let memoryBefore = TestSupport.peakResidentBytes()
        var thrown = 0, fine = 0
        let watchdog = HangGuard()
        defer { watchdog.stop() }
        for i in 0..<iterations {
            var bytes = seeds[i % seeds.count]
            for _ in 0...mutator.below(3) { bytes = mutator.mutate(bytes, tokens: tokens) }
            let path = dir.appendingPathComponent("m\(i % 8)-train.\(ext)").path
            try Data(bytes).write(to: URL(fileURLWithPath: path))
            do { try watchdog.step(".\(ext) fuzz iteration \(i) (seed \(seed))") { try read(path) }; fine += 1 } catch {
                thrown += 1
                XCTAssertFalse("\(error)".isEmpty)
            }
        }
        XCTAssertLessThan(TestSupport.peakResidentBytes() - memoryBefore, Self.memoryBound, "peak memory grew too much")
        print("fuzz .\(ext): \(iterations) mutants, \(thrown) errors, \(fine) read")
        return (thrown, fine)
    }

    func testCSVImportMutationFuzzLoop() throws {
        let seeds = [Array(Self.seedCSV(rows: 60, crlf: false).utf8), Array(Self.seedCSV(rows: 40, crlf: true).utf8)]
        let (thrown, fine) = try fuzz(seeds: seeds, iterations: 1_200, seed: 0xc5f, ext: "csv",
                                      tokens: ByteMutator.textTokens) { path in
            let d = try CSVImporter.read(paths: [path])
            XCTAssertTrue(d.targets.allSatisfy { $0.allSatisfy { !$0.isInfinite } }, "an infinite target was imported")
            _ = try CSVImporter.readForPrediction(paths: [path])
        }
        XCTAssertGreaterThan(thrown, 300)
        XCTAssertGreaterThan(fine, 20)
    }

    /// Dataset files with integer bins and with edge-binned float features; libhdf5 itself
    /// crashed or hung on ~20 % of such single-byte damages to string data before strings were
    /// read and checked here (`HDF5/VariableStrings.swift`).
    func testDatasetFileMutationFuzzLoop() throws {
        let dir = TestSupport.temporaryDirectory("fuzz-seeds")
        defer { try? FileManager.default.removeItem(at: dir) }
        let synthetic = SyntheticGenerator.generate(SyntheticConfig(eras: 8, rowsPerEra: 40, features: 5, targets: 2, seed: 3))
        let csv = dir.appendingPathComponent("float-train.csv").path
        try Self.seedCSV(rows: 80, crlf: false).write(toFile: csv, atomically: true, encoding: .utf8)
        let floats = try CSVImporter.read(paths: [csv])
        var seeds: [[UInt8]] = []
        for (k, d) in [synthetic, floats].enumerated() {
            let p = dir.appendingPathComponent("seed\(k).h5").path
            try DatasetFile.write(d, to: p)
            seeds.append([UInt8](try Data(contentsOf: URL(fileURLWithPath: p))))
        }
        let (thrown, _) = try fuzz(seeds: seeds, iterations: 1_500, seed: 0x4d5, ext: "h5") { path in
            _ = try DatasetFile.info(path)
            let d = try DatasetFile.read(path)
            for f in 0..<d.featureCount {
                XCTAssertLessThan(Int(d.features.column(f).max() ?? 0), max(d.binCounts[f], 1), "bin beyond bin_counts")
            }
        }
        XCTAssertGreaterThan(thrown, 100)
    }
}
