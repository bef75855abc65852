import EraData
import EvaluationRules
import Foundation

/// `replicates`: the whole study run once per cell of (data seed × study seed × walk-forward fold).
///
/// ```json
/// "replicates": {"dataSeeds": [0, 1, 2], "studySeeds": [0, 1], "splits": {"walkForward": 3}}
/// ```
/// Every key is optional (at least one is given); a missing axis keeps the study's own value
/// (its `data.synthetic.seed`, its `seed`, the data's own train/validation split). Cells are
/// ordered data seed, then study seed, then fold, and each runs as a study of its own (see
/// `ReplicateCell.spec`) in `DIR/replicates/<label>/`.
public struct Replicates: Equatable, Sendable {
    /// At most this many replicates (cells) per study.
    public static let maxCount = 500

    /// Synthetic data seeds (replace `data.synthetic.seed`); nil keeps the study's data.
    public var dataSeeds: [UInt64]?
    /// Study seeds (replace `seed`); nil keeps the study's seed.
    public var studySeeds: [UInt64]?
    /// Walk-forward folds (expanding window, see `WalkForwardFold`); nil keeps the data's split.
    public var walkForwardFolds: Int?
    /// The study file's directory: relative data paths of the replicates resolve against it.
    public var baseDirectory: String

    /// Number of replicates: |dataSeeds| × |studySeeds| × folds.
    public var count: Int {
        (dataSeeds?.count ?? 1) * (studySeeds?.count ?? 1) * (walkForwardFolds ?? 1)
    }
}

/// One replicate: which data seed, study seed and fold it uses.
public struct ReplicateCell: Equatable, Sendable, Codable {
    /// nil: the study's own data.
    public var dataSeed: UInt64?
    public var studySeed: UInt64
    /// 1-based fold and the fold count; nil without walk-forward splits.
    public var fold: WalkForwardFold?
    /// `data<d>-seed<s>-fold<i>of<n>` (the parts that vary): the subdirectory and the report's row name.
    public var label: String

    enum CodingKeys: String, CodingKey { case dataSeed = "data_seed", studySeed = "study_seed", fold, label }
}

/// Fold `index` (1-based) of `of` expanding-window walk-forward folds.
///
/// The eras that hold train or evaluation-split rows, in time order, e₀ … e_{T−1}, are cut as
/// scikit-learn's `TimeSeriesSplit(n_splits: n, gap: embargoEras)` cuts T samples: windows of
/// W = ⌊T/(n+1)⌋ eras; fold i evaluates on eras [T − (n−i+1)·W, T − (n−i)·W) (the last fold
/// ends at the last era) and trains on every era before that window except the `embargoEras`
/// (`evaluation.embargoEras`) right before it. Inside the window the study's own rule applies:
/// the first round(selectionFraction·(W − embargo)) eras select, the embargo is skipped, the
/// rest test. Rows of other eras and splits (e.g. live) are left out of the fold's dataset.
public struct WalkForwardFold: Equatable, Sendable, Codable {
    public var index: Int
    public var of: Int

    public init(index: Int, of: Int) {
        self.index = index
        self.of = of
    }

    /// Era positions (into the ordered labelled eras) of this fold's training and evaluation eras.
    public func cut(eraCount t: Int, embargoEras: Int) throws -> (train: Range<Int>, evaluation: Range<Int>) {
        let window = t / (of + 1)
        let start = t - (of - index + 1) * window
        let trainEnd = start - embargoEras
        guard window >= 1, trainEnd >= 1 else {
            throw StudiesError.at("$.replicates.splits.walkForward",
                             .tooFewErasForFolds(eras: t, folds: of, embargoEras: embargoEras, fold: index, trainEras: max(0, trainEnd)))
        }
        return (0..<trainEnd, start..<(start + window))
    }

