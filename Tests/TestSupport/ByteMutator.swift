import Foundation

/// Seeded byte mutations for the bounded fuzz loops (CSV, dataset .h5, .wbm, LightGBM text):
/// the same seed gives the same mutants, so a failing iteration can be replayed.
///
/// Each `mutate` applies one of: bit flips, random bytes over a short run, an extreme byte
/// (0x00, 0x7f, 0x80, 0xff: lengths, signs, varint continuations), truncation, deletion or
/// duplication of a run, and — when `tokens` are given — a token written over a random place
/// (digits, separators, `nan`, `1e999`, CR/LF…: what text formats trip on).
public struct ByteMutator {
    public var state: UInt64

    public init(seed: UInt64) { state = seed }

    /// SplitMix64.
    public mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }

    /// A uniform integer in 0..<n (n > 0).
    public mutating func below(_ n: Int) -> Int { Int(next() % UInt64(max(n, 1))) }

    /// Tokens text formats are sensitive to.
    public static let textTokens: [String] = [
        "\r\n", "\n", "\r", ",", "\"", "=", " ", "-", ".", "e", "nan", "inf", "-inf", "1e999", "1e39",
        "-0", "0", "9999999999999999999999", "4294967296", "-1", "\u{0}", "\u{FFFD}", "é",
    ]

    /// One mutation of `bytes`, restricted to `region` when given (offsets into `bytes`).
    public mutating func mutate(_ bytes: [UInt8], region: Range<Int>? = nil, tokens: [String] = []) -> [UInt8] {
        var out = bytes
        guard !out.isEmpty else { return [UInt8(truncatingIfNeeded: next())] }
        let r = region.map { $0.clamped(to: 0..<out.count) } ?? 0..<out.count
        let lo = r.isEmpty ? 0 : r.lowerBound, span = max(r.count, 1)
        func at() -> Int { min(lo + below(span), out.count - 1) }
        switch below(tokens.isEmpty ? 7 : 8) {
        case 0:
            for _ in 0...below(4) { out[at()] ^= 1 << UInt8(below(8)) }
        case 1:
            let start = at()
            for k in start..<min(start + 1 + below(16), out.count) { out[k] = UInt8(truncatingIfNeeded: next()) }
        case 2:
            out[at()] = [0x00, 0x7f, 0x80, 0xff][below(4)]
        case 3:
            out = Array(out.prefix(below(out.count)))
        case 4:
            let start = at()
            out.removeSubrange(start..<min(start + 1 + below(32), out.count))
        case 5:
            let start = at(), end = min(start + 1 + below(64), out.count)
            out.insert(contentsOf: out[start..<end], at: start)
        case 6:
            // Several flips in a row: multi-byte integers (lengths, offsets) get large.
            let start = at()
            for k in start..<min(start + 8, out.count) where below(2) == 0 { out[k] = 0xff }
        default:
            let token = Array(tokens[below(tokens.count)].utf8), start = at()
            if below(2) == 0 {
                out.insert(contentsOf: token, at: start)
            } else {
                out.replaceSubrange(start..<min(start + token.count, out.count), with: token)
            }
        }
        return out
    }
}

extension TestSupport {
    /// The process's peak resident set size so far, in bytes (getrusage; Linux reports KB).
    public static func peakResidentBytes() -> Int {
        var usage = rusage()
        getrusage(__rusage_who_t(RUSAGE_SELF.rawValue), &usage)
        return Int(usage.ru_maxrss) * 1024
    }
}
