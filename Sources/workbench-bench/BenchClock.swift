import Dispatch
import Foundation

/// Wall and CPU clocks the benchmark hooks share.
enum BenchClock {
    /// Wall seconds since `start` (monotonic).
    static func seconds(since start: DispatchTime) -> Double {
        Double(DispatchTime.now().uptimeNanoseconds - start.uptimeNanoseconds) / 1e9
    }

    /// CPU time of the whole process so far (user + system), seconds.
    static func cpuSeconds() -> Double {
        var usage = rusage()
        getrusage(RUSAGE_SELF.rawValue, &usage)
        func s(_ t: timeval) -> Double { Double(t.tv_sec) + Double(t.tv_usec) / 1e6 }
        return s(usage.ru_utime) + s(usage.ru_stime)
    }

    /// Median wall seconds of `max(1, repeats)` runs of `body` (the upper middle for an even count).
    static func median(repeats: Int, _ body: () throws -> Void) rethrows -> Double {
        var times: [Double] = []
        for _ in 0..<max(1, repeats) {
            let start = DispatchTime.now()
            try body()
            times.append(seconds(since: start))
        }
        return times.sorted()[times.count / 2]
    }
}
