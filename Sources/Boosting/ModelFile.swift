import Foundation
import EraData
import Support

#if _endian(big)
#error("the model file format is little-endian and is written with the host byte order")
#endif

/// A model file that could not be read or written; the message names the file.
/// Our own model file format (extension `.wbm` by convention), version 1.
///
/// Layout, all integers and floats little-endian, Doubles as their raw bit patterns so a
/// save/load round trip is exact:
///
/// | bytes | content |
/// |---|---|
/// | 8 | magic `WBGBDT\r\n` |
/// | 4 | format version (UInt32) |
/// | 4 | header length H (UInt32) |
/// | H | JSON header: `featureNames`, `parameterNames` (sorted), `binEdgeCounts`, `treeCount`, optional `objective` (imported LightGBM models) |
/// | … | payload: parameter values, init score, bin edges (Double); per-tree shrinkage (Double); an Int32 table of the 11 per-tree array lengths; then each tree field concatenated over all trees, in `Field` order |
/// | 8 | FNV-1a 64-bit checksum of every byte before it |
///
/// Fields are stored column by column (all trees' split features, then all thresholds, …) so
/// reading is a handful of bulk copies, fast even for 2000-tree models.
enum ModelFile {
    static let magic: [UInt8] = Array("WBGBDT\r\n".utf8)
    static let version: UInt32 = 1

    struct Header: Codable {
        var featureNames: [String]
        var parameterNames: [String]
        var binEdgeCounts: [Int]
        var treeCount: Int
        /// An imported LightGBM model's objective (`ModelObjective.text`); absent for L2 models, so
        /// their files are unchanged.
        var objective: String? = nil
    }

    /// The per-tree arrays in file order.
    enum Field: Int, CaseIterable {
        case splitFeature, thresholdBin, threshold, splitGain, leftChild, rightChild,
             leafValue, leafCount, internalCount, internalValue, decisionType
    }

    // MARK: Encoding

    static func encode(_ booster: Booster) -> [UInt8] {
        var out = ByteWriter()
        out.bytes.append(contentsOf: magic)
        out.append(version)
        let parameterNames = booster.parameters.keys.sorted()
        let header = Header(featureNames: booster.featureNames, parameterNames: parameterNames,
                            binEdgeCounts: booster.binEdges.map(\.count), treeCount: booster.trees.count,
                            objective: booster.objective?.text)
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        let json = try! encoder.encode(header)  // strings and integers only: cannot fail
        out.append(UInt32(json.count))
        out.bytes.append(contentsOf: json)

        out.append(parameterNames.map { booster.parameters[$0]! })
        out.append(booster.initScore)
        for edges in booster.binEdges { out.append(edges) }
        out.append(booster.trees.map(\.shrinkage))
        var lengths: [Int32] = []
        lengths.reserveCapacity(booster.trees.count * Field.allCases.count)
        for tree in booster.trees {
            for field in Field.allCases { lengths.append(Int32(tree.count(of: field))) }
        }
        out.append(lengths)
        for field in Field.allCases {
            for tree in booster.trees {
                switch field {
                case .splitFeature: out.append(tree.splitFeature)
                case .thresholdBin: out.append(tree.thresholdBin)
                case .threshold: out.append(tree.threshold)
                case .splitGain: out.append(tree.splitGain)
                case .leftChild: out.append(tree.leftChild)
                case .rightChild: out.append(tree.rightChild)
                case .leafValue: out.append(tree.leafValue)
                case .leafCount: out.append(tree.leafCount)
                case .internalCount: out.append(tree.internalCount)
                case .internalValue: out.append(tree.internalValue)
                case .decisionType: out.append(tree.decisionType)
                }
            }
        }
        out.append(FNV1a64.hash(out.bytes))
        return out.bytes
    }

    // MARK: Decoding

