import Dispatch
import Foundation
import Parquet
import Support

/// Reads Numerai's parquet files (v5 layout) into a `Dataset`, natively.
///
/// Layout: an `id` column (pandas writes its index as a column and names it in the `pandas` metadata),
/// `era`, optional `data_type`, int8 `feature_*` columns with values 0…4, float `target*` columns with
/// NaN where unknown. Features are used as bins directly (`binCounts` 5); a null feature becomes
/// `nullFeatureBin` (2, the middle bin: the neutral value of a 0…4 quantile feature). Splits come from
/// `data_type`, else from the file name (train/validation/live/test). Files are concatenated (they
/// must share the feature columns); rows are sorted by era, stably, in `EraOrder` (the same order
/// as CSV import).
/// Only the requested columns are read, in parallel.
public enum NumeraiParquet {
    /// The bin a null feature value is given.
    public static let nullFeatureBin: UInt8 = 2
    public static let binCount = 5

    /// The feature sets and targets listed in Numerai's `features.json`.
    public struct FeaturesJSON: Sendable {
        public let featureSets: [String: [String]]
        public let targets: [String]

        public init(path: String) throws {
            guard let data = FileManager.default.contents(atPath: path) else {
                throw EraDataError(.unreadable(exists: FileManager.default.fileExists(atPath: path)), file: path)
            }
            guard let object = try? JSONSerialization.jsonObject(with: data) as? [String: Any] else {
                throw EraDataError(.notAJSONObject, file: path)
            }
            guard let sets = object["feature_sets"] as? [String: Any] else {
                throw EraDataError(.noFeatureSets, file: path)
            }
            var featureSets: [String: [String]] = [:]
            for (name, value) in sets {
                guard let list = value as? [String] else {
                    throw EraDataError(.featureSetNotAList(name), file: path)
                }
                featureSets[name] = list
            }
            self.featureSets = featureSets
            targets = object["targets"] as? [String] ?? []
        }
    }

    /// Reads `train.parquet`, `validation.parquet` and `live.parquet` (those present) from `directory`,
    /// with its `features.json` (or `featuresJSON`) for `featureSet`.
    public static func readDirectory(_ directory: String, featureSet: String? = nil, featuresJSON: String? = nil,
                                     targets: [String]? = nil) throws -> Dataset {
        let paths = ["train", "validation", "live"].map { URL(fileURLWithPath: directory).appendingPathComponent("\($0).parquet").path }
            .filter { FileManager.default.fileExists(atPath: $0) }
        guard !paths.isEmpty else {
            throw EraDataError(.noNumeraiFiles, file: directory)
        }
        return try read(paths: paths, featureSet: featureSet, featuresJSON: featuresJSON, targets: targets)
    }

