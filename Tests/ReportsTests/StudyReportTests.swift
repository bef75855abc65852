import Diversity
import EraData
import EvaluationRules
import Fixtures
import Foundation
import PredictionStore
import TestSupport
import XCTest
@testable import Reports
import Support

final class StudyReportTests: XCTestCase {
    /// `![alt](path)` targets in a Markdown text, in order.
    func imageLinks(_ markdown: String) -> [String] {
        let regex = try! NSRegularExpression(pattern: #"!\[[^\]]*\]\(([^)]*)\)"#)
        let ns = markdown as NSString
        return regex.matches(in: markdown, range: NSRange(location: 0, length: ns.length)).map { ns.substring(with: $0.range(at: 1)) }
    }

    func render(_ analysis: StudyAnalysisResult, _ study: StudyDescription, into dir: URL) throws -> String {
        let url = try StudyReport.write(analysis: analysis, study: study, to: dir)
        XCTAssertEqual(url.lastPathComponent, "report.md")
        return try String(contentsOf: url, encoding: .utf8)
    }

    func testChartsExistParseAndAreReferencedRelatively() throws {
        let (analysis, study) = try ReportFixture.build(arms: ReportFixture.threeArms, benchmark: true)
        // WORKBENCH_REPORT_OUT=DIR keeps the rendered report for a human to look at.
        let keep = ProcessInfo.processInfo.environment["WORKBENCH_REPORT_OUT"]
        let dir = keep.map { URL(fileURLWithPath: $0) } ?? TestSupport.temporaryDirectory("report")
        defer { if keep == nil { try? FileManager.default.removeItem(at: dir) } }
        let markdown = try render(analysis, study, into: dir)
        let links = imageLinks(markdown)
        XCTAssertGreaterThanOrEqual(links.count, 10, "scaling ×4, histogram, heatmap, one overlaid PCA, parameters, cumulative, contributions")
        for link in links {
            XCTAssertTrue(link.hasPrefix("charts/") && link.hasSuffix(".svg"), link)
            XCTAssertFalse(link.contains("..") || link.contains("://") || link.hasPrefix("/"), link)
            let file = dir.appendingPathComponent(link)
            let svg = try String(contentsOf: file, encoding: .utf8)
            let xml = SVGXML.parse(svg)
            XCTAssertNil(xml.error, "\(link): \(xml.error ?? "")")
            XCTAssertEqual(xml.elements.first?.name, "svg", link)
        }
        let all = try FileManager.default.contentsOfDirectory(atPath: dir.appendingPathComponent("charts").path).sorted()
        let files = all.filter { $0.hasSuffix(".svg") }
        XCTAssertEqual(files, Set(links.map { String($0.dropFirst("charts/".count)) }).sorted(), "every chart referenced, none missing")
        XCTAssertEqual(all.filter { $0.hasSuffix(".csv") }, files.map { String($0.dropLast(4)) + ".csv" }, "a CSV beside every SVG")
        XCTAssertEqual(all.count, 2 * files.count, "nothing else in charts/")
        XCTAssertEqual(Set(links).count, links.count, "no chart shown twice")
        XCTAssertFalse(files.contains("scaling-arm-benchmark.svg"), "no scaling chart for a one-model arm")
        // One scatter per varied setting but the seed: learning_rate, num_leaves, dropped eras, dropped features.
        XCTAssertFalse(files.contains("param-seed.svg"), "a seed's value means nothing: not charted")
        XCTAssertFalse(files.contains { $0.hasPrefix("pca-arm-") }, "one overlaid scree, not one per arm")
        for name in ["param-learning_rate.svg", "param-num_leaves.svg", "param-dropped-eras.svg",
                     "param-dropped-features.svg", "scaling-arm-grid.svg", "scaling-arm-seeds.svg", "scaling-by-arm.svg"] {
            XCTAssertTrue(files.contains(name), name)
        }
        // Text from the study is escaped, numbers of the declared JSON kept verbatim.
        XCTAssertTrue(markdown.contains("# Study report: fixture <study> & co"))
        XCTAssertTrue(markdown.contains(#"Synthetic fixture with planted correlation \| pipes \* stars"#))
        XCTAssertTrue(markdown.contains(#"  "seed": 18446744073709551615,"#))
        XCTAssertTrue(markdown.contains("````text\narm seeds: 3 models\n"), "fence longer than the plan's backticks")
        XCTAssertFalse(markdown.contains("NaN"))
        // Every model appears in the model table.
        for m in analysis.metrics.models { XCTAssertTrue(markdown.contains("| \(m.id) "), m.id) }
    }

    func testOutputIsDeterministicAndRerenderReplacesCharts() throws {
        let (analysis, study) = try ReportFixture.build(arms: ReportFixture.threeArms, benchmark: true)
        let a = TestSupport.temporaryDirectory("report-a"), b = TestSupport.temporaryDirectory("report-b")
        defer { try? FileManager.default.removeItem(at: a); try? FileManager.default.removeItem(at: b) }
        let first = try render(analysis, study, into: a)
        // A second, independent analysis of the same input renders the same bytes.
        let (again, study2) = try ReportFixture.build(arms: ReportFixture.threeArms, benchmark: true)
        let second = try render(again, study2, into: b)
        XCTAssertEqual(first, second)
        let charts = try FileManager.default.contentsOfDirectory(atPath: a.appendingPathComponent("charts").path).sorted()
        for name in charts {
            let x = try Data(contentsOf: a.appendingPathComponent("charts/" + name))
            let y = try Data(contentsOf: b.appendingPathComponent("charts/" + name))
            XCTAssertEqual(x, y, name)
        }
        try StudyReport.writeMetrics(analysis.metrics, to: a)
        try StudyReport.writeMetrics(again.metrics, to: b)
        XCTAssertEqual(try Data(contentsOf: a.appendingPathComponent("metrics.json")),
                       try Data(contentsOf: b.appendingPathComponent("metrics.json")))
        XCTAssertEqual(try StudyMetrics.decode(Data(contentsOf: a.appendingPathComponent("metrics.json"))).models.map(\.id),
                       analysis.metrics.models.map(\.id))

        // Re-rendering a different study in place leaves no chart of the earlier one behind.
        let stale = a.appendingPathComponent("charts/stale.svg")
        try "<svg/>".write(to: stale, atomically: true, encoding: .utf8)
        let (single, singleStudy) = try ReportFixture.build(arms: [.init(name: "seeds", models: 3, shared: 0.5)], benchmark: false)
        let markdown = try render(single, singleStudy, into: a)
        let after = try FileManager.default.contentsOfDirectory(atPath: a.appendingPathComponent("charts").path).sorted()
        let svgs = Set(imageLinks(markdown).map { String($0.dropFirst("charts/".count)) })
        XCTAssertEqual(after, (svgs.union(svgs.map { String($0.dropLast(4)) + ".csv" })).sorted())
        XCTAssertFalse(after.contains("scaling-arm-grid.svg"))
        let leftovers = try FileManager.default.contentsOfDirectory(atPath: a.path).filter { $0.hasPrefix(".") }
        XCTAssertEqual(leftovers, [], "no temporary files or folders left")
    }

    /// The headline numbers equal what the metrics say, recomputed here independently: the paired
    /// differences' HAC mean, se, interval and p from statsmodels (lag 4, small-sample correction,
    /// t reference), and the judging sentences are the headline contrasts' verdicts.
    func testHeadlineNumbersMatchMetrics() throws {
        let (analysis, study) = try ReportFixture.build(arms: ReportFixture.threeArms, benchmark: true)
        let metrics = analysis.metrics
        let dir = TestSupport.temporaryDirectory("report-headline")
        defer { try? FileManager.default.removeItem(at: dir) }
        let markdown = try render(analysis, study, into: dir)
        let headline = String(markdown[markdown.range(of: "## Headline answer")!.lowerBound..<markdown.range(of: "## Contrasts")!.lowerBound])

        func meanOf(_ v: [Double]) -> Double { v.reduce(0, +) / Double(v.count) }
        let ensemble = metrics.perEra.map(\.ensemble), best = metrics.perEra.map(\.bestSingle), bench = metrics.perEra.map(\.benchmark)
        XCTAssertTrue(ensemble.allSatisfy(\.isFinite) && best.allSatisfy(\.isFinite) && bench.allSatisfy(\.isFinite))
        let n = ensemble.count
        XCTAssertEqual(n, metrics.split.testEras.count)
        let contrasts = try XCTUnwrap(metrics.contrasts)
        for (other, label, b, words) in [(best, "ensemble − best single model", "best_single", "the best single model (by selection corr)"),
                                         (bench, "ensemble − benchmark", "benchmark", "the benchmark")] {
            let d = zip(ensemble, other).map { $0 - $1 }
            let r = try TestSupport.python(TestSupport.oracleScript("ReportsTests/StudyReportTests-HeadlineNumbersMatchMetrics.py"), ["\(d)"])
            XCTAssertEqual(r.status, 0, r.stderr)
            let o = try JSONSerialization.jsonObject(with: Data(r.stdout.utf8)) as! [Double]
            func s(_ x: Double) -> String { (x > 0 ? "+" : "") + String(format: "%.4f", x) }
            let line = headline.split(separator: "\n").first { $0.hasPrefix("| " + label) }.map(String.init) ?? ""
            XCTAssertTrue(line.contains(s(o[0])), "\(label): mean \(s(o[0])) in \(line)")
            XCTAssertTrue(line.contains("[\(s(o[2])), \(s(o[3]))]"), "\(label): HAC interval in \(line)")
            XCTAssertTrue(line.contains(String(format: "%.4f", o[1])), "\(label): HAC se in \(line)")
            // The row and the sentence are the contrast all − b, whose p is statsmodels' before Holm.
            let c = try XCTUnwrap(contrasts.first { $0.a == "all" && $0.b == b }, "default contrast all − \(b)")
            XCTAssertEqual(c.mean, o[0], accuracy: 1e-12)
            XCTAssertEqual(c.hacSE, o[1], accuracy: 1e-12)
            XCTAssertEqual(c.p, o[4], accuracy: 1e-9)
            XCTAssertTrue(line.contains(c.verdict), "\(label): verdict \(c.verdict) in \(line)")
            let who = "The ensemble of all \(metrics.models.count) models"
            let expected = c.verdict == "better" ? "**\(who) is better than \(words)**"
                : c.verdict == "worse" ? "**\(who) is worse than \(words)**"
                : c.verdict == "equivalent" ? "**\(who) and \(words) are equivalent within"
                : c.verdict == "undetermined" ? "**\(who) vs \(words): undetermined**" : "**\(who) vs \(words): inconclusive**"
            XCTAssertTrue(headline.contains(expected), expected)
        }
        // No judging sentence from anything but the contrasts: the old plain-t wording is gone.
        for old in ["beats", "No evidence that", "excludes 0", "includes 0"] { XCTAssertFalse(headline.contains(old), old) }
        XCTAssertTrue(headline.contains("| ensemble of all \(metrics.models.count) models"))
        XCTAssertTrue(headline.contains(String(format: "%.4f", meanOf(ensemble))))
        XCTAssertTrue(headline.contains("best single model by selection corr: \(metrics.bestSingle)"))
        XCTAssertTrue(headline.contains(String(format: "%.4f", meanOf(best))))
        XCTAssertTrue(headline.contains("benchmark: example"))
        XCTAssertTrue(headline.contains(String(format: "%.4f", meanOf(bench))))
        let random1 = metrics.scaling.first { $0.method == "random" && $0.k == 1 }!
        XCTAssertTrue(headline.contains("A random single model scores \(String(format: "%.4f", random1.corrMean))"))
        XCTAssertTrue(headline.contains("c/√(ρ + (1−ρ)/M) = \(String(format: "%.4f", metrics.theory.ensembleCorr))"))
        XCTAssertTrue(headline.contains("worth \(String(format: "%.2f", metrics.diversity.effectiveModels)) independent ones"))
        let contributions = metrics.models.map(\.contribution)
        XCTAssertTrue(headline.contains("(\(contributions.filter { $0 > 0 }.count) of \(contributions.count))"))
        XCTAssertTrue(headline.contains("the true signal scores 0.1234"))
        XCTAssertTrue(headline.contains("![Cumulative per-era corr"))
        // Per-arm table rows carry the arm metrics.
        let armsSection = String(markdown[markdown.range(of: "## Arms")!.lowerBound..<markdown.range(of: "## Pairwise correlation")!.lowerBound])
        for arm in metrics.arms {
            let line = armsSection.split(separator: "\n").first { $0.hasPrefix("| \(arm.arm) ") }.map(String.init) ?? ""
            XCTAssertTrue(line.contains(String(format: "%.3f", arm.diversity.pairwiseCorrMean)), "\(arm.arm): \(line)")
            XCTAssertTrue(line.contains(String(format: "%.2f", arm.diversity.effectiveModels)), "\(arm.arm): \(line)")
            XCTAssertTrue(line.contains(String(format: "%.2f", arm.diversity.participationRatio)), "\(arm.arm): \(line)")
        }
    }

    func testEdgeCasesRender() throws {
        let cases: [(String, [ReportFixture.Arm], Bool)] = [
            ("one model, no benchmark", [.init(name: "solo", models: 1, shared: 0)], false),
            ("one model with a benchmark", [.init(name: "solo", models: 1, shared: 0)], true),
            ("an arm of one model, no benchmark", [.init(name: "grid", models: 4, shared: 0.4), .init(name: "lonely", models: 1, shared: 0)], false),
        ]
        for (label, arms, benchmark) in cases {
            let (analysis, study) = try ReportFixture.build(arms: arms, benchmark: benchmark)
            let dir = TestSupport.temporaryDirectory("report-edge")
            defer { try? FileManager.default.removeItem(at: dir) }
            let markdown = try render(analysis, study, into: dir)
            for link in imageLinks(markdown) {
                let svg = try String(contentsOf: dir.appendingPathComponent(link), encoding: .utf8)
                XCTAssertNil(SVGXML.parse(svg).error, "\(label): \(link)")
            }
            if !benchmark { XCTAssertTrue(markdown.contains("No benchmark model in this study"), label) }
            XCTAssertTrue(markdown.contains("## Headline answer"), label)
            XCTAssertTrue(try String(contentsOf: dir.appendingPathComponent("report.md"), encoding: .utf8) == markdown)
        }
    }

    func testWrongCorrelationSizeIsAnError() throws {
        let (analysis, study) = try ReportFixture.build(arms: [.init(name: "solo", models: 2, shared: 0)], benchmark: false)
        let dir = TestSupport.temporaryDirectory("report-bad")
        defer { try? FileManager.default.removeItem(at: dir) }
        XCTAssertThrowsError(try StudyReport.write(metrics: analysis.metrics, correlation: [1], study: study, to: dir)) {
            XCTAssertTrue("\($0)".contains("expected 2×2"), "\($0)")
        }
        XCTAssertFalse(FileManager.default.fileExists(atPath: dir.appendingPathComponent("report.md").path))
    }

    /// Every chart of a report renders to a non-blank PNG (rsvg-convert).
    func testReportChartsRenderToPNG() throws {
        let (analysis, study) = try ReportFixture.build(arms: ReportFixture.threeArms, benchmark: true)
        let dir = TestSupport.temporaryDirectory("report-png")
        defer { try? FileManager.default.removeItem(at: dir) }
        let markdown = try render(analysis, study, into: dir)
        for link in imageLinks(markdown) {
            let svg = try String(contentsOf: dir.appendingPathComponent(link), encoding: .utf8)
            let png = dir.appendingPathComponent("png").appendingPathComponent((link as NSString).lastPathComponent + ".png")
            try FileManager.default.createDirectory(at: png.deletingLastPathComponent(), withIntermediateDirectories: true)
            try PNGCheck.render(svg: svg, to: png)
            let s = try PNGCheck.stats(png: png)
            XCTAssertGreaterThan(s.inkFraction, 0.01, "\(link): blank")
            XCTAssertGreaterThanOrEqual(s.saturatedColors, 1, "\(link): no data marks")
        }
    }

    /// A 60-model report: every chart it links parses, and every model has its row in the metrics
    /// and parameters tables. Its speed at 500 models is bench/render-report's (`workbench-bench render-report`).
    func testManyModelReportRenders() throws {
        let models = 60
        let arms = [ReportFixture.Arm(name: "grid", models: models / 2, shared: 0.3),
                    ReportFixture.Arm(name: "seeds", models: models - models / 2 - 1, shared: 0.8)]
        let (analysis, study) = try ReportFixture.build(arms: arms, benchmark: true, featureScores: false)
        let dir = TestSupport.temporaryDirectory("report-many")
        defer { try? FileManager.default.removeItem(at: dir) }
        try StudyReport.write(analysis: analysis, study: study, to: dir)
        try StudyReport.writeMetrics(analysis.metrics, to: dir)
        let markdown = try String(contentsOf: dir.appendingPathComponent("report.md"), encoding: .utf8)
        XCTAssertFalse(imageLinks(markdown).isEmpty)
        for link in imageLinks(markdown) {
            let svg = try String(contentsOf: dir.appendingPathComponent(link), encoding: .utf8)
            XCTAssertNil(SVGXML.parse(svg).error, link)
        }
        XCTAssertEqual(markdown.components(separatedBy: "\n").filter { $0.hasPrefix("| grid-") || $0.hasPrefix("| seeds-") }.count,
                       2 * (models - 1), "one row per model in the metrics table and in the parameters table")
    }

    // MARK: Pieces

    func testStudentTQuantileAgreesWithScipy() throws {
        let r = try TestSupport.python("import json; from scipy.stats import t; print(json.dumps([float(t.ppf(0.95, v)) for v in range(1, 401)]))")
        XCTAssertEqual(r.status, 0, r.stderr)
        let expected = try JSONSerialization.jsonObject(with: Data(r.stdout.utf8)) as! [Double]
        for (i, e) in expected.enumerated() {
            XCTAssertEqual(Distributions.tQuantile(0.95, degreesOfFreedom: Double(i + 1)), e, accuracy: 1e-6, "ν = \(i + 1)")
        }
    }

    /// Each contrast verdict gives its own headline sentence; a missing headline contrast is said
    /// to be not judged (no verdict).
    func testHeadlineSentenceFollowsTheContrastVerdict() {
        let base = (0..<40).map { Double($0 % 5) * 0.01 }
        let jitter = (0..<40).map { Double(($0 * 7) % 5 - 2) * 0.002 }
        let config = InferenceConfig()
        // Noise without a period (a period shorter than the HAC lag could cancel in the se).
        let noise = (0..<40).map { sin(Double($0) * 12.9898) * 0.02 }
        func contrast(_ shift: Double, margin: Double = 0.002, noisy: Bool = false) -> ContrastResult {
            var cfg = config
            cfg.equivalenceMargin = margin
            let a = zip(base, noisy ? noise : jitter).map { $0 + shift + $1 }
            let c = ContrastResult(name: "all − benchmark", a: "all", b: "benchmark", seriesA: a, seriesB: base, config: cfg)
            return ContrastResult.finalize([c], alpha: cfg.alpha)[0]
        }
        let better = contrast(0.01), worse = contrast(-0.01), same = contrast(0, margin: 0.01), unclear = contrast(0.0005, margin: 0.0001, noisy: true)
        XCTAssertEqual([better.verdict, worse.verdict, same.verdict], ["better", "worse", "equivalent"])
        XCTAssertTrue(unclear.verdict.hasPrefix("inconclusive"), unclear.verdict)
        XCTAssertTrue(ReportText.contrast(better, alpha: 0.1, a: "The ensemble", b: "X").hasPrefix("**The ensemble is better than X**"))
        XCTAssertTrue(ReportText.contrast(worse, alpha: 0.1, a: "The ensemble", b: "X").hasPrefix("**The ensemble is worse than X**"))
        XCTAssertTrue(ReportText.contrast(same, alpha: 0.1, a: "The ensemble", b: "X").hasPrefix("**The ensemble and X are equivalent within ±0.0100**"))
        XCTAssertTrue(ReportText.contrast(unclear, alpha: 0.1, a: "The ensemble", b: "X").contains("inconclusive"))
        XCTAssertTrue(ReportText.contrast(better, alpha: 0.1).hasPrefix("**all is better than benchmark**"))
        XCTAssertTrue(ReportText.notJudged(a: "all", b: "best_single", other: "X").hasPrefix("**Not judged against X**"))
    }

    func testJSONLayoutKeepsTokensVerbatim() {
        let json = #"{"a":[1,2.50,{"b":{}}],"c":[],"s":"x: {\"y\"}, [z]","big":18446744073709551615,"e":1e-7}"#
        XCTAssertEqual(JSONLayout.pretty(json), """
        {
          "a": [
            1,
            2.50,
            {
              "b": {}
            }
          ],
          "c": [],
          "s": "x: {\\"y\\"}, [z]",
          "big": 18446744073709551615,
          "e": 1e-7
        }
        """)
        XCTAssertEqual(JSONLayout.pretty(#"{"a":[1"#), #"{"a":[1"#, "unbalanced text is left alone")
        let pretty = JSONLayout.pretty(json)
        XCTAssertEqual(JSONLayout.pretty(pretty), pretty, "idempotent")
    }

    func testModelSummaryFromStoreRecord() {
        let record = ModelRecord(index: 3, id: "m3", arm: "grid", target: "target", parameters: ["learning_rate": 0.01],
                                 droppedEras: 4, droppedFeatures: 2, descriptors: [:], trees: 250, trainSeconds: 1.5, status: .done)
        XCTAssertEqual(ModelSummary(record: record),
                       ModelSummary(id: "m3", arm: "grid", target: "target", params: ["learning_rate": 0.01], droppedEras: 4,
                                    droppedFeatures: 2, trees: 250, trainSeconds: 1.5))
    }

    func testSlugsAreUniqueFileNames() {
        var names = FileNames()
        XCTAssertEqual(FileNames.slug("Drop Eras (10%)"), "drop-eras-10")
        XCTAssertEqual(FileNames.slug("ünïcode"), "n-code")
        XCTAssertEqual(FileNames.slug("***"), "x")
        XCTAssertEqual(names.unique("a-b"), "a-b.svg")
        XCTAssertEqual(names.unique("a-b"), "a-b-2.svg")
        XCTAssertEqual(names.unique("a-b"), "a-b-3.svg")
    }
}
