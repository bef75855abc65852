import Foundation

/// Which way a metric should move.
///
/// Decided from the metric's name with identity brackets removed (`scaling[k=5,method=random].ci_low`
/// → `scaling.ci_low`), scanning its dot-separated components from the last to the first; the
/// first component that matches decides:
/// - anything under `diversity`, `per_era` or an `attribution` list (per-era and attribution
///   leaves are detail, not the quality of the run), the `ci_low`/`ci_high` of a `scaling` row (the
///   5–95 % spread over random draws of members, not an error bar), under the inference sections (`contrasts`, `ensembles`, `uncertainty`,
///   `theory_out_of_sample`, `reference_contributions`, `inference`) or under a `params` object, and any component containing
///   `pairwise` or `std`, is **neutral** (a change is reported, never a regression);
/// - a component containing `drawdown` or `exposure` is **lower is better**;
/// - a component containing `corr`, `sharpe`, `bmc`, `mmc`, `contribution`, `fnc`, `ci_low`
///   or `ci_high` is **higher is better**;
/// - no match: neutral (counts, sizes, times).
public enum MetricDirection: String, Sendable, Equatable {
    case higherIsBetter = "higher is better"
    case lowerIsBetter = "lower is better"
    case neutral = "neutral"

    /// Top-level metrics.json sections that are neutral detail.
    public static let inferenceSections: Set<String> = ["inference", "ensembles", "contrasts", "uncertainty",
                                                        "theory_out_of_sample", "reference_contributions"]

    public static func of(_ name: String) -> MetricDirection {
        var plain = ""
        var depth = 0
        for ch in name {
            if ch == "[" { depth += 1 } else if ch == "]" { depth -= 1 } else if depth == 0 { plain.append(ch) }
        }
        let parts = plain.split(separator: ".").map { $0.lowercased() }
        if parts.first == "diversity" || parts.contains("params") { return .neutral }
        if parts.contains("per_era") || parts.contains("attribution") { return .neutral }
        if parts.contains("scaling"), let last = parts.last, last == "ci_low" || last == "ci_high" { return .neutral }
        // Inference detail (issue 14): contrasts, bootstrap intervals, ensembles and reference
        // contributions describe the evidence, not the quality of the run.
        if let first = parts.first, inferenceSections.contains(first) { return .neutral }
        for part in parts.reversed() {
            if part.contains("pairwise") || part.contains("std") { return .neutral }
            if part.contains("drawdown") || part.contains("exposure") { return .lowerIsBetter }
            for key in ["corr", "sharpe", "bmc", "mmc", "contribution", "fnc", "ci_low", "ci_high"] where part.contains(key) {
                return .higherIsBetter
            }
        }
        return .neutral
    }
}

/// Two values are the same within tolerance when |new − base| ≤ absolute + relative·|base|
/// (numpy.isclose's rule, with base as the reference). Equal values (including ±inf) and
/// NaN vs NaN are always the same.
public struct Tolerance: Sendable, Equatable {
    public var relative: Double
    public var absolute: Double
    /// Defaults: relative 1e-6, absolute 1e-9 — tight enough that any real change in a corr of a
    /// few hundredths shows, loose enough for BLAS summation-order noise across machines.
    public static let standard = Tolerance(relative: 1e-6, absolute: 1e-9)

    public init(relative: Double, absolute: Double) {
        self.relative = relative
        self.absolute = absolute
    }

    public func isClose(_ base: Double, _ new: Double) -> Bool {
        if base == new || (base.isNaN && new.isNaN) { return true }
        return abs(new - base) <= absolute + relative * abs(base)
    }
}

/// One metric in a comparison.
public struct ComparisonRow: Sendable, Equatable {
    public enum Status: String, Sendable, Equatable {
        case unchanged, improved, regressed, changed, added, removed
        /// Only in base because its list element is gone (a model, arm or scaling point the new
        /// study does not have): a different study, not a lost metric; detail, not a regression.
        case gone
    }
    public let name: String
    public let base: Double?
    public let new: Double?
    public let direction: MetricDirection
    public let status: Status

    /// Neutral detail: neutral changes, added metrics and gone list elements. The rest of the
    /// rows that are not unchanged (regressed, removed, improved) are what changed.
    public var isDetail: Bool { status == .changed || status == .added || status == .gone }

