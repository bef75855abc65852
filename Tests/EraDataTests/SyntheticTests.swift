import XCTest
@testable import EraData

final class SyntheticTests: XCTestCase {
    static let small = SyntheticConfig(eras: 30, rowsPerEra: 500, features: 20, targets: 3, seed: 7)
    static let dataset = SyntheticGenerator.generate(small)

    func testDeterministicForASeed() {
        let a = Self.dataset, b = SyntheticGenerator.generate(Self.small)
        XCTAssertEqual(Array(a.features.storage), Array(b.features.storage))
        XCTAssertEqual(a.ids, b.ids)
        XCTAssertEqual(a.trueSignal, b.trueSignal)
        for t in a.targets.indices {
            XCTAssertEqual(a.targets[t].map(\.bitPattern), b.targets[t].map(\.bitPattern))
        }
        var other = Self.small
        other.seed = 8
        let c = SyntheticGenerator.generate(other)
        XCTAssertNotEqual(Array(a.features.storage), Array(c.features.storage))
        XCTAssertNotEqual(a.ids, c.ids)
    }

    func testLayoutNamesAndEmbargo() {
        let d = Self.dataset, c = Self.small
        XCTAssertEqual(d.rowCount, 30 * 500)
        XCTAssertEqual(d.featureNames.first, "feature_0000")
        XCTAssertEqual(d.featureNames.last, "feature_0019")
        XCTAssertEqual(d.targetNames, ["target", "target_aux1", "target_aux2"])
        XCTAssertEqual(c.validationEras, 8)
        XCTAssertEqual(c.trainEras, 22)
        XCTAssertEqual(d.eraIndices(in: .train).count, 22)
        XCTAssertEqual(d.eraIndices(in: .validation).count, 8)
        // Era names are time indices: the embargo leaves a gap of 4 between train and validation.
        XCTAssertEqual(d.eras[21], "0022")
        XCTAssertEqual(d.eras[22], "0027")
        XCTAssertEqual(Set(d.ids).count, d.rowCount)
        XCTAssertEqual(d.eraOfRow, d.eraOfRow.sorted())
        XCTAssertTrue(d.ids.allSatisfy { $0.count == 17 && $0.hasPrefix("n") })
    }

    func testTargetSharesExactPerEra() {
        let d = Self.dataset
        for (t, column) in d.targets.enumerated() {
            for (era, range) in d.eraGroups(of: (0..<Int32(d.rowCount)).map { $0 }) {
                let values = range.map { column[$0] }
                if values.allSatisfy(\.isNaN) {
                    XCTAssertGreaterThan(t, 0, "main target must always be known")
                    continue
                }
                XCTAssertFalse(values.contains { $0.isNaN }, "era \(era) target \(t) mixes NaN")
                let counts = SyntheticGenerator.targetValues.map { v in values.filter { $0 == v }.count }
                XCTAssertEqual(counts, [25, 100, 250, 100, 25], "era \(era) target \(t)")
            }
        }
    }

    func testFeatureQuintilesPerEra() {
        let d = Self.dataset
        for f in 0..<d.featureCount {
            let column = d.features.column(f)
            for e in 0..<d.eras.count {
                var counts = [Int](repeating: 0, count: 5)
                for row in (e * 500)..<((e + 1) * 500) { counts[Int(column[row])] += 1 }
                XCTAssertEqual(counts, [100, 100, 100, 100, 100], "feature \(f) era \(e)")
            }
        }
    }

    func testAuxTargetsUnknownInEarlyEras() {
        let d = Self.dataset
        // aux t is NaN in the first round(0.05·t·30) eras: 2 and 3.
        for (t, nanEras) in [(1, 2), (2, 3)] {
            let nan = d.targets[t].enumerated().filter { $0.element.isNaN }.map(\.offset)
            XCTAssertEqual(nan, Array(0..<(nanEras * 500)), "target \(t)")
        }
        XCTAssertFalse(d.targets[0].contains { $0.isNaN })
    }

    func testLiveEraHasUnknownTargets() {
        var c = Self.small
        c.liveEra = true
        let d = SyntheticGenerator.generate(c)
        let live = d.rows(in: .live)
        XCTAssertEqual(live.count, 500)
        XCTAssertEqual(Int(live.first!), d.rowCount - 500)
        for column in d.targets { XCTAssertTrue(live.allSatisfy { column[Int($0)].isNaN }) }
        XCTAssertEqual(d.eraIndices(in: .validation).count, 8)
    }

