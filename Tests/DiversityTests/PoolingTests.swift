@testable import Diversity
import EvaluationRules
import Foundation
import TestSupport
import XCTest

/// Pooling over replicates: fixed effect and DerSimonian–Laird random effects against
/// statsmodels' `combine_effects(method_re="dl")`, and the robustness rule on planted effects.
final class PoolingTests: XCTestCase {
    /// Effect sets: heterogeneous (τ² > 0), homogeneous (Q < k − 1, τ² clipped to 0), two
    /// replicates, many replicates with unequal errors, and mixed signs.
    static let cases: [(effects: [Double], se: [Double])] = [
        ([0.1, 0.3, -0.05, 0.2], [0.1, 0.1414, 0.1225, 0.1732]),
        ([0.0031, 0.0029, 0.0030, 0.0032, 0.0028], [0.0015, 0.0012, 0.0020, 0.0017, 0.0011]),
        ([0.004, -0.001], [0.002, 0.0025]),
        ((0..<23).map { 0.002 + 0.004 * sin(Double($0) * 1.7) }, (0..<23).map { 0.0008 + 0.0006 * Double($0 % 5) }),
        ([-0.01, 0.02, -0.015, 0.03, 0.0], [0.01, 0.012, 0.009, 0.011, 0.01]),
    ]

    func testMatchesStatsmodelsCombineEffectsDL() throws {
        let input = Self.cases.map { ["effects": $0.effects, "se": $0.se] }
        let json = String(decoding: try JSONSerialization.data(withJSONObject: input), as: UTF8.self)
        let out = try Fixture.python(TestSupport.oracleScript("DiversityTests/PoolingTests-MatchesStatsmodelsCombineEffectsDL.py"), [json]) as! [[String: Any]]
        XCTAssertEqual(out.count, Self.cases.count)
        for (i, c) in Self.cases.enumerated() {
            let m = try XCTUnwrap(MetaAnalysis(effects: c.effects, standardErrors: c.se, level: 0.9))
            let fe = doubles(out[i]["fe"]), re = doubles(out[i]["re"])
            let (flo, fhi) = m.fixedInterval, (rlo, rhi) = m.randomInterval
            for (ours, theirs, what) in [(m.fixedMean, fe[0], "fixed mean"), (m.fixedSE, fe[1], "fixed se"), (flo, fe[2], "fixed low"),
                                         (fhi, fe[3], "fixed high"), (m.randomMean, re[0], "random mean"), (m.randomSE, re[1], "random se"),
                                         (rlo, re[2], "random low"), (rhi, re[3], "random high"),
                                         (m.tau2, (out[i]["tau2"] as! NSNumber).doubleValue, "tau2"),
                                         (m.i2, (out[i]["i2"] as! NSNumber).doubleValue, "I2"),
                                         (m.q, (out[i]["q"] as! NSNumber).doubleValue, "Q")] {
                assertClose(ours, theirs, rel: 1e-9, floor: 1e-15, "case \(i) \(what)")
            }
        }
        // The homogeneous case really exercises the clip at zero, the heterogeneous one does not.
        XCTAssertLessThan((out[1]["raw_tau2"] as! NSNumber).doubleValue, 0)
        XCTAssertGreaterThan((out[4]["raw_tau2"] as! NSNumber).doubleValue, 0)
        XCTAssertEqual(MetaAnalysis(effects: Self.cases[1].effects, standardErrors: Self.cases[1].se)!.tau2, 0)
        XCTAssertGreaterThan(MetaAnalysis(effects: Self.cases[4].effects, standardErrors: Self.cases[4].se)!.tau2, 0)
    }

