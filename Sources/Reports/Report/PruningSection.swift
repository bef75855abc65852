import Diversity
import EvaluationRules
import Foundation

/// What a study's successive halving (`pruning`, metrics `pruning`) did to each arm, for the
/// contrasts section: a sentence per arm and a table, so a contrast between arms is read against
/// how many of each arm's models it still holds.
extension ReportDocument {
    func pruningNote() -> String {
        guard let p = metrics.pruning else { return "" }
        return ReportText.pruning(p)
    }
}

extension ReportText {
    /// "Pruning (successive halving …): arm `grid`: 16 models, 8 pruned at 100 trees, 4 at 1000; its
    /// ensembles and contrasts use its 4 survivors." plus a table arm × rung.
    static func pruning(_ p: PruningRecord) -> String {
        let rungs = p.rungs.map(String.init).joined(separator: ", ")
        var lines = ["**Pruning.** Successive halving at \(rungs) trees: at each rung the best " +
                     "\(ReportText.percent(p.keep, digits: 0)) of each arm's models still training (by mean selection-era " +
                     "corr, never the test eras) train on; pruned models are left out of the ensembles, contrasts and " +
                     "diversity statistics (their predictions at the rung stay in `predictions.h5`, status `pruned`)."]
        for arm in p.arms {
            let pruned = zip(p.rungs, arm.prunedPerRung).filter { $0.1 > 0 }.map { "\($0.1) at \($0.0) trees" }
            let what = pruned.isEmpty ? "none pruned" : pruned.joined(separator: ", ") + " pruned"
            lines.append("- arm `\(arm.arm)`: \(arm.models) model\(arm.models == 1 ? "" : "s"), \(what); its ensembles and " +
                         "contrasts use its \(arm.survivors) survivor\(arm.survivors == 1 ? "" : "s").")
        }
        lines.append("")
        lines.append(Markdown.table(header: ["arm", "models"] + p.rungs.map { "pruned at \($0)" } + ["survivors"],
                                    rows: p.arms.map { a in
                                        [.text(a.arm), .numeric(String(a.models))] + a.prunedPerRung.map { .numeric(String($0)) }
                                            + [.numeric(String(a.survivors))]
                                    }))
        return lines.joined(separator: "\n")
    }
}
