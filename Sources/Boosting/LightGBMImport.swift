import Foundation
import EraData
import Support

/// A LightGBM text model that cannot be imported; the message names the line (and file).

extension Booster {
    /// Parses a LightGBM (v3/v4) text model with numerical splits into a booster.
    ///
    /// - `featureNames` replaces the model's names (same count), e.g. when it was trained on a
    ///   bare matrix (`Column_0`, …).
    /// - Missing-value handling (`decision_type` default-left and missing-type bits) is kept in
    ///   `Tree.decisionType` and honoured by raw prediction. Categorical splits, linear trees,
    ///   multi-class models and random-forest averaging are rejected with a clear error.
    /// - Predictions are what LightGBM's `predict` returns: the raw score through the objective's
    ///   transform (`ModelObjective`: sigmoid for `binary`, exp for `poisson`/`gamma`/`tweedie`);
    ///   objectives without such a transform (ranking, custom) are refused, naming them.
    /// - Lines may end in LF or CRLF. NaN thresholds and non-finite leaf values are refused.
    /// - `thresholdBin` assumes integer-valued features (bin = value, as Numerai's 0..4): the
    ///   largest integer b with b ≤ threshold, clamped to 0…255. Before predicting on a dataset's
    ///   bins call `rebinned(for:)`, which derives it from that dataset's binning.
    /// - The `parameters:` section's entries that mean something here become `parameters`, under
    ///   our names (`num_iterations` → `n_estimators`, `lambda_l2` → `reg_lambda`, …).
    public static func fromLightGBM(text: String, featureNames: [String]? = nil,
                                    source: String = "<text>") throws -> Booster {
        var parser = LightGBMTextParser(text: text, source: source)
        return try parser.parse(featureNames: featureNames)
    }

    /// Reads a LightGBM text model file (see `fromLightGBM(text:featureNames:source:)`).
    public static func fromLightGBM(file path: String, featureNames: [String]? = nil) throws -> Booster {
        let text: String
        do { text = try String(contentsOfFile: path, encoding: .utf8) } catch {
            throw BoostingError.lightGBMModel(source: path, line: nil, .cannotRead(reason: error.localizedDescription))
        }
        return try fromLightGBM(text: text, featureNames: featureNames, source: path)
    }
}

private struct LightGBMTextParser {
    let lines: [Substring]
    let source: String
    var index = 0

    init(text: String, source: String) {
        self.source = source
        // "\r\n" is one Character in Swift, so split on the bytes' newline, then drop a CR.
        let cr = UInt8(ascii: "\r")
        lines = text.utf8.split(separator: UInt8(ascii: "\n"), omittingEmptySubsequences: false).map { bytes in
            Substring(bytes.last == cr ? bytes.dropLast() : bytes)
        }
    }

    func error(_ problem: BoostingError.ModelProblem, line: Int? = nil) -> BoostingError {
        .lightGBMModel(source: source, line: line, problem)
    }

    /// `key=value` of a line (value may be empty), nil when the line has no `=`.
    static func keyValue(_ line: Substring) -> (Substring, Substring)? {
        guard let eq = line.firstIndex(of: "=") else { return nil }
        return (line[..<eq], line[line.index(after: eq)...])
    }

