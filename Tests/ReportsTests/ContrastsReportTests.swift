import Fixtures
import Diversity
import Foundation
import TestSupport
import XCTest
@testable import Reports

/// The report's contrasts section and `compare`'s treatment of the inference sections (issue 14).
final class ContrastsReportTests: XCTestCase {
    func testContrastsSectionSentencesComeFromTheVerdicts() throws {
        let (analysis, study) = try ReportFixture.build(arms: ReportFixture.threeArms, benchmark: true, featureScores: false)
        let metrics = analysis.metrics
        let contrasts = try XCTUnwrap(metrics.contrasts)
        // Defaults with a seeds arm: arms and all vs benchmark, all vs best single, grid vs seeds[5], filtered vs unfiltered.
        XCTAssertEqual(contrasts.map(\.name), ["grid − benchmark", "seeds − benchmark", "all − benchmark", "all − best_single", "grid − seeds[5]",
                                               "grid.filtered − grid", "seeds.filtered − seeds"])
        XCTAssertEqual(metrics.referenceContributions?.reference, "seeds")
        let doc = ReportDocument(metrics: metrics, study: study, charts: ReportCharts.render(metrics: metrics, correlation: analysis.correlation.values, study: study))
        let section = doc.contrastsSection()
        XCTAssertTrue(section.hasPrefix("## Contrasts"))
        for c in contrasts {
            let sentence = ReportText.contrast(c, alpha: 0.1)
            XCTAssertTrue(section.contains(sentence), sentence)
            switch c.verdict {
            case "better": XCTAssertTrue(sentence.contains("is better than"))
            case "worse": XCTAssertTrue(sentence.contains("is worse than"))
            case "equivalent": XCTAssertTrue(sentence.contains("are equivalent within"))
            default: XCTAssertTrue(sentence.contains("inconclusive") || sentence.contains("undetermined"), sentence)
            }
        }
        for heading in ["### Named ensembles", "### The theory line out of sample", "### Uncertainty over models", "### Contributions against seeds"] {
            XCTAssertTrue(section.contains(heading), heading)
        }
        XCTAssertFalse(doc.render().contains("because its members are not equal"))
    }

    /// The headline judges only through its contrasts: when the study's contrasts lack
    /// all − best_single, the headline says it is not judged and shows no row or verdict for it.
    func testHeadlineWithoutItsContrastIsNotJudged() throws {
        let (analysis, study) = try ReportFixture.build(arms: ReportFixture.threeArms, benchmark: true, featureScores: false)
        var metrics = analysis.metrics
        metrics.contrasts = try XCTUnwrap(metrics.contrasts).filter { $0.b != "best_single" }
        let doc = ReportDocument(metrics: metrics, study: study, charts: ReportCharts.render(metrics: metrics, correlation: analysis.correlation.values, study: study))
        let headline = doc.headline()
        XCTAssertTrue(headline.contains("**Not judged against the best single model (by selection corr)**"), headline)
        XCTAssertFalse(headline.contains("| ensemble − best single model"))
        let bench = try XCTUnwrap(metrics.contrasts?.first { $0.name == "all − benchmark" })
        let row = try XCTUnwrap(headline.split(separator: "\n").first { $0.hasPrefix("| ensemble − benchmark") })
        XCTAssertTrue(row.contains(bench.verdict) && row.contains(ReportText.signed(bench.mean)), String(row))
    }

    func testCloseToCopiesDependsOnRhoNotOnModelCount() {
        // ρ̄ = 0.1 with 129 models: n_eff/M ≈ 0.07, but the models are not copies.
        let many = ReportText.diversity(pairwise: 0.1, effective: 129 / (1 + 128 * 0.1), participation: 10, models: 129)
        XCTAssertTrue(many.contains("largely distinct"), many)
        XCTAssertTrue(ReportText.diversity(pairwise: 0.384, effective: 2.5, participation: 2, models: 32).contains("overlap substantially"))
        XCTAssertTrue(ReportText.diversity(pairwise: 0.95, effective: 1.05, participation: 1.1, models: 3).contains("close to copies"))
    }

    func testInferenceSectionsAreNeutralInCompare() {
        for name in ["contrasts[name=grid − benchmark].mean", "contrasts[name=x].ci_low", "ensembles[name=grid].test_corr.mean",
                     "uncertainty[arm=grid].statistics[name=gain].ci_high", "theory_out_of_sample[arm=all].error_predicted",
                     "reference_contributions.models[id=m1].vs_reference.mean", "inference.alpha"] {
            XCTAssertEqual(MetricDirection.of(name), .neutral, name)
        }
        XCTAssertEqual(MetricDirection.of("models[id=m1].corr_mean"), .higherIsBetter)
    }
}
