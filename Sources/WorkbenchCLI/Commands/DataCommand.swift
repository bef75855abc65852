import ArgumentParser
import EraData
import Foundation

struct DataCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "data",
        abstract: "Make, import and inspect era datasets.",
        discussion: "Dataset files use the HDF5 layout described in Sources/EraData/README.md.",
        subcommands: [DataSynthCommand.self, DataImportCommand.self, DataInfoCommand.self]
    )
}

/// Runs a data operation, turning library errors into `WorkbenchError` (exit 1, `error: ...`).
public func withDataErrors<T>(_ body: () throws -> T) throws -> T {
    do {
        return try body()
    } catch let error as WorkbenchError {
        throw error
    } catch let error as DataInputError {
        throw WorkbenchError.usage(error.description)
    } catch let error as CustomStringConvertible {
        throw WorkbenchError(error.description)
    }
}