    static func decode(_ bytes: [UInt8], path: String) throws -> Booster {
        func fail(_ problem: BoostingError.ModelProblem) -> BoostingError { .modelFile(path: path, problem) }
        guard bytes.count >= magic.count, Array(bytes[0..<magic.count]) == magic else {
            throw fail(.badMagic)
        }
        var reader = ByteReader(bytes: bytes, position: magic.count)
        func read<T: FixedWidthInteger>(_: T.Type, _ what: String) throws -> T {
            guard let v: T = reader.scalar() else { throw truncated(what) }
            return v
        }
        func readArray<T>(_: T.Type, count: Int, _ what: String) throws -> [T] {
            guard count >= 0, let v: [T] = reader.array(count: count) else { throw truncated(what) }
            return v
        }
        func truncated(_ what: String) -> BoostingError {
            fail(.truncated(fileBytes: bytes.count, reading: what))
        }
        let fileVersion = try read(UInt32.self, "the format version")
        guard fileVersion == version else {
            throw fail(.unsupportedVersion(Int(fileVersion), supported: Int(version)))
        }
        // Verify the checksum before trusting any length in the file.
        guard bytes.count >= reader.position + 4 + 8 else { throw truncated("the header") }
        let body = bytes[0..<(bytes.count - 8)]
        let stored = bytes[(bytes.count - 8)...].withUnsafeBytes { $0.loadUnaligned(as: UInt64.self) }
        guard FNV1a64.hash(body) == stored else {
            throw fail(.checksumMismatch)
        }
        let headerLength = Int(try read(UInt32.self, "the header length"))
        let json: [UInt8] = try readArray(UInt8.self, count: headerLength, "the header")
        let header: Header
        do { header = try JSONDecoder().decode(Header.self, from: Data(json)) } catch {
            throw fail(.corruptHeader(reason: "\(error)"))
        }
        let parameterValues = try readArray(Double.self, count: header.parameterNames.count, "parameters")
        let initScore: Double = try readArray(Double.self, count: 1, "the init score")[0]
        var binEdges: [[Double]] = []
        for count in header.binEdgeCounts { binEdges.append(try readArray(Double.self, count: count, "bin edges")) }
        let treeCount = header.treeCount
        let shrinkage = try readArray(Double.self, count: treeCount, "tree shrinkage")
        let fieldCount = Field.allCases.count
        let lengths = try readArray(Int32.self, count: treeCount * fieldCount, "tree sizes")
        var trees = (0..<treeCount).map { Tree(leafValue: [], shrinkage: shrinkage[$0]) }
        for field in Field.allCases {
            for t in 0..<treeCount {
                let n = Int(lengths[t * fieldCount + field.rawValue])
                let what = "tree \(t)"
                switch field {
                case .splitFeature: trees[t].splitFeature = try readArray(Int32.self, count: n, what)
                case .thresholdBin: trees[t].thresholdBin = try readArray(UInt8.self, count: n, what)
                case .threshold: trees[t].threshold = try readArray(Double.self, count: n, what)
                case .splitGain: trees[t].splitGain = try readArray(Float.self, count: n, what)
                case .leftChild: trees[t].leftChild = try readArray(Int32.self, count: n, what)
                case .rightChild: trees[t].rightChild = try readArray(Int32.self, count: n, what)
                case .leafValue: trees[t].leafValue = try readArray(Double.self, count: n, what)
                case .leafCount: trees[t].leafCount = try readArray(Int32.self, count: n, what)
                case .internalCount: trees[t].internalCount = try readArray(Int32.self, count: n, what)
                case .internalValue: trees[t].internalValue = try readArray(Double.self, count: n, what)
                case .decisionType: trees[t].decisionType = try readArray(UInt8.self, count: n, what)
                }
            }
        }
        guard reader.position == bytes.count - 8 else {
            throw fail(.bytesAfterTrees(bytes.count - 8 - reader.position))
        }
        for (t, tree) in trees.enumerated() {
            if let problem = tree.structuralProblem(featureCount: header.featureNames.count) {
                throw fail(.corruptTree(t, problem))
            }
        }
        var objective: ModelObjective?
        if let text = header.objective {
            do { objective = try ModelObjective(lightGBM: text) } catch let error as BoostingError { throw fail(.objective(error)) }
        }
        guard Set(header.parameterNames).count == header.parameterNames.count else {
            throw fail(.duplicateParameterName)
        }
        return Booster(trees: trees, featureNames: header.featureNames, binEdges: binEdges,
                       parameters: Dictionary(uniqueKeysWithValues: zip(header.parameterNames, parameterValues)),
                       initScore: initScore, objective: objective)
    }
}

