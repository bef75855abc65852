import Diversity
import EraData
import EvaluationRules
import Fixtures
import Foundation
import TestSupport
@testable import Tournament
import XCTest
import Support

/// The tournament's era data (`TournamentFixture`: eras × rows, every row in the validation split)
/// and a pool of models over it.
typealias Fixture = TournamentFixture

extension TournamentFixture {
    func pool(_ predictions: [[Float]], arms: [String]? = nil, example: Int? = nil, embargo: Int = 0,
              neutral: Bool = true) throws -> ModelPool {
        try ModelPool(ids: predictions.indices.map { "m\($0)" }, arms: arms ?? predictions.map { _ in "grid" },
                      predictions: predictions, rows: rows, dataset: dataset, targetIndex: 0, example: example,
                      split: EvaluationSplit(selectionFraction: 0.5, embargoEras: embargo), neutralContribution: neutral)
    }
}

final class TournamentTests: XCTestCase {
    /// Meta model, corr, MMC, leave-self-out MMC and neutral contribution per staker and era equal
    /// numerai-tools' `stake_weight` / `numerai_corr` / `correlation_contribution` /
    /// `neutral_contribution` on the same inputs, to 1e-9.
    func testScoresMatchNumeraiTools() throws {
        let fx = Fixture(eras: 6, rows: 40, features: 3, seed: 7, missingTargets: true)
        var rng = SplitMix64(seed: 99)
        let n = fx.rows.count
        var predictions: [[Float]] = (0..<4).map { k in
            (0..<n).map { i in Float(fx.z1[i] * Double(k % 2) + fx.z2[i] * 0.3 * Double(k) + rng.nextGaussian()) }
        }
        predictions.append((0..<n).map { Float(Int(fx.z1[$0] * 2)) })  // ties
        let pool = try fx.pool(predictions)
        let stakers = [Staker(stake: 1.5, column: 0), Staker(stake: 0.2, column: 1), Staker(stake: 3, column: 2),
                       Staker(stake: 0.7, column: 4), Staker(stake: 1.1, column: 2)]
        let scores = try MetaModel.score(pool: pool, stakers: stakers, eras: pool.test, neutral: true)
        XCTAssertNotNil(scores.nc)
        var payload: [[String: Any]] = []
        var expected: [(t: Int, s: Int, corr: Double, mmc: Double, nc: Double, lso: Double)] = []
        let lso = stakers.map { MetaModel.leaveSelfOutMMC(pool: pool, scores: scores, staker: $0) }
        for (t, e) in pool.test.enumerated() {
            let rows = Array(pool.layout.eras[e].rows)
            payload.append(["predictions": predictions.map { p in rows.map { Double(p[$0]) } },
                            "target": rows.map { Double(fx.dataset.targets[0][$0]) }.map { $0.isNaN ? -1 : $0 },
                            "features": rows.map { r in (0..<3).map { Double(fx.dataset.features[r, $0]) } }])
            for (s, st) in stakers.enumerated() {
                let c = st.column(at: t)
                expected.append((t, s, scores.corr[t][c], scores.mmc[t][c], scores.nc![t][c], lso[s][t]))
            }
        }
        let input = TestSupport.temporaryDirectory("tournament-oracle").appendingPathComponent("in.json")
        try JSONSerialization.data(withJSONObject: ["eras": payload, "stakes": stakers.map(\.stake),
                                                    "columns": stakers.map { $0.columns[0] }]).write(to: input)
        let result = try TestSupport.python(TestSupport.oracleScript("TournamentTests/TournamentTests-ScoresMatchNumeraiTools.py"), [input.path])
        XCTAssertEqual(result.status, 0, result.stderr)
        let oracle = try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as! [[Double]]
        XCTAssertEqual(oracle.count, expected.count)
        for (k, e) in expected.enumerated() {
            XCTAssertEqual(e.corr, oracle[k][0], accuracy: 1e-9, "corr era \(e.t) staker \(e.s)")
            XCTAssertEqual(e.mmc, oracle[k][1], accuracy: 1e-9, "mmc era \(e.t) staker \(e.s)")
            XCTAssertEqual(e.nc, oracle[k][2], accuracy: 1e-9, "nc era \(e.t) staker \(e.s)")
            XCTAssertEqual(e.lso, oracle[k][3], accuracy: 1e-9, "leave-self-out era \(e.t) staker \(e.s)")
        }
    }

