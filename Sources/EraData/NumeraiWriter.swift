import Foundation
import Parquet

/// Writes a `Dataset` as Numerai's v5 files: `train.parquet`, `validation.parquet`, `live.parquet`
/// (one per split that has rows) and `features.json`, the layout `NumeraiParquet` and pandas read.
///
/// Columns as pandas + pyarrow write Numerai's files: `era` and `data_type` (string), `feature_*`
/// (int8, the bins 0…4), `target*` (float32, NaN written as null), and the index `id` (string, last,
/// named in the `pandas` footer metadata so `pd.read_parquet` restores it as the index). Every column
/// is OPTIONAL, as pandas writes them. Row groups hold `rowGroupRows` rows of one split, in era order.
///
/// The directory appears atomically: everything is written into a hidden sibling directory, which is
/// renamed to `directory` only when complete; on any failure it is removed. An existing `directory`
/// is never touched (an error).
public enum NumeraiWriter {
    public struct Options: Sendable {
        public var compression: ParquetCompression
        public var rowGroupRows: Int
        /// Named feature groups for `features.json` (`NumeraiWriter.defaultFeatureGroups` when empty).
        public var featureGroups: [String: [String]]

        public init(compression: ParquetCompression = .snappy, rowGroupRows: Int = 100_000,
                    featureGroups: [String: [String]] = [:]) {
            self.compression = compression
            self.rowGroupRows = rowGroupRows
            self.featureGroups = featureGroups
        }
    }

    /// What was written: rows per file name.
    public struct Summary: Sendable, Equatable {
        public var rows: [String: Int]
        public var files: [String]
    }

    /// Numerai's v5 group names (the group feature sets of its `features.json`).
    public static let groupNames = ["intelligence", "charisma", "strength", "dexterity", "constitution",
                                    "wisdom", "agility", "serenity", "sunshine", "rain", "midnight"]

    /// Without groups from the generator: `min(8, F)` contiguous, near-equal blocks of the features in
    /// order, named `intelligence`, `charisma`, … (block g holds features ⌊g·F/G⌋ ..< ⌊(g+1)·F/G⌋).
    public static func defaultFeatureGroups(featureNames: [String]) -> [String: [String]] {
        let f = featureNames.count, g = min(8, f)
        var groups: [String: [String]] = [:]
        for k in 0..<g { groups[groupNames[k]] = Array(featureNames[(k * f / g)..<((k + 1) * f / g)]) }
        return groups
    }

    /// `features.json`: `feature_sets` with `small` (≈ 42/2376 of the features, as in v5), `medium`
    /// (≈ 705/2376), `all`, and each group; `targets` (main first). Sets pick features evenly spaced
    /// over the column order: `small` takes index ⌊i·F/n⌋ for i < n.
    public static func featuresJSON(featureNames: [String], targetNames: [String],
                                    featureGroups: [String: [String]]) throws -> Data {
        let f = featureNames.count
        func spaced(_ n: Int) -> [String] { (0..<n).map { featureNames[$0 * f / n] } }
        var sets: [String: [String]] = featureGroups
        for reserved in ["small", "medium", "all"] where sets[reserved] != nil {
            throw EraDataError(.groupClashesWithSet(reserved))
        }
        let known = Set(featureNames)
        for (name, members) in featureGroups {
            if let unknown = members.first(where: { !known.contains($0) }) {
                throw EraDataError(.groupNamesUnknownFeature(group: name, feature: unknown))
            }
        }
        sets["small"] = spaced(max(1, (f * 42 + 1188) / 2376))
        sets["medium"] = spaced(max(1, (f * 705 + 1188) / 2376))
        sets["all"] = featureNames
        let object: [String: Any] = ["feature_sets": sets, "targets": targetNames]
        return try JSONSerialization.data(withJSONObject: object, options: [.sortedKeys, .prettyPrinted])
    }

