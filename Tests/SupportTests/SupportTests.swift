import Foundation
import Support
import XCTest

final class SupportTests: XCTestCase {
    /// Published FNV-1a 64 test vectors (Fowler/Noll/Vo reference test suite).
    func testFNV1a64MatchesTheReferenceVectors() {
        XCTAssertEqual(FNV1a64.hash(""), 0xcbf2_9ce4_8422_2325)
        XCTAssertEqual(FNV1a64.hash("a"), 0xaf63_dc4c_8601_ec8c)
        XCTAssertEqual(FNV1a64.hash("foobar"), 0x8594_4171_f739_67e8)
        XCTAssertEqual(FNV1a64.hash([UInt8]("foobar".utf8)), FNV1a64.hash("foobar"))
        var h = FNV1a64()
        h.add(bytes: "foo".utf8)
        h.add(bytes: "bar".utf8)
        XCTAssertEqual(h.hex, "85944171f73967e8")
    }

    /// Word-wise hashing of a buffer: the count, whole words, then the tail bytes — so moving a byte
    /// between buffers, or changing one, changes the value.
    func testWordHashingCoversEveryByte() {
        let bytes: [UInt8] = (0..<21).map { UInt8($0 * 7) }
        func hash(_ b: [UInt8]) -> UInt64 {
            var h = FNV1a64()
            b.withUnsafeBufferPointer { h.add(wordsOf: $0) }
            return h.value
        }
        let base = hash(bytes)
        for i in bytes.indices {
            var changed = bytes
            changed[i] ^= 1
            XCTAssertNotEqual(hash(changed), base, "byte \(i)")
        }
        XCTAssertNotEqual(hash(Array(bytes.dropLast())), base)
    }

    func testDidYouMeanHasOneRule() {
        XCTAssertEqual(closest(to: "learning_rat", in: ["learning_rate", "num_leaves"]), "learning_rate")
        XCTAssertEqual(closest(to: "Learning-Rate", in: ["learning_rate"]), "learning_rate")
        XCTAssertEqual(closest(to: "sede", in: ["seed", "models"]), "seed")
        XCTAssertEqual(closest(to: "Small", in: ["small", "medium", "all"]), "small")
        // Long names tolerate a third of their length; unrelated names get no suggestion.
        XCTAssertEqual(closest(to: "colsampel_bytre", in: ["colsample_bytree", "subsample"]), "colsample_bytree")
        XCTAssertNil(closest(to: "zzz", in: ["seed", "models"]))
        XCTAssertNil(closest(to: "anything", in: []))
        XCTAssertEqual(editDistance(Array("kitten"), Array("sitting")), 3)
        XCTAssertEqual(editDistance(Array(""), Array("abc")), 3)
    }

    /// bash itself is the oracle: the quoted word, read back by bash, is the original string.
    func testShellQuoteRoundTripsThroughBash() throws {
        let words = ["plain/path-1.json", "with space", "it's", "a'b'c", "$HOME", "*", "", "semi;colon", "back\\slash", "tab\there"]
        let script = words.map { "printf '%s\\0' \(shellQuote($0))" }.joined(separator: "; ")
        let p = Process()
        p.executableURL = URL(fileURLWithPath: "/bin/bash")
        p.arguments = ["-c", script]
        let pipe = Pipe()
        p.standardOutput = pipe
        try p.run()
        let out = pipe.fileHandleForReading.readDataToEndOfFile()
        p.waitUntilExit()
        XCTAssertEqual(p.terminationStatus, 0)
        let back = out.split(separator: 0, omittingEmptySubsequences: false).dropLast().map { String(decoding: $0, as: UTF8.self) }
        XCTAssertEqual(back, words)
        XCTAssertEqual(shellQuote("plain/path-1.json"), "plain/path-1.json")
    }

    func testCanonicalJSONSortsKeysAndMapsNaNToNull() throws {
        struct Value: Codable, Equatable { var b: Double; var a: [Double] }
        let data = try CanonicalJSON.encode(Value(b: .nan, a: [0.1, 2, 1e-20]))
        XCTAssertEqual(String(decoding: data, as: UTF8.self), "{\n  \"a\": [\n    0.1,\n    2,\n    1e-20\n  ],\n  \"b\": null\n}\n")
        let back = try CanonicalJSON.decode(Value.self, from: data)
        XCTAssertTrue(back.b.isNaN)
        XCTAssertEqual(back.a, [0.1, 2, 1e-20])
    }

    /// `escaped`: listed scalars by their entries, others by `other` (`""` drops, nil keeps), scalar
    /// by scalar (a `<` with a combining mark is still escaped).
    func testEscapedReplacesListedScalarsAndAsksForTheRest() {
        XCTAssertEqual("a<b>c".escaped(["<": "&lt;"]), "a&lt;b>c")
        XCTAssertEqual("a\u{1}b\u{7}".escaped([:]) { $0.value < 0x20 ? "" : nil }, "ab")
        XCTAssertEqual("<\u{338}".escaped(["<": "&lt;"]), "&lt;\u{338}")
        XCTAssertEqual("é🙂".escaped(["e": "E"]), "é🙂")
    }

    /// Strings in canonical JSON read back the same through Foundation's own JSON parser, every
    /// control character, quote and backslash included.
    func testCanonicalJSONStringsReadBackThroughJSONSerialization() throws {
        struct Value: Codable { var s: String }
        let text = String(String.UnicodeScalarView((0..<0x80).compactMap(Unicode.Scalar.init))) + "é\u{338}🙂\u{2028}"
        let data = try CanonicalJSON.encode(Value(s: text))
        let back = try XCTUnwrap(try JSONSerialization.jsonObject(with: data) as? [String: String])
        XCTAssertEqual(back["s"].map { Array($0.unicodeScalars) }, Array(text.unicodeScalars))
        XCTAssertTrue(String(decoding: data, as: UTF8.self).contains(#"\u0001"#))
    }
}
