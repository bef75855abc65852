import CLinearAlgebra

/// C = op(B)·X via `dgemm`, B a row-major block of `rows` × `columns` whose rows start `stride`
/// values apart (B[i][j] = a[i·stride + j]) — a window of a larger matrix, e.g. one era's columns
/// of a models × rows store, used without copying —, X row-major with `width` columns and
/// op(B).columns rows, C row-major op(B).rows × `width`. One call is one summation order: the
/// result does not depend on how many callers run at once (keep OpenBLAS at one thread when
/// callers run in parallel, `BLAS.setThreads(1)`).
public func multiplyWindow(_ a: UnsafePointer<Double>, rows: Int, columns: Int, stride: Int, transpose: Bool,
                           _ x: UnsafeBufferPointer<Double>, width: Int, into c: UnsafeMutableBufferPointer<Double>) {
    let m = transpose ? columns : rows, k = transpose ? rows : columns
    precondition(stride >= columns && x.count == k * width && c.count == m * width, "multiplyWindow: shapes differ")
    if m == 0 || width == 0 { return }
    if k == 0 {
        for i in c.indices { c[i] = 0 }
        return
    }
    cblas_dgemm(CblasRowMajor, transpose ? CblasTrans : CblasNoTrans, CblasNoTrans, Int32(m), Int32(width), Int32(k),
                1.0, a, Int32(stride), x.baseAddress, Int32(width), 0.0, c.baseAddress, Int32(width))
}
