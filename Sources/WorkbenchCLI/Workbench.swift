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

    /// Entry point used by the executable: maps errors onto the documented exit codes.
    public static func mainWithExitCodes(_ arguments: [String]? = nil) -> Never {
        do {
            var command = try parseAsRoot(arguments)
            try command.run()
            Foundation.exit(0)
        } catch let error as WorkbenchError {
            FileHandle.standardError.write(Data(("error: " + error.description + "\n").utf8))
            Foundation.exit(error.exitCode)
        } catch {
            let code = exitCode(for: error)
            if code == .success {
                print(fullMessage(for: error))
                Foundation.exit(0)
            }
            // Usage errors (ArgumentParser's validation) are 2; failures inside the libraries are 1.
            let isUsage = code == .validationFailure
            let message = isUsage ? fullMessage(for: error) : "error: \(readableFailure(error))"
            FileHandle.standardError.write(Data((message + "\n").utf8))
            Foundation.exit(isUsage ? 2 : 1)
        }
    }
}

/// A Foundation error (`NSCocoaErrorDomain …` dumps) as one sentence naming the file; other
/// errors as they describe themselves.
func readableFailure(_ error: Error) -> String {
    let ns = error as NSError
    guard ns.domain == NSCocoaErrorDomain || ns.domain == NSPOSIXErrorDomain else { return "\(error)" }
    let path = (ns.userInfo[NSFilePathErrorKey] as? String) ?? (ns.userInfo[NSURLErrorKey] as? URL)?.path ?? "a file"
    if ns.domain == NSCocoaErrorDomain, CocoaError.Code(rawValue: ns.code) == .fileNoSuchFile
        || CocoaError.Code(rawValue: ns.code) == .fileReadNoSuchFile {
        return "\(path): no such file or directory"
    }
    return AtomicFile.explained(error, path: path).localizedDescriptionOrText
}

private extension Error {
    var localizedDescriptionOrText: String {
        (self as? CustomStringConvertible)?.description ?? (self as NSError).localizedDescription
    }
}

/// A failure reported to the user: the message is the only text printed (prefixed `error:`).
public struct WorkbenchError: Error, CustomStringConvertible {
    public let description: String
    public let exitCode: Int32
    public init(_ description: String, exitCode: Int32 = 1) {
        self.description = description
        self.exitCode = exitCode
    }
    public static func usage(_ message: String) -> WorkbenchError { WorkbenchError(message, exitCode: 2) }
}
