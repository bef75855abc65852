import ArgumentParser
import Studies

/// The most `-j/--jobs` (threads, or models at once) a command accepts. More is never useful on
/// one node, and per-thread buffers (the trainer's partition scratch is a byte per row and thread)
/// would exhaust memory long before 100,000 threads, so a typo is refused, not attempted.
let maxJobs = 1024

/// Throws a usage error naming the flag unless `jobs` is absent or in 1…`maxJobs`.
func validateJobs(_ jobs: Int?, flag: String = "--jobs") throws {
    guard let jobs else { return }
    guard (1...maxJobs).contains(jobs) else { throw ValidationError("\(flag) must be in 1…\(maxJobs) (got \(jobs))") }
}

/// Throws a usage error unless `count` (stakers of `mine --count`) is absent or in 1…`StudyLimits.maxModels`.
func validateStakerCount(_ count: Int?) throws {
    guard let count else { return }
    guard (1...StudyLimits.maxModels).contains(count) else {
        throw ValidationError("--count must be in 1…\(StudyLimits.maxModels) (got \(count))")
    }
}
