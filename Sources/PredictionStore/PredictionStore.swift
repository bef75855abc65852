import EraData
import Foundation
import HDF5
import Support

/// What is known of one trained (or failed) model.
public struct ModelRecord: Codable, Equatable, Sendable {
    /// `pruned`: stopped early by a study's successive halving (`pruning`); its predictions are
    /// those of its `trees` trees, at the rung where it stopped.
    public enum Status: String, Codable, Sendable {
        case done, failed, pending, pruned
        /// Whether the model has stored predictions (finished, or stopped at a pruning rung).
        public var hasPredictions: Bool { self == .done || self == .pruned }
    }
    public var index: Int
    public var id: String
    public var arm: String
    public var target: String
    public var parameters: [String: Double]
    public var droppedEras: Int
    public var droppedFeatures: Int
    public var descriptors: [String: Double]
    public var trees: Int
    public var trainSeconds: Double
    public var status: Status
    public var error: String?

    public init(index: Int, id: String, arm: String, target: String, parameters: [String: Double],
                droppedEras: Int, droppedFeatures: Int, descriptors: [String: Double], trees: Int,
                trainSeconds: Double, status: Status, error: String? = nil) {
        self.index = index
        self.id = id
        self.arm = arm
        self.target = target
        self.parameters = parameters
        self.droppedEras = droppedEras
        self.droppedFeatures = droppedFeatures
        self.descriptors = descriptors
        self.trees = trees
        self.trainSeconds = trainSeconds
        self.status = status
        self.error = error
    }
}

public struct StoreError: Error, CustomStringConvertible {
    public let description: String
    public init(_ description: String) { self.description = description }
}

/// A study's predictions on disk.
///
/// While a study runs, each finished model is one small part file in `DIR/parts/` written
/// atomically (temp + rename) by the single writer — so an interruption loses at most the models in
/// flight, and a re-run resumes from the parts. `consolidate()` writes `DIR/predictions.h5`
/// (temp + rename: the file on disk is always a complete earlier or later version):
///
/// | path | type | meaning |
/// |---|---|---|
/// | `/predictions` | float32 `[models × rows]`, chunked by model, deflate | NaN for pending/failed models; a pruned model's predictions at its rung |
/// | `/rows` | int32 `[rows]` | dataset row index of each column |
/// | `/ids`, `/eras` | strings `[rows]` | Numerai id and era name of each column |
/// | `/models/{id,arm,target,status,error,params_json}` | strings `[models]` | per model |
/// | `/models/{seed,trees}` int64, `/models/train_seconds` float64 | `[models]` | per model |
/// | `/benchmark/predictions` | float32 `[rows]` | the benchmark model (when trained) |
/// | `/target` | float32 `[rows]` | the scored target of each column (NaN: unknown); its name is the root attribute `target_name` |
/// | `/split` | strings `[rows]` | the data split of each column (`validation`, `live`, …) |
/// | `/selection`, `/test` | int8 `[rows]` | 1 when the column's era is in the selection / test eras of the evaluation (metrics.json `split`), else 0 |
/// | attributes on `/` | `study_name`, `study_hash`, `study_json`, `format_version`, `model_count`, `models_done` | |
///
/// `/target`, `/split`, `/selection`, `/test` and `target_name` were added later (same format
/// version): files without them still read, with `StoredStudy.labels` nil.
public final class PredictionStore: @unchecked Sendable {
    public static let formatVersion: Int64 = 1
    public let directory: URL
    public let studyName: String
    public let studyHash: String
    public let studyJSON: String
    public let rows: [Int32]
    public let ids: [String]
    public let eraOfColumn: [String]
    public let modelCount: Int
    /// Scored target, split and selection/test flags per column, written with the predictions.
    public var labels: ColumnLabels?

    var partsDirectory: URL { directory.appendingPathComponent("parts") }
    /// Set when `contents()` found an unreadable predictions.h5 and moved it to
    /// `predictions.h5.damaged` (the message says so); the caller reports it.
    public private(set) var damagedStoreMovedAside: String? = nil
    public var predictionsPath: String { directory.appendingPathComponent("predictions.h5").path }

