import Boosting
import Foundation

/// Bounds a study file must stay within, checked from the counts it declares before anything is
/// materialised, so a file of a few bytes cannot ask for unbounded memory or time.
///
/// | what | limit | why |
/// |---|---|---|
/// | models in a study (all arms) | 100,000 | each model is a plan in memory and a row of `predictions.h5` |
/// | values of one `linspace` | 1,000,000 | a grid axis is materialised as a list (16 bytes a value) |
/// | study name | 100 bytes, not `.` or `..` | it names the output folder `results/NAME` |
/// | an integer parameter | magnitude at most 9e15 | it must convert to an exact integer |
public enum StudyLimits {
    public static let maxModels = 100_000
    public static let maxLinspaceValues = 1_000_000
    public static let maxNameBytes = 100

    public static let maxIntegerMagnitude = ParameterTable.maxIntegerMagnitude

    /// Throws when an integer parameter is too large to be an exact integer (1e300 is "in range"
    /// for `n_estimators ≥ 0` but cannot become an `Int`).
    static func checkMagnitude(_ name: String, _ value: Double, at path: String) throws {
        guard ParameterTable.spec(named: name)?.kind == .integer, value.isFinite else { return }
        guard abs(value) <= maxIntegerMagnitude else {
            throw StudiesError.at(path, .integerTooLarge(name, value))
        }
    }

    /// Throws when `name` cannot safely name a folder of its own.
    static func checkName(_ name: String, at node: Node) throws {
        guard name != "." && name != ".." else {
            throw node.fail(.nameIsDirectory(name))
        }
        guard name.utf8.count <= maxNameBytes else {
            throw node.fail(.nameTooLong(bytes: name.utf8.count, max: maxNameBytes))
        }
    }

    /// Throws when the arms declare more models than a study may hold (checked per arm first, so
    /// the sum cannot overflow).
    static func checkModelCounts(_ arms: [Arm], armsDeclared: Bool) throws {
        var total = 0
        for (i, arm) in arms.enumerated() {
            let path = armsDeclared ? "$.arms[\(i)].models" : "$.models"
            guard arm.models <= maxModels else {
                throw StudiesError.at(path, .tooManyModelsInArm(arm.models, max: maxModels))
            }
            total += arm.models
        }
        guard total <= maxModels else {
            throw StudiesError.at("$.arms", .tooManyModels(total, max: maxModels))
        }
    }
}
