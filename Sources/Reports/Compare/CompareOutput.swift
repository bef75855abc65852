import Diversity
import Foundation
import Support

/// What `compare` prints (terminal), writes (`--markdown`) and emits (`--json`): the headline
/// block first, then what changed beyond tolerance (regressed, removed, improved), then the
/// neutral detail (neutral changes, added metrics, list elements gone).
extension Comparison {
    /// GitHub's comment limit is 65,536 characters; the Markdown stays under this many bytes.
    public static let markdownLimit = 60_000
    /// The changed table and the folded detail each get at most this many bytes, so a comment
    /// stays readable long before the limit.
    public static let changedBudget = 25_000
    public static let detailBudget = 15_000
    /// Rows of each table on the terminal without `--all`.
    public static let terminalRows = 40

    /// What changed beyond tolerance: regressions and removals first, then improvements.
    public var changedRows: [ComparisonRow] {
        rows.filter { $0.status == .regressed || $0.status == .removed } + rows.filter { $0.status == .improved }
    }
    /// Neutral detail rows (see `ComparisonRow.isDetail`).
    public var detailRows: [ComparisonRow] { rows.filter(\.isDetail) }

    static func cells(_ row: ComparisonRow) -> [String] {
        let base = row.base.map { NumberFormat.metric($0) } ?? "—"
        let new = row.new.map { NumberFormat.metric($0) } ?? "—"
        var change = "—"
        if let b = row.base, let n = row.new, b.isFinite, n.isFinite {
            change = NumberFormat.signedMetric(n - b)
            if b != 0 { change += " (" + (n - b >= 0 ? "+" : "") + NumberFormat.fixed(100 * (n - b) / abs(b), 2) + "%)" }
        }
        return [row.name, base, new, change, row.status.rawValue]
    }

    static let rowHeader = ["metric", "base", "new", "change", "status"]

    /// The headline table: quantity, base, new, new − base, and the paired per-era interval.
    public var headlineTable: String {
        // Four decimals throughout: corr values of a few hundredths and their differences line up.
        func value(_ x: Double?) -> String { x.map { NumberFormat.fixed($0, 4) } ?? "—" }
        func signed(_ x: Double) -> String { (x > 0 && NumberFormat.fixed(x, 4) != "0.0000" ? "+" : "") + NumberFormat.fixed(x, 4) }
        let body: [[Markdown.Cell]] = headline.map { h in
            var change = "—"
            if let b = h.base, let n = h.new, b.isFinite, n.isFinite { change = signed(n - b) }
            var paired = "—"
            if let p = h.paired {
                paired = signed(p.mean) + " [" + signed(p.ciLow) + ", " + signed(p.ciHigh) + "], \(p.eras) eras"
            }
            return [.text(h.label), .numeric(value(h.base)), .numeric(value(h.new)), .numeric(change), .text(paired)]
        }
        let level = headline.compactMap(\.paired).first.map { "\(Int(($0.level * 100).rounded()))% HAC" } ?? "HAC"
        return Markdown.table(header: ["headline (test eras)", "base", "new", "new − base", "paired per era: mean [\(level)]"],
                              rows: body)
    }

    static let headlineNote = "Ensembles and single models: mean numerai_corr over the test eras. Paired: d = new − base "
        + "per shared test era, mean and interval with the Newey–West (HAC) standard error (arms' ensembles: "
        + "recomputed from both predictions.h5 files, when they store the target)."

    /// Terminal output: headline, changed rows, detail rows (each at most `terminalRows` unless
    /// `all`, which lists every metric, unchanged ones too), summary line.
    public func terminal(all: Bool) -> String {
        var out: [String] = []
        if !headline.isEmpty { out += [headlineTable, ""] }
        if all {
            out += [table(all: true), ""]
        } else {
            for (title, list) in [("Changed beyond tolerance", changedRows), ("Neutral detail (not regressions)", detailRows)]
            where !list.isEmpty {
                let shown = Array(list.prefix(Self.terminalRows))
                out.append("\(title): \(list.count)")
                out.append(Markdown.table(header: Self.rowHeader, rows: shown.map { Self.cells($0).enumerated().map { i, c in
                    i == 0 || i == 4 ? .text(c) : .numeric(c) } }))
                if list.count > shown.count { out.append(CompareText.truncated(list.count - shown.count, option: "--all")) }
                out.append("")
            }
        }
        out.append(summary)
        return out.joined(separator: "\n") + "\n"
    }

