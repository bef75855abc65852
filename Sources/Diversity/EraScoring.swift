import EraData
import Foundation
import LinearAlgebra

/// A failure of the analysis (bad input shapes, too few eras, NaN predictions).
public struct DiversityError: Error, CustomStringConvertible {
    public let description: String
    public init(_ description: String) { self.description = description }
}

/// Φ⁻¹ and p15∘Φ⁻¹ of every possible tie-kept rank among `n` values, indexed by twice the rank
/// (0…2n). Ranking then looks values up instead of evaluating Φ⁻¹ per row; the table entries are
/// computed exactly as `Scoring.gaussianOfTwiceRank` computes them, so results are bit-identical.
public struct GaussTable: Sendable {
    public let n: Int
    public let g: [Double]
    public let g15: [Double]
    public init(n: Int) {
        self.n = n
        var g = [Double](repeating: 0, count: 2 * n + 1)
        for twice in 2...(max(2 * n, 2)) where twice <= 2 * n {
            g[twice] = Scoring.gaussianOfTwiceRank(Int32(twice), count: n)
        }
        self.g = g
        g15 = g.map(Scoring.power15)
    }
}

/// Reusable buffers for per-era ranking (one per worker thread).
public struct RankScratch {
    var twice: [Int32] = []
    var order: [Int32] = []
    var transformed: [Double] = []
    public init() {}
}

/// The evaluation rows of a dataset grouped by era, with everything the per-era scores need that
/// does not depend on a model: which rows have a target, the transformed targets, Φ⁻¹ tables.
///
/// Positions refer to the caller's `rows` list (predictions are aligned with it). "Compact" arrays
/// hold only rows with a target, era after era; `Era.compact` is an era's slice of them.
/// Eras without any target are left out.
public struct EraLayout: Sendable {
    public struct Era: Sendable {
        /// Index into `Dataset.eras`.
        public let index: Int
        public let name: String
        /// Positions (into the caller's rows) of every row of this era.
        public let rows: Range<Int>
        /// Positions (into the caller's rows) of rows with a target, ascending.
        public let valid: [Int32]
        /// This era's slice of compact arrays.
        public let compact: Range<Int>
        /// p15(t − mean t): the target of `numerai_corr`.
        public let t15: [Double]
        /// (4t if t ⊂ [0,1]) − mean: the target of `correlation_contribution`.
        public let tContribution: [Double]
        /// t − mean t: the target of the ambiguity decomposition.
        public let tCentered: [Double]
        public let table: GaussTable
        public var allRowsScored: Bool { valid.count == rows.count }
    }

    public let eras: [Era]
    /// Number of caller rows.
    public let rowCount: Int
    /// Number of rows with a target (length of compact arrays).
    public let compactCount: Int
    /// The dataset rows (caller's list), for feature lookups.
    public let datasetRows: [Int32]

    /// - Parameters: `rows` must be in era order (as `Dataset.rows(in:)` returns them).
    public init(dataset: Dataset, rows: [Int32], targetIndex: Int) throws {
        guard dataset.targets.indices.contains(targetIndex) else {
            throw DiversityError("target index \(targetIndex) out of range (dataset has \(dataset.targets.count) targets)")
        }
        let target = dataset.targets[targetIndex]
        var eras: [Era] = []
        var seen = Set<Int>()
        var offset = 0
        for group in dataset.eraGroups(of: rows) {
            guard seen.insert(group.era).inserted else {
                throw DiversityError("rows are not in era order: era \(dataset.eras[group.era]) appears in two runs")
            }
            var valid: [Int32] = []
            var t: [Double] = []
            for position in group.range {
                let value = target[Int(rows[position])]
                if !value.isNaN { valid.append(Int32(position)); t.append(Double(value)) }
            }
            if valid.isEmpty { continue }
            let mean = t.reduce(0, +) / Double(t.count)
            eras.append(Era(index: group.era, name: dataset.eras[group.era], rows: group.range, valid: valid,
                            compact: offset..<(offset + valid.count),
                            t15: t.map { Scoring.power15($0 - mean) },
                            tContribution: Scoring.contributionTarget(t),
                            tCentered: t.map { $0 - mean },
                            table: GaussTable(n: valid.count)))
            offset += valid.count
        }
        self.eras = eras
        rowCount = rows.count
        compactCount = offset
        datasetRows = rows
    }

    /// Compact positions covered by a contiguous range of eras.
    public func compactRange(eras range: Range<Int>) -> Range<Int> {
        if range.isEmpty { return 0..<0 }
        return eras[range.lowerBound].compact.lowerBound..<eras[range.upperBound - 1].compact.upperBound
    }