    /// 3 stakers, 2 test eras of 4 rows: meta model and payouts by hand.
    /// Every shipped tournament spec parses, and its study path points where `workbench run` writes
    /// the study it names (results/<name>, or one of its replicates), so the README's commands work as written.
    func testEveryShippedTournamentParses() throws {
        let dir = TestSupport.repoRoot.appendingPathComponent("experiments/tournaments")
        let files = try FileManager.default.contentsOfDirectory(atPath: dir.path).filter { $0.hasSuffix(".json") }
        XCTAssertFalse(files.isEmpty)
        for f in files {
            let spec = try TournamentSpec.load(dir.appendingPathComponent(f).path)
            // results/<study> or one replicate of it, results/<study>/replicates/<label>.
            let study = URL(fileURLWithPath: spec.study).standardizedFileURL.path
            let results = TestSupport.repoRoot.appendingPathComponent("results").standardizedFileURL.path
            XCTAssertTrue(study.hasPrefix(results + "/"), "\(f): \(study)")
            let rest = study.dropFirst(results.count + 1).split(separator: "/")
            XCTAssertTrue(rest.count == 1 || (rest.count == 3 && rest[1] == "replicates"), "\(f): \(study)")
        }
    }

    func testTinyTournamentByHand() throws {
        // 4 eras × 4 rows: eras 0–1 selection, 2–3 test (no embargo).
        let fx = Fixture(eras: 4, rows: 4, features: 1, seed: 3)
        // Ranks within each era: model a = 1,2,3,4; b = 4,3,2,1; c = 2,1,4,3.
        let order: [[Float]] = [[1, 2, 3, 4], [4, 3, 2, 1], [2, 1, 4, 3]]
        let predictions = order.map { o in (0..<16).map { o[$0 % 4] } }
        let pool = try fx.pool(predictions, neutral: false)
        XCTAssertEqual(pool.test, 2..<4)
        let stakers = [Staker(stake: 1, column: 0), Staker(stake: 2, column: 1), Staker(stake: 1, column: 2)]
        let scores = try MetaModel.score(pool: pool, stakers: stakers, eras: pool.test, neutral: false)
        // Φ⁻¹ of tie-kept ranks (r − ½)/4: ±1.1503493803760079, ±0.31863936396437514.
        let g: [Float: Double] = [1: -1.1503493803760079, 2: -0.31863936396437514, 3: 0.31863936396437514, 4: 1.1503493803760079]
        let meta = (0..<4).map { i in (1 * g[order[0][i]]! + 2 * g[order[1][i]]! + 1 * g[order[2][i]]!) / 4 }
        for t in 0..<2 {
            for i in 0..<4 { XCTAssertEqual(scores.metaRaw[t * 4 + i], meta[i], accuracy: 1e-15) }
            // Meta ranks: meta = [-0.12, -0.30, 0.30, 0.12]·… → its own Φ⁻¹(rank).
            let metaRanks = Scoring.gaussianizedRanks(meta)
            let rows = Array((2 + t) * 4..<((3 + t) * 4))
            let target = rows.map { Double(fx.dataset.targets[0][$0]) }
            let t4 = target.map { $0 * 4 }, mean = t4.reduce(0, +) / 4
            for (s, st) in stakers.enumerated() {
                let p = (0..<4).map { g[order[st.columns[0]][$0]]! }
                let beta = zip(p, metaRanks).map(*).reduce(0, +) / metaRanks.map { $0 * $0 }.reduce(0, +)
                let mmc = (0..<4).map { (t4[$0] - mean) * (p[$0] - beta * metaRanks[$0]) }.reduce(0, +) / 4
                XCTAssertEqual(scores.mmc[t][st.columns[0]], mmc, accuracy: 1e-12, "staker \(s) era \(t)")
                let corr = Scoring.numeraiCorr(predictions: p, target: target)
                XCTAssertEqual(scores.corr[t][st.columns[0]], corr, accuracy: 1e-12)
                let rule = PayoutRule(corrMultiplier: 0.5, mmcMultiplier: 2, clip: 0.05)
                XCTAssertEqual(rule.payout(corr: corr, mmc: mmc), min(0.05, max(-0.05, 0.5 * corr + 2 * mmc)))
            }
        }
        XCTAssertEqual(PayoutRule().payout(corr: 0.2, mmc: 0.1), 0.05)
        XCTAssertEqual(PayoutRule().payout(corr: -0.2, mmc: 0), -0.05)
        XCTAssertEqual(PayoutRule().payout(corr: 0.02, mmc: 0.005), 0.02, accuracy: 1e-15)
    }

