import Foundation
import Support

/// The one error of the EraData module: what went wrong (`reason`, whose associated values are the
/// numbers, names and limits of the message) and where (`place`: file, HDF5 dataset, CSV line and
/// column, parquet column and row). Every text a user reads is written here, once: the reason's
/// `text` and the place's `description`; `description` joins them as `PLACE: TEXT`.
public struct EraDataError: Error, CustomStringConvertible, Equatable, Sendable {
    /// The coarse class of a failure; only `inputs` changes how it is reported (a usage mistake: exit 2).
    public enum Kind: String, Sendable, Equatable {
        /// Inputs that do not go together (a usage mistake rather than bad data: exit 2).
        case inputs
        // Reading CSV and Numerai parquet files.
        case unreadable, empty, malformed, missingColumn, noFeatureColumns, noTargetColumns
        case schemaMismatch, unknownSplit, noSplit, duplicateId
        case noFiles, featuresJSON, unknownFeatureSet, badValue
        /// A dataset file's content (not an HDF5 library failure).
        case datasetFile
        /// Writing a Numerai-layout directory.
        case write
        /// A synthetic generator config that cannot generate.
        case syntheticConfig
    }

    /// Where a failure is: composed the same way for every reader.
    /// - text (CSV) files: `FILE:LINE:COLUMN (NAME)` (line and column 1-based);
    /// - columnar (parquet) files: `FILE, column 'NAME', row ROW (id 'ID')` (row 1-based);
    /// - HDF5 files: `FILE:/DATASET`.
    public struct Place: Equatable, Sendable, CustomStringConvertible {
        public var file: String?
        /// An HDF5 dataset's path inside `file` (`/bin_edges`).
        public var dataset: String?
        /// A text file's line and column (1-based).
        public var line: Int?
        public var column: Int?
        /// The column's name (CSV: with `column`; parquet: alone).
        public var field: String?
        /// A columnar file's row (1-based) and that row's id.
        public var row: Int?
        public var id: String?

        public init(file: String? = nil, dataset: String? = nil, line: Int? = nil, column: Int? = nil,
                    field: String? = nil, row: Int? = nil, id: String? = nil) {
            self.file = file; self.dataset = dataset; self.line = line; self.column = column
            self.field = field; self.row = row; self.id = id
        }

        public var isEmpty: Bool { description.isEmpty }

        public var description: String {
            var place = file ?? ""
            if let dataset { place += ":" + dataset }
            if let line {
                place += ":\(line)"
                if let column { place += ":\(column)" }
                if let field { place += " (\(field))" }
                return place
            }
            var parts = place.isEmpty ? [] : [place]
            if let field { parts.append("column '\(field)'") }
            if let row { parts.append("row \(row)" + (id.map { " (id '\($0)')" } ?? "")) }
            return parts.joined(separator: ", ")
        }
    }

    /// What went wrong; `text` words it.
    public enum Reason: Equatable, Sendable {
        // Inputs that do not fit together.
        case noData
        case directoryNotAlone(String)
        case datasetFileNotAlone(String)
        case mixedInputs(others: [String])
        case featureSetNeedsParquet

        // Reading files (CSV, parquet, features.json).
        case unreadable(exists: Bool)
        case emptyFile
        case noDataRows
        case noRows
        case noParquetFiles
        case noNumeraiFiles
        case duplicateColumn(String)
        case missingColumns([String])
        case noIdColumn
        case noFeatureColumns
        case noTargetColumns
        /// This file's feature (and target, unless `featuresOnly`) columns are not those of `reference`.
        case columnsDiffer(reference: String, missing: [String], extra: [String], featuresOnly: Bool)
        case missingFeatureColumns(set: String, [String])
        case missingTargetColumns([String])
        case fieldCount(expected: Int, found: Int)
        case tooManyFields(expected: Int)
        case strayCarriageReturn
        case unterminatedQuote
        case textAfterQuote
        /// A feature value that is not a finite number (`nil`: an empty field).
        case notAFiniteNumber(String?)
        case targetNotANumber(String)
        /// A CSV target beyond float32's range (its text as given).
        case targetBeyondFloat32(String)
        /// A parquet target that is ±infinity.
        case targetInfinite(Float)
        case emptyId
        case emptyEra
        case nullValue
        case unknownSplit(String)
        case noSplit
        case duplicateId(String, first: Place, second: Place)
        case notAJSONObject
        case noFeatureSets
        case featureSetNotAList(String)
        case featureSetNeedsJSON(set: String, expectedAt: String)
        case unknownFeatureSet(String, known: [String])

