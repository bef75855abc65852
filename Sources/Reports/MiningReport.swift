import Foundation

/// Everything the mining report shows, as plain values (the CLI fills it from the farm; Reports
/// does not depend on Studies).
public struct MiningReportInput: Sendable {
    public struct Staker: Sendable {
        public var id: String
        public var accepted: Bool
        /// Candidates decided for this staker.
        public var candidates: Int
        public var acceptedAttempt: Int?
        public var arm: String?
        public var selectionCorr: Double
        public var selectionBMC: Double
        public var testCorr: Double
        public var testBMC: Double
        public var maxCorrWithEarlier: Double
        public var trainSeconds: Double
        /// The last rejection's message (why a not-accepted staker failed).
        public var lastRejection: String?
        public init(id: String, accepted: Bool, candidates: Int, acceptedAttempt: Int?, arm: String?,
                    selectionCorr: Double, selectionBMC: Double, testCorr: Double, testBMC: Double,
                    maxCorrWithEarlier: Double, trainSeconds: Double, lastRejection: String?) {
            self.id = id; self.accepted = accepted; self.candidates = candidates; self.acceptedAttempt = acceptedAttempt
            self.arm = arm; self.selectionCorr = selectionCorr; self.selectionBMC = selectionBMC; self.testCorr = testCorr
            self.testBMC = testBMC; self.maxCorrWithEarlier = maxCorrWithEarlier; self.trainSeconds = trainSeconds
            self.lastRejection = lastRejection
        }
    }

    /// One payout scheme on the test eras.
    public struct Scheme: Sendable {
        public var name: String
        /// Per staker: mean numerai_corr over the test eras.
        public var stakerMeans: [Double]
        public var fundCorrMean: Double
        public var fundCorrSharpe: Double
        public var fundBMCMean: Double
        public init(name: String, stakerMeans: [Double], fundCorrMean: Double, fundCorrSharpe: Double, fundBMCMean: Double) {
            self.name = name; self.stakerMeans = stakerMeans; self.fundCorrMean = fundCorrMean
            self.fundCorrSharpe = fundCorrSharpe; self.fundBMCMean = fundBMCMean
        }
    }

    public var studyName: String
    public var studyHash: String
    public var data: String
    public var target: String
    public var evaluationSplit: String
    public var selectionEras: Int
    public var testEras: Int
    public var embargoEras: Int
    public var minCorr: Double
    public var minBMC: Double
    public var maxCorr: Double
    public var maxAttempts: Int
    public var stakers: [Staker]
    /// Rejection reason code → count over every decided candidate.
    public var rejectionCounts: [(reason: String, count: Int)]
    /// Candidates trained over all runs (speculative ones included) and those never needed.
    public var candidatesTrained: Int
    public var speculativeUnused: Int
    public var wallSeconds: Double
    public var jobs: Int
    /// Pairwise |corr| is bounded on the selection eras by the criterion; the test eras show
    /// whether the uniqueness holds out of sample. Upper triangle, accepted models.
    public var pairwiseSelection: [Double]
    public var pairwiseTest: [Double]
    public var distinctRecipes: Int
    public var distinctRecipesIgnoringSeed: Int
    public var benchmarkSelectionCorr: Double
    public var benchmarkTestCorr: Double
    public var schemes: [Scheme]
    /// How the rotation assigns models (one sentence, from the schedule's definition).
    public var rotationRule: String

