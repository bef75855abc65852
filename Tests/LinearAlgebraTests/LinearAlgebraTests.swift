import XCTest
@testable import LinearAlgebra

final class LinearAlgebraTests: XCTestCase {
    func testGramMatchesNaiveProduct() {
        let a = Matrix(rows: 3, columns: 2, values: [1, 2, 3, 4, 5, 6])
        let g = gram(a)
        XCTAssertEqual(g.values, [35, 44, 44, 56])
        let m = multiply(a, a, transposeA: true)
        XCTAssertEqual(m.values, g.values)
        let outer = multiply(a, a, transposeB: true)
        XCTAssertEqual(outer[0, 0], 5)
        XCTAssertEqual(outer[2, 1], 39)
    }

    func testSymmetricEigenDescendingAndReconstructs() throws {
        let s = Matrix(rows: 3, columns: 3, values: [4, 1, 0, 1, 3, 1, 0, 1, 2])
        let (w, v) = try symmetricEigen(s)
        XCTAssertEqual(w.count, 3)
        XCTAssertGreaterThanOrEqual(w[0], w[1])
        XCTAssertGreaterThanOrEqual(w[1], w[2])
        XCTAssertEqual(w.reduce(0, +), 9, accuracy: 1e-12) // trace
        // S v = λ v for each column
        for j in 0..<3 {
            for i in 0..<3 {
                let sv = (0..<3).reduce(0.0) { $0 + s[i, $1] * v[$1, j] }
                XCTAssertEqual(sv, w[j] * v[i, j], accuracy: 1e-10)
            }
        }
    }

    func testLeastSquaresRecoversExactFit() throws {
        // y = 2 + 3 x
        let a = Matrix(rows: 4, columns: 2, values: [1, 0, 1, 1, 1, 2, 1, 3])
        let b = Matrix(rows: 4, columns: 1, values: [2, 5, 8, 11])
        let x = try leastSquares(a, b)
        XCTAssertEqual(x[0, 0], 2, accuracy: 1e-10)
        XCTAssertEqual(x[1, 0], 3, accuracy: 1e-10)
    }
}