        // Our HDF5 dataset file.
        /// libhdf5 could not open the file (its message names the file).
        case cannotOpen(String)
        case notADatasetFile(format: String)
        case formatVersion(found: Int32, supported: Int32)
        /// `kind` is `feature` or `target`.
        case noColumnNamed(kind: String, String)
        case rowArraysDiffer
        case unknownSplitCode(row: Int, code: UInt8)
        case eraOutOfRange(row: Int, era: Int32, eras: Int)
        case erasOutOfOrder(row: Int, era: Int32, previous: Int32)
        /// A dataset's shape; `nil` in `expected` is any length.
        case shape(found: [Int], expected: [Int?])
        case valueCount(Int, shape: [Int])
        case binCountCount(Int, features: Int)
        case binCountOutOfRange(feature: String, count: Int32)
        case binAtOrAboveCount(feature: String, bin: UInt8, row: Int, count: Int)
        case binEdges(feature: String, expected: Int32, found: Int, increasing: Bool)
        case featureGroupsDisagree

        // Writing Numerai's layout.
        case groupClashesWithSet(String)
        case groupNamesUnknownFeature(group: String, feature: String)
        case rowGroupRows(Int)
        case featureName(String)
        case targetName(String)
        case tooManyBins(feature: String, bins: Int)
        case noParentDirectory(String)
        case alreadyExists
        case cannotPublish(String)
        /// A failure of a lower layer while writing `part` (a file of the directory; nil: the directory).
        case writeFailed(part: String?, String)

        // Synthetic generator settings.
        /// A numeric setting outside its bounds (`got`: the value given).
        case setting(SyntheticConfig.Setting, mustBe: Bounds, got: Double)
        /// A list setting with a value outside its bounds.
        case settingList(SyntheticConfig.Setting, mustBe: Bounds)
        case tooLarge(eras: Int, rowsPerEra: Int, features: Int, targets: Int, latents: Int)
        case noTrainEra(eras: Int, validation: Int, live: Bool)
        case universeTooLarge(rowsPerEra: Int, universeFactor: Double)
        /// Generating the dataset needs more than 85 % of the machine's memory (bytes).
        case generationTooLarge(needed: Int, available: Int)

        public var kind: Kind {
            switch self {
            case .noData, .directoryNotAlone, .datasetFileNotAlone, .mixedInputs, .featureSetNeedsParquet: return .inputs
            case .unreadable: return .unreadable
            case .emptyFile, .noDataRows: return .empty
            case .noRows, .noParquetFiles, .noNumeraiFiles: return .noFiles
            case .duplicateColumn, .fieldCount, .tooManyFields, .strayCarriageReturn, .unterminatedQuote, .textAfterQuote,
                 .notAFiniteNumber, .targetNotANumber, .targetBeyondFloat32, .emptyId, .emptyEra: return .malformed
            case .missingColumns, .noIdColumn, .missingFeatureColumns, .missingTargetColumns: return .missingColumn
            case .noFeatureColumns: return .noFeatureColumns
            case .noTargetColumns: return .noTargetColumns
            case .columnsDiffer: return .schemaMismatch
            case .targetInfinite, .nullValue: return .badValue
            case .unknownSplit: return .unknownSplit
            case .noSplit: return .noSplit
            case .duplicateId: return .duplicateId
            case .notAJSONObject, .noFeatureSets, .featureSetNotAList, .featureSetNeedsJSON: return .featuresJSON
            case .unknownFeatureSet: return .unknownFeatureSet
            case .cannotOpen, .notADatasetFile, .formatVersion, .noColumnNamed, .rowArraysDiffer, .unknownSplitCode,
                 .eraOutOfRange, .erasOutOfOrder, .shape, .valueCount, .binCountCount, .binCountOutOfRange,
                 .binAtOrAboveCount, .binEdges, .featureGroupsDisagree: return .datasetFile
            case .groupClashesWithSet, .groupNamesUnknownFeature, .rowGroupRows, .featureName, .targetName, .tooManyBins,
                 .noParentDirectory, .alreadyExists, .cannotPublish, .writeFailed: return .write
            case .setting, .settingList, .tooLarge, .noTrainEra, .universeTooLarge, .generationTooLarge: return .syntheticConfig
            }
        }

