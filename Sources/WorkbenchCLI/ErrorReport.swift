import ArgumentParser
import EraData
import Foundation
import Support

/// A failure the CLI itself reports: the message is the only text printed (prefixed `error:`).
public struct WorkbenchError: Error, CustomStringConvertible {
    public let description: String
    public let exitCode: Int32
    public init(_ description: String, exitCode: Int32 = ErrorReport.failure) {
        self.description = description
        self.exitCode = exitCode
    }
    public static func usage(_ message: String) -> WorkbenchError { WorkbenchError(message, exitCode: ErrorReport.usage) }
}

/// The one mapping from an error to what the user reads and the process's exit code:
/// 0 success (`--help`, `--version`), 1 failure (bad data, failed run, regression; every library
/// error, printed as `error: ` + its description), 2 usage (ArgumentParser's parse and validation
/// errors with the usage text, `WorkbenchError.usage`, inputs that do not fit together:
/// `DataInputError`), 130 interrupted. Commands throw library errors as they are; they rewrap
/// only to add context (which file, which replicate).
public struct ErrorReport: Equatable {
    public static let success: Int32 = 0, failure: Int32 = 1, usage: Int32 = 2, interrupted: Int32 = 130

    public let message: String
    public let exitCode: Int32
    /// `--help` and `--version` text goes to standard output; everything else to standard error.
    public let toStandardOutput: Bool

    public init(_ error: Error) {
        switch error {
        case let error as WorkbenchError:
            self.init("error: " + error.description, error.exitCode)
        case let error as DataInputError:
            self.init("error: " + error.description, Self.usage)
        default:
            switch Workbench.exitCode(for: error) {
            case .success: self.init(Workbench.fullMessage(for: error), Self.success, toStandardOutput: true)
            case .validationFailure: self.init(Workbench.fullMessage(for: error), Self.usage)
            default: self.init("error: " + readableFailure(error), Self.failure)
            }
        }
    }

    init(_ message: String, _ exitCode: Int32, toStandardOutput: Bool = false) {
        self.message = message
        self.exitCode = exitCode
        self.toStandardOutput = toStandardOutput
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
