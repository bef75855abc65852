import Foundation

/// Shared helpers for tests: temp dirs, the built binary, the Python oracle venv.
public enum TestSupport {
    /// Repository root (this file is Tests/TestSupport/TestSupport.swift).
    public static let repoRoot: URL = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    /// A fresh temporary directory, removed by the caller when done.
    public static func temporaryDirectory(_ label: String = "wb") -> URL {
        let url = FileManager.default.temporaryDirectory
            .appendingPathComponent("\(label)-\(UUID().uuidString.prefix(8))")
        try! FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        return url
    }

    /// Writes `text` (UTF-8) to the file `name` below `directory`, making its folders; returns its path.
    @discardableResult
    public static func write(_ text: String, to name: String, in directory: URL) -> String {
        let url = directory.appendingPathComponent(name)
        try! FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
        try! text.write(to: url, atomically: true, encoding: .utf8)
        return url.path
    }

    /// The venv Python with the test oracles (numpy, h5py, lightgbm, pyarrow, numerai-tools,
    /// scikit-learn), made by scripts/test. Override with WORKBENCH_PYTHON.
    public static var python: String {
        if let p = ProcessInfo.processInfo.environment["WORKBENCH_PYTHON"] { return p }
        return repoRoot.appendingPathComponent(".venv/bin/python").path
    }

    /// The built `workbench` binary next to the test bundle.
    public static var workbenchBinary: String {
        if let p = ProcessInfo.processInfo.environment["WORKBENCH_BINARY"] { return p }
        var dir = URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent()
        for _ in 0..<4 {
            let candidate = dir.appendingPathComponent("workbench")
            var isDir: ObjCBool = false
            if FileManager.default.fileExists(atPath: candidate.path, isDirectory: &isDir), !isDir.boolValue {
                return candidate.path
            }
            dir = dir.deletingLastPathComponent()
        }
        return repoRoot.appendingPathComponent(".build/release/workbench").path
    }

    public struct ProcessResult {
        public let status: Int32
        public let stdout: String
        public let stderr: String
    }

    /// Runs a program to completion, capturing output.
    @discardableResult
    public static func run(_ executable: String, _ arguments: [String],
                           environment: [String: String]? = nil,
                           currentDirectory: URL? = nil) throws -> ProcessResult {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = arguments
        if let environment {
            process.environment = ProcessInfo.processInfo.environment.merging(environment) { $1 }
        }
        if let currentDirectory { process.currentDirectoryURL = currentDirectory }
        let out = Pipe(), err = Pipe()
        process.standardOutput = out
        process.standardError = err
        try process.run()
        // Drain both pipes concurrently so a chatty child cannot block.
        final class Box: @unchecked Sendable { var data = Data() }
        let errBox = Box()
        let done = DispatchSemaphore(value: 0)
        let errHandle = err.fileHandleForReading
        DispatchQueue.global().async {
            errBox.data = errHandle.readDataToEndOfFile()
            done.signal()
        }
        let outData = out.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        done.wait()
        let errData = errBox.data
        return ProcessResult(status: process.terminationStatus,
                             stdout: String(decoding: outData, as: UTF8.self),
                             stderr: String(decoding: errData, as: UTF8.self))
    }

    /// Runs the built `workbench` binary.
    @discardableResult
    public static func workbench(_ arguments: [String], environment: [String: String]? = nil) throws -> ProcessResult {
        try run(workbenchBinary, arguments, environment: environment)
    }

    /// Writes the study `json` to `directory/name` and runs `workbench run` on it into
    /// `directory/out` (`--quiet`); returns the study file's path, the output folder and the run.
    public static func runStudy(_ json: String, named name: String, in directory: URL) throws
        -> (file: String, out: URL, run: ProcessResult) {
        let file = write(json, to: name, in: directory)
        let out = directory.appendingPathComponent("out")
        return (file, out, try workbench(["run", file, "--out", out.path, "--quiet"]))
    }

