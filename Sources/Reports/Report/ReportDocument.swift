import Diversity
import EvaluationRules
import Foundation

/// The Markdown text of a study report. Sections: headline answer, ensemble scaling, arms,
/// pairwise correlation, PCA, what explains correlation and contribution, contributions, models,
/// data and evaluation, the study as declared and as resolved, training.
struct ReportDocument {
    let metrics: StudyMetrics
    let study: StudyDescription
    let charts: ReportChartSet

    func render() -> String {
        let sections = [intro(), headline(), contrastsSection(), scaling(), arms(), correlation(), pca(), explanations(), contributions(),
                        models(), dataAndEvaluation(), declared(), resolved(), training()]
        return sections.filter { !$0.isEmpty }.joined(separator: "\n\n") + "\n"
    }

    // MARK: Numbers shared by several sections

    var modelCount: Int { metrics.models.count }
    var ensembleSeries: [Double] { metrics.perEra.map(\.ensemble) }
    /// The headline's two questions, answered by the study's paired contrasts (metrics `contrasts[]`):
    /// "all" − "best_single" and "all" − "benchmark"; nil when the study's contrasts lack one.
    func headlineContrast(_ b: String) -> ContrastResult? {
        metrics.contrasts?.first { $0.a == "all" && $0.b == b }
    }
    /// The model with the highest mean test corr (chosen with hindsight).
    var hindsightBest: ModelMetrics? {
        var best: ModelMetrics? = nil
        for m in metrics.models where m.testCorrMean.isFinite {
            if best == nil || m.testCorrMean > best!.testCorrMean { best = m }
        }
        return best
    }
    func row(_ rows: [ScalingRow], _ method: String, k: Int? = nil) -> ScalingRow? {
        let r = rows.filter { $0.method == method }
        if let k { return r.first { $0.k == k } }
        return r.max { $0.k < $1.k }
    }

    // MARK: Sections

    func intro() -> String {
        var lines = [Markdown.heading("Study report: \(study.name)", level: 1)]
        // The answer first (ReportSummary: chosen on the selection eras, judged only by contrasts).
        lines += ["", ReportSummary(metrics: metrics).markdown]
        if !study.description.isEmpty { lines += ["", Markdown.escapeInline(study.description)] }
        let arms = metrics.arms.count
        lines += ["", "\(modelCount) model\(plural(modelCount)) in \(arms) arm\(plural(arms)) · target `\(code(metrics.target))` · " +
            "\(metrics.evaluationEras) evaluation eras (\(metrics.evaluationRows) scored rows) · " +
            "\(metrics.split.selectionEras.count) selection + \(metrics.split.embargoEras) embargo + " +
            "\(metrics.split.testEras.count) test eras · training \(seconds(study.totalTrainSeconds)) in total."]
        return lines.joined(separator: "\n")
    }

