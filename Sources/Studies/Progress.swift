import Foundation
import PredictionStore

/// Progress of a long run: a live status line on a terminal (models done/total, best score, ETA),
/// and only a few plain lines when stderr is not a terminal (CI logs stay quiet).
public final class ProgressReporter: @unchecked Sendable {
    let interactive: Bool
    let output: FileHandle
    var total = 0
    var done = 0
    var failed = 0
    var best: (id: String, score: Double)? = nil
    var started = Date()
    var lastPlainReport = 0
    let quiet: Bool

    /// `interactive` defaults to whether stderr is a terminal; `quiet` silences everything.
    public init(interactive: Bool? = nil, quiet: Bool = false, output: FileHandle = .standardError) {
        self.interactive = interactive ?? (isatty(STDERR_FILENO) == 1)
        self.quiet = quiet
        self.output = output
    }

    func write(_ text: String) {
        guard !quiet else { return }
        output.write(Data(text.utf8))
    }

    public func start(total: Int, resumed: Int) {
        self.total = total
        started = Date()
        if resumed > 0 { write("resuming: \(resumed) model(s) already stored\n") }
        if total == 0 { return }
        if !interactive { write("training \(total) model(s)\n") }
    }

    public func finished(_ record: ModelRecord, score: Double?) {
        done += 1
        if record.status == .failed {
            failed += 1
            write((interactive ? "\r\u{1B}[K" : "") + "model \(record.id) failed: \(record.error ?? "")\n")
        }
        if let score, record.index >= 0, best == nil || score > best!.score { best = (record.id, score) }
        if interactive {
            write("\r\u{1B}[K" + statusLine())
        } else if done == total || done * 10 / max(total, 1) > lastPlainReport {
            // At most ~10 lines per run in logs.
            lastPlainReport = done * 10 / max(total, 1)
            write(statusLine() + "\n")
        }
    }

    public func stop(interrupted: Bool) {
        if interactive && done > 0 { write("\n") }
        if interrupted { write("interrupted: \(done) model(s) stored; run the same command again to resume\n") }
    }

    func statusLine() -> String {
        let elapsed = Date().timeIntervalSince(started)
        var text = "models \(done)/\(total)"
        if failed > 0 { text += " (\(failed) failed)" }
        if let best { text += String(format: " · best %@ corr %.4f", best.id, best.score) }
        if done < total, done > 0 {
            let eta = elapsed / Double(done) * Double(total - done)
            text += " · ETA " + formatDuration(eta)
        } else {
            text += " · " + formatDuration(elapsed)
        }
        return text
    }
}

/// 75 → "1m15s", 3725 → "1h02m".
public func formatDuration(_ seconds: Double) -> String {
    let s = Int(seconds.rounded())
    if s < 60 { return "\(s)s" }
    if s < 3600 { return String(format: "%dm%02ds", s / 60, s % 60) }
    return String(format: "%dh%02dm", s / 3600, (s % 3600) / 60)
}