    /// Mean over eras of the Pearson correlation of two columns (rows with NaN skipped).
    func perEraCorrelation(_ d: Dataset, _ a: [Float], _ b: [Float]) -> Double {
        var total = 0.0, eras = 0
        for (_, range) in d.eraGroups(of: (0..<Int32(d.rowCount)).map { $0 }) {
            let pairs = range.filter { !a[$0].isNaN && !b[$0].isNaN }.map { (Double(a[$0]), Double(b[$0])) }
            guard pairs.count > 2 else { continue }
            let ma = pairs.map(\.0).reduce(0, +) / Double(pairs.count)
            let mb = pairs.map(\.1).reduce(0, +) / Double(pairs.count)
            var sab = 0.0, saa = 0.0, sbb = 0.0
            for (x, y) in pairs { sab += (x - ma) * (y - mb); saa += (x - ma) * (x - ma); sbb += (y - mb) * (y - mb) }
            total += sab / (saa * sbb).squareRoot()
            eras += 1
        }
        return total / Double(eras)
    }

    func testSignalAndTargetCorrelationStructure() {
        let d = SyntheticGenerator.generate(.v1Default)   // v1's numbers
        let ceiling = perEraCorrelation(d, d.trueSignal!, d.targets[0])
        // noise 9 ⇒ corr ≈ 1/√82 ≈ 0.11 before binning to five levels.
        XCTAssertGreaterThan(ceiling, 0.07)
        XCTAssertLessThan(ceiling, 0.13)
        // Aux targets share the market noise and part of the signal: clearly positive, below 1.
        for t in 1..<d.targetNames.count {
            let c = perEraCorrelation(d, d.targets[0], d.targets[t])
            XCTAssertGreaterThan(c, 0.3, d.targetNames[t])
            XCTAssertLessThan(c, 0.8, d.targetNames[t])
        }
        // Less noise ⇒ higher ceiling.
        var quiet = SyntheticConfig.v1Default
        quiet.noise = 1
        let q = SyntheticGenerator.generate(quiet)
        XCTAssertGreaterThan(perEraCorrelation(q, q.trueSignal!, q.targets[0]), 0.6)
        // Features carry signal: bins of a non-noise feature correlate with the true signal in some era
        // direction; the best single feature is far from zero.
        let best = (0..<d.featureCount).map { f in
            abs(perEraCorrelation(d, d.features.column(f).map { Float($0) }, d.trueSignal!))
        }.max()!
        XCTAssertGreaterThan(best, 0.1)
    }

    func testTargetBoundsRounding() {
        XCTAssertEqual(SyntheticGenerator.targetBounds(500), [25, 125, 375, 475])
        XCTAssertEqual(SyntheticGenerator.targetBounds(20), [1, 5, 15, 19])
    }

    /// `sized` replaces exactly the sizes given and keeps every other setting.
    func testSizedReplacesOnlyTheSizesGiven() {
        let base = SyntheticConfig.default
        XCTAssertEqual(base.sized(), base)
        let c = base.sized(eras: 30, features: 7)
        var expected = base
        expected.eras = 30
        expected.features = 7
        XCTAssertEqual(c, expected)
        XCTAssertEqual(c.sized(rowsPerEra: 9, targets: 2).rowsPerEra, 9)
        XCTAssertEqual(c.sized(rowsPerEra: 9, targets: 2).targets, 2)
        XCTAssertEqual(c.sized(rowsPerEra: 9, targets: 2).eras, 30)
    }

    func testInvalidConfigIsRejected() {
        var c = SyntheticConfig.default
        c.eras = 1
        XCTAssertThrowsError(try c.validate()) { XCTAssertTrue("\($0)".contains("no train era")) }
        c = .default
        c.rowsPerEra = 3
        XCTAssertThrowsError(try c.validate()) { XCTAssertTrue("\($0)".contains("rowsPerEra")) }
    }

    func testConfigCodableRoundTrip() throws {
        let data = try JSONEncoder().encode(Self.small)
        XCTAssertEqual(try JSONDecoder().decode(SyntheticConfig.self, from: data), Self.small)
    }
}