    // MARK: Kernels (one era)

    /// Ranks `values` (one era's scored rows) into `scratch.twice`.
    @inline(__always)
    func rank(_ values: UnsafeBufferPointer<Double>, _ scratch: inout RankScratch) {
        if scratch.twice.count < values.count { scratch.twice = [Int32](repeating: 0, count: values.count) }
        scratch.twice.withUnsafeMutableBufferPointer { t in
            Scoring.twiceAverageRanks(values, into: UnsafeMutableBufferPointer(rebasing: t[0..<values.count]),
                                      order: &scratch.order)
        }
    }

    /// numerai_corr of one era, `values` being that era's scored rows in order.
    public func numeraiCorr(era e: Int, values: UnsafeBufferPointer<Double>, scratch: inout RankScratch) -> Double {
        let era = eras[e]
        precondition(values.count == era.valid.count)
        rank(values, &scratch)
        let n = values.count
        if n < 2 { return .nan }
        var mx = 0.0, my = 0.0
        let g15 = era.table.g15, t15 = era.t15
        for i in 0..<n { mx += g15[Int(scratch.twice[i])]; my += t15[i] }
        mx /= Double(n); my /= Double(n)
        var sxy = 0.0, sxx = 0.0, syy = 0.0
        for i in 0..<n {
            let dx = g15[Int(scratch.twice[i])] - mx, dy = t15[i] - my
            sxy += dx * dy; sxx += dx * dx; syy += dy * dy
        }
        if sxx == 0 || syy == 0 { return .nan }
        return sxy / (sxx * syy).squareRoot()
    }

    /// Φ⁻¹(rank) of one era's scored rows into `out`.
    public func gaussianize(era e: Int, values: UnsafeBufferPointer<Double>,
                            into out: UnsafeMutableBufferPointer<Double>, scratch: inout RankScratch) {
        rank(values, &scratch)
        let g = eras[e].table.g
        for i in 0..<values.count { out[i] = g[Int(scratch.twice[i])] }
    }

    /// numerai_corr per era of a compact-length array (e.g. an ensemble), over `eraRange`.
    public func numeraiCorrPerEra(compact values: UnsafeBufferPointer<Double>, eras eraRange: Range<Int>,
                                  scratch: inout RankScratch) -> [Double] {
        eraRange.map { e in
            numeraiCorr(era: e, values: UnsafeBufferPointer(rebasing: values[eras[e].compact]), scratch: &scratch)
        }
    }

    /// One model: gaussianized scored rows (compact) and numerai_corr per era.
    /// `predictions` is aligned with the caller's rows.
    public func scoreModel(_ predictions: UnsafeBufferPointer<Float>,
                           gaussianized out: UnsafeMutableBufferPointer<Double>,
                           scratch: inout RankScratch) -> [Double] {
        precondition(predictions.count == rowCount && out.count == compactCount)
        var corr = [Double](repeating: .nan, count: eras.count)
        for (e, era) in eras.enumerated() {
            // The era's slice of `out` doubles as the gather buffer; it is overwritten with Φ⁻¹(rank).
            let slice = UnsafeMutableBufferPointer(rebasing: out[era.compact])
            for (i, position) in era.valid.enumerated() { slice[i] = Double(predictions[Int(position)]) }
            corr[e] = numeraiCorr(era: e, values: UnsafeBufferPointer(slice), scratch: &scratch)
            let g = era.table.g
            for i in 0..<era.valid.count { slice[i] = g[Int(scratch.twice[i])] }
        }
        return corr
    }

    /// correlation_contribution per era of gaussianized predictions `p` against gaussianized `m`
    /// (both compact), over `eraRange`.
    public func contributionPerEra(gaussianized p: UnsafeBufferPointer<Double>, meta m: UnsafeBufferPointer<Double>,
                                   eras eraRange: Range<Int>) -> [Double] {
        eraRange.map { e in
            let era = eras[e]
            let base = era.compact.lowerBound
            var pm = 0.0, mm = 0.0
            for i in 0..<era.valid.count { pm += p[base + i] * m[base + i]; mm += m[base + i] * m[base + i] }
            if mm == 0 { return .nan }
            let beta = pm / mm
            var s = 0.0
            for i in 0..<era.valid.count { s += era.tContribution[i] * (p[base + i] - m[base + i] * beta) }
            return s / Double(era.valid.count)
        }
    }
}

/// Model-major Double storage (`models × columns`), shared read-only across worker threads.
public final class ModelMatrix: @unchecked Sendable {
    public let models: Int
    public let columns: Int
    public let storage: UnsafeMutableBufferPointer<Double>