    /// Reads and concatenates Numerai parquet files. `featureSet` names a set in `featuresJSON` (looked
    /// up as `features.json` next to the first file when not given); without it every `feature_*`
    /// column is used. `targets` defaults to every `target*` column of the first file, `target` first.
    public static func read(paths: [String], featureSet: String? = nil, featuresJSON: String? = nil,
                            targets requestedTargets: [String]? = nil) throws -> Dataset {
        guard !paths.isEmpty else { throw EraDataError(.noParquetFiles) }
        let files = try paths.map { try ParquetFile(path: $0) }
        let first = files[0]

        // Which features.
        var featureNames: [String]
        if let featureSet {
            let jsonPath = featuresJSON ?? URL(fileURLWithPath: paths[0]).deletingLastPathComponent()
                .appendingPathComponent("features.json").path
            if featuresJSON == nil && !FileManager.default.fileExists(atPath: jsonPath) {
                throw EraDataError(.featureSetNeedsJSON(set: featureSet, expectedAt: jsonPath))
            }
            let json = try FeaturesJSON(path: jsonPath)
            guard let set = json.featureSets[featureSet] else {
                throw EraDataError(.unknownFeatureSet(featureSet, known: json.featureSets.keys.sorted()), file: jsonPath)
            }
            featureNames = set
        } else {
            featureNames = first.columnNames.filter { $0.hasPrefix("feature_") }
            guard !featureNames.isEmpty else {
                throw EraDataError(.noFeatureColumns, file: paths[0])
            }
        }
        // Which targets: `target` (the main one) first.
        var targetNames = requestedTargets ?? first.columnNames.filter { $0.hasPrefix("target") }
        if requestedTargets == nil, let main = targetNames.firstIndex(of: "target"), main > 0 {
            targetNames.insert(targetNames.remove(at: main), at: 0)
        }

        // Per file: the same feature columns, and the id/era/split columns.
        var sources: [Source] = []
        for (file, path) in zip(files, paths) {
            let columns = Set(file.columnNames)
            let missing = featureNames.filter { !columns.contains($0) }
            if featureSet == nil {
                let extra = file.columnNames.filter { $0.hasPrefix("feature_") && !Set(featureNames).contains($0) }
                if !missing.isEmpty || !extra.isEmpty {
                    throw EraDataError(.columnsDiffer(reference: paths[0], missing: missing, extra: extra, featuresOnly: true),
                                       file: path)
                }
            } else if !missing.isEmpty {
                throw EraDataError(.missingFeatureColumns(set: featureSet!, missing), file: path)
            }
            sources.append(try Source(file: file, path: path))
        }

        // Targets: a file of live rows only may lack them (they are unknown anyway).
        for source in sources {
            let missing = targetNames.filter { source.file.column(named: $0) == nil }
            if !missing.isEmpty && source.splits.contains(where: { $0 != .live }) {
                throw EraDataError(.missingTargetColumns(missing), file: source.path)
            }
        }

        // Era order and the stable era sort.
        var eraNames: [String] = [], eraIndex: [String: Int32] = [:]
        var eraOfRow: [Int32] = [], ids: [String] = [], splitOfRow: [Split] = []
        let total = sources.reduce(0) { $0 + $1.file.rowCount }
        guard total > 0 else {
            throw EraDataError(.noRows, file: paths.joined(separator: ", "))
        }
        eraOfRow.reserveCapacity(total); ids.reserveCapacity(total); splitOfRow.reserveCapacity(total)
        for source in sources {
            for era in source.eras {
                if let known = eraIndex[era] { eraOfRow.append(known) } else {
                    let index = Int32(eraNames.count)
                    eraIndex[era] = index
                    eraNames.append(era)
                    eraOfRow.append(index)
                }
            }
            ids += source.ids
            splitOfRow += source.splits
        }
        try checkUniqueIds(ids, sources)
        let order = EraOrder.indices(eraNames)
        var newEra = [Int32](repeating: 0, count: order.count)
        for (new, old) in order.enumerated() { newEra[old] = Int32(new) }
        var starts = [Int](repeating: 0, count: order.count + 1)
        for e in eraOfRow { starts[Int(newEra[Int(e)]) + 1] += 1 }
        for e in 0..<order.count { starts[e + 1] += starts[e] }
        var newRow = [Int](repeating: 0, count: total)   // newRow[old row] = sorted position
        for (row, e) in eraOfRow.enumerated() {
            let slot = Int(newEra[Int(e)])
            newRow[row] = starts[slot]
            starts[slot] += 1
        }
        let isIdentity = newRow.indices.allSatisfy { newRow[$0] == $0 }

        // Features: one parallel task per feature; each decodes every file's chunk and places it.
        let columns = FeatureColumns(rowCount: total, featureCount: featureNames.count)
        let bases = sources.reduce(into: [0]) { $0.append($0.last! + $1.file.rowCount) }
        let maxRows = sources.map(\.file.rowCount).max() ?? 0
        var failures = [Error?](repeating: nil, count: featureNames.count)
        failures.withUnsafeMutableBufferPointer { failureSlots in
            nonisolated(unsafe) let failureSlots = failureSlots
            nonisolated(unsafe) let storage = columns.storage
            let featureNames = featureNames, sources = sources, newRow = newRow
            DispatchQueue.concurrentPerform(iterations: featureNames.count) { f in
                let column = storage.baseAddress! + f * total
                var scratch = [UInt8](repeating: 0, count: isIdentity ? 0 : maxRows)
                do {
                    for (s, source) in sources.enumerated() {
                        let rows = source.file.rowCount
                        if isIdentity {
                            try source.file.readInt8Bins(featureNames[f], nullBin: nullFeatureBin, validBins: 0...4,
                                                         into: UnsafeMutableBufferPointer(start: column + bases[s], count: rows))
                        } else {
                            try scratch.withUnsafeMutableBufferPointer { buffer in
                                try source.file.readInt8Bins(featureNames[f], nullBin: nullFeatureBin, validBins: 0...4,
                                                             into: UnsafeMutableBufferPointer(rebasing: buffer[0..<rows]))
                                for r in 0..<rows { column[newRow[bases[s] + r]] = buffer[r] }
                            }
                        }
                    }
                } catch {
                    failureSlots[f] = error
                }
            }
        }
        if let failure = failures.compactMap({ $0 }).first { throw failure }

        // Targets.
        var targets = targetNames.map { _ in [Float](repeating: .nan, count: total) }
        for (s, source) in sources.enumerated() {
            let present = targetNames.filter { source.file.column(named: $0) != nil }
            let values = try source.file.readFloatColumns(present)
            for (name, column) in zip(present, values) {
                let t = targetNames.firstIndex(of: name)!
                // An infinite target (a float32 overflow upstream) would poison every gradient sum.
                if let r = column.firstIndex(where: { $0.isInfinite }) {
                    throw EraDataError(.targetInfinite(column[r]), file: source.path, field: name, row: r + 1, id: source.ids[r])
                }
                targets[t].withUnsafeMutableBufferPointer { out in
                    for (r, v) in column.enumerated() { out[newRow[bases[s] + r]] = v }
                }
            }
        }

        func permuted<T>(_ values: [T]) -> [T] {
            if isIdentity { return values }
            var out = values
            for (old, new) in newRow.enumerated() { out[new] = values[old] }
            return out
        }
        var metadata = ["source": "numerai-parquet",
                        "source_files": paths.map { URL(fileURLWithPath: $0).lastPathComponent }.joined(separator: ","),
                        "null_feature_bin": String(nullFeatureBin)]
        if let featureSet { metadata["feature_set"] = featureSet }
        return Dataset(features: columns, featureNames: featureNames,
                       binCounts: [Int](repeating: binCount, count: featureNames.count),
                       targetNames: targetNames, targets: targets,
                       eras: order.map { eraNames[$0] },
                       eraOfRow: permuted(eraOfRow.map { newEra[Int($0)] }),
                       ids: permuted(ids), splitOfRow: permuted(splitOfRow), metadata: metadata)
    }

