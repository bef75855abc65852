import Foundation
import PredictionStore
import TestSupport
import XCTest

/// Bounded mutation fuzz of `predictions.h5` through PredictionStore's reader, in process (the
/// `report`-level loop in FaultInjectionTests runs 40 mutants as processes; this one reaches the
/// reader itself many more times). Each mutant must give a `StoredStudy` whose arrays agree
/// (every model's predictions readable) or a `StoreError`/`HDF5Error` naming the file — no trap,
/// no hang. The libFuzzer target for longer runs is selector 5 of bench/fuzz-inputs.
final class StoreFuzzTests: XCTestCase {
    func testMutatedStoresAreReadOrRefusedWithTheirName() throws {
        let dir = TestSupport.temporaryDirectory("storefuzz")
        defer { try? FileManager.default.removeItem(at: dir) }
        let study = dir.appendingPathComponent("s.json").path
        try #"""
        {"name": "storefuzz", "seed": 3, "models": 3,
         "data": {"synthetic": {"eras": 40, "rowsPerEra": 30, "features": 6}},
         "fixed": {"n_estimators": 5, "num_leaves": 5},
         "benchmark": {"n_estimators": 5}}
        """#.write(toFile: study, atomically: true, encoding: .utf8)
        let out = dir.appendingPathComponent("run")
        let r = try TestSupport.workbench(["run", study, "--out", out.path, "--quiet"])
        XCTAssertEqual(r.status, 0, r.stderr)
        let pristine = [UInt8](try Data(contentsOf: out.appendingPathComponent("predictions.h5")))
        let intact = try StoredStudy.read(directory: out)
        XCTAssertEqual(intact.records.count, 3)

        let iterations = Int(ProcessInfo.processInfo.environment["WORKBENCH_FUZZ_ITERATIONS"] ?? "") ?? 400
        var mutator = ByteMutator(seed: 0x5702_e5ed)
        let path = dir.appendingPathComponent("m-predictions.h5").path
        var read = 0, refused = 0
        let watchdog = HangGuard()
        defer { watchdog.stop() }
        for i in 0..<iterations {
            var bytes = pristine
            for _ in 0..<(1 + mutator.below(3)) { bytes = mutator.mutate(bytes) }
            try Data(bytes).write(to: URL(fileURLWithPath: path))
            do {
                let s = try watchdog.step("predictions.h5 mutant \(i)") { try StoredStudy.read(path: path) }
                XCTAssertEqual(s.matrix.count, s.records.count * s.rows.count, "mutant \(i)")
                XCTAssertEqual(s.ids.count, s.rows.count, "mutant \(i)")
                for m in 0..<s.records.count { _ = s.predictions(ofModel: m) }
                read += 1
            } catch let e as StoreError {
                XCTAssertTrue(e.description.contains(path), "mutant \(i): \(e)")
                refused += 1
            } catch {
                XCTAssertTrue("\(error)".contains(path), "mutant \(i): \(error)")
                refused += 1
            }
        }
        XCTAssertGreaterThan(refused, iterations / 10)
        _ = read
    }
}