    /// Planted: incumbents hold noisy copies of signal z1; a staker holding the meta model plus
    /// noise earns MMC ≈ 0, one holding the independent true component z2 earns clearly positive MMC.
    func testPlantedOrthogonalSignalEarnsMMCAndCopiesDoNot() throws {
        let fx = Fixture(eras: 40, rows: 500, features: 2, seed: 11)
        var rng = SplitMix64(seed: 5)
        let n = fx.rows.count
        var predictions: [[Float]] = (0..<5).map { _ in (0..<n).map { Float(fx.z1[$0] + 0.3 * rng.nextGaussian()) } }
        let metaLike = (0..<n).map { i in (0..<5).map { Double(predictions[$0][i]) }.reduce(0, +) / 5 }
        predictions.append((0..<n).map { Float(metaLike[$0] + 0.05 * rng.nextGaussian()) })   // copy of the meta model
        predictions.append((0..<n).map { Float(fx.z2[$0]) })                                 // orthogonal true signal
        let pool = try fx.pool(predictions, neutral: false)
        var stakers = (0..<5).map { Staker(stake: 10, column: $0) }
        stakers.append(Staker(stake: 0.1, column: 5))
        stakers.append(Staker(stake: 0.1, column: 6))
        let scores = try MetaModel.score(pool: pool, stakers: stakers, eras: pool.test, neutral: false)
        let copy = HACMean(scores.mmc.map { $0[5] }, level: 0.9), orth = HACMean(scores.mmc.map { $0[6] }, level: 0.9)
        let incumbent = HACMean(scores.mmc.map { $0[0] }, level: 0.9)
        XCTAssertGreaterThan(orth.mean, 0.1, "orthogonal signal MMC \(orth)")
        XCTAssertGreaterThan(orth.low, 0)
        XCTAssertLessThan(abs(copy.mean), 0.02, "copy MMC \(copy)")
        XCTAssertLessThan(abs(copy.mean), orth.mean / 10)
        XCTAssertLessThan(abs(incumbent.mean), orth.mean / 2)
        // And the corr of the copy is real: it is not MMC ≈ 0 for lack of signal.
        XCTAssertGreaterThan(SeriesSummary.mean(scores.corr.map { $0[5] }), 0.1)
    }

