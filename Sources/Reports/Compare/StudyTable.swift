import Diversity
import Foundation
import Support

/// `workbench table DIR…`: one row per study with its headline numbers (`Headline`), the two
/// headline contrasts and its size — the studies side by side, like `dvc exp show`.
///
/// Columns: `study` (the directory as given), `name` (the study's name from `DIR/study.json`,
/// empty without one), `models` (analysed models, benchmark included), `test_eras`, then every
/// headline key any of the studies has (`ensemble`, `best_single`, `benchmark`, then every
/// `arm:A` in first-seen order, then `rho`, `effective_models`; empty where a study lacks it), then for each
/// headline contrast `all − best_single` and `all − benchmark` its mean and verdict (empty for
/// metrics.json files written before contrasts existed).
public struct StudyTable: Sendable {
    public enum Format: String, CaseIterable, Sendable { case markdown, csv, json }

    public struct Study: Sendable {
        public let label: String
        public let name: String
        public let metrics: JSONValue
        public init(label: String, name: String, metrics: JSONValue) {
            self.label = label; self.name = name; self.metrics = metrics
        }
    }

    public let header: [String]
    /// Per study, one value per header column (nil: not available).
    public let rows: [[Cell]]

    public enum Cell: Sendable, Equatable {
        case text(String)
        case number(Double)
    }

    static let contrasts = [("all", "best_single"), ("all", "benchmark")]

    public init(_ studies: [Study]) {
        let headlines = studies.map { Headline($0.metrics) }
        var keys: [String] = []
        for h in headlines { for v in h.values where !keys.contains(v.key) { keys.append(v.key) } }
        keys = Headline.ordered(keys)
        var contrastColumns: [(a: String, b: String)] = []
        for (a, b) in Self.contrasts where studies.contains(where: { Self.contrast($0.metrics, a, b) != nil }) {
            contrastColumns.append((a, b))
        }
        header = ["study", "name", "models", "test_eras"] + keys
            + contrastColumns.flatMap { ["\($0.a) − \($0.b)", "\($0.a) − \($0.b) verdict"] }
        rows = zip(studies, headlines).map { study, h in
            let top = study.metrics.object ?? [:]
            var row: [Cell?] = [.text(study.label), .text(study.name),
                                top["models"]?.array.map { .number(Double($0.count)) },
                                top["split"]?.object?["test_eras"]?.array.map { .number(Double($0.count)) }]
            row += keys.map { key in h.value(key).map { .number($0) } }
            for c in contrastColumns {
                let found = Self.contrast(study.metrics, c.a, c.b)
                row.append(found?["mean"]?.number.map { .number($0) })
                row.append(found?["verdict"]?.string.map { .text($0) })
            }
            return row.map { $0 ?? .text("") }
        }
    }

    static func contrast(_ metrics: JSONValue, _ a: String, _ b: String) -> [String: JSONValue]? {
        metrics.object?["contrasts"]?.array?.lazy.compactMap(\.object)
            .first { $0["a"]?.string == a && $0["b"]?.string == b }
    }

    public func render(_ format: Format) throws -> String {
        switch format {
        case .markdown:
            let body: [[Markdown.Cell]] = rows.map { row in zip(header, row).map { column, cell in
                switch cell {
                case .text(let s): return .text(s)
                case .number(let x): return .numeric(Self.display(x, column: column))
                }
            } }
            return Markdown.table(header: header, rows: body) + "\n"
        case .csv:
            return CSVText.render(header: header, rows: rows.map { $0.map { cell in
                switch cell {
                case .text(let s): return s
                case .number(let x): return ResultTables.number(x)
                }
            } })
        case .json:
            // One object per study, keys = the columns; numbers as numbers, missing as null.
            let objects: [[String: JSONCell]] = rows.map { row in
                var o: [String: JSONCell] = [:]
                for (k, cell) in zip(header, row) {
                    switch cell {
                    case .text(let s): o[k] = s.isEmpty && k != "name" ? .null : .text(s)
                    case .number(let x): o[k] = .number(x)
                    }
                }
                return o
            }
            return String(decoding: try CanonicalJSON.encode(["columns": .columns(header), "studies": .studies(objects)]
                                                             as [String: JSONTop]), as: UTF8.self)
        }
    }

    /// Counts (`models`, `test_eras`) without decimals, every other number with 4.
    static func display(_ x: Double, column: String) -> String {
        guard x.isFinite else { return x.isNaN ? "" : NumberFormat.fixed(x, 0) }
        return column == "models" || column == "test_eras" ? String(Int(x)) : NumberFormat.fixed(x, 4)
    }

    enum JSONCell: Encodable {
        case text(String), number(Double), null
        func encode(to encoder: Encoder) throws {
            var c = encoder.singleValueContainer()
            switch self {
            case .text(let s): try c.encode(s)
            case .number(let x): try c.encode(x)
            case .null: try c.encodeNil()
            }
        }
    }

    enum JSONTop: Encodable {
        case columns([String]), studies([[String: JSONCell]])
        func encode(to encoder: Encoder) throws {
            var c = encoder.singleValueContainer()
            switch self {
            case .columns(let x): try c.encode(x)
            case .studies(let x): try c.encode(x)
            }
        }
    }
}
