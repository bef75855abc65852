import Foundation
import Support

/// Verdicts of a study's paired contrasts at each generator setting, and which of them change.
///
/// Every number is the study's own inference, read back from what `run` writes at that setting;
/// nothing is estimated again here:
/// - a study with `replicates`: the pooled rows of `DIR/metrics.json` (`replicates[]`, kind
///   `contrast`: DerSimonian–Laird mean and interval, Holm-adjusted p over the pooled contrasts,
///   pooled MDE, sign agreement, `verdict_holm`) and each replicate's own verdict (HAC t test,
///   Holm, TOST) from `DIR/replicates/<label>/metrics.json`;
/// - a study without: its `contrasts[]` (paired per test era, HAC interval, Holm p, TOST, MDE).
///
/// Each tool verdict maps onto one of four words: **better** (`robust positive`, or `better` in a
/// single study), **worse** (`robust negative` / `worse`), **equivalent** (pooled: `verdict_holm`
/// equivalent, the Holm-adjusted pooled TOST p < α/2; single: the Holm-adjusted TOST p < α),
/// **inconclusive** (everything else, including a pooled direction that is not robust across
/// replicates, and `undetermined`). A contrast *changes* at a setting when its
/// word differs from the baseline's; it *reverses* when better and worse swap.
extension Sensitivity {
    static let verdictWords = ["better", "worse", "equivalent", "inconclusive"]

    /// The four-word verdict of a tool verdict (pooled `verdict_holm` or a study's `verdict`).
    static func verdictWord(_ toolVerdict: String) -> String {
        switch toolVerdict {
        case "better", "robust positive": return "better"
        case "worse", "robust negative": return "worse"
        case "equivalent": return "equivalent"
        default: return "inconclusive"
        }
    }

    /// One contrast judged at one setting.
    struct Judged {
        var name: String
        var mean: Double
        var ciLow: Double
        var ciHigh: Double
        var pHolm: Double?
        var mde: Double?
        /// The tool's own verdict (pooled `verdict_holm`, or the study's `verdict`).
        var toolVerdict: String
        var verdict: String { Sensitivity.verdictWord(toolVerdict) }
        /// Replicated studies: replicates whose mean has the pooled sign, of k; robust as pooled.
        var signAgreement: Int?
        var k: Int?
        var robust: Bool?
        /// Replicated studies: the replicates' own four-word verdicts, counted.
        var replicateVerdicts: [String: Int]?
        /// Single studies: the TOST p against the margin; both: the TOST p Holm-adjusted over the contrasts.
        var tostP: Double?
        var tostPHolm: Double?
    }

    /// Every contrast of one setting, in the study's order.
    struct VerdictRow {
        var label: String
        var replicated: Bool
        var contrasts: [Judged]

        static func object(_ url: URL) throws -> [String: Any] {
            guard let data = FileManager.default.contents(atPath: url.path),
                  let object = try? JSONSerialization.jsonObject(with: data) as? [String: Any] else {
                throw WorkbenchError.at(url.path, "missing or not a JSON object")
            }
            return object
        }

        static func number(_ any: Any?) -> Double? { (any as? NSNumber)?.doubleValue }

        /// A single study's verdicts, from its metrics.json `contrasts[]`.
        init(label: String, metrics url: URL) throws {
            self.label = label
            replicated = false
            guard let contrasts = try Self.object(url)["contrasts"] as? [[String: Any]] else {
                throw WorkbenchError.at(url.path, "no contrasts[] in metrics.json")
            }
            self.contrasts = try contrasts.map { c in
                guard let name = c["name"] as? String, let verdict = c["verdict"] as? String else {
                    throw WorkbenchError.at(url.path, "a contrast without name or verdict")
                }
                return Judged(name: name, mean: Self.number(c["mean"]) ?? .nan,
                              ciLow: Self.number(c["hac_ci_low"]) ?? .nan, ciHigh: Self.number(c["hac_ci_high"]) ?? .nan,
                              pHolm: Self.number(c["p_holm"]), mde: Self.number(c["mde"]), toolVerdict: verdict,
                              tostP: Self.number((c["equivalence"] as? [String: Any])?["p"]), tostPHolm: Self.number(c["tost_p_holm"]))
            }
        }