    func headline() -> String {
        let withBenchmark = metrics.benchmark.map { id in metrics.models.contains { $0.id == id } } ?? false
        var out = opening("Headline answer",
                          "Does the equal-weight ensemble of all \(modelCount) models (\(withBenchmark ? "the benchmark among them; " : "")" +
                          "mean of per-era gaussianized predictions) " +
                          "beat its best member and the benchmark out of sample? Everything below is measured on the " +
                          "\(metrics.split.testEras.count) test eras \(eraSpan(metrics.split.testEras)); the best member is chosen on the " +
                          "\(metrics.split.selectionEras.count) earlier selection eras \(eraSpan(metrics.split.selectionEras)), " +
                          "\(metrics.split.embargoEras) embargo era\(plural(metrics.split.embargoEras)) apart.")
        var rows: [[Markdown.Cell]] = [
            [.text("ensemble of all \(modelCount) models"), num(SeriesSummary.mean(ensembleSeries), 4), .numeric(String(definedCount(ensembleSeries)))],
            [.text("best single model by selection corr: \(metrics.bestSingle)"), num(SeriesSummary.mean(metrics.perEra.map(\.bestSingle)), 4),
             .numeric(String(definedCount(metrics.perEra.map(\.bestSingle))))],
        ]
        if let benchmark = metrics.benchmark {
            rows.append([.text("benchmark: \(benchmark)"), num(SeriesSummary.mean(metrics.perEra.map(\.benchmark)), 4),
                         .numeric(String(definedCount(metrics.perEra.map(\.benchmark))))])
        }
        if let r = row(metrics.scaling, "random", k: 1) {
            rows.append(["random single model (mean over draws)", num(r.corrMean, 4), .numeric("")])
        }
        if let h = hindsightBest {
            rows.append([.text("best single model in hindsight (chosen on the test eras, not out of sample): \(h.id)"),
                         num(h.testCorrMean, 4), .numeric("")])
        }
        out.append(Markdown.table(header: ["predictor", "mean per-era corr (test)", "test eras"], rows: rows))
        out.append("")
        // Every judging sentence here is a contrast's verdict (see the Contrasts section).
        let questions: [(label: String, b: String, other: String)] =
            [("ensemble − best single model", EnsembleRule.bestSingleName, "the best single model (by selection corr)")]
            + (metrics.benchmark == nil ? [] : [("ensemble − benchmark", "benchmark", "the benchmark")])
        let level = ReportText.percent(1 - (metrics.inference?.alpha ?? 0.1), digits: 0)
        let diffRows: [[Markdown.Cell]] = questions.compactMap { q in
            headlineContrast(q.b).map { c in
                [.text(q.label), .numeric(ReportText.signed(c.mean)), .numeric(interval(c.hacCILow, c.hacCIHigh)), num(c.hacSE, 4),
                 .numeric(String(c.nEras)), num(c.pHolm, 3), .text(c.verdict)]
            }
        }
        if !diffRows.isEmpty {
            out.append(Markdown.table(header: ["comparison", "mean difference", "\(level) interval (HAC)", "HAC std error", "paired eras",
                                               "p (Holm)", "verdict"], rows: diffRows))
            out.append("")
        }
        var bullets = questions.map { q in
            "- " + (headlineContrast(q.b).map { ReportText.contrast($0, alpha: metrics.inference?.alpha ?? 0.1,
                                                                     a: "The ensemble of all \(modelCount) models", b: q.other) }
                    ?? ReportText.notJudged(a: "all", b: q.b, other: q.other))
        }
        if metrics.benchmark == nil { bullets.append("- " + ReportText.noBenchmark()) }
        if let single = row(metrics.scaling, "random", k: 1), let all = row(metrics.scaling, "random", k: modelCount) {
            bullets.append("- " + ReportText.randomSubsets(single: (single.corrMean, single.ciLow, single.ciHigh),
                                                            all: all.corrMean, models: modelCount))
        }
        let t = metrics.theory
        bullets.append("- " + ReportText.theory(measured: SeriesSummary.mean(ensembleSeries), theory: t.ensembleCorr, c: t.c,
                                                 rho: t.rho, models: t.models))
        let d = metrics.diversity
        bullets.append("- " + ReportText.diversity(pairwise: d.pairwiseCorrMean, effective: d.effectiveModels,
                                                    participation: d.participationRatio, models: d.models))
        let contributions = metrics.models.map(\.contribution).filter(\.isFinite)
        bullets.append("- " + ReportText.contributions(positive: contributions.filter { $0 > 0 }.count, defined: contributions.count))
        if let ceiling = study.data.ceilingCorr {
            bullets.append("- " + ReportText.ceiling(ceiling, ensemble: SeriesSummary.mean(ensembleSeries)))
        }
        out.append(bullets.joined(separator: "\n"))
        out.append("")
        out.append(ReportText.headlineMethod(metrics.inference))
        out.append("")
        out.append(image(charts.cumulative))
        return out.joined(separator: "\n")
    }

