import Foundation
import Studies

/// Refuses, before any work, an output path that would overwrite one of the command's inputs
/// (compared as resolved real paths, so `./x.csv`, a symbolic link or a hard link to the input
/// count as the input). Exit code 2: the command line is wrong.
func refuseOutputOntoInput(_ outputs: [(path: String?, flag: String)], inputs: [String]) throws {
    for output in outputs {
        guard let path = output.path else { continue }
        do { try OutputPath.refuseOverwriting(inputs: inputs, output: path, flag: output.flag) } catch let error as StudiesError {
            throw WorkbenchError.usage(error.description)
        }
    }
}

/// Prints what a library step returned for the user, one line each (nothing for none).
func printLines(_ lines: [String]) {
    if !lines.isEmpty { print(lines.joined(separator: "\n")) }
}