        /// A replicated study's pooled verdicts (`DIR/metrics.json` `replicates[]`) with each
        /// replicate's own verdicts counted (`DIR/replicates.json` names their directories).
        init(label: String, replicatedIn directory: URL) throws {
            self.label = label
            replicated = true
            let metricsURL = directory.appendingPathComponent("metrics.json")
            guard let pooled = try Self.object(metricsURL)["replicates"] as? [[String: Any]] else {
                throw WorkbenchError.at(metricsURL.path, "no replicates[] in metrics.json")
            }
            var perReplicate: [String: [String: Int]] = [:]
            for dir in try Self.replicateDirectories(directory) {
                let url = directory.appendingPathComponent(dir).appendingPathComponent("metrics.json")
                for c in (try Self.object(url)["contrasts"] as? [[String: Any]]) ?? [] {
                    guard let name = c["name"] as? String, let verdict = c["verdict"] as? String else { continue }
                    perReplicate[name, default: [:]][Sensitivity.verdictWord(verdict), default: 0] += 1
                }
            }
            contrasts = try pooled.filter { $0["kind"] as? String == "contrast" }.map { p in
                guard let name = p["name"] as? String, let random = p["random"] as? [String: Any],
                      let verdict = (p["verdict_holm"] ?? p["verdict"]) as? String else {
                    throw WorkbenchError.at(metricsURL.path, "a pooled contrast without name, random or verdict")
                }
                return Judged(name: name, mean: Self.number(random["mean"]) ?? .nan,
                              ciLow: Self.number(random["ci_low"]) ?? .nan, ciHigh: Self.number(random["ci_high"]) ?? .nan,
                              pHolm: Self.number(p["p_holm"]), mde: Self.number(p["mde"]), toolVerdict: verdict,
                              signAgreement: p["sign_agreement"] as? Int, k: p["k"] as? Int, robust: p["robust"] as? Bool,
                              replicateVerdicts: perReplicate[name] ?? [:], tostPHolm: Self.number(p["tost_p_holm"]))
            }
        }

        /// The replicates' directories (relative to the study's), from `DIR/replicates.json`.
        static func replicateDirectories(_ directory: URL) throws -> [String] {
            let url = directory.appendingPathComponent("replicates.json")
            guard let runs = try object(url)["replicates"] as? [[String: Any]] else {
                throw WorkbenchError.at(url.path, "no replicates[]")
            }
            return runs.compactMap { $0["directory"] as? String }
        }

        func judged(_ name: String) -> Judged? { contrasts.first { $0.name == name } }
    }

    /// The verdict table over the settings; the first row is the baseline (the study as written).
    struct VerdictTable {
        var rows: [VerdictRow]

        /// Contrast names in the baseline's order, then any a later setting adds.
        var names: [String] {
            var out: [String] = []
            for r in rows { for c in r.contrasts where !out.contains(c.name) { out.append(c.name) } }
            return out
        }

        /// Settings (labels) where a contrast's verdict word differs from the baseline's, by contrast.
        var changes: [String: [String]] {
            var out: [String: [String]] = [:]
            guard let baseline = rows.first else { return out }
            for name in names {
                let b = baseline.judged(name)?.verdict
                let changed = rows.dropFirst().filter { $0.judged(name)?.verdict != b }.map(\.label)
                if !changed.isEmpty { out[name] = changed }
            }
            return out
        }

        /// The changes where better and worse swap.
        var reversals: [String: [String]] {
            var out: [String: [String]] = [:]
            guard let baseline = rows.first else { return out }
            for name in names {
                guard let b = baseline.judged(name)?.verdict, b == "better" || b == "worse" else { continue }
                let other = b == "better" ? "worse" : "better"
                let reversed = rows.dropFirst().filter { $0.judged(name)?.verdict == other }.map(\.label)
                if !reversed.isEmpty { out[name] = reversed }
            }
            return out
        }

        static func p(_ v: Double?) -> String {
            guard let v, v.isFinite else { return "—" }
            return v < 0.001 ? "< 0.001" : String(format: "%.3f", v)
        }

        static func cell(_ j: Judged?) -> String {
            guard let j else { return "—" }
            var s = "**\(j.verdict)** \(Table.format(j.mean)) (Holm p \(p(j.pHolm))"
            if let a = j.signAgreement, let k = j.k { s += ", sign \(a)/\(k)" }
            return s + ")"
        }

