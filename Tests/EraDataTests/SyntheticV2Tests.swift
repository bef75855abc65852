import XCTest
@testable import EraData

/// Each property generator v2 claims, planted through its knob and measured back.
final class SyntheticV2Tests: XCTestCase {
    /// A smaller v2 dataset (same model, fewer rows) so the measurements run in seconds.
    static func config(_ edit: (inout SyntheticConfig) -> Void = { _ in }) -> SyntheticConfig {
        var c = SyntheticConfig.v2Default
        c.eras = 80
        c.rowsPerEra = 400
        c.features = 64
        c.seed = 5
        edit(&c)
        return c
    }
    static let base = SyntheticGenerator.generate(config())

    // MARK: helpers

    static func pearson(_ a: [Double], _ b: [Double]) -> Double {
        let n = Double(a.count)
        let ma = a.reduce(0, +) / n, mb = b.reduce(0, +) / n
        var sab = 0.0, saa = 0.0, sbb = 0.0
        for i in a.indices { sab += (a[i] - ma) * (b[i] - mb); saa += (a[i] - ma) * (a[i] - ma); sbb += (b[i] - mb) * (b[i] - mb) }
        return saa > 0 && sbb > 0 ? sab / (saa * sbb).squareRoot() : 0
    }

    /// Per-era Pearson corr of two row columns over eras where both are known.
    static func perEra(_ d: Dataset, _ a: [Float], _ b: [Float], eras: [Int]? = nil) -> [Double] {
        let r = d.rowCount / d.eras.count
        return (eras ?? Array(0..<d.eras.count)).compactMap { e in
            let range = (e * r)..<((e + 1) * r)
            guard !a[range].contains(where: \.isNaN), !b[range].contains(where: \.isNaN) else { return nil }
            return pearson(range.map { Double(a[$0]) }, range.map { Double(b[$0]) })
        }
    }

    static func mean(_ x: [Double]) -> Double { x.reduce(0, +) / Double(x.count) }
    static func std(_ x: [Double]) -> Double {
        let m = mean(x)
        return (x.reduce(0) { $0 + ($1 - m) * ($1 - m) } / Double(x.count)).squareRoot()
    }
    static func column(_ d: Dataset, _ f: Int) -> [Float] { d.features.column(f).map { Float($0) } }

    /// Mean lag-k corr of a target for the same stock in eras τ and τ+k (train eras only: no gap).
    static func stockAutocorrelation(_ d: Dataset, target t: Int, lag k: Int) -> Double {
        var rowsOfEra: [[Substring: Int]] = Array(repeating: [:], count: d.eras.count)
        for row in 0..<d.rowCount { rowsOfEra[Int(d.eraOfRow[row])][SyntheticV2Generator.stockId(of: d.ids[row])] = row }
        let train = d.eraIndices(in: .train)
        var corrs: [Double] = []
        for e in train where e + k <= train.last! {
            var a: [Double] = [], b: [Double] = []
            for (stock, row) in rowsOfEra[e] {
                if let other = rowsOfEra[e + k][stock] {
                    a.append(Double(d.targets[t][row])); b.append(Double(d.targets[t][other]))
                }
            }
            if !a.contains(where: \.isNaN) && !b.contains(where: \.isNaN) { corrs.append(pearson(a, b)) }
        }
        return mean(corrs)
    }

    // MARK: properties

    func testDeterministicForASeedAndDifferentAcrossSeeds() {
        let a = Self.base, b = SyntheticGenerator.generate(Self.config())
        XCTAssertEqual(Array(a.features.storage), Array(b.features.storage))
        XCTAssertEqual(a.ids, b.ids)
        XCTAssertEqual(a.trueSignal!.map(\.bitPattern), b.trueSignal!.map(\.bitPattern))
        for t in a.targets.indices { XCTAssertEqual(a.targets[t].map(\.bitPattern), b.targets[t].map(\.bitPattern)) }
        XCTAssertEqual(a.featureGroups, b.featureGroups)
        let c = SyntheticGenerator.generate(Self.config { $0.seed = 6 })
        XCTAssertNotEqual(Array(a.features.storage), Array(c.features.storage))
        XCTAssertNotEqual(a.targets[0], c.targets[0])
    }

