import Foundation

/// The one error of the GBDT module. Every text the user reads is composed here, in
/// `description`; throw sites pass the facts (which parameter, row, tree, file and line).
/// Model files and LightGBM text models carry what is wrong as a `ModelProblem` (with a tree's
/// `TreeProblem`); the location is composed once (`model file PATH: …`,
/// `LightGBM model PATH, line N: …`), then the problem's text.
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

    /// What is wrong with a model file or a LightGBM text model.
    public enum ModelProblem: Equatable, Sendable {
        // Either kind.
        case noSuchFile
        case cannotRead(reason: String)
        case cannotWrite(reason: String)
        /// The atomic writer's own sentence (`AtomicFileError.reason`).
        case writeFailed(String)
        /// The objective line does not parse (an objective error of this enum).
        indirect case objective(BoostingError)
        // Our model format (`ModelFile`).
        case badMagic
        case truncated(fileBytes: Int, reading: String)
        case unsupportedVersion(Int, supported: Int)
        case checksumMismatch
        case corruptHeader(reason: String)
        case duplicateParameterName
        case bytesAfterTrees(Int)
        case corruptTree(Int, TreeProblem)
        // LightGBM text models (`Booster.fromLightGBM`).
        case notLightGBMText
        case missingHeaderKey(String)
        case headerNotInteger(key: String, value: String)
        case multiClass(numClass: Int, treesPerIteration: Int)
        case randomForest
        case maxFeatureIndexOutOfRange(Int)
        case featureNameCount(names: Int, features: Int)
        case givenFeatureNameCount(given: Int, features: Int)
        case expectedTree(index: Int, found: String)
        case lineBetweenTrees(String)
        case missingEndOfTrees
        case tree(Int, TreeProblem)
    }

    /// What is wrong with one tree of a model.
    public enum TreeProblem: Equatable, Sendable {
        // Structure (`Tree.structuralProblem`, both formats).
        case leafValueCount(nodes: Int, found: Int)
        case entryCount(field: String, count: Int, nodes: Int)
        case leafCountEntries(Int, leaves: Int)
        case splitFeatureOutside(Int, features: Int)
        case nanThreshold(node: Int)
        case nonFiniteLeaf(Int, value: Double)
        case nodeReferencedTwice(Int)
        case leafReferencedTwice(Int)
        case unreachableNodes
        // A LightGBM tree block's lines.
        case notKeyValue(String)
        case missingKey(String)
        case valueCount(key: String, count: Int, expected: Int)
        case badValue(key: String, value: String)
        case noLeaves
        case categorical(numCat: String)
        case categoricalNode(Int)
        case linear
        case badShrinkage(String)
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
    case modelFile(path: String, ModelProblem)
    case lightGBMModel(source: String, line: Int?, ModelProblem)

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
        case let .modelFile(path, problem): return "model file \(path): " + Self.text(problem)
        case let .lightGBMModel(source, line, problem):
            return "LightGBM model \(source)" + (line.map { ", line \($0)" } ?? "") + ": " + Self.text(problem)
        }
    }

    private static func text(_ problem: ModelProblem) -> String {
        switch problem {
        case .noSuchFile: return "no such file"
        case let .cannotRead(reason): return "cannot read (\(reason))"
        case let .cannotWrite(reason): return "cannot write (\(reason))"
        case let .writeFailed(reason): return reason
        case let .objective(error): return error.description
        case .badMagic: return "not a workbench model file (bad magic bytes)"
        case let .truncated(fileBytes, what): return "truncated or corrupt: file ends (\(fileBytes) bytes) while reading \(what)"
        case let .unsupportedVersion(version, supported):
            return "format version \(version) is not supported (this build reads version \(supported))"
        case .checksumMismatch: return "corrupt or truncated (checksum mismatch)"
        case let .corruptHeader(reason): return "corrupt header (\(reason))"
        case .duplicateParameterName: return "corrupt header (a parameter name appears twice)"
        case let .bytesAfterTrees(count): return "corrupt: \(count) unexpected bytes after the trees"
        case let .corruptTree(t, problem): return "corrupt tree \(t): " + text(problem)
        case .notLightGBMText: return "empty or not a LightGBM text model"
        case let .missingHeaderKey(key): return "header has no `\(key)=` line; not a LightGBM text model?"
        case let .headerNotInteger(key, value): return "`\(key)` is not an integer: \(value)"
        case let .multiClass(numClass, perIteration):
            return "multi-class models are not supported (num_class=\(numClass), num_tree_per_iteration=\(perIteration))"
        case .randomForest: return "random-forest models (average_output) are not supported"
        case let .maxFeatureIndexOutOfRange(index): return "max_feature_idx=\(index) is out of range"
        case let .featureNameCount(names, features): return "feature_names has \(names) names but max_feature_idx says \(features)"
        case let .givenFeatureNameCount(given, features): return "\(given) feature names given for a model with \(features) features"
        case let .expectedTree(index, found): return "expected Tree=\(index), found \(found)"
        case let .lineBetweenTrees(line): return "unexpected line between trees: \(line)"
        case .missingEndOfTrees: return "missing `end of trees` (file truncated?)"
        case let .tree(t, problem): return "tree \(t): " + text(problem)
        }
    }

    private static func text(_ problem: TreeProblem) -> String {
        switch problem {
        case let .leafValueCount(nodes, found): return "\(nodes) internal nodes need \(nodes + 1) leaf values, found \(found)"
        case let .entryCount(field, count, nodes): return "\(field) has \(count) entries for \(nodes) internal nodes"
        case let .leafCountEntries(count, leaves): return "leaf_count has \(count) entries for \(leaves) leaves"
        case let .splitFeatureOutside(feature, features): return "split feature \(feature) is outside 0..<\(features)"
        case let .nanThreshold(node): return "node \(node) has threshold nan (a split needs a number)"
        case let .nonFiniteLeaf(leaf, value): return "leaf \(leaf) has value \(value), not a finite number"
        case let .nodeReferencedTwice(node): return "node \(node) is referenced twice or out of range"
        case let .leafReferencedTwice(leaf): return "leaf \(leaf) is referenced twice or out of range"
        case .unreachableNodes: return "nodes are not all reachable from the root"
        case let .notKeyValue(line): return "expected key=value, found \(line)"
        case let .missingKey(key): return "no `\(key)=` line"
        case let .valueCount(key, count, expected): return "`\(key)` has \(count) values, expected \(expected)"
        case let .badValue(key, value): return "bad \(key) value `\(value)`"
        case .noLeaves: return "num_leaves must be at least 1"
        case let .categorical(numCat): return "categorical splits are not supported (num_cat=\(numCat))"
        case let .categoricalNode(node): return "categorical splits are not supported (node \(node))"
        case .linear: return "linear trees are not supported"
        case let .badShrinkage(value): return "bad shrinkage `\(value)`"
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