    /// Pooled p (normal, random effects), the pooled MDE (z_0.95 + z_0.8)·se_RE, and the Holm adjustment over the study's pooled contrasts,
    /// against statsmodels: combine_effects (DL, τ² clipped at 0), scipy's norm.sf, and
    /// multipletests(method="holm"). A level is pooled too but not tested. One contrast is built to
    /// be directional unadjusted (p ≈ 0.058) and not after Holm: its `verdict_holm` is inconclusive;
    /// another (p ≈ 0.046, interval inside the ±0.001 margin) falls back to equivalent. The pooled
    /// TOST p against ±0.001 (scipy's norm) and its Holm adjustment over the same contrasts
    /// (multipletests) decide the equivalence of `verdict_holm`: Holm-adjusted TOST p < α/2.
    func testPooledHolmMatchesStatsmodels() throws {
        let cases = Self.cases + [([0.002, 0.002], [0.00149, 0.00149]), ([0.0004, 0.0004, 0.0004, 0.0004], [0.0004, 0.0004, 0.0004, 0.0004])]
        let labels = (0..<cases.map(\.effects.count).max()!).map { "r\($0)" }
        var evidence = ReplicateEvidence()
        for (r, label) in labels.enumerated() {
            let contrasts = cases.enumerated().compactMap { i, c in
                r < c.effects.count ? Self.contrast("c\(i)", mean: c.effects[r], se: c.se[r], hac: c.se[r]) : nil
            }
            try evidence.add(metricsJSON: Self.metrics(contrasts: contrasts, ensembles: ["all": [0.01, 0.02, 0.015, 0.03]]),
                             replicate: label, level: 0.9)
        }
        let pooled = ReplicatePooling.pool(evidence, replicates: labels, level: 0.9)
        XCTAssertEqual(pooled.filter { $0.kind == "contrast" }.count, cases.count)
        for level in pooled where level.kind == "level" {
            XCTAssertNil(level.p); XCTAssertNil(level.pHolm); XCTAssertNil(level.verdictHolm); XCTAssertNil(level.mde)
        }
        let input = cases.map { ["effects": $0.effects, "se": $0.se, "margin": 0.001] as [String: Any] }
        let json = String(decoding: try JSONSerialization.data(withJSONObject: input), as: UTF8.self)
        let out = try Fixture.python(TestSupport.oracleScript("DiversityTests/PoolingTests-PooledHolmMatchesStatsmodels.py"), [json]) as! [String: Any]
        let p = doubles(out["p"]), holm = doubles(out["holm"]), mde = doubles(out["mde"])
        let tost = doubles(out["tost"]), tostHolm = doubles(out["tost_holm"])
        for i in cases.indices {
            let row = try XCTUnwrap(pooled.first { $0.name == "c\(i)" })
            assertClose(try XCTUnwrap(row.p), p[i], rel: 1e-9, floor: 1e-15, "contrast \(i) p")
            assertClose(try XCTUnwrap(row.pHolm), holm[i], rel: 1e-9, floor: 1e-15, "contrast \(i) p_holm")
            assertClose(try XCTUnwrap(row.mde), mde[i], rel: 1e-9, floor: 1e-15, "contrast \(i) mde")
            let directional = row.verdict.contains("positive") || row.verdict.contains("negative")
            XCTAssertEqual(directional, p[i] < 0.1, "contrast \(i): the unadjusted verdict is the p < α call")
            assertClose(try XCTUnwrap(row.tostP), tost[i], rel: 1e-9, floor: 1e-15, "contrast \(i) tost_p")
            assertClose(try XCTUnwrap(row.tostPHolm), tostHolm[i], rel: 1e-9, floor: 1e-15, "contrast \(i) tost_p_holm")
            // The unadjusted equivalence (interval inside ±0.001) is the TOST p < α/2 call.
            let inside = row.random.ciLow > -0.001 && row.random.ciHigh < 0.001
            XCTAssertEqual(inside, tost[i] < 0.05, "contrast \(i)")
            // Failing Holm, a directional call falls back to equivalent (adjusted TOST) or inconclusive.
            XCTAssertEqual(row.verdictHolm, directional && holm[i] < 0.1 ? row.verdict : (tostHolm[i] < 0.05 ? "equivalent" : "inconclusive"),
                           "contrast \(i)")
        }
        let planted = try XCTUnwrap(pooled.first { $0.name == "c\(cases.count - 2)" })
        XCTAssertEqual(planted.verdict, "robust positive")
        XCTAssertEqual(planted.verdictHolm, "inconclusive")
        let small = try XCTUnwrap(pooled.first { $0.name == "c\(cases.count - 1)" })
        XCTAssertEqual(small.verdict, "robust positive")
        XCTAssertEqual(small.verdictHolm, "equivalent")
        XCTAssertEqual(pooled.first { $0.name == "c1" }?.verdictHolm, "robust positive")
        XCTAssertEqual(pooled.first { $0.name == "c3" }?.verdictHolm, "positive, not robust")
    }

