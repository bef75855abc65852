import ArgumentParser
import EraData
import Foundation
import Pipeline
import Studies
import Support

struct SensitivityCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "sensitivity",
        abstract: "Rerun a study across synthetic-generator settings and check which verdicts hold.",
        discussion: """
        Each --vary KEY=V1,V2,… names a setting of the study's synthetic data: a SyntheticConfig key \
        (noise, auxSignalCorrelation, generator, …) or a generator-v2 key (regimeStrength, auxQuality, \
        targetWindow, loadingDrift, …; also written v2.KEY). Without --grid each value is tried alone \
        (the others at the study's own settings); with --grid every combination. The study itself is \
        the baseline. Each setting runs into OUT/<setting>/ (resumable; a study with replicates runs \
        every replicate, from OUT/studies/<setting>.json). OUT/sensitivity.md and OUT/sensitivity.json \
        give each of the study's contrasts its verdict at every setting (better, worse, equivalent or \
        inconclusive, from the study's own paired tests: pooled over replicates and Holm-adjusted when \
        it has replicates) and flag verdicts that differ from the baseline's; then per arm the \
        test-era corr of the equal-weight ensemble of all its models and its mean member corr, and the \
        sign of each point-estimate comparison.
        """
    )

    @Argument(help: "The study file (JSON) with synthetic data (the embedded default or data.synthetic).")
    var study: String

    @Option(name: .customLong("vary"), help: ArgumentHelp("A generator setting and its values.", valueName: "KEY=V1,V2,…"))
    var vary: [String] = []

    @Flag(help: "Every combination of the --vary values instead of one setting at a time.")
    var grid = false

    @Option(name: [.customShort("o"), .long], help: "Output directory (default: results/<study name>-sensitivity).")
    var out: String?

    @Option(name: [.customShort("j"), .long], parsing: .unconditional, help: "Models trained at once (default: the number of cores).")
    var jobs: Int?

    @Flag(name: [.customShort("q"), .long], help: "No progress or informational output (errors are still printed).")
    var quiet = false

    mutating func validate() throws {
        if vary.isEmpty { throw ValidationError("give at least one --vary KEY=V1,V2") }
        jobs = try validatedJobs(jobs)
    }

    func run() throws {
        guard let data = FileManager.default.contents(atPath: study) else {
            throw StudiesError.unreadableFile(study)
        }
        let base: StudySpec
        base = try StudySpec.load(study)
        guard case .synthetic(let baseConfig) = base.data else {
            throw WorkbenchError.sensitivityNeedsSynthetic(study)
        }
        let axes: [Sensitivity.Axis]
        axes = try vary.map(Sensitivity.Axis.init(parsing:))
        let settings = Sensitivity.settings(axes, grid: grid)
        let studyDirectory = URL(fileURLWithPath: study).deletingLastPathComponent().path
        let root = URL(fileURLWithPath: out ?? "results/\(base.name)-sensitivity")
        try FileManager.default.createDirectory(at: root, withIntermediateDirectories: true)

        var rows: [Sensitivity.Row] = []
        var verdicts: [Sensitivity.VerdictRow] = []
        for setting in settings {
            // Validate every setting before training anything.
            _ = try Sensitivity.spec(data, setting: setting, baseConfig: baseConfig, baseDirectory: studyDirectory)
        }
        for setting in settings {
            let label = Sensitivity.label(setting)
            let directory = root.appendingPathComponent(label)
            if !quiet { FileHandle.standardError.write(Data("sensitivity: \(label)\n".utf8)) }
            var options = RunOptions()
            if let jobs { options.jobs = jobs }
            if base.replicates != nil {
                // A replicated study runs as `run` runs it (each replicate in a process of its own,
                // started from a study file): the setting's study goes to OUT/studies/<setting>.json.
                let spec = try Sensitivity.writeSpec(data, setting: setting, baseConfig: baseConfig,
                                                     to: root.appendingPathComponent("studies").appendingPathComponent("\(label).json"))
                printLines(try ReplicateRun.run(spec: spec, directory: directory, options: options, shard: nil, quiet: quiet,
                                                executable: try SlurmCommand.executablePath()))
                rows.append(try Sensitivity.Row(setting: setting, replicatedIn: directory))
                verdicts.append(try Sensitivity.VerdictRow(label: label, replicatedIn: directory))
                continue
            }
            let spec = try Sensitivity.spec(data, setting: setting, baseConfig: baseConfig, baseDirectory: studyDirectory)
            let dataset = try PhaseProgress(quiet: quiet).loadingData { try spec.data.load() }
            let runner = try StudyRunner(spec: spec, dataset: dataset, directory: directory, options: options,
                                         progress: ProgressReporter(quiet: quiet))
            runner.selectionScore = try StudyPipeline.selectionScore(spec: spec, dataset: dataset, evaluationRows: runner.evalRows)
            let summary = try runner.run()
            if summary.interrupted { throw WorkbenchError.interrupted }
            if !summary.failed.isEmpty {
                throw WorkbenchError.located(label, .modelsFailed(summary.failed.map { "\($0.id): \($0.error ?? "")" }))
            }
            try StudyPipeline.analyseAndReport(spec: spec, dataset: dataset, directory: directory)
            rows.append(try Sensitivity.Row(setting: setting,
                                            metrics: directory.appendingPathComponent("metrics.json")))
            verdicts.append(try Sensitivity.VerdictRow(label: label, metrics: directory.appendingPathComponent("metrics.json")))
        }
        let table = Sensitivity.Table(study: base.name, axes: axes, grid: grid, rows: rows,
                                      verdicts: Sensitivity.VerdictTable(rows: verdicts))
        try writeAtomically(to: root.appendingPathComponent("sensitivity.json").path) { tmp in
            try table.json().write(to: URL(fileURLWithPath: tmp))
        }
        let markdown = table.markdown()
        try writeAtomically(to: root.appendingPathComponent("sensitivity.md").path) { tmp in
            try Data(markdown.utf8).write(to: URL(fileURLWithPath: tmp))
        }
        print(markdown, terminator: "")
        print("sensitivity: \(root.appendingPathComponent("sensitivity.md").path)")
    }
}