    func testV1StaysTheMemberwiseDefaultAndDiffersFromV2() {
        XCTAssertEqual(SyntheticConfig(eras: 30).generator, .v1)
        XCTAssertEqual(SyntheticConfig.default.generator, .v2)
        XCTAssertEqual(SyntheticConfig.v1Default, SyntheticConfig())
        XCTAssertEqual([SyntheticConfig.default.eras, SyntheticConfig.default.rowsPerEra, SyntheticConfig.default.features],
                       [200, 600, 300])
        var v1 = Self.config()
        v1.generator = .v1
        let d = SyntheticGenerator.generate(v1)
        XCTAssertTrue(d.featureGroups.isEmpty)
        XCTAssertNotEqual(Array(d.features.storage), Array(Self.base.features.storage))
    }

    func testLayoutBinsAndTargetShares() {
        let d = Self.base, r = 400
        XCTAssertEqual(d.rowCount, 80 * r)
        XCTAssertEqual(d.targetNames, ["target", "target_aux1", "target_aux2", "target_aux3"])
        XCTAssertEqual(d.eras[d.eraIndices(in: .train).last!], "0060")
        XCTAssertEqual(d.eras[d.eraIndices(in: .validation).first!], "0065")    // 4-era embargo
        for e in [0, 41, 79] {
            var counts = [Int](repeating: 0, count: 5)
            for row in (e * r)..<((e + 1) * r) { counts[Int(d.features[row, 7])] += 1 }
            XCTAssertEqual(counts, [80, 80, 80, 80, 80])
            let values = (e * r..<(e + 1) * r).map { d.targets[0][$0] }
            XCTAssertEqual(SyntheticGenerator.targetValues.map { v in values.filter { $0 == v }.count }, [20, 80, 200, 80, 20])
        }
    }

    func testFeatureGroupsNamedAndCorrelatedWithin() {
        let d = Self.base
        XCTAssertEqual(d.featureGroups.keys.sorted(), Array(SyntheticV2Generator.groupNames.prefix(8)).sorted())
        XCTAssertEqual(d.featureGroups.values.map(\.count).reduce(0, +), 64)
        XCTAssertEqual(d.featureGroups["intelligence"], (0..<8).map { SyntheticGenerator.featureName($0, count: 64) })
        // Pooled corr between feature bins: within a group (a shared latent) vs across groups.
        let columns = (0..<64).map { Self.column(d, $0).map(Double.init) }
        let group = { (f: Int) in f * 8 / 64 }
        var within: [Double] = [], across: [Double] = []
        for a in 0..<64 {
            for b in (a + 1)..<64 {
                let c = Self.pearson(columns[a], columns[b])
                if group(a) == group(b) { within.append(c) } else { across.append(c) }
            }
        }
        let w = Self.mean(within), x = Self.mean(across.map(abs))
        XCTAssertGreaterThan(w, 0.15, "within-group corr")
        XCTAssertLessThan(x, 0.06, "across-group |corr|")
        XCTAssertGreaterThan(w, 5 * x)
    }

    func testGroupLoadingsDriftPerEra() {
        // Std over eras of a group's mean within-group feature corr: loading drift adds to sampling noise.
        func eraSpread(_ d: Dataset) -> Double {
            let members = (0..<8)
            var perEra: [Double] = []
            for e in 0..<d.eras.count {
                var cs: [Double] = []
                for a in members { for b in members where b > a { cs.append(Self.perEra(d, Self.column(d, a), Self.column(d, b), eras: [e])[0]) } }
                perEra.append(Self.mean(cs))
            }
            return Self.std(perEra)
        }
        let still = eraSpread(SyntheticGenerator.generate(Self.config { $0.v2.loadingDrift = 0 }))
        let drifting = eraSpread(SyntheticGenerator.generate(Self.config { $0.v2.loadingDrift = 0.5 }))
        XCTAssertGreaterThan(drifting, 1.5 * still, "still \(still), drifting \(drifting)")
    }

