import Diversity
import EvaluationRules
import Foundation

/// The report's inference sections (issue 14): named ensembles, paired contrasts with their
/// verdicts, the theory line out of sample, bootstrap intervals over models, contributions against
/// the reference. Every judging sentence is generated from `metrics.contrasts` & co.
extension ReportDocument {
    func contrastsSection() -> String {
        guard let contrasts = metrics.contrasts, let config = metrics.inference else { return "" }
        var out = opening("Contrasts", ReportText.contrastMethod(config, count: contrasts.count, eras: metrics.split.testEras.count))
        out.append(contrasts.map { "- " + ReportText.contrast($0, alpha: config.alpha) }.joined(separator: "\n"))
        out.append("")
        if metrics.pruning != nil { out += [pruningNote(), ""] }
        let level = ReportText.percent(1 - config.alpha, digits: 0)
        out.append(fold("Contrasts table (\(contrasts.count) contrasts)", Markdown.table(
            header: ["contrast", "mean difference", "\(level) interval (t)", "\(level) interval (HAC)", "MDE (80%)", "p (HAC)",
                     "p (Holm)", "TOST p (±\(ReportText.corr(config.equivalenceMargin)))", "TOST p (Holm)", "eras", "verdict"],
            rows: contrasts.map { c in
                [.text(c.name), .numeric(ReportText.signed(c.mean)), .numeric(interval(c.ciLow, c.ciHigh)),
                 .numeric(interval(c.hacCILow, c.hacCIHigh)), num(c.mde, 4), num(c.p, 3), num(c.pHolm, 3),
                 num(c.equivalence.p, 3), num(c.tostPHolm, 3), .numeric(String(c.nEras)), .text(c.verdict)]
            })))
        if let ensembles = metrics.ensembles, !ensembles.isEmpty {
            out += [""] + opening("Named ensembles",
                                  "Built on the \(metrics.split.selectionEras.count) selection eras only; scored on the test eras " +
                                  "(\(level) interval: mean ± t·HAC se over test eras).", level: 3)
            out.append(fold("Named ensembles table (\(ensembles.count) ensembles)", Markdown.table(header: ["ensemble", "members", "rule", "selection corr", "test corr", "\(level) interval"],
                                      rows: ensembles.map { e in
                                          [.text(e.name), .numeric(String(e.members.count)), .text(e.rule), num(e.selectionCorr, 4),
                                           num(e.testCorr.mean, 4), .numeric(interval(e.testCorr.ciLow, e.testCorr.ciHigh))]
                                      })))
        }
        if let theory = metrics.theoryOutOfSample, !theory.isEmpty {
            out += ["", Markdown.heading("The theory line out of sample", level: 3), ""]
            out.append(theory.map { "- " + ReportText.theoryOutOfSample($0, margin: config.equivalenceMargin) }.joined(separator: "\n"))
            out.append("")
            out.append(Markdown.table(header: ["group", "c (selection)", "ρ (selection)", "c (test)", "ρ (test)",
                                               "error, predicted from selection", "error, in-sample fit", "gain error", "level error"],
                                      rows: theory.map { t in
                                          [.text(t.arm), num(t.cSelection, 4), num(t.rhoSelection, 3), num(t.cTest, 4), num(t.rhoTest, 3),
                                           num(t.errorPredicted, 4), num(t.errorInSample, 4), num(t.gainError, 3),
                                           .numeric(ReportText.signed(t.levelError))]
                                      }))
        }
        if let uncertainty = metrics.uncertainty, !uncertainty.isEmpty {
            let first = uncertainty[0]
            out += [""] + opening("Uncertainty over models",
                                  "Bootstrap over each group's models (drawn with replacement) jointly with blocks of \(first.eraBlock) " +
                                  "consecutive test eras; \(first.resamples) resamples, seed \(first.seed); \(level) percentile intervals. " +
                                  "Pairs of a model with itself are left out of ρ̄. Gain = 1/√(ρ̄ + (1−ρ̄)/M).", level: 3)
            var rows: [[Markdown.Cell]] = []
            for u in uncertainty {
                var row: [Markdown.Cell] = [.text(u.arm), .numeric(String(u.models))]
                for name in ModelBootstrap.statisticNames {
                    let s = u.statistics.first { $0.name == name }
                    let digits = name == "c_over_sqrt_rho" ? 4 : name == "contribution_positive_share" ? 3 : 2
                    row.append(.numeric(s.map { "\(NumberFormat.fixed($0.estimate, digits)) [\(NumberFormat.fixed($0.ciLow, digits)), \(NumberFormat.fixed($0.ciHigh, digits))]" } ?? "n/a"))
                }
                rows.append(row)
            }
            out.append(Markdown.table(header: ["group", "models", "c/√ρ", "gain", "effective models (Kish)", "participation ratio",
                                               "positive-contribution share"], rows: rows))
        }
        if let r = metrics.referenceContributions {
            out += [""] + opening("Contributions against \(r.reference)",
                                  "Contribution (BMC-style) on the test eras against the ensemble \"\(r.reference)\" " +
                                  "(\(r.referenceMembers.count) model\(plural(r.referenceMembers.count)); a member is measured against the " +
                                  "others) and against all other models; \(level) intervals with HAC standard errors.", level: 3)
            if !r.arms.isEmpty {
                out.append(r.arms.map { "- " + ReportText.referenceContribution($0, reference: r.reference) }.joined(separator: "\n"))
                out.append("")
            }
            out.append("Per model: the Models table's last columns.")
        }
        return out.joined(separator: "\n")
    }

