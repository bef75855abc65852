import Diversity
import Foundation
import Support

/// First and last era names of a range of eras, and how many it holds.
public struct EraSpan: Codable, Equatable, Sendable {
    public var first: String
    public var last: String
    public var count: Int
    public init?(_ eras: [String]) {
        guard let f = eras.first, let l = eras.last else { return nil }
        first = f
        last = l
        count = eras.count
    }
    var text: String { count == 1 ? "\(first) (1)" : "\(first)–\(last) (\(count))" }
}

/// One replicate run of a replicated study: what it varied and which eras it used.
public struct ReplicateRunSummary: Codable, Equatable, Sendable {
    public var label: String
    public var dataSeed: UInt64?
    public var studySeed: UInt64
    /// "i/n" for a walk-forward fold.
    public var fold: String?
    /// The replicate's study directory, relative to the parent's.
    public var directory: String
    public var train: EraSpan?
    public var selection: EraSpan?
    public var test: EraSpan?

    public init(label: String, dataSeed: UInt64?, studySeed: UInt64, fold: String?, directory: String,
                train: EraSpan?, selection: EraSpan?, test: EraSpan?) {
        self.label = label
        self.dataSeed = dataSeed
        self.studySeed = studySeed
        self.fold = fold
        self.directory = directory
        self.train = train
        self.selection = selection
        self.test = test
    }

    enum CodingKeys: String, CodingKey {
        case label, dataSeed = "data_seed", studySeed = "study_seed", fold, directory, train, selection, test
    }
}

/// `DIR/replicates.json`: the replicates, every quantity per replicate, and pooled.
public struct ReplicateSummary: Codable, Equatable, Sendable {
    public var study: String
    /// Two-sided level of every interval.
    public var level: Double
    public var replicates: [ReplicateRunSummary]
    /// Per replicate and quantity.
    public var rows: [ReplicateEstimate]
    public var pooled: [PooledEstimate]

    public init(study: String, level: Double, replicates: [ReplicateRunSummary], rows: [ReplicateEstimate],
                pooled: [PooledEstimate]) {
        self.study = study
        self.level = level
        self.replicates = replicates
        self.rows = rows
        self.pooled = pooled
    }
}

/// The parent's `metrics.json`: the pooled rows (what `compare` and scripts read).
struct ReplicateParentMetrics: Codable {
    var replicates: [PooledEstimate]
}

/// Writes a replicated study's `replicates.json`, `metrics.json` (`replicates[]`),
/// `charts/forest-*.svg` and `replicates.md`.
public enum ReplicateReport {
    /// Writes everything into `directory`; returns the URL of `replicates.md`.
    @discardableResult
    public static func write(_ summary: ReplicateSummary, description: String = "", to directory: URL) throws -> URL {
        try Charts.write(String(decoding: try CanonicalJSON.encode(summary), as: UTF8.self),
                         to: directory.appendingPathComponent("replicates.json"))
        try Charts.write(String(decoding: try CanonicalJSON.encode(ReplicateParentMetrics(replicates: summary.pooled)), as: UTF8.self),
                         to: directory.appendingPathComponent("metrics.json"))
        let charts = directory.appendingPathComponent("charts")
        var used = Set<String>()
        var chartFiles: [String: URL] = [:]
        for p in summary.pooled {
            var slug = "forest-" + slugify(p.name)
            var n = 2
            while used.contains(slug) { slug = "forest-\(slugify(p.name))-\(n)"; n += 1 }
            used.insert(slug)
            let url = charts.appendingPathComponent(slug + ".svg")
            try Charts.write(forestPlot(p, summary: summary), to: url)
            chartFiles[p.name] = url
        }
        // Forest plots of quantities an earlier pooling had and this one has not would mislead.
        let fresh = Set(chartFiles.values.map(\.lastPathComponent))
        for name in (try? FileManager.default.contentsOfDirectory(atPath: charts.path)) ?? []
        where name.hasPrefix("forest-") && name.hasSuffix(".svg") && !fresh.contains(name) {
            try? FileManager.default.removeItem(at: charts.appendingPathComponent(name))
        }
        let report = directory.appendingPathComponent("replicates.md")
        try Charts.write(markdown(summary, description: description, chartFiles: chartFiles, directory: directory), to: report)
        return report
    }