    mutating func parse(featureNames overrideNames: [String]?) throws -> Booster {
        // Header: key=value lines until the first tree.
        var header: [Substring: (value: Substring, line: Int)] = [:]
        while index < lines.count, !lines[index].hasPrefix("Tree="), lines[index] != "end of trees" {
            if let (k, v) = Self.keyValue(lines[index]) { header[k] = (v, index + 1) }
            index += 1
        }
        guard !header.isEmpty || index < lines.count else { throw error(.notLightGBMText) }
        func headerInt(_ key: Substring) throws -> Int {
            guard let entry = header[key] else { throw error(.missingHeaderKey(String(key))) }
            guard let v = Int(entry.value.trimmingCharacters(in: .whitespaces)) else {
                throw error(.headerNotInteger(key: String(key), value: String(entry.value)), line: entry.line)
            }
            return v
        }
        let numClass = try headerInt("num_class"), perIteration = try headerInt("num_tree_per_iteration")
        guard numClass == 1, perIteration == 1 else {
            throw error(.multiClass(numClass: numClass, treesPerIteration: perIteration))
        }
        if header["average_output"] != nil {
            throw error(.randomForest)
        }
        let maxFeatureIndex = try headerInt("max_feature_idx")
        // Without names every feature gets one ("Column_i"): bound what a damaged header can ask for.
        let namedCount = header["feature_names"].map { $0.value.split(separator: " ").count }
        let limit = namedCount == nil && overrideNames == nil ? 1_000_000 : Int.max - 1
        guard maxFeatureIndex >= 0, maxFeatureIndex < limit else {
            throw error(.maxFeatureIndexOutOfRange(maxFeatureIndex), line: header["max_feature_idx"]?.line)
        }
        let featureCount = maxFeatureIndex + 1
        var objective: ModelObjective?
        if let entry = header["objective"] {
            do { objective = try ModelObjective(lightGBM: String(entry.value)) } catch let e as BoostingError {
                throw error(.objective(e), line: entry.line)
            }
            if objective?.transform == .identity { objective = nil }
        }
        var names = header["feature_names"].map { $0.value.split(separator: " ").map(String.init) }
            ?? (0..<featureCount).map { "Column_\($0)" }
        guard names.count == featureCount else {
            throw error(.featureNameCount(names: names.count, features: featureCount), line: header["feature_names"]?.line)
        }
        if let overrideNames {
            guard overrideNames.count == featureCount else {
                throw error(.givenFeatureNameCount(given: overrideNames.count, features: featureCount))
            }
            names = overrideNames
        }

        var trees: [Tree] = []
        while index < lines.count, lines[index] != "end of trees" {
            let line = lines[index]
            if line.hasPrefix("Tree=") {
                guard Int(line.dropFirst(5)) == trees.count else {
                    throw error(.expectedTree(index: trees.count, found: String(line)), line: index + 1)
                }
                index += 1
                trees.append(try parseTree(number: trees.count, featureCount: featureCount))
            } else if line.isEmpty {
                index += 1
            } else {
                throw error(.lineBetweenTrees(String(line.prefix(60))), line: index + 1)
            }
        }
        guard index < lines.count else { throw error(.missingEndOfTrees) }
        index += 1

        var parameters: [String: Double] = [:]
        while index < lines.count, lines[index] != "parameters:" { index += 1 }
        index += 1
        while index < lines.count, lines[index] != "end of parameters" {
            let line = lines[index]
            if line.hasPrefix("["), line.hasSuffix("]"), let colon = line.firstIndex(of: ":") {
                let name = String(line[line.index(after: line.startIndex)..<colon])
                let value = line[line.index(after: colon)..<line.index(before: line.endIndex)]
                if let ours = ParameterTable.spec(lightGBMName: name)?.name,
                   let v = Double(value.trimmingCharacters(in: .whitespaces)) { parameters[ours] = v }
            }
            index += 1
        }
        return Booster(trees: trees, featureNames: names, parameters: parameters, objective: objective)
    }

