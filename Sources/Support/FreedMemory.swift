#if canImport(Glibc)
import Glibc
#endif

/// Returns the heap's free pages to the system (glibc `malloc_trim(0)`; a no-op elsewhere).
///
/// Why: the training threads' buffers are large and freed at the end of training; glibc keeps
/// freed heap pages of each thread's arena mapped (and raises its mmap threshold after large frees),
/// so without a trim they may stay resident under the analysis that follows. Called between the
/// two phases, so the run's peak is the larger phase (`MemoryEstimate`), not their sum.
public func releaseFreedMemory() {
    #if canImport(Glibc)
    // Looked up at run time: Glibc's Swift module does not export <malloc.h>, and musl has no
    // malloc_trim.
    typealias MallocTrim = @convention(c) (Int) -> Int32
    if let symbol = dlsym(UnsafeMutableRawPointer(bitPattern: 0), "malloc_trim") {
        _ = unsafeBitCast(symbol, to: MallocTrim.self)(0)
    }
    #endif
}

/// The share of the machine's memory a run may plan to use: the runner refuses a study whose
/// estimated peak is above it, synthetic data is not generated beyond it, and a pruned run's
/// paused sessions get half of what the estimate leaves below it. The rest is for the system and
/// the estimates' error.
public enum MemoryBudget {
    public static let usableFraction = 0.85

    /// Bytes a run may plan to use on a machine with `physicalMemory` bytes.
    public static func usable(of physicalMemory: Int) -> Double { Double(physicalMemory) * usableFraction }
}
