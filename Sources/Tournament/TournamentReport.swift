import Diversity
import Foundation
import Reports
import Support

/// Writes `tournament.json`, `scores.csv`, `report.md` and `charts/*.svg` into a directory.
/// Every file is a temporary file renamed into place (`Charts.write`).
public enum TournamentReport {
    public static func write(_ output: TournamentRunner.Output, to directory: URL) throws {
        let r = output.result
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        let charts = renderCharts(r)
        for (name, svg) in charts { try Charts.write(svg, to: directory.appendingPathComponent("charts/\(name)")) }
        try Charts.write(output.scoresCSV, to: directory.appendingPathComponent("scores.csv"))
        try Charts.write(String(decoding: try CanonicalJSON.encode(r), as: UTF8.self),
                         to: directory.appendingPathComponent("tournament.json"))
        try Charts.write(markdown(r), to: directory.appendingPathComponent("report.md"))
    }

    static func f(_ x: Double, _ d: Int = 4) -> String { NumberFormat.fixed(x, d) }
    static func interval(_ h: HACMean) -> String { "\(f(h.mean, 5)) [\(f(h.low, 5)), \(f(h.high, 5))]" }

    static func series(_ r: TournamentResult, _ pick: (ScenarioPoint) -> HACMean?) -> [LineSeries] {
        r.scenarios.map { s in
            let pts = s.points.filter { $0.newcomers > 0 }.compactMap { p in pick(p).map { (Double(p.newcomers), $0) } }
            return LineSeries(name: s.option.rawValue, x: pts.map(\.0), y: pts.map(\.1.mean),
                              band: IntervalBand(low: pts.map(\.1.low), high: pts.map(\.1.high)), markers: true)
        }
    }

    static func renderCharts(_ r: TournamentResult) -> [(String, String)] {
        let band = "\(Int((r.inference.level * 100).rounded()))% HAC interval"
        func chart(_ title: String, _ y: String, _ s: [LineSeries]) -> String {
            var c = LineChart(title: title, subtitle: "test eras, \(r.incumbents.count) incumbents; x: newcomers (log)",
                              xLabel: "new stakers N", yLabel: y, series: s, bandLabel: band)
            c.logX = true
            c.includeZeroY = true
            return c.render()
        }
        let spread = r.scenarios.map { s in
            let pts = s.points.compactMap { p in p.newcomerPayoutSpread.map { (Double(p.newcomers), $0) } }
            return LineSeries(name: s.option.rawValue, x: pts.map(\.0), y: pts.map(\.1.median),
                              band: IntervalBand(low: pts.map(\.1.q05), high: pts.map(\.1.q95)), markers: true)
        }
        var spreadChart = LineChart(title: "Spread of newcomers' mean payout (luck)", subtitle: "median, 5–95% over newcomers; test eras",
                                    xLabel: "new stakers N", yLabel: "mean payout per newcomer", series: spread,
                                    bandLabel: "5–95% over newcomers")
        spreadChart.logX = true
        spreadChart.includeZeroY = true
        return [
            ("tournament-meta-corr.svg", chart("Meta model corr: change as newcomers join", "Δ meta corr vs N = 0", series(r) { $0.metaCorrChange })),
            ("tournament-newcomer-payout.svg", chart("Newcomers' payout", "mean payout (per era, over newcomers)", series(r) { $0.newcomerPayout })),
            ("tournament-incumbent-mmc.svg", chart("Incumbents' MMC: dilution", "Δ stake-weighted MMC vs N = 0", series(r) { $0.incumbentMMCChange })),
            ("tournament-newcomer-spread.svg", spreadChart.render()),
        ]
    }

    static func sentence(_ v: Verdict, gain: String, loss: String, none: String) -> String {
        switch v {
        case .gain: return gain
        case .loss: return loss
        case .noEvidence: return none
        case .undetermined: return "cannot be determined (too few eras or no newcomer)"
        }
    }

