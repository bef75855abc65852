import Diversity
import EvaluationRules
import Foundation

/// The five-line answer to "what should I stake?" that opens `report.md` and ends `workbench run`.
///
/// 1. the question; 2. the verdicts of the study's paired contrasts: every better / worse one by
///    name, the undecided ones by name up to `maxListed`, else counted per verdict;
/// 3. the recommendation: among the named ensembles (`metrics.ensembles`, which include
///    `best_single`, the best single model by selection corr, and the benchmark) the one
///    `metrics.recommendation` names: each candidate's rule re-run on the first half of the
///    **selection** eras and judged on their second half (`Recommendation`), so a model picked for
///    its luck on some eras is not also judged on them. Metrics without it (older files, fewer than
///    2 selection eras) fall back to the highest mean per-era corr on the selection eras (ties: the
///    earlier one). The test eras play no part in the choice; 4. its test-era score, mean per-era
///    corr ± t·HAC se over the test eras; 5. what the contrasts that name it say about it.
///
/// Only lines 2 and 5 judge, and every judging word there is a contrast's verdict (better / worse
/// / equivalent / inconclusive / undetermined; better / worse need the Holm-adjusted p < α,
/// equivalent the Holm-adjusted TOST p < α); nothing is called better without a contrast saying so.
public struct ReportSummary: Equatable, Sendable {
    public struct Line: Equatable, Sendable {
        public let label: String
        /// Markdown text (code spans for names); `plain` strips the backticks.
        public let text: String
    }
    public let lines: [Line]
    /// The recommended ensemble's name (nil when the metrics name no ensemble and no best single model).
    public let recommended: String?

    public init(metrics: StudyMetrics) {
        let alpha = metrics.inference?.alpha ?? 0.1
        let level = ReportText.percent(1 - alpha, digits: 0)
        let sel = metrics.split.selectionEras.count, test = metrics.split.testEras.count
        let models = metrics.models.count, arms = metrics.arms.count
        var lines: [Line] = []
        lines.append(Line(label: "Question", text:
            "which of the \(models) model\(models == 1 ? "" : "s") in \(arms) arm\(arms == 1 ? "" : "s"), or which ensemble of them, " +
            "to submit — chosen on the \(sel) selection eras, scored on the \(test) later test eras."))

        let contrasts = metrics.contrasts ?? []
        lines.append(Line(label: "Verdicts", text: ReportSummary.verdicts(contrasts, alpha: alpha)))

        // Candidates: every named ensemble; older metrics without ensembles fall back to the best single model.
        var candidates: [(name: String, what: String, selection: Double, test: MeanInterval?, testMean: Double)] =
            (metrics.ensembles ?? []).map { e in
                let what = e.name == EnsembleRule.bestSingleName
                    ? "the best single model by selection corr, \(e.members.first.map { "`\(ReportSummary.code($0))`" } ?? "none")"
                    : e.members.count == 1 ? "ensemble of 1 model, `\(ReportSummary.code(e.members[0]))`"
                    : "ensemble of \(e.members.count) models"
                return (e.name, what, e.selectionCorr, e.testCorr, e.testCorr.mean)
            }
        if candidates.isEmpty, let best = metrics.models.first(where: { $0.id == metrics.bestSingle }) {
            candidates = [(best.id, "the best single model by selection corr", best.selectionCorrMean, nil, best.testCorrMean)]
        }
        var pick: Int? = nil
        let rule = metrics.recommendation.flatMap { r in candidates.firstIndex { $0.name == r.name }.map { (r, $0) } }
        if let (_, i) = rule { pick = i }
        for (i, c) in candidates.enumerated() where rule == nil && c.selection.isFinite {
            if pick == nil || c.selection > candidates[pick!].selection { pick = i }
        }
        guard let p = pick else {
            recommended = nil
            lines.append(Line(label: "Recommendation", text: "none: no ensemble or model has a defined selection-era corr."))
            lines.append(Line(label: "Test-era score", text: "n/a."))
            lines.append(Line(label: "Support", text: "no contrast can judge a recommendation that does not exist."))
            self.lines = lines
            return
        }
        let c = candidates[p]
        recommended = c.name
        let finiteCount = candidates.filter { $0.selection.isFinite }.count
        if let (r, _) = rule {
            let score = r.candidates.first { $0.name == r.name }?.secondHalfCorr ?? .nan
            lines.append(Line(label: "Recommendation", text:
                "submit `\(ReportSummary.code(c.name))` (\(c.what)): of the \(r.candidates.count) candidates (named ensembles and the best single model), " +
                "each re-chosen on the first half of the selection eras (\(ReportSummary.eras(r.firstHalfEras))), it has the highest " +
                "mean per-era corr on the second half (\(ReportSummary.eras(r.secondHalfEras)) after a \(r.embargoEras)-era embargo: " +
                "\(ReportText.corr(score))); its selection-era corr is \(ReportText.corr(c.selection))."))
        } else {
            lines.append(Line(label: "Recommendation", text:
                "submit `\(ReportSummary.code(c.name))` (\(c.what)): the highest mean per-era corr on the selection eras " +
                "(\(ReportText.corr(c.selection))) of the \(finiteCount) candidates (named ensembles and the best single model)."))
        }
        let score: String
        if let t = c.test {
            score = "\(ReportText.corr(t.mean)) mean per-era corr over \(t.eras) test eras, \(level) interval " +
                (t.ciLow.isFinite && t.ciHigh.isFinite ? ReportText.interval(t.ciLow, t.ciHigh) : "n/a") + " (mean ± t·HAC se)."
        } else {
            score = "\(ReportText.corr(c.testMean)) mean per-era corr over the test eras (no interval in these metrics)."
        }
        lines.append(Line(label: "Test-era score", text: score))
        lines.append(Line(label: "Support", text: ReportSummary.support(for: c.name, contrasts: contrasts)))
        self.lines = lines
    }