    public init(directory: URL, studyName: String, studyHash: String, studyJSON: String, rows: [Int32],
                ids: [String], eraOfColumn: [String], modelCount: Int, labels: ColumnLabels? = nil) throws {
        self.directory = directory
        self.studyName = studyName
        self.studyHash = studyHash
        self.studyJSON = studyJSON
        self.rows = rows
        self.ids = ids
        self.eraOfColumn = eraOfColumn
        self.modelCount = modelCount
        if let labels, labels.count != rows.count {
            throw StoreError("column labels for \(labels.count) columns, but \(rows.count) rows")
        }
        self.labels = labels
    }

    func partURL(_ index: Int) -> URL {
        partsDirectory.appendingPathComponent(index < 0 ? "benchmark.part" : String(format: "model-%06d.part", index))
    }

    /// Saves one finished model (atomic). Called from the single writer.
    public func save(_ record: ModelRecord, predictions: [Float]) throws {
        guard predictions.count == rows.count || record.status == .failed else {
            throw StoreError("model \(record.id): \(predictions.count) predictions for \(rows.count) rows")
        }
        var header = try JSONEncoder.sorted.encode(PartHeader(hash: studyHash, record: record))
        var data = Data("WBPART1\n".utf8)
        var length = UInt32(header.count).littleEndian
        data.append(Data(bytes: &length, count: 4))
        data.append(header)
        header = Data()
        predictions.withUnsafeBufferPointer { data.append(Data(buffer: $0)) }
        try FileManager.default.createDirectory(at: partsDirectory, withIntermediateDirectories: true)
        try writeAtomically(to: partURL(record.index).path, sweep: false) { tmp in
            try data.write(to: URL(fileURLWithPath: tmp))
        }
    }

    struct PartHeader: Codable {
        let hash: String
        let record: ModelRecord
    }

    /// Reads one part; nil when absent. Parts of another study are an error.
    func loadPart(_ url: URL) throws -> (ModelRecord, [Float])? {
        guard let data = FileManager.default.contents(atPath: url.path) else { return nil }
        guard data.count >= 12, data.prefix(8) == Data("WBPART1\n".utf8) else {
            throw StoreError("\(url.path): not a workbench part file")
        }
        let length = Int(data[8..<12].withUnsafeBytes { $0.loadUnaligned(as: UInt32.self) }.littleEndian)
        guard data.count >= 12 + length else { throw StoreError("\(url.path): truncated") }
        let header = try JSONDecoder().decode(PartHeader.self, from: data[12..<(12 + length)])
        guard header.hash == studyHash else {
            throw StoreError("\(url.path) belongs to another study (hash \(header.hash), expected \(studyHash))")
        }
        let body = data[(12 + length)...]
        let n = body.count / 4
        if header.record.status.hasPredictions && n != rows.count {
            throw StoreError("\(url.path): \(n) predictions for \(rows.count) rows")
        }
        var values = [Float](repeating: .nan, count: n)
        _ = values.withUnsafeMutableBytes { body.copyBytes(to: $0) }
        return (header.record, values)
    }

    /// Finished (and failed) models so far: an existing predictions.h5, then newer parts.
    public func completed() throws -> [Int: ModelRecord] {
        try contents().records
    }

