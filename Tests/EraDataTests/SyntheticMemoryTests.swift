import Foundation
import TestSupport
import XCTest
@testable import EraData

/// `SyntheticConfig.generationBytes` against the peak resident memory of `workbench data synth`
/// (getrusage of the child, ru_maxrss, in the Python oracle): it must bound the peak, in the
/// fitted regime and where latents dominate, and `checkGenerationFits` must refuse beyond 85 %
/// of the machine.
final class SyntheticMemoryTests: XCTestCase {
    func peakOfSynth(_ arguments: [String]) throws -> Double {
        let out = TestSupport.temporaryDirectory("synth-memory").appendingPathComponent("d.h5")
        defer { try? FileManager.default.removeItem(at: out.deletingLastPathComponent()) }
        let r = try TestSupport.python(TestSupport.oracleScript("EndToEndTests/MemoryEstimateTests-PeakResidentMemory.py"),
                                       [TestSupport.workbenchBinary, "data", "synth", "-o", out.path, "-q"] + arguments)
        XCTAssertEqual(r.status, 0, r.stderr)
        return try XCTUnwrap(Double(r.stdout.trimmingCharacters(in: .whitespacesAndNewlines)))
    }

    func testEstimateBoundsThePeakOfGeneration() throws {
        let cases: [(SyntheticConfig, [String])] = [
            (SyntheticConfig.default.sized(eras: 60, rowsPerEra: 2000, features: 100), ["--eras", "60", "--rows-per-era", "2000", "--features", "100"]),
            ({ var c = SyntheticConfig.default.sized(eras: 300, rowsPerEra: 200, features: 20); c.latents = 2000; return c }(),
             ["--eras", "300", "--rows-per-era", "200", "--features", "20", "--settings", #"{"latents": 2000}"#]),
            ({ var c = SyntheticConfig.default.sized(eras: 100, rowsPerEra: 100, features: 10); c.latents = 20000; return c }(),
             ["--eras", "100", "--rows-per-era", "100", "--features", "10", "--settings", #"{"latents": 20000}"#]),
        ]
        for (config, arguments) in cases {
            let peak = try peakOfSynth(arguments)
            let ratio = config.generationBytes / peak
            print("synth \(arguments): estimate \(config.generationBytes / 1e6) MB, peak \(peak / 1e6) MB, ratio \(ratio)")
            XCTAssertGreaterThanOrEqual(ratio, 1, "\(arguments): the estimate is below the peak")
            XCTAssertLessThanOrEqual(ratio, 2, "\(arguments): the estimate is more than twice the peak")
        }
    }

    func testGenerationBeyondTheMachineIsRefusedBeforeAllocating() throws {
        let gib = 1 << 30
        let huge = SyntheticConfig.default.sized(eras: 5, rowsPerEra: 100_000_000, features: 1, targets: 1)
        XCTAssertNoThrow(try huge.validate())
        XCTAssertThrowsError(try huge.checkGenerationFits(physicalMemory: 24 * gib)) { error in
            guard case let .generationTooLarge(needed, available)? = (error as? EraDataError)?.reason else { return XCTFail("\(error)") }
            XCTAssertGreaterThan(Double(needed), 0.85 * 24 * Double(gib))
            XCTAssertEqual(available, 24 * gib)
        }
        // Numerai's full shape (574 + 143 eras × 4,700 rows × 2,376 features) fits 24 GiB.
        let full = SyntheticConfig.default.sized(eras: 718, rowsPerEra: 4700, features: 2376)
        XCTAssertNoThrow(try full.checkGenerationFits(physicalMemory: 24 * gib))
        XCTAssertThrowsError(try full.checkGenerationFits(physicalMemory: 8 * gib))
    }
}