        /// The message, without its place; synthetic settings by their keys (`rowsPerEra`).
        public var text: String { text(naming: \.key) }

        /// The message, without its place, with each synthetic setting it mentions named by `name`
        /// (the CLI passes one that names a setting the user gave as a flag by that flag).
        public func text(naming name: (SyntheticConfig.Setting) -> String) -> String {
            let splits = "train, validation, live or test"
            switch self {
            case .noData: return "no data given"
            case let .directoryNotAlone(directory): return "a directory (\(directory)) must be the only input"
            case let .datasetFileNotAlone(file): return "our HDF5 dataset (\(file)) must be the only input"
            case let .mixedInputs(others):
                return "mix of parquet and other inputs (\(others.joined(separator: ", "))): give one kind"
            case .featureSetNeedsParquet: return "a feature set (features.json) applies to Numerai parquet inputs only"

            case let .unreadable(exists): return exists ? "cannot read file" : "no such file"
            case .emptyFile: return "empty file (no header)"
            case .noDataRows: return "no data rows"
            case .noRows: return "no rows (valid parquet, but empty)"
            case .noParquetFiles: return "no parquet files given"
            case .noNumeraiFiles: return "no train.parquet, validation.parquet or live.parquet"
            case let .duplicateColumn(name): return "column '\(name)' appears twice"
            case let .missingColumns(names): return "missing \(Self.plural("column", names)) " + Self.list(names)
            case .noIdColumn: return "no 'id' column (nor a pandas index column)"
            case .noFeatureColumns: return "no feature columns (names starting with 'feature_')"
            case .noTargetColumns: return "no target columns (names starting with 'target')"
            case let .columnsDiffer(reference, missing, extra, featuresOnly):
                var parts: [String] = []
                if !missing.isEmpty { parts.append("missing " + Self.list(missing)) }
                if !extra.isEmpty { parts.append("extra " + Self.list(extra)) }
                return (featuresOnly ? "feature columns" : "columns") + " differ from \(reference): "
                    + parts.joined(separator: "; ")
            case let .missingFeatureColumns(set, names):
                return "missing \(Self.plural("feature column", names)) of set '\(set)': " + Self.list(names)
            case let .missingTargetColumns(names): return "missing \(Self.plural("target column", names)) " + Self.list(names)
            case let .fieldCount(expected, found): return "expected \(expected) fields, found \(found)"
            case let .tooManyFields(expected): return "more than \(expected) fields"
            case .strayCarriageReturn: return "stray carriage return"
            case .unterminatedQuote: return "unterminated quoted field"
            case .textAfterQuote: return "text after closing quote"
            case let .notAFiniteNumber(found): return "expected a finite number, found " + (found.map { "'\($0)'" } ?? "an empty field")
            case let .targetNotANumber(found): return "expected a number or an empty field, found '\(found)'"
            case let .targetBeyondFloat32(found):
                return "target '\(found)' is not a finite float32 (|x| ≤ 3.4e38); leave it empty for a missing target"
            case let .targetInfinite(value): return "target \(value) is not finite (leave it null for a missing target)"
            case .emptyId: return "empty id"
            case .emptyEra: return "empty era"
            case .nullValue: return "null value (every row needs an id, an era and, when the column exists, a data_type)"
            case let .unknownSplit(value): return "unknown data_type '\(value)' (expected \(splits))"
            case .noSplit:
                return "no data_type column and the file name contains none of train, validation, live, test"
            case let .duplicateId(id, first, second): return "duplicate id '\(id)' at \(first) and \(second)"
            case .notAJSONObject: return "not a JSON object"
            case .noFeatureSets: return "no 'feature_sets' object"
            case let .featureSetNotAList(name): return "feature_sets.\(name) is not a list of column names"
            case let .featureSetNeedsJSON(set, path):
                return "feature set '\(set)' needs features.json, but there is none at \(path)"
            case let .unknownFeatureSet(name, known):
                let hint = closest(to: name, in: known).map { " (did you mean '\($0)'?)" } ?? ""
                return "no feature set '\(name)'\(hint); known: \(known.joined(separator: ", "))"

            case let .cannotOpen(message): return message
            case let .notADatasetFile(format): return "not a workbench dataset file (no format = \"\(format)\" attribute)"
            case let .formatVersion(found, supported):
                return "dataset format version \(found); this workbench reads version \(supported)"
            case let .noColumnNamed(kind, name): return "no \(kind) named '\(name)'"
            case .rowArraysDiffer: return "ids, era_of_row and split_of_row differ in length"
            case let .unknownSplitCode(row, code):
                return "row \(row) has split code \(code); the codes are 0…\(Split.allCases.count - 1) (\(splits))"
            case let .eraOutOfRange(row, era, eras): return "row \(row) has era \(era), out of range (\(eras) eras)"
            case let .erasOutOfOrder(row, era, previous):
                return "row \(row) has era \(era) after era \(previous): rows must be sorted by era"
            case let .shape(found, expected):
                return "has shape \(found), expected [" + expected.map { $0.map(String.init) ?? "any" }.joined(separator: ", ") + "]"
            case let .valueCount(count, shape): return "holds \(count) values for shape \(shape)"
            case let .binCountCount(count, features): return "has \(count) entries for \(features) features"
            case let .binCountOutOfRange(feature, count):
                return "feature '\(feature)' has bin count \(count); bins are 0…255, so a count must be in 1…256"
            case let .binAtOrAboveCount(feature, bin, row, count):
                return "feature '\(feature)' has bin \(bin) at row \(row) but /bin_counts says \(count) bins"
            case let .binEdges(feature, expected, found, increasing):
                return "feature '\(feature)' must have \(expected) increasing edges (its bin count), found \(found)"
                    + (found == Int(expected) && !increasing ? " not increasing" : "")
            case .featureGroupsDisagree:
                return "/feature_group_names, /feature_group_sizes and /feature_group_members disagree"

            case let .groupClashesWithSet(name): return "feature group '\(name)' clashes with the feature set of that name"
            case let .groupNamesUnknownFeature(group, feature):
                return "feature group '\(group)' names '\(feature)', which is not a feature of the dataset"
            case let .rowGroupRows(rows): return "row group rows must be at least 1 (got \(rows))"
            case let .featureName(name): return "feature '\(name)' does not start with 'feature_' (Numerai's files name features so)"
            case let .targetName(name): return "target '\(name)' does not start with 'target' (Numerai's files name targets so)"
            case let .tooManyBins(feature, bins): return "feature '\(feature)' has \(bins) bins; Numerai's features are the bins 0…4"
            case let .noParentDirectory(parent): return "the parent directory \(parent) does not exist"
            case .alreadyExists: return "already exists; choose a new directory (nothing is overwritten)"
            case let .cannotPublish(reason): return "cannot publish the written files: \(reason)"
            case let .writeFailed(part, message): return (part.map { "\($0): " } ?? "") + message

            case let .setting(setting, bounds, got): return "\(name(setting)) must be \(bounds) (got \(Bounds.format(got)))"
            case let .settingList(setting, bounds): return "\(name(setting)) must be one or more numbers \(bounds)"
            case let .tooLarge(eras, rowsPerEra, features, targets, latents):
                return "\(name(.eras)) × \(name(.rowsPerEra)) × (\(name(.features)) + \(name(.targets))) = "
                    + "\(eras) × \(rowsPerEra) × (\(features) + \(targets)) "
                    + "is too large (at most 2^31 rows and 2^33 values), or \(name(.latents)) (\(latents)) is"
            case let .noTrainEra(eras, validation, live):
                return "\(name(.eras)) = \(eras) leaves no train era (validation \(validation)\(live ? " + live 1" : ""))"
            case let .universeTooLarge(rowsPerEra, universeFactor):
                return "\(name(.universeFactor)) × \(name(.rowsPerEra)) = \(Bounds.format(universeFactor)) × \(rowsPerEra) is too large "
                    + "(at most 2^31 − 1 rows per era's universe)"
            case let .generationTooLarge(needed, available):
                return String(format: "generating this dataset needs about %.1f GB of memory but this machine has %.1f GB; "
                              + "use fewer eras, rows per era, features or latents",
                              Double(needed) / 1e9, Double(available) / 1e9)
            }
        }

