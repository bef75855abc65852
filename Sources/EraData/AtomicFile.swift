import Foundation

/// A failure to publish an atomically written file.
public struct AtomicFileError: Error, CustomStringConvertible {
    public let path: String
    public let reason: String
    public var description: String { "\(path): \(reason)" }
}

/// Writes a file so that readers see either the old file or the complete new one, never a part.
///
/// `body` writes to a temporary path in the same directory as `path` (so the final `rename(2)` stays
/// on one file system and is atomic). When `body` returns, the temporary file replaces `path`; when
/// it throws, the temporary file is removed and the error is rethrown — nothing half-written stays.
public func writeAtomically(to path: String, _ body: (_ temporaryPath: String) throws -> Void) throws {
    let url = URL(fileURLWithPath: path)
    let directory = url.deletingLastPathComponent()
    var isDirectory: ObjCBool = false
    guard FileManager.default.fileExists(atPath: directory.path, isDirectory: &isDirectory),
          isDirectory.boolValue else {
        throw AtomicFileError(path: path, reason: "directory \(directory.path) does not exist")
    }
    // Hidden name, unique per process and call, so concurrent writers never share a temp file.
    let temporary = directory.appendingPathComponent(
        ".\(url.lastPathComponent).tmp-\(getpid())-\(UUID().uuidString.prefix(8))").path
    do {
        try body(temporary)
        guard FileManager.default.fileExists(atPath: temporary) else {
            throw AtomicFileError(path: path, reason: "nothing was written")
        }
        if rename(temporary, path) != 0 {
            throw AtomicFileError(path: path, reason: String(cString: strerror(errno)))
        }
    } catch {
        unlink(temporary)
        throw error
    }
}
