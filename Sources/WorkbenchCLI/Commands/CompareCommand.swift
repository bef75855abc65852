import ArgumentParser
import EraData
import Foundation
import Reports
import Support

/// `workbench compare BASE NEW`: metric-by-metric comparison of two studies' metrics.json.
struct CompareCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "compare",
        abstract: "Compare two studies' metrics.json; exit 1 when a metric regressed beyond tolerance.",
        discussion: """
        Opens with the headline (test-era corr of the ensemble, best single model, benchmark and \
        each arm's ensemble; mean pairwise corr ρ̄; effective models; paired per-era intervals of \
        new − base when the studies share test eras), then what changed beyond tolerance, then the \
        neutral detail. Metrics are the numeric leaves of metrics.json with order-independent \
        names such as diversity.pairwise_corr_mean, scaling[k=5,method=random].corr_mean, \
        models[id=m003].corr_mean and summary.models.corr_mean.mean. Two values are the same when \
        |new − base| ≤ ABS + TOL·|base|. A regression is: a higher-is-better metric (corr, \
        sharpe, bmc, mmc, contribution, fnc, ci_low/ci_high) that went down, a lower-is-better one \
        (drawdown, exposure) that went up, a value that became NaN, or a metric that disappeared \
        while its list element stayed. Diversity statistics, parameters, counts, per-era and \
        attribution leaves, scaling spreads and the inference sections are neutral detail: \
        reported as changed, never a regression; so are the metrics of a list element (a model, \
        an arm, a scaling point) only the base has. Exit codes: 0 no regression, 1 regression, \
        2 usage error.
        """
    )

    @Argument(help: "The baseline study directory (or its metrics.json).")
    var base: String

    @Argument(help: "The new study directory (or its metrics.json).")
    var new: String

    @Option(parsing: .unconditional, help: "Relative tolerance TOL.")
    var tolerance: Double = Tolerance.standard.relative

    @Option(parsing: .unconditional, help: "Absolute tolerance ABS.")
    var absoluteTolerance: Double = Tolerance.standard.absolute

    @Flag(help: "List every metric, not only those that changed.")
    var all = false

    @Option(name: [.customShort("o"), .customLong("markdown"), .customLong("out")], help: "Also write the comparison as Markdown to this file (under 60,000 characters, detail folded).")
    var markdown: String?

    @Flag(help: "Print the comparison as JSON (headline, counts, verdict, rows) instead of tables.")
    var json = false

    /// The study directory of a path given as the directory or as its metrics.json.
    static func studyDirectory(_ path: String) -> String {
        var isDir: ObjCBool = false
        FileManager.default.fileExists(atPath: path, isDirectory: &isDir)
        return isDir.boolValue ? path : URL(fileURLWithPath: path).deletingLastPathComponent().path
    }

    func validate() throws {
        guard tolerance.isFinite, tolerance >= 0 else { throw ValidationError("--tolerance must be a finite number ≥ 0") }
        guard absoluteTolerance.isFinite, absoluteTolerance >= 0 else {
            throw ValidationError("--absolute-tolerance must be a finite number ≥ 0")
        }
    }

    func run() throws {
        // Before any work: the Markdown file must not replace an input study's file, and its directory must take it.
        try refuseOutputOntoStudy(markdown, flag: "--markdown", inputs: [base, new])
        try checkOutputDirectory(markdown, flag: "--markdown")
        let baseMetrics: JSONValue, newMetrics: JSONValue
        baseMetrics = try MetricsFile.load(base)
        newMetrics = try MetricsFile.load(new)
        let comparison = Comparison(base: baseMetrics, new: newMetrics,
                                    tolerance: Tolerance(relative: tolerance, absolute: absoluteTolerance),
                                    baseDirectory: Self.studyDirectory(base), newDirectory: Self.studyDirectory(new))
        if json {
            print(String(decoding: try comparison.json(baseLabel: base, newLabel: new, all: all), as: UTF8.self), terminator: "")
        } else {
            print(comparison.terminal(all: all), terminator: "")
        }
        if let markdown {
            let text = comparison.markdown(baseLabel: base, newLabel: new, all: all)
            do { try writeAtomically(text, to: markdown) } catch {
                throw WorkbenchError.cannotWrite(what: "comparison", reason: "\(error)")
            }
        }
        if comparison.hasRegression {
            throw ReportsError.regressed(comparison.regressions.map(\.name))
        }
    }
}