        func markdown() -> String {
            guard let baseline = rows.first else { return "" }
            let replicated = baseline.replicated
            let changes = self.changes, reversals = self.reversals
            var s = "## Verdicts per setting\n\n"
            s += replicated
                ? "Each setting is judged as the study judges itself: its paired contrasts per test era in every replicate, pooled over the replicates (random effects), Holm-adjusted over the pooled contrasts; **better**/**worse** = the pooled `verdict_holm` is robust positive/negative (interval excludes 0, Holm p < α, sign agrees in ≥ ⌈2k/3⌉ of k replicates), **equivalent** = the Holm-adjusted pooled TOST p < α/2 (the adjusted form of the pooled interval inside ±margin), otherwise **inconclusive** (a direction that is not robust counts as inconclusive). Cells: verdict, pooled mean (Holm p, sign agreement). ⚠ marks a verdict that differs from the baseline's.\n\n"
                : "Each setting is judged as the study judges itself: its paired contrasts per test era (HAC interval, Holm-adjusted p, TOST against the margin); **better**/**worse** = Holm p < α, **equivalent** = Holm-adjusted TOST p < α, otherwise **inconclusive**. Cells: verdict, mean (Holm p). ⚠ marks a verdict that differs from the baseline's.\n\n"
            s += "| contrast | " + rows.map(\.label).joined(separator: " | ") + " | holds? |\n"
            s += "|---|" + rows.map { _ in "---|" }.joined() + "---|\n"
            for name in names {
                let b = baseline.judged(name)?.verdict
                s += "| `\(name)` | " + rows.map { r in
                    let j = r.judged(name)
                    return Self.cell(j) + (j?.verdict != b ? " ⚠" : "")
                }.joined(separator: " | ")
                s += " | " + (reversals[name] != nil ? "**reverses**" : changes[name] != nil ? "**changes**" : "yes") + " |\n"
            }
            let held = names.filter { changes[$0] == nil }
            s += "\n\(held.count) of \(names.count) contrasts keep their baseline verdict at every setting"
            if changes.isEmpty { s += ".\n" } else {
                s += "; \(changes.count) change"
                s += reversals.isEmpty ? " (none reverses).\n" : " (\(reversals.count) reverse: better and worse swap).\n"
                for name in names {
                    guard let labels = changes[name] else { continue }
                    s += "- `\(name)`: \(baseline.judged(name)?.verdict ?? "—") at the baseline; "
                        + labels.map { l in "\(rows.first { $0.label == l }?.judged(name)?.verdict ?? "—") at \(l)" }.joined(separator: ", ") + ".\n"
                }
            }
            s += "\n### Details\n\n"
            s += "| setting | contrast | mean | \(replicated ? "pooled interval" : "HAC interval") | Holm p | MDE | \(replicated ? "sign agrees | replicates' verdicts" : "TOST p") | TOST p (Holm) | tool verdict |\n"
            s += replicated ? "|---|---|--:|:-:|--:|--:|:-:|---|--:|---|\n" : "|---|---|--:|:-:|--:|--:|--:|--:|---|\n"
            for r in rows {
                for j in r.contrasts {
                    s += "| \(r.label) | `\(j.name)` | \(Table.format(j.mean)) | [\(Table.format(j.ciLow)), \(Table.format(j.ciHigh))] | \(Self.p(j.pHolm)) | "
                    s += (j.mde.map { $0.isFinite ? String(format: "%.4f", $0) : "—" } ?? "—") + " | "
                    if replicated {
                        s += (j.signAgreement.map { "\($0)/\(j.k ?? 0)" } ?? "—") + " | "
                        s += Sensitivity.verdictWords.compactMap { w in j.replicateVerdicts?[w].map { "\($0) \(w)" } }.joined(separator: ", ") + " | "
                    } else {
                        s += Self.p(j.tostP) + " | "
                    }
                    s += Self.p(j.tostPHolm) + " | \(j.toolVerdict) |\n"
                }
            }
            return s
        }

        func jsonObject() -> [String: Any] {
            func finite(_ v: Double?) -> Any { guard let v, v.isFinite else { return NSNull() }; return v }
            return [
                "replicated": rows.first?.replicated ?? false,
                "contrasts": names,
                "settings": rows.map { r -> [String: Any] in
                    ["label": r.label,
                     "contrasts": r.contrasts.map { j -> [String: Any] in
                         var o: [String: Any] = ["name": j.name, "mean": finite(j.mean), "ci_low": finite(j.ciLow),
                                                 "ci_high": finite(j.ciHigh), "p_holm": finite(j.pHolm), "mde": finite(j.mde),
                                                 "tool_verdict": j.toolVerdict, "verdict": j.verdict]
                         if let a = j.signAgreement { o["sign_agreement"] = a }
                         if let k = j.k { o["k"] = k }
                         if let robust = j.robust { o["robust"] = robust }
                         if let counts = j.replicateVerdicts { o["replicate_verdicts"] = counts }
                         if r.replicated == false { o["tost_p"] = finite(j.tostP) }
                         o["tost_p_holm"] = finite(j.tostPHolm)
                         return o
                     }]
                },
                "changes": changes,
                "reversals": reversals,
            ]
        }
    }
}
