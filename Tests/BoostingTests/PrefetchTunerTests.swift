import XCTest
@testable import Boosting
import CBoostingKernels
import EraData
import Support

/// `PrefetchTuner`: the trial finds a planted faster hint whichever the vendor's is, finds no
/// winner where there is none (noise, drift, one disturbed tree), runs only where it should, and
/// never changes a model.
final class PrefetchTunerTests: XCTestCase {
    let nta = Int32(WB_PREFETCH_NTA), t0 = Int32(WB_PREFETCH_T0)

    /// Drives one engine's tuner through `trees` trees whose wall time is `time(tree, hint)`;
    /// returns the hints the trees used and the decision.
    func run(vendor: Int32, trees: Int = 12, time: (Int, Int32) -> Double) -> ([Int32], PrefetchChoice?) {
        var tuner = PrefetchTuner(vendor: vendor, forced: -1, shared: nil, columnBytes: PrefetchTuner.minimumBytes)
        var hints: [Int32] = [], choice: PrefetchChoice?
        for tree in 0..<trees {
            let hint = tuner.hintForNextTree
            hints.append(hint)
            if let c = tuner.record(seconds: time(tree, hint)) {
                XCTAssertNil(choice, "one decision per engine")
                choice = c
            }
        }
        return (hints, choice)
    }

    func testTrialScheduleIsBalancedAndEndsOnTheDecision() {
        for vendor in [nta, t0] {
            let other = vendor == t0 ? nta : t0
            let (hints, choice) = run(vendor: vendor) { _, hint in hint == other ? 0.7 : 1.0 }
            // Tree 0 untimed with the vendor's hint, trees 1…8 A B B A B A A B, then the winner.
            XCTAssertEqual(hints, [vendor, vendor, other, other, vendor, other, vendor, vendor, other, other, other, other])
            XCTAssertEqual(choice?.hint, other)
            XCTAssertEqual(choice?.otherOverVendor ?? .nan, 0.7, accuracy: 1e-12)
            XCTAssertEqual(choice?.secondsPerTree[PrefetchTuner.name(other)] ?? .nan, 0.7, accuracy: 1e-12)
            XCTAssertEqual(choice?.secondsPerTree[PrefetchTuner.name(vendor)] ?? .nan, 1.0, accuracy: 1e-12)
        }
        // Balanced against a linear drift: the trial positions of each hint have the same sum.
        let positions = PrefetchTuner.schedule.indices
        XCTAssertEqual(positions.filter { PrefetchTuner.schedule[$0] }.reduce(0, +),
                       positions.filter { !PrefetchTuner.schedule[$0] }.reduce(0, +))
    }

    /// Planted effects under noise (±3 % per tree) and drift (up to 2 % per tree), 300 draws
    /// each: a hint 25 % faster wins every time, whichever is the vendor's; no effect (noise
    /// ±1.5 %, drift up to 3 % per tree) is a tie every time.
    func testTrialFindsAPlantedEffectAndNothingWhereThereIsNone() {
        for vendor in [nta, t0] {
            let other = vendor == t0 ? nta : t0
            for (effect, noise, expected) in [(0.75, 0.03, other), (1 / 0.75, 0.03, vendor), (1.0, 0.015, nil)] as [(Double, Double, Int32?)] {
                var g = SplitMix64(seed: UInt64(1 + vendor) * 7919 + UInt64(effect * 1000))
                for draw in 0..<300 {
                    let drift = (Double(g.next() % 2001) / 1000 - 1) * (expected == nil ? 0.03 : 0.02)
                    var times: [Double] = []
                    let (_, choice) = run(vendor: vendor) { tree, hint in
                        let u = Double(g.next() % 2001) / 1000 - 1
                        let t = (1 + drift * Double(tree)) * (hint == other ? effect : 1) * (1 + noise * u)
                        if (1...8).contains(tree) { times.append(t) }
                        return t
                    }
                    let label = "vendor \(vendor), effect \(effect), draw \(draw)"
                    XCTAssertEqual(choice?.hasWinner, expected != nil, label)
                    XCTAssertEqual(choice?.hint, expected ?? vendor, label)
                    // The decision's ratio, recomputed from the pairs (trees 1–2, 3–4, 5–6, 7–8).
                    let ratios = stride(from: 0, to: 8, by: 2).map { i in
                        PrefetchTuner.schedule[i] ? times[i] / times[i + 1] : times[i + 1] / times[i]
                    }.sorted()
                    XCTAssertEqual(choice?.otherOverVendor ?? .nan, (ratios[1] + ratios[2]) / 2, accuracy: 1e-12, label)
                }
            }
        }
    }

    /// One trial tree three times as slow (a disturbance, at every position) moves one pair only.
    func testOneDisturbedTreeDoesNotDecide() {
        for vendor in [nta, t0] {
            let other = vendor == t0 ? nta : t0
            for disturbed in 1...8 {
                for (effect, expected) in [(0.8, other), (1.0, nil), (1.25, vendor)] as [(Double, Int32?)] {
                    let (_, choice) = run(vendor: vendor) { tree, hint in
                        (hint == other ? effect : 1) * (tree == disturbed ? 3 : 1)
                    }
                    let label = "vendor \(vendor), disturbed tree \(disturbed), effect \(effect)"
                    XCTAssertEqual(choice?.hasWinner, expected != nil, label)
                    XCTAssertEqual(choice?.hint, expected ?? vendor, label)
                }
            }
        }
    }

