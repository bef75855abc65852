import Diversity
import EraData
import EvaluationRules
import Foundation
import LinearAlgebra

/// A failure of the tournament (bad input, a group with no model, too few eras).
public struct TournamentError: Error, CustomStringConvertible {
    public let description: String
    public init(_ description: String) { self.description = description }
}

/// The stored models as the tournament scores them, prepared ONCE and shared by every population,
/// scenario and newcomer count:
/// - Φ⁻¹(tie-kept rank) of each model's predictions per era over the rows with a target
///   (numerai-tools' `gaussian(tie_kept_rank(·))`, what a submission is turned into before the
///   meta model is built), for all evaluation eras;
/// - numerai_corr per model and era;
/// - with features, per test era, every model's gaussianized predictions neutralized against the
///   era's features (numerai-tools `neutralize`: lstsq on [F, 1], rcond 1e-6), for
///   `neutral_contribution`.
public final class ModelPool: @unchecked Sendable {
    public let layout: EraLayout
    /// Era ranges into `layout.eras`: selection (filters are decided there) and test (scored).
    public let selection: Range<Int>
    public let test: Range<Int>
    public let ids: [String]
    public let arms: [String]
    /// Index of the example model (the study's benchmark), if the study stored one.
    public let example: Int?
    /// models × compactCount.
    public let gaussianized: ModelMatrix
    /// corr[model][era] over all evaluation eras.
    public let corr: [[Double]]
    /// tᵀg per model and era (models × eras), t the era's `tContribution`: the part of
    /// `correlation_contribution` that does not depend on the meta model (see `MetaModel`).
    public let tg: ModelMatrix
    public let neutral: NeutralCache?

    public var count: Int { ids.count }

    /// - Parameters: `predictions[m]` aligned with `rows` (evaluation rows in era order).
    public init(ids: [String], arms: [String], predictions: [[Float]], rows: [Int32], dataset: Dataset,
                targetIndex: Int, example: Int?, split: EvaluationSplit, neutralContribution: Bool) throws {
        precondition(ids.count == arms.count && ids.count == predictions.count)
        guard !ids.isEmpty else { throw TournamentError("the study holds no finished model") }
        do {
            layout = try EraLayout(dataset: dataset, rows: rows, targetIndex: targetIndex)
            (selection, test) = try split.ranges(eraCount: layout.eras.count)
        } catch let error as DiversityError {
            throw TournamentError("evaluation eras: \(error.description)")
        } catch let error as EvaluationRulesError {
            throw TournamentError("evaluation eras: \(error.description)")
        }
        for (m, p) in predictions.enumerated() where p.count != rows.count || p.contains(where: { !$0.isFinite }) {
            throw TournamentError("model \(ids[m]): predictions are missing or not finite")
        }
        self.ids = ids
        self.arms = arms
        self.example = example
        let layout = self.layout
        let g = ModelMatrix(models: ids.count, columns: layout.compactCount)
        let corrBox = ModelMatrix(models: ids.count, columns: layout.eras.count)
        let tgBox = ModelMatrix(models: ids.count, columns: layout.eras.count)
        // Once per model and era: Φ⁻¹(rank) of the scored rows (radix rank, bit-identical to
        // `EraLayout.scoreModel`), numerai_corr = pearson(p15(g), t15), and tᵀg (see `tg`).
        DispatchQueue.concurrentPerform(iterations: ids.count) { m in
            let ranker = RadixRanker()
            var p15 = [Double](repeating: 0, count: layout.eras.map(\.valid.count).max() ?? 0)
            let out = g.row(m)
            predictions[m].withUnsafeBufferPointer { p in
                p15.withUnsafeMutableBufferPointer { p15 in
                    for (e, era) in layout.eras.enumerated() {
                        let n = era.valid.count
                        let slice = UnsafeMutableBufferPointer(rebasing: out[era.compact])
                        let slice15 = UnsafeMutableBufferPointer(rebasing: p15[0..<n])
                        ranker.gaussianize(p, positions: era.valid, table: era.table, into: slice, power15: slice15)
                        corrBox.row(m)[e] = n < 2 ? .nan : era.t15.withUnsafeBufferPointer {
                            Scoring.pearson(UnsafeBufferPointer(slice15), $0)
                        }
                        tgBox.row(m)[e] = MetaModel.dot(era.tContribution, UnsafeBufferPointer(slice))
                    }
                }
            }
        }
        gaussianized = g
        corr = (0..<ids.count).map { Array(corrBox.row($0)) }
        tg = tgBox
        if neutralContribution && dataset.featureCount > 0 {
            neutral = try NeutralCache(layout: layout, eras: test, dataset: dataset, gaussianized: g)
        } else {
            neutral = nil
        }
    }
}

/// Per test era: the projection numerai-tools' `neutralize` applies, prepared once, and every
/// pool model's neutralized gaussianized predictions, so that a population only has to
/// neutralize its meta model.
///
/// neutralize(x) = x − A·lstsq(A, x, rcond 1e-6) with A = [F, 1] (the era's scored rows' feature
/// bins and an intercept). lstsq is linear in x: lstsq(A, x) = A⁺x with A⁺ = lstsq(A, I) (one
/// `dgelsd` per era with the identity as right-hand side), so each later neutralization is two
/// matrix products instead of a least-squares solve.
public final class NeutralCache: @unchecked Sendable {
    public let eras: Range<Int>
    /// designs[e − eras.lowerBound]: A = [F, 1], scored rows × (features + 1).
    let designs: [Matrix]
    /// A⁺ per era, (features + 1) × scored rows.
    let pseudoInverses: [Matrix]
    /// models × (compact span of `eras`); NaN rows where a model is constant in an era.
    public let neutralized: ModelMatrix
    /// tᵀ(neutralized g) per model and era of `eras` (models × eras.count; NaN where constant).
    public let tNeutralized: ModelMatrix
    public let span: Range<Int>

