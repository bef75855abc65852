import Diversity
import EraData
import Foundation
import Support

/// The study's results as plain tables for pandas, R or a spreadsheet: `DIR/models.csv` (one row
/// per model) and `DIR/per_era.csv` (one row per model and evaluation era), written beside
/// `metrics.json` whenever it is written. Same stored predictions → same bytes, except the
/// `train_seconds` column (wall-clock time, the last column of models.csv).
///
/// Numbers are written in the shortest form that reads back to the same double (integral values
/// without a fraction); NaN (undefined: no benchmark, a constant era) is an empty cell, which
/// pandas reads as NaN. Column meanings: Sources/Reports/README.md ("Results as data").
public enum ResultTables {
    public static let modelsFile = "models.csv"
    public static let perEraFile = "per_era.csv"

    /// Which part of the evaluation eras an era belongs to: the selection range (ensembles are
    /// chosen there), the embargo between the ranges, or the test range (out of sample).
    public static func part(era: String, split: SplitMetrics) -> String {
        if split.selectionEras.contains(era) { return "selection" }
        if split.testEras.contains(era) { return "test" }
        return "embargo"
    }

    /// Writes both files atomically. `models` describe how each model was made (from the store);
    /// models without a description (none in a study) get empty cells there.
    public static func write(analysis: StudyAnalysisResult, models: [ModelSummary], to directory: URL) throws {
        let (modelsCSV, perEraCSV) = render(analysis: analysis, models: models)
        try writeAtomically(modelsCSV, to: directory.appendingPathComponent(modelsFile).path)
        try writeAtomically(perEraCSV, to: directory.appendingPathComponent(perEraFile).path)
    }

    /// models.csv and per_era.csv as text.
    public static func render(analysis: StudyAnalysisResult, models: [ModelSummary]) -> (models: String, perEra: String) {
        let metrics = analysis.metrics
        let made = Dictionary(models.map { ($0.id, $0) }, uniquingKeysWith: { a, _ in a })
        let eras = analysis.eraNames
        let parts = eras.map { part(era: $0, split: metrics.split) }
        let selection = parts.indices.filter { parts[$0] == "selection" }
        let test = parts.indices.filter { parts[$0] == "test" }
        let parameters = Set(models.flatMap { $0.params.keys }).union(metrics.models.flatMap { $0.params.keys }).sorted()

        var header = ["id", "arm", "target", "analysed", "trees", "dropped_eras", "dropped_features",
                      "corr_mean", "corr_std", "corr_sharpe", "max_drawdown",
                      "selection_corr_mean", "selection_corr_sharpe", "test_corr_mean", "test_corr_sharpe",
                      "bmc_mean", "selection_bmc_mean", "test_bmc_mean",
                      "fnc_mean", "max_feature_exposure", "contribution"]
        header += parameters.map { "param_" + $0 }
        header.append("train_seconds")

        var rows: [[String]] = []
        var perEra: [[String]] = []
        for (i, m) in metrics.models.enumerated() {
            let corr = i < analysis.corrPerEra.count ? analysis.corrPerEra[i] : []
            let bmc = i < analysis.bmcPerEra.count ? analysis.bmcPerEra[i] : [Double](repeating: .nan, count: corr.count)
            func pick(_ series: [Double], _ at: [Int]) -> [Double] { at.compactMap { $0 < series.count ? series[$0] : nil } }
            let sel = SeriesSummary(pick(corr, selection)), tst = SeriesSummary(pick(corr, test))
            let s = made[m.id]
            var row = [m.id, m.arm, s?.target ?? metrics.target, "1", s.map { String($0.trees) } ?? "",
                       s.map { String($0.droppedEras) } ?? "", s.map { String($0.droppedFeatures) } ?? ""]
            row += [m.corrMean, m.corrStd, m.corrSharpe, m.maxDrawdown,
                    sel.mean, sel.sharpe, tst.mean, tst.sharpe,
                    m.bmcMean, SeriesSummary.mean(pick(bmc, selection)), SeriesSummary.mean(pick(bmc, test)),
                    m.fncMean, m.featureExposure, m.contribution].map(number)
            row += parameters.map { name in (s?.params[name] ?? m.params[name]).map(number) ?? "" }
            row.append(s.map { number($0.trainSeconds) } ?? "")
            rows.append(row)
            for (e, era) in eras.enumerated() {
                perEra.append([m.id, era, parts[e], number(e < corr.count ? corr[e] : .nan),
                               number(e < bmc.count ? bmc[e] : .nan)])
            }
        }
        // Constant models are not analysed (no per-era ranking); they still get their row.
        for id in metrics.constantModels ?? [] {
            let s = made[id]
            var row = [id, s?.arm ?? "", s?.target ?? metrics.target, "0", s.map { String($0.trees) } ?? "",
                       s.map { String($0.droppedEras) } ?? "", s.map { String($0.droppedFeatures) } ?? ""]
            row += [String](repeating: "", count: 14)
            row += parameters.map { name in s?.params[name].map(number) ?? "" }
            row.append(s.map { number($0.trainSeconds) } ?? "")
            rows.append(row)
        }
        return (CSVText.render(header: header, rows: rows),
                CSVText.render(header: ["model", "era", "part", "corr", "bmc"], rows: perEra))
    }

    /// The shortest decimal that reads back to the same double; integral values (|x| < 2⁵³)
    /// without a fraction; NaN empty; ±∞ as `inf` / `-inf` (pandas reads both).
    public static func number(_ x: Double) -> String {
        if x.isNaN { return "" }
        if x.isInfinite { return x > 0 ? "inf" : "-inf" }
        if x == x.rounded(), abs(x) < 9_007_199_254_740_992 { return String(Int64(x)) }
        return "\(x)"
    }
}

/// RFC 4180 CSV: comma-separated, LF line ends, a field quoted (with `""` for a quote) when it
/// holds a comma, a quote, a line break or leading/trailing spaces.
public enum CSVText {
    public static func render(header: [String], rows: [[String]]) -> String {
        var out = line(header)
        for r in rows { out += line(r) }
        return out
    }

    static func line(_ fields: [String]) -> String { fields.map(field).joined(separator: ",") + "\n" }

    public static func field(_ s: String) -> String {
        let special = s.contains { $0 == "," || $0 == "\"" || $0 == "\n" || $0 == "\r" }
            || s.first == " " || s.last == " "
        return special ? "\"" + s.replacingOccurrences(of: "\"", with: "\"\"") + "\"" : s
    }
}