    /// A file-name-safe form of a quantity name: lower-case letters and digits, runs of anything
    /// else as one "-".
    static func slugify(_ name: String) -> String {
        var out = ""
        for ch in name.lowercased() {
            if ch.isASCII && (ch.isLetter || ch.isNumber) { out.append(ch) } else if !out.hasSuffix("-") { out.append("-") }
        }
        while out.hasSuffix("-") { out.removeLast() }
        while out.hasPrefix("-") { out.removeFirst() }
        return out.isEmpty ? "quantity" : out
    }

    static func percent(_ level: Double) -> String { NumberFormat.compact(100 * level, 1) + "%" }

    static func forestPlot(_ p: PooledEstimate, summary: ReplicateSummary) -> String {
        let byReplicate = Dictionary(summary.rows.filter { $0.name == p.name }.map { ($0.replicate, $0) },
                                     uniquingKeysWith: { a, _ in a })
        let rows = summary.replicates.map { run -> ForestPlot.Row in
            guard let e = byReplicate[run.label] else { return .init(label: run.label, mean: .nan, low: .nan, high: .nan) }
            return .init(label: run.label, mean: e.mean, low: e.ciLow, high: e.ciHigh)
        }
        let subtitle = "\(percent(summary.level)) intervals · τ² = \(NumberFormat.metric(p.random.tau2, digits: 6)), I² = \(NumberFormat.fixed(100 * p.random.i2, 1))% · sign agrees in \(p.signAgreement) of \(p.k) (robust needs \(p.signNeeded)) · \(p.verdict)"
        return ForestPlot(title: "\(p.name) per replicate and pooled", subtitle: subtitle,
                          xLabel: p.b.map { "\(p.a ?? "a") − \($0) (mean per-era corr, test eras)" } ?? "mean per-era corr (test eras)",
                          rows: rows,
                          summaries: [.init(label: "fixed effect", mean: p.fixed.mean, low: p.fixed.ciLow, high: p.fixed.ciHigh),
                                      .init(label: "random effects (DL)", mean: p.random.mean, low: p.random.ciLow, high: p.random.ciHigh)])
        .render()
    }

    /// A corr-scale value with 4 decimals and an explicit sign ("+0.0031"), as the reports print effects.
    static func signed(_ x: Double) -> String {
        let s = NumberFormat.fixed(x, 4)
        return x > 0 && x.isFinite ? "+" + s : s
    }

    /// "mean [low, high]" with `signed`.
    public static func interval(_ mean: Double, _ low: Double, _ high: Double) -> String {
        "\(signed(mean)) [\(signed(low)), \(signed(high))]"
    }

