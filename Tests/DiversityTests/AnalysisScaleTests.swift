import Diversity
import Fixtures
import XCTest

/// The whole study analysis on synthetic equicorrelated predictions (`EquicorrelatedStudy`, 40
/// models × 20k rows): the planted pairwise correlation is found and a rerun gives the same JSON.
/// Its speed at 500 × 100k is measured by bench/analysis (`workbench-bench analysis`), not here.
final class AnalysisScaleTests: XCTestCase {
    func testSyntheticStudyFindsThePlantedCorrelationAndIsDeterministic() throws {
        let models = 40
        let input = EquicorrelatedStudy.input(models: models, rows: 20000, features: 60)
        let result = try StudyAnalysis.run(input)
        XCTAssertEqual(result.metrics.models.count, models)
        XCTAssertEqual(result.metrics.diversity.pairwiseCorrMean, EquicorrelatedStudy.rho, accuracy: 0.02)
        XCTAssertEqual(result.metrics.arms.count, EquicorrelatedStudy.arms.count)
        XCTAssertEqual(try StudyAnalysis.run(input).metrics.canonicalJSON(), try result.metrics.canonicalJSON(),
                       "rerun gives identical JSON")
    }
}