    public init(studyName: String, studyHash: String, data: String, target: String, evaluationSplit: String,
                selectionEras: Int, testEras: Int, embargoEras: Int, minCorr: Double, minBMC: Double, maxCorr: Double,
                maxAttempts: Int, stakers: [Staker], rejectionCounts: [(reason: String, count: Int)],
                candidatesTrained: Int, speculativeUnused: Int, wallSeconds: Double, jobs: Int,
                pairwiseSelection: [Double], pairwiseTest: [Double], distinctRecipes: Int,
                distinctRecipesIgnoringSeed: Int, benchmarkSelectionCorr: Double, benchmarkTestCorr: Double,
                schemes: [Scheme], rotationRule: String) {
        self.studyName = studyName; self.studyHash = studyHash; self.data = data; self.target = target
        self.evaluationSplit = evaluationSplit; self.selectionEras = selectionEras; self.testEras = testEras
        self.embargoEras = embargoEras; self.minCorr = minCorr; self.minBMC = minBMC; self.maxCorr = maxCorr
        self.maxAttempts = maxAttempts; self.stakers = stakers; self.rejectionCounts = rejectionCounts
        self.candidatesTrained = candidatesTrained; self.speculativeUnused = speculativeUnused
        self.wallSeconds = wallSeconds; self.jobs = jobs; self.pairwiseSelection = pairwiseSelection
        self.pairwiseTest = pairwiseTest; self.distinctRecipes = distinctRecipes
        self.distinctRecipesIgnoringSeed = distinctRecipesIgnoringSeed
        self.benchmarkSelectionCorr = benchmarkSelectionCorr; self.benchmarkTestCorr = benchmarkTestCorr
        self.schemes = schemes; self.rotationRule = rotationRule
    }

    public var acceptedCount: Int { stakers.filter(\.accepted).count }
    /// Candidates decided (what acceptance was judged on; speculative extras excluded).
    public var candidatesDecided: Int { stakers.reduce(0) { $0 + $1.candidates } }
    public var decidedTrainSeconds: Double { stakers.reduce(0) { $0 + $1.trainSeconds } }
}

/// The mining report: `DIR/report.md` and `DIR/charts/mining-*.svg`.
public enum MiningReport {
    public static let chartNames = ["mining-acceptance.svg", "mining-candidates.svg", "mining-uniqueness.svg",
                                    "mining-schemes.svg"]

    /// Writes the report and its charts; returns the report's URL.
    @discardableResult
    public static func write(_ input: MiningReportInput, to directory: URL) throws -> URL {
        let charts = directory.appendingPathComponent("charts")
        for (name, svg) in renderCharts(input) { try Charts.write(svg, to: charts.appendingPathComponent(name)) }
        let report = directory.appendingPathComponent("report.md")
        try Charts.write(markdown(input, directory: directory), to: report)
        return report
    }

    static func fixed(_ x: Double, _ d: Int = 4) -> Markdown.Cell { .number(x, digits: d) }

    /// Summary statistics of finite values: mean, std (ddof 0), min, 5/50/95% quantiles, max.
    static func summary(_ values: [Double]) -> (mean: Double, std: Double, min: Double, q05: Double, median: Double, q95: Double, max: Double) {
        let v = values.filter(\.isFinite).sorted()
        guard !v.isEmpty else { return (.nan, .nan, .nan, .nan, .nan, .nan, .nan) }
        let mean = v.reduce(0, +) / Double(v.count)
        let std = (v.reduce(0) { $0 + ($1 - mean) * ($1 - mean) } / Double(v.count)).squareRoot()
        func q(_ p: Double) -> Double {
            let h = Double(v.count - 1) * p
            let lo = Int(h.rounded(.down)), hi = Swift.min(lo + 1, v.count - 1)
            return v[lo] + (h - Double(lo)) * (v[hi] - v[lo])
        }
        return (mean, std, v.first!, q(0.05), q(0.5), q(0.95), v.last!)
    }

