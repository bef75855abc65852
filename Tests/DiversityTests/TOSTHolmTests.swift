import Diversity
import EvaluationRules
import Foundation
import Support
import TestSupport
import XCTest

/// "Equivalent" is a claim like "better": over a study's family of contrasts its TOST p is
/// Holm-adjusted (`tost_p_holm`) and the verdict needs the adjusted p < α, so many contrasts do
/// not buy equivalence claims without family-wise control.
final class TOSTHolmTests: XCTestCase {
    let config = InferenceConfig()   // α = 0.1, HAC lag 4, margin ±0.002
    let eras = 98

    /// A paired series with exactly this mean difference whose TOST p (HAC se) is `tost`: the
    /// noise z is centred and scaled so that (δ − |μ|)/hac_se = −t_{tost, n−1}.
    func borderline(mean mu: Double, tost p: Double, seed: UInt64) -> (a: [Double], b: [Double]) {
        var rng = SplitMix64(seed: seed)
        let b = (0..<eras).map { _ in 0.02 + rng.nextGaussian() * 0.02 }
        let z = (0..<eras).map { _ in rng.nextGaussian() }
        let zMean = z.reduce(0, +) / Double(eras)
        let centred = z.map { $0 - zMean }
        let wantedSE = (config.equivalenceMargin - abs(mu)) / -Distributions.tQuantile(p, degreesOfFreedom: Double(eras - 1))
        let scale = wantedSE / PairedInference.hacStandardError(centred, lag: config.hacLag)
        return (zip(b, centred).map { $0 + mu + scale * $1 }, b)
    }

    /// True zero effect with a tight interval: a = b + tiny noise.
    func null(seed: UInt64) -> (a: [Double], b: [Double]) {
        var rng = SplitMix64(seed: seed)
        let b = (0..<eras).map { _ in 0.02 + rng.nextGaussian() * 0.02 }
        return (b.map { $0 + rng.nextGaussian() * 0.0005 }, b)
    }

    func contrasts(_ pairs: [(a: [Double], b: [Double])]) -> [ContrastResult] {
        ContrastResult.finalize(pairs.enumerated().map { i, s in
            ContrastResult(name: "c\(i)", a: "a\(i)", b: "b\(i)", seriesA: s.a, seriesB: s.b, config: config)
        }, alpha: config.alpha)
    }

    /// 24 null contrasts with tight intervals and 8 borderline ones (raw TOST p 0.02…0.09 < α):
    /// `tost_p_holm` equals statsmodels' multipletests(method="holm") of TOST p-values computed from
    /// the differences with statsmodels' HAC se and scipy's t; the null ones stay "equivalent",
    /// the borderline ones are equivalent unadjusted (`equivalence.equivalent`) but not after Holm.
    func testHolmAdjustedTOSTMatchesStatsmodels() throws {
        let targets = [0.02, 0.03, 0.04, 0.05, 0.06, 0.07, 0.08, 0.09]
        let pairs = (0..<24).map { null(seed: 100 + UInt64($0)) }
            + targets.enumerated().map { i, p in borderline(mean: i % 2 == 0 ? 0.0003 : -0.0002, tost: p, seed: 200 + UInt64(i)) }
        let results = contrasts(pairs)
        let differences = pairs.map { s in zip(s.a, s.b).map { $0 - $1 } }
        let json = String(decoding: try JSONSerialization.data(withJSONObject: differences), as: UTF8.self)
        let out = try Fixture.python(TestSupport.oracleScript("DiversityTests/TOSTHolmTests-HolmAdjustedTOSTMatchesStatsmodels.py"),
                                     [json, "\(config.equivalenceMargin)", "\(config.hacLag)"]) as! [String: Any]
        let tost = doubles(out["tost"]), holm = doubles(out["holm"])
        for (i, c) in results.enumerated() {
            // Floor 1e-12: the null contrasts' TOST p (≈ 1e-40) is 1 − T(x) in double precision.
            assertClose(c.equivalence.p, tost[i], rel: 1e-8, floor: 1e-12, "contrast \(i) TOST p")
            assertClose(c.tostPHolm, holm[i], rel: 1e-8, floor: 1e-12, "contrast \(i) Holm-adjusted TOST p")
            XCTAssertGreaterThanOrEqual(c.pHolm, config.alpha, "contrast \(i): no difference is planted")
        }
        for (i, c) in results.prefix(24).enumerated() {
            XCTAssertEqual(c.verdict, "equivalent", "null contrast \(i): tight interval around 0")
            XCTAssertLessThan(c.tostPHolm, 1e-6)
        }
        for (i, c) in results.suffix(8).enumerated() {
            assertClose(c.equivalence.p, targets[i], rel: 1e-6, "borderline contrast \(i) planted TOST p")
            XCTAssertTrue(c.equivalence.equivalent, "borderline contrast \(i): equivalent unadjusted")
            XCTAssertGreaterThanOrEqual(c.tostPHolm, config.alpha, "borderline contrast \(i)")
            XCTAssertTrue(c.verdict.hasPrefix("inconclusive (MDE "), "borderline contrast \(i): \(c.verdict)")
        }
        // Alone (a family of one), Holm changes nothing: the borderline contrast is equivalent.
        for (i, s) in pairs.suffix(8).enumerated() {
            let alone = contrasts([s])[0]
            XCTAssertEqual(alone.tostPHolm, alone.equivalence.p, "borderline contrast \(i) alone")
            XCTAssertEqual(alone.verdict, "equivalent", "borderline contrast \(i) alone")
        }
    }

    /// The same ensemble twice (every difference 0): TOST p 0, adjusted 0 in any family.
    func testIdenticalSidesStayEquivalentInAFamily() {
        let same = null(seed: 1).b
        let results = contrasts([(same, same)] + (0..<5).map { null(seed: 300 + UInt64($0)) })
        XCTAssertEqual(results[0].tostPHolm, 0)
        XCTAssertEqual(results[0].verdict, "equivalent")
    }

    /// metrics.json written before `tost_p_holm` existed still decodes (the key reads as NaN);
    /// a current one round-trips it, and a NaN one (too few eras for a TOST) is written as null.
    func testTOSTHolmKeyRoundTripsAndOldFilesDecode() throws {
        let c = contrasts([null(seed: 3), null(seed: 4)])[1]
        let data = try JSONEncoder().encode(c)
        let object = try XCTUnwrap(try JSONSerialization.jsonObject(with: data) as? [String: Any])
        XCTAssertEqual((object["tost_p_holm"] as? NSNumber)?.doubleValue, c.tostPHolm)
        XCTAssertEqual(try JSONDecoder().decode(ContrastResult.self, from: data), c)
        var old = object
        old.removeValue(forKey: "tost_p_holm")
        let decoded = try JSONDecoder().decode(ContrastResult.self, from: JSONSerialization.data(withJSONObject: old))
        XCTAssertTrue(decoded.tostPHolm.isNaN)
        XCTAssertEqual(decoded.verdict, c.verdict)

        let short = ContrastResult.finalize([ContrastResult(name: "x", a: "a", b: "b", seriesA: [0.1], seriesB: [0], config: config)],
                                            alpha: config.alpha)[0]
        XCTAssertTrue(short.tostPHolm.isNaN)
        let canonical = try CanonicalJSON.encode(short)
        XCTAssertTrue(String(decoding: canonical, as: UTF8.self).contains("\"tost_p_holm\": null"))
        XCTAssertTrue(try CanonicalJSON.decode(ContrastResult.self, from: canonical).tostPHolm.isNaN)
    }
}