    /// Everything stored so far: predictions.h5 of this study, overlaid by the part files.
    public func contents() throws -> StoreContents {
        var out = StoreContents()
        if FileManager.default.fileExists(atPath: predictionsPath) {
            let stored: StoredStudy
            do { stored = try StoredStudy.read(path: predictionsPath) } catch {
                // A damaged store (written by an older workbench, or harmed on disk) must not
                // block every later run: keep it aside for inspection and train its models again.
                let aside = predictionsPath + ".damaged"
                unlink(aside)
                guard rename(predictionsPath, aside) == 0 else {
                    throw StoreError("\(predictionsPath) cannot be read (\(error)) and cannot be moved aside: \(String(cString: strerror(errno)))")
                }
                damagedStoreMovedAside = "\(predictionsPath) could not be read (\(error)); kept as \(aside), its models are trained again"
                return try contents()
            }
            guard stored.studyHash == studyHash else {
                throw StoreError("\(predictionsPath) belongs to another study (hash \(stored.studyHash), expected \(studyHash))")
            }
            for r in stored.records where r.status != .pending && r.index >= 0 && r.index < modelCount {
                out.records[r.index] = r
                if r.status.hasPredictions { out.predictions[r.index] = stored.predictions(ofModel: r.index) }
            }
            if let b = stored.benchmarkRecord, let p = stored.benchmarkPredictions {
                out.records[-1] = b
                out.predictions[-1] = p
            }
        }
        for url in try partFiles() {
            guard let (record, values) = try loadPart(url) else { continue }
            guard record.index < modelCount else { throw StoreError("\(url.path): model index \(record.index) out of range") }
            out.records[record.index] = record
            out.predictions[record.index] = record.status.hasPredictions ? values : nil
        }
        return out
    }

    func partFiles() throws -> [URL] {
        guard FileManager.default.fileExists(atPath: partsDirectory.path) else { return [] }
        return try FileManager.default.contentsOfDirectory(at: partsDirectory, includingPropertiesForKeys: nil)
            .filter { $0.pathExtension == "part" }
            .sorted { $0.lastPathComponent < $1.lastPathComponent }
    }

    /// Writes `predictions.h5` from everything stored (see `contents()`), atomically.
    /// `placeholders` name the models not stored yet (status `pending`), so every row is labelled.
    public func consolidate(placeholders: [ModelRecord]) throws {
        try write(try contents(), placeholders: placeholders)
    }

    /// Writes `predictions.h5` from `contents`, atomically. Same contents → same arrays.
    public func write(_ contents: StoreContents, placeholders: [ModelRecord]) throws {
        var predictions = [Float](repeating: .nan, count: modelCount * rows.count)
        for (index, values) in contents.predictions where index >= 0 {
            predictions.replaceSubrange((index * rows.count)..<((index + 1) * rows.count), with: values)
        }
        var records = contents.records
        for p in placeholders where records[p.index] == nil { records[p.index] = p }
        let ordered = try (0..<modelCount).map { i -> ModelRecord in
            guard let r = records[i] else { throw StoreError("model \(i) has neither a record nor a placeholder") }
            return r
        }
        try writeAtomically(to: predictionsPath) { tmp in
            let file = try H5File.create(tmp)
            try file.setAttribute("format_version", Self.formatVersion)
            try file.setAttribute("study_name", studyName)
            try file.setAttribute("study_hash", studyHash)
            try file.setAttribute("study_json", studyJSON)
            try file.setAttribute("model_count", Int64(modelCount))
            try file.setAttribute("models_done", Int64(ordered.filter { $0.status == .done }.count))
            let chunkRows = max(1, min(rows.count, 1 << 20))
            if modelCount > 0 && !rows.isEmpty {
                try file.write("predictions", predictions, shape: [modelCount, rows.count],
                               chunks: [1, chunkRows], compression: 1)
            } else {
                try file.write("predictions", predictions, shape: [modelCount, rows.count])
            }
            try file.write("rows", rows)
            try file.writeStrings("ids", ids, compression: 1)
            try file.writeStrings("eras", eraOfColumn, compression: 1)
            if let labels { try labels.write(to: file) }
            let models = try file.createGroup("models")
            try writeRecords(ordered, to: models)
            if let record = contents.records[-1], let values = contents.predictions[-1] {
                let g = try file.createGroup("benchmark")
                try g.write("predictions", values)
                try writeRecords([record], to: g)
            }
            // Everything reaches the file before it can take the final name: a full disk fails
            // here (or in the fsync that follows), never after the rename.
            try file.flush()
        }
    }