    /// The `--markdown` report, at most `markdownLimit` UTF-8 bytes: headline, what changed
    /// (a table), the neutral detail folded in `<details>`. Tables are cut, with a stated count of
    /// the rows left out, when the limit would be passed; `--json` lists every row.
    public func markdown(baseLabel: String, newLabel: String, all: Bool, limit: Int = Comparison.markdownLimit) -> String {
        var head = [Markdown.heading("Study comparison", level: 1), ""]
        head.append("- base: " + Markdown.escapeInline(baseLabel))
        head.append("- new: " + Markdown.escapeInline(newLabel))
        head.append("- " + summary)
        head.append("- verdict: " + (hasRegression ? CompareText.verdictRegressed(regressions.count) : CompareText.verdictOK))
        head.append("")
        if !headline.isEmpty {
            head += [Markdown.heading("Headline", level: 2), "", headlineTable, "", Self.headlineNote, ""]
        }
        var text = head.joined(separator: "\n") + "\n"
        let changed = all ? rows.filter { !$0.isDetail } : changedRows
        let detail = detailRows
        // Reserve room for the closing lines of both sections.
        let reserve = 600
        text += Markdown.heading("Changed beyond tolerance", level: 2) + "\n\n"
        if changed.isEmpty {
            text += CompareText.nothingChanged + "\n\n"
        } else {
            let detailBudget = detail.isEmpty ? 0 : min(Self.detailBudget, (limit - text.utf8.count) / 3)
            text += Self.compactTable(changed, budget: min(Self.changedBudget, limit - text.utf8.count - reserve - detailBudget)) + "\n"
        }
        if !detail.isEmpty {
            text += "<details><summary>Neutral detail: \(detail.count) metric\(detail.count == 1 ? "" : "s") "
                + "(neutral changes \(count(.changed)), added \(count(.added)), gone with their list element \(count(.gone))); "
                + "per-era, attribution, diversity, inference and parameter leaves are never regressions</summary>\n\n"
            text += Self.compactTable(detail, budget: min(Self.detailBudget, limit - text.utf8.count - reserve)) + "\n</details>\n"
        }
        return text
    }

    /// A Markdown table without padding, cut to fit `budget` UTF-8 bytes (a final line states how
    /// many rows were left out).
    static func compactTable(_ list: [ComparisonRow], budget: Int) -> String {
        func line(_ cells: [String]) -> String { "| " + cells.map(Markdown.escapeCell).joined(separator: " | ") + " |\n" }
        var out = line(rowHeader) + "| --- | ---: | ---: | ---: | --- |\n"
        var shown = 0
        for row in list {
            let l = line(cells(row))
            if out.utf8.count + l.utf8.count > budget - 120 { break }
            out += l
            shown += 1
        }
        if shown < list.count { out += "\n" + CompareText.truncated(list.count - shown, option: "--json") + "\n" }
        return out
    }

    /// `--json`: tolerance, counts, verdict, headline rows (with paired intervals) and the rows
    /// that are not unchanged (every row with `all`).
    public func json(baseLabel: String, newLabel: String, all: Bool) throws -> Data {
        struct Row: Encodable {
            let name: String, base: Double?, new: Double?, direction: String, status: String, detail: Bool
        }
        struct Head: Encodable {
            let key: String, label: String, base: Double?, new: Double?, paired: PairedDifference?
        }
        struct Counts: Encodable {
            let compared, unchanged, regressed, removed, improved, changed, added, gone: Int
        }
        struct Document: Encodable {
            let base: String, new: String
            let tolerance: [String: Double]
            let counts: Counts
            let regressions: Int
            let verdict: String
            let headline: [Head]
            let rows: [Row]
        }
        let doc = Document(
            base: baseLabel, new: newLabel,
            tolerance: ["relative": tolerance.relative, "absolute": tolerance.absolute],
            counts: Counts(compared: rows.count, unchanged: count(.unchanged), regressed: count(.regressed),
                           removed: count(.removed), improved: count(.improved), changed: count(.changed),
                           added: count(.added), gone: count(.gone)),
            regressions: regressions.count, verdict: hasRegression ? "regressed" : "ok",
            headline: headline.map { Head(key: $0.key, label: $0.label, base: $0.base, new: $0.new, paired: $0.paired) },
            rows: rows.filter { all || $0.status != .unchanged }.map {
                Row(name: $0.name, base: $0.base, new: $0.new, direction: $0.direction.rawValue,
                    status: $0.status.rawValue, detail: $0.isDetail)
            })
        return try CanonicalJSON.encode(doc)
    }
}

extension CompareText {
    static func truncated(_ n: Int, option: String) -> String {
        "… \(n) more row\(n == 1 ? "" : "s") not shown (`workbench compare \(option)` lists every one)."
    }
}
