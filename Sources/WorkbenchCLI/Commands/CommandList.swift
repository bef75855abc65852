import ArgumentParser

/// Every subcommand, in the order `--help` lists them.
let commandList: [ParsableCommand.Type] = [
    RunCommand.self,
    MergeCommand.self,
    ReportCommand.self,
    TrainCommand.self,
    ParametersCommand.self,
    ScoreCommand.self,
    CompareCommand.self,
    MineCommand.self,
    DataCommand.self,
    BenchGBDTCommand.self,
]