    func writeRecords(_ records: [ModelRecord], to group: H5Group) throws {
        try group.writeStrings("id", records.map(\.id))
        try group.writeStrings("arm", records.map(\.arm))
        try group.writeStrings("target", records.map(\.target))
        try group.writeStrings("status", records.map(\.status.rawValue))
        try group.writeStrings("error", records.map { $0.error ?? "" })
        try group.writeStrings("params_json", records.map { String(decoding: try! JSONEncoder.sorted.encode($0.parameters), as: UTF8.self) })
        try group.writeStrings("record_json", records.map { String(decoding: try! JSONEncoder.sorted.encode($0), as: UTF8.self) })
        try group.write("seed", records.map { Int64($0.parameters["seed"] ?? 0) })
        try group.write("trees", records.map { Int64($0.trees) })
        try group.write("train_seconds", records.map(\.trainSeconds))
    }

    /// Removes the part files once `predictions.h5` holds them.
    public func removeParts() throws {
        for url in try partFiles() { try FileManager.default.removeItem(at: url) }
        // Leave no empty folder behind; a folder with anything else in it is not ours to remove.
        if (try? FileManager.default.contentsOfDirectory(atPath: partsDirectory.path))?.isEmpty == true {
            try FileManager.default.removeItem(at: partsDirectory)
        }
    }
}

/// Models stored so far: records and predictions by model index (−1: the benchmark).
public struct StoreContents: Sendable {
    public var records: [Int: ModelRecord] = [:]
    public var predictions: [Int: [Float]] = [:]
    public init() {}
}

/// A consolidated study read back from `predictions.h5`.
public struct StoredStudy: @unchecked Sendable {
    public let studyName: String
    public let studyHash: String
    public let studyJSON: String
    public let records: [ModelRecord]
    public let rows: [Int32]
    public let ids: [String]
    public let eras: [String]
    /// Row-major `[models × rows]`.
    public let matrix: [Float]
    public let benchmarkRecord: ModelRecord?
    public let benchmarkPredictions: [Float]?
    /// nil for files written before the labels were stored.
    public var labels: ColumnLabels? = nil

    public func predictions(ofModel index: Int) -> [Float] {
        Array(matrix[(index * rows.count)..<((index + 1) * rows.count)])
    }

    public static func read(directory: URL) throws -> StoredStudy {
        try read(path: directory.appendingPathComponent("predictions.h5").path)
    }

    public static func read(path: String) throws -> StoredStudy {
        let file = try H5File.open(path)
        let version = try file.attribute("format_version", as: Int64.self)
        guard version == PredictionStore.formatVersion else {
            throw StoreError("\(path): store format \(version), this workbench reads \(PredictionStore.formatVersion)")
        }
        func records(_ g: H5Group, _ name: String) throws -> [ModelRecord] {
            try g.readStrings("record_json").enumerated().map { i, json in
                do { return try JSONDecoder().decode(ModelRecord.self, from: Data(json.utf8)) } catch {
                    // A scribbled record is damage to this file, named as such (not a bare DecodingError).
                    throw StoreError("\(path): damaged store: record \(i) of /\(name)/record_json is not a model record")
                }
            }
        }
        let models = try file.openGroup("models")
        var benchRecord: ModelRecord? = nil
        var benchPredictions: [Float]? = nil
        if file.exists("benchmark") {
            let g = try file.openGroup("benchmark")
            benchRecord = try records(g, "benchmark").first
            benchPredictions = try g.read("predictions", as: Float.self)
        }
        var study = StoredStudy(
            studyName: try file.stringAttribute("study_name"), studyHash: try file.stringAttribute("study_hash"),
            studyJSON: try file.stringAttribute("study_json"), records: try records(models, "models"),
            rows: try file.read("rows", as: Int32.self), ids: try file.readStrings("ids"),
            eras: try file.readStrings("eras"), matrix: try file.read("predictions", as: Float.self),
            benchmarkRecord: benchRecord, benchmarkPredictions: benchPredictions)
        try study.checkShapes(path: path, modelCount: try file.attribute("model_count", as: Int64.self))
        study.labels = try ColumnLabels.read(from: file, path: path, columns: study.rows.count)
        return study
    }

