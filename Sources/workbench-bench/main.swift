import ArgumentParser

/// `workbench-bench`: the benchmark hooks bench/* drive (bench/gbdt: `bench-gbdt`,
/// bench/parquet-read: `parquet-bench`, bench/analysis: `analysis`, bench/render-report:
/// `render-report`, bench/render-charts: `render-charts`, bench/tournament --scale: `tournament-scale`). Built next to `workbench` but not a product: it is not
/// part of what users install, and the shipped binary carries no hidden commands.
struct WorkbenchBench: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "workbench-bench",
        abstract: "Benchmark hooks for bench/* (not part of the installed tool).",
        subcommands: [BenchGBDTCommand.self, ParquetBenchCommand.self, AnalysisBenchCommand.self, RenderReportBenchCommand.self,
                      RenderChartsBenchCommand.self, TournamentScaleBenchCommand.self]
    )
}

WorkbenchBench.main()