    /// The bytes of the files `names` and of every file in the folder `folder` (as
    /// "folder/name") below `directory`, by relative path: a run's outputs, to compare byte for byte.
    public static func outputs(_ names: [String], folder: String, in directory: URL) throws -> [String: Data] {
        var files: [String: Data] = [:]
        for name in names { files[name] = try Data(contentsOf: directory.appendingPathComponent(name)) }
        let sub = directory.appendingPathComponent(folder)
        for name in try FileManager.default.contentsOfDirectory(atPath: sub.path) {
            files[folder + "/" + name] = try Data(contentsOf: sub.appendingPathComponent(name))
        }
        return files
    }

    /// Starts the built `workbench` binary in the background, its output discarded; the caller
    /// waits for (or stops) the process.
    public static func startWorkbench(_ arguments: [String]) throws -> Process {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: workbenchBinary)
        process.arguments = arguments
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        try process.run()
        return process
    }

    /// Runs the built `workbench` binary and presses Ctrl-C (SIGINT) once `parts` holds at least
    /// `count` finished models (`*.part`; polled every 10 ms for at most 120 s) or the run has
    /// ended by itself; then waits for its exit. `wasRunning` is false when the run finished
    /// before the interrupt (a fast machine): `status` is then its own.
    public static func interruptWorkbench(_ arguments: [String], whenParts parts: URL, reach count: Int) throws
        -> (wasRunning: Bool, status: Int32) {
        let process = try startWorkbench(arguments)
        let deadline = Date().addingTimeInterval(120)
        while Date() < deadline {
            let n = (try? FileManager.default.contentsOfDirectory(atPath: parts.path))?.filter { $0.hasSuffix(".part") }.count ?? 0
            if n >= count || !process.isRunning { break }
            usleep(10_000)
        }
        let wasRunning = process.isRunning
        process.interrupt()
        process.waitUntilExit()
        return (wasRunning, process.terminationStatus)
    }

    /// Runs the built `workbench` binary on a terminal: a pty from util-linux `script`, whose
    /// output (stdout and stderr together, as the terminal shows them) is `stdout`.
    public static func workbenchOnTerminal(_ arguments: [String]) throws -> ProcessResult {
        // Single quotes, each ' as '\'' (the arguments are paths and flags of the tests).
        let command = ([workbenchBinary] + arguments).map { "'" + $0.replacingOccurrences(of: "'", with: #"'\''"#) + "'" }
            .joined(separator: " ")
        return try run("/usr/bin/script", ["-qec", command, "/dev/null"])
    }

    /// Runs a Python oracle script with the venv interpreter; fails loudly when the venv is missing.
    public static func python(_ script: String, _ arguments: [String] = []) throws -> ProcessResult {
        guard FileManager.default.isExecutableFile(atPath: python) else {
            throw OracleMissing(path: python)
        }
        return try run(python, ["-c", script] + arguments)
    }

    /// `Tests/Oracles/`: the Python oracle scripts, each runnable alone
    /// (`python Tests/Oracles/NAME.py ARGS`).
    public static let oraclesDirectory = repoRoot.appendingPathComponent("Tests/Oracles")

    /// The text of the oracle script `Tests/Oracles/<name>`, for `python(_:_:)` (which runs it
    /// as `python -c TEXT ARGS`: the same `sys.argv[1:]` as running the file). A missing file
    /// gives a script that fails with its path, so the test fails instead of the run crashing.
    public static func oracleScript(_ name: String) -> String {
        let url = oraclesDirectory.appendingPathComponent(name)
        guard let text = try? String(contentsOf: url, encoding: .utf8) else {
            return "raise SystemExit('oracle script missing: \(url.path)')"
        }
        return text
    }

    /// Runs the oracle script `Tests/Oracles/<name>` with the venv interpreter.
    public static func pythonOracle(_ name: String, _ arguments: [String] = []) throws -> ProcessResult {
        guard FileManager.default.isExecutableFile(atPath: python) else {
            throw OracleMissing(path: python)
        }
        return try run(python, [oraclesDirectory.appendingPathComponent(name).path] + arguments)
    }

    public struct OracleMissing: Error, CustomStringConvertible {
        public let path: String
        public var description: String { "oracle venv missing at \(path): run scripts/test (it installs it)" }
    }
}