    func scaling() -> String {
        var out = opening("Ensemble scaling",
                          "Test-era corr of ensembles of k models: random k-subsets (mean; band = 5–95% over " +
                          "\(study.evaluation.randomDraws) draws), the top k by selection-era corr, and greedy forward selection " +
                          "(Caruana, with replacement, chosen on the selection eras). Dashed: c/√(ρ + (1−ρ)/k) with the measured " +
                          "mean member corr c and mean pairwise correlation ρ on the test eras. Intervals of top-k and greedy: " +
                          "mean ± 1.645·sd/√eras over test eras.")
        out.append(image(charts.scalingAll))
        if let byArm = charts.scalingByArm { out += ["", image(byArm)] }
        for (_, chart) in charts.scalingPerArm { out += ["", image(chart)] }
        out.append("")
        var rows: [[Markdown.Cell]] = []
        let groups: [(String, [ScalingRow])] = [("all", metrics.scaling)] + (metrics.arms.count > 1 ? metrics.arms.map { ($0.arm, $0.scaling) } : [])
        for (name, scalingRows) in groups {
            let maxK = scalingRows.map(\.k).max() ?? 0
            for method in ["random", "top_k", "greedy", "theory"] {
                for k in Set([1, maxK]).sorted() {
                    guard let r = row(scalingRows, method, k: k) else { continue }
                    rows.append([.text(name), .text(method), .numeric(String(k)), num(r.corrMean, 4),
                                 .numeric(r.ciKind == "none" ? "" : "\(ReportText.corr(r.ciLow)) … \(ReportText.corr(r.ciHigh))"),
                                 .text(r.ciKind == "draws" ? "5–95% over draws" : r.ciKind == "eras" ? "90% over test eras" : "")])
                }
            }
        }
        out.append(fold("Scaling table (\(rows.count) rows)", Markdown.table(header: ["group", "method", "k", "corr (test)", "interval", "interval kind"], rows: rows)))
        return out.joined(separator: "\n")
    }

    func arms() -> String {
        var out = opening("Arms",
                          "Member columns average the arm's models over all evaluation eras; ρ, effective models and participation " +
                          "ratio come from the correlation of gaussianized predictions; contributions are to the ensemble of the " +
                          "arm's other models on the test eras. Ensemble = all of the arm's models, best = top-1 by selection corr, " +
                          "both on the test eras.")
        var rows: [[Markdown.Cell]] = []
        func add(_ name: String, ids: [String], d: DiversityMetrics, scaling: [ScalingRow], theory: TheoryMetrics, share: Double) {
            let idSet = Set(ids)
            let members = metrics.models.filter { idSet.contains($0.id) }
            let ensemble = row(scaling, "random", k: ids.count)?.corrMean ?? .nan
            let best = row(scaling, "top_k", k: 1)?.corrMean ?? .nan
            rows.append([.text(name), .numeric(String(ids.count)), num(mean(members.map(\.corrMean)), 4),
                         num(mean(members.map(\.corrSharpe)), 3), num(mean(members.map(\.bmcMean)), 4),
                         num(d.pairwiseCorrMean, 3), num(d.effectiveModels, 2), num(d.participationRatio, 2),
                         .numeric(share.isFinite ? ReportText.percent(share) : "n/a"), num(ensemble, 4), num(best, 4),
                         .numeric(ReportText.signed(ensemble - best)), num(theory.ensembleCorr, 4)])
        }
        add("all", ids: metrics.models.map(\.id), d: metrics.diversity, scaling: metrics.scaling, theory: metrics.theory,
            share: metrics.contributionPositiveShare)
        for a in metrics.arms {
            add(a.arm, ids: a.modelIDs, d: a.diversity, scaling: a.scaling, theory: a.theory, share: a.contributionPositiveShare)
        }
        out.append(fold("Arms table (\(rows.count) rows)", Markdown.table(header: ["arm", "models", "member corr", "member sharpe", "member BMC", "pairwise ρ",
                                           "effective models", "participation ratio", "positive contribution",
                                           "ensemble (test)", "best (test)", "ensemble − best", "theory (test)"], rows: rows)))
        return out.joined(separator: "\n")
    }

