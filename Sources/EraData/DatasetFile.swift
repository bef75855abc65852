import Foundation
import HDF5
import Support

/// A summary of a dataset file, read without loading the features.
public struct DatasetInfo: Equatable, Sendable {
    public let rows: Int
    public let eras: Int
    public let features: Int
    /// Target names, main target first.
    public let targets: [String]
    /// Rows per split name (only splits that have rows).
    public let splits: [String: Int]
    /// NaN (unknown) values per target name.
    public let nanTargets: [String: Int]
    /// First and last era names (time order); nil when there are no rows.
    public let firstEra: String?
    public let lastEra: String?
    public let hasTrueSignal: Bool
    public let formatVersion: Int
}

/// Our HDF5 dataset layout (format version 1). Readable with h5py alone; see
/// `Sources/EraData/README.md` for the layout and a pandas snippet.
///
/// ```
/// /                 attrs: format = "workbench-dataset", format_version = 1 (int32),
///                          split_names = "train,validation,live,test"
/// /features         uint8   [features × rows]  chunks [1 × ≤262144], deflate 1 — feature-major
/// /feature_names    utf-8 strings [features]
/// /bin_counts       int32   [features]          distinct bins per feature (5 for 0..4)
/// /bin_edges        float64 [features × maxEdges], NaN-padded (only when some feature has edges)
/// /targets          float32 [targets × rows]   chunks [1 × ≤262144], deflate 1; NaN = unknown
/// /target_names     utf-8 strings [targets], main target first
/// /ids              utf-8 strings [rows]
/// /eras             utf-8 strings [eras], time order
/// /era_of_row       int32   [rows]              index into /eras, non-decreasing
/// /split_of_row     uint8   [rows]              code = position in the root attr split_names
/// /true_signal      float32 [rows]              synthetic data only
/// /feature_group_names   utf-8 strings [groups], sorted   only when the data has feature groups
/// /feature_group_sizes   int32 [groups]                   features per group
/// /feature_group_members utf-8 strings [Σ sizes]          the groups' feature names, concatenated
/// /metadata         group; one utf-8 string attribute per metadata key
/// ```
public enum DatasetFile {
    public static let formatName = "workbench-dataset"
    public static let formatVersion: Int32 = 1
    /// Rows per chunk of the row-wide arrays: one chunk holds a whole feature column up to this size,
    /// so loading a feature is one contiguous read and one inflate.
    static let chunkRows = 262_144

    /// Writes `dataset` atomically (temporary file in the same directory, then rename).
    public static func write(_ dataset: Dataset, to path: String) throws {
        try writeAtomically(to: path) { temporary in
            try writeFile(dataset, to: temporary)
        }
    }

    private static func writeFile(_ dataset: Dataset, to path: String) throws {
        let file = try H5File.create(path)
        let n = dataset.rowCount, f = dataset.featureCount, t = dataset.targetNames.count
        let chunk = max(1, min(n, chunkRows))
        try file.setAttribute("format", formatName)
        try file.setAttribute("format_version", formatVersion)

        let features = try file.createDataset("features", of: UInt8.self, shape: [f, n],
                                              chunks: [1, chunk], compression: 1)
        // One feature (one chunk row) at a time: no second full copy of the bins in memory.
        for j in 0..<(n > 0 ? f : 0) {
            try features.write(Array(dataset.features.column(j)), start: [j, 0], count: [1, n])
        }
        try file.writeStrings("feature_names", dataset.featureNames)
        try file.write("bin_counts", dataset.binCounts.map { Int32($0) })
        let maxEdges = dataset.binEdges.map(\.count).max() ?? 0
        if maxEdges > 0 {
            var edges = [Double](repeating: .nan, count: f * maxEdges)
            for (feature, list) in dataset.binEdges.enumerated() {
                for (j, edge) in list.enumerated() { edges[feature * maxEdges + j] = edge }
            }
            try file.write("bin_edges", edges, shape: [f, maxEdges])
        }

        let targets = try file.createDataset("targets", of: Float.self, shape: [t, n],
                                             chunks: [1, chunk], compression: 1)
        if t > 0 && n > 0 { try targets.write(dataset.targets.flatMap { $0 }) }
        try file.writeStrings("target_names", dataset.targetNames)

        try file.writeStrings("ids", dataset.ids)
        try file.writeStrings("eras", dataset.eras)
        try file.write("era_of_row", dataset.eraOfRow)
        try file.write("split_of_row", dataset.splitOfRow.map(\.code))
        // Split codes are positions in this list (Split.allCases order).
        try file.setAttribute("split_names", Split.allCases.map(\.rawValue).joined(separator: ","))
        if let signal = dataset.trueSignal { try file.write("true_signal", signal) }
        try writeFeatureGroups(dataset.featureGroups, to: file)

        let metadata = try file.createGroup("metadata")
        for (key, value) in dataset.metadata.sorted(by: { $0.key < $1.key }) {
            try metadata.setAttribute(key, value)
        }
        try file.flush()
    }