    static func markdown(_ r: TournamentResult) -> String {
        var out: [String] = []
        out.append(Markdown.heading("Tournament: \(r.name)", level: 1))
        if let d = r.description { out.append(d) }
        let lvl = Int((r.inference.level * 100).rounded())
        out.append("""
        A simulated Numerai tournament over \(r.poolSource == "farm" ? "the mined farm" : "the stored predictions of") \
        `\(r.study)`: \(r.incumbents.count) incumbent stakers \
        (stakes \(r.incumbentStakes)), a pool of \(r.poolModels) models, scored on \(r.testEras.count) test eras \
        (after \(r.selectionEras) selection eras and the embargo). Meta model = stake-weighted mean of gaussianized \
        submissions; MMC = numerai-tools `correlation_contribution` against it; payout = clip(\(f(r.payout.corr, 2))·CORR + \
        \(f(r.payout.mmc, 2))·MMC, ±\(f(r.payout.clip, 3))). Intervals: \(r.inference.method), \(lvl)%, \(r.inference.lags) lags; \
        verdicts at each scenario's largest N with \(r.inference.multipleTesting) (α = \(f(r.inference.alpha, 3))): \
        a verdict needs the Holm-adjusted p below α, so an unadjusted \(lvl)% interval can exclude 0 without a verdict.
        """)
        out.append(Markdown.heading("Would the fund and the stakers gain?"))
        var rows: [[Markdown.Cell]] = []
        for s in r.scenarios {
            guard let last = s.points.last(where: { $0.newcomers > 0 }) else {
                rows.append([.text(s.title), .text("no candidate model"), "", "", "", "", ""]); continue
            }
            rows.append([.text(s.title), .number(Double(last.newcomers), digits: 0),
                         .text(interval(last.metaCorrChange) + " → " + (s.fund?.verdict.rawValue ?? "")),
                         .text(last.newcomerPayout.map(interval).map { $0 + " → " + (s.newcomers?.verdict.rawValue ?? "") } ?? ""),
                         .text(interval(last.incumbentMMCChange) + " → " + (s.incumbents?.verdict.rawValue ?? "")),
                         .number(last.newcomerPositiveShare, digits: 3), .number(Double(s.candidates), digits: 0)])
        }
        out.append(Markdown.table(header: ["scenario", "N", "Δ meta corr [\(lvl)%]", "newcomer payout [\(lvl)%]",
                                           "Δ incumbent MMC [\(lvl)%]", "newcomers paid > 0", "candidate models"], rows: rows))
        for s in r.scenarios {
            guard let last = s.points.last(where: { $0.newcomers > 0 }), let fund = s.fund, let nc = s.newcomers, let inc = s.incumbents else {
                out.append("**\(Markdown.escapeInline(s.title)).** No grid model passes this option's filter, so no newcomer can join.")
                continue
            }
            let spread = last.newcomerPayoutSpread
            out.append("**\(Markdown.escapeInline(s.title)).** With \(last.newcomers) newcomers holding \(f(100 * last.newcomerStakeShare, 1))% of the stake, the fund's meta model "
                + sentence(fund.verdict, gain: "gains corr (\(f(fund.mean, 5)) per era, Holm p = \(f(fund.pHolm, 4)))",
                           loss: "loses corr (\(f(fund.mean, 5)) per era, Holm p = \(f(fund.pHolm, 4)))",
                           none: "shows no detectable change in corr (\(f(fund.mean, 5)), interval [\(f(fund.low, 5)), \(f(fund.high, 5))], Holm p = \(f(fund.pHolm, 4)))")
                + "; the newcomers' mean payout "
                + sentence(nc.verdict, gain: "is positive (\(f(nc.mean, 5)), Holm p = \(f(nc.pHolm, 4)))",
                           loss: "is negative (\(f(nc.mean, 5)), Holm p = \(f(nc.pHolm, 4)))",
                           none: "is not distinguishable from zero (\(f(nc.mean, 5)), interval [\(f(nc.low, 5)), \(f(nc.high, 5))], Holm p = \(f(nc.pHolm, 4)))")
                + (spread.map { ", and luck spreads individual newcomers from \(f($0.q05, 5)) to \(f($0.q95, 5)) (5–95%)" } ?? "")
                + "; the incumbents' MMC "
                + sentence(inc.verdict, gain: "rises (\(f(inc.mean, 5)), Holm p = \(f(inc.pHolm, 4)))",
                           loss: "is diluted (\(f(inc.mean, 5)), Holm p = \(f(inc.pHolm, 4)))",
                           none: "shows no detectable dilution (\(f(inc.mean, 5)), interval [\(f(inc.low, 5)), \(f(inc.high, 5))], Holm p = \(f(inc.pHolm, 4)))")
                + ".")
        }
        out.append("![Meta model corr change](charts/tournament-meta-corr.svg)")
        out.append("![Newcomers' payout](charts/tournament-newcomer-payout.svg)")
        out.append("![Incumbents' MMC change](charts/tournament-incumbent-mmc.svg)")
        out.append("![Spread of newcomers' payout](charts/tournament-newcomer-spread.svg)")

        out.append(Markdown.heading("Scenario curves"))
        for s in r.scenarios {
            out.append(Markdown.heading(s.title, level: 3))
            out.append(Markdown.table(
                header: ["N", "newcomer stake share", "meta corr", "Δ meta corr", "newcomer payout", "newcomer corr", "newcomer MMC",
                         "newcomer NC", "incumbent MMC", "Δ incumbent MMC"],
                rows: s.points.map { p in
                    [.number(Double(p.newcomers), digits: 0), .number(p.newcomerStakeShare, digits: 3), .number(p.metaCorrMean, digits: 5),
                     .number(p.metaCorrChange.mean, digits: 5), .number(p.newcomerPayout?.mean ?? .nan, digits: 5),
                     .number(p.newcomerCorrMean, digits: 5), .number(p.newcomerMMCMean, digits: 5), .number(p.newcomerNCMean, digits: 5),
                     .number(p.incumbentMMCMean, digits: 5), .number(p.incumbentMMCChange.mean, digits: 5)]
                }))
        }

        out.append(Markdown.heading("Incumbents"))
        out.append("Baseline (incumbents only): meta model corr \(f(r.baselineMetaCorrMean, 5)) per test era.")
        out.append(Markdown.table(header: ["group", "models", "stake share", "stakers", "mean corr", "mean MMC", "mean MMC (leave-self-out)", "mean payout"],
                                  rows: r.groups.map { g in
            let members = r.incumbents.filter { $0.group == g.name }
            let stake = members.reduce(0) { $0 + $1.stake }
            func w(_ k: KeyPath<StakerRecord, Double>) -> Double {
                stake > 0 ? members.reduce(0) { $0 + $1.stake * ($1[keyPath: k].isFinite ? $1[keyPath: k] : 0) } / stake : .nan
            }
            return [.text(g.name), .number(Double(g.models.count), digits: 0), .number(g.share, digits: 3),
                    .number(Double(g.stakers), digits: 0), .number(w(\.corrMean), digits: 5), .number(w(\.mmcMean), digits: 5),
                    .number(w(\.mmcLeaveSelfOutMean), digits: 5), .number(w(\.payoutMean), digits: 5)]
        }))
        out.append("Group means are stake-weighted. Leave-self-out MMC scores each staker against the meta model built without its own stake; per staker and era: `scores.csv`.")
        let top = r.incumbents.sorted { $0.stake > $1.stake || ($0.stake == $1.stake && $0.id < $1.id) }.prefix(20)
        out.append(Markdown.table(header: ["staker", "group", "model", "stake", "corr", "MMC", "MMC leave-self-out", "NC", "payout"],
                                  rows: top.map { s in
            [.text(s.id), .text(s.group), .text(s.model), .number(s.stake, digits: 3), .number(s.corrMean, digits: 5),
             .number(s.mmcMean, digits: 5), .number(s.mmcLeaveSelfOutMean, digits: 5), .number(s.ncMean, digits: 5),
             .number(s.payoutMean, digits: 5)]
        }))
        out.append("The 20 largest stakes are shown; `tournament.json` lists every incumbent.")
        return out.joined(separator: "\n\n") + "\n"
    }
}
