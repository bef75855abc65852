import ArgumentParser
import Boosting

/// Prints the GBDT parameter table — the one declaration parsing, validation and docs derive from.
struct ParametersCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "parameters",
        abstract: "List the GBDT parameters: names, aliases, ranges, defaults (Markdown table)."
    )

    func run() throws {
        print(ParameterTable.markdownTable(), terminator: "")
    }
}