    public static func renderCharts(_ input: MiningReportInput) -> [(String, String)] {
        // Acceptance: accepted models against candidates decided, in mining order.
        var xs: [Double] = [0], ys: [Double] = [0]
        var decided = 0, accepted = 0
        for s in input.stakers {
            decided += s.candidates
            if s.accepted { accepted += 1 }
            xs.append(Double(decided)); ys.append(Double(accepted))
        }
        var acceptance = LineChart(
            title: "Accepted models against candidates tried",
            subtitle: "one point per staker in mining order; dashed: every candidate accepted",
            xLabel: "candidates decided", yLabel: "accepted models",
            series: [LineSeries(name: "farm", x: xs, y: ys, markers: xs.count <= 60),
                     LineSeries(name: "all accepted", x: [0, Double(decided)], y: [0, Double(decided)], style: .dashed)])
        acceptance.integerX = true

        let candidates = BarChart(
            title: "Candidates per staker", subtitle: "max attempts \(input.maxAttempts); staker order",
            xLabel: "staker (mining order)", yLabel: "candidates decided",
            values: input.stakers.map { Double($0.candidates) }, barName: "candidates", maxBars: 200)

        let uniqueness = Histogram(
            title: "Pairwise correlation of accepted models",
            subtitle: "Pearson of per-era gaussianized predictions; criterion |corr| < \(NumberFormat.fixed(input.maxCorr, 2)) on selection eras",
            xLabel: "pairwise correlation",
            groups: [Histogram.Group(name: "selection eras", values: input.pairwiseSelection),
                     Histogram.Group(name: "test eras", values: input.pairwiseTest)],
            markers: [Histogram.Marker(label: "max-corr", value: input.maxCorr)])

        let fundMarkers = input.schemes.first.map {
            [Histogram.Marker(label: "fund (ensemble) \(NumberFormat.fixed($0.fundCorrMean, 4))", value: $0.fundCorrMean)]
        } ?? []
        let schemes = Histogram(
            title: "Per-staker mean corr on the test eras, by scheme",
            subtitle: "\(input.schemes.first?.stakerMeans.count ?? 0) stakers, \(input.testEras) test eras",
            xLabel: "staker's mean per-era corr",
            groups: input.schemes.map { Histogram.Group(name: $0.name, values: $0.stakerMeans) },
            markers: fundMarkers)
        return [("mining-acceptance.svg", acceptance.render()), ("mining-candidates.svg", candidates.render()),
                ("mining-uniqueness.svg", uniqueness.render()), ("mining-schemes.svg", schemes.render())]
    }