    /// The fold's dataset: rows of its training eras (split train) and of its window (split
    /// `evaluation.split`), with eras renumbered over the kept ones; everything else left out.
    public func apply(to dataset: Dataset, evaluation: Evaluation) throws -> Dataset {
        let train = Set(dataset.eraIndices(in: .train))
        let evaluated = Set(dataset.eraIndices(in: evaluation.split))
        let labelled = (0..<dataset.eras.count).filter { train.contains($0) || evaluated.contains($0) }
        let (trainRange, windowRange) = try cut(eraCount: labelled.count, embargoEras: evaluation.embargoEras)
        // The window must also leave a selection range, the embargo and a test range.
        do {
            _ = try EvaluationSplit(selectionFraction: evaluation.selectionFraction, embargoEras: evaluation.embargoEras)
                .ranges(eraCount: windowRange.count)
        } catch let error as EvaluationRulesError {
            throw StudiesError.at("$.replicates.splits.walkForward",
                             .foldWindowTooShort(folds: of, eras: windowRange.count, reason: error))
        }
        var newSplit: [Int: Split] = [:]
        for p in trainRange { newSplit[labelled[p]] = .train }
        for p in windowRange { newSplit[labelled[p]] = evaluation.split }
        var rows: [Int] = []
        for r in 0..<dataset.rowCount {
            let s = dataset.splitOfRow[r]
            guard s == .train || s == evaluation.split, newSplit[Int(dataset.eraOfRow[r])] != nil else { continue }
            rows.append(r)
        }
        let keptEras = newSplit.keys.sorted()
        var newIndex: [Int: Int32] = [:]
        for (i, e) in keptEras.enumerated() { newIndex[e] = Int32(i) }
        let features = FeatureColumns(rowCount: rows.count, featureCount: dataset.featureCount)
        for f in 0..<dataset.featureCount {
            let source = dataset.features.column(f)
            let base = f * rows.count
            for (i, r) in rows.enumerated() { features.storage[base + i] = source[r] }
        }
        var metadata = dataset.metadata
        metadata["walk_forward_fold"] = "\(index)/\(of)"
        return Dataset(features: features, featureNames: dataset.featureNames, binEdges: dataset.binEdges,
                       binCounts: dataset.binCounts, targetNames: dataset.targetNames,
                       targets: dataset.targets.map { column in rows.map { column[$0] } },
                       eras: keptEras.map { dataset.eras[$0] },
                       eraOfRow: rows.map { newIndex[Int(dataset.eraOfRow[$0])]! },
                       ids: rows.map { dataset.ids[$0] },
                       splitOfRow: rows.map { newSplit[Int(dataset.eraOfRow[$0])]! },
                       trueSignal: dataset.trueSignal.map { signal in rows.map { signal[$0] } },
                       metadata: metadata)
    }
}

extension StudySpec {
    /// The study's dataset: `data` loaded, then cut to the walk-forward fold when the study is one.
    /// Every command that trains or analyses a study loads its data through this.
    public func loadData() throws -> Dataset {
        let dataset = try data.load()
        guard let fold else { return dataset }
        return try fold.apply(to: dataset, evaluation: evaluation)
    }

    /// The replicate cells in order (data seed, study seed, fold), each with its study: this
    /// file without `replicates`, named `<name>-<label>`, with `seed` and `data.synthetic.seed`
    /// replaced and, for walk-forward splits, `"fold": {"index": i, "of": n}` added. A replicate
    /// is a complete study file of its own (its canonical JSON is in its `study.json`).
    public func replicateStudies() throws -> [(cell: ReplicateCell, spec: StudySpec)] {
        guard let replicates else { return [] }
        guard var root = try JSONSerialization.jsonObject(with: Data(canonicalJSON.utf8)) as? [String: Any] else {
            throw StudiesError.at("$", .notAnObject)
        }
        root["replicates"] = nil
        let dataSeeds: [UInt64?] = replicates.dataSeeds.map { seeds in seeds.map { Optional($0) } } ?? [nil]
        let studySeeds = replicates.studySeeds ?? [seed]
        let folds: [WalkForwardFold?] = replicates.walkForwardFolds.map { n in (1...n).map { WalkForwardFold(index: $0, of: n) } } ?? [nil]
        var out: [(ReplicateCell, StudySpec)] = []
        for d in dataSeeds {
            for s in studySeeds {
                for f in folds {
                    var parts: [String] = []
                    if let d { parts.append("data\(d)") }
                    if replicates.studySeeds != nil { parts.append("seed\(s)") }
                    if let f { parts.append("fold\(f.index)of\(f.of)") }
                    let cell = ReplicateCell(dataSeed: d, studySeed: s, fold: f, label: parts.joined(separator: "-"))
                    var json = root
                    json["name"] = "\(name)-\(cell.label)"
                    json["seed"] = NSNumber(value: s)
                    if let d {
                        var data = (json["data"] as? [String: Any]) ?? [:]
                        var synthetic = (data["synthetic"] as? [String: Any]) ?? [:]
                        synthetic["seed"] = NSNumber(value: d)
                        data["synthetic"] = synthetic
                        json["data"] = data
                    }
                    if let f { json["fold"] = ["index": f.index, "of": f.of] }
                    let bytes = try JSONSerialization.data(withJSONObject: json, options: [.sortedKeys])
                    var spec = try StudySpec.parse(bytes, baseDirectory: replicates.baseDirectory)
                    spec.sourcePath = sourcePath
                    out.append((cell, spec))
                }
            }
        }
        return out
    }

