import ArgumentParser

/// Every subcommand, in the order `--help` lists them.
let commandList: [ParsableCommand.Type] = [
    RunCommand.self,
    MergeCommand.self,
    ReportCommand.self,
    TrainCommand.self,
    PredictCommand.self,
    ParametersCommand.self,
    ScoreCommand.self,
    CompareCommand.self,
    TableCommand.self,
    SensitivityCommand.self,
    MineCommand.self,
    TournamentCommand.self,
    NodeCommand.self,
    DataCommand.self,
    SlurmCommand.self,
]
