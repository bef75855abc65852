import Foundation
import XCTest
@testable import Reports

final class CompareTests: XCTestCase {
    static let sample = """
    {"models": [
       {"id": "m1", "arm": "seeds", "params": {"learning_rate": 0.02, "num_leaves": 31}, "corr_mean": 0.019,
        "corr_sharpe": 0.9, "bmc_mean": 0.002, "max_drawdown": 0.2, "max_feature_exposure": 0.3, "ok": true},
       {"id": "m0", "arm": "seeds", "params": {"learning_rate": 0.01, "num_leaves": 31}, "corr_mean": 0.021,
        "corr_sharpe": 1.1, "bmc_mean": 0.001, "max_drawdown": 0.1, "max_feature_exposure": 0.2, "ok": false},
       {"id": "m2", "arm": "drop eras", "params": {}, "corr_mean": 0.030, "corr_sharpe": 2, "bmc_mean": 0.004,
        "max_drawdown": 0.05, "max_feature_exposure": null}],
     "diversity": {"pairwise_corr_mean": 0.85, "pca_explained_variance_ratio": [0.5, 0.2, 0.1, 0.05, 0.05, 0.04, 0.03, 0.02, 0.005, 0.004, 0.001],
                   "participation_ratio": 1.2, "effective_models": 1.5},
     "scaling": [{"k": 2, "method": "random", "corr_mean": 0.021, "ci_low": 0.019, "ci_high": 0.023},
                 {"k": 1, "method": "random", "corr_mean": 0.02, "ci_low": 0.018, "ci_high": 0.022},
                 {"k": 1, "method": "greedy", "corr_mean": 0.022}],
     "arms": [{"name": "seeds", "models": 2}, {"name": "drop eras", "models": 1}],
     "eras": [{"era": 3, "corr": 0.1}, {"era": 1, "corr": 0.2}],
     "study": {"name": "ci", "seed": 7}}
    """

    func metrics(_ json: String) throws -> [String: Double] {
        var out: [String: Double] = [:]
        for m in MetricNames.flatten(try JSONValue.parse(Data(json.utf8))) {
            XCTAssertNil(out[m.name], "duplicate name \(m.name)")
            out[m.name] = m.value
        }
        return out
    }

    func testFlatteningNamesAreStableAndOrderIndependent() throws {
        let m = try metrics(Self.sample)
        XCTAssertEqual(m["diversity.pairwise_corr_mean"], 0.85)
        XCTAssertEqual(m["diversity.pca_explained_variance_ratio[0]"], 0.5)
        XCTAssertEqual(m["diversity.pca_explained_variance_ratio[10]"], 0.001)
        XCTAssertEqual(m["scaling[k=5,method=random].corr_mean"], nil)
        XCTAssertEqual(m["scaling[k=1,method=random].corr_mean"], 0.02)
        XCTAssertEqual(m["scaling[k=2,method=random].ci_low"], 0.019)
        XCTAssertEqual(m["scaling[k=1,method=greedy].corr_mean"], 0.022)
        XCTAssertEqual(m["models[id=m0].corr_mean"], 0.021)
        XCTAssertEqual(m["models[id=m1].params.learning_rate"], 0.02)
        XCTAssertEqual(m["models[id=m1].ok"], 1)
        XCTAssertEqual(m["models[id=m0].ok"], 0)
        XCTAssertTrue(m["models[id=m2].max_feature_exposure"]!.isNaN)
        XCTAssertEqual(m["arms[name=seeds].models"], 2)
        XCTAssertEqual(m["eras[era=3].corr"], 0.1)
        XCTAssertEqual(m["study.seed"], 7)
        XCTAssertNil(m["study.name"], "strings are not metrics")
        XCTAssertNil(m["scaling[k=1,method=random].k"], "identity fields are not metrics")
        // Aggregates over models, overall and per arm.
        XCTAssertEqual(m["summary.models.count"], 3)
        XCTAssertEqual(m["summary.models.corr_mean.mean"]!, (0.019 + 0.021 + 0.030) / 3, accuracy: 1e-15)
        XCTAssertEqual(m["summary.models.corr_mean.median"], 0.021)
        XCTAssertEqual(m["summary.models.corr_mean.max"], 0.030)
        XCTAssertEqual(m["summary.models.max_feature_exposure.mean"]!, 0.25, accuracy: 1e-15)
        XCTAssertEqual(m["summary.models[arm=seeds].count"], 2)
        XCTAssertEqual(m["summary.models[arm=drop eras].corr_mean.min"], 0.030)

        // Reordering lists changes nothing.
        let reordered = Self.sample.replacingOccurrences(of: "\"m1\"", with: "\"mX\"")
        XCTAssertNotNil(try metrics(reordered)["models[id=mX].corr_mean"])
        let names = MetricNames.flatten(try JSONValue.parse(Data(Self.sample.utf8))).map(\.name)
        XCTAssertEqual(names, names.sorted(by: MetricNames.naturalLess))
        XCTAssertLessThan(names.firstIndex(of: "diversity.pca_explained_variance_ratio[2]")!,
                          names.firstIndex(of: "diversity.pca_explained_variance_ratio[10]")!)
    }

