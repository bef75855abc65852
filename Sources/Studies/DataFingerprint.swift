import EraData
import Foundation
import Support

/// A fingerprint of the data a study trains on: 16 hex digits of a 64-bit FNV-1a-style hash over
/// the row ids, era names and era of each row, splits, target names and values (float bits),
/// feature names and every feature bin — in that order, each list preceded by its length so that
/// moving an element between lists changes the value. Not cryptographic: it detects that the data
/// changed between two runs into one directory, not deliberate collisions.
public enum DataFingerprint {
    /// The fingerprint of `dataset` (reads every byte once: about a second per GB).
    public static func of(_ dataset: Dataset) -> String {
        var h = FNV1a64()
        h.add(strings: dataset.ids)
        h.add(strings: dataset.eras)
        h.add(words: dataset.eraOfRow.map { UInt64(bitPattern: Int64($0)) })
        h.add(words: dataset.splitOfRow.map { UInt64($0.code) })
        h.add(strings: dataset.targetNames)
        for t in dataset.targets { h.add(words: t.map { UInt64($0.bitPattern) }) }
        h.add(strings: dataset.featureNames)
        h.add(wordsOf: UnsafeBufferPointer(dataset.features.storage))
        return h.hex
    }
}