    /// Pooled equivalence is Holm-adjusted too: 12 pooled contrasts with true zero effect and tight
    /// intervals stay equivalent after Holm; 6 borderline ones (pooled TOST p 0.01…0.035, so their
    /// 90 % interval lies inside ±0.001 and `verdict` is equivalent) are inconclusive in
    /// `verdict_holm`, where the family of 18 needs Holm-adjusted TOST p < α/2. Alone, each
    /// borderline contrast keeps its equivalence.
    func testPooledEquivalenceIsHolmAdjusted() throws {
        let margin = 0.001
        let targets = [0.01, 0.015, 0.02, 0.025, 0.03, 0.035]
        // Two replicates with the same mean and se s·√2 pool (τ² = 0) to the mean with se s; a mean
        // of 0 gives TOST p = Φ(−δ/s).
        let borderlineSE = targets.map { margin / -Distributions.normalQuantile($0) }
        func pooled(_ names: [String], nulls: Int) throws -> [PooledEstimate] {
            var evidence = ReplicateEvidence()
            for r in ["r0", "r1"] {
                let zero = (0..<nulls).map { Self.contrast("null\($0)", mean: r == "r0" ? 0.00002 : -0.00002, se: 0.00005, hac: 0.00005, margin: margin) }
                let edge = names.map { n in Self.contrast(n, mean: 0, se: borderlineSE[Int(n.dropFirst(4))!] * 2.0.squareRoot(),
                                                          hac: borderlineSE[Int(n.dropFirst(4))!] * 2.0.squareRoot(), margin: margin) }
                try evidence.add(metricsJSON: Self.metrics(contrasts: zero + edge), replicate: r, level: 0.9)
            }
            return ReplicatePooling.pool(evidence, replicates: ["r0", "r1"], level: 0.9)
        }
        let all = try pooled(targets.indices.map { "edge\($0)" }, nulls: 12)
        XCTAssertEqual(all.count, 18)
        let tost = all.map { $0.tostP ?? .nan }
        let json = String(decoding: try JSONSerialization.data(withJSONObject: [tost]), as: UTF8.self)
        let holm = (try Fixture.python(TestSupport.oracleScript("DiversityTests/InferenceTests-HolmMatchesStatsmodelsMultipletests.py"), [json]) as! [[Double]])[0]
        for (i, row) in all.enumerated() {
            assertClose(try XCTUnwrap(row.tostPHolm), holm[i], rel: 1e-12, floor: 1e-300, "\(row.name) tost_p_holm")
        }
        for row in all where row.name.hasPrefix("null") {
            XCTAssertEqual(row.verdict, "equivalent", row.name)
            XCTAssertEqual(row.verdictHolm, "equivalent", row.name)
        }
        for (i, row) in all.filter({ $0.name.hasPrefix("edge") }).enumerated() {
            assertClose(try XCTUnwrap(row.tostP), targets[i], rel: 1e-9, "\(row.name) planted TOST p")
            XCTAssertEqual(row.verdict, "equivalent", "\(row.name): its interval lies inside ±δ")
            XCTAssertEqual(row.verdictHolm, "inconclusive", "\(row.name): Holm-adjusted TOST p \(row.tostPHolm ?? .nan)")
        }
        for i in targets.indices {
            let alone = try pooled(["edge\(i)"], nulls: 0)[0]
            XCTAssertEqual(alone.verdictHolm, "equivalent", "edge\(i) alone")
        }
    }

