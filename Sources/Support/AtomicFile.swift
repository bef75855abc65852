import Foundation

/// An error from a library that writes through its own file handle and names the path it was
/// given (the temporary file), e.g. libhdf5's: `AtomicFile.explained` restates it for the final file.
public protocol NamesTemporaryFile: Error {}

/// A failure to publish an atomically written file.
public struct AtomicFileError: Error, CustomStringConvertible {
    public let path: String
    public let reason: String
    public init(path: String, reason: String) {
        self.path = path
        self.reason = reason
    }
    public var description: String { "\(path): \(reason)" }
}

/// The one way the workbench writes a file under its final name.
///
/// Readers see either the old file or the complete new one, never a part: `body` writes to a
/// hidden temporary path in the same directory as `path` (`.NAME.tmp-PID-XXXXXXXX`, so the final
/// `rename(2)` stays on one file system and is atomic); the temporary file is then flushed to disk
/// (`fsync`, whose failure — e.g. a full disk on a file system that reports it late — is an error)
/// and renamed onto `path`. When anything throws, the temporary file is removed and the error is
/// rethrown, with disk-full and similar errno values turned into a sentence naming the file.
///
/// Fault injection (tests only): when the environment variable `WORKBENCH_FAIL_WRITE` names the
/// final file's last path component (or is `*`), the write is cut short after `body` — the
/// temporary file is truncated to half its size, as a full disk leaves it — and fails with
/// "injected write failure". A comma-separated list names several files.
///
/// With `sweep` (the default), temporaries of the same final name left by dead processes (an
/// interrupted or killed earlier write) are removed first; writers of many files into one folder
/// (the study's part files) pass `false` and rely on the directory lock's sweep instead.
public func writeAtomically(to path: String, sweep: Bool = true, _ body: (_ temporaryPath: String) throws -> Void) throws {
    let url = URL(fileURLWithPath: path)
    let directory = url.deletingLastPathComponent()
    var isDirectory: ObjCBool = false
    guard FileManager.default.fileExists(atPath: directory.path, isDirectory: &isDirectory),
          isDirectory.boolValue else {
        let exists = FileManager.default.fileExists(atPath: directory.path)
        throw AtomicFileError(path: path, reason: exists ? "\(directory.path) is a file, not a directory"
                                                         : "directory \(directory.path) does not exist")
    }
    guard url.lastPathComponent.utf8.count <= 255 else {
        throw AtomicFileError(path: path, reason: AtomicFile.reason(ENAMETOOLONG))
    }
    if FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory), isDirectory.boolValue {
        throw AtomicFileError(path: path, reason: "is a directory, not a file")
    }
    if sweep { AtomicFile.sweepStaleTemporaries(in: directory, named: url.lastPathComponent) }
    // Hidden name, unique per process and call, so concurrent writers never share a temp file.
    let temporary = directory.appendingPathComponent(
        AtomicFile.temporaryName(for: url.lastPathComponent)).path
    do {
        do { try body(temporary) } catch { throw AtomicFile.explained(error, path: path) }
        guard FileManager.default.fileExists(atPath: temporary) else {
            throw AtomicFileError(path: path, reason: "nothing was written")
        }
        try AtomicFile.injectFaultIfRequested(finalPath: path, temporaryPath: temporary)
        try AtomicFile.sync(temporary, finalPath: path)
        if rename(temporary, path) != 0 {
            throw AtomicFileError(path: path, reason: AtomicFile.reason(errno))
        }
    } catch {
        unlink(temporary)
        throw error
    }
}

/// Writes `data` to `path` atomically (see `writeAtomically(to:_:)`).
public func writeAtomically(_ data: Data, to path: String) throws {
    try writeAtomically(to: path) { try data.write(to: URL(fileURLWithPath: $0)) }
}

/// Writes `text` as UTF-8 to `path` atomically (see `writeAtomically(to:_:)`).
public func writeAtomically(_ text: String, to path: String) throws {
    try writeAtomically(Data(text.utf8), to: path)
}

/// Helpers of `writeAtomically`: temporary names, the stale-temporary sweep, error texts.
public enum AtomicFile {
    /// The marker every temporary name carries: `.NAME.tmp-PID-XXXXXXXX`.
    public static let temporaryMarker = ".tmp-"

    /// The temporary's name; a long final name is shortened so the temporary stays within the
    /// file system's 255-byte limit whenever the final name does.
    static func temporaryName(for name: String) -> String {
        temporaryPrefix(for: name) + "\(getpid())-\(UUID().uuidString.prefix(8))"
    }

    /// `.NAME.tmp-`, NAME shortened to 200 bytes: what every temporary of `name` starts with.
    static func temporaryPrefix(for name: String) -> String {
        var stem = ""
        for c in name {
            if stem.utf8.count + String(c).utf8.count > 200 { break }
            stem.append(c)
        }
        return ".\(stem)\(temporaryMarker)"
    }

