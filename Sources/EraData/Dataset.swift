import Foundation

/// Feature bins stored feature-major: one contiguous `UInt8` column of `rowCount` bins per feature.
/// Allocated once and shared read-only by every model that trains on the dataset.
public final class FeatureColumns: @unchecked Sendable {
    public let rowCount: Int
    public let featureCount: Int
    /// `featureCount × rowCount` bins; column `f` starts at `f * rowCount`.
    public let storage: UnsafeMutableBufferPointer<UInt8>

    /// Allocates zeroed storage; fill it through `storage` before sharing.
    public init(rowCount: Int, featureCount: Int) {
        self.rowCount = rowCount
        self.featureCount = featureCount
        let count = rowCount * featureCount
        // 64-byte alignment keeps SIMD loads on cache lines.
        let raw = UnsafeMutableRawPointer.allocate(byteCount: max(count, 1), alignment: 64)
        raw.initializeMemory(as: UInt8.self, repeating: 0, count: max(count, 1))
        storage = UnsafeMutableBufferPointer(start: raw.assumingMemoryBound(to: UInt8.self), count: count)
    }

    deinit { UnsafeMutableRawPointer(storage.baseAddress!).deallocate() }

    /// The bins of feature `f`, one per row.
    @inline(__always)
    public func column(_ f: Int) -> UnsafeBufferPointer<UInt8> {
        UnsafeBufferPointer(rebasing: storage[(f * rowCount)..<((f + 1) * rowCount)])
    }

    @inline(__always)
    public subscript(row: Int, feature: Int) -> UInt8 { storage[feature * rowCount + row] }
}

/// Which part of Numerai's data a row belongs to.
public enum Split: String, CaseIterable, Codable, Sendable, Comparable {
    case train, validation, live, test

    public var code: UInt8 { UInt8(Split.allCases.firstIndex(of: self)!) }
    public init?(code: UInt8) {
        guard Int(code) < Split.allCases.count else { return nil }
        self = Split.allCases[Int(code)]
    }
    public static func < (a: Split, b: Split) -> Bool { a.code < b.code }

    /// The split a file's name names, for files without a `data_type` column: the first of
    /// `validation`, `live`, `train`, `test` its name (case-insensitive) contains.
    public init?(fileName path: String) {
        let name = URL(fileURLWithPath: path).lastPathComponent.lowercased()
        guard let split = [Split.validation, .live, .train, .test].first(where: { name.contains($0.rawValue) }) else { return nil }
        self = split
    }
}

/// An era dataset: binned features, targets with NaN where unknown, ordered eras, ids and splits.
///
/// Rows are stored in era order. Era and feature subsets are index lists (`[Int32]`, `[Int]`) over
/// this one shared dataset, never copies.
public struct Dataset: @unchecked Sendable {
    public let features: FeatureColumns
    public let featureNames: [String]
    /// Upper bin edges per feature for mapping raw values to bins (bin b holds x ≤ edges[b]);
    /// empty for features that are already integer bins 0..4.
    public let binEdges: [[Double]]
    /// Number of distinct bins each feature uses (5 for Numerai's 0..4).
    public let binCounts: [Int]
    public let targetNames: [String]
    /// One column of `rowCount` values per target; NaN where the target is unknown.
    public let targets: [[Float]]
    /// Era names in time order.
    public let eras: [String]
    /// Per row: index into `eras`. Non-decreasing.
    public let eraOfRow: [Int32]
    public let ids: [String]
    /// Per row: its split.
    public let splitOfRow: [Split]
    /// Ground truth for synthetic data: the planted signal per row (nil for real data).
    public let trueSignal: [Float]?
    /// Free-form provenance (generator parameters, source files).
    public let metadata: [String: String]
    /// Named feature groups (group → feature names, in feature order); empty when the data has none.
    /// Generator v2 fills it; `/feature_group_*` in our HDF5 file; studies drop them with
    /// `"dropFeatures": {"groups": "data"}`.
    public let featureGroups: [String: [String]]

    public init(features: FeatureColumns, featureNames: [String], binEdges: [[Double]] = [],
                binCounts: [Int]? = nil, targetNames: [String], targets: [[Float]], eras: [String],
                eraOfRow: [Int32], ids: [String], splitOfRow: [Split], trueSignal: [Float]? = nil,
                metadata: [String: String] = [:], featureGroups: [String: [String]] = [:]) {
        precondition(featureNames.count == features.featureCount)
        precondition(targets.count == targetNames.count)
        precondition(eraOfRow.count == features.rowCount && ids.count == features.rowCount
                     && splitOfRow.count == features.rowCount)
        self.features = features
        self.featureNames = featureNames
        self.binEdges = binEdges
        self.binCounts = binCounts ?? [Int](repeating: 5, count: features.featureCount)
        self.targetNames = targetNames
        self.targets = targets
        self.eras = eras
        self.eraOfRow = eraOfRow
        self.ids = ids
        self.splitOfRow = splitOfRow
        self.trueSignal = trueSignal
        self.metadata = metadata
        self.featureGroups = featureGroups
    }

    public var rowCount: Int { features.rowCount }
    public var featureCount: Int { features.featureCount }

    /// Index of a target by name.
    public func targetIndex(_ name: String) -> Int? { targetNames.firstIndex(of: name) }

    /// The same dataset with only target `t` (the feature columns are shared, not copied).
    public func selectingTarget(_ t: Int) -> Dataset {
        Dataset(features: features, featureNames: featureNames, binEdges: binEdges, binCounts: binCounts,
                targetNames: [targetNames[t]], targets: [targets[t]], eras: eras, eraOfRow: eraOfRow, ids: ids,
                splitOfRow: splitOfRow, trueSignal: trueSignal, metadata: metadata,
                featureGroups: featureGroups)
    }

    /// Rows of a split, in order.
    public func rows(in split: Split) -> [Int32] {
        var out: [Int32] = []
        for (i, s) in splitOfRow.enumerated() where s == split { out.append(Int32(i)) }
        return out
    }

    /// Rows whose era index is in `eraIndices`, in order.
    public func rows(inEras eraIndices: Set<Int>) -> [Int32] {
        var out: [Int32] = []
        for (i, e) in eraOfRow.enumerated() where eraIndices.contains(Int(e)) { out.append(Int32(i)) }
        return out
    }

    /// Era indices (ordered) that hold at least one row of `split`.
    public func eraIndices(in split: Split) -> [Int] {
        var seen = Set<Int>(), out: [Int] = []
        for (i, s) in splitOfRow.enumerated() where s == split {
            let e = Int(eraOfRow[i])
            if seen.insert(e).inserted { out.append(e) }
        }
        return out
    }

    /// Row counts per split.
    public var splitCounts: [Split: Int] {
        var out: [Split: Int] = [:]
        for s in splitOfRow { out[s, default: 0] += 1 }
        return out
    }

    /// Groups `rows` (any subset, in era order) into runs of equal era: (era index, range into rows).
    public func eraGroups(of rows: [Int32]) -> [(era: Int, range: Range<Int>)] {
        var out: [(Int, Range<Int>)] = []
        var start = 0
        while start < rows.count {
            let e = eraOfRow[Int(rows[start])]
            var end = start + 1
            while end < rows.count && eraOfRow[Int(rows[end])] == e { end += 1 }
            out.append((Int(e), start..<end))
            start = end
        }
        return out
    }
}