    /// Extra Models-table columns: contribution vs all others with its interval, and vs the reference.
    func referenceColumns() -> (header: [String], cells: (String) -> [Markdown.Cell])? {
        guard let r = metrics.referenceContributions else { return nil }
        let byID = Dictionary(r.models.map { ($0.id, $0) }, uniquingKeysWith: { a, _ in a })
        let level = ReportText.percent(1 - (metrics.inference?.alpha ?? 0.1), digits: 0)
        return (["contribution \(level) interval", "contribution vs \(r.reference)", "\(level) interval"], { id in
            guard let m = byID[id] else { return [.numeric(""), .numeric(""), .numeric("")] }
            return [.numeric(self.interval(m.vsOthers.ciLow, m.vsOthers.ciHigh)), self.num(m.vsReference.mean, 4),
                    .numeric(self.interval(m.vsReference.ciLow, m.vsReference.ciHigh))]
        })
    }

    func interval(_ lo: Double, _ hi: Double) -> String {
        lo.isFinite && hi.isFinite ? ReportText.interval(lo, hi) : "n/a"
    }
}

extension ReportText {
    static func contrastMethod(_ c: InferenceConfig, count: Int, eras: Int) -> String {
        let level = percent(1 - c.alpha, digits: 0)
        return "Paired per test era: d = corr(a) − corr(b) over the \(eras) test eras. Intervals (\(level)): mean ± " +
            "t₁₋α/₂,ₙ₋₁ · se, with the plain se (eras independent) and the Newey–West se (Bartlett kernel, lag " +
            "\(c.hacLag): neighbouring eras' targets overlap). p is two-sided on the HAC t; Holm's correction runs over " +
            "the study's \(count) contrast\(count == 1 ? "" : "s") at α = \(NumberFormat.compact(c.alpha, 3)). MDE: the " +
            "difference a two-sided level-α test detects with 80% power at this HAC se. \"Equivalent\" needs TOST " +
            "(HAC se) to place the difference inside ±\(corr(c.equivalenceMargin)), its p Holm-adjusted over the same " +
            "contrasts. Verdicts: better / worse when the Holm p < α, else equivalent when the Holm-adjusted TOST p < α, " +
            "else inconclusive."
    }

