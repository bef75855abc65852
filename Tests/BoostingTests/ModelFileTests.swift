import XCTest
import Foundation
@testable import Boosting
import EraData
import Support
import TestSupport

/// Random well-formed boosters for format tests (test-only; trees grown as LightGBM grows them:
/// a leaf splits into itself (left) and a new leaf (right)).
enum RandomBoosters {

    /// Thresholds as LightGBM writes them for 0..4 integer features.
    static let integerThresholds: [Double] = [1.0000000180025095e-35, 1.5000000000000002, 2.5000000000000004, 3.5000000000000004]

    static func tree(leaves: Int, featureCount: Int, rng: inout SplitMix64, thresholds: [Double] = integerThresholds,
                     decisionTypes: [UInt8] = []) -> Tree {
        var tree = Tree(leafValue: [rng.nextUnit() - 0.5], leafCount: [1000])
        var leafParent = [-1]
        for _ in 1..<max(leaves, 1) {
            let leaf = rng.int(tree.leafValue.count)
            let node = tree.splitFeature.count
            let newLeaf = tree.leafValue.count
            if leafParent[leaf] >= 0 {
                let parent = leafParent[leaf]
                if tree.leftChild[parent] == Int32(-(leaf + 1)) { tree.leftChild[parent] = Int32(node) }
                else { tree.rightChild[parent] = Int32(node) }
            }
            let t = rng.int(thresholds.count)
            tree.splitFeature.append(Int32(rng.int(featureCount)))
            tree.threshold.append(thresholds[t])
            tree.thresholdBin.append(Booster.integerBin(atOrBelow: thresholds[t]))
            tree.splitGain.append(Float(rng.nextUnit() * 100))
            tree.leftChild.append(Int32(-(leaf + 1)))
            tree.rightChild.append(Int32(-(newLeaf + 1)))
            tree.internalValue.append(tree.leafValue[leaf])
            let count = tree.leafCount[leaf]
            tree.internalCount.append(count)
            let leftCount = max(1, Int32(rng.int(Int(max(count, 2)))))
            tree.leafCount[leaf] = leftCount
            tree.leafCount.append(max(count - leftCount, 1))
            tree.leafValue[leaf] = (rng.nextUnit() - 0.5) * 0.02
            tree.leafValue.append((rng.nextUnit() - 0.5) * 0.02)
            leafParent[leaf] = node
            leafParent.append(node)
            if !decisionTypes.isEmpty { tree.decisionType.append(decisionTypes[rng.int(decisionTypes.count)]) }
        }
        tree.shrinkage = 0.01
        return tree
    }

    static func booster(trees: Int, leaves: Int, featureCount: Int, seed: UInt64 = 1) -> Booster {
        var rng = SplitMix64(seed: seed)
        var list = (0..<trees).map { _ in tree(leaves: 1 + rng.int(leaves), featureCount: featureCount, rng: &rng) }
        list[0].shrinkage = 1
        return Booster(trees: list, featureNames: (0..<featureCount).map { "feature_\($0)" },
                       parameters: ["learning_rate": 0.01, "num_leaves": Double(leaves), "max_depth": -1,
                                    "colsample_bytree": 0.1],
                       initScore: 0.5)
    }
}

/// Exact equality including Double bit patterns (`==` would equate 0.0 and -0.0 and reject NaN).
func assertBitIdentical(_ a: Booster, _ b: Booster, file: StaticString = #filePath, line: UInt = #line) {
    XCTAssertEqual(a.featureNames, b.featureNames, file: file, line: line)
    XCTAssertEqual(a.initScore.bitPattern, b.initScore.bitPattern, file: file, line: line)
    XCTAssertEqual(a.binEdges.map { $0.map(\.bitPattern) }, b.binEdges.map { $0.map(\.bitPattern) }, file: file, line: line)
    XCTAssertEqual(a.parameters.mapValues(\.bitPattern), b.parameters.mapValues(\.bitPattern), file: file, line: line)
    XCTAssertEqual(a.trees.count, b.trees.count, file: file, line: line)
    for (x, y) in zip(a.trees, b.trees) {
        XCTAssertEqual(x.splitFeature, y.splitFeature, file: file, line: line)
        XCTAssertEqual(x.thresholdBin, y.thresholdBin, file: file, line: line)
        XCTAssertEqual(x.threshold.map(\.bitPattern), y.threshold.map(\.bitPattern), file: file, line: line)
        XCTAssertEqual(x.splitGain.map(\.bitPattern), y.splitGain.map(\.bitPattern), file: file, line: line)
        XCTAssertEqual(x.leftChild, y.leftChild, file: file, line: line)
        XCTAssertEqual(x.rightChild, y.rightChild, file: file, line: line)
        XCTAssertEqual(x.leafValue.map(\.bitPattern), y.leafValue.map(\.bitPattern), file: file, line: line)
        XCTAssertEqual(x.leafCount, y.leafCount, file: file, line: line)
        XCTAssertEqual(x.internalCount, y.internalCount, file: file, line: line)
        XCTAssertEqual(x.internalValue.map(\.bitPattern), y.internalValue.map(\.bitPattern), file: file, line: line)
        XCTAssertEqual(x.decisionType, y.decisionType, file: file, line: line)
        XCTAssertEqual(x.shrinkage.bitPattern, y.shrinkage.bitPattern, file: file, line: line)
    }
}