    static func parseReplicates(_ node: Node?, data: DataSource, baseDirectory: String) throws -> Replicates? {
        guard let node else { return nil }
        let obj = try node.object()
        try checkKeys(obj, allowed: ["dataSeeds", "studySeeds", "splits"], at: node.path)
        guard !obj.isEmpty else { throw node.fail(.noReplicateAxis) }
        func seeds(_ key: String) throws -> [UInt64]? {
            guard let list = obj[key] else { return nil }
            let items = try list.array()
            guard !items.isEmpty else { throw list.fail(.emptySeeds(key)) }
            var seen = Set<UInt64>(), out: [UInt64] = []
            for item in items {
                let v = try item.integer()
                guard v >= 0 else { throw item.fail(.mustBe("seeds", .atLeast("0"))) }
                guard seen.insert(UInt64(v)).inserted else { throw item.fail(.seedTwice(v)) }
                out.append(UInt64(v))
            }
            return out
        }
        let dataSeeds = try seeds("dataSeeds")
        if dataSeeds != nil, case .files = data {
            throw obj["dataSeeds"]!.fail(.dataSeedsWithFiles)
        }
        var folds: Int? = nil
        if let s = obj["splits"] {
            let splits = try s.object()
            try checkKeys(splits, allowed: ["walkForward"], at: s.path)
            guard let w = splits["walkForward"] else { throw s.fail(.missingFoldCount) }
            let n = try w.integer()
            // One fold would be a single re-split, not a walk forward (scikit-learn also needs ≥ 2).
            guard n >= 2 else { throw w.fail(.tooFewFolds) }
            guard n <= Replicates.maxCount else { throw w.fail(.tooManyFolds(max: Replicates.maxCount)) }
            folds = n
        }
        let replicates = Replicates(dataSeeds: dataSeeds, studySeeds: try seeds("studySeeds"), walkForwardFolds: folds,
                                    baseDirectory: baseDirectory)
        guard replicates.count <= Replicates.maxCount else {
            throw node.fail(.tooManyReplicates(replicates.count, dataSeeds: replicates.dataSeeds?.count ?? 1, studySeeds: replicates.studySeeds?.count ?? 1, folds: folds ?? 1, max: Replicates.maxCount))
        }
        return replicates
    }

    static func parseFold(_ node: Node?) throws -> WalkForwardFold? {
        guard let node else { return nil }
        let obj = try node.object()
        try checkKeys(obj, allowed: ["index", "of"], at: node.path)
        guard let i = obj["index"] else { throw node.fail(.missingKey("index")) }
        guard let n = obj["of"] else { throw node.fail(.missingKey("of")) }
        let fold = WalkForwardFold(index: try i.integer(), of: try n.integer())
        guard fold.of >= 2, fold.of <= Replicates.maxCount else { throw n.fail(.mustBe("of", .from("2", through: "\(Replicates.maxCount)"))) }
        guard fold.index >= 1, fold.index <= fold.of else { throw i.fail(.mustBe("index", .from("1", through: "\(fold.of)"))) }
        return fold
    }
}
