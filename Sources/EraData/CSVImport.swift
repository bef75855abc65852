import Foundation

/// Reads Numerai-layout CSV files into a `Dataset`.
///
/// Columns: `id`, `era`, optional `data_type` (`train`/`validation`/`live`/`test`; without it the file
/// name must contain one of those words), `feature_*`, `target*`; other columns are ignored. Every file
/// must have the same feature and target columns (in any order). Features whose values are all integers
/// in 0...254 are used as bins directly (bin count = max + 1); other features are quantile-binned into at
/// most `maxBins` bins with upper edges kept (`x` falls in the first bin `b` with `x ≤ edges[b]`).
/// Empty, `nan`, `NaN`, `NA` and `null` targets are NaN; infinite targets (or beyond float32's range) are refused. Eras are put in `EraOrder` (names ending
/// in digits by prefix and number, the rest by first appearance); rows are sorted by era, stably.
public enum CSVImporter {
    public static func read(paths: [String], maxBins: Int = 255) throws -> Dataset {
        try read(paths: paths, maxBins: maxBins, forPrediction: false).dataset
    }

    /// Rows to predict: as `read`, but target columns may be absent (a live file), and the raw
    /// values of non-integer features come back too, in the dataset's row order (binning keeps
    /// only their bins), so a model can be applied to exactly what the file says.
    public static func readForPrediction(paths: [String]) throws -> (dataset: Dataset, rawValues: [Int: [Double]]) {
        try read(paths: paths, maxBins: 255, forPrediction: true)
    }

    static func read(paths: [String], maxBins: Int, forPrediction: Bool) throws
        -> (dataset: Dataset, rawValues: [Int: [Double]]) {
        precondition((2...255).contains(maxBins), "maxBins must be in 2...255")
        var builder: Builder?
        // Newline counts bound the row count, so staging is allocated once.
        var files: [(path: String, data: Data)] = []
        for path in paths {
            guard let data = FileManager.default.contents(atPath: path) else {
                let exists = FileManager.default.fileExists(atPath: path)
                throw EraDataError(.unreadable(exists: exists), file: path)
            }
            guard !data.isEmpty else { throw EraDataError(.emptyFile, file: path) }
            files.append((path, data))
        }
        let rowBound = files.reduce(0) { total, file in
            total + file.data.withUnsafeBytes { raw in raw.reduce(0) { $0 + ($1 == 10 ? 1 : 0) } } + 1
        }
        for (fileIndex, file) in files.enumerated() {
            try file.data.withUnsafeBytes { raw in
                let bytes = raw.bindMemory(to: UInt8.self)
                var parser = Parser(bytes: bytes, path: file.path)
                let header = try parser.header()
                let schema = try Schema(header: header, path: file.path, requireTargets: !forPrediction)
                if builder == nil {
                    builder = Builder(featureNames: schema.featureNames, targetNames: schema.targetNames,
                                      rowBound: rowBound)
                }
                try builder!.parseRows(&parser, schema: schema, fileIndex: fileIndex,
                                       defaultSplit: try defaultSplit(schema, path: file.path))
            }
        }
        guard let builder, builder.rows > 0 else {
            throw EraDataError(.noDataRows, file: paths.joined(separator: ", "))
        }
        return try builder.finish(paths: paths, maxBins: maxBins, keepRawValues: forPrediction)
    }

    /// The split of every row of a file without a `data_type` column, from its name.
    static func defaultSplit(_ schema: Schema, path: String) throws -> Split? {
        if schema.dataTypeColumn != nil { return nil }
        guard let split = Split(fileName: path) else { throw EraDataError(.noSplit, file: path) }
        return split
    }

    // MARK: accumulation

    final class Builder {
        let featureNames: [String]
        let targetNames: [String]
        let featureCount: Int
        /// Row-major staging of integer bins: row r, feature f at `r * featureCount + f`.
        var bins: [UInt8]
        /// Raw values of features that turned out not to be small integers, row-indexed.
        var floatValues: [[Double]?]
        let rowBound: Int
        var maxBin: [UInt8]
        var targets: [[Float]]
        var ids: [String] = []
        var eraOfRow: [Int32] = []
        var splitOfRow: [Split] = []
        var origin: [(file: Int32, line: Int32)] = []
        var eraNames: [String] = []
        var eraIndex: [String: Int32] = [:]
        var rows = 0
        var reference: (path: String, schema: Schema)?

        init(featureNames: [String], targetNames: [String], rowBound: Int) {
            self.featureNames = featureNames
            self.targetNames = targetNames
            featureCount = featureNames.count
            bins = [UInt8](repeating: 0, count: rowBound * featureNames.count)
            floatValues = [[Double]?](repeating: nil, count: featureNames.count)
            self.rowBound = rowBound
            maxBin = [UInt8](repeating: 0, count: featureNames.count)
            targets = targetNames.map { _ in [Float](repeating: .nan, count: rowBound) }
            ids.reserveCapacity(rowBound)
            eraOfRow.reserveCapacity(rowBound)
            splitOfRow.reserveCapacity(rowBound)
            origin.reserveCapacity(rowBound)
        }