    /// Reads a dataset file; `features`/`targets` select columns by name (nil = all), in the order given.
    public static func read(_ path: String, features: [String]? = nil, targets: [String]? = nil) throws -> Dataset {
        let file = try open(path)
        let allFeatures = try file.readStrings("feature_names")
        let allTargets = try file.readStrings("target_names")
        let featureIndices = try select(features, from: allFeatures, kind: "feature", path: path)
        let targetIndices = try select(targets, from: allTargets, kind: "target", path: path)

        let eraOfRow: [Int32] = try file.read("era_of_row")
        let n = eraOfRow.count
        let eras = try file.readStrings("eras")
        let ids = try file.readStrings("ids")
        let splitCodes: [UInt8] = try file.read("split_of_row")
        guard ids.count == n, splitCodes.count == n else {
            throw EraDataError(.rowArraysDiffer, file: path)
        }
        var splits = [Split]()
        splits.reserveCapacity(n)
        for (row, code) in splitCodes.enumerated() {
            guard let split = Split(code: code) else {
                throw EraDataError(.unknownSplitCode(row: row, code: code), file: path, dataset: "/split_of_row")
            }
            splits.append(split)
        }
        var previous: Int32 = 0
        for (row, era) in eraOfRow.enumerated() {
            guard era >= 0, Int(era) < eras.count else {
                throw EraDataError(.eraOutOfRange(row: row, era: era, eras: eras.count), file: path, dataset: "/era_of_row")
            }
            guard era >= previous else {
                throw EraDataError(.erasOutOfOrder(row: row, era: era, previous: previous), file: path, dataset: "/era_of_row")
            }
            previous = era
        }

        let featureData = try file.openDataset("features")
        guard featureData.shape == [allFeatures.count, n] else {
            throw EraDataError(.shape(found: featureData.shape, expected: [allFeatures.count, n]), file: path, dataset: "/features")
        }
        let columns = FeatureColumns(rowCount: n, featureCount: featureIndices.count)
        if n > 0 && !featureIndices.isEmpty {
            if featureIndices == Array(0..<allFeatures.count) {
                try featureData.read(into: columns.storage)
            } else {
                for (slot, feature) in featureIndices.enumerated() {
                    let column: [UInt8] = try featureData.read(start: [feature, 0], count: [1, n])
                    let destination = UnsafeMutableBufferPointer(rebasing: columns.storage[(slot * n)..<((slot + 1) * n)])
                    _ = destination.initialize(from: column)
                }
            }
        }

        let targetData = try file.openDataset("targets")
        guard targetData.shape == [allTargets.count, n] else {
            throw EraDataError(.shape(found: targetData.shape, expected: [allTargets.count, n]), file: path, dataset: "/targets")
        }
        var targetColumns: [[Float]] = []
        if n > 0 {
            for target in targetIndices {
                targetColumns.append(try targetData.read(start: [target, 0], count: [1, n]))
            }
        } else {
            targetColumns = targetIndices.map { _ in [] }
        }

        let binCountsAll: [Int32] = try file.read("bin_counts")
        guard binCountsAll.count == allFeatures.count else {
            throw EraDataError(.binCountCount(binCountsAll.count, features: allFeatures.count), file: path, dataset: "/bin_counts")
        }
        if let bad = binCountsAll.firstIndex(where: { !(1...256).contains($0) }) {
            throw EraDataError(.binCountOutOfRange(feature: allFeatures[bad], count: binCountsAll[bad]), file: path, dataset: "/bin_counts")
        }
        // Every stored bin must lie below its feature's count: trainers size histograms by it.
        for (slot, f) in featureIndices.enumerated() where n > 0 {
            let column = columns.column(slot)
            let limit = Int(binCountsAll[f])
            if let row = column.firstIndex(where: { Int($0) >= limit }) {
                throw EraDataError(.binAtOrAboveCount(feature: allFeatures[f], bin: column[row], row: row, count: limit),
                                   file: path, dataset: "/features")
            }
        }
        var binEdges: [[Double]] = []
        if file.exists("bin_edges") {
            let edgeData = try file.openDataset("bin_edges")
            let shape = edgeData.shape
            guard shape.count == 2, shape[0] == allFeatures.count else {
                throw EraDataError(.shape(found: shape, expected: [allFeatures.count, nil]), file: path, dataset: "/bin_edges")
            }
            let flat: [Double] = try edgeData.read()
            guard flat.count == shape[0] * shape[1] else {
                throw EraDataError(.valueCount(flat.count, shape: shape), file: path, dataset: "/bin_edges")
            }
            binEdges = featureIndices.map { f in
                flat[(f * shape[1])..<((f + 1) * shape[1])].filter { !$0.isNaN }
            }
            for (slot, f) in featureIndices.enumerated() where !binEdges[slot].isEmpty {
                let edges = binEdges[slot]
                let increasing = zip(edges, edges.dropFirst()).allSatisfy({ $0 < $1 })
                guard edges.count == Int(binCountsAll[f]), increasing else {
                    throw EraDataError(.binEdges(feature: allFeatures[f], expected: binCountsAll[f], found: edges.count,
                                                 increasing: increasing), file: path, dataset: "/bin_edges")
                }
            }
        }
        let trueSignal: [Float]? = file.exists("true_signal") ? try file.read("true_signal") : nil

        var metadata: [String: String] = [:]
        if file.exists("metadata") {
            let group = try file.openGroup("metadata")
            for key in try group.attributeNames() {
                metadata[key] = try group.stringAttribute(key)
            }
        }
        return Dataset(features: columns,
                       featureNames: featureIndices.map { allFeatures[$0] },
                       binEdges: binEdges,
                       binCounts: featureIndices.map { Int(binCountsAll[$0]) },
                       targetNames: targetIndices.map { allTargets[$0] },
                       targets: targetColumns, eras: eras, eraOfRow: eraOfRow, ids: ids,
                       splitOfRow: splits, trueSignal: trueSignal, metadata: metadata,
                       featureGroups: try readFeatureGroups(file, path: path, keeping: featureIndices.map { allFeatures[$0] }))
    }