extension Tree {
    fileprivate func count(of field: ModelFile.Field) -> Int {
        switch field {
        case .splitFeature: splitFeature.count
        case .thresholdBin: thresholdBin.count
        case .threshold: threshold.count
        case .splitGain: splitGain.count
        case .leftChild: leftChild.count
        case .rightChild: rightChild.count
        case .leafValue: leafValue.count
        case .leafCount: leafCount.count
        case .internalCount: internalCount.count
        case .internalValue: internalValue.count
        case .decisionType: decisionType.count
        }
    }

    /// Why this tree is not a well-formed binary tree in array form, or nil if it is: n internal
    /// nodes and n + 1 leaves, every node and leaf reached exactly once from node 0, split features
    /// below `featureCount`, optional per-node/per-leaf arrays either empty or full length.
    func structuralProblem(featureCount: Int) -> BoostingError.TreeProblem? {
        let n = splitFeature.count
        guard leafValue.count == n + 1 else {
            return .leafValueCount(nodes: n, found: leafValue.count)
        }
        for (name, count) in [("threshold", threshold.count), ("left_child", leftChild.count),
                              ("right_child", rightChild.count)] where count != n {
            return .entryCount(field: name, count: count, nodes: n)
        }
        for (name, count) in [("threshold_bin", thresholdBin.count), ("split_gain", splitGain.count),
                              ("internal_count", internalCount.count), ("internal_value", internalValue.count),
                              ("decision_type", decisionType.count)] where count != 0 && count != n {
            return .entryCount(field: name, count: count, nodes: n)
        }
        if leafCount.count != 0 && leafCount.count != n + 1 {
            return .leafCountEntries(leafCount.count, leaves: n + 1)
        }
        if let f = splitFeature.first(where: { $0 < 0 || Int($0) >= featureCount }) {
            return .splitFeatureOutside(Int(f), features: featureCount)
        }
        // Predictions must be numbers: a NaN threshold has no side, a non-finite leaf poisons sums.
        if let i = threshold.firstIndex(where: \.isNaN) { return .nanThreshold(node: i) }
        if let i = leafValue.firstIndex(where: { !$0.isFinite }) {
            return .nonFiniteLeaf(i, value: leafValue[i])
        }
        guard n > 0 else { return nil }
        var nodeSeen = [Bool](repeating: false, count: n), leafSeen = [Bool](repeating: false, count: n + 1)
        nodeSeen[0] = true
        for child in leftChild + rightChild {
            if child >= 0 {
                guard Int(child) < n, !nodeSeen[Int(child)] else { return .nodeReferencedTwice(Int(child)) }
                nodeSeen[Int(child)] = true
            } else {
                let leaf = Int(-(child + 1))
                guard leaf <= n, !leafSeen[leaf] else { return .leafReferencedTwice(leaf) }
                leafSeen[leaf] = true
            }
        }
        // n + 1 distinct leaves and n distinct nodes with one root: a tree iff there is no cycle,
        // which holds when every node is reachable from the root.
        var reached = 0, stack: [Int32] = [0]
        while let node = stack.popLast(), reached <= n {
            reached += 1
            for child in [leftChild[Int(node)], rightChild[Int(node)]] where child >= 0 { stack.append(child) }
        }
        return reached == n ? nil : .unreachableNodes
    }
}