    public static func markdown(_ input: MiningReportInput, directory: URL) -> String {
        let charts = directory.appendingPathComponent("charts")
        func image(_ name: String, _ alt: String) -> String {
            Markdown.image(alt: alt, file: charts.appendingPathComponent(name), reportDirectory: directory)
        }
        let n = input.stakers.count, a = input.acceptedCount, decided = input.candidatesDecided
        var out: [String] = []
        out.append(Markdown.heading("Mining report: \(input.studyName)", level: 1))
        out.append("Study hash `\(input.studyHash)`; data: \(Markdown.escapeInline(input.data)). Scored target `\(input.target)` on the `\(input.evaluationSplit)` split: \(input.selectionEras) selection eras decide acceptance, then a \(input.embargoEras)-era embargo, then \(input.testEras) test eras for rotation and pooling.")
        out.append(Markdown.heading("Summary"))
        let perAccepted = a > 0 ? input.decidedTrainSeconds / Double(a) : .nan
        out.append(Markdown.table(header: ["measure", "value"], rows: [
            ["stakers", .numeric(String(n))],
            ["accepted", .numeric(String(a))],
            ["acceptance rate (stakers with a model)", .numeric(n > 0 ? NumberFormat.fixed(100 * Double(a) / Double(n), 1) + "%" : "NaN")],
            ["candidates decided", .numeric(String(decided))],
            ["acceptance rate (per candidate)", .numeric(decided > 0 ? NumberFormat.fixed(100 * Double(a) / Double(decided), 1) + "%" : "NaN")],
            ["candidates per accepted model", a > 0 ? fixed(Double(decided) / Double(a), 2) : "NaN"],
            ["training seconds per accepted model", fixed(perAccepted, 2)],
            ["candidates trained (incl. speculative)", .numeric(String(input.candidatesTrained))],
            ["speculative candidates never needed", .numeric(String(input.speculativeUnused))],
            ["wall seconds (all runs)", fixed(input.wallSeconds, 1)],
            ["distinct recipes among accepted", .numeric("\(input.distinctRecipes) of \(a)")],
            ["distinct recipes ignoring the seed", .numeric("\(input.distinctRecipesIgnoringSeed) of \(a)")],
        ]))

        out.append(Markdown.heading("Acceptance criteria"))
        out.append("A candidate is accepted when, on the selection eras, its mean per-era numerai_corr > \(NumberFormat.metric(input.minCorr, digits: 4)), its mean BMC against the example model > \(NumberFormat.metric(input.minBMC, digits: 4)), its recipe differs from every accepted one, and |corr| of its gaussianized predictions with every model accepted before it < \(NumberFormat.fixed(input.maxCorr, 3)). Otherwise the staker's next candidate is drawn, at most \(input.maxAttempts) per staker. The example model scores \(NumberFormat.fixed(input.benchmarkSelectionCorr, 4)) on the selection eras and \(NumberFormat.fixed(input.benchmarkTestCorr, 4)) on the test eras.")
        out.append(image("mining-acceptance.svg", "accepted models against candidates"))
        out.append(image("mining-candidates.svg", "candidates per staker"))
        if !input.rejectionCounts.isEmpty {
            out.append(Markdown.table(header: ["rejection reason", "candidates"],
                                      rows: input.rejectionCounts.map { [.text($0.reason), .numeric(String($0.count))] }))
            out.append("A candidate can fail several criteria; each failed criterion is counted.")
        } else {
            out.append("No candidate was rejected.")
        }

        out.append(Markdown.heading("Uniqueness"))
        let sel = summary(input.pairwiseSelection), tst = summary(input.pairwiseTest)
        out.append(Markdown.table(header: ["eras", "pairs", "mean", "std", "min", "5%", "median", "95%", "max"], rows: [
            [.text("selection"), .numeric(String(input.pairwiseSelection.count)), fixed(sel.mean, 3), fixed(sel.std, 3), fixed(sel.min, 3), fixed(sel.q05, 3), fixed(sel.median, 3), fixed(sel.q95, 3), fixed(sel.max, 3)],
            [.text("test"), .numeric(String(input.pairwiseTest.count)), fixed(tst.mean, 3), fixed(tst.std, 3), fixed(tst.min, 3), fixed(tst.q05, 3), fixed(tst.median, 3), fixed(tst.q95, 3), fixed(tst.max, 3)],
        ]))
        out.append(image("mining-uniqueness.svg", "pairwise correlation of accepted models"))

        out.append(Markdown.heading("Rotation and pooling (test eras)"))
        out.append("Each accepted model belongs to one staker; stakes are equal. (a) every staker submits its own model; (b) \(Markdown.escapeInline(input.rotationRule)); (c) every staker submits the equal-weight ensemble of all mined models. The fund's meta model is, each era, the mean of all stakers' gaussianized submissions, scored with numerai_corr and BMC against the example model.")
        out.append(Markdown.table(
            header: ["scheme", "staker mean", "std", "min", "5%", "median", "95%", "max", "max − min", "fund corr", "fund sharpe", "fund BMC"],
            rows: input.schemes.map { s in
                let d = summary(s.stakerMeans)
                return [.text(s.name), fixed(d.mean), fixed(d.std), fixed(d.min), fixed(d.q05), fixed(d.median), fixed(d.q95),
                        fixed(d.max), fixed(d.max - d.min), fixed(s.fundCorrMean), fixed(s.fundCorrSharpe, 3), fixed(s.fundBMCMean)]
            }))
        out.append("In (a) and (b) the fund receives the same set of models every era, only handed to different stakers, so its meta model can differ from (c)'s only by rounding; what the schemes change is how evenly the stakers are paid.")
        out.append(image("mining-schemes.svg", "per-staker mean corr by scheme"))

        out.append(Markdown.heading("Stakers"))
        out.append(Markdown.table(
            header: ["staker", "status", "candidates", "arm", "selection corr", "selection BMC", "test corr", "test BMC", "max corr with earlier", "train s", "note"],
            rows: input.stakers.map { s in
                [.text(s.id), .text(s.accepted ? "accepted #\(s.acceptedAttempt ?? 0)" : "not accepted"),
                 .numeric(String(s.candidates)), .text(s.arm ?? ""), fixed(s.selectionCorr), fixed(s.selectionBMC),
                 fixed(s.testCorr), fixed(s.testBMC), fixed(s.maxCorrWithEarlier, 3), fixed(s.trainSeconds, 2),
                 .text(s.accepted ? "" : (s.lastRejection ?? ""))]
            }))
        out.append("Run with \(input.jobs) job(s). Models, parameters, metrics and live submissions are in `stakers/<id>/`; every decision with its numbers is in `farm.json`.")
        return out.joined(separator: "\n\n") + "\n"
    }
}