    func testOneReplicateAndUnusableErrors() throws {
        let one = try XCTUnwrap(MetaAnalysis(effects: [0.01], standardErrors: [0.002]))
        XCTAssertEqual(one.k, 1)
        XCTAssertEqual(one.tau2, 0)
        XCTAssertEqual(one.i2, 0)
        XCTAssertEqual(one.randomMean, 0.01)
        XCTAssertEqual(one.randomSE, 0.002, accuracy: 1e-15)
        XCTAssertNil(MetaAnalysis(effects: [0.01, .nan], standardErrors: [0, 0.1]))
        // Non-finite or zero errors are left out, not given infinite weight.
        let m = try XCTUnwrap(MetaAnalysis(effects: [0.01, 0.5, 0.02], standardErrors: [0.002, 0, 0.002]))
        XCTAssertEqual(m.k, 2)
        XCTAssertEqual(m.fixedMean, 0.015, accuracy: 1e-15)
    }

    /// One replicate's metrics.json in the contrasts contract: `contrasts[]`, and `ensembles[]`
    /// whose `test_corr` is what the study writes for each per-era series (`MeanInterval`).
    static func metrics(contrasts: [[String: Any]], ensembles: [String: [Double]] = [:], alpha: Double = 0.1) throws -> Data {
        let config = InferenceConfig(alpha: alpha)
        let rows: [[String: Any]] = try ensembles.keys.sorted().map { name in
            let interval = try JSONSerialization.jsonObject(with: JSONEncoder().encode(MeanInterval(ensembles[name]!, config: config)))
            return ["name": name, "members": [], "test_corr": interval]
        }
        let root: [String: Any] = [
            "benchmark": "benchmark",
            "inference": ["alpha": alpha, "hac_lag": config.hacLag],
            "contrasts": contrasts,
            "ensembles": rows,
            "arms": [["arm": "benchmark"], ["arm": "grid"]],
        ]
        return try JSONSerialization.data(withJSONObject: root)
    }

    static func contrast(_ name: String, a: String = "grid", b: String = "benchmark", mean: Double, se: Double, hac: Double?,
                         margin: Double = 0.001) -> [String: Any] {
        var c: [String: Any] = ["name": name, "a": a, "b": b, "n_eras": 50, "mean": mean, "se": se,
                                "ci_low": mean - 1.645 * se, "ci_high": mean + 1.645 * se, "mde": 0.003, "p": 0.1, "p_holm": 0.2,
                                "equivalence": ["margin": margin, "p": 0.5, "equivalent": false], "verdict": "inconclusive"]
        if let hac {
            c["hac_se"] = hac
            c["hac_ci_low"] = mean - 1.645 * hac
            c["hac_ci_high"] = mean + 1.645 * hac
        } else {
            c["hac_se"] = NSNull()
            c["hac_ci_low"] = NSNull()
            c["hac_ci_high"] = NSNull()
        }
        return c
    }