        /// `'a', 'b', 'c'`, at most 8 names shown.
        static func list(_ names: [String]) -> String {
            let shown = names.prefix(8).map { "'\($0)'" }.joined(separator: ", ")
            return names.count > 8 ? "\(shown) and \(names.count - 8) more" : shown
        }

        static func plural(_ noun: String, _ names: [String]) -> String { names.count > 1 ? noun + "s" : noun }
    }

    /// The allowed values of a numeric setting: `lower`…`upper`, each end open or closed
    /// (`upper` infinite: no upper limit); values must be finite.
    public struct Bounds: Equatable, Sendable, CustomStringConvertible {
        public let lower: Double, upper: Double
        public let lowerOpen: Bool, upperOpen: Bool

        public static func atLeast(_ x: Double) -> Bounds { Bounds(lower: x, upper: .infinity, lowerOpen: false, upperOpen: true) }
        public static func above(_ x: Double) -> Bounds { Bounds(lower: x, upper: .infinity, lowerOpen: true, upperOpen: true) }
        /// `[a, b]`
        public static func closed(_ a: Double, _ b: Double) -> Bounds { Bounds(lower: a, upper: b, lowerOpen: false, upperOpen: false) }
        /// `[a, b)`
        public static func upperOpen(_ a: Double, _ b: Double) -> Bounds { Bounds(lower: a, upper: b, lowerOpen: false, upperOpen: true) }
        /// `(a, b]`
        public static func lowerOpen(_ a: Double, _ b: Double) -> Bounds { Bounds(lower: a, upper: b, lowerOpen: true, upperOpen: false) }
        /// `(a, b)`
        public static func open(_ a: Double, _ b: Double) -> Bounds { Bounds(lower: a, upper: b, lowerOpen: true, upperOpen: true) }