/// Sensitivity of a study's verdicts to the synthetic generator's settings.
enum Sensitivity {
    /// One `--vary KEY=V1,V2` axis. Values are JSON scalars (numbers, `true`/`false`) or plain strings.
    struct Axis {
        var key: String
        var values: [String]

        init(parsing text: String) throws {
            guard let eq = text.firstIndex(of: "="), eq != text.startIndex else {
                throw WorkbenchError.varyNotKeyValues(text)
            }
            key = String(text[..<eq])
            values = text[text.index(after: eq)...].split(separator: ",", omittingEmptySubsequences: false)
                .map { $0.trimmingCharacters(in: .whitespaces) }
            if key.hasPrefix("v2.") { key.removeFirst(3) }
            guard !values.isEmpty, values.allSatisfy({ !$0.isEmpty }) else {
                throw WorkbenchError.varyWithoutValues(text)
            }
            let top = Set(syntheticKeys).subtracting(["v2"])
            guard top.contains(key) || SyntheticV2Settings.keys.contains(key) else {
                throw WorkbenchError.varyUnknownSetting(text, key: key, known: top.sorted() + SyntheticV2Settings.keys.map { "v2.\($0)" })
            }
        }

        /// Where the key lives in `data.synthetic`.
        var isV2: Bool { SyntheticV2Settings.keys.contains(key) }
    }

    static var syntheticKeys: [String] {
        let data = try! JSONEncoder().encode(SyntheticConfig.default)
        return (try! JSONSerialization.jsonObject(with: data) as! [String: Any]).keys.sorted()
    }