    /// Contrasts grouped by verdict; "no arm or ensemble is shown better than another" when none is better or worse.
    static func verdicts(_ contrasts: [ContrastResult], alpha: Double) -> String {
        guard !contrasts.isEmpty else { return "none: these metrics hold no paired contrasts, so nothing is judged." }
        // Verdicts read "inconclusive (MDE 0.0311)": grouped by the first word, the rest kept per contrast.
        func names(_ verdict: String) -> [String] {
            contrasts.filter { verdictWord($0.verdict) == verdict }.map { c in
                "`\(code(c.a))` vs `\(code(c.b))`" + verdictDetail(c.verdict)
            }
        }
        let better = contrasts.filter { $0.verdict == "better" }.map { "`\(code($0.a))` is better than `\(code($0.b))`" }
        let worse = contrasts.filter { $0.verdict == "worse" }.map { "`\(code($0.a))` is worse than `\(code($0.b))`" }
        var parts: [String] = []
        if better.isEmpty && worse.isEmpty {
            parts.append("no arm or ensemble is shown better than another")
        } else {
            parts += better + worse
        }
        // The undecided ones by name while few, else counted (the Contrasts section lists them).
        let undecided = ["equivalent", "inconclusive", "undetermined"].map { ($0, names($0)) }.filter { !$0.1.isEmpty }
        if undecided.map(\.1.count).reduce(0, +) <= maxListed {
            for (v, n) in undecided { parts.append("\(v): " + n.joined(separator: ", ")) }
        } else {
            parts.append(undecided.map { "\($0.1.count) \($0.0)" }.joined(separator: ", ") + " (section Contrasts)")
        }
        return "\(contrasts.count) paired contrast\(contrasts.count == 1 ? "" : "s") over the test eras (Holm α = " +
            "\(NumberFormat.compact(alpha, 3))): " + parts.joined(separator: "; ") + "."
    }

    /// Undecided contrasts (equivalent, inconclusive, undetermined) listed by name up to this many.
    static let maxListed = 4

    /// "inconclusive (MDE 0.0311)" → "inconclusive".
    static func verdictWord(_ verdict: String) -> String { String(verdict.prefix { $0 != " " }) }
    /// "inconclusive (MDE 0.0311)" → " (MDE 0.0311)"; "" when the verdict is one word.
    static func verdictDetail(_ verdict: String) -> String {
        let rest = verdict.drop { $0 != " " }
        return rest.isEmpty ? "" : String(rest)
    }

    /// What the contrasts naming `name` say; if none names it, that the choice rests on selection corr alone.
    static func support(for name: String, contrasts: [ContrastResult]) -> String {
        let mine = contrasts.filter { $0.a == name || $0.b == name }
        guard !mine.isEmpty else {
            return "no contrast compares `\(code(name))` with another candidate: it is chosen on selection corr alone and not shown better than anything."
        }
        let shownBetter = mine.contains { ($0.a == name && $0.verdict == "better") || ($0.b == name && $0.verdict == "worse") }
        let said = mine.map { c -> String in
            let other = c.a == name ? c.b : c.a
            // The verdict read from `name`'s side: "a better than b" is "b worse than a".
            let word = verdictWord(c.verdict)
            let v = c.a == name ? word : word == "better" ? "worse" : word == "worse" ? "better" : word
            let holm = c.pHolm.isFinite ? ", Holm p = \(NumberFormat.fixed(c.pHolm, 3))" : ""
            switch v {
            case "better", "worse": return "\(v) than `\(code(other))` (\(ReportText.signed(c.a == name ? c.mean : -c.mean)) per era\(holm))"
            case "equivalent":
                let tost = c.tostPHolm.isFinite ? " (Holm TOST p = \(NumberFormat.fixed(c.tostPHolm, 3)))" : ""
                return "equivalent to `\(code(other))` within ±\(ReportText.corr(c.equivalence.margin))" + tost
            default: return "\(v) against `\(code(other))`" + verdictDetail(c.verdict)
            }
        }
        return "`\(code(name))` is " + said.joined(separator: "; ") +
            (shownBetter ? "." : " — not shown better than anything it is compared with.")
    }

    /// "1 era", "6 eras".
    static func eras(_ n: Int) -> String { "\(n) era\(n == 1 ? "" : "s")" }

    static func code(_ s: String) -> String { s.replacingOccurrences(of: "`", with: "'") }

    /// The report's Markdown block: one bullet per line.
    public var markdown: String {
        lines.map { "- **\($0.label):** \($0.text)" }.joined(separator: "\n")
    }

    /// Terminal text for `workbench run`: the same lines without Markdown marks.
    public var plain: String {
        (["summary:"] + lines.map { "  \($0.label): " + $0.text.replacingOccurrences(of: "`", with: "") }).joined(separator: "\n")
    }
}

extension StudyReport {
    /// The report's summary of `DIR/metrics.json` as terminal text (the end of `workbench run`).
    public static func summaryText(directory: URL) throws -> String {
        let url = directory.appendingPathComponent("metrics.json")
        return ReportSummary(metrics: try StudyMetrics.decode(try Data(contentsOf: url))).plain
    }
}