    /// HAC mean, interval and p against statsmodels (small-sample correction, t reference, the
    /// study's default lag 4); Holm against statsmodels' multipletests.
    func testHACAndHolmMatchStatsmodels() throws {
        var rng = SplitMix64(seed: 17)
        var d: [Double] = []
        var prev = 0.0
        for _ in 0..<73 { prev = 0.6 * prev + rng.nextGaussian(); d.append(0.1 + prev) }
        let h = HACMean(d, level: 0.9)
        let p = [0.01, 0.04, 0.03, 0.2, 0.005]
        let result = try TestSupport.python(TestSupport.oracleScript("TournamentTests/TournamentTests-HACAndHolmMatchStatsmodels.py"), ["\(d)", "\(h.lags)", "\(p)"])
        XCTAssertEqual(result.status, 0, result.stderr)
        let o = try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as! [Double]
        XCTAssertEqual(h.lags, 4)
        XCTAssertEqual(h.mean, o[0], accuracy: 1e-12)
        XCTAssertEqual(h.se, o[1], accuracy: 1e-12)
        XCTAssertEqual(h.low, o[2], accuracy: 1e-9)
        XCTAssertEqual(h.high, o[3], accuracy: 1e-9)
        XCTAssertEqual(h.p, o[4], accuracy: 1e-9)
        let holm = PairedInference.holm(p)
        for i in p.indices { XCTAssertEqual(holm[i], o[5 + i], accuracy: 1e-12) }
        XCTAssertEqual(Verdict(mean: 0.1, adjustedP: 0.01, alpha: 0.05), .gain)
        XCTAssertEqual(Verdict(mean: -0.1, adjustedP: 0.01, alpha: 0.05), .loss)
        XCTAssertEqual(Verdict(mean: 0.1, adjustedP: 0.2, alpha: 0.05), .noEvidence)
    }

    /// Scenarios: nested newcomer draws, the example option adds nothing orthogonal, the pool's
    /// newcomers all share one payout series, deterministic output.
    func testScenariosRunAndAreDeterministic() throws {
        let fx = Fixture(eras: 24, rows: 200, features: 2, seed: 21)
        var rng = SplitMix64(seed: 8)
        let n = fx.rows.count
        var predictions: [[Float]] = (0..<8).map { k in
            (0..<n).map { Float(fx.z1[$0] * Double(k % 3) + fx.z2[$0] * Double(k % 2) + rng.nextGaussian()) }
        }
        predictions.append((0..<n).map { Float(fx.z1[$0] + 0.5 * rng.nextGaussian()) })
        let arms = (0..<8).map { $0 < 4 ? "seeds" : "grid" } + ["benchmark"]
        let pool = try fx.pool(predictions, arms: arms, example: 8, embargo: 2)
        let spec = try TournamentSpec.parse(Data("""
            {"name": "t", "study": "x", "seed": 3,
             "incumbents": {"stakers": 30, "stakes": {"pareto": {"alpha": 1.2, "min": 1}},
                            "groups": [{"models": "example", "share": 0.4}, {"name": "seeds", "models": ["seeds"], "share": 0.3},
                                       {"models": ["grid"], "share": 0.3}]},
             "newcomers": {"counts": [5, 20], "models": ["grid"]}}
            """.utf8), baseDirectory: "/tmp")
        let a = try TournamentRunner(spec: spec, pool: pool).run()
        let b = try TournamentRunner(spec: spec, pool: pool).run()
        XCTAssertEqual(try CanonicalJSON.encode(a.result), try CanonicalJSON.encode(b.result))
        XCTAssertEqual(a.scoresCSV, b.scoresCSV)
        let r = a.result
        XCTAssertEqual(r.scenarios.map(\.option), NewcomerOption.allCases)
        XCTAssertEqual(r.incumbents.count, 30)
        // Stake shares are exact.
        let total = r.incumbents.reduce(0) { $0 + $1.stake }
        for g in r.groups {
            let share = r.incumbents.filter { $0.group == g.name }.reduce(0) { $0 + $1.stake } / total
            XCTAssertEqual(share, g.share, accuracy: 1e-12)
        }
        // The total is the sum of the Pareto draws (streams [1, i]), not renormalized.
        let draws = (0..<30).map { i -> Double in
            var rng = SplitMix64(seed: 3, stream: [1, UInt64(i)])
            return StakeDistribution.pareto(alpha: 1.2, min: 1).draw(&rng)
        }
        XCTAssertEqual(total, draws.reduce(0, +), accuracy: 1e-9 * total)
        XCTAssertGreaterThanOrEqual(draws.min()!, 1)
        for s in r.scenarios {
            XCTAssertEqual(s.points.map(\.newcomers), [0, 5, 20], s.option.rawValue)
            XCTAssertEqual(s.points[0].metaCorrChange.mean, 0)
            XCTAssertNotNil(s.fund)
        }
        let pooled = r.scenarios.first { $0.option == .pool }!
        XCTAssertEqual(pooled.points[2].newcomerPayoutSpread!.std, 0, accuracy: 1e-15)  // one shared submission
        let example = r.scenarios.first { $0.option == .example }!
        XCTAssertEqual(example.candidates, 1)
    }