    func testIdentityFallsBackToPositionWhenNothingIsUnique() throws {
        let m = try metrics(#"{"xs": [{"method": "a", "v": 1}, {"method": "a", "v": 2}], "ys": [{"v": 3}]}"#)
        XCTAssertEqual(m["xs[0].v"], 1)
        XCTAssertEqual(m["xs[1].v"], 2)
        XCTAssertEqual(m["ys[0].v"], 3)
        // Identity uses every identity field, even when fewer would do (stable when a run adds a method).
        let s = try metrics(#"{"scaling": [{"k": 1, "method": "random", "c": 1}, {"k": 2, "method": "random", "c": 2}]}"#)
        XCTAssertEqual(s["scaling[k=2,method=random].c"], 2)
        // A metric-like integer field is never an identity: position again.
        let n = try metrics(#"{"xs": [{"n_models": 3, "v": 1}, {"n_models": 4, "v": 2}]}"#)
        XCTAssertEqual(n["xs[1].n_models"], 4)
        // Three-field identity written alphabetically.
        let t = try metrics(#"{"s": [{"arm": "a", "k": 1, "method": "r", "c": 1}, {"arm": "b", "k": 1, "method": "r", "c": 2}, {"arm": "a", "k": 2, "method": "r", "c": 3}, {"arm": "a", "k": 1, "method": "g", "c": 4}]}"#)
        XCTAssertEqual(t["s[arm=a,k=1,method=g].c"], 4)
        XCTAssertEqual(t["s[arm=b,k=1,method=r].c"], 2)
    }

    func testDirections() {
        let cases: [(String, MetricDirection)] = [
            ("models[id=m1].corr_mean", .higherIsBetter),
            ("models[id=m1].corr_sharpe", .higherIsBetter),
            ("models[id=m1].bmc_mean", .higherIsBetter),
            ("models[id=m1].mmc_mean", .higherIsBetter),
            ("models[id=m1].fnc_mean", .higherIsBetter),
            ("ensemble.contribution_positive_share", .higherIsBetter),
            ("scaling[k=2,method=random].ci_low", .neutral),
            ("arms[arm=grid].scaling[k=2,method=random].ci_high", .neutral),
            ("scaling[k=2,method=random].corr_mean", .higherIsBetter),
            ("ensemble.ci_low", .higherIsBetter),
            ("summary.models.corr_mean.min", .higherIsBetter),
            ("models[id=m1].max_drawdown", .lowerIsBetter),
            ("models[id=m1].max_feature_exposure", .lowerIsBetter),
            ("summary.models.max_drawdown.mean", .lowerIsBetter),
            ("models[id=m1].corr_std", .neutral),
            ("diversity.pairwise_corr_mean", .neutral),
            ("diversity.effective_models", .neutral),
            ("models[id=m1].params.learning_rate", .neutral),
            ("summary.models.count", .neutral),
            ("scaling[method=corr_top].k_best", .neutral),
            ("per_era[era=0061].ensemble", .neutral),
            ("per_era[era=0061].best_single_corr", .neutral),
            ("attribution[parameter=max_depth].corr_spearman", .neutral),
            ("arms[arm=grid].attribution[parameter=seed].contribution_r2", .neutral),
        ]
        for (name, expected) in cases { XCTAssertEqual(MetricDirection.of(name), expected, name) }
    }

    func testToleranceAndStatus() {
        let tol = Tolerance(relative: 1e-3, absolute: 1e-6)
        XCTAssertTrue(tol.isClose(1, 1.0009))
        XCTAssertFalse(tol.isClose(1, 1.0011))
        XCTAssertTrue(tol.isClose(0, 9e-7))
        XCTAssertFalse(tol.isClose(0, 2e-6))
        XCTAssertTrue(tol.isClose(.nan, .nan))
        XCTAssertTrue(tol.isClose(.infinity, .infinity))
        func status(_ name: String, _ b: Double?, _ n: Double?) -> ComparisonRow.Status {
            ComparisonRow.classify(name: name, base: b, new: n, tolerance: tol).status
        }
        XCTAssertEqual(status("x.corr_mean", 0.02, 0.0200001), .unchanged)
        XCTAssertEqual(status("x.corr_mean", 0.02, 0.021), .improved)
        XCTAssertEqual(status("x.corr_mean", 0.02, 0.019), .regressed)
        XCTAssertEqual(status("x.max_drawdown", 0.2, 0.1), .improved)
        XCTAssertEqual(status("x.max_drawdown", 0.2, 0.3), .regressed)
        XCTAssertEqual(status("diversity.pairwise_corr_mean", 0.8, 0.9), .changed)
        XCTAssertEqual(status("diversity.pairwise_corr_mean", 0.8, 0.7), .changed)
        XCTAssertEqual(status("diversity.pairwise_corr_mean", 0.8, .nan), .regressed)
        XCTAssertEqual(status("x.corr_mean", .nan, 0.02), .changed)
        XCTAssertEqual(status("x.corr_mean", 0.02, nil), .removed)
        XCTAssertEqual(status("x.corr_mean", nil, 0.02), .added)
    }

    func testComparisonTableAndVerdict() throws {
        let base = try JSONValue.parse(Data(Self.sample.utf8))
        XCTAssertFalse(Comparison(base: base, new: base, tolerance: .standard).hasRegression)
        XCTAssertEqual(Comparison(base: base, new: base, tolerance: .standard).table(all: false).split(separator: "\n").count, 2)

        let worse = Self.sample.replacingOccurrences(of: "\"corr_mean\": 0.030", with: "\"corr_mean\": 0.029")
            .replacingOccurrences(of: "\"participation_ratio\": 1.2", with: "\"participation_ratio\": 1.3")
            .replacingOccurrences(of: ", \"ci_low\": 0.019", with: "")
        let c = Comparison(base: base, new: try JSONValue.parse(Data(worse.utf8)), tolerance: .standard)
        XCTAssertTrue(c.hasRegression)
        let regressed = Set(c.regressions.map(\.name))
        XCTAssertTrue(regressed.contains("models[id=m2].corr_mean"))
        XCTAssertTrue(regressed.contains("scaling[k=2,method=random].ci_low"), "a removed metric is a regression")
        XCTAssertFalse(regressed.contains("diversity.participation_ratio"))
        XCTAssertEqual(c.rows.first { $0.name == "diversity.participation_ratio" }?.status, .changed)
        let table = c.table(all: false)
        XCTAssertTrue(table.contains("| models[id=m2].corr_mean"))
        XCTAssertTrue(table.contains("-0.001000 (-3.33%)"))
        XCTAssertFalse(table.contains("models[id=m0].corr_mean"), "unchanged rows only with --all")
        XCTAssertTrue(c.table(all: true).contains("models[id=m0].corr_mean"))
        // A looser tolerance hides the small corr change but never a removed metric.
        let loose = Comparison(base: base, new: try JSONValue.parse(Data(worse.utf8)), tolerance: Tolerance(relative: 0.1, absolute: 0))
        XCTAssertEqual(loose.regressions.map(\.name), ["scaling[k=2,method=random].ci_low"])
        let md = c.markdown(baseLabel: "a|b", newLabel: "new", all: false)
        XCTAssertTrue(md.hasPrefix("# Study comparison\n"))
        XCTAssertTrue(md.contains("regressed or removed"))
    }

    func testMetricsOfAnElementOnlyTheBaseHasAreGoneNotRegressions() throws {
        let base = try JSONValue.parse(Data(Self.sample.utf8))
        // m2 is not in the new study; m1 lost a leaf while the model is still there.
        var object = try JSONSerialization.jsonObject(with: Data(Self.sample.utf8)) as! [String: Any]
        var models = (object["models"] as! [[String: Any]]).filter { $0["id"] as? String != "m2" }
        models[0].removeValue(forKey: "corr_sharpe")
        XCTAssertEqual(models[0]["id"] as? String, "m1")
        object["models"] = models
        let fewer = String(decoding: try JSONSerialization.data(withJSONObject: object), as: UTF8.self)
        let c = Comparison(base: base, new: try JSONValue.parse(Data(fewer.utf8)), tolerance: .standard)
        let status = Dictionary(uniqueKeysWithValues: c.rows.map { ($0.name, $0.status) })
        XCTAssertEqual(status["models[id=m2].corr_mean"], .gone)
        XCTAssertEqual(status["summary.models[arm=drop eras].count"], .gone)
        XCTAssertEqual(status["models[id=m1].corr_sharpe"], .removed, "a leaf of a model both have")
        XCTAssertFalse(c.regressions.contains { $0.name.hasPrefix("models[id=m2]") })
        XCTAssertTrue(c.regressions.contains { $0.name == "models[id=m1].corr_sharpe" })
        XCTAssertTrue(c.rows.filter { $0.status == .gone }.allSatisfy(\.isDetail))
        XCTAssertEqual(Comparison.elementPrefixes("a[x=1].b[k=2,m=r].c"), ["a[x=1]", "a[x=1].b[k=2,m=r]"])
    }

    /// A metrics.json with `n` models, per-era rows and (optionally) ensembles.
    static func study(models n: Int, shift: Double, eras: Range<Int>, ensembles: Bool) -> String {
        let models = (0..<n).map { i in
            #"{"id": "m\#(i)", "arm": "\#(i % 2 == 0 ? "grid" : "seeds")", "params": {"seed": \#(i)}, "corr_mean": \#(0.01 + shift + Double(i) * 1e-4), "max_drawdown": \#(0.1 - shift)}"#
        }.joined(separator: ", ")
        let perEra = eras.map { e in
            #"{"era": "\#(String(format: "%04d", e))", "ensemble": \#(0.02 + shift + 0.01 * sin(Double(e))), "best_single": \#(0.015 + 0.01 * cos(Double(e))), "benchmark": \#(0.01 + shift / 2)}"#
        }.joined(separator: ", ")
        let arms = #"{"arm": "grid", "model_ids": [], "scaling": [{"k": 1, "method": "random", "corr_mean": 0.01}, {"k": 3, "method": "random", "corr_mean": \#(0.02 + shift)}, {"k": 9, "method": "theory", "corr_mean": 0.5}]}"#
        let ens = ensembles ? #", "ensembles": [{"name": "all", "test_corr": {"mean": \#(0.03 + shift)}}, {"name": "grid", "test_corr": {"mean": 0.025}}], "inference": {"alpha": 0.2, "hac_lag": 2}"# : ""
        return #"{"benchmark": "benchmark", "models": [\#(models)], "per_era": [\#(perEra)], "arms": [\#(arms)], "diversity": {"pairwise_corr_mean": \#(0.8 + shift), "effective_models": 2.5}\#(ens)}"#
    }

    func testHeadlineAndPairedIntervalFromPerEraValues() throws {
        let base = try JSONValue.parse(Data(Self.study(models: 4, shift: 0, eras: 10..<30, ensembles: false).utf8))
        let new = try JSONValue.parse(Data(Self.study(models: 4, shift: 0.001, eras: 15..<40, ensembles: true).utf8))
        let h = Headline(base)
        // Without ensembles: per-era means and the arm's largest random k.
        let ensembleMean = (10..<30).map { 0.02 + 0.01 * sin(Double($0)) }.reduce(0, +) / 20
        XCTAssertEqual(h.value("ensemble")!, ensembleMean, accuracy: 1e-15)
        XCTAssertEqual(h.value("arm:grid"), 0.02)
        XCTAssertEqual(h.value("rho"), 0.8)
        XCTAssertEqual(h.values.map(\.key), ["ensemble", "best_single", "benchmark", "arm:grid", "rho", "effective_models"])
        let n = Headline(new)
        XCTAssertEqual(n.value("ensemble"), 0.031)
        XCTAssertEqual(n.value("arm:grid"), 0.025)
        let rows = HeadlineRow.rows(base: h, new: n)
        // Paired over the 15 shared eras 15…29: d = 0.001 every era for the ensemble.
        let p = try XCTUnwrap(rows.first { $0.key == "ensemble" }?.paired)
        XCTAssertEqual(p.eras, 15)
        XCTAssertEqual(p.mean, 0.001, accuracy: 1e-15)
        XCTAssertEqual(p.ciHigh - p.ciLow, 0, accuracy: 1e-12, "constant difference: zero-width interval")
        XCTAssertEqual(p.level, 0.8, accuracy: 1e-15)
        let best = try XCTUnwrap(rows.first { $0.key == "best_single" }?.paired)
        XCTAssertEqual(best.mean, 0, accuracy: 1e-15)
        // No shared eras: no interval.
        let far = try JSONValue.parse(Data(Self.study(models: 4, shift: 0, eras: 100..<120, ensembles: false).utf8))
        XCTAssertNil(HeadlineRow.rows(base: h, new: Headline(far)).first!.paired)
    }

    func testMarkdownStaysUnderTheCommentLimitWithDetailFolded() throws {
        // Two different large studies: thousands of per-model and per-era rows.
        let base = try JSONValue.parse(Data(Self.study(models: 1500, shift: 0, eras: 0..<400, ensembles: true).utf8))
        let new = try JSONValue.parse(Data(Self.study(models: 1200, shift: -0.002, eras: 100..<500, ensembles: true).utf8))
        let c = Comparison(base: base, new: new, tolerance: .standard)
        XCTAssertGreaterThan(c.rows.count, 5000)
        let md = c.markdown(baseLabel: "base", newLabel: "new", all: false)
        XCTAssertLessThan(md.utf8.count, Comparison.markdownLimit)
        XCTAssertTrue(md.contains("## Headline"))
        XCTAssertTrue(md.contains("<details><summary>Neutral detail"))
        XCTAssertTrue(md.hasSuffix("</details>\n"))
        XCTAssertTrue(md.contains("more rows not shown (`workbench compare --json` lists every one)"), md)
        // Regressions: the model leaves both have (1200 corr_mean, 1200 drawdowns) and the
        // summaries; never the 300 models only in base, the per-era rows or the inference sections.
        XCTAssertTrue(c.regressions.allSatisfy { !$0.name.hasPrefix("per_era") && !$0.name.hasPrefix("ensembles") })
        XCTAssertFalse(c.regressions.contains { $0.name.hasPrefix("models[id=m1300]") })
        XCTAssertEqual(c.count(.gone), 300 * 3 + 100 * 3)
        // Every listed row of the changed table is a regression or an improvement, in that order.
        let terminal = c.terminal(all: false)
        XCTAssertTrue(terminal.hasPrefix("| headline (test eras)"))
        XCTAssertTrue(terminal.contains("more rows not shown (`workbench compare --all` lists every one)"))
        XCTAssertTrue(terminal.hasSuffix(c.summary + "\n"))
        let json = try JSONSerialization.jsonObject(with: try c.json(baseLabel: "b", newLabel: "n", all: false)) as! [String: Any]
        XCTAssertEqual(json["regressions"] as? Int, c.regressions.count)
        XCTAssertEqual((json["rows"] as! [Any]).count, c.rows.filter { $0.status != .unchanged }.count)
        XCTAssertEqual((json["headline"] as! [[String: Any]]).first?["key"] as? String, "ensemble")
    }

    func testLoadingErrors() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("cmp-\(UUID().uuidString.prefix(8))")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        XCTAssertThrowsError(try MetricsFile.load(dir.appendingPathComponent("nope").path)) {
            XCTAssertEqual($0 as? ReportsError, .missingPath(dir.appendingPathComponent("nope").path))
        }
        XCTAssertThrowsError(try MetricsFile.load(dir.path)) {
            XCTAssertEqual($0 as? ReportsError, .missingMetrics(directory: dir.path))
        }
        let file = dir.appendingPathComponent("metrics.json")
        try "{\"a\": [1, 2,}".write(to: file, atomically: true, encoding: .utf8)
        XCTAssertThrowsError(try MetricsFile.load(dir.path)) { error in
            guard case .invalidJSON(let f, _)? = error as? ReportsError else { return XCTFail("\(error)") }
            XCTAssertEqual(f, file.path)
        }
        try "[1, 2]".write(to: file, atomically: true, encoding: .utf8)
        XCTAssertThrowsError(try MetricsFile.load(dir.path)) { XCTAssertEqual($0 as? ReportsError, .notAnObject(file: file.path)) }
        try "{\"a\": NaN}".write(to: file, atomically: true, encoding: .utf8)
        XCTAssertThrowsError(try MetricsFile.load(file.path))
        try "{\"a\": \"NaN\", \"b\": 1}".write(to: file, atomically: true, encoding: .utf8)
        XCTAssertEqual(MetricNames.flatten(try MetricsFile.load(file.path)).map(\.name), ["a", "b"])
    }
}
