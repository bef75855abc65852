import Diversity
import Foundation
import LinearAlgebra
import Support
import TestSupport
import XCTest

/// `QuantileSummary`, the one quantile summary of pairwise correlations and per-staker scores:
/// numbers against numpy, and each JSON form keeps its count key (`pairs`, `stakers`).
final class QuantileSummaryTests: XCTestCase {
    func testSummariesMatchNumpy() throws {
        var rng = SplitMix64(seed: 3)
        let sets: [[Double]] = [[0.5], [1, 2], (0..<7).map { Double($0) * 0.3 - 1 },
                                (0..<401).map { _ in rng.nextGaussian() * 0.02 + 0.01 }]
        let json = String(decoding: try JSONSerialization.data(withJSONObject: sets), as: UTF8.self)
        let out = try Fixture.python(TestSupport.oracleScript("DiversityTests/QuantileSummaryTests-MatchesNumpy.py"), [json]) as! [[Double]]
        for (values, expected) in zip(sets, out) {
            let s = StakerDistribution(values.reversed())   // order does not matter
            let got = [Double(s.count), s.mean, s.std, s.min, s.q05, s.q25, s.median, s.q75, s.q95, s.max]
            for (name, (a, b)) in zip(["count", "mean", "std", "min", "q05", "q25", "median", "q75", "q95", "max"], zip(got, expected)) {
                assertClose(a, b, rel: 1e-12, floor: 1e-15, "\(name) of \(values.count) values")
            }
        }
    }

    /// Per-staker scores drop non-finite values; a correlation matrix gives its upper triangle.
    func testStakersDropNonFiniteAndPairsAreTheUpperTriangle() throws {
        let s = StakerDistribution([.nan, 3, .infinity, 1, 2])
        XCTAssertEqual(s.count, 3)
        XCTAssertEqual(s.median, 2)
        let c = Matrix(rows: 3, columns: 3, values: [1, 0.2, 0.4, 0.2, 1, 0.9, 0.4, 0.9, 1])
        let p = PairwiseDistribution(c)
        XCTAssertEqual(p.count, 3)
        XCTAssertEqual(p.min, 0.2)
        XCTAssertEqual(p.max, 0.9)
        XCTAssertEqual(p, QuantileSummary<Pairs>(of: [0.9, 0.2, 0.4]))
        let empty = StakerDistribution([])
        XCTAssertEqual(empty.count, 0)
        XCTAssertTrue(empty.median.isNaN && empty.min.isNaN)
    }

    /// metrics.json (`pairwise_corr`) and schemes.json keep their keys.
    func testJSONKeepsItsCountKeyAndRoundTrips() throws {
        let encoder = JSONEncoder()
        encoder.outputFormatting = .sortedKeys
        let pairs = String(decoding: try encoder.encode(PairwiseDistribution(of: [0.25, 0.5])), as: UTF8.self)
        XCTAssertEqual(pairs, #"{"max":0.5,"mean":0.375,"median":0.375,"min":0.25,"pairs":2,"q05":0.2625,"q25":0.3125,"q75":0.4375,"q95":0.4875,"std":0.125}"#)
        let stakers = StakerDistribution([1, 2, 3])
        let text = String(decoding: try encoder.encode(stakers), as: UTF8.self)
        XCTAssertTrue(text.contains(#""stakers":3,"#) && !text.contains("pairs"), text)
        XCTAssertEqual(try JSONDecoder().decode(StakerDistribution.self, from: Data(text.utf8)), stakers)
        XCTAssertThrowsError(try JSONDecoder().decode(PairwiseDistribution.self, from: Data(text.utf8)))
    }
}
