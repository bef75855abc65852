import CLinearAlgebra

/// A dense row-major matrix of Double.
public struct Matrix: Equatable, Sendable {
    public let rows: Int
    public let columns: Int
    public var values: [Double]

    public init(rows: Int, columns: Int, values: [Double]) {
        precondition(values.count == rows * columns, "matrix \(rows)x\(columns) needs \(rows * columns) values")
        self.rows = rows
        self.columns = columns
        self.values = values
    }

    public init(rows: Int, columns: Int, repeating value: Double = 0) {
        self.init(rows: rows, columns: columns, values: [Double](repeating: value, count: rows * columns))
    }

    public subscript(row: Int, column: Int) -> Double {
        get { values[row * columns + column] }
        set { values[row * columns + column] = newValue }
    }
}

public struct LinearAlgebraError: Error, CustomStringConvertible {
    public let description: String
}

public enum BLAS {
    /// Caps OpenBLAS's own thread pool; call with 1 when Dispatch already fills the cores.
    public static func setThreads(_ n: Int) { wb_blas_set_threads(Int32(max(1, n))) }
}

/// Gram matrix `C = Aᵀ·A` (columns × columns) of a row-major `A` (rows × columns), via `dsyrk`;
/// both triangles filled.
public func gram(_ a: Matrix) -> Matrix {
    let n = a.columns, k = a.rows
    var c = Matrix(rows: n, columns: n)
    if n == 0 || k == 0 { return c }
    a.values.withUnsafeBufferPointer { ap in
        c.values.withUnsafeMutableBufferPointer { cp in
            // Row-major A is k×n; C = Aᵀ A is "trans" in row-major cblas terms.
            cblas_dsyrk(CblasRowMajor, CblasUpper, CblasTrans, Int32(n), Int32(k),
                        1.0, ap.baseAddress, Int32(n), 0.0, cp.baseAddress, Int32(n))
        }
    }
    for i in 0..<n { for j in 0..<i { c[i, j] = c[j, i] } }
    return c
}

/// Matrix product `C = op(A)·op(B)` via `dgemm`.
public func multiply(_ a: Matrix, _ b: Matrix, transposeA: Bool = false, transposeB: Bool = false) -> Matrix {
    let m = transposeA ? a.columns : a.rows
    let k = transposeA ? a.rows : a.columns
    let kb = transposeB ? b.columns : b.rows
    let n = transposeB ? b.rows : b.columns
    precondition(k == kb, "inner dimensions differ: \(k) vs \(kb)")
    var c = Matrix(rows: m, columns: n)
    if m == 0 || n == 0 || k == 0 { return c }
    a.values.withUnsafeBufferPointer { ap in
        b.values.withUnsafeBufferPointer { bp in
            c.values.withUnsafeMutableBufferPointer { cp in
                cblas_dgemm(CblasRowMajor, transposeA ? CblasTrans : CblasNoTrans,
                            transposeB ? CblasTrans : CblasNoTrans,
                            Int32(m), Int32(n), Int32(k), 1.0, ap.baseAddress, Int32(a.columns),
                            bp.baseAddress, Int32(b.columns), 0.0, cp.baseAddress, Int32(n))
            }
        }
    }
    return c
}

/// Eigen-decomposition of a symmetric matrix via LAPACK `dsyevd`.
/// Returns eigenvalues in **descending** order and the matching eigenvectors as columns.
public func symmetricEigen(_ s: Matrix) throws -> (values: [Double], vectors: Matrix) {
    precondition(s.rows == s.columns, "symmetricEigen needs a square matrix")
    let n = s.rows
    if n == 0 { return ([], Matrix(rows: 0, columns: 0)) }
    var a = s.values
    var w = [Double](repeating: 0, count: n)
    let info = a.withUnsafeMutableBufferPointer { ap in
        w.withUnsafeMutableBufferPointer { wp in
            LAPACKE_dsyevd(LAPACK_ROW_MAJOR, CChar(UInt8(ascii: "V")), CChar(UInt8(ascii: "U")),
                           Int32(n), ap.baseAddress, Int32(n), wp.baseAddress)
        }
    }
    guard info == 0 else { throw LinearAlgebraError(description: "dsyevd failed (info \(info))") }
    // LAPACK returns ascending; reverse to descending, columns likewise.
    var vectors = Matrix(rows: n, columns: n)
    for j in 0..<n {
        let src = n - 1 - j
        for i in 0..<n { vectors[i, j] = a[i * n + src] }
    }
    return (w.reversed(), vectors)
}

/// Least-squares solution X of min ‖A·X − B‖ via LAPACK `dgelsd` (rank-revealing, SVD based).
public func leastSquares(_ a: Matrix, _ b: Matrix) throws -> Matrix {
    try leastSquares(a, b, rcond: -1)
}

/// As `leastSquares(_:_:)`, treating singular values ≤ `rcond`·σ_max as zero (numpy's `lstsq`
/// `rcond`); a negative `rcond` means machine precision.
public func leastSquares(_ a: Matrix, _ b: Matrix, rcond: Double) throws -> Matrix {
    precondition(a.rows == b.rows, "leastSquares: A and B need the same rows")
    let m = a.rows, n = a.columns, nrhs = b.columns
    let ldb = max(m, n)
    var av = a.values
    var bv = [Double](repeating: 0, count: ldb * nrhs)
    for i in 0..<m { for j in 0..<nrhs { bv[i * nrhs + j] = b[i, j] } }
    var sv = [Double](repeating: 0, count: min(m, n))
    var rank: Int32 = 0
    let info = av.withUnsafeMutableBufferPointer { ap in
        bv.withUnsafeMutableBufferPointer { bp in
            sv.withUnsafeMutableBufferPointer { sp in
                LAPACKE_dgelsd(LAPACK_ROW_MAJOR, Int32(m), Int32(n), Int32(nrhs), ap.baseAddress, Int32(n),
                               bp.baseAddress, Int32(nrhs), sp.baseAddress, rcond, &rank)
            }
        }
    }
    guard info == 0 else { throw LinearAlgebraError(description: "dgelsd failed (info \(info))") }
    var x = Matrix(rows: n, columns: nrhs)
    for i in 0..<n { for j in 0..<nrhs { x[i, j] = bv[i * nrhs + j] } }
    return x
}