    typealias Setting = [(key: String, value: String, isV2: Bool)]

    /// The baseline (empty setting) first, then each value alone, or every combination with `grid`.
    static func settings(_ axes: [Axis], grid: Bool) -> [Setting] {
        var out: [Setting] = [[]]
        if grid {
            var combos: [Setting] = [[]]
            for axis in axes {
                combos = combos.flatMap { prefix in axis.values.map { prefix + [(axis.key, $0, axis.isV2)] } }
            }
            out += combos
        } else {
            for axis in axes { out += axis.values.map { [(axis.key, $0, axis.isV2)] } }
        }
        return out
    }

    /// A folder-safe label: `baseline` or `key=value+key=value`.
    static func label(_ setting: Setting) -> String {
        guard !setting.isEmpty else { return "baseline" }
        return setting.map { "\($0.key)=\($0.value)" }.joined(separator: "+")
            .map { $0.isLetter || $0.isNumber || "=.+-_".contains($0) ? String($0) : "_" }.joined()
    }

    static func jsonValue(_ text: String) -> Any {
        if let d = try? JSONSerialization.jsonObject(with: Data(text.utf8), options: [.fragmentsAllowed]),
           d is NSNumber { return d }
        return text
    }

    /// The study with `setting` applied to `data.synthetic` (created when the study used the embedded
    /// default), parsed and validated like any study file.
    static func spec(_ data: Data, setting: Setting, baseConfig: SyntheticConfig, baseDirectory: String) throws -> StudySpec {
        try spec(text: specText(data, setting: setting), setting: setting, baseDirectory: baseDirectory)
    }

    /// Writes the study with `setting` applied to `file` (atomically; its folder is created) and
    /// loads it from there, so that it can be run from its file (replicated studies).
    static func writeSpec(_ data: Data, setting: Setting, baseConfig: SyntheticConfig, to file: URL) throws -> StudySpec {
        let text = try specText(data, setting: setting)
        try FileManager.default.createDirectory(at: file.deletingLastPathComponent(), withIntermediateDirectories: true)
        try writeAtomically(text, to: file.path)
        var spec = try spec(text: text, setting: setting, baseDirectory: file.deletingLastPathComponent().path)
        spec.sourcePath = file.standardized.path
        return spec
    }

    /// The study's JSON with `setting` applied (keys sorted).
    static func specText(_ data: Data, setting: Setting) throws -> Data {
        guard var root = try JSONSerialization.jsonObject(with: data) as? [String: Any] else {
            throw WorkbenchError.studyNotAnObject
        }
        var dataNode = root["data"] as? [String: Any] ?? [:]
        var synthetic = dataNode["synthetic"] as? [String: Any] ?? [:]
        for item in setting {
            if item.isV2 {
                var v2 = synthetic["v2"] as? [String: Any] ?? [:]
                v2[item.key] = jsonValue(item.value)
                synthetic["v2"] = v2
            } else {
                synthetic[item.key] = jsonValue(item.value)
            }
        }
        dataNode["synthetic"] = synthetic
        root["data"] = dataNode
        return try JSONSerialization.data(withJSONObject: root, options: [.sortedKeys])
    }

    static func spec(text: Data, setting: Setting, baseDirectory: String) throws -> StudySpec {
        let spec: StudySpec
        do { spec = try StudySpec.parse(text, baseDirectory: baseDirectory) } catch let error as StudiesError {
            throw WorkbenchError.at("setting \(label(setting))", error.description)
        }
        if case .synthetic(let config) = spec.data {
            do { try config.validate() } catch let error as EraDataError {
                throw WorkbenchError.at("setting \(label(setting))", error.description)
            }
            if !setting.isEmpty && setting.allSatisfy({ $0.isV2 }) && config.generator == .v1 {
                throw WorkbenchError.v2SettingOnV1(setting: label(setting))
            }
        }
        return spec
    }

