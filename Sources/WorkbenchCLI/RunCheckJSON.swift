import EraData
import Foundation
import Reports
import Studies
import Support

/// `workbench run STUDY --check --json`: what `--check` prints, as one JSON document in the style
/// of every `--json` output (`CanonicalJSON`): `valid`, the plan (`PlanSummary.jsonObject`), the
/// data's shape, the models run at once (`jobs`) and the memory estimate for them; with
/// `--models` every model's recipe (`model_recipes`). A study with replicates: the study's own
/// plan and data as above, `jobs` and `memory_bytes` the largest of its replicates' (they run one
/// after another), and `replicates`, one object per replicate in run order: `label`, `data_seed`
/// (null: the study's data), `study_seed`, `fold` (null, or `index`, `of` and the `train` and
/// `evaluation` eras as `first`, `last`, `count`), its plan (`study`, `hash`, `seed`, `models`),
/// its `data`, `jobs` and `memory_bytes`.
/// A study that fails the check prints `{"valid": false, "errors": [...], "exit_code": n}` and
/// fails as without `--json` (the same message on stderr, the same exit code).
enum RunCheckJSON {
    /// One replicate's check.
    struct Replicate {
        var cell: ReplicateCell
        var summary: PlanSummary
        var dataset: Dataset
        /// Train and evaluation eras of a walk-forward fold.
        var spans: (train: EraSpan?, evaluation: EraSpan?)?
        var jobs: Int
        var memoryBytes: Int

        var object: [String: Any] {
            let plan = summary.jsonObject(models: false)
            func span(_ s: EraSpan?) -> Any { s.map { ["first": $0.first, "last": $0.last, "count": $0.count] as [String: Any] } ?? NSNull() }
            let fold: Any = cell.fold.map { f -> [String: Any] in
                ["index": f.index, "of": f.of, "train": span(spans?.train ?? nil), "evaluation": span(spans?.evaluation ?? nil)]
            } ?? NSNull()
            return ["label": cell.label, "data_seed": cell.dataSeed.map { NSNumber(value: $0) as Any } ?? NSNull(),
                    "study_seed": NSNumber(value: cell.studySeed), "fold": fold,
                    "study": plan["study"] ?? NSNull(), "hash": plan["hash"] ?? NSNull(), "seed": plan["seed"] ?? NSNull(),
                    "models": plan["models"] ?? NSNull(), "data": RunCheckJSON.shape(dataset), "jobs": jobs, "memory_bytes": memoryBytes]
        }
    }

    static func render(summary: PlanSummary, models: Bool, dataset: Dataset, jobs: Int?, memoryBytes: Int?,
                       replicates: [Replicate]? = nil) throws -> String {
        var object = summary.jsonObject(models: models)
        object["valid"] = true
        object["data"] = shape(dataset)
        if let jobs { object["jobs"] = jobs }
        if let memoryBytes {
            object["memory_bytes"] = memoryBytes
            object["machine_memory_bytes"] = Int(ProcessInfo.processInfo.physicalMemory)
        }
        if let replicates { object["replicates"] = replicates.map(\.object) }
        return String(decoding: try CanonicalJSON.encode(object: object), as: UTF8.self)
    }

    /// The data's shape: rows, eras, features, targets, train and validation eras.
    static func shape(_ dataset: Dataset) -> [String: Any] {
        ["rows": dataset.rowCount, "eras": dataset.eras.count, "features": dataset.featureCount,
         "targets": dataset.targetNames, "train_eras": dataset.eraIndices(in: .train).count,
         "validation_eras": dataset.eraIndices(in: .validation).count]
    }

    /// The failed check: the message lines stderr shows (without `error: `) and the exit code.
    static func failure(_ error: Error) -> String {
        let report = ErrorReport(error)
        let object: [String: Any] = ["valid": false, "errors": report.text.split(separator: "\n").map(String.init),
                                     "exit_code": Int(report.exitCode)]
        return (try? String(decoding: CanonicalJSON.encode(object: object), as: UTF8.self)) ?? ""
    }
}