    /// Writes `dataset` into the new directory `directory` (its parent must exist).
    @discardableResult
    public static func write(_ dataset: Dataset, to directory: String, options: Options = Options()) throws -> Summary {
        guard options.rowGroupRows >= 1 else {
            throw EraDataError(.rowGroupRows(options.rowGroupRows))
        }
        if let bad = dataset.featureNames.first(where: { !$0.hasPrefix("feature_") }) {
            throw EraDataError(.featureName(bad))
        }
        if let bad = dataset.targetNames.first(where: { !$0.hasPrefix("target") }) {
            throw EraDataError(.targetName(bad))
        }
        if let f = dataset.binCounts.firstIndex(where: { $0 > 5 }) {
            throw EraDataError(.tooManyBins(feature: dataset.featureNames[f], bins: dataset.binCounts[f]))
        }
        let groups = options.featureGroups.isEmpty ? defaultFeatureGroups(featureNames: dataset.featureNames)
                                                   : options.featureGroups
        let json = try featuresJSON(featureNames: dataset.featureNames, targetNames: dataset.targetNames,
                                    featureGroups: groups)

        let url = URL(fileURLWithPath: directory).standardizedFileURL
        let parent = url.deletingLastPathComponent().path
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: parent, isDirectory: &isDirectory), isDirectory.boolValue else {
            throw EraDataError(.noParentDirectory(parent), file: directory)
        }
        guard !FileManager.default.fileExists(atPath: url.path) else {
            throw EraDataError(.alreadyExists, file: directory)
        }
        let temporary = URL(fileURLWithPath: parent)
            .appendingPathComponent(".\(url.lastPathComponent).tmp-\(getpid())-\(UUID().uuidString.prefix(8))")
        do {
            try FileManager.default.createDirectory(at: temporary, withIntermediateDirectories: false)
            var summary = Summary(rows: [:], files: [])
            for split in [Split.train, .validation, .live, .test] {
                let rows = dataset.rows(in: split)
                guard !rows.isEmpty else { continue }
                let name = "\(split.rawValue).parquet"
                try writeSplit(dataset, rows: rows, to: temporary.appendingPathComponent(name).path, options: options)
                summary.rows[name] = rows.count
                summary.files.append(name)
            }
            try json.write(to: temporary.appendingPathComponent("features.json"))
            summary.files.append("features.json")
            guard rename(temporary.path, url.path) == 0 else {
                throw EraDataError(.cannotPublish(String(cString: strerror(errno))), file: directory)
            }
            return summary
        } catch let error as ParquetError where error.kind == .write {
            try? FileManager.default.removeItem(at: temporary)
            throw EraDataError(.writeFailed(part: URL(fileURLWithPath: error.file).lastPathComponent, error.detail), file: directory)
        } catch let error as EraDataError {
            try? FileManager.default.removeItem(at: temporary)
            throw error
        } catch {
            try? FileManager.default.removeItem(at: temporary)
            throw EraDataError(.writeFailed(part: nil, error.localizedDescription), file: directory)
        }
    }

    /// One split's file, `rowGroupRows` rows per row group (gathered per column, so memory stays one row group).
    static func writeSplit(_ dataset: Dataset, rows: [Int32], to path: String, options: Options) throws {
        var columns = [ParquetWriteColumn("era", .string), ParquetWriteColumn("data_type", .string)]
        columns += dataset.featureNames.map { ParquetWriteColumn($0, .int8) }
        columns += dataset.targetNames.map { ParquetWriteColumn($0, .float) }
        columns.append(ParquetWriteColumn("id", .string))
        let writer = try ParquetWriter(path: path, columns: columns, compression: options.compression)
        let f = dataset.featureCount, n = dataset.rowCount
        var start = 0
        while start < rows.count {
            let group = rows[start..<min(rows.count, start + options.rowGroupRows)]
            let count = group.count
            // Contiguous rows are passed in place; otherwise gathered into one scratch block.
            let first = Int(group.first!), contiguous = Int(group.last!) - first + 1 == count
            var scratch = [Int8](repeating: 0, count: contiguous ? 0 : count * f)
            var targets = [Float](repeating: .nan, count: count * dataset.targets.count)
            for (t, column) in dataset.targets.enumerated() {
                for (k, r) in group.enumerated() { targets[t * count + k] = column[Int(r)] }
            }
            try scratch.withUnsafeMutableBufferPointer { scratch in
                let storage = UnsafeRawPointer(dataset.features.storage.baseAddress!).assumingMemoryBound(to: Int8.self)
                var values: [ParquetWriteValues] = [.string(group.map { dataset.eras[Int(dataset.eraOfRow[Int($0)])] }),
                                                    .string(group.map { dataset.splitOfRow[Int($0)].rawValue })]
                for j in 0..<f {
                    if contiguous {
                        values.append(.int8(UnsafeBufferPointer(start: storage + j * n + first, count: count)))
                    } else {
                        let out = scratch.baseAddress! + j * count
                        for (k, r) in group.enumerated() { out[k] = storage[j * n + Int(r)] }
                        values.append(.int8(UnsafeBufferPointer(start: out, count: count)))
                    }
                }
                try targets.withUnsafeBufferPointer { targets in
                    for t in 0..<dataset.targets.count {
                        values.append(.float(UnsafeBufferPointer(rebasing: targets[(t * count)..<((t + 1) * count)])))
                    }
                    values.append(.string(group.map { dataset.ids[Int($0)] }))
                    try writer.writeRowGroup(values)
                }
            }
            start += count
        }
        try writer.close(keyValueMetadata: [("pandas", pandasMetadata(columns))])
    }

    /// pandas' footer entry: `id` is the index; dtypes as pandas would record them.
    static func pandasMetadata(_ columns: [ParquetWriteColumn]) -> String {
        let entries: [[String: Any]] = columns.map { c in
            let dtype: (String, String) = switch c.type {
            case .int8: ("int8", "int8")
            case .float: ("float32", "float32")
            case .string: ("unicode", "object")
            }
            return ["name": c.name, "field_name": c.name, "pandas_type": dtype.0, "numpy_type": dtype.1,
                    "metadata": NSNull()]
        }
        let object: [String: Any] = [
            "index_columns": ["id"],
            "column_indexes": [["name": NSNull(), "field_name": NSNull(), "pandas_type": "unicode",
                                "numpy_type": "object", "metadata": ["encoding": "UTF-8"]]],
            "columns": entries,
            "creator": ["library": "workbench", "version": "1"],
            "pandas_version": "2.2.0",
        ]
        let data = (try? JSONSerialization.data(withJSONObject: object, options: [.sortedKeys])) ?? Data("{}".utf8)
        return String(decoding: data, as: UTF8.self)
    }
}
