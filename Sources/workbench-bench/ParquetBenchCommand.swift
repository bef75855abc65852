import ArgumentParser
import Dispatch
import Foundation
import EraData
import Parquet
import WorkbenchCLI

/// Hidden benchmark hook for bench/parquet-read: times reading every column of a parquet file.
struct ParquetBenchCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "parquet-bench",
        abstract: "Time reading all columns of a parquet file (benchmark hook).",
        shouldDisplay: false
    )

    @Argument(help: "Parquet file.") var file: String
    @Option(help: "Timed repetitions.") var repeats = 5
    @Flag(help: "Also time the Numerai adapter (features as bins, targets as floats, sorted by era).") var numerai = false

    func run() throws {
        func median(_ body: () throws -> Void) rethrows -> Double { try BenchClock.median(repeats: repeats, body) }
        var checksum = 0
        let columns = try median {
            // Open inside the timing: the footer parse is part of a read.
            let parquet = try ParquetFile(path: file)
            let values = try parquet.readColumns(parquet.columnNames)
            checksum = values.reduce(0) { $0 + $1.count }
        }
        print(String(format: "columns_seconds %.4f", columns))
        print("values \(checksum)")
        if numerai {
            let seconds = try median { _ = try NumeraiParquet.read(paths: [file]) }
            print(String(format: "numerai_seconds %.4f", seconds))
        }
    }
}