        /// Whether `x` lies within (NaN and infinities never do).
        public func contains(_ x: Double) -> Bool {
            x.isFinite && (lowerOpen ? x > lower : x >= lower) && (upperOpen ? x < upper : x <= upper)
        }

        /// `≥ 0`, `> 0`, `in [0, 1)`.
        public var description: String {
            if upper == .infinity { return (lowerOpen ? "> " : "≥ ") + Self.format(lower) }
            return "in " + (lowerOpen ? "(" : "[") + Self.format(lower) + ", " + Self.format(upper) + (upperOpen ? ")" : "]")
        }

        /// Whole numbers without a fraction (`5`, not `5.0`); others as Swift prints them (`nan`, `1.5`).
        static func format(_ x: Double) -> String {
            x.isFinite && x == x.rounded() && abs(x) < 1e15 ? String(Int(x)) : "\(x)"
        }
    }

    public let reason: Reason
    public let place: Place
    public var kind: Kind { reason.kind }
    /// The message without its place.
    public var detail: String { reason.text }

    /// `description` with each synthetic setting named by `name` (see `Reason.text(naming:)`).
    public func description(naming name: (SyntheticConfig.Setting) -> String) -> String {
        place.isEmpty ? reason.text(naming: name) : "\(place): \(reason.text(naming: name))"
    }

    public init(_ reason: Reason, at place: Place = Place()) {
        self.reason = reason; self.place = place
    }

    public init(_ reason: Reason, file: String?, dataset: String? = nil, line: Int? = nil, column: Int? = nil,
                field: String? = nil, row: Int? = nil, id: String? = nil) {
        self.init(reason, at: Place(file: file, dataset: dataset, line: line, column: column, field: field, row: row, id: id))
    }

    public var description: String { description(naming: \.key) }
}