    func correlation() -> String {
        var out = opening("Pairwise correlation",
                          "Pearson correlation of the models' per-era gaussianized predictions over all evaluation rows.")
        out += [image(charts.correlationHistogram), "", image(charts.correlationHeatmap), ""]
        var rows: [[Markdown.Cell]] = []
        for (name, d) in diversityGroups() {
            let p = d.pairwiseCorr
            rows.append([.text(name), .numeric(String(p.count)), num(p.mean, 3), num(p.std, 3), num(p.min, 3), num(p.q05, 3),
                         num(p.median, 3), num(p.q95, 3), num(p.max, 3)])
        }
        out.append(fold("Pairwise correlation quantiles (\(rows.count) groups)", Markdown.table(header: ["group", "pairs", "mean", "std", "min", "5%", "median", "95%", "max"], rows: rows)))
        out.append("")
        out.append("Ambiguity decomposition (Krogh–Vedelsby, squared error of gaussianized predictions against the per-era " +
                   "centered target): ensemble error = mean member error − mean ambiguity.")
        out.append("")
        out.append(Markdown.table(header: ["group", "ensemble error", "mean member error", "mean ambiguity"],
                                  rows: diversityGroups().map { name, d in
                                      [.text(name), num(d.ambiguity.ensembleError, 4), num(d.ambiguity.meanMemberError, 4),
                                       num(d.ambiguity.meanAmbiguity, 4)]
                                  }))
        return out.joined(separator: "\n")
    }

    func pca() -> String {
        var out = [Markdown.heading("PCA of the correlation matrix"), ""]
        out.append(image(charts.pcaAll))
        out.append("")
        let rows: [[Markdown.Cell]] = diversityGroups().map { name, d in
            let r = d.pcaExplainedVarianceRatio
            var cumulative = 0.0, needed = 0
            for v in r where cumulative < 0.9 - 1e-12 { cumulative += v; needed += 1 }
            return [.text(name), .numeric(String(d.models)), .numeric(r.first.map { ReportText.percent($0) } ?? "n/a"),
                    .numeric(r.isEmpty ? "n/a" : String(needed)), num(d.participationRatio, 2), num(d.effectiveModels, 2)]
        }
        out.append(Markdown.table(header: ["group", "models", "first component", "components for 90%", "participation ratio",
                                           "effective models (Kish)"], rows: rows))
        return out.joined(separator: "\n")
    }

    func explanations() -> String {
        var out = [Markdown.heading("What explains correlation and contribution"), ""]
        if charts.parameters.isEmpty {
            out.append("No hyperparameter or recipe setting varies across models.")
        } else {
            out.append("Model corr against each setting that varies across models (one colour per arm; log axis for " +
                       "settings sampled log-uniformly; seeds are not charted, their values mean nothing).")
            for chart in charts.parameters { out += ["", image(chart)] }
        }
        var rows: [[Markdown.Cell]] = []
        let groups: [(String, [Attribution])] = [("all", metrics.attribution)] + (metrics.arms.count > 1 ? metrics.arms.map { ($0.arm, $0.attribution) } : [])
        for (name, attribution) in groups {
            for a in attribution {
                rows.append([.text(name), .text(a.name), num(a.spearmanAbsDiffVsPairwiseCorr, 3),
                             num(a.spearmanVsContribution, 3), num(a.spearmanVsCorrMean, 3)])
            }
        }
        out.append("")
        if rows.isEmpty {
            out.append("No setting is present in every model of a group and varies within it: no attribution.")
        } else {
            out.append("Spearman correlations: between how much two models differ in a setting and how correlated their " +
                       "predictions are (negative = differing more makes them less alike); between a setting and the " +
                       "contribution to the ensemble of the others; between a setting and the model's mean corr.")
            out.append("")
            out.append(fold("Attribution table (\(rows.count) rows)", Markdown.table(header: ["group", "setting", "ρₛ(|Δ|, pairwise corr)", "ρₛ(value, contribution)",
                                               "ρₛ(value, corr)"], rows: rows)))
        }
        return out.joined(separator: "\n")
    }

    func contributions() -> String {
        var out = opening("Contributions",
                          "Each model's BMC-style contribution to the equal-weight ensemble of all the other models, on the test eras, " +
                          "largest first (one colour per arm).")
        out.append(image(charts.contributions))
        return out.joined(separator: "\n")
    }

