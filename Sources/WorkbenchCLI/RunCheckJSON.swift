import EraData
import Foundation
import Studies
import Support

/// `workbench run STUDY --check --json`: what `--check` prints, as one JSON document in the style
/// of every `--json` output (`CanonicalJSON`): `valid`, the plan (`PlanSummary.jsonObject`), the
/// data's shape, the models run at once (`jobs`) and the memory estimate for them; with
/// `--models` every model's recipe (`model_recipes`); for a study with replicates their list.
/// A study that fails the check prints `{"valid": false, "errors": [...], "exit_code": n}` and
/// fails as without `--json` (the same message on stderr, the same exit code).
enum RunCheckJSON {
    static func render(summary: PlanSummary, models: Bool, dataset: Dataset, jobs: Int?, memoryBytes: Int?,
                       replicates: String? = nil) throws -> String {
        var object = summary.jsonObject(models: models)
        object["valid"] = true
        object["data"] = ["rows": dataset.rowCount, "eras": dataset.eras.count, "features": dataset.featureCount,
                          "targets": dataset.targetNames, "train_eras": dataset.eraIndices(in: .train).count,
                          "validation_eras": dataset.eraIndices(in: .validation).count] as [String: Any]
        if let jobs { object["jobs"] = jobs }
        if let memoryBytes {
            object["memory_bytes"] = memoryBytes
            object["machine_memory_bytes"] = Int(ProcessInfo.processInfo.physicalMemory)
        }
        if let replicates { object["replicates"] = replicates.split(separator: "\n").map(String.init) }
        return String(decoding: try CanonicalJSON.encode(object: object), as: UTF8.self)
    }

    /// The failed check: the message lines stderr shows (without `error: `) and the exit code.
    static func failure(_ error: Error) -> String {
        let report = ErrorReport(error)
        let message = report.message.hasPrefix("error: ") ? String(report.message.dropFirst(7)) : report.message
        let object: [String: Any] = ["valid": false, "errors": message.split(separator: "\n").map(String.init),
                                     "exit_code": Int(report.exitCode)]
        return (try? String(decoding: CanonicalJSON.encode(object: object), as: UTF8.self)) ?? ""
    }
}