    mutating func parseTree(number t: Int, featureCount: Int) throws -> Tree {
        func error(_ problem: BoostingError.TreeProblem, line: Int?) -> BoostingError { self.error(.tree(t, problem), line: line) }
        var fields: [Substring: (value: Substring, line: Int)] = [:]
        let firstLine = index + 1
        while index < lines.count, !lines[index].isEmpty, !lines[index].hasPrefix("Tree="),
              lines[index] != "end of trees" {
            guard let (k, v) = Self.keyValue(lines[index]) else {
                throw error(.notKeyValue(String(lines[index].prefix(60))), line: index + 1)
            }
            fields[k] = (v, index + 1)
            index += 1
        }
        func raw(_ key: Substring) throws -> (value: Substring, line: Int) {
            guard let entry = fields[key] else { throw error(.missingKey(String(key)), line: firstLine) }
            return entry
        }
        func array<T>(_ key: Substring, count: Int, optional: Bool = false,
                      _ convert: (Substring) -> T?) throws -> [T] {
            if optional && fields[key] == nil { return [] }
            let (value, line) = try raw(key)
            let items = value.split(separator: " ")
            guard items.count == count else {
                throw error(.valueCount(key: String(key), count: items.count, expected: count), line: line)
            }
            return try items.map { item in
                guard let v = convert(item) else { throw error(.badValue(key: String(key), value: String(item)), line: line) }
                return v
            }
        }
        let leaves = try array("num_leaves", count: 1) { Int($0) }[0]
        guard leaves >= 1 else { throw error(.noLeaves, line: fields["num_leaves"]?.line) }
        if let numCat = fields["num_cat"], Int(numCat.value) != 0 {
            throw error(.categorical(numCat: String(numCat.value)), line: numCat.line)
        }
        if let linear = fields["is_linear"], linear.value != "0" {
            throw error(.linear, line: linear.line)
        }
        let n = leaves - 1
        let parseDouble: (Substring) -> Double? = { LightGBMTextParser.double($0) }
        var tree = Tree(leafValue: try array("leaf_value", count: leaves, parseDouble))
        if let bad = tree.leafValue.firstIndex(where: { !$0.isFinite }) {
            throw error(.nonFiniteLeaf(bad, value: tree.leafValue[bad]), line: fields["leaf_value"]?.line)
        }
        if let shrinkage = fields["shrinkage"] {
            guard let s = parseDouble(shrinkage.value) else {
                throw error(.badShrinkage(String(shrinkage.value)), line: shrinkage.line)
            }
            tree.shrinkage = s
        }
        tree.leafCount = try array("leaf_count", count: leaves, optional: true) { Int32($0) }
        guard n > 0 else { return tree }
        tree.splitFeature = try array("split_feature", count: n) { Int32($0) }
        if let bad = tree.splitFeature.first(where: { $0 < 0 || Int($0) >= featureCount }) {
            throw error(.splitFeatureOutside(Int(bad), features: featureCount), line: fields["split_feature"]?.line)
        }
        tree.threshold = try array("threshold", count: n, parseDouble)
        if let bad = tree.threshold.firstIndex(where: \.isNaN) {
            throw error(.nanThreshold(node: bad), line: fields["threshold"]?.line)
        }
        tree.decisionType = try array("decision_type", count: n) { UInt8($0) }
        if let node = tree.decisionType.firstIndex(where: { $0 & 1 != 0 }) {
            throw error(.categoricalNode(node), line: fields["decision_type"]?.line)
        }
        tree.leftChild = try array("left_child", count: n) { Int32($0) }
        tree.rightChild = try array("right_child", count: n) { Int32($0) }
        tree.splitGain = try array("split_gain", count: n, optional: true) { parseDouble($0).map(Float.init) }
        tree.internalValue = try array("internal_value", count: n, optional: true, parseDouble)
        tree.internalCount = try array("internal_count", count: n, optional: true) { Int32($0) }
        tree.thresholdBin = tree.threshold.map(Booster.integerBin(atOrBelow:))
        if let problem = tree.structuralProblem(featureCount: featureCount) {
            throw error(problem, line: firstLine)
        }
        return tree
    }

    /// LightGBM writes `inf`/`nan` spellings in some versions; Swift's parser reads both.
    static func double(_ s: Substring) -> Double? {
        if let v = Double(s) { return v }
        switch s.lowercased() {
        case "inf", "+inf", "infinity": return .infinity
        case "-inf", "-infinity": return -.infinity
        case "nan", "-nan": return .nan
        default: return nil
        }
    }
}