    /// The pair-sorting rank gives exactly (bit for bit) what the study analysis' rank gives,
    /// with ties, ±0 and negative values.
    func testFastRankerIsBitIdenticalToTheLayoutRank() throws {
        let fx = Fixture(eras: 4, rows: 300, features: 1, seed: 2)
        let pool = try fx.pool([(0..<1200).map { Float($0 % 7) }], neutral: false)
        var rng = SplitMix64(seed: 4)
        var ranker = FastRanker()
        var scratch = RankScratch()
        for trial in 0..<20 {
            let e = trial % pool.layout.eras.count
            let n = pool.layout.eras[e].valid.count
            var values = (0..<n).map { _ in (rng.nextGaussian() * 3).rounded(trial % 2 == 0 ? .towardZero : .toNearestOrEven) / 2 }
            if trial % 3 == 0 { values = values.map { $0 * 1e-3 + rng.nextGaussian() } }
            values[0] = -0.0; values[1] = 0.0
            var a = [Double](repeating: 0, count: n), b = a
            values.withUnsafeBufferPointer { v in
                a.withUnsafeMutableBufferPointer { ranker.gaussianize(v, table: pool.layout.eras[e].table, into: $0) }
                b.withUnsafeMutableBufferPointer { pool.layout.gaussianize(era: e, values: v, into: $0, scratch: &scratch) }
            }
            XCTAssertEqual(a.map(\.bitPattern), b.map(\.bitPattern), "trial \(trial)")
        }
        XCTAssertLessThan(FastRanker.key(-2), FastRanker.key(-1))
        XCTAssertEqual(FastRanker.key(-0.0), FastRanker.key(0.0))
        XCTAssertLessThan(FastRanker.key(0), FastRanker.key(.leastNonzeroMagnitude))
    }

    func testSpecErrorsNameThePath() throws {
        func error(_ json: String) -> String {
            do { _ = try TournamentSpec.parse(Data(json.utf8), baseDirectory: "/tmp"); return "no error" } catch { return "\(error)" }
        }
        let base = #""incumbents": {"stakers": 10, "groups": [{"models": "example", "share": 1}]}"#
        XCTAssertEqual(error(#"{"name": "t", "study": "s", "seeed": 1, \#(base)}"#), "$.seeed: unknown key 'seeed'; did you mean 'seed'?")
        XCTAssertEqual(error(#"{"name": "t", "study": "s", "incumbents": {"stakers": 10, "groups": [{"models": "example", "share": 0.5}]}}"#),
                       "$.incumbents.groups: shares must sum to 1 (they sum to 0.5)")
        XCTAssertEqual(error(#"{"name": "t", "study": "s", \#(base), "newcomers": {"options": ["uniqe"]}}"#),
                       "$.newcomers.options[0]: unknown option 'uniqe'; did you mean 'unique'?")
        XCTAssertEqual(error(#"{"name": "t", "study": "s", "incumbents": {"stakers": 10, "stakes": {"logNormal": {"sigma": -1}}, "groups": [{"models": "example", "share": 1}]}}"#),
                       "$.incumbents.stakes.logNormal.sigma: must lie in [0, 10]")
        XCTAssertEqual(error(#"{"name": "t", \#(base)}"#), "$.study: missing required key 'study'")
        XCTAssertTrue(error(#"{"name": "t", "study": "s", \#(base), "payout": {"clip": 0}}"#).hasPrefix("$.payout.clip: must be > 0"))
    }
}
