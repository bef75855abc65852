import Dispatch

/// Runs `body(0) … body(n − 1)` at once: iteration 0 on the calling thread, the others on the
/// global queue. Unlike `DispatchQueue.concurrentPerform`, this is parallel also inside another
/// `concurrentPerform` (libdispatch runs a nested apply with its width divided by the outer
/// one's: serially, under a study's workers), which is how a study's last model gets the cores
/// that finished workers left.
func parallelIterations(_ n: Int, _ body: @escaping @Sendable (Int) -> Void) {
    guard n > 1 else { if n == 1 { body(0) }; return }
    let group = DispatchGroup()
    for i in 1..<n { DispatchQueue.global().async(group: group) { body(i) } }
    body(0)
    group.wait()
}
