import ArgumentParser
import EraData
import Foundation
import Reports
import Support

extension StudyTable.Format: ExpressibleByArgument {}

/// `workbench table DIR…`: the headline numbers of several studies side by side.
struct TableCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "table",
        abstract: "One row per study with its headline numbers (Markdown, CSV or JSON).",
        discussion: """
        Each DIR is a study output directory (its metrics.json is read; a metrics.json path works \
        too). Columns: study, name, models, test_eras, the test-era corr of the ensemble of all \
        models, the best single model, the benchmark and each arm's ensemble, rho (mean pairwise \
        corr), effective_models, and the headline contrasts all − best_single and all − benchmark \
        (mean and verdict). A study without a value leaves the cell empty. Exit 2 when a directory \
        has no metrics.json.
        """
    )

    @Argument(help: "Study output directories (or their metrics.json files).")
    var directories: [String]

    @Option(help: "Output format.")
    var format: StudyTable.Format = .markdown

    @Flag(help: "The table as JSON (the same as --format json).")
    var json = false

    @Option(name: [.customShort("o"), .long], help: "Write the table to this file (atomically) instead of printing it.")
    var out: String?

    func validate() throws {
        guard !directories.isEmpty else { throw ValidationError("give at least one study directory") }
    }

    func run() throws {
        var studies: [StudyTable.Study] = []
        for path in directories {
            let metrics: JSONValue
            metrics = try MetricsFile.load(path)
            studies.append(StudyTable.Study(label: path, name: Self.studyName(path), metrics: metrics))
        }
        let text = try StudyTable(studies).render(json ? .json : format)
        if let out {
            do { try writeAtomically(text, to: out) } catch { throw WorkbenchError.cannotWrite(what: "table", reason: "\(error)") }
        } else {
            print(text, terminator: "")
        }
    }

    /// The `name` of DIR/study.json, or "" when there is none (e.g. a bare metrics.json).
    static func studyName(_ path: String) -> String {
        var isDir: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isDir), isDir.boolValue,
              let data = FileManager.default.contents(atPath: URL(fileURLWithPath: path).appendingPathComponent("study.json").path),
              let object = try? JSONSerialization.jsonObject(with: data) as? [String: Any] else { return "" }
        return object["name"] as? String ?? ""
    }
}