    /// Headline numbers of one setting, from its metrics.json.
    struct Row {
        var label: String
        var setting: [String: String]
        /// arm → (ensemble corr of all its models on the test eras, mean member test corr)
        var arms: [(arm: String, ensemble: Double, memberMean: Double)]

        init(setting: Setting, metrics url: URL) throws {
            label = Sensitivity.label(setting)
            self.setting = Dictionary(setting.map { ($0.key, $0.value) }, uniquingKeysWith: { $1 })
            guard let object = try JSONSerialization.jsonObject(with: Data(contentsOf: url)) as? [String: Any],
                  let arms = object["arms"] as? [[String: Any]] else {
                throw WorkbenchError.at(url.path, "no arms in metrics.json")
            }
            self.arms = arms.compactMap { arm in
                guard let name = arm["arm"] as? String else { return nil }
                let scaling = (arm["scaling"] as? [[String: Any]] ?? []).filter { $0["method"] as? String == "random" }
                let full = scaling.max { ($0["k"] as? Int ?? 0) < ($1["k"] as? Int ?? 0) }
                let ensemble = full?["corr_mean"] as? Double ?? .nan
                let member = (arm["theory"] as? [String: Any])?["c"] as? Double ?? .nan
                return (name, ensemble, member)
            }
        }

        /// A replicated study's row: each arm's numbers averaged over its replicates (equal weights),
        /// each replicate's read as above from `DIR/replicates/<label>/metrics.json`.
        init(setting: Setting, replicatedIn directory: URL) throws {
            let each = try VerdictRow.replicateDirectories(directory).map {
                try Row(setting: setting, metrics: directory.appendingPathComponent($0).appendingPathComponent("metrics.json"))
            }
            guard let first = each.first else { throw WorkbenchError.at(directory.path, "no replicates") }
            label = first.label
            self.setting = first.setting
            arms = first.arms.map { arm -> (arm: String, ensemble: Double, memberMean: Double) in
                let values = each.compactMap { r in r.arms.first { $0.arm == arm.arm } }
                let n = Double(values.count)
                return (arm.arm, values.map(\.ensemble).reduce(0, +) / n, values.map(\.memberMean).reduce(0, +) / n)
            }
        }

        func value(_ arm: String, ensemble: Bool) -> Double? {
            arms.first { $0.arm == arm }.map { ensemble ? $0.ensemble : $0.memberMean }
        }
    }

    struct Table {
        var study: String
        var axes: [Axis]
        var grid: Bool
        var rows: [Row]
        /// The contrasts' verdicts per setting (see `VerdictTable`).
        var verdicts: VerdictTable? = nil

        var armNames: [String] { rows.first?.arms.map(\.arm) ?? [] }

        /// Key comparisons: each arm's ensemble and mean member vs the benchmark, and arm ensembles pairwise.
        var comparisons: [(name: String, value: (Row) -> Double?)] {
            let arms = armNames.filter { $0 != "benchmark" }
            var out: [(String, (Row) -> Double?)] = []
            if armNames.contains("benchmark") {
                for a in arms {
                    out.append(("\(a) ensemble − benchmark", { r in diff(r.value(a, ensemble: true), r.value("benchmark", ensemble: true)) }))
                    out.append(("\(a) mean model − benchmark", { r in diff(r.value(a, ensemble: false), r.value("benchmark", ensemble: true)) }))
                }
            }
            for (i, a) in arms.enumerated() {
                for b in arms[(i + 1)...] {
                    out.append(("\(a) ensemble − \(b) ensemble", { r in diff(r.value(a, ensemble: true), r.value(b, ensemble: true)) }))
                }
            }
            return out
        }

        func diff(_ a: Double?, _ b: Double?) -> Double? {
            guard let a, let b, a.isFinite, b.isFinite else { return nil }
            return a - b
        }

        static func sign(_ v: Double?) -> Int { guard let v else { return 0 }; return v > 0 ? 1 : (v < 0 ? -1 : 0) }

