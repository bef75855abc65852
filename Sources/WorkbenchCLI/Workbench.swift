import ArgumentParser
import EraData
import Foundation
import Support

/// The `workbench` command: thin subcommands over the libraries.
public struct Workbench: ParsableCommand {
    public static let version = "0.1.0"

    public static let configuration = CommandConfiguration(
        commandName: "workbench",
        abstract: "Does giving every model a unique recipe add signal to an ensemble?",
        discussion: """
        Exit codes: 0 success, 1 failure (bad data, failed run, regression), 2 usage error.
        """,
        version: version,
        subcommands: commandList
    )

    public init() {}

    /// Entry point used by the executable: runs the command and exits with the code and message
    /// `ErrorReport` maps each error to.
    public static func mainWithExitCodes(_ arguments: [String]? = nil) -> Never {
        do {
            var command = try parseAsRoot(arguments)
            try command.run()
            Foundation.exit(ErrorReport.success)
        } catch {
            let report = ErrorReport(error)
            if report.toStandardOutput {
                print(report.message)
            } else {
                FileHandle.standardError.write(Data((report.message + "\n").utf8))
            }
            Foundation.exit(report.exitCode)
        }
    }
}