    public init(models: Int, columns: Int) {
        self.models = models
        self.columns = columns
        storage = .allocate(capacity: max(models * columns, 1))
        storage.initialize(repeating: 0)
    }
    deinit { storage.deallocate() }

    @inline(__always)
    public func row(_ m: Int) -> UnsafeMutableBufferPointer<Double> {
        UnsafeMutableBufferPointer(rebasing: storage[(m * columns)..<((m + 1) * columns)])
    }
}

/// Collects the first error thrown inside a `concurrentPerform` body.
final class FirstError: @unchecked Sendable {
    private let lock = NSLock()
    private(set) var error: Error?
    func record(_ e: Error) { lock.lock(); if error == nil { error = e }; lock.unlock() }
    func rethrow() throws { if let error { throw error } }
}

/// Per-era feature-neutral corr and feature exposure of many models at once: one least-squares
/// solve per era with every model as a right-hand side, one `dgemm` for all feature correlations.
///
/// The solve goes through the normal equations of the design [F, 1] (`normalEquationResiduals`:
/// one `dsyrk` Gram matrix per era, shared by all models, Cholesky, one refinement step); an era
/// whose design is rank deficient or ill-conditioned (κ₂ ≳ 1e5, where numpy's rcond 1e-6 could
/// start to truncate) falls back to the rank-revealing `Scoring.neutralize` (`dgelsd`), so the
/// residuals are numerai-tools' in both cases. Eras run concurrently (`concurrentPerform`, BLAS
/// single-threaded); memory per concurrent era ≈ 8·(n·(F+1) + (F+1)²) bytes for n rows and F
/// features (n = 4,700, F = 2,376: 89 MB design + 45 MB Gram), plus a row-major copy of the
/// features and `dgelsd`'s workspace in an era that falls back.
public enum FeatureScores {
    /// Smallest accepted reciprocal 1-norm condition estimate of the Gram matrix before an era
    /// falls back to `dgelsd` (see `normalEquationResiduals`).
    static let minimumGramReciprocalCondition = 1e-10

    /// Returns `fnc[model][era]` and `exposure[model][era]` (eras of `layout`).
    /// `predictions[m]` holds model m's raw predictions aligned with the layout's rows.
    public static func compute(layout: EraLayout, dataset: Dataset, predictions sources: [[Float]]) throws
        -> (fnc: [[Double]], exposure: [[Double]]) {
        let eraCount = layout.eras.count, models = sources.count
        let fnc = ModelMatrix(models: models, columns: eraCount)
        let exposure = ModelMatrix(models: models, columns: eraCount)
        let failure = FirstError()
        DispatchQueue.concurrentPerform(iterations: eraCount) { e in
            do {
                let (f, x) = try scoreEra(layout: layout, era: e, dataset: dataset, sources: sources)
                for m in 0..<models { fnc.row(m)[e] = f[m]; exposure.row(m)[e] = x[m] }
            } catch {
                failure.record(error)
            }
        }
        try failure.rethrow()
        return ((0..<models).map { Array(fnc.row($0)) }, (0..<models).map { Array(exposure.row($0)) })
    }