        /// Comparisons whose sign in some setting differs from the baseline's (first row).
        var flips: [String: [String]] {
            var out: [String: [String]] = [:]
            guard let baseline = rows.first else { return out }
            for c in comparisons {
                let s0 = Self.sign(c.value(baseline))
                let flipped = rows.dropFirst().filter { Self.sign(c.value($0)) != s0 }.map(\.label)
                if !flipped.isEmpty { out[c.name] = flipped }
            }
            return out
        }

        static func format(_ v: Double?) -> String {
            guard let v, v.isFinite else { return "—" }
            return String(format: "%+.4f", v)
        }

        func markdown() -> String {
            var s = "# Sensitivity of study `\(study)` to the synthetic data\n\n"
            s += "Varied (\(grid ? "every combination" : "one at a time, others at the study's settings")): "
            s += axes.map { "`\($0.isV2 ? "v2." : "")\($0.key)` ∈ {\($0.values.joined(separator: ", "))}" }.joined(separator: "; ") + ".\n\n"
            s += "## Headline numbers (test eras, mean per-era corr with the scored target)\n\n"
            s += "Per arm: equal-weight ensemble of all its models / mean single model"
                + (verdicts?.rows.first?.replicated == true ? " (averaged over the replicates)" : "") + ".\n\n"
            s += "| setting | " + armNames.map { "\($0) ens / mean" }.joined(separator: " | ") + " |\n"
            s += "|---|" + armNames.map { _ in "---|" }.joined() + "\n"
            for r in rows {
                s += "| \(r.label) | " + armNames.map { a in
                    "\(Self.format(r.value(a, ensemble: true))) / \(Self.format(r.value(a, ensemble: false)))"
                }.joined(separator: " | ") + " |\n"
            }
            if let verdicts { s += "\n" + verdicts.markdown() }
            let flips = self.flips
            s += "\n## Key comparisons: point estimates only (sign flips against the baseline marked ⚠)\n\n"
            s += "Differences of the headline numbers, without inference: a sign flip here need not be a changed verdict (see the verdicts above).\n\n"
            s += "| comparison | " + rows.map(\.label).joined(separator: " | ") + " | holds? |\n"
            s += "|---|" + rows.map { _ in "---|" }.joined() + "---|\n"
            for c in comparisons {
                let s0 = Self.sign(c.value(rows[0]))
                s += "| \(c.name) | " + rows.map { r in
                    let v = c.value(r)
                    return Self.format(v) + (Self.sign(v) != s0 ? " ⚠" : "")
                }.joined(separator: " | ") + " | " + (flips[c.name] == nil ? "yes" : "**flips**") + " |\n"
            }
            s += "\n" + (flips.isEmpty ? "Every comparison keeps its baseline sign in every setting.\n"
                         : "\(flips.count) of \(comparisons.count) comparisons flip sign in at least one setting.\n")
            return s
        }

        func json() throws -> Data {
            let flips = self.flips
            var object: [String: Any] = [
                "study": study, "grid": grid,
                "vary": axes.map { ["key": ($0.isV2 ? "v2." : "") + $0.key, "values": $0.values] as [String: Any] },
                "settings": rows.map { r -> [String: Any] in
                    ["label": r.label, "setting": r.setting,
                     "arms": r.arms.map { ["arm": $0.arm, "ensemble_corr": finite($0.ensemble), "mean_model_corr": finite($0.memberMean)] as [String: Any] },
                     "comparisons": Dictionary(uniqueKeysWithValues: comparisons.map { ($0.name, finite($0.value(r))) })]
                },
                "flips": flips,
            ]
            if let verdicts { object["verdicts"] = verdicts.jsonObject() }
            return try JSONSerialization.data(withJSONObject: object, options: [.sortedKeys, .prettyPrinted])
        }

        func finite(_ v: Double?) -> Any { guard let v, v.isFinite else { return NSNull() }; return v }
    }
}