    /// Removes temporary files left in `directory` (not recursive) by writers that died
    /// (SIGKILL, power loss): hidden names with the `.tmp-PID-` marker whose process no longer
    /// runs (only those of final name `final` when given). Temporaries of a live process (this one
    /// included) are kept, so it is safe without a lock too. Returns the removed names.
    @discardableResult
    public static func sweepStaleTemporaries(in directory: URL, named final: String? = nil) -> [String] {
        guard let names = try? FileManager.default.contentsOfDirectory(atPath: directory.path) else { return [] }
        var removed: [String] = []
        let prefix = final.map(temporaryPrefix(for:)) ?? "."
        for name in names.sorted() where name.hasPrefix(prefix) {
            guard let marker = name.range(of: temporaryMarker, options: .backwards) else { continue }
            let pidText = name[marker.upperBound...].prefix { $0.isNumber }
            guard let pid = Int32(pidText), pid > 0 else { continue }
            // kill(pid, 0) fails with ESRCH when no such process exists.
            if pid != getpid() && kill(pid, 0) != 0 && errno == ESRCH {
                let path = directory.appendingPathComponent(name).path
                var isDirectory: ObjCBool = false
                if FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) {
                    if (try? FileManager.default.removeItem(atPath: path)) != nil { removed.append(name) }
                }
            }
        }
        return removed
    }

    /// `WORKBENCH_FAIL_WRITE` (see `writeAtomically`): cut the temporary file short and fail.
    static func injectFaultIfRequested(finalPath: String, temporaryPath: String) throws {
        guard let spec = ProcessInfo.processInfo.environment["WORKBENCH_FAIL_WRITE"], !spec.isEmpty else { return }
        let name = URL(fileURLWithPath: finalPath).lastPathComponent
        let targets = spec.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }
        guard targets.contains("*") || targets.contains(name) else { return }
        let size = (try? FileManager.default.attributesOfItem(atPath: temporaryPath)[.size] as? Int) ?? 0
        truncate(temporaryPath, off_t(size / 2))
        throw AtomicFileError(path: finalPath, reason: "injected write failure (WORKBENCH_FAIL_WRITE): \(reason(ENOSPC))")
    }

    /// fsync(2) the temporary file: errors a file system reports only at flush time surface here.
    static func sync(_ temporary: String, finalPath: String) throws {
        let fd = open(temporary, O_RDONLY)
        guard fd >= 0 else { throw AtomicFileError(path: finalPath, reason: reason(errno)) }
        if fsync(fd) != 0 {
            let e = errno
            close(fd)
            throw AtomicFileError(path: finalPath, reason: reason(e))
        }
        if close(fd) != 0 { throw AtomicFileError(path: finalPath, reason: reason(errno)) }
    }

    /// An errno value as a sentence a user can act on.
    public static func reason(_ code: Int32) -> String {
        switch code {
        case ENOSPC: return "no space left on the device (free some space and run the same command again)"
        case EDQUOT: return "disk quota exceeded (free some space and run the same command again)"
        case ENAMETOOLONG: return "file name too long"
        case EACCES, EPERM: return "permission denied"
        case EROFS: return "read-only file system"
        case EISDIR: return "is a directory, not a file"
        case ENOTDIR: return "a component of the path is a file, not a directory"
        default: return String(cString: strerror(code))
        }
    }

    /// A Foundation (`NSCocoaErrorDomain`/POSIX) error from `body` as an `AtomicFileError` naming
    /// the final file; other errors unchanged.
    public static func explained(_ error: Error, path: String) -> Error {
        if error is AtomicFileError { return error }
        // A library that names the temporary file (libhdf5): the user needs the final one (and the likely cause).
        if let h5 = error as? NamesTemporaryFile {
            var space = statvfs()
            let full = statvfs(URL(fileURLWithPath: path).deletingLastPathComponent().path, &space) == 0 && space.f_bavail == 0
            return AtomicFileError(path: path, reason: full ? reason(ENOSPC) + " (\(h5))" : "cannot write (\(h5))")
        }
        let ns = error as NSError
        if ns.domain == NSPOSIXErrorDomain { return AtomicFileError(path: path, reason: reason(Int32(ns.code))) }
        guard ns.domain == NSCocoaErrorDomain else { return error }
        if let underlying = ns.userInfo[NSUnderlyingErrorKey] as? NSError, underlying.domain == NSPOSIXErrorDomain {
            return AtomicFileError(path: path, reason: reason(Int32(underlying.code)))
        }
        switch CocoaError.Code(rawValue: ns.code) {
        case .fileWriteOutOfSpace: return AtomicFileError(path: path, reason: reason(ENOSPC))
        case .fileWriteNoPermission: return AtomicFileError(path: path, reason: reason(EACCES))
        case .fileWriteVolumeReadOnly: return AtomicFileError(path: path, reason: reason(EROFS))
        case .fileWriteInvalidFileName: return AtomicFileError(path: path, reason: "invalid file name (too long?)")
        default: return AtomicFileError(path: path, reason: ns.localizedDescription)
        }
    }
}