extension BoostingError {
    /// Writes a model file's bytes through the shared atomic writer (temporary file, fsync,
    /// rename; fault injection for tests); failures name the file.
    static func writing(_ data: Data, to path: String) throws {
        do {
            try writeAtomically(to: path) { try data.write(to: URL(fileURLWithPath: $0)) }
        } catch let error as AtomicFileError {
            throw BoostingError.modelFile(path: path, .writeFailed(error.reason))
        } catch {
            throw BoostingError.modelFile(path: path, .cannotWrite(reason: error.localizedDescription))
        }
    }
}

extension Booster {
    /// Writes the booster in our binary model format (see `ModelFile`), atomically: a temporary
    /// file next to `path` is renamed over it, so readers never see half a model.
    public func save(to path: String) throws {
        try BoostingError.writing(Data(ModelFile.encode(self)), to: path)
    }

    /// Reads a booster written by `save(to:)`; the result equals the saved booster bit for bit.
    public static func load(from path: String) throws -> Booster {
        let data: Data
        do { data = try Data(contentsOf: URL(fileURLWithPath: path)) } catch {
            throw BoostingError.modelFile(path: path, .cannotRead(reason: error.localizedDescription))
        }
        return try ModelFile.decode([UInt8](data), path: path)
    }

    /// Reads either model kind: our format (recognised by its magic bytes) or a LightGBM text model.
    public static func load(modelOrLightGBMText path: String) throws -> Booster {
        let data: Data
        do { data = try Data(contentsOf: URL(fileURLWithPath: path)) } catch {
            let exists = FileManager.default.fileExists(atPath: path)
            throw BoostingError.modelFile(path: path, exists ? .cannotRead(reason: error.localizedDescription) : .noSuchFile)
        }
        let bytes = [UInt8](data)
        if bytes.starts(with: ModelFile.magic) { return try ModelFile.decode(bytes, path: path) }
        return try fromLightGBM(text: String(decoding: bytes, as: UTF8.self), source: path)
    }

    /// The booster in our model format, as bytes (what `save(to:)` writes).
    public func modelFileBytes() -> [UInt8] { ModelFile.encode(self) }

    /// Decodes bytes produced by `modelFileBytes()`; `name` labels errors.
    public static func fromModelFileBytes(_ bytes: [UInt8], name: String = "<memory>") throws -> Booster {
        try ModelFile.decode(bytes, path: name)
    }
}

// MARK: - Little-endian byte buffers

struct ByteWriter {
    var bytes: [UInt8] = []

    mutating func append<T: FixedWidthInteger>(_ value: T) {
        withUnsafeBytes(of: value.littleEndian) { bytes.append(contentsOf: $0) }
    }
    mutating func append(_ value: Double) { append(value.bitPattern) }
    /// Raw element bytes; the format is little-endian and so is every supported host.
    mutating func append<T>(_ values: [T]) {
        values.withUnsafeBytes { bytes.append(contentsOf: $0) }
    }
}

struct ByteReader {
    let bytes: [UInt8]
    var position: Int

    mutating func scalar<T: FixedWidthInteger>() -> T? {
        let size = MemoryLayout<T>.size
        guard position + size <= bytes.count else { return nil }
        let v = bytes.withUnsafeBytes { $0.loadUnaligned(fromByteOffset: position, as: T.self) }
        position += size
        return T(littleEndian: v)
    }

    mutating func array<T>(count: Int) -> [T]? {
        let size = MemoryLayout<T>.stride
        let (byteCount, overflow) = count.multipliedReportingOverflow(by: size)
        guard !overflow, byteCount <= bytes.count - position else { return nil }
        let start = position
        let out = [T](unsafeUninitializedCapacity: count) { buffer, initialized in
            bytes.withUnsafeBytes { src in
                UnsafeMutableRawBufferPointer(buffer).copyMemory(
                    from: UnsafeRawBufferPointer(rebasing: src[start..<(start + byteCount)]))
            }
            initialized = count
        }
        position += byteCount
        return out
    }
}
