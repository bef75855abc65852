import Foundation
import Studies
import Support

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

/// What `workbench` keeps in a study directory (besides its subfolders `charts/`, `parts/`,
/// `shards/`, `rounds/`, whose files are all the study's): a command's output must not replace these.
let studyDirectoryFiles = Set(StudyRunner.resultNames + ["study.json", "replicates.json", ".workbench.lock"])

/// Refuses, before any work, an output (`flag` PATH) that would replace a file of one of the input
/// studies (`inputs`: study directories or their metrics.json): the metrics file itself (also
/// through a link), one of `studyDirectoryFiles`, or anything in a subfolder of a study directory.
/// Other files in a study directory may be written (CI writes `compare … --markdown NEW/compare.md`).
/// Exit code 2: the command line is wrong.
func refuseOutputOntoStudy(_ output: String?, flag: String, inputs: [String]) throws {
    guard let output else { return }
    let out = OutputPath.resolved(output)
    for input in inputs {
        try refuseOutputOntoInput([(path: Optional(output), flag: flag)], inputs: isDirectory(input) ? [] : [input])
        let directory = OutputPath.resolved(isDirectory(input) ? input : URL(fileURLWithPath: input).deletingLastPathComponent().path)
        let prefix = directory.hasSuffix("/") ? directory : directory + "/"
        guard out.hasPrefix(prefix) else { continue }
        let inside = String(out.dropFirst(prefix.count))
        if inside.contains("/") || studyDirectoryFiles.contains(inside) {
            throw WorkbenchError.outputOntoInputStudy(flag: flag, output: output, file: inside, study: input)
        }
    }
}

/// Refuses, before any work, an output file whose directory is missing, is a file, or cannot be
/// written in, naming the path (exit 2 for the first two: the command line is wrong; 1 otherwise).
func checkOutputDirectory(_ output: String?, flag: String) throws {
    guard let output else { return }
    let directory = URL(fileURLWithPath: output).deletingLastPathComponent().path
    guard FileManager.default.fileExists(atPath: directory) else {
        throw WorkbenchError.outputDirectoryMissing(flag: flag, output: output, directory: directory)
    }
    guard isDirectory(directory) else {
        throw WorkbenchError.outputDirectoryIsFile(flag: flag, output: output, directory: directory)
    }
    guard access(directory, W_OK | X_OK) == 0 else {
        throw WorkbenchError.outputDirectoryNotWritable(flag: flag, output: output, directory: directory, reason: AtomicFile.reason(errno))
    }
}

private func isDirectory(_ path: String) -> Bool {
    var isDir: ObjCBool = false
    return FileManager.default.fileExists(atPath: path, isDirectory: &isDir) && isDir.boolValue
}