    static func writeFeatureGroups(_ groups: [String: [String]], to file: H5File) throws {
        guard !groups.isEmpty else { return }
        let names = groups.keys.sorted()
        try file.writeStrings("feature_group_names", names)
        try file.write("feature_group_sizes", names.map { Int32(groups[$0]!.count) })
        try file.writeStrings("feature_group_members", names.flatMap { groups[$0]! })
    }

    /// The stored groups restricted to the loaded features (groups left empty are dropped).
    static func readFeatureGroups(_ file: H5File, path: String, keeping loaded: [String]) throws -> [String: [String]] {
        guard file.exists("feature_group_names") else { return [:] }
        let names = try file.readStrings("feature_group_names")
        let sizes: [Int32] = try file.read("feature_group_sizes")
        let members = try file.readStrings("feature_group_members")
        guard sizes.count == names.count, sizes.allSatisfy({ $0 >= 0 }),
              sizes.reduce(0, { $0 + Int($1) }) == members.count else {
            throw EraDataError(.featureGroupsDisagree, file: path)
        }
        let keep = Set(loaded)
        var out: [String: [String]] = [:], start = 0
        for (name, size) in zip(names, sizes) {
            let list = members[start..<(start + Int(size))].filter { keep.contains($0) }
            start += Int(size)
            if !list.isEmpty { out[name] = Array(list) }
        }
        return out
    }

