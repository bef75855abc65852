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
