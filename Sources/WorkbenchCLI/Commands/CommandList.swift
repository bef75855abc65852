import ArgumentParser

/// Every subcommand, in the order `--help` lists them.
let commandList: [ParsableCommand.Type] = [
    DataCommand.self,
    CompareCommand.self,
    ParquetBenchCommand.self,
]
