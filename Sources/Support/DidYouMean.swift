/// "Did you mean …?" for every name the workbench accepts (study keys, parameters, columns,
/// feature sets, distributions): the candidate with the smallest Levenshtein distance to `word`,
/// compared case-insensitively with `-` read as `_`, when that distance is at most
/// `max(2, ⌊length/3⌋)` of the longer of the two names — close enough to be a typo, far enough
/// that unrelated names are not offered. Ties go to the earlier candidate.
public func closest(to word: String, in candidates: [String]) -> String? {
    func normal(_ s: String) -> [Character] { Array(s.lowercased().replacingOccurrences(of: "-", with: "_")) }
    let target = normal(word)
    var best: (candidate: String, distance: Int)? = nil
    for c in candidates {
        let d = editDistance(target, normal(c))
        if best == nil || d < best!.distance { best = (c, d) }
    }
    guard let best else { return nil }
    return best.distance <= max(2, max(word.count, best.candidate.count) / 3) ? best.candidate : nil
}

/// Levenshtein distance (insertions, deletions and substitutions each cost 1), one row at a time.
public func editDistance(_ a: [Character], _ b: [Character]) -> Int {
    var row = Array(0...b.count)
    for (i, ca) in a.enumerated() {
        var diagonal = row[0]
        row[0] = i + 1
        for (j, cb) in b.enumerated() {
            let above = row[j + 1]
            row[j + 1] = min(above + 1, row[j] + 1, diagonal + (ca == cb ? 0 : 1))
            diagonal = above
        }
    }
    return row[b.count]
}