    /// Contrasts are taken as the study's inference gave them (HAC se first); levels come from
    /// `ensembles[]` with the Newey–West se statsmodels gives on the ensemble's per-era series —
    /// the pooling estimates no standard error of its own. Headline contrasts come first.
    func testEvidenceReadsContrastsAndLevels() throws {
        // Autocorrelated per-era series (so the HAC se differs from the plain one).
        func series(_ seed: Double, _ shift: Double) -> [Double] {
            (0..<40).map { (i: Int) -> Double in
                let x = Double(i)
                let slow: Double = 0.02 * sin(x * 0.45 + seed)
                let fast: Double = 0.01 * cos(x * x * 0.7 + seed)
                return shift + slow + fast
            }
        }
        var ensembles: [String: [Double]] = [:]
        ensembles["all"] = series(0.3, 0.012)
        ensembles["benchmark"] = series(1.1, 0.004)
        ensembles["grid"] = series(2.0, 0.009)
        ensembles["grid.filtered"] = series(2.5, 0.01)
        ensembles["best_single"] = series(3.0, 0.011)
        for alpha in [0.1, 0.05] {
            var evidence = ReplicateEvidence()
            try evidence.add(metricsJSON: Self.metrics(contrasts: [
                Self.contrast("grid − benchmark", mean: 0.004, se: 0.001, hac: 0.0015),
                Self.contrast("plain", mean: 0.002, se: 0.001, hac: nil),
                Self.contrast("all − benchmark", a: "all", b: "benchmark", mean: 0.008, se: 0.002, hac: 0.003),
                Self.contrast("all − best_single", a: "all", b: "best_single", mean: 0.001, se: 0.002, hac: 0.0025),
            ], ensembles: ensembles, alpha: alpha), replicate: "r1", level: 0.9)
            XCTAssertEqual(evidence.quantities.map(\.name),
                           ["all − best_single", "all − benchmark", "ensemble corr", "benchmark corr", "arm grid ensemble corr",
                            "grid − benchmark", "plain"])
            XCTAssertEqual(evidence.quantities.map(\.kind), ["contrast", "contrast", "level", "level", "level", "contrast", "contrast"])
            let byName = Dictionary(uniqueKeysWithValues: evidence.estimates.map { ($0.name, $0) })
            XCTAssertEqual(byName["grid − benchmark"]?.se, 0.0015, "HAC se is pooled when present")
            XCTAssertEqual(byName["grid − benchmark"]!.ciLow, 0.004 - 1.645 * 0.0015, accuracy: 1e-15)
            XCTAssertEqual(byName["all − benchmark"]?.se, 0.003)
            XCTAssertEqual(byName["plain"]?.se, 0.001, "plain se when the HAC one is null")
            XCTAssertEqual(evidence.quantities.first { $0.name == "plain" }?.margin, 0.001)

            let input = ["all", "benchmark", "grid"].map { ensembles[$0]! }
            let json = String(decoding: try JSONSerialization.data(withJSONObject: input), as: UTF8.self)
            let oracle = try Fixture.python(TestSupport.oracleScript("DiversityTests/PoolingTests-EvidenceReadsContrastsAndLevels.py"), [json]) as! [[Double]]
            for (name, o) in zip(["ensemble corr", "benchmark corr", "arm grid ensemble corr"], oracle) {
                let e = try XCTUnwrap(byName[name], name)
                assertClose(e.mean, o[0], rel: 1e-12, floor: 1e-15, "\(name) mean")
                assertClose(e.se, o[1], rel: 1e-10, floor: 1e-15, "\(name) HAC se (alpha \(alpha))")
                XCTAssertEqual(e.nEras, 40)
            }
            XCTAssertNil(byName["arm benchmark ensemble corr"], "the benchmark is its own level")
            XCTAssertFalse(evidence.quantities.contains { $0.name.contains("filtered") || $0.name.contains("best_single ") })
        }
    }

    /// A replicate whose contrast is degenerate — the same ensemble on both sides (every paired
    /// difference 0, se 0) or an empty one (null mean) — is listed as excluded, not pooled with
    /// infinite weight; the others are pooled as without it.
    func testDegenerateReplicateIsExcludedAndListed() throws {
        var evidence = ReplicateEvidence()
        let labels = ["r0", "r1", "r2", "r3"]
        let rows: [[String: Any]] = [
            Self.contrast("grid.filtered − grid", mean: 0.003, se: 0.001, hac: 0.0012),
            Self.contrast("grid.filtered − grid", mean: 0, se: 0, hac: 0),
            Self.contrast("grid.filtered − grid", mean: 0.001, se: 0.002, hac: 0.0018),
            ["name": "grid.filtered − grid", "a": "grid.filtered", "b": "grid", "n_eras": 0, "mean": NSNull(), "se": NSNull(),
             "hac_se": NSNull(), "verdict": "undetermined"],
        ]
        for (label, row) in zip(labels, rows) {
            try evidence.add(metricsJSON: Self.metrics(contrasts: [row]), replicate: label, level: 0.9)
        }
        let p = try XCTUnwrap(ReplicatePooling.pool(evidence, replicates: labels).first { $0.name == "grid.filtered − grid" })
        XCTAssertEqual(p.k, 2)
        XCTAssertEqual(p.excluded, ["r1", "r3"])
        let direct = try XCTUnwrap(MetaAnalysis(effects: [0.003, 0.001], standardErrors: [0.0012, 0.0018], level: 0.9))
        XCTAssertEqual(p.random.mean, direct.randomMean)
        XCTAssertEqual(p.fixed.se, direct.fixedSE)
    }