    /// One file's id, era and split per row.
    struct Source: Sendable {
        let file: ParquetFile
        let path: String
        let ids: [String]
        let eras: [String]
        let splits: [Split]

        init(file: ParquetFile, path: String) throws {
            self.file = file
            self.path = path
            let idColumn = file.column(named: "id") != nil ? "id" : file.pandasIndexColumns.first
            guard let idColumn else {
                throw EraDataError(.noIdColumn, file: path)
            }
            guard file.column(named: "era") != nil else { throw EraDataError(.missingColumns(["era"]), file: path) }
            func text(_ name: String) throws -> [String] {
                let (values, nulls) = try file.readStringColumn(name)
                if let nulls, let row = nulls.firstIndex(of: true) {
                    throw EraDataError(.nullValue, file: path, field: name, row: row + 1)
                }
                return values
            }
            ids = try text(idColumn)
            eras = try text("era")
            if file.column(named: "data_type") != nil {
                var cache: [String: Split] = [:]
                splits = try text("data_type").enumerated().map { row, value in
                    if let s = cache[value] { return s }
                    guard let s = Split(rawValue: value) else {
                        throw EraDataError(.unknownSplit(value), file: path, field: "data_type", row: row + 1)
                    }
                    cache[value] = s
                    return s
                }
            } else {
                guard let split = Split(fileName: path) else { throw EraDataError(.noSplit, file: path) }
                splits = [Split](repeating: split, count: file.rowCount)
            }
        }
    }

    static func checkUniqueIds(_ ids: [String], _ sources: [Source]) throws {
        var seen: [String: Int] = [:]
        seen.reserveCapacity(ids.count)
        for (row, id) in ids.enumerated() {
            if let other = seen.updateValue(row, forKey: id) {
                func place(_ r: Int) -> EraDataError.Place {
                    var r = r
                    for s in sources {
                        if r < s.file.rowCount { return .init(file: s.path, row: r + 1) }
                        r -= s.file.rowCount
                    }
                    return .init(row: r + 1)
                }
                throw EraDataError(.duplicateId(id, first: place(other), second: place(row)))
            }
        }
    }
}

extension DatasetInfo {
    /// The summary of a dataset in memory (e.g. read from parquet), as `DatasetFile.info` gives for a file.
    public init(_ dataset: Dataset, formatVersion: Int = 0) {
        var splits: [String: Int] = [:]
        for (split, count) in dataset.splitCounts { splits[split.rawValue] = count }
        var nanTargets: [String: Int] = [:]
        for (name, column) in zip(dataset.targetNames, dataset.targets) {
            nanTargets[name] = column.reduce(0) { $0 + ($1.isNaN ? 1 : 0) }
        }
        self.init(rows: dataset.rowCount, eras: dataset.eras.count, features: dataset.featureCount,
                  targets: dataset.targetNames, splits: splits, nanTargets: nanTargets,
                  firstEra: dataset.eraOfRow.first.map { dataset.eras[Int($0)] },
                  lastEra: dataset.eraOfRow.last.map { dataset.eras[Int($0)] },
                  hasTrueSignal: dataset.trueSignal != nil, formatVersion: formatVersion)
    }
}