    /// Counts and names without loading the features.
    public static func info(_ path: String) throws -> DatasetInfo {
        let file = try open(path)
        let eras = try file.readStrings("eras")
        let eraOfRow: [Int32] = try file.read("era_of_row")
        let n = eraOfRow.count
        if let bad = eraOfRow.firstIndex(where: { $0 < 0 || Int($0) >= eras.count }) {
            throw EraDataError(.eraOutOfRange(row: bad, era: eraOfRow[bad], eras: eras.count), file: path, dataset: "/era_of_row")
        }
        let featureCount = try file.openDataset("features").shape.first ?? 0
        let targetNames = try file.readStrings("target_names")
        let splitCodes: [UInt8] = try file.read("split_of_row")
        var splitRows: [String: Int] = [:]
        for (row, code) in splitCodes.enumerated() {
            guard let split = Split(code: code) else {
                throw EraDataError(.unknownSplitCode(row: row, code: code), file: path, dataset: "/split_of_row")
            }
            splitRows[split.rawValue, default: 0] += 1
        }
        var nanTargets: [String: Int] = [:]
        let targetData = try file.openDataset("targets")
        guard targetData.shape == [targetNames.count, n] else {
            throw EraDataError(.shape(found: targetData.shape, expected: [targetNames.count, n]), file: path, dataset: "/targets")
        }
        for (t, name) in targetNames.enumerated() {
            let column: [Float] = n > 0 ? try targetData.read(start: [t, 0], count: [1, n]) : []
            nanTargets[name] = column.reduce(0) { $0 + ($1.isNaN ? 1 : 0) }
        }
        return DatasetInfo(rows: n, eras: eras.count, features: featureCount, targets: targetNames,
                           splits: splitRows, nanTargets: nanTargets,
                           firstEra: eraOfRow.first.map { eras[Int($0)] },
                           lastEra: eraOfRow.last.map { eras[Int($0)] },
                           hasTrueSignal: file.exists("true_signal"),
                           formatVersion: Int(try file.attribute("format_version", as: Int32.self)))
    }

    private static func open(_ path: String) throws -> H5File {
        let file: H5File
        do { file = try H5File.open(path) } catch let error as HDF5Error {
            throw EraDataError(.cannotOpen(error.message))
        }
        guard file.hasAttribute("format"), (try? file.stringAttribute("format")) == formatName else {
            throw EraDataError(.notADatasetFile(format: formatName), file: path)
        }
        let version = try file.attribute("format_version", as: Int32.self)
        guard version == formatVersion else {
            throw EraDataError(.formatVersion(found: version, supported: formatVersion), file: path)
        }
        return file
    }

    private static func select(_ names: [String]?, from all: [String], kind: String, path: String) throws -> [Int] {
        guard let names else { return Array(all.indices) }
        var index: [String: Int] = [:]
        for (i, name) in all.enumerated() { index[name] = i }
        return try names.map { name in
            guard let i = index[name] else {
                throw EraDataError(.noColumnNamed(kind: kind, name), file: path)
            }
            return i
        }
    }
}