    /// Plants a contrast: the same true effect in every replicate, observed with noise of a known
    /// size (so the per-replicate estimates vary as they would), over many seeds.
    func pooled(trueEffects: [Double], se: Double, seed: UInt64) -> PooledEstimate {
        var state = seed &* 0x9E37_79B9_7F4A_7C15 | 1
        func normal() -> Double {
            // Box–Muller from a xorshift stream (enough for a test of the rule).
            func u() -> Double { state ^= state << 13; state ^= state >> 7; state ^= state << 17; return (Double(state >> 11) + 0.5) / 9007199254740992 }
            return (-2 * log(u())).squareRoot() * cos(2 * Double.pi * u())
        }
        var evidence = ReplicateEvidence()
        let labels = trueEffects.indices.map { "r\($0)" }
        for (i, mu) in trueEffects.enumerated() {
            let m = mu + se * normal()
            try! evidence.add(metricsJSON: Self.metrics(contrasts: [Self.contrast("planted", mean: m, se: se, hac: se)]),
                              replicate: labels[i], level: 0.9)
        }
        return ReplicatePooling.pool(evidence, replicates: labels, level: 0.9).first { $0.name == "planted" }!
    }

    func testPlantedEffectIsCalledRobustAndNullIsNot() {
        var robust = 0, falsePositives = 0
        let runs = 400
        for seed in 0..<UInt64(runs) {
            // 6 replicates, true effect 4 standard errors: robust almost always.
            if pooled(trueEffects: [Double](repeating: 0.004, count: 6), se: 0.001, seed: seed).robust { robust += 1 }
            // No effect anywhere: a directional verdict is a false positive (two-sided 10% level).
            let null = pooled(trueEffects: [Double](repeating: 0, count: 6), se: 0.001, seed: seed + 10_000)
            if null.verdict.contains("positive") || null.verdict.contains("negative") { falsePositives += 1 }
        }
        XCTAssertGreaterThan(robust, runs * 97 / 100, "planted effect found robust in \(robust) of \(runs)")
        // Expected 10% (the interval's level); binomial sd √(400·0.09) = 6, so < 64 is > 4 sd slack.
        XCTAssertLessThan(falsePositives, 64, "null called directional in \(falsePositives) of \(runs)")
    }

    func testSignRuleAndEquivalence() {
        // The pooled interval excludes zero but only 3 of 6 replicates agree in sign: not robust.
        var evidence = ReplicateEvidence()
        let means = [0.02, 0.018, 0.022, -0.001, -0.002, -0.0015]
        for (i, m) in means.enumerated() {
            try! evidence.add(metricsJSON: Self.metrics(contrasts: [Self.contrast("mixed", mean: m, se: 0.004, hac: 0.004, margin: 0.05)]),
                              replicate: "r\(i)", level: 0.9)
        }
        let p = ReplicatePooling.pool(evidence, replicates: means.indices.map { "r\($0)" }).first { $0.name == "mixed" }!
        XCTAssertEqual(p.k, 6)
        XCTAssertEqual(p.signNeeded, 4)
        XCTAssertEqual(p.signAgreement, 3)
        XCTAssertGreaterThan(p.random.ciLow, 0)
        XCTAssertFalse(p.robust)
        XCTAssertEqual(p.verdict, "positive, not robust")
        XCTAssertEqual(p.spread.min, -0.002)
        XCTAssertEqual(p.spread.max, 0.022)

        // Tiny effects well inside a wide margin: equivalent.
        var eq = ReplicateEvidence()
        for i in 0..<4 {
            try! eq.add(metricsJSON: Self.metrics(contrasts: [Self.contrast("same", mean: i % 2 == 0 ? 0.0002 : -0.0002, se: 0.0005, hac: nil, margin: 0.003)]),
                        replicate: "r\(i)", level: 0.9)
        }
        let e = ReplicatePooling.pool(eq, replicates: (0..<4).map { "r\($0)" }).first { $0.name == "same" }!
        XCTAssertEqual(e.verdict, "equivalent")
        XCTAssertFalse(e.robust)
        // ⌈2k/3⌉ for k = 1…7.
        XCTAssertEqual((1...7).map { ReplicatePooling.signNeeded(k: $0) }, [1, 2, 2, 3, 4, 4, 5])
    }
}