        func parseRows(_ parser: inout Parser, schema: Schema, fileIndex: Int, defaultSplit: Split?) throws {
            let roles: [Role]
            if let reference {
                roles = try schema.aligned(to: featureNames, targetNames, path: parser.path, reference: reference.path)
            } else {
                reference = (parser.path, schema)
                roles = schema.roles
            }
            let columns = roles.count
            let names = schema.names
            let featureCount = self.featureCount
            var lastEra: [UInt8] = [], lastEraIndex: Int32 = -1
            var lastType: [UInt8] = [], lastSplit = Split.train
            var isFloat = [Bool](repeating: false, count: featureCount)
            for f in 0..<featureCount where floatValues[f] != nil { isFloat[f] = true }

            try bins.withUnsafeMutableBufferPointer { binBuffer in
                while parser.nextRow() {
                    let row = rows
                    let rowLine = parser.line
                    let binRow = binBuffer.baseAddress! + row * featureCount
                    var id: String?
                    var era: Int32 = -1
                    var split = defaultSplit
                    for column in 0..<columns {
                        let (field, terminator) = try parser.field(column: column + 1, name: names[column])
                        if column < columns - 1 && terminator != .comma {
                            throw EraDataError(.fieldCount(expected: columns, found: column + 1), file: parser.path, line: rowLine)
                        }
                        if column == columns - 1 && terminator == .comma {
                            throw EraDataError(.tooManyFields(expected: columns), file: parser.path, line: rowLine)
                        }
                        switch roles[column] {
                        case .feature(let f):
                            // Fast path: one digit, the Numerai case.
                            if field.count == 1, field.start[0] &- 48 < 10, !isFloat[f] {
                                let bin = field.start[0] &- 48
                                binRow[f] = bin
                                if bin > maxBin[f] { maxBin[f] = bin }
                                continue
                            }
                            guard let value = CSVImporter.parseNumber(field), value.isFinite else {
                                throw EraDataError(.notAFiniteNumber(field.count == 0 ? nil : field.string), file: parser.path,
                                                   line: rowLine, column: column + 1, field: names[column])
                            }
                            if !isFloat[f], value >= 0, value <= 254, value == value.rounded() {
                                let bin = UInt8(value)
                                binRow[f] = bin
                                if bin > maxBin[f] { maxBin[f] = bin }
                                continue
                            }
                            if !isFloat[f] {
                                // First non-bin value: keep this column's raw values from here on.
                                isFloat[f] = true
                                var values = [Double](repeating: 0, count: rowBound)
                                for r in 0..<row { values[r] = Double(binBuffer[r * featureCount + f]) }
                                floatValues[f] = values
                            }
                            floatValues[f]![row] = value
                        case .target(let t):
                            if CSVImporter.isMissing(field) { continue }      // staged as NaN
                            guard let value = CSVImporter.parseNumber(field) else {
                                throw EraDataError(.targetNotANumber(field.string), file: parser.path,
                                                   line: rowLine, column: column + 1, field: names[column])
                            }
                            // Targets are float32: an infinity (or a value beyond ±3.4e38, which
                            // becomes one) would poison every gradient sum, so it is refused here.
                            if value.isNaN { continue }
                            guard Float(value).isFinite else {
                                throw EraDataError(.targetBeyondFloat32(field.string), file: parser.path,
                                                   line: rowLine, column: column + 1, field: names[column])
                            }
                            targets[t][row] = Float(value)
                        case .id:
                            guard field.count > 0 else {
                                throw EraDataError(.emptyId, file: parser.path, line: rowLine, column: column + 1, field: "id")
                            }
                            id = field.string
                        case .era:
                            guard field.count > 0 else {
                                throw EraDataError(.emptyEra, file: parser.path, line: rowLine, column: column + 1, field: "era")
                            }
                            if lastEraIndex >= 0 && field.equals(lastEra) {
                                era = lastEraIndex
                            } else {
                                let name = field.string
                                if let known = eraIndex[name] { era = known } else {
                                    era = Int32(eraNames.count)
                                    eraIndex[name] = era
                                    eraNames.append(name)
                                }
                                lastEra = Array(UnsafeBufferPointer(start: field.start, count: field.count))
                                lastEraIndex = era
                            }
                        case .dataType:
                            if !lastType.isEmpty && field.equals(lastType) {
                                split = lastSplit
                            } else {
                                guard let s = Split(rawValue: field.string) else {
                                    throw EraDataError(.unknownSplit(field.string), file: parser.path, line: rowLine,
                                                       column: column + 1, field: "data_type")
                                }
                                split = s
                                lastSplit = s
                                lastType = Array(UnsafeBufferPointer(start: field.start, count: field.count))
                            }
                        case .ignored:
                            continue
                        }
                    }
                    ids.append(id!)
                    eraOfRow.append(era)
                    splitOfRow.append(split!)
                    origin.append((Int32(fileIndex), Int32(rowLine)))
                    rows += 1
                }
            }
        }

