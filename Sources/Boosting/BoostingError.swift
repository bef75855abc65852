import Foundation

/// The one error of the GBDT module. Every text the user reads is composed here, in
/// `description`; throw sites pass the facts (which parameter, row, tree, file and line).
/// Model files and LightGBM text models carry the parser's complaint as `detail` after their
/// location (`model file PATH: …`, `LightGBM model PATH, line N: …`).
public enum BoostingError: Error, CustomStringConvertible, Equatable, Sendable {
    /// Why a parameter value is refused.
    public enum ParameterProblem: Equatable, Sendable {
        case unknown(suggestion: String?)
        case outOfRange(ParameterSpec.Range)
        case notInteger
        case notFinite
        /// An integer parameter beyond `ParameterTable.maxIntegerMagnitude` (no exact `Int` for it).
        case tooLarge
        case duplicate(String)
    }

    // Parameters (`ParameterTable`, `BoostingParameters`).
    case parameter(String, value: Double?, ParameterProblem)

    // Training inputs and numerics (`Trainer.train`).
    case targetIndexOutOfRange(Int, targets: Int)
    case noFeatures
    case featureIndexOutOfRange(Int, features: Int)
    case duplicateFeatures
    case rowIndexOutOfRange(Int32, rows: Int)
    case nonFiniteTarget(String, value: Float, row: Int32, id: String)
    case noTrainingRows(target: String)
    case gradientOverflow(tree: Int)

    // Prediction on raw rows (`Booster.predict(raw:)`, `predict(columns:)`).
    case rowLength(row: Int, values: Int, expected: Int)
    case columnLength(column: Int, values: Int, expected: Int)
    case inputLacksFeatures([String])
    case columnCount(Int, features: Int)
    case columnNameCount(columns: Int, names: Int)

    // A model on another dataset's bins (`Booster.rebinned(for:)`).
    case datasetLacksFeatures([String])
    case nanThreshold(tree: Int, node: Int)
    case zeroAsMissingOnBins(tree: Int, node: Int, feature: String)

    // LightGBM objectives (`ModelObjective(lightGBM:)`).
    case emptyObjective
    case badSigmoid(objective: String, token: String)
    case unsupportedObjective(String, supported: String)

    // Files.
    case modelFile(path: String, detail: String)
    case lightGBMModel(source: String, line: Int?, detail: String)

    public var description: String {
        switch self {
        case let .parameter(name, value, problem):
            let shown = value.map { ParameterSpec.format($0) } ?? ""
            switch problem {
            case .unknown(let suggestion):
                return "unknown parameter '\(name)'" + (suggestion.map { " (did you mean '\($0)'?)" } ?? "")
            case .outOfRange(let range): return "parameter '\(name)' = \(shown) is out of range \(range)"
            case .notInteger: return "parameter '\(name)' = \(shown) must be an integer"
            case .notFinite: return "parameter '\(name)' = \(shown) must be a finite number"
            case .tooLarge:
                return "parameter '\(name)' = \(shown) is too large for an integer parameter (at most 9e15 in magnitude)"
            case .duplicate(let other): return "parameter '\(name)' is given twice (also as '\(other)')"
            }
        case let .targetIndexOutOfRange(target, targets):
            return "target index \(target) is out of range (dataset has \(targets) targets)"
        case .noFeatures: return "no features to train on"
        case let .featureIndexOutOfRange(f, features):
            return "feature index \(f) is out of range (dataset has \(features) features)"
        case .duplicateFeatures: return "feature list has duplicates"
        case let .rowIndexOutOfRange(r, rows): return "row index \(r) is out of range (dataset has \(rows) rows)"
        case let .nonFiniteTarget(target, value, row, id):
            return "target '\(target)' is \(value) at row \(row) (id '\(id)'): targets must be finite"
        case let .noTrainingRows(target): return "no training rows with a known '\(target)' target"
        case let .gradientOverflow(tree):
            return "tree \(tree): a gradient (score − target) overflows float32; "
                + "targets of this magnitude (near ±3.4e38) cannot be trained on"
        case let .rowLength(row, values, expected): return "row \(row) has \(values) values, expected \(expected)"
        case let .columnLength(column, values, expected): return "column \(column) has \(values) values, expected \(expected)"
        case let .inputLacksFeatures(missing):
            return "input lacks \(missing.count) feature(s) the model splits on: " + Self.list(missing)
        case let .columnCount(columns, features): return "input has \(columns) columns, the model has \(features) features"
        case let .columnNameCount(columns, names): return "input has \(columns) columns but \(names) column names"
        case let .datasetLacksFeatures(missing):
            return "the model splits on \(missing.count) feature(s) the dataset lacks: " + Self.list(missing)
        case let .nanThreshold(tree, node): return "tree \(tree) node \(node): threshold is nan"
        case let .zeroAsMissingOnBins(tree, node, feature):
            return "tree \(tree) node \(node): a zero-as-missing split on \(feature) cannot be expressed on bins"
        case .emptyObjective: return "empty objective"
        case let .badSigmoid(objective, token): return "objective '\(objective)': bad sigmoid parameter '\(token)'"
        case let .unsupportedObjective(name, supported):
            return "objective '\(name)' is not supported (its predictions are not a "
                + "transform of one raw score we can apply); supported: \(supported)"
        case let .modelFile(path, detail): return "model file \(path): \(detail)"
        case let .lightGBMModel(source, line, detail):
            if let line { return "LightGBM model \(source), line \(line): \(detail)" }
            return "LightGBM model \(source): \(detail)"
        }
    }

    /// A failure of predicting on given rows or bins (the input does not fit the model).
    public var isPredictionInput: Bool {
        switch self {
        case .rowLength, .columnLength, .inputLacksFeatures, .columnCount, .columnNameCount,
             .datasetLacksFeatures, .nanThreshold, .zeroAsMissingOnBins: return true
        default: return false
        }
    }

    /// The first 20 names, then "…".
    private static func list(_ names: [String]) -> String {
        names.prefix(20).joined(separator: ", ") + (names.count > 20 ? ", …" : "")
    }
}
