import EraData
import Foundation
import Support

/// An exclusive lock on an output directory, held while one command writes into it.
///
/// `flock(2)` on `DIR/.workbench.lock`: the kernel drops it when the process ends, however it
/// ends (SIGKILL included), so a lock is never stale. Taking it also sweeps temporary files that
/// dead writers left in the directory and its `parts/`, `charts/` and `shards/*` folders.
public final class DirectoryLock {
    public let path: String
    private let descriptor: Int32

    /// Creates `directory` if needed and takes its lock, or throws at once (never waits) naming
    /// the `command` that holds it.
    public init(directory: URL, command: String, lockName: String = ".workbench.lock") throws {
        var isDirectory: ObjCBool = false
        if FileManager.default.fileExists(atPath: directory.path, isDirectory: &isDirectory), !isDirectory.boolValue {
            throw StudiesError.outputIsAFile(directory.path)
        }
        do {
            try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        } catch {
            throw StudiesError.cannotCreateOutput("\(AtomicFile.explained(error, path: directory.path))")
        }
        path = directory.appendingPathComponent(lockName).path
        descriptor = open(path, O_CREAT | O_RDWR | O_CLOEXEC, 0o644)
        guard descriptor >= 0 else {
            throw StudiesError.cannotOpenLock(path, reason: AtomicFile.reason(errno))
        }
        guard flock(descriptor, LOCK_EX | LOCK_NB) == 0 else {
            close(descriptor)
            throw StudiesError.directoryBusy(directory.path, command: command)
        }
        Self.sweep(directory)
    }

    deinit { close(descriptor) }

    /// Removes temporaries of dead writers in the directory and the folders workbench writes in it.
    static func sweep(_ directory: URL) {
        AtomicFile.sweepStaleTemporaries(in: directory)
        for sub in ["parts", "charts"] { AtomicFile.sweepStaleTemporaries(in: directory.appendingPathComponent(sub)) }
        let shards = directory.appendingPathComponent("shards")
        for name in (try? FileManager.default.contentsOfDirectory(atPath: shards.path)) ?? [] {
            AtomicFile.sweepStaleTemporaries(in: shards.appendingPathComponent(name))
            AtomicFile.sweepStaleTemporaries(in: shards.appendingPathComponent(name).appendingPathComponent("parts"))
        }
        // Chart folders of a render that died between building and swapping (`.charts.new-PID`).
        for name in (try? FileManager.default.contentsOfDirectory(atPath: directory.path)) ?? []
        where name.hasPrefix(".charts.new-") || name.hasPrefix(".charts.old-") {
            let pid = Int32(name.split(separator: "-").last ?? "") ?? 0
            if pid > 0, pid != getpid(), kill(pid, 0) != 0, errno == ESRCH {
                try? FileManager.default.removeItem(at: directory.appendingPathComponent(name))
            }
        }
    }
}

/// Refusing to write an output onto one of the command's inputs.
public enum OutputPath {
    /// The path with symbolic links, `.` and `..` resolved; for a path that does not exist yet,
    /// its existing parent resolved and the name appended.
    public static func resolved(_ path: String) -> String {
        let url = URL(fileURLWithPath: path).standardizedFileURL
        if let real = realpath(url.path, nil) {
            defer { free(real) }
            return String(cString: real)
        }
        let parent = url.deletingLastPathComponent().path
        guard parent != url.path else { return url.path }
        return URL(fileURLWithPath: resolved(parent)).appendingPathComponent(url.lastPathComponent).path
    }

    /// Both exist and are one file (hard links included): same device and inode.
    static func sameFile(_ a: String, _ b: String) -> Bool {
        var x = stat(), y = stat()
        guard stat(a, &x) == 0, stat(b, &y) == 0 else { return false }
        return x.st_dev == y.st_dev && x.st_ino == y.st_ino
    }

    /// Throws when `output` is (after resolving links) the same file as any of `inputs`, or
    /// lies inside an input directory (a Numerai parquet folder, say). `flag` names the option.
    public static func refuseOverwriting(inputs: [String], output: String, flag: String) throws {
        let out = resolved(output)
        for input in inputs {
            let inp = resolved(input)
            if out == inp || sameFile(out, inp) {
                throw StudiesError.outputIsInput(flag: flag, output: output, input: input)
            }
            var isDirectory: ObjCBool = false
            if FileManager.default.fileExists(atPath: inp, isDirectory: &isDirectory), isDirectory.boolValue,
               out.hasPrefix(inp.hasSuffix("/") ? inp : inp + "/") {
                throw StudiesError.outputInsideInput(flag: flag, output: output, input: input)
            }
        }
    }
}
