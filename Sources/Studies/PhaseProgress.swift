import EraData
import Foundation

/// Progress of the steps around training (loading data, analysing, merging): on a terminal a
/// live line `loading data… 12s` that ends as `loading data: 14s (detail)`; nothing when stderr is
/// not a terminal (CI logs stay as quiet as before) or when quiet. Errors are never written here.
public final class PhaseProgress: @unchecked Sendable {
    let interactive: Bool
    let quiet: Bool
    let output: FileHandle
    /// Seconds between refreshes of the live line.
    let tick: Double
    let lock = NSLock()

    /// `interactive` defaults to whether stderr is a terminal.
    public init(interactive: Bool? = nil, quiet: Bool = false, output: FileHandle = .standardError, tick: Double = 1) {
        self.interactive = interactive ?? (isatty(STDERR_FILENO) == 1)
        self.quiet = quiet
        self.output = output
        self.tick = tick
    }

    var enabled: Bool { interactive && !quiet }

    /// Runs `body`, showing `label` with the elapsed time while it runs and, when it returns,
    /// the total time and `detail` of its result. A throw clears the line (the error is printed
    /// by the caller).
    public func run<T>(_ label: String, detail: (T) -> String? = { _ in nil }, _ body: () throws -> T) rethrows -> T {
        guard enabled else { return try body() }
        let started = Date()
        write("\r\u{1B}[K\(label)…")
        // A tick still in flight after `cancel` must not write over the final line: ticks write
        // only while `live` (both under the lock).
        let live = Flag()
        let timer = DispatchSource.makeTimerSource(queue: DispatchQueue.global())
        timer.schedule(deadline: .now() + tick, repeating: tick)
        timer.setEventHandler { [self] in
            lock.withLock {
                if live.on { output.write(Data(("\r\u{1B}[K\(label)… " + formatDuration(Date().timeIntervalSince(started))).utf8)) }
            }
        }
        timer.resume()
        func finish(_ text: String) {
            timer.cancel()
            lock.withLock {
                live.on = false
                output.write(Data(text.utf8))
            }
        }
        let result: T
        do {
            result = try body()
        } catch {
            finish("\r\u{1B}[K")
            throw error
        }
        let elapsed = formatDuration(Date().timeIntervalSince(started))
        finish("\r\u{1B}[K\(label): \(elapsed)" + (detail(result).map { " (\($0))" } ?? "") + "\n")
        return result
    }

    /// Guarded by `lock`.
    final class Flag: @unchecked Sendable { var on = true }

    func write(_ text: String) {
        lock.withLock { output.write(Data(text.utf8)) }
    }
}

extension PhaseProgress {
    /// `run` as every command shows loading a study's data: `loading data… 12s`, then
    /// `loading data: 14s (N rows, E eras)`.
    public func loadingData(_ body: () throws -> Dataset) rethrows -> Dataset {
        try run("loading data", detail: { "\($0.rowCount) rows, \($0.eras.count) eras" }, body)
    }
}