    static func markdown(_ s: ReplicateSummary, description: String, chartFiles: [String: URL], directory: URL) -> String {
        var out: [String] = [Markdown.heading("Replicates: \(s.study)", level: 1), ""]
        if !description.isEmpty { out += [Markdown.escapeInline(description), ""] }
        let level = percent(s.level)
        out.append("The whole study ran \(s.replicates.count) time(s), once per replicate below, each in its own directory. Every quantity is estimated per replicate on its test eras, then pooled: fixed effect (inverse-variance weights 1/se²) and DerSimonian–Laird random effects (weights 1/(se² + τ²)), with \(level) normal intervals. τ² is the between-replicate variance of the true effect, I² the share of the spread that is not sampling noise. A verdict is **robust** only when the random-effects interval excludes zero and at least ⌈2k/3⌉ of the k replicates have the pooled sign (and k ≥ 2); a contrast whose interval lies inside ±its equivalence margin is **equivalent**. Across many contrasts quote the Holm-adjusted verdict (`verdict_holm`): a direction needs the Holm-adjusted p < α as well, equivalence the Holm-adjusted TOST p < α/2 (the interval inside ±margin is TOST p < α/2). Every standard error is the replicate's own Newey–West (HAC) one: contrasts as in its `contrasts[]`, levels (an ensemble's test corr) as in its `ensembles[]`. A replicate whose contrast has no estimate (an empty ensemble, or the same ensemble on both sides) is left out of that quantity and named below the table.")
        out.append("")
        out.append(Markdown.heading("Pooled verdicts"))
        out.append("")
        out.append(Markdown.table(
            header: ["quantity", "k", "fixed effect [\(level)]", "random effects [\(level)]", "τ²", "I²", "spread sd [min, max]", "sign agrees", "verdict"],
            rows: s.pooled.map { p in
                [.text(p.name), .numeric(String(p.k)), .numeric(interval(p.fixed.mean, p.fixed.ciLow, p.fixed.ciHigh)),
                 .numeric(interval(p.random.mean, p.random.ciLow, p.random.ciHigh)), .numeric(NumberFormat.metric(p.random.tau2, digits: 6)),
                 .numeric(NumberFormat.fixed(100 * p.random.i2, 1) + "%"),
                 .numeric("\(NumberFormat.fixed(p.spread.sd, 4)) [\(signed(p.spread.min)), \(signed(p.spread.max))]"),
                 .numeric("\(p.signAgreement) of \(p.k) (needs \(p.signNeeded))"), .text(p.verdict)]
            }))
        out.append("")
        let excluded = s.pooled.filter { !$0.excluded.isEmpty }
        for p in excluded {
            out.append("- \(Markdown.escapeInline(p.name)): left out of the pooling (no estimate there: missing, an empty ensemble, or standard error 0 — the same ensemble on both sides): \(p.excluded.map(Markdown.escapeInline).joined(separator: ", ")).")
        }
        if !excluded.isEmpty { out.append("") }

        out.append(Markdown.heading("Replicates"))
        out.append("")
        if s.replicates.contains(where: { $0.fold != nil }) {
            out.append("Walk-forward folds (expanding window): the eras with train or evaluation rows, e₀ … e_{T−1} in time order, are cut as scikit-learn's `TimeSeriesSplit(n_splits=n, gap=embargo)` cuts T samples — windows of W = ⌊T/(n+1)⌋ eras; fold i evaluates on eras [T − (n−i+1)·W, T − (n−i)·W) and trains on every era before that window except the embargo eras right before it. Inside the window the study's own selection / embargo / test rule applies. The eras each replicate used:")
            out.append("")
        }
        out.append(Markdown.table(
            header: ["replicate", "data seed", "study seed", "fold", "train eras", "selection eras", "test eras", "directory"],
            rows: s.replicates.map { r in
                [.text(r.label), .text(r.dataSeed.map { String($0) } ?? "study's"), .text(String(r.studySeed)), .text(r.fold ?? "—"),
                 .text(r.train?.text ?? "—"), .text(r.selection?.text ?? "—"), .text(r.test?.text ?? "—"), .text(r.directory)]
            }))
        out.append("")

        for p in s.pooled {
            out.append(Markdown.heading(p.name, level: 3))
            out.append("")
            if let url = chartFiles[p.name] {
                out.append(Markdown.image(alt: "\(p.name): forest plot", file: url, reportDirectory: directory))
                out.append("")
            }
            let rows = s.rows.filter { $0.name == p.name }
            out.append(Markdown.table(
                header: ["replicate", "mean", "se", "interval", "eras", "replicate's verdict"],
                rows: rows.map { e in
                    [.text(e.replicate), .numeric(signed(e.mean)), .numeric(NumberFormat.metric(e.se, digits: 4)),
                     .numeric("[\(signed(e.ciLow)), \(signed(e.ciHigh))]"),
                     .numeric(e.nEras.map { String($0) } ?? "—"), .text(e.verdict ?? "—")]
                }))
            out.append("")
            out.append("Pooled: random effects \(interval(p.random.mean, p.random.ciLow, p.random.ciHigh)), fixed effect \(interval(p.fixed.mean, p.fixed.ciLow, p.fixed.ciHigh)); Q = \(NumberFormat.metric(p.q, digits: 4)), τ² = \(NumberFormat.metric(p.random.tau2, digits: 6)), I² = \(NumberFormat.fixed(100 * p.random.i2, 1))%; the sign agrees in \(p.signAgreement) of \(p.k) replicates (robust needs \(p.signNeeded)): **\(p.verdict)**."
                       + (p.pHolm.map { " Holm-adjusted over the pooled contrasts: p = \(NumberFormat.metric($0, digits: 3))"
                           + (p.tostPHolm.map { ", TOST p = \(NumberFormat.metric($0, digits: 3))" } ?? "")
                           + ", verdict **\(p.verdictHolm ?? p.verdict)** (the interval is not adjusted)." } ?? ""))
            out.append("")
        }
        return out.joined(separator: "\n")
    }
}