final class ModelFileTests: XCTestCase {
    var directory: URL!
    override func setUp() { directory = TestSupport.temporaryDirectory("modelfile") }
    override func tearDown() { try? FileManager.default.removeItem(at: directory) }
    func path(_ name: String) -> String { directory.appendingPathComponent(name).path }

    func testRoundTripIsBitExact() throws {
        var booster = RandomBoosters.booster(trees: 50, leaves: 31, featureCount: 40)
        // Awkward values: negative zero, subnormals, extremes, NaN/inf in optional fields.
        booster.trees[3].leafValue[0] = -0.0
        booster.trees[4].leafValue[0] = Double.leastNonzeroMagnitude
        booster.trees[5].leafValue[0] = -Double.greatestFiniteMagnitude
        booster.trees[6].internalValue = booster.trees[6].internalValue.map { _ in .nan }
        booster.parameters["seed"] = 42
        booster.parameters["weird"] = -.infinity
        booster.binEdges = (0..<40).map { f in f % 3 == 0 ? [] : [-1.5, 0.25, Double(f), .infinity] }
        booster.trees[7].decisionType = booster.trees[7].splitFeature.map { _ in 10 }
        booster.trees.append(Tree(leafValue: [0.125], shrinkage: 0.01))  // a single-leaf tree
        let file = path("model.wbm")
        try booster.save(to: file)
        let loaded = try Booster.load(from: file)
        assertBitIdentical(booster, loaded)
        // Saving the loaded model reproduces the same bytes.
        XCTAssertEqual(loaded.modelFileBytes(), booster.modelFileBytes())
        // No temporary files left beside the model.
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: directory.path), ["model.wbm"])
    }

    func testEmptyAndUnicodeNames() throws {
        let booster = Booster(trees: [Tree(leafValue: [0.5])], featureNames: ["f é \"quoted\"", "ünïcode"])
        let loaded = try Booster.fromModelFileBytes(booster.modelFileBytes())
        assertBitIdentical(booster, loaded)
        XCTAssertEqual(booster, loaded)
    }

    /// A Numerai-sized model (2000 trees, 2376 features) saves and loads exactly.
    func testLargeModelRoundTripsExactly() throws {
        let booster = RandomBoosters.booster(trees: 2000, leaves: 31, featureCount: 2376, seed: 7)
        let file = path("big.wbm")
        try booster.save(to: file)
        let loaded = try Booster.load(from: file)
        XCTAssertEqual(loaded, booster)
        assertBitIdentical(booster, loaded)
    }

    func testCorruptFilesGiveErrorsNamingTheFile() throws {
        let booster = RandomBoosters.booster(trees: 5, leaves: 7, featureCount: 10)
        let bytes = booster.modelFileBytes()
        let file = path("bad.wbm")

        func expectError(_ data: [UInt8], containing text: String, line: UInt = #line) {
            try! Data(data).write(to: URL(fileURLWithPath: file))
            XCTAssertThrowsError(try Booster.load(from: file), line: line) { error in
                let message = String(describing: error)
                XCTAssertTrue(message.contains(file), "message should name the file: \(message)", line: line)
                XCTAssertTrue(message.contains(text), "expected '\(text)' in: \(message)", line: line)
            }
        }
        expectError([], containing: "not a workbench model file")
        expectError(Array("tree\nversion=v4\n".utf8), containing: "not a workbench model file")
        for cut in [8, 12, 20, 100, bytes.count / 2, bytes.count - 1] {
            expectError(Array(bytes.prefix(cut)), containing: cut <= 20 ? "truncated" : "checksum")
        }
        var flipped = bytes
        flipped[bytes.count / 2] ^= 0x40
        expectError(flipped, containing: "checksum mismatch")
        var future = bytes
        future[8] = 9
        expectError(future, containing: "format version 9 is not supported")
        XCTAssertThrowsError(try Booster.load(from: path("absent.wbm"))) { error in
            XCTAssertTrue(String(describing: error).contains("absent.wbm"))
        }
    }

    func testStructurallyBrokenTreeIsRejected() throws {
        var booster = RandomBoosters.booster(trees: 2, leaves: 7, featureCount: 10)
        booster.trees[1].leftChild[0] = booster.trees[1].rightChild[0]  // a leaf referenced twice
        XCTAssertThrowsError(try Booster.fromModelFileBytes(booster.modelFileBytes(), name: "x.wbm")) { error in
            XCTAssertTrue(String(describing: error).contains("corrupt tree 1"), "\(error)")
        }
    }

    func testSaveIntoMissingDirectoryFails() {
        let booster = RandomBoosters.booster(trees: 1, leaves: 3, featureCount: 3)
        XCTAssertThrowsError(try booster.save(to: path("no/such/dir/m.wbm"))) { error in
            XCTAssertTrue(String(describing: error).contains("no/such/dir/m.wbm"))
        }
    }
}

extension SplitMix64 {
    /// Uniform-ish in 0..<n (`next() % n`: the format tests need variety, not exactness).
    mutating func int(_ n: Int) -> Int { Int(next() % UInt64(n)) }
}
