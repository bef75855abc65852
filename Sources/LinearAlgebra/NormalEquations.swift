import CLinearAlgebra

/// Least-squares residuals `R = X − A·(AᵀA)⁻¹·AᵀX` of many right-hand sides through the normal
/// equations, for a design `A` that is far from rank deficient. Everything is column-major:
/// `a` holds A (`rows` × `columns`, each column contiguous), `x` holds X (`rows` × `rhs`).
///
/// Method (corrected semi-normal equations, Björck 1987): G = AᵀA by one `dsyrk`, G = LLᵀ by
/// `dpotrf`; B = G⁻¹AᵀX (`dgemm`, `dpotrs`), R = X − A·B (`dgemm`); then one refinement step
/// R ← R − A·G⁻¹AᵀR, which brings the error of R to that of a QR solve as long as
/// κ₂(A)²·ε ≪ 1. Cost ≈ rows·columns² flops (the `dsyrk`) + columns³/3 (`dpotrf`), about a
/// fifth of a rank-revealing SVD solve (`dgelsd`) of the same design.
///
/// Returns nil — the caller then needs a rank-revealing solver — when G is not numerically
/// positive definite or the 1-norm estimate of its reciprocal condition number (`dpocon`) is
/// below `minimumReciprocalCondition`. For symmetric G, κ₂(G) ≤ κ₁(G), and κ₂(A) = √κ₂(G): so a
/// bound of 1e-10 guarantees κ₂(A) ≲ 1e5 (up to the estimator's small underestimate), i.e. every
/// singular value of A above 1e-5·σ_max — a solve that truncates at rcond 1e-6 (numpy's `lstsq`
/// in numerai-tools' `neutralize`) truncates nothing and returns the same projection.
///
/// Memory: G (columns² Doubles) plus B (columns × rhs) besides the inputs and the result.
public func normalEquationResiduals(a: UnsafeBufferPointer<Double>, rows n: Int, columns p: Int,
                                    x: UnsafeBufferPointer<Double>, rhs k: Int,
                                    minimumReciprocalCondition: Double) -> [Double]? {
    precondition(a.count == n * p && x.count == n * k, "normalEquationResiduals: shapes do not match")
    guard n > 0, p > 0, k > 0, n >= p else { return nil }
    let g = UnsafeMutableBufferPointer<Double>.allocate(capacity: p * p)
    defer { g.deallocate() }
    g.initialize(repeating: 0)
    // G = AᵀA, lower triangle (column-major).
    cblas_dsyrk(CblasColMajor, CblasLower, CblasTrans, Int32(p), Int32(n), 1.0, a.baseAddress, Int32(n),
                0.0, g.baseAddress, Int32(p))
    // ‖G‖₁ = max over columns of Σ|g_ij|, from the lower triangle (G is symmetric).
    var columnSums = [Double](repeating: 0, count: p)
    for j in 0..<p {
        let column = g.baseAddress! + j * p
        var s = 0.0
        for i in j..<p { s += abs(column[i]) }
        columnSums[j] += s
        for i in (j + 1)..<p { columnSums[i] += abs(column[i]) }
    }
    let norm = columnSums.max() ?? 0
    guard LAPACKE_dpotrf(LAPACK_COL_MAJOR, CChar(UInt8(ascii: "L")), Int32(p), g.baseAddress, Int32(p)) == 0
    else { return nil }
    var reciprocal = 0.0
    guard LAPACKE_dpocon(LAPACK_COL_MAJOR, CChar(UInt8(ascii: "L")), Int32(p), g.baseAddress, Int32(p), norm,
                         &reciprocal) == 0,
          reciprocal >= minimumReciprocalCondition
    else { return nil }

    var r = Array(x)
    var b = [Double](repeating: 0, count: p * k)
    // Twice: R = X − A·G⁻¹AᵀX, then the refinement R ← R − A·G⁻¹AᵀR.
    for _ in 0..<2 {
        let solved = r.withUnsafeBufferPointer { rp in
            b.withUnsafeMutableBufferPointer { bp -> Bool in
                cblas_dgemm(CblasColMajor, CblasTrans, CblasNoTrans, Int32(p), Int32(k), Int32(n), 1.0,
                            a.baseAddress, Int32(n), rp.baseAddress, Int32(n), 0.0, bp.baseAddress, Int32(p))
                return LAPACKE_dpotrs(LAPACK_COL_MAJOR, CChar(UInt8(ascii: "L")), Int32(p), Int32(k),
                                      g.baseAddress, Int32(p), bp.baseAddress, Int32(p)) == 0
            }
        }
        guard solved else { return nil }
        r.withUnsafeMutableBufferPointer { rp in
            b.withUnsafeBufferPointer { bp in
                cblas_dgemm(CblasColMajor, CblasNoTrans, CblasNoTrans, Int32(n), Int32(k), Int32(p), -1.0,
                            a.baseAddress, Int32(n), bp.baseAddress, Int32(p), 1.0, rp.baseAddress, Int32(n))
            }
        }
    }
    return r
}

/// C = AᵀB (`dgemm`) for column-major A and B with `rows` rows each, using the first `p` columns
/// of A and `k` columns of B; C is column-major p × k (C[i + j·p] = ⟨A column i, B column j⟩).
public func columnMajorCrossProducts(_ a: UnsafeBufferPointer<Double>, columns p: Int,
                                     _ b: UnsafeBufferPointer<Double>, columns k: Int, rows n: Int) -> [Double] {
    precondition(a.count >= n * p && b.count >= n * k, "columnMajorCrossProducts: shapes do not match")
    var c = [Double](repeating: 0, count: p * k)
    if p == 0 || k == 0 || n == 0 { return c }
    c.withUnsafeMutableBufferPointer { cp in
        cblas_dgemm(CblasColMajor, CblasTrans, CblasNoTrans, Int32(p), Int32(k), Int32(n), 1.0,
                    a.baseAddress, Int32(n), b.baseAddress, Int32(n), 0.0, cp.baseAddress, Int32(p))
    }
    return c
}

/// `normalEquationResiduals` on arrays (column-major, as there).
public func normalEquationResiduals(a: [Double], rows n: Int, columns p: Int, x: [Double], rhs k: Int,
                                    minimumReciprocalCondition: Double) -> [Double]? {
    a.withUnsafeBufferPointer { ap in
        x.withUnsafeBufferPointer { xp in
            normalEquationResiduals(a: ap, rows: n, columns: p, x: xp, rhs: k,
                                    minimumReciprocalCondition: minimumReciprocalCondition)
        }
    }
}
