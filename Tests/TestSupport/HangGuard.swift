import Foundation
import Synchronization

/// A watchdog for loops over hostile inputs: a step that has not returned after `limit` seconds
/// is a hang (an endless loop on a crafted input), and the guard stops the whole test process
/// with the step's label instead of letting the run stall until CI kills it.
///
/// It is not a speed check: the limit is far above any step's normal time on a loaded machine,
/// so a slow machine never trips it; only a step that does not end does.
public final class HangGuard: Sendable {
    public let limit: TimeInterval
    private let onHang: @Sendable (String) -> Void
    private let current = Mutex<(label: String, began: Date)?>(nil)
    private let stopped = Mutex(false)

    /// Starts the watchdog thread; it ends at `stop()` or when the guard is released. `onHang`
    /// gets the message once per hung step (the default stops the process: the hung step
    /// cannot be interrupted).
    public init(limit: TimeInterval = 300, onHang: @escaping @Sendable (String) -> Void = { fatalError($0) }) {
        self.limit = limit
        self.onHang = onHang
        let thread = Thread { [weak self] in
            while let watchdog = self, watchdog.watchOnce() {}
        }
        thread.start()
    }

    /// Runs `body` as one guarded step named `label` (what the hang message names).
    public func step<T>(_ label: String, _ body: () throws -> T) rethrows -> T {
        current.withLock { $0 = (label, Date()) }
        defer { current.withLock { $0 = nil } }
        return try body()
    }

    public func stop() { stopped.withLock { $0 = true } }

    /// One look a second; false once stopped.
    private func watchOnce() -> Bool {
        Thread.sleep(forTimeInterval: 1)
        if stopped.withLock({ $0 }) { return false }
        let hung: String? = current.withLock { step in
            guard let (label, began) = step, Date().timeIntervalSince(began) > limit else { return nil }
            step = nil
            return label
        }
        if let hung { onHang("hang: \(hung) has not returned after \(limit) s") }
        return true
    }
}