    /// The arrays agree with each other, so every later index is in range: `ids`, `eras` have one
    /// entry per row; `predictions` is `records × rows` (and `model_count` records); record `i`
    /// has index `i`; the benchmark has one prediction per row; no row index is negative.
    func checkShapes(path: String, modelCount: Int64) throws {
        func fail(_ what: String) -> StoreError { StoreError("\(path): damaged store: \(what)") }
        let n = rows.count
        guard ids.count == n else { throw fail("\(ids.count) ids for \(n) rows") }
        guard eras.count == n else { throw fail("\(eras.count) eras for \(n) rows") }
        guard modelCount >= 0, Int(modelCount) == records.count else {
            throw fail("model_count \(modelCount) but \(records.count) model records")
        }
        let (cells, overflow) = records.count.multipliedReportingOverflow(by: n)
        guard !overflow, matrix.count == cells else {
            throw fail("\(matrix.count) predictions for \(records.count) models × \(n) rows")
        }
        if let bad = records.indices.first(where: { records[$0].index != $0 }) {
            throw fail("model record \(bad) has index \(records[bad].index)")
        }
        if let bad = rows.firstIndex(where: { $0 < 0 }) { throw fail("row \(bad) is \(rows[bad])") }
        if let b = benchmarkPredictions, b.count != n {
            throw fail("\(b.count) benchmark predictions for \(n) rows")
        }
        if (benchmarkRecord == nil) != (benchmarkPredictions == nil) { throw fail("benchmark record without predictions") }
    }
}

extension JSONEncoder {
    /// Sorted keys: the same value always encodes to the same bytes.
    static var sorted: JSONEncoder {
        let e = JSONEncoder()
        e.outputFormatting = [.sortedKeys]
        return e
    }
}

/// What a column of predictions is scored against, stored beside the predictions so that any
/// metric is computable from predictions.h5 alone (e.g. numerai-tools' on `/target`).
public struct ColumnLabels: Sendable, Equatable {
    /// Name of the scored target (the study's benchmark target, else `target`).
    public var targetName: String
    /// Per column: the target value, NaN where unknown.
    public var target: [Float]
    /// Per column: the data split (`validation`, `live`, …).
    public var split: [String]
    /// Per column: the era is one of the evaluation's selection eras / test eras.
    public var selection: [Bool]
    public var test: [Bool]

    public init(targetName: String, target: [Float], split: [String], selection: [Bool], test: [Bool]) {
        self.targetName = targetName; self.target = target; self.split = split
        self.selection = selection; self.test = test
    }

    public var count: Int { target.count }

    func write(to file: H5File) throws {
        try file.setAttribute("target_name", targetName)
        try file.write("target", target)
        try file.writeStrings("split", split, compression: 1)
        try file.write("selection", selection.map { Int8($0 ? 1 : 0) })
        try file.write("test", test.map { Int8($0 ? 1 : 0) })
    }

    /// nil when the file predates the labels; a partial or mis-sized set is a damaged store.
    static func read(from file: H5File, path: String, columns: Int) throws -> ColumnLabels? {
        let names = ["target", "split", "selection", "test"]
        let present = names.filter { file.exists($0) }
        if present.isEmpty { return nil }
        guard present.count == names.count, file.hasAttribute("target_name") else {
            throw StoreError("\(path): damaged store: column labels incomplete (has \(present.joined(separator: ", ")))")
        }
        let labels = ColumnLabels(
            targetName: try file.stringAttribute("target_name"), target: try file.read("target", as: Float.self),
            split: try file.readStrings("split"), selection: try file.read("selection", as: Int8.self).map { $0 != 0 },
            test: try file.read("test", as: Int8.self).map { $0 != 0 })
        for (name, n) in [("target", labels.target.count), ("split", labels.split.count),
                          ("selection", labels.selection.count), ("test", labels.test.count)] where n != columns {
            throw StoreError("\(path): damaged store: \(n) \(name) values for \(columns) rows")
        }
        return labels
    }
}
