import CBoostingKernels
import Foundation

/// The prefetch hint of the column-streaming kernels (`wb_partition_columns`,
/// `wb_hist5_q32_columns`), chosen by timing trees on the CPU that trains them.
///
/// Why: which hint is faster depends on the CPU, and the wrong one is costly. Non-temporal cost
/// the AVX2 kernels 29–72 % per tree on Emerald Rapids, where T0 is right; on Zen 5 T0 was erratic
/// and non-temporal steady; on Zen 4 the two were within 7 % of each other; Zen 3 was never
/// timed. A hint never changes a result, only the time, so the trainer measures instead of
/// guessing.
///
/// How: one engine (a `GBDT`) whose tree-local columns reach `minimumBytes` grows its trees
/// 1 … 8 (tree 0 also pays for first-touch allocations) with the hints in the order
/// `A B | B A | B A | A B` (A: the vendor's hint, `wb_prefetch_vendor_hint`; B: the other). Each
/// pair of neighbouring trees gives a ratio `r_i = t_B / t_A`; the decision reads their median
///
///     r = median(r_1, …, r_4):  r < 1 − margin → B;  r > 1 / (1 − margin) → A;  else a tie → A.
///
/// B comes second in two pairs and first in two, so a linear drift in tree time moves two
/// ratios up and two down by about the same factor and leaves the median where it was (to first
/// order); one disturbed tree moves one ratio only.
///
/// A decision with a winner is shared with the later engines of the process whose column bytes
/// are within `sharingFactor` of the trial's (a study's other models skip the trial; a model of
/// another size, whose columns may sit in another cache level, times again); a tie is not shared.
/// Where the hint makes no difference the trial may still name a winner by noise (seen: the
/// portable kernels, which do not prefetch, "won" by 1.10 once), which costs nothing.
/// `WORKBENCH_PREFETCH=t0|nta` (`wb_prefetch_forced`) sets the hint: no trial.
///
/// Assumptions: neighbouring trees cost the same apart from the hint and noise (same rows; column
/// samples of one size); at most one of the four pairs is disturbed by something else.
/// Cost: at most four trees with the slower hint, once per size of model and process when there
/// is a winner.
struct PrefetchTuner {
    /// Which hint each trial tree uses: false the vendor's (A), true the other (B).
    static let schedule = [false, true, true, false, true, false, false, true]
    /// The first trial tree (tree 0 allocates and first-touches the engine's buffers).
    static let firstTrialTree = 1
    /// How far from 1 the paired ratio must be to pick a winner.
    static let margin = 0.05
    /// Tree-local column bytes (training rows × sampled features) below which the kernels run in
    /// cache and the hint does not matter: no trial.
    static let minimumBytes = 1 << 20
    /// A shared winner holds for engines whose column bytes are within this factor of its trial's.
    static let sharingFactor = 4

    let vendor: Int32
    let columnBytes: Int
    /// The hint trees use now.
    private(set) var current: Int32
    /// Trees grown by this engine (the trial's clock).
    private var trees = 0
    private var vendorSeconds: [Double] = [], otherSeconds: [Double] = []
    /// Whether trees are still being timed.
    private(set) var inTrial: Bool

    /// `forced`: `wb_prefetch_forced` (−1 none); `shared`: the process's decision, if any;
    /// `columnBytes`: training rows × sampled features of the engine's trees.
    init(vendor: Int32, forced: Int32, shared: Int32?, columnBytes: Int) {
        self.vendor = vendor
        self.columnBytes = columnBytes
        if forced >= 0 {
            current = forced; inTrial = false
        } else if let shared {
            current = shared; inTrial = false
        } else {
            current = vendor; inTrial = columnBytes >= Self.minimumBytes
        }
    }

    /// The engine's tuner, as the environment and the process's earlier decisions set it.
    static func forEngine(columnBytes: Int) -> PrefetchTuner {
        PrefetchTuner(vendor: Int32(wb_prefetch_vendor_hint()), forced: Int32(wb_prefetch_forced()),
                      shared: PrefetchChoice.shared.hint(columnBytes: columnBytes), columnBytes: columnBytes)
    }

    var other: Int32 { vendor == WB_PREFETCH_T0 ? Int32(WB_PREFETCH_NTA) : Int32(WB_PREFETCH_T0) }

    /// The hint for the next tree.
    var hintForNextTree: Int32 {
        let k = trees - Self.firstTrialTree
        guard inTrial, k >= 0, k < Self.schedule.count else { return current }
        return Self.schedule[k] ? other : vendor
    }