    /// One contrast's sentence, worded from its verdict and numbers; `a`/`b` name the two sides in
    /// words (default: the ensembles' names).
    static func contrast(_ c: ContrastResult, alpha: Double, a: String? = nil, b: String? = nil) -> String {
        let (a, b) = (a ?? c.a, b ?? c.b)
        let numbers = "\(signed(c.mean)) per era, HAC interval \(interval(c.hacCILow, c.hacCIHigh)), Holm p = " +
            NumberFormat.fixed(c.pHolm, 3)
        switch c.verdict {
        case "better":
            return "**\(a) is better than \(b)**: \(numbers) < \(NumberFormat.compact(alpha, 3))."
        case "worse":
            return "**\(a) is worse than \(b)**: \(numbers) < \(NumberFormat.compact(alpha, 3))."
        case "equivalent":
            return "**\(a) and \(b) are equivalent within ±\(corr(c.equivalence.margin))**: \(numbers); TOST p = " +
                "\(NumberFormat.fixed(c.equivalence.p, 3)) (Holm \(NumberFormat.fixed(c.tostPHolm, 3)))."
        case "undetermined":
            return "**\(a) vs \(b): undetermined** (\(c.nEras) paired test era\(c.nEras == 1 ? "" : "s"))."
        default:
            return "**\(a) vs \(b): inconclusive** — \(numbers); neither a difference nor equivalence within " +
                "±\(corr(c.equivalence.margin)) is shown; differences below the MDE \(corr(c.mde)) could not be detected."
        }
    }

    /// What the selection-era theory line gets right (the gain factor) and what not (the level).
    static func theoryOutOfSample(_ t: TheoryOutOfSample, margin: Double) -> String {
        guard t.errorPredicted.isFinite else { return "\(t.arm): the theory line is undefined here." }
        let maxGain = t.points.map(\.measuredGain).filter(\.isFinite).max() ?? .nan
        let relativeGainError = maxGain > 1 ? t.gainError / (maxGain - 1) : .nan
        let gain = relativeGainError.isFinite
            ? (relativeGainError <= 0.25 ? "the gain factor carries over (mean error \(NumberFormat.fixed(t.gainError, 3)) against a measured gain of up to \(NumberFormat.fixed(maxGain, 2)))"
                : "the gain factor does not carry over well (mean error \(NumberFormat.fixed(t.gainError, 3)) against a measured gain of up to \(NumberFormat.fixed(maxGain, 2)))")
            : "there is no ensemble gain to compare"
        let level = abs(t.levelError) < margin
            ? "the level carries over (c moves by \(signed(t.levelError)), within ±\(corr(margin)))"
            : "the level does not (c on the selection eras is \(signed(t.levelError)) off the test eras')"
        return "\(t.arm): c = \(corr(t.cSelection)) and ρ = \(NumberFormat.fixed(t.rhoSelection, 3)) from the selection eras " +
            "predict the test ensemble with a mean error of \(corr(t.errorPredicted)) over k, against \(corr(t.errorInSample)) " +
            "for the in-sample fit (c and ρ of the test eras themselves, nearly an identity at k = M); \(gain); \(level)."
    }

    static func referenceContribution(_ a: ReferenceContributions.Arm, reference: String) -> String {
        let e = a.ensemble
        let judged = !(e.ciLow.isFinite && e.ciHigh.isFinite) ? "undetermined"
            : e.ciLow > 0 ? "adds to it" : e.ciHigh < 0 ? "takes away from it" : "shows no contribution distinguishable from 0"
        return "The \(a.arm) ensemble against \(reference): \(signed(e.mean)) \(interval(e.ciLow, e.ciHigh)) — \(judged); " +
            (a.positiveShare.isFinite ? "\(percent(a.positiveShare)) of its \(a.models) models contribute positively." : "no model contribution is defined.")
    }
}