    init(layout: EraLayout, eras: Range<Int>, dataset: Dataset, gaussianized g: ModelMatrix) throws {
        // The eras run in parallel here; a multi-threaded BLAS inside them would make the bits
        // depend on how busy its pool is (seen: two identical runs differing under load).
        BLAS.setThreadsForAnalysis()
        self.eras = eras
        span = layout.compactRange(eras: eras)
        let span = self.span
        let models = g.models, fCount = dataset.featureCount
        let eraList = Array(eras)
        let failure = ErrorBox()
        let designSlots = Slots<Matrix>(eraList.count), inverseSlots = Slots<Matrix>(eraList.count)
        let out = ModelMatrix(models: models, columns: span.count)
        let tOut = ModelMatrix(models: models, columns: eraList.count)
        DispatchQueue.concurrentPerform(iterations: eraList.count) { k in
            let era = layout.eras[eraList[k]]
            let n = era.valid.count
            var a = Matrix(rows: n, columns: fCount + 1)
            for j in 0..<fCount {
                let column = dataset.features.column(j)
                for (i, position) in era.valid.enumerated() {
                    a.values[i * (fCount + 1) + j] = Double(column[Int(layout.datasetRows[Int(position)])])
                }
            }
            for i in 0..<n { a.values[i * (fCount + 1) + fCount] = 1 }
            do {
                let pinv = try NeutralCache.pseudoInverse(a, rcond: Scoring.numpyNeutralizeRcond)
                var x = Matrix(rows: n, columns: models)
                var constant = [Bool](repeating: false, count: models)
                for m in 0..<models {
                    let row = g.row(m)
                    let first = row[era.compact.lowerBound]
                    var same = true
                    for i in 0..<n {
                        let v = row[era.compact.lowerBound + i]
                        x.values[i * models + m] = v
                        if v != first { same = false }
                    }
                    constant[m] = same
                }
                let fitted = multiply(a, multiply(pinv, x))
                let base = era.compact.lowerBound - span.lowerBound
                for m in 0..<models {
                    let row = out.row(m)
                    for i in 0..<n { row[base + i] = constant[m] ? .nan : x.values[i * models + m] - fitted.values[i * models + m] }
                    tOut.row(m)[k] = MetaModel.dot(era.tContribution, UnsafeBufferPointer(rebasing: row[base..<(base + n)]))
                }
                designSlots[k] = a
                inverseSlots[k] = pinv
            } catch {
                failure.record(error)
            }
        }
        try failure.rethrow()
        designs = designSlots.values
        pseudoInverses = inverseSlots.values
        neutralized = out
        tNeutralized = tOut
    }

    /// A⁺ = V·Λ⁻¹·Vᵀ·Aᵀ from the eigen-decomposition AᵀA = V·Λ·Vᵀ (a (F+1)² problem instead of
    /// an SVD with n right-hand sides), keeping the singular values σ = √λ > rcond·σ_max as
    /// `dgelsd` / numpy's `lstsq` do. Forming AᵀA squares the condition number: for feature bins
    /// and an intercept (κ well below 10³) the result agrees with `lstsq` to ~1e-12 (the oracle
    /// test checks neutral_contribution against numerai-tools to 1e-9); only singular values
    /// within ~1e-8·σ_max of the cut could be decided differently.
    static func pseudoInverse(_ a: Matrix, rcond: Double) throws -> Matrix {
        let (values, v) = try symmetricEigen(multiply(a, a, transposeA: true))
        let r = a.columns
        let cut = (values.first ?? 0) * rcond * rcond
        // W = V·Λ⁻¹·Vᵀ over the kept eigenpairs, then A⁺ = W·Aᵀ.
        var w = Matrix(rows: r, columns: r)
        for k in 0..<r where values[k] > cut && values[k] > 0 {
            let inv = 1 / values[k]
            for i in 0..<r {
                let vik = v[i, k] * inv
                for j in 0..<r { w.values[i * r + j] += vik * v[j, k] }
            }
        }
        return multiply(w, a, transposeB: true)
    }

    /// Neutralizes one era's gaussianized vector (scored rows) against that era's features;
    /// nil when the vector is constant (numerai-tools turns a zero-std column into NaN).
    func neutralize(era e: Int, _ values: [Double]) -> [Double]? {
        guard let first = values.first, values.contains(where: { $0 != first }) else { return nil }
        let k = e - eras.lowerBound
        let x = Matrix(rows: values.count, columns: 1, values: values)
        let fitted = multiply(designs[k], multiply(pseudoInverses[k], x))
        return (0..<values.count).map { values[$0] - fitted.values[$0] }
    }
}

/// The first error thrown inside a `concurrentPerform` body.
final class ErrorBox: @unchecked Sendable {
    private let lock = NSLock()
    private var error: Error?
    func record(_ e: Error) { lock.lock(); if error == nil { error = e }; lock.unlock() }
    func rethrow() throws { if let error { throw error } }
}

/// Per-index results written by `concurrentPerform` workers, each index by one worker. Raw
/// storage: an array property of a class may not be modified from two threads at once.
final class Slots<T>: @unchecked Sendable {
    private let storage: UnsafeMutableBufferPointer<T?>
    init(_ count: Int) {
        storage = .allocate(capacity: count)
        storage.initialize(repeating: nil)
    }
    deinit {
        _ = storage.deinitialize()
        storage.deallocate()
    }
    subscript(i: Int) -> T? {
        get { storage[i] }
        set { storage[i] = newValue }
    }
    /// Every slot, in index order; each must have been filled.
    var values: [T] { storage.map { $0! } }
}
