import ArgumentParser
import Diversity
import Dispatch
import EraData
import EvaluationRules
import Fixtures
import Foundation
import Reports
import Support
import Tournament

/// bench/analysis: `StudyAnalysis.run` on `EquicorrelatedStudy` (input built once, not timed).
struct AnalysisBenchCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "analysis", abstract: "Time StudyAnalysis.run on synthetic equicorrelated predictions.")

    @Option(help: "Models.") var models = 500
    @Option(help: "Rows (eras of 500).") var rows = 100_000
    @Option(help: "Features.") var features = 60
    @Option(help: "Timed repetitions (the median is printed).") var repeats = 3

    func run() throws {
        let input = EquicorrelatedStudy.input(models: models, rows: rows, features: features)
        var pairwise = 0.0
        let seconds = try BenchClock.median(repeats: repeats) {
            pairwise = try StudyAnalysis.run(input).metrics.diversity.pairwiseCorrMean
        }
        print("shape \(models) models × \(input.rows.count) rows × \(features) features (\(input.dataset.eras.count) eras)")
        print(String(format: "pairwise_corr_mean %.4f (planted %.2f)", pairwise, EquicorrelatedStudy.rho))
        print(String(format: "analysis_seconds %.3f", seconds))
    }
}

/// bench/render-report: `StudyReport.write` + `writeMetrics` for a `ReportFixture` study of `models` models.
struct RenderReportBenchCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "render-report", abstract: "Time StudyReport.write + writeMetrics for a many-model study.")

    @Option(help: "Models (two arms and the benchmark).") var models = 500
    @Option(help: "Timed repetitions (the median is printed).") var repeats = 3

    func run() throws {
        guard models >= 3 else { throw ValidationError("--models must be at least 3 (two arms and the benchmark), got \(models)") }
        let arms = [ReportFixture.Arm(name: "grid", models: models / 2, shared: 0.3),
                    ReportFixture.Arm(name: "seeds", models: models - models / 2 - 1, shared: 0.8)]
        let (analysis, study) = try ReportFixture.build(arms: arms, benchmark: true, featureScores: false)
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("workbench-bench-report-\(getpid())")
        defer { try? FileManager.default.removeItem(at: dir) }
        let seconds = try BenchClock.median(repeats: repeats) {
            try StudyReport.write(analysis: analysis, study: study, to: dir)
            try StudyReport.writeMetrics(analysis.metrics, to: dir)
        }
        let report = try Data(contentsOf: dir.appendingPathComponent("report.md")).count
        let charts = try FileManager.default.contentsOfDirectory(atPath: dir.appendingPathComponent("charts").path)
            .reduce(0) { $0 + ((try? Data(contentsOf: dir.appendingPathComponent("charts/" + $1)).count) ?? 0) }
        print("report.md \(report) bytes, charts \(charts) bytes")
        print(String(format: "report_seconds %.3f", seconds))
    }
}

/// bench/render-charts: every `ChartSamples` chart written as SVG for a human to look at, with the
/// median time to build its SVG text.
struct RenderChartsBenchCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "render-charts", abstract: "Write every sample chart as SVG and time building each.")

    @Option(name: [.customShort("o"), .long], help: "Directory for the SVG files.") var out: String
    @Option(help: "Timed repetitions per chart (the median is printed).") var repeats = 5

    func run() throws {
        let dir = URL(fileURLWithPath: out)
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        for (name, make) in ChartSamples.makers() {
            var svg = ""
            let seconds = BenchClock.median(repeats: repeats) { svg = make() }
            try writeAtomically(svg, to: dir.appendingPathComponent(name + ".svg").path)
            print(String(format: "render %@: median %.2f ms, %d bytes", name, seconds * 1000, svg.utf8.count))
        }
    }
}

/// bench/tournament --scale: the issue's scale in memory. A pool of `models` models over 200 test
/// eras × `rows` rows (`TournamentFixture`, 211 eras: 11 selection), 10,000 incumbents, newcomers
/// 1000 / 10000 for every option; neutral contribution and leave-self-out off (no features, and
/// 10,000 × 200 re-ranks would dominate).
struct TournamentScaleBenchCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "tournament-scale", abstract: "Time a 10,000-staker tournament over a synthetic pool.")

    @Option(help: "Models in the pool.") var models = 500
    @Option(help: "Rows per era.") var rows = 5000

    func run() throws {
        guard models >= 3, rows >= 1 else { throw ValidationError("--models must be ≥ 3 and --rows ≥ 1") }
        let fx = TournamentFixture(eras: 211, rows: rows, features: 1, seed: 1)
        let n = fx.rows.count
        var predictions: [[Float]] = []
        predictions.reserveCapacity(models)
        for m in 0..<models {
            var rng = SplitMix64(seed: 9, stream: [UInt64(m)])
            let a = 0.2 + 0.8 * rng.nextUnit(), b = rng.nextUnit()
            predictions.append((0..<n).map { Float(a * fx.z1[$0] + b * fx.z2[$0] + 2 * rng.nextGaussian()) })
        }
        let arms = (0..<models).map { $0 == 0 ? "benchmark" : ($0 % 2 == 0 ? "seeds" : "grid") }
        let fixtureCPU = BenchClock.cpuSeconds()
        let started = DispatchTime.now()
        let pool = try ModelPool(ids: (0..<models).map { "m\($0)" }, arms: arms, predictions: predictions, rows: fx.rows,
                                 dataset: fx.dataset, targetIndex: 0, example: 0,
                                 split: EvaluationSplit(selectionFraction: 0.05, embargoEras: 0), neutralContribution: false)
        let poolSeconds = BenchClock.seconds(since: started)
        let spec = try TournamentSpec.parse(Data("""
            {"name": "scale", "study": "x", "seed": 1, "leaveSelfOut": false, "neutralContribution": false,
             "incumbents": {"stakers": 10000, "stakes": {"pareto": {"alpha": 1.5, "min": 1}},
                            "groups": [{"models": "example", "share": 0.4}, {"models": ["seeds"], "share": 0.3},
                                       {"models": ["grid"], "share": 0.3}]},
             "newcomers": {"counts": [1000, 10000], "models": ["grid"]}}
            """.utf8), baseDirectory: "/tmp")
        var last = DispatchTime.now()
        let output = try TournamentRunner(spec: spec, pool: pool).run { phase in
            print(String(format: "tournament-phase %6.2f s  %@", BenchClock.seconds(since: last), phase))
            last = DispatchTime.now()
        }
        let total = BenchClock.seconds(since: started)
        print("shape \(models) models × \(pool.test.count) test eras × \(rows) rows, \(output.result.scenarios.count) scenarios")
        print(String(format: "tournament-pool-time %.2f", poolSeconds))
        print(String(format: "tournament-time %.2f", total))
        print(String(format: "tournament-cpu %.2f (fixture %.2f before it)", BenchClock.cpuSeconds() - fixtureCPU, fixtureCPU))
    }
}
