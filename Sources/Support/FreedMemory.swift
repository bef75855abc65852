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