    func testNoTrialWhenSetOrSharedOrInCache() {
        let cases: [(String, PrefetchTuner, Int32)] = [
            ("forced t0", PrefetchTuner(vendor: nta, forced: t0, shared: nil, columnBytes: 1 << 30), t0),
            ("forced nta", PrefetchTuner(vendor: t0, forced: nta, shared: t0, columnBytes: 1 << 30), nta),
            ("shared", PrefetchTuner(vendor: nta, forced: -1, shared: t0, columnBytes: 1 << 30), t0),
            ("in cache", PrefetchTuner(vendor: nta, forced: -1, shared: nil, columnBytes: PrefetchTuner.minimumBytes - 1), nta),
        ]
        for (label, start, hint) in cases {
            var tuner = start
            XCTAssertFalse(tuner.inTrial, label)
            for _ in 0..<12 {
                XCTAssertEqual(tuner.hintForNextTree, hint, label)
                XCTAssertNil(tuner.record(seconds: 1), label)
            }
        }
    }

    /// A trial's winner holds for models within `sharingFactor` of its column bytes; a tie and a
    /// model of another size start a trial of their own.
    func testSharedWinnerHoldsForModelsOfASimilarSize() {
        let shared = SharedPrefetchChoice()
        let bytes = 8 << 20, f = PrefetchTuner.sharingFactor
        func choice(_ hint: Int32, winner: Bool) -> PrefetchChoice {
            PrefetchChoice(hint: hint, hasWinner: winner, columnBytes: bytes, otherOverVendor: 1,
                           secondsPerTree: [:])
        }
        shared.record(choice(t0, winner: false))
        XCTAssertNil(shared.hint(columnBytes: bytes), "a tie is not shared")
        XCTAssertEqual(shared.last?.hasWinner, false)
        shared.record(choice(t0, winner: true))
        shared.record(choice(nta, winner: false))
        for (b, expected) in [(bytes, t0), (f * bytes, t0), (bytes / f, t0), (f * bytes + 1, nil), (bytes / f - 1, nil)] as [(Int, Int32?)] {
            XCTAssertEqual(shared.hint(columnBytes: b), expected, "column bytes \(b)")
            let tuner = PrefetchTuner(vendor: nta, forced: -1, shared: shared.hint(columnBytes: b), columnBytes: b)
            XCTAssertEqual(tuner.inTrial, expected == nil, "column bytes \(b)")
        }
        XCTAssertEqual(shared.last?.hint, t0, "the last trial with a winner, not the later tie")
        shared.reset()
        XCTAssertNil(shared.last)
    }

    /// The same model, bit for bit, with either hint for every tree and with a trial's mix; the
    /// trial runs (unless WORKBENCH_PREFETCH sets the hint) and is shared with the next engine.
    func testModelIsTheSameWithEitherHintAndDuringATrial() throws {
        let d = TestData.synthetic(eras: 100, rowsPerEra: 400, features: 64, seed: 21)
        let rows = d.rows(in: .train), features = Array(0..<d.featureCount), all = Array(0..<Int32(d.rowCount))
        XCTAssertGreaterThanOrEqual(rows.count * 64, PrefetchTuner.minimumBytes, "a trial needs the column bytes")
        var p = BoostingParameters()
        p.nEstimators = 12
        p.learningRate = 0.1
        let shared = PrefetchChoice.shared
        defer { shared.reset() }
        var models: [(String, Booster)] = []
        for hint in [nta, t0] {
            shared.reset()
            shared.record(PrefetchChoice(hint: hint, hasWinner: true, columnBytes: rows.count * 64,
                                         otherOverVendor: .nan, secondsPerTree: [:]))
            models.append(("every tree \(PrefetchTuner.name(hint))",
                           try Trainer.train(dataset: d, rows: rows, features: features, target: 0, parameters: p)))
        }
        shared.reset()
        models.append(("a trial", try Trainer.train(dataset: d, rows: rows, features: features, target: 0, parameters: p)))
        if PrefetchChoice.forcedHintName == nil {
            XCTAssertEqual(PrefetchChoice.lastTrial?.secondsPerTree.count, 2, "the trial ran and timed both hints")
        } else {
            XCTAssertNil(PrefetchChoice.lastTrial, "WORKBENCH_PREFETCH set: no trial")
        }
        XCTAssertEqual(models[0].1.trees.count, 12)
        let reference = models[0].1.predict(dataset: d, rows: all).map(\.bitPattern)
        for (label, model) in models.dropFirst() {
            XCTAssertEqual(model, models[0].1, label)
            XCTAssertEqual(model.predict(dataset: d, rows: all).map(\.bitPattern), reference, label)
        }
    }
}