    func models() -> String {
        var out = opening("Models",
                          "Study order. corr, sharpe, max drawdown, BMC (against the benchmark), FNC and exposure over all " +
                          "evaluation eras; test corr and contribution on the test eras. How each model was made: the second table.")
        let varied = VariedParameter.all(metrics: metrics, study: study).map(\.name)
            .filter { name in metrics.models.contains { $0.params[name] != nil } }
        let made = Dictionary(study.models.map { ($0.id, $0) }, uniquingKeysWith: { a, _ in a })
        let extra = referenceColumns()
        let rows: [[Markdown.Cell]] = metrics.models.map { m in
            let s = made[m.id]
            var r: [Markdown.Cell] = [.text(m.id), .text(m.arm), .text(s?.target ?? ""), num(m.corrMean, 4), num(m.corrSharpe, 3),
                                      num(m.maxDrawdown, 4), num(m.bmcMean, 4), num(m.fncMean, 4), num(m.featureExposure, 3),
                                      num(m.testCorrMean, 4), num(m.contribution, 4)]
            if let extra { r += extra.cells(m.id) }
            return r
        }
        out.append(fold("Model metrics (\(rows.count) models)", Markdown.table(
            header: ["model", "arm", "target", "corr", "sharpe", "max drawdown", "BMC", "FNC", "exposure",
                     "test corr", "contribution"] + (extra?.header ?? []), rows: rows), always: true))
        out.append("")
        let parameterRows: [[Markdown.Cell]] = metrics.models.map { m in
            let s = made[m.id]
            var r: [Markdown.Cell] = [.text(m.id), .text(m.arm),
                                      .numeric(s.map { String($0.trees) } ?? ""), .numeric(s.map { NumberFormat.fixed($0.trainSeconds, 1) } ?? ""),
                                      .numeric(s.map { String($0.droppedEras) } ?? ""), .numeric(s.map { String($0.droppedFeatures) } ?? "")]
            for name in varied { r.append(.numeric(m.params[name].map(parameter) ?? "")) }
            return r
        }
        out.append(fold("Model parameters (\(parameterRows.count) models; settings that vary across models)", Markdown.table(
            header: ["model", "arm", "trees", "train s", "dropped eras", "dropped features"] + varied, rows: parameterRows), always: true))
        return out.joined(separator: "\n")
    }

    func dataAndEvaluation() -> String {
        let d = study.data
        var rows: [[Markdown.Cell]] = [
            ["source", .text(d.source)],
            ["rows", .numeric(String(d.rows))],
            ["eras", .numeric(String(d.eras))],
            ["features", .numeric(String(d.features))],
            ["targets", .text(d.targets.joined(separator: ", "))],
            ["train eras", .numeric(String(d.trainEras))],
            ["validation eras", .numeric(String(d.validationEras))],
        ]
        if let c = d.ceilingCorr { rows.append(["ceiling corr (true signal, test eras)", num(c, 4)]) }
        let s = metrics.split
        let evaluation: [[Markdown.Cell]] = [
            ["scored rows", .text(study.evaluation.rows)],
            ["scored target", .text(metrics.target)],
            ["evaluation eras", .text("\(metrics.evaluationEras) (\(metrics.evaluationRows) rows with a target)")],
            ["selection eras", .text("\(s.selectionEras.count) \(eraSpan(s.selectionEras))")],
            ["embargo eras", .text(String(s.embargoEras))],
            ["test eras", .text("\(s.testEras.count) \(eraSpan(s.testEras))")],
            ["selection fraction", .text(NumberFormat.compact(s.selectionFraction, 6))],
            ["random draws per k", .text(String(study.evaluation.randomDraws))],
            ["scaling seed", .text(String(study.evaluation.scalingSeed))],
            ["benchmark", .text(metrics.benchmark ?? "none")],
        ]
        return [Markdown.heading("Data"), "", Markdown.table(header: ["", "value"], rows: rows), "",
                Markdown.heading("Evaluation"), "", Markdown.table(header: ["", "value"], rows: evaluation)].joined(separator: "\n")
    }

    func declared() -> String {
        let body = study.declaredJSON.isEmpty ? "(not recorded)" : JSONLayout.pretty(study.declaredJSON)
        return [Markdown.heading("The study as declared"), "", fold("study JSON", fenced(body, language: "json"), always: true)].joined(separator: "\n")
    }

