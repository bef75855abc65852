import Foundation
import TestSupport
import XCTest

/// A replicated study as a user runs it: `workbench run` trains every replicate into its own
/// directory, pools, and prints the verdicts; resume, `--shard` + `merge` and `report` give the
/// same bytes; the pooled numbers agree with statsmodels on the per-replicate rows it wrote.
final class ReplicatesCommandTests: XCTestCase {
    var root: URL!

    static let study = TinyStudy.json(
        name: "tiny-replicates", description: "Tiny replicated study: 2 data seeds × 2 walk-forward folds.",
        seed: 4, models: 2, trees: 20, evaluation: #"{"selectionFraction": 0.5, "embargoEras": 1}"#,
        more: [#""replicates": {"dataSeeds": [1, 2], "splits": {"walkForward": 2}}"#])
    static let labels = ["data1-fold1of2", "data1-fold2of2", "data2-fold1of2", "data2-fold2of2"]

    override func setUpWithError() throws { root = TestSupport.temporaryDirectory("replicates-cmd") }
    override func tearDownWithError() throws { try? FileManager.default.removeItem(at: root) }

    func studyFile(_ json: String = study) throws -> String {
        let file = root.appendingPathComponent("tiny-replicates.json")
        try json.write(to: file, atomically: true, encoding: .utf8)
        return file.path
    }

    /// The parent's pooled outputs, by relative path.
    func outputs(_ dir: URL) throws -> [String: Data] {
        try TestSupport.outputs(["replicates.json", "replicates.md", "metrics.json"], folder: "charts", in: dir)
    }

    func testRunPoolsEveryReplicateAndShardsMergeToTheSameBytes() throws {
        let file = try studyFile()
        let out = root.appendingPathComponent("out")

        let check = try TestSupport.workbench(["run", file, "--check"])
        XCTAssertEqual(check.status, 0, check.stderr)
        // 48 labelled eras, 2 folds: windows of 16; fold 1 trains on 15 eras (embargo 1), fold 2 on
        // 31. (The generator does not store its own embargo eras, so names jump after 0036.)
        XCTAssertTrue(check.stdout.contains("replicates: 4"), check.stdout)
        XCTAssertTrue(check.stdout.contains("data1-fold1of2: data seed 1, study seed 4, fold 1/2: train 0001–0015 (15 eras), evaluation 0017–0032 (16 eras)"), check.stdout)
        XCTAssertTrue(check.stdout.contains("data2-fold2of2: data seed 2, study seed 4, fold 2/2: train 0001–0031 (31 eras), evaluation 0033–0052 (16 eras)"), check.stdout)

        let run = try TestSupport.workbench(["run", file, "--out", out.path, "--quiet"])
        XCTAssertEqual(run.status, 0, run.stderr)
        XCTAssertTrue(run.stdout.contains("pooled over 4 replicate(s)"), run.stdout)
        XCTAssertTrue(run.stdout.contains("  all − benchmark: "), run.stdout)
        XCTAssertTrue(run.stdout.contains("report: \(out.appendingPathComponent("replicates.md").path)"), run.stdout)
        for label in Self.labels {
            let dir = out.appendingPathComponent("replicates/\(label)")
            for name in ["predictions.h5", "metrics.json", "report.md", "study.json"] {
                XCTAssertTrue(FileManager.default.fileExists(atPath: dir.appendingPathComponent(name).path), "\(label)/\(name)")
            }
        }
        let childRecord = try JSONSerialization.jsonObject(with: Data(contentsOf: out.appendingPathComponent("replicates/data2-fold1of2/study.json"))) as! [String: Any]
        XCTAssertTrue((childRecord["study"] as! String).contains(#""fold":{"index":1,"of":2}"#))
        XCTAssertEqual(childRecord["name"] as? String, "tiny-replicates-data2-fold1of2")

        let first = try outputs(out)
        let summary = try JSONSerialization.jsonObject(with: first["replicates.json"]!) as! [String: Any]
        let replicates = summary["replicates"] as! [[String: Any]]
        XCTAssertEqual(replicates.map { $0["label"] as! String }, Self.labels)
        XCTAssertEqual(replicates[1]["fold"] as? String, "2/2")
        XCTAssertEqual((replicates[1]["test"] as! [String: Any])["last"] as? String, "0052")
        XCTAssertEqual((replicates[1]["train"] as! [String: Any])["count"] as? Int, 31)
        XCTAssertEqual((replicates[1]["selection"] as! [String: Any])["count"] as? Int, 8)
        XCTAssertEqual((replicates[1]["test"] as! [String: Any])["count"] as? Int, 7)
        let pooled = summary["pooled"] as! [[String: Any]]
        let names = pooled.map { $0["name"] as! String }
        // The headline's two contrasts first (as in each replicate's report), then the levels.
        XCTAssertEqual(Array(names.prefix(6)), ["all − best_single", "all − benchmark", "ensemble corr", "benchmark corr",
                                                "arm grid ensemble corr", "arm seeds ensemble corr"])
        XCTAssertEqual(Set(names).count, names.count)
        // A replicate is left out of a contrast exactly when its own contrast has no estimate: an
        // empty ensemble (mean null) or the same ensemble on both sides (HAC se 0, e.g. a filter
        // that kept every model). Every other quantity pools all 4.
        var degenerate: [String: [String]] = [:]
        var contrastNames: [[String]] = []
        for label in Self.labels {
            let m = try JSONSerialization.jsonObject(with: Data(contentsOf: out.appendingPathComponent("replicates/\(label)/metrics.json"))) as! [String: Any]
            let contrasts = m["contrasts"] as! [[String: Any]]
            contrastNames.append(contrasts.map { $0["name"] as! String })
            for c in contrasts where !((c["hac_se"] as? Double).map { $0 > 0 } ?? false) { degenerate[c["name"] as! String, default: []].append(label) }
        }
        XCTAssertEqual(Set(contrastNames.map { $0.joined(separator: "|") }).count, 1, "every replicate has the same contrasts")
        // Every contrast with an estimate in some replicate is pooled; one with none (here
        // grid.filtered − grid: the filter kept both grid models or none) cannot be.
        XCTAssertEqual(Set(contrastNames[0].filter { (degenerate[$0]?.count ?? 0) < 4 }), Set(names.filter { !$0.hasSuffix(" corr") }))
        XCTAssertEqual(contrastNames[0].filter { degenerate[$0]?.count == 4 }, ["grid.filtered − grid"])
        XCTAssertTrue(contrastNames[0].contains("grid − seeds[2]"))
        for p in pooled {
            let name = p["name"] as! String
            let k = 4 - (degenerate[name]?.count ?? 0)
            XCTAssertEqual(p["excluded"] as? [String], degenerate[name] ?? [], name)
            XCTAssertEqual(p["k"] as? Int, k, "\(p)")
            if name.hasPrefix("all − ") || name.hasSuffix(" corr") { XCTAssertEqual(k, 4, name) }
            let robust = p["robust"] as! Bool
            XCTAssertEqual(robust, (p["verdict"] as! String).hasPrefix("robust"))
            XCTAssertEqual(p["sign_needed"] as? Int, (2 * k + 2) / 3)
            XCTAssertTrue(FileManager.default.fileExists(atPath: out.appendingPathComponent("charts").path))
        }
        XCTAssertNotNil(first["charts/forest-all-benchmark.svg"], "\(first.keys.sorted())")
        XCTAssertEqual(first.keys.filter { $0.hasPrefix("charts/forest-") }.count, pooled.count)
        let svg = String(decoding: first["charts/forest-all-benchmark.svg"]!, as: UTF8.self)
        for label in Self.labels { XCTAssertTrue(svg.contains(">\(label)</text>"), label) }
        XCTAssertTrue(svg.contains("random effects (DL)"))
        // The parent's metrics.json carries the pooled rows.
        let metrics = try JSONSerialization.jsonObject(with: first["metrics.json"]!) as! [String: Any]
        XCTAssertEqual((metrics["replicates"] as! [[String: Any]]).count, pooled.count)
        let markdown = String(decoding: first["replicates.md"]!, as: UTF8.self)
        XCTAssertTrue(markdown.contains("## Pooled verdicts"))
        XCTAssertTrue(markdown.contains("![all − benchmark: forest plot](charts/forest-all-benchmark.svg)"), markdown)

        // The pooled numbers are statsmodels' on the per-replicate rows the run wrote.
        let oracle = try TestSupport.python(TestSupport.oracleScript("EndToEndTests/ReplicatesCommandTests-RunPoolsEveryReplicateAndShardsMergeToTheSameBytes.py"), [out.appendingPathComponent("replicates.json").path])
        XCTAssertEqual(oracle.status, 0, oracle.stderr)
        let expected = try JSONSerialization.jsonObject(with: Data(oracle.stdout.utf8)) as! [String: [Double]]
        for p in pooled {
            let e = expected[p["name"] as! String]!
            let fixed = p["fixed"] as! [String: Any], random = p["random"] as! [String: Any]
            let ours = [fixed["mean"], random["mean"], random["ci_low"], random["ci_high"]].map { ($0 as! NSNumber).doubleValue }
            for (a, b) in zip(ours, e) { XCTAssertEqual(a, b, accuracy: 1e-10 + 1e-9 * abs(b), "\(p["name"]!)") }
        }

        // Resume: nothing to train, the same bytes.
        let again = try TestSupport.workbench(["run", file, "--out", out.path, "--quiet"])
        XCTAssertEqual(again.status, 0, again.stderr)
        XCTAssertEqual(try outputs(out), first)
        // report re-analyses every replicate from its predictions: the same bytes.
        let report = try TestSupport.workbench(["report", out.path])
        XCTAssertEqual(report.status, 0, report.stderr)
        XCTAssertEqual(try outputs(out), first)

        // Sharded: each shard trains its share of every replicate; merge completes each replicate
        // and pools — bit-identical to the single run. A missing shard is named with its command.
        let sharded = root.appendingPathComponent("sharded")
        let s0 = try TestSupport.workbench(["run", file, "--out", sharded.path, "--shard", "0/2", "--quiet"])
        XCTAssertEqual(s0.status, 0, s0.stderr)
        XCTAssertTrue(s0.stdout.contains("workbench merge"), s0.stdout)
        let early = try TestSupport.workbench(["merge", sharded.path])
        XCTAssertEqual(early.status, 1)
        XCTAssertTrue(early.stderr.contains("replicate data1-fold1of2, shard 1"), early.stderr)
        XCTAssertTrue(early.stderr.contains("--shard 1/2 --out"), early.stderr)
        XCTAssertFalse(FileManager.default.fileExists(atPath: sharded.appendingPathComponent("replicates.json").path))
        let s1 = try TestSupport.workbench(["run", file, "--out", sharded.path, "--shard", "1/2", "--quiet"])
        XCTAssertEqual(s1.status, 0, s1.stderr)
        let merge = try TestSupport.workbench(["merge", sharded.path])
        XCTAssertEqual(merge.status, 0, merge.stderr)
        XCTAssertTrue(merge.stdout.contains("pooled over 4 replicate(s)"), merge.stdout)
        XCTAssertEqual(try outputs(sharded), first)

        // A changed study is refused in the same directory; with --force, replicates it no longer
        // has are removed and the ones it keeps unchanged are not retrained.
        let fewer = try studyFile(Self.study.replacingOccurrences(of: #""dataSeeds": [1, 2]"#, with: #""dataSeeds": [2]"#))
        let refused = try TestSupport.workbench(["run", fewer, "--out", out.path, "--quiet"])
        XCTAssertEqual(refused.status, 1)
        XCTAssertTrue(refused.stderr.contains("holds results of a different study"), refused.stderr)
        XCTAssertEqual(try outputs(out), first)
        // A replicate with nothing to train keeps its analysis: its metrics.json is not rewritten.
        let keptMetrics = out.appendingPathComponent("replicates/data2-fold1of2/metrics.json")
        func modified() throws -> Date { try FileManager.default.attributesOfItem(atPath: keptMetrics.path)[.modificationDate] as! Date }
        let before = try modified()
        let forced = try TestSupport.workbench(["run", fewer, "--out", out.path, "--quiet", "--force"])
        XCTAssertEqual(forced.status, 0, forced.stderr)
        XCTAssertTrue(forced.stdout.contains("pooled over 2 replicate(s)"), forced.stdout)
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: out.appendingPathComponent("replicates").path).sorted(),
                       ["data2-fold1of2", "data2-fold2of2"])
        XCTAssertEqual(try modified(), before)
        let reduced = try JSONSerialization.jsonObject(with: Data(contentsOf: out.appendingPathComponent("replicates.json"))) as! [String: Any]
        XCTAssertEqual((reduced["replicates"] as! [[String: Any]]).map { $0["label"] as! String }, ["data2-fold1of2", "data2-fold2of2"])
    }

    /// The whole pipeline on planted signal and on none: the all-models ensemble's corr (pooled
    /// over 3 data seeds × 2 folds) is called robustly positive on the generator's signal, and no
    /// corr is called directional when the target is noise (noise 1e6). Error rates of the rule
    /// itself are measured in PoolingTests over many seeds; this checks the plumbing end to end.
    func testPlantedSignalIsFoundAndNoiseIsNot() throws {
        func study(_ name: String, noise: Double?) -> String {
            let noiseKey = noise.map { #", "noise": \#($0)"# } ?? ""
            return """
            {"name": "\(name)", "seed": 5, "models": 3,
             "data": {"synthetic": {"eras": 72, "rowsPerEra": 200, "features": 20\(noiseKey)}},
             "fixed": {"n_estimators": 40, "learning_rate": 0.08, "max_depth": 4, "num_leaves": 15, "colsample_bytree": 0.3},
             "benchmark": {"n_estimators": 40, "learning_rate": 0.08},
             "evaluation": {"selectionFraction": 0.5, "embargoEras": 2},
             "arms": [{"name": "grid", "vary": {"max_depth": {"intRange": [2, 6]}, "colsample_bytree": {"uniform": [0.1, 0.9]}}},
                      {"name": "seeds", "vary": {"seed": {"intRange": [0, 2147483647]}}}],
             "replicates": {"dataSeeds": [0, 1, 2], "splits": {"walkForward": 2}}}
            """
        }
        func pooled(_ name: String, noise: Double?) throws -> [String: [String: Any]] {
            let file = root.appendingPathComponent("\(name).json")
            try study(name, noise: noise).write(to: file, atomically: true, encoding: .utf8)
            let out = root.appendingPathComponent(name)
            let r = try TestSupport.workbench(["run", file.path, "--out", out.path, "--quiet"])
            XCTAssertEqual(r.status, 0, r.stderr)
            let s = try JSONSerialization.jsonObject(with: Data(contentsOf: out.appendingPathComponent("replicates.json"))) as! [String: Any]
            return Dictionary(uniqueKeysWithValues: (s["pooled"] as! [[String: Any]]).map { ($0["name"] as! String, $0) })
        }
        let signal = try pooled("signal", noise: nil)
        XCTAssertEqual(signal["ensemble corr"]?["verdict"] as? String, "robust positive", "\(signal["ensemble corr"] ?? [:])")
        XCTAssertEqual(signal["ensemble corr"]?["k"] as? Int, 6)
        let noise = try pooled("noise", noise: 1e6)
        for name in ["ensemble corr", "benchmark corr", "arm grid ensemble corr", "arm seeds ensemble corr"] {
            let verdict = noise[name]?["verdict"] as? String
            XCTAssertEqual(verdict, "inconclusive", "\(name): \(noise[name] ?? [:])")
        }
    }

    /// Ctrl-C inside a replicate keeps the replicates before it and that replicate's finished
    /// models; the same command resumes and pools exactly what an uninterrupted run pools.
    func testInterruptedReplicatedRunResumesToTheSameResult() throws {
        let json = Self.study.replacingOccurrences(of: #""models": 2"#, with: #""models": 8"#)
            .replacingOccurrences(of: #""rowsPerEra": 120"#, with: #""rowsPerEra": 400"#)
            .replacingOccurrences(of: #""n_estimators": 20, "learning_rate": 0.1, "max_depth": 3"#, with: #""n_estimators": 150, "learning_rate": 0.1, "max_depth": 3"#)
        let file = try studyFile(json)
        let interrupted = root.appendingPathComponent("interrupted"), straight = root.appendingPathComponent("straight")
        // Interrupt once the second replicate has stored a model.
        let (wasRunning, status) = try TestSupport.interruptWorkbench(
            ["run", file, "--out", interrupted.path, "--jobs", "2", "--quiet"],
            whenParts: interrupted.appendingPathComponent("replicates/data1-fold2of2/parts"), reach: 1)
        if wasRunning {
            XCTAssertEqual(status, 130, "an interrupted run exits 130")
            XCTAssertFalse(FileManager.default.fileExists(atPath: interrupted.appendingPathComponent("replicates.json").path))
            XCTAssertTrue(FileManager.default.fileExists(atPath: interrupted.appendingPathComponent("replicates/data1-fold1of2/metrics.json").path))
        }
        let resumed = try TestSupport.workbench(["run", file, "--out", interrupted.path, "--quiet"])
        XCTAssertEqual(resumed.status, 0, resumed.stderr)
        let full = try TestSupport.workbench(["run", file, "--out", straight.path, "--quiet", "--jobs", "1"])
        XCTAssertEqual(full.status, 0, full.stderr)
        XCTAssertEqual(try outputs(interrupted), try outputs(straight))
    }

    func testBadReplicatesAreLocatedErrors() throws {
        let file = try studyFile(Self.study.replacingOccurrences(of: #""splits": {"walkForward": 2}"#, with: #""split": {"walkForward": 2}"#))
        let r = try TestSupport.workbench(["run", file, "--out", root.appendingPathComponent("bad").path])
        XCTAssertEqual(r.status, 1)
        XCTAssertTrue(r.stderr.contains("$.replicates.split: unknown key 'split'; did you mean 'splits'?"), r.stderr)
        XCTAssertFalse(FileManager.default.fileExists(atPath: root.appendingPathComponent("bad").path))
        // Too many folds for the data: named before any training.
        let many = try studyFile(Self.study.replacingOccurrences(of: #""walkForward": 2"#, with: #""walkForward": 40"#))
        let m = try TestSupport.workbench(["run", many, "--out", root.appendingPathComponent("many").path])
        XCTAssertEqual(m.status, 1)
        XCTAssertTrue(m.stderr.contains("$.replicates.splits.walkForward"), m.stderr)
        XCTAssertTrue(m.stderr.contains("40 walk-forward folds"), m.stderr)
        XCTAssertFalse(FileManager.default.fileExists(atPath: root.appendingPathComponent("many").path))
    }
}
