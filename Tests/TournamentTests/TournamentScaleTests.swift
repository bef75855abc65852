import Diversity
import EraData
import EvaluationRules
import Foundation
@testable import Tournament
import XCTest
import Support

/// The issue's scale, run by `bench/tournament --scale` only (skipped otherwise): a pool of
/// WORKBENCH_BENCH_TOURNAMENT_MODELS (500) models over 200 test eras × WORKBENCH_BENCH_TOURNAMENT_ROWS
/// (5000) rows, 10,000 incumbents, newcomers 0 / 1000 / 10000 for every option (neutral
/// contribution and leave-self-out off: no features, and 10,000 × 200 re-ranks would dominate).
/// Prints `tournament-time` (pool + scenarios, seconds), `tournament-pool-time` and the runner's
/// phases (`tournament-phase`).
final class TournamentScaleTests: XCTestCase {
    func testScale() throws {
        let env = ProcessInfo.processInfo.environment
        guard let modelsText = env["WORKBENCH_BENCH_TOURNAMENT_MODELS"], let models = Int(modelsText) else {
            throw XCTSkip("benchmark: set WORKBENCH_BENCH_TOURNAMENT_MODELS (bench/tournament --scale)")
        }
        let rows = Int(env["WORKBENCH_BENCH_TOURNAMENT_ROWS"] ?? "5000") ?? 5000
        // 211 eras: 11 selection (round(0.05 · 211)), 200 test, no embargo.
        let fx = Fixture(eras: 211, rows: rows, features: 1, seed: 1)
        let n = fx.rows.count
        var predictions: [[Float]] = []
        predictions.reserveCapacity(models)
        for m in 0..<models {
            var rng = SplitMix64(seed: 9, stream: [UInt64(m)])
            let a = 0.2 + 0.8 * rng.nextUnit(), b = rng.nextUnit()
            predictions.append((0..<n).map { Float(a * fx.z1[$0] + b * fx.z2[$0] + 2 * rng.nextGaussian()) })
        }
        let arms = (0..<models).map { $0 == 0 ? "benchmark" : ($0 % 2 == 0 ? "seeds" : "grid") }
        let fixtureCPU = Self.cpuSeconds()
        let started = Date()
        let pool = try ModelPool(ids: (0..<models).map { "m\($0)" }, arms: arms, predictions: predictions, rows: fx.rows,
                                 dataset: fx.dataset, targetIndex: 0, example: 0,
                                 split: EvaluationSplit(selectionFraction: 0.05, embargoEras: 0), neutralContribution: false)
        let poolSeconds = Date().timeIntervalSince(started)
        XCTAssertEqual(pool.test.count, 200)
        let spec = try TournamentSpec.parse(Data("""
            {"name": "scale", "study": "x", "seed": 1, "leaveSelfOut": false, "neutralContribution": false,
             "incumbents": {"stakers": 10000, "stakes": {"pareto": {"alpha": 1.5, "min": 1}},
                            "groups": [{"models": "example", "share": 0.4}, {"models": ["seeds"], "share": 0.3},
                                       {"models": ["grid"], "share": 0.3}]},
             "newcomers": {"counts": [1000, 10000], "models": ["grid"]}}
            """.utf8), baseDirectory: "/tmp")
        var last = Date()
        let output = try TournamentRunner(spec: spec, pool: pool).run { phase in
            // Phase timings (wall, seconds since the previous phase) for bench/tournament --scale.
            print(String(format: "tournament-phase %6.2f s  %@", Date().timeIntervalSince(last), phase))
            last = Date()
        }
        let total = Date().timeIntervalSince(started)
        XCTAssertEqual(output.result.scenarios.count, 6)
        print(String(format: "tournament-pool-time %.2f", poolSeconds))
        print(String(format: "tournament-time %.2f", total))
        // CPU seconds (user + sys) of this process: the fixture (data + predictions), then pool + run.
        print(String(format: "tournament-cpu %.2f (fixture %.2f before it)", Self.cpuSeconds() - fixtureCPU, fixtureCPU))
    }

    /// User + system CPU seconds of this process so far.
    static func cpuSeconds() -> Double {
        var usage = rusage()
        getrusage(__rusage_who_t(RUSAGE_SELF.rawValue), &usage)
        func seconds(_ t: timeval) -> Double { Double(t.tv_sec) + Double(t.tv_usec) / 1e6 }
        return seconds(usage.ru_utime) + seconds(usage.ru_stime)
    }
}