    /// Status rules (a **regression** is what makes `compare` exit 1):
    /// - only in base → removed (a regression: a metric the baseline had is gone);
    /// - only in new → added (not a regression);
    /// - within tolerance → unchanged;
    /// - finite base, NaN new → regressed, whatever the direction;
    /// - NaN base, number new → changed;
    /// - otherwise by direction: higher is better → new < base regressed, new > base improved;
    ///   lower is better → the reverse; neutral → changed.
    public static func classify(name: String, base: Double?, new: Double?, tolerance: Tolerance) -> ComparisonRow {
        let direction = MetricDirection.of(name)
        let status: Status
        switch (base, new) {
        case (nil, nil), (nil, _?): status = .added
        case (_?, nil): status = .removed
        case let (b?, n?):
            if tolerance.isClose(b, n) { status = .unchanged }
            else if n.isNaN { status = .regressed }
            else if b.isNaN { status = .changed }
            else {
                switch direction {
                case .higherIsBetter: status = n > b ? .improved : .regressed
                case .lowerIsBetter: status = n < b ? .improved : .regressed
                case .neutral: status = .changed
                }
            }
        }
        return ComparisonRow(name: name, base: base, new: new, direction: direction, status: status)
    }
}

/// Two studies' metrics, metric by metric.
public struct Comparison: Sendable {
    public let rows: [ComparisonRow]
    public let tolerance: Tolerance

    /// Headline numbers of both studies (empty when built from flat lists).
    public let headline: [HeadlineRow]

    public init(base: [(name: String, value: Double)], new: [(name: String, value: Double)], tolerance: Tolerance,
                headline: [HeadlineRow] = []) {
        var b: [String: Double] = [:], n: [String: Double] = [:]
        for m in base { b[m.name] = m.value }
        for m in new { n[m.name] = m.value }
        // Every list-element prefix (`…]`) of the new names: a base-only metric whose element is
        // not among them went with its element.
        var newElements = Set<String>()
        for name in n.keys { for p in Self.elementPrefixes(name) { newElements.insert(p) } }
        let names = Set(b.keys).union(n.keys).sorted(by: MetricNames.naturalLess)
        rows = names.map { name in
            let row = ComparisonRow.classify(name: name, base: b[name], new: n[name], tolerance: tolerance)
            if row.status == .removed, Self.elementPrefixes(name).contains(where: { !newElements.contains($0) }) {
                return ComparisonRow(name: name, base: row.base, new: nil, direction: row.direction, status: .gone)
            }
            return row
        }
        self.tolerance = tolerance
        self.headline = headline
    }

    /// `baseDirectory` / `newDirectory`: the study directories, whose predictions.h5 (when it
    /// stores the labels) gives the arms' ensembles per era for paired intervals.
    public init(base: JSONValue, new: JSONValue, tolerance: Tolerance,
                baseDirectory: String? = nil, newDirectory: String? = nil) {
        var b = Headline(base), n = Headline(new)
        if let baseDirectory, let newDirectory,
           let bs = StoredSeries.armEnsembles(directory: baseDirectory),
           let ns = StoredSeries.armEnsembles(directory: newDirectory) {
            b.addPerEra(bs.series, eras: bs.eras)
            n.addPerEra(ns.series, eras: ns.eras)
        }
        self.init(base: MetricNames.flatten(base), new: MetricNames.flatten(new), tolerance: tolerance,
                  headline: HeadlineRow.rows(base: b, new: n))
    }

    /// The prefixes of `name` that end a list element: `a[x].b[y].c` → `a[x]`, `a[x].b[y]`.
    static func elementPrefixes(_ name: String) -> [String] {
        var out: [String] = [], current = "", depth = 0
        for ch in name {
            current.append(ch)
            if ch == "[" { depth += 1 } else if ch == "]" {
                depth -= 1
                if depth == 0 { out.append(current) }
            }
        }
        return out
    }

    public var regressions: [ComparisonRow] { rows.filter { $0.status == .regressed || $0.status == .removed } }
    public var hasRegression: Bool { !regressions.isEmpty }

    public func count(_ status: ComparisonRow.Status) -> Int { rows.filter { $0.status == status }.count }

    /// The table: metric, base, new, change (new − base, and relative when base ≠ 0), status.
    /// Only rows that are not `unchanged`, unless `all`.
    public func table(all: Bool) -> String {
        let shown = rows.filter { all || $0.status != .unchanged }
        let body: [[Markdown.Cell]] = shown.map { row in
            let c = Self.cells(row)
            return [.text(c[0]), .numeric(c[1]), .numeric(c[2]), .numeric(c[3]), .text(c[4])]
        }
        return Markdown.table(header: ["metric", "base", "new", "change", "status"], rows: body)
    }

    /// One line: counts per status and the tolerance used.
    public var summary: String {
        CompareText.summary(compared: rows.count, regressed: count(.regressed), removed: count(.removed),
                            improved: count(.improved), changed: count(.changed), added: count(.added),
                            gone: count(.gone), tolerance: tolerance)
    }
}