    static func scoreEra(layout: EraLayout, era e: Int, dataset: Dataset,
                         sources: [[Float]]) throws -> ([Double], [Double]) {
        let era = layout.eras[e]
        let n = era.rows.count, fCount = dataset.featureCount, models = sources.count
        // The design [F, 1] column-major (n × (F+1)): feature f's rows at f·n…, then a column of
        // ones. The dataset stores features column-wise too, so the gather writes contiguously.
        var design = [Double](repeating: 1, count: n * (fCount + 1))
        design.withUnsafeMutableBufferPointer { d in
            layout.datasetRows.withUnsafeBufferPointer { rows in
                let first = era.rows.lowerBound
                for f in 0..<fCount {
                    let column = dataset.features.column(f), out = d.baseAddress! + f * n
                    for i in 0..<n { out[i] = Double(column[Int(rows[first + i])]) }
                }
            }
        }
        // Raw predictions and their gaussianized ranks over all rows of the era, column-major
        // (n × models).
        var raw = [Double](repeating: 0, count: n * models)
        var gaussian = [Double](repeating: 0, count: n * models)
        var constant = [Bool](repeating: false, count: models)
        let table = era.allRowsScored ? era.table : GaussTable(n: n)
        var scratch = RankScratch()
        var twice = [Int32](repeating: 0, count: n)
        for m in 0..<models {
            for i in 0..<n { raw[m * n + i] = Double(sources[m][era.rows.lowerBound + i]) }
            raw[(m * n)..<((m + 1) * n)].withUnsafeBufferPointer { c in
                twice.withUnsafeMutableBufferPointer { t in Scoring.twiceAverageRanks(c, into: t, order: &scratch.order) }
            }
            constant[m] = twice.allSatisfy { $0 == twice[0] }
            for i in 0..<n { gaussian[m * n + i] = table.g[Int(twice[i])] }
        }
        let residual = try neutralized(gaussian, design: design, rows: n, features: fCount, models: models)
        var fnc = [Double](repeating: .nan, count: models)
        var values = [Double](repeating: 0, count: era.valid.count)
        for m in 0..<models where !constant[m] {
            for (i, position) in era.valid.enumerated() {
                values[i] = residual[m * n + Int(position) - era.rows.lowerBound]
            }
            fnc[m] = values.withUnsafeBufferPointer { layout.numeraiCorr(era: e, values: $0, scratch: &scratch) }
        }
        // Exposure: pearson(feature, prediction) = ⟨f − f̄, p − p̄⟩ / (‖f − f̄‖‖p − p̄‖).
        var exposure = [Double](repeating: .nan, count: models)
        if fCount > 0 && n > 1 {
            let featureNorms = centerColumns(&design, rows: n, columns: fCount)
            let predictionNorms = centerColumns(&raw, rows: n, columns: models)
            // cross[f + m·F] = ⟨f − f̄, p_m − p̄_m⟩ (the ones column is left out: k = n, first F columns).
            let cross = design.withUnsafeBufferPointer { d in
                raw.withUnsafeBufferPointer { columnMajorCrossProducts(d, columns: fCount, $0, columns: models, rows: n) }
            }
            for m in 0..<models where predictionNorms[m] > 0 {
                var best = Double.nan
                for f in 0..<fCount where featureNorms[f] > 0 {
                    let r = abs(cross[m * fCount + f] / (featureNorms[f] * predictionNorms[m]))
                    if best.isNaN || r > best { best = r }
                }
                exposure[m] = best
            }
        }
        return (fnc, exposure)
    }

    /// neutralize(X, [F, 1]) of column-major X (n × models) against the column-major design
    /// [F, 1] (n × (F+1)): normal equations when well-conditioned, `Scoring.neutralize` otherwise.
    static func neutralized(_ x: [Double], design: [Double], rows n: Int, features fCount: Int,
                            models: Int) throws -> [Double] {
        if let fast = normalEquationResiduals(a: design, rows: n, columns: fCount + 1, x: x, rhs: models,
                                              minimumReciprocalCondition: minimumGramReciprocalCondition) {
            return fast
        }
        var features = Matrix(rows: n, columns: fCount)
        for f in 0..<fCount { for i in 0..<n { features.values[i * fCount + f] = design[f * n + i] } }
        var rowMajor = Matrix(rows: n, columns: models)
        for m in 0..<models { for i in 0..<n { rowMajor.values[i * models + m] = x[m * n + i] } }
        let residual = try Scoring.neutralize(rowMajor, against: features)
        var out = [Double](repeating: 0, count: n * models)
        for m in 0..<models { for i in 0..<n { out[m * n + i] = residual.values[i * models + m] } }
        return out
    }

    /// Centers the first `columns` columns of column-major `x` (`rows` per column) in place;
    /// returns their Euclidean norms after centering.
    static func centerColumns(_ x: inout [Double], rows n: Int, columns: Int) -> [Double] {
        var norms = [Double](repeating: 0, count: columns)
        x.withUnsafeMutableBufferPointer { v in
            for j in 0..<columns {
                let c = v.baseAddress! + j * n
                var mean = 0.0
                for i in 0..<n { mean += c[i] }
                mean /= Double(n)
                var ss = 0.0
                for i in 0..<n {
                    let d = c[i] - mean
                    c[i] = d
                    ss += d * d
                }
                norms[j] = ss.squareRoot()
            }
        }
        return norms
    }
}

/// A results array written by disjoint indices from `concurrentPerform` workers.
/// (Raw storage: Swift's exclusivity checks forbid concurrent writes through a class's array.)
final class SharedDoubles: @unchecked Sendable {
    let v: UnsafeMutableBufferPointer<Double>
    init(count: Int) { v = .allocate(capacity: count); v.initialize(repeating: .nan) }
    deinit { v.deallocate() }
    var array: [Double] { Array(v) }
}

extension BLAS {
    /// The analysis parallelizes over models and eras itself; OpenBLAS threads on top would
    /// oversubscribe the cores.
    public static func setThreadsForAnalysis() { setThreads(1) }
}