        /// Orders eras, sorts rows by era (stably), bins float features, checks ids.
        func finish(paths: [String], maxBins: Int, keepRawValues: Bool) throws -> (dataset: Dataset, rawValues: [Int: [Double]]) {
            let n = rows, featureCount = self.featureCount
            var firstSeen: [String: Int] = [:]
            firstSeen.reserveCapacity(n)
            for (row, id) in ids.enumerated() {
                if let other = firstSeen.updateValue(row, forKey: id) {
                    let a = origin[other], b = origin[row]
                    throw EraDataError(.duplicateId(id, first: .init(file: paths[Int(a.file)], line: Int(a.line)),
                                                    second: .init(file: paths[Int(b.file)], line: Int(b.line))))
                }
            }

            let order = EraOrder.indices(eraNames)            // order[newIndex] = old index
            var newIndex = [Int32](repeating: 0, count: order.count)
            for (new, old) in order.enumerated() { newIndex[old] = Int32(new) }
            // Stable counting sort of rows by their era's new index.
            var starts = [Int](repeating: 0, count: order.count + 1)
            for e in eraOfRow { starts[Int(newIndex[Int(e)]) + 1] += 1 }
            for e in 0..<order.count { starts[e + 1] += starts[e] }
            var permutation = [Int](repeating: 0, count: n)     // permutation[newRow] = old row
            for (row, e) in eraOfRow.enumerated() {
                let slot = Int(newIndex[Int(e)])
                permutation[starts[slot]] = row
                starts[slot] += 1
            }

            let columns = FeatureColumns(rowCount: n, featureCount: featureCount)
            var binEdges = [[Double]](repeating: [], count: featureCount)
            var rawValues: [Int: [Double]] = [:]
            var binCounts = maxBin.map { Int($0) + 1 }
            bins.withUnsafeBufferPointer { staged in
                for f in 0..<featureCount where floatValues[f] == nil {
                    let column = columns.storage.baseAddress! + f * n
                    for (new, old) in permutation.enumerated() { column[new] = staged[old * featureCount + f] }
                }
            }
            for f in 0..<featureCount {
                guard let values = floatValues[f] else { continue }
                let edges = CSVImporter.quantileEdges(Array(values[0..<n]), maxBins: maxBins)
                binEdges[f] = edges
                binCounts[f] = edges.count
                if keepRawValues { rawValues[f] = permutation.map { values[$0] } }
                let column = columns.storage.baseAddress! + f * n
                for (new, old) in permutation.enumerated() {
                    column[new] = UInt8(CSVImporter.bin(values[old], edges: edges))
                }
            }

            let dataset = Dataset(features: columns, featureNames: featureNames,
                           binEdges: floatValues.allSatisfy({ $0 == nil }) ? [] : binEdges, binCounts: binCounts,
                           targetNames: targetNames,
                           targets: targets.map { column in permutation.map { column[$0] } },
                           eras: order.map { eraNames[$0] },
                           eraOfRow: permutation.map { newIndex[Int(eraOfRow[$0])] },
                           ids: permutation.map { ids[$0] },
                           splitOfRow: permutation.map { splitOfRow[$0] },
                           metadata: ["source": "csv",
                                      "source_files": paths.map { URL(fileURLWithPath: $0).lastPathComponent }
                                          .joined(separator: ",")])
            return (dataset, rawValues)
        }
    }

    // MARK: eras and binning

    /// Upper bin edges for `values`: every distinct value when there are at most `maxBins`, else the
    /// quantiles sorted[⌈b·n/maxBins⌉ − 1] for b = 1…maxBins, de-duplicated (so ≤ maxBins bins; the last
    /// edge is the maximum).
    public static func quantileEdges(_ values: [Double], maxBins: Int) -> [Double] {
        let sorted = values.sorted()
        var distinct: [Double] = []
        for v in sorted where distinct.last != v {
            distinct.append(v)
            if distinct.count > maxBins { break }
        }
        if distinct.count <= maxBins { return distinct }
        let n = sorted.count
        var edges: [Double] = []
        for b in 1...maxBins {
            let edge = sorted[(b * n + maxBins - 1) / maxBins - 1]
            if edges.last != edge { edges.append(edge) }
        }
        return edges
    }

    /// The first bin b with x ≤ edges[b] (the last bin for x above every edge).
    @inline(__always)
    public static func bin(_ x: Double, edges: [Double]) -> Int {
        var lo = 0, hi = edges.count - 1
        while lo < hi {
            let mid = (lo + hi) / 2
            if x <= edges[mid] { hi = mid } else { lo = mid + 1 }
        }
        return lo
    }
}