    func resolved() -> String {
        let body = study.resolvedPlan.isEmpty ? "(not recorded)" : study.resolvedPlan
        return [Markdown.heading("The study as resolved"), "", fold("resolved plan", fenced(body, language: "text"), always: true)].joined(separator: "\n")
    }

    func training() -> String {
        var out = [Markdown.heading("Training"), ""]
        out.append("\(study.models.count) model\(plural(study.models.count)) trained in \(seconds(study.totalTrainSeconds)) " +
                   "of training time in total (summed over models, not wall-clock).")
        let arms = Set(study.models.map(\.arm)).sorted()
        if !arms.isEmpty {
            out.append("")
            let rows: [[Markdown.Cell]] = arms.map { arm in
                let members = study.models.filter { $0.arm == arm }
                let total = members.reduce(0) { $0 + $1.trainSeconds }
                return [.text(arm), .numeric(String(members.count)), num(total, 1), num(total / Double(members.count), 2),
                        num(mean(members.map { Double($0.trees) }), 1)]
            }
            out.append(Markdown.table(header: ["arm", "models", "train s", "train s per model", "trees per model"], rows: rows))
        }
        return out.joined(separator: "\n")
    }

    // MARK: Helpers

    /// A section's (or, at `level` 3, a subsection's) first lines: its heading and the paragraph that
    /// says what it shows, each followed by a blank line.
    func opening(_ title: String, _ paragraph: String, level: Int = 2) -> [String] {
        [Markdown.heading(title, level: level), "", paragraph, ""]
    }

    /// Tables longer than this many rows are folded in `<details>`.
    static let foldRows = 10

    /// `body` (a table or code block) inside `<details>` when `always` or it has more than
    /// `foldRows` rows; the blank lines let GitHub render the Markdown inside the HTML block.
    func fold(_ summary: String, _ body: String, always: Bool = false) -> String {
        let rows = body.split(separator: "\n").count - 2
        guard always || rows > Self.foldRows else { return body }
        return "<details><summary>" + Markdown.escapeCell(summary) + "</summary>\n\n" + body + "\n\n</details>"
    }

    func diversityGroups() -> [(String, DiversityMetrics)] {
        [("all", metrics.diversity)] + (metrics.arms.count > 1 ? metrics.arms.map { ($0.arm, $0.diversity) } : [])
    }

    func image(_ chart: ChartFile) -> String {
        "![" + Markdown.escapeInline(chart.alt) + "](" + Markdown.encodeLink(ReportCharts.folder + "/" + chart.fileName) + ")"
    }

    func num(_ x: Double, _ digits: Int) -> Markdown.Cell {
        x.isFinite ? .number(x, digits: digits) : .numeric("n/a")
    }

    func parameter(_ x: Double) -> String {
        x == x.rounded() && abs(x) < 1e15 ? String(Int64(x)) : NumberFormat.compact(x, 6)
    }

    func mean(_ v: [Double]) -> Double { SeriesSummary.mean(v) }
    func definedCount(_ v: [Double]) -> Int { v.filter(\.isFinite).count }
    func plural(_ n: Int) -> String { n == 1 ? "" : "s" }
    func seconds(_ s: Double) -> String { NumberFormat.fixed(s, 1) + " s" }
    func code(_ s: String) -> String { s.replacingOccurrences(of: "`", with: "'") }

    func eraSpan(_ eras: [String]) -> String {
        guard let first = eras.first, let last = eras.last else { return "(none)" }
        return first == last ? "(\(first))" : "(\(first) … \(last))"
    }

    /// A fenced code block whose fence is longer than any backtick run inside.
    func fenced(_ text: String, language: String) -> String {
        var longest = 0, run = 0
        for ch in text { if ch == "`" { run += 1; longest = max(longest, run) } else { run = 0 } }
        let fence = String(repeating: "`", count: max(3, longest + 1))
        return fence + language + "\n" + text + (text.hasSuffix("\n") ? "" : "\n") + fence
    }
}