    /// Records the next tree's wall time (grown with `hintForNextTree`); after the last trial
    /// tree, decides. Returns the decision when this tree ended the trial.
    mutating func record(seconds: Double) -> PrefetchChoice? {
        let k = trees - Self.firstTrialTree
        trees += 1
        guard inTrial, k >= 0, k < Self.schedule.count else { return nil }
        if Self.schedule[k] { otherSeconds.append(seconds) } else { vendorSeconds.append(seconds) }
        guard k == Self.schedule.count - 1 else { return nil }
        inTrial = false
        let r = Self.pairedRatio(vendor: vendorSeconds, other: otherSeconds)
        let winner: Int32? = r < 1 - Self.margin ? other : r > 1 / (1 - Self.margin) ? vendor : nil
        current = winner ?? vendor
        return PrefetchChoice(hint: current, hasWinner: winner != nil, columnBytes: columnBytes,
                              otherOverVendor: r,
                              secondsPerTree: [Self.name(vendor): Self.median(vendorSeconds),
                                               Self.name(other): Self.median(otherSeconds)])
    }

    /// The median over the schedule's neighbouring pairs of (other's time / vendor's time);
    /// `vendor` and `other` hold the trial's times in tree order.
    static func pairedRatio(vendor: [Double], other: [Double]) -> Double {
        var a = vendor.makeIterator(), b = other.makeIterator()
        let times = schedule.map { $0 ? b.next()! : a.next()! }
        let ratios = stride(from: 0, to: schedule.count, by: 2).map { i in
            schedule[i] ? times[i] / times[i + 1] : times[i + 1] / times[i]
        }
        return median(ratios)
    }

    static func median(_ x: [Double]) -> Double {
        let s = x.sorted()
        return s.isEmpty ? .nan : s.count % 2 == 1 ? s[s.count / 2] : (s[s.count / 2 - 1] + s[s.count / 2]) / 2
    }

    static func name(_ hint: Int32) -> String { hint == WB_PREFETCH_T0 ? "t0" : "nta" }
}

/// A prefetch decision of `PrefetchTuner`: the hint, the trial's paired ratio and the median
/// seconds per tree of each hint in the trial.
public struct PrefetchChoice: Sendable, Equatable {
    let hint: Int32
    /// One hint was faster by at least `PrefetchTuner.margin`.
    public let hasWinner: Bool
    /// The trial engine's tree-local column bytes (training rows × sampled features).
    public let columnBytes: Int
    /// The median paired ratio of the other hint's tree time over the vendor's (see `PrefetchTuner`).
    public let otherOverVendor: Double
    /// Median wall seconds per trial tree, by hint name ("t0", "nta").
    public let secondsPerTree: [String: Double]

    /// "t0" or "nta".
    public var hintName: String { PrefetchTuner.name(hint) }

    /// The process's decisions (see `SharedPrefetchChoice`).
    static let shared = SharedPrefetchChoice()

    /// The hint `WORKBENCH_PREFETCH` sets ("t0" or "nta"); nil when the trainer times them.
    public static var forcedHintName: String? {
        let f = wb_prefetch_forced()
        return f < 0 ? nil : PrefetchTuner.name(Int32(f))
    }

    /// What a benchmark prints: the hint and how it was chosen.
    public static var summary: String {
        if let forced = forcedHintName { return "\(forced) (WORKBENCH_PREFETCH)" }
        guard let c = lastTrial else {
            return "\(PrefetchTuner.name(Int32(wb_prefetch_vendor_hint()))) (the vendor's: no trial)"
        }
        let times = c.secondsPerTree.sorted { $0.key > $1.key }
            .map { "\($0.key) \(String(format: "%.2f", 1000 * $0.value)) ms" }.joined(separator: ", ")
        let how = c.hasWinner ? "timed" : "a tie within \(Int(100 * PrefetchTuner.margin)) %: the vendor's"
        return "\(c.hintName) (\(how): \(times) per trial tree, paired ratio other/vendor "
            + "\(String(format: "%.3f", c.otherOverVendor)))"
    }

    /// The process's last trial with a winner, else its last trial (a tie), else nil (no trial
    /// yet).
    public static var lastTrial: PrefetchChoice? { shared.last }
}

/// The process-wide prefetch decisions (one lock; written once per trial).
final class SharedPrefetchChoice: @unchecked Sendable {
    private let lock = NSLock()
    private var winner: PrefetchChoice?
    private var latest: PrefetchChoice?

    /// The hint of the last trial with a winner, if its column bytes are within
    /// `PrefetchTuner.sharingFactor` of `columnBytes`.
    func hint(columnBytes: Int) -> Int32? {
        lock.withLock {
            guard let winner else { return nil }
            let f = PrefetchTuner.sharingFactor
            return columnBytes <= f * winner.columnBytes && winner.columnBytes <= f * columnBytes ? winner.hint : nil
        }
    }
    var last: PrefetchChoice? { lock.withLock { winner ?? latest } }

    func record(_ choice: PrefetchChoice) {
        lock.withLock {
            latest = choice
            if choice.hasWinner { winner = choice }
        }
    }

    /// Forgets every decision (tests).
    func reset() { lock.withLock { winner = nil; latest = nil } }
}