    func testTargetWindowsOverlapNeighbouringEras() {
        // Window H = 4: the noise of eras τ and τ+k shares H−k of H periods ⇒ corr ≈ (H−k)/H
        // (noise dominates: σ²/(1+σ²) ≈ 0.99), a little lower after binning to five levels.
        let d = Self.base
        for (k, expected) in [(1, 0.75), (2, 0.5), (3, 0.25)] {
            let measured = Self.stockAutocorrelation(d, target: 0, lag: k)
            XCTAssertEqual(measured, expected, accuracy: 0.1, "lag \(k)")
        }
        XCTAssertEqual(Self.stockAutocorrelation(d, target: 0, lag: 5), 0, accuracy: 0.05)
        // aux2's window is 3·4 = 12 eras: lag 3 still ≈ 0.75.
        XCTAssertEqual(Self.stockAutocorrelation(d, target: 2, lag: 3), 0.75, accuracy: 0.1)
        // The knob: window 1 ⇒ no overlap.
        let single = SyntheticGenerator.generate(Self.config { $0.v2.targetWindow = 1 })
        XCTAssertEqual(Self.stockAutocorrelation(single, target: 0, lag: 1), 0, accuracy: 0.05)
    }

    func testAuxQualityMovesTheAuxTargetBothWays() {
        // corr(true main signal, aux target) ≈ ρ/√(1+σ_t²) with σ_t = noise/quality: quality 2 makes
        // the aux target a better view of the main signal than `target` itself, 0.5 a worse one.
        func auxCorr(_ q: Double) -> (aux: Double, main: Double) {
            let d = SyntheticGenerator.generate(Self.config { $0.v2.auxQuality = [q]; $0.eras = 120 })
            return (Self.mean(Self.perEra(d, d.trueSignal!, d.targets[1])), Self.mean(Self.perEra(d, d.trueSignal!, d.targets[0])))
        }
        let low = auxCorr(0.5), mid = auxCorr(1), high = auxCorr(2)
        XCTAssertLessThan(low.aux, mid.aux)
        XCTAssertLessThan(mid.aux, high.aux)
        XCTAssertGreaterThan(high.aux, high.main, "quality 2: the aux target beats target")
        XCTAssertLessThan(low.aux, low.main, "quality 0.5: the aux target is worse")
        // The ρ factor cancels in ratios: halving σ_t multiplies the corr by √(1+σ²)/√(1+σ²/4) ≈ 2.
        XCTAssertEqual(high.aux / mid.aux, (1 + 81.0).squareRoot() / (1 + 81.0 / 4).squareRoot(), accuracy: 0.5)
        XCTAssertEqual(mid.aux / low.aux, (1 + 324.0).squareRoot() / (1 + 81.0).squareRoot(), accuracy: 0.6)
    }

    func testIdsPersistAcrossEras() {
        let d = Self.base, r = 400
        XCTAssertEqual(Set(d.ids).count, d.rowCount, "row ids stay unique")
        let stocks = (0..<d.eras.count).map { e in Set((e * r..<(e + 1) * r).map { SyntheticV2Generator.stockId(of: d.ids[$0]) }) }
        // Each era samples 400 of 500 stocks: neighbours share ≈ 400/500 = 80 %.
        let shares = (0..<(d.eras.count - 1)).map { Double(stocks[$0].intersection(stocks[$0 + 1]).count) / Double(r) }
        XCTAssertEqual(Self.mean(shares), 0.8, accuracy: 0.03)
        XCTAssertEqual(Set(stocks.flatMap { $0 }).count, 500)
        // A stock's features persist (latent AR(1) ψ = 0.8): lag-1 corr of its bins is clearly positive.
        var a: [Double] = [], b: [Double] = []
        var rowOf: [Substring: Int] = [:]
        for row in r..<(2 * r) { rowOf[SyntheticV2Generator.stockId(of: d.ids[row])] = row }
        for row in 0..<r { if let next = rowOf[SyntheticV2Generator.stockId(of: d.ids[row])] {
            a.append(Double(d.features[row, 3])); b.append(Double(d.features[next, 3])) } }
        XCTAssertGreaterThan(Self.pearson(a, b), 0.2)
    }

