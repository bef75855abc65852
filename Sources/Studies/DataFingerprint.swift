import EraData
import Foundation

/// A fingerprint of the data a study trains on: 16 hex digits of a 64-bit FNV-1a-style hash over
/// the row ids, era names and era of each row, splits, target names and values (float bits),
/// feature names and every feature bin — in that order, each list preceded by its length so that
/// moving an element between lists changes the value. Not cryptographic: it detects that the data
/// changed between two runs into one directory, not deliberate collisions.
public enum DataFingerprint {
    /// The fingerprint of `dataset` (reads every byte once: about a second per GB).
    public static func of(_ dataset: Dataset) -> String {
        var h = Hasher64()
        h.add(dataset.ids)
        h.add(dataset.eras)
        h.add(words: dataset.eraOfRow.map { UInt64(bitPattern: Int64($0)) })
        h.add(words: dataset.splitOfRow.map { UInt64($0.code) })
        h.add(dataset.targetNames)
        for t in dataset.targets { h.add(words: t.map { UInt64($0.bitPattern) }) }
        h.add(dataset.featureNames)
        h.add(bytes: UnsafeBufferPointer(dataset.features.storage))
        let hex = String(h.value, radix: 16)
        return String(repeating: "0", count: 16 - hex.count) + hex
    }

    /// FNV-1a 64 over bytes, and over 64-bit words (one xor-multiply per word: 8× faster on the
    /// feature bins, which dominate).
    struct Hasher64 {
        var value: UInt64 = 0xcbf2_9ce4_8422_2325
        static let prime: UInt64 = 0x100_0000_01b3

        mutating func add(word: UInt64) { value = (value ^ word) &* Self.prime }
        mutating func add(words: [UInt64]) {
            add(word: UInt64(words.count))
            for w in words { add(word: w) }
        }
        mutating func add(_ strings: [String]) {
            add(word: UInt64(strings.count))
            for s in strings {
                add(word: UInt64(s.utf8.count))
                for b in s.utf8 { value = (value ^ UInt64(b)) &* Self.prime }
            }
        }
        mutating func add(bytes: UnsafeBufferPointer<UInt8>) {
            add(word: UInt64(bytes.count))
            let words = bytes.count / 8
            if let base = bytes.baseAddress {
                let raw = UnsafeRawPointer(base)
                for i in 0..<words { add(word: raw.loadUnaligned(fromByteOffset: i * 8, as: UInt64.self)) }
            }
            for i in (words * 8)..<bytes.count { value = (value ^ UInt64(bytes[i])) &* Self.prime }
        }
    }
}
