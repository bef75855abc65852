import Diversity
import EvaluationRules
import Foundation

/// Every sentence of the report that states a conclusion, in one place. Each one is chosen from
/// the numbers (never asserted), and says how sure it is.
enum ReportText {
    static func corr(_ x: Double) -> String { NumberFormat.fixed(x, 4) }
    static func signed(_ x: Double) -> String { x > 0 && x.isFinite ? "+" + NumberFormat.fixed(x, 4) : NumberFormat.fixed(x, 4) }
    static func interval(_ lo: Double, _ hi: Double) -> String { "[\(signed(lo)), \(signed(hi))]" }
    static func percent(_ x: Double, digits: Int = 1) -> String { NumberFormat.fixed(100 * x, digits) + "%" }

    /// The headline's method line: its comparisons are the study's paired contrasts.
    static func headlineMethod(_ c: InferenceConfig?) -> String {
        guard let c else { return "No paired contrasts in these metrics (analysed before contrasts existed): no comparison is judged." }
        return "Comparisons are the study's paired contrasts (section Contrasts): per test era d = corr(a) − corr(b); " +
            "\(percent(1 - c.alpha, digits: 0)) intervals mean ± t₁₋α/₂,ₙ₋₁ · Newey–West se (lag \(c.hacLag): neighbouring " +
            "eras' targets overlap); better / worse when the Holm-adjusted p < \(NumberFormat.compact(c.alpha, 3)), else " +
            "equivalent when TOST places d inside ±\(corr(c.equivalenceMargin)) with its p Holm-adjusted as well, else inconclusive."
    }

    /// A headline question the study's contrasts do not answer: said so, and not judged.
    static func notJudged(a: String, b: String, other: String) -> String {
        "**Not judged against \(other)**: the study's contrasts do not include \(a) − \(b) (add {\"a\": \"\(a)\", \"b\": \"\(b)\"} " +
            "to `contrasts` to test it)."
    }

    static func noBenchmark() -> String { "No benchmark model in this study: nothing to compare with there." }

    /// Measured ensemble against the equicorrelation theory.
    static func theory(measured: Double, theory t: Double, c: Double, rho: Double, models: Int) -> String {
        guard measured.isFinite, t.isFinite else {
            return "Theory c/√(ρ + (1−ρ)/M) is undefined here (c = \(corr(c)), ρ = \(NumberFormat.fixed(rho, 3)))."
        }
        let ratio = measured / t
        let closeness: String
        if abs(ratio - 1) <= 0.1 { closeness = "within 10% of the theory" }
        else if ratio > 1 { closeness = "above the theory by \(percent(ratio - 1))" }
        else { closeness = "below the theory by \(percent(1 - ratio))" }
        return "Theory for \(models) equicorrelated models with the measured member corr c = \(corr(c)) and mean pairwise " +
            "correlation ρ = \(NumberFormat.fixed(rho, 3)) on the test eras: c/√(ρ + (1−ρ)/M) = \(corr(t)); " +
            "measured \(corr(measured)), \(closeness)" +
            (rho > 0 && c.isFinite
                ? "; for equal members of that c and ρ, no number of models could exceed c/√ρ = \(corr(c / rho.squareRoot()))" +
                  (measured > c / rho.squareRoot()
                    ? " — the measured ensemble (\(corr(measured))) is above it, so c/√ρ is not a limit for these models." : ".")
                : ".")
    }

    static func diversity(pairwise: Double, effective: Double, participation: Double, models: Int) -> String {
        guard models > 1 else { return "A single model: no diversity to measure." }
        // Judged on ρ̄ itself: n_eff/M = 1/(1 + (M − 1)ρ̄) falls with M at any fixed ρ̄.
        let how = pairwise >= 0.9 ? "the models are close to copies of each other"
            : pairwise >= 0.3 ? "the models overlap substantially" : "the models are largely distinct"
        return "Mean pairwise correlation \(NumberFormat.fixed(pairwise, 3)): the \(models) models are worth " +
            "\(NumberFormat.fixed(effective, 2)) independent ones (Kish), participation ratio \(NumberFormat.fixed(participation, 2)) — \(how)."
    }

    static func contributions(positive: Int, defined: Int) -> String {
        guard defined > 0 else { return "Contributions are undefined (a single model has no others to add to)." }
        return "\(percent(Double(positive) / Double(defined))) of models (\(positive) of \(defined)) add to the ensemble of " +
            "all the others on the test eras (positive contribution)."
    }

    static func randomSubsets(single: (mean: Double, low: Double, high: Double), all: Double, models: Int) -> String {
        "A random single model scores \(corr(single.mean)) on the test eras (5–95% over draws \(corr(single.low)) … " +
            "\(corr(single.high))); the equal-weight ensemble of all \(models) scores \(corr(all))" +
            (single.high.isFinite && all.isFinite
                ? (all > single.high ? ", above the 95th percentile of single models."
                    : all < single.low ? ", below the 5th percentile of single models." : ", inside the range of single models.")
                : ".")
    }

    static func ceiling(_ ceiling: Double, ensemble: Double) -> String {
        let head = "Synthetic data: the true signal scores \(corr(ceiling)) on the test eras (the ceiling in expectation); "
        guard ceiling > 0, ensemble.isFinite else { return head + "the ensemble scores \(corr(ensemble))." }
        let share = ensemble / ceiling
        return head + (share <= 1 ? "the ensemble reaches \(percent(share)) of it."
            : "the ensemble scores above it (\(percent(share))), which only sampling noise over few test eras allows.")
    }
}