    func testRegimeMovesAllModelsTogether() {
        // Two "models" fitted on train eras from disjoint feature halves (weights = pooled corr of each
        // feature with the target); their per-era validation corrs follow R(τ) when the regime is on.
        func measure(_ strength: Double) -> (share: Double, together: Double) {
            let d = SyntheticGenerator.generate(Self.config { $0.v2.regimeStrength = strength; $0.noise = 1; $0.eras = 160 })
            let regime = d.metadata["regime"]!.split(separator: ",").map { Double($0)! }
            let train = d.rows(in: .train).map(Int.init)
            let weights = (0..<64).map { f in
                Self.pearson(train.map { Double(d.features[$0, f]) }, train.map { Double(d.targets[0][$0]) })
            }
            func model(_ features: Range<Int>) -> [Float] {
                (0..<d.rowCount).map { row in Float(features.reduce(0.0) { $0 + weights[$1] * Double(d.features[row, $1]) }) }
            }
            let eras = d.eraIndices(in: .validation) + d.eraIndices(in: .train)
            let m1 = Self.perEra(d, model(0..<32), d.targets[0], eras: eras)
            let m2 = Self.perEra(d, model(32..<64), d.targets[0], eras: eras)
            let times = eras.map { Int(d.eras[$0])! - 1 }
            let average = zip(m1, m2).map { ($0 + $1) / 2 }
            let r = Self.pearson(average, times.map { regime[$0] })
            return (r * r, Self.pearson(m1, m2))
        }
        let on = measure(1), off = measure(0)
        XCTAssertGreaterThan(on.share, 0.2, "share of era variance explained by the regime")
        XCTAssertLessThan(off.share, 0.1)
        XCTAssertGreaterThan(on.share, off.share + 0.15)
        XCTAssertGreaterThan(on.together, off.together + 0.2, "models move together")
    }

    func testSettingsDecodePartiallyAndRejectUnknownKeys() throws {
        let v = try JSONDecoder().decode(SyntheticV2Settings.self, from: Data(#"{"regimeStrength": 0, "auxQuality": 2}"#.utf8))
        XCTAssertEqual(v.regimeStrength, 0)
        XCTAssertEqual(v.auxQuality, [2])
        XCTAssertEqual(v.targetWindow, 4)
        XCTAssertThrowsError(try JSONDecoder().decode(SyntheticV2Settings.self, from: Data(#"{"regimeStrenght": 0}"#.utf8))) {
            XCTAssertTrue("\($0)".contains("regimeStrenght"))
        }
        var c = Self.config()
        c.v2.targetWindow = 0
        XCTAssertThrowsError(try c.validate()) { XCTAssertTrue("\($0)".contains("v2.targetWindow")) }
        let round = try JSONDecoder().decode(SyntheticConfig.self, from: JSONEncoder().encode(Self.config()))
        XCTAssertEqual(round, Self.config())
    }

    func testFeatureGroupsSurviveTheDatasetFile() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("v2-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let path = dir.appendingPathComponent("d.h5").path
        let d = SyntheticGenerator.generate(Self.config { $0.eras = 12; $0.rowsPerEra = 50 })
        try DatasetFile.write(d, to: path)
        XCTAssertEqual(try DatasetFile.read(path).featureGroups, d.featureGroups)
        let some = ["feature_0001", "feature_0009", "feature_0010"]
        XCTAssertEqual(try DatasetFile.read(path, features: some).featureGroups,
                       ["intelligence": ["feature_0001"], "charisma": ["feature_0009", "feature_0010"]])
    }
}