/// Reading a study's metrics.json for `compare`.
public enum MetricsFile {
    public static let fileName = "metrics.json"

    /// `path` may be a study directory (its metrics.json is read) or the metrics file itself.
    public static func load(_ path: String) throws -> JSONValue {
        var isDir: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isDir) else {
            throw ReportsError.missingPath(path)
        }
        let file = isDir.boolValue ? URL(fileURLWithPath: path).appendingPathComponent(fileName).path : path
        guard FileManager.default.fileExists(atPath: file) else { throw ReportsError.missingMetrics(directory: path) }
        let data: Data
        do { data = try Data(contentsOf: URL(fileURLWithPath: file)) } catch {
            throw ReportsError.unreadable(file: file, reason: error.localizedDescription)
        }
        let value: JSONValue
        do { value = try JSONValue.parse(data) } catch {
            throw ReportsError.invalidJSON(file: file, reason: describe(error))
        }
        guard case .object = value else { throw ReportsError.notAnObject(file: file) }
        return value
    }

    private static func describe(_ error: Error) -> String {
        if case DecodingError.dataCorrupted(let context) = error {
            let underlying = (context.underlyingError as NSError?)?.userInfo[NSDebugDescriptionErrorKey] as? String
            return underlying ?? context.debugDescription
        }
        return "\(error)"
    }
}

/// The one error of the Reports module: a metrics file `compare` and `table` cannot read (a usage
/// error: exit 2, `isUsage`), metrics that regressed (exit 1), a study report whose inputs disagree.
/// The texts are `CompareText`'s and this `description`.
public enum ReportsError: Error, Equatable, CustomStringConvertible {
    case missingPath(String)
    case missingMetrics(directory: String)
    case unreadable(file: String, reason: String)
    case invalidJSON(file: String, reason: String)
    case notAnObject(file: String)
    /// `compare`: these metrics (names, first five shown) regressed beyond tolerance.
    case regressed([String])
    case correlationShape(entries: Int, models: Int)

    public var description: String {
        switch self {
        case .missingPath(let p): return CompareText.missingPath(p)
        case .missingMetrics(let d): return CompareText.missingMetrics(d)
        case .unreadable(let f, let r): return CompareText.unreadable(f, r)
        case .invalidJSON(let f, let r): return CompareText.invalidJSON(f, r)
        case .notAnObject(let f): return CompareText.notAnObject(f)
        case .regressed(let names): return CompareText.regressionFailure(names)
        case let .correlationShape(entries, m):
            return "correlation matrix has \(entries) entries, expected \(m)×\(m) for \(m) models"
        }
    }

    /// The command line named metrics that cannot be read (exit 2).
    public var isUsage: Bool {
        switch self {
        case .missingPath, .missingMetrics, .unreadable, .invalidJSON, .notAnObject: return true
        case .regressed, .correlationShape: return false
        }
    }
}

/// Every user-facing sentence of `compare`, in one place.
public enum CompareText {
    static func missingPath(_ p: String) -> String { "\(p): no such study directory" }
    static func missingMetrics(_ d: String) -> String {
        "\(d): no \(MetricsFile.fileName) in this directory (run `workbench run` or `workbench report` first)"
    }
    static func unreadable(_ f: String, _ r: String) -> String { "\(f): cannot read: \(r)" }
    static func invalidJSON(_ f: String, _ r: String) -> String { "\(f): not valid JSON: \(r)" }
    static func notAnObject(_ f: String) -> String { "\(f): expected a JSON object at the top level" }
    static let nothingChanged = "No metric changed beyond tolerance."
    static let verdictOK = "no regression beyond tolerance"
    static func verdictRegressed(_ n: Int) -> String { "\(n) metric\(n == 1 ? "" : "s") regressed or removed" }
    static func summary(compared: Int, regressed: Int, removed: Int, improved: Int, changed: Int, added: Int,
                        gone: Int, tolerance: Tolerance) -> String {
        "\(compared) metrics compared: \(regressed) regressed, \(removed) removed, \(improved) improved, "
            + "\(changed) changed (neutral), \(added) added, \(gone) gone with their list element; tolerance |new − base| ≤ "
            + "\(NumberFormat.metric(tolerance.absolute, digits: 3)) + \(NumberFormat.metric(tolerance.relative, digits: 3))·|base|"
    }
    static func regressionFailure(_ names: [String]) -> String {
        "\(names.count) metric\(names.count == 1 ? "" : "s") regressed beyond tolerance: \(names.prefix(5).joined(separator: ", "))"
            + (names.count > 5 ? ", …" : "")
    }
}
