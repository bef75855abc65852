import ArgumentParser
import Studies

/// The most `-j/--jobs` (threads, or models at once) a command uses. More is never useful on one
/// node, and per-thread buffers (the trainer's partition scratch is a byte per row and thread)
/// would exhaust memory long before 100,000 threads; results never depend on the count, so a
/// larger value is clamped to this, not refused (a huge `--jobs` means "as many as useful").
let maxJobs = 1024

/// `jobs` clamped to 1…`maxJobs`; a usage error naming the flag when it is below 1.
func validatedJobs(_ jobs: Int?, flag: String = "--jobs") throws -> Int? {
    guard let jobs else { return nil }
    guard jobs >= 1 else { throw ValidationError("\(flag) must be at least 1 (got \(jobs))") }
    return min(jobs, maxJobs)
}

/// Throws a usage error unless `count` (stakers of `mine --count`) is absent or in 1…`StudyLimits.maxModels`.
func validateStakerCount(_ count: Int?) throws {
    guard let count else { return }
    guard (1...StudyLimits.maxModels).contains(count) else {
        throw ValidationError("--count must be in 1…\(StudyLimits.maxModels) (got \(count))")
    }
}
