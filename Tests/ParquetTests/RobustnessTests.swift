import Foundation
import Support
import TestSupport
import XCTest
@testable import Parquet

/// Bad input never crashes or hangs the reader: it throws a `ParquetError` naming the file.
final class RobustnessTests: XCTestCase {
    nonisolated(unsafe) static var directory: URL!
    nonisolated(unsafe) static var corpus: [(name: String, bytes: [UInt8])] = []
    /// Why the corpus could not be made (the oracle's failure), reported by each test that needs it.
    nonisolated(unsafe) static var corpusFailure: String? = nil

    /// Small seed files (few hundred rows, tiny pages, several row groups) in every codec and page version.
    static let corpusScript = TestSupport.oracleScript("ParquetTests/RobustnessTests-corpusScript.py")

    override class func setUp() {
        super.setUp()
        directory = TestSupport.temporaryDirectory("parquet-fuzz")
        do {
            let result = try TestSupport.python(corpusScript, [directory.path])
            guard result.status == 0 else {
                corpusFailure = "the corpus script exited \(result.status): \(result.stderr)"
                return
            }
            guard let names = try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [String] else {
                corpusFailure = "the corpus script printed no list of file names: \(result.stdout)"
                return
            }
            corpus = try names.map { name in (name, [UInt8](try Data(contentsOf: directory.appendingPathComponent(name)))) }
        } catch {
            corpusFailure = "the corpus could not be made: \(error)"
        }
    }

    struct NoCorpus: Error, CustomStringConvertible { let description: String }

    /// The seed corpus, or an error saying why there is none: a test without its fixture fails
    /// with the reason instead of crashing the run (e.g. dividing by the corpus size).
    func seedCorpus() throws -> [(name: String, bytes: [UInt8])] {
        if let failure = Self.corpusFailure { throw NoCorpus(description: failure) }
        guard !Self.corpus.isEmpty else { throw NoCorpus(description: "the corpus script wrote no files") }
        return Self.corpus
    }

    override class func tearDown() {
        try? FileManager.default.removeItem(at: directory)
        super.tearDown()
    }

    /// Opens and reads every column every way; returns the error if one was thrown.
    @discardableResult
    func readEverything(_ bytes: [UInt8], name: String) -> Error? {
        do {
            let file = try ParquetFile(bytes: bytes, name: name)
            let columns = try file.readColumns(file.columnNames)
            for c in columns where c.count != file.rowCount { XCTFail("\(name): column of \(c.count) values for \(file.rowCount) rows") }
            for info in file.schema {
                if [.int32, .int64, .float, .double, .boolean].contains(info.physicalType) {
                    XCTAssertEqual(try file.readFloatColumn(info.name).count, file.rowCount)
                }
                if [.int32, .int64].contains(info.physicalType) {
                    _ = try? file.readInt8Bins(info.name)
                }
            }
            return nil
        } catch let error as ParquetError {
            XCTAssertEqual(error.file, name)
            XCTAssertTrue(error.description.hasPrefix(name + ": "), error.description)
            return error
        } catch {
            XCTFail("\(name): unexpected error type \(type(of: error)): \(error)")
            return error
        }
    }

    func testSeedCorpusReads() throws {
        let corpus = try seedCorpus()
        XCTAssertEqual(corpus.count, 16, "corpus script failed")
        for (name, bytes) in corpus { XCTAssertNil(readEverything(bytes, name: name), name) }
    }

    /// Seeded mutation loop: bit flips anywhere, bit flips and random bytes in the footer, truncations,
    /// random bytes over page headers. A fixed number of iterations keeps it well under 30 s.
    func testMutationFuzzLoop() throws {
        let corpus = try seedCorpus()
        var rng = SplitMix64(seed: 0x5eed)
        let iterations = 20_000
        var thrown = 0, valid = 0
        let start = Date()
        let watchdog = HangGuard()
        defer { watchdog.stop() }
        for i in 0..<iterations {
            let (name, seed) = corpus[i % corpus.count]
            var bytes = seed
            let footerLength = Int(UInt32(bytes[bytes.count - 8]) | UInt32(bytes[bytes.count - 7]) << 8
                                   | UInt32(bytes[bytes.count - 6]) << 16 | UInt32(bytes[bytes.count - 5]) << 24)
            let footerStart = bytes.count - 8 - footerLength
            switch rng.next() % 6 {
            case 0:   // bit flips anywhere
                for _ in 0..<(1 + Int(rng.next() % 4)) {
                    let at = Int(rng.next() % UInt64(bytes.count))
                    bytes[at] ^= 1 << UInt8(rng.next() % 8)
                }
            case 1:   // bit flips in the footer
                for _ in 0..<(1 + Int(rng.next() % 3)) {
                    let at = footerStart + Int(rng.next() % UInt64(footerLength))
                    bytes[at] ^= 1 << UInt8(rng.next() % 8)
                }
            case 2:   // random bytes in the footer
                let at = footerStart + Int(rng.next() % UInt64(footerLength))
                for k in at..<min(at + 1 + Int(rng.next() % 8), bytes.count - 8) { bytes[k] = UInt8(truncatingIfNeeded: rng.next()) }
            case 3:   // truncation
                bytes = Array(bytes.prefix(Int(rng.next() % UInt64(bytes.count))))
            case 4:   // random bytes over the data region (page headers and page data)
                let at = 4 + Int(rng.next() % UInt64(max(1, footerStart - 4)))
                for k in at..<min(at + 1 + Int(rng.next() % 16), footerStart) { bytes[k] = UInt8(truncatingIfNeeded: rng.next()) }
            default:  // a byte set to an extreme value (varint continuation, huge lengths)
                let at = Int(rng.next() % UInt64(bytes.count))
                bytes[at] = [0xff, 0x7f, 0x80, 0x00][Int(rng.next() % 4)]
            }
            let read = watchdog.step("parquet fuzz iteration \(i) (\(name))") { readEverything(bytes, name: "fuzz-\(i)-\(name)") }
            if read == nil { valid += 1 } else { thrown += 1 }
        }
        print("fuzz: \(iterations) mutants, \(thrown) errors, \(valid) read fully, \(Date().timeIntervalSince(start)) s")
        XCTAssertGreaterThan(thrown, iterations / 4)
    }

    func testTruncatedFilesNameTheFile() throws {
        let (name, bytes) = try XCTUnwrap(try seedCorpus().first)
        let path = Self.directory.appendingPathComponent("cut-" + name).path
        for length in [0, 3, 11, 50, bytes.count / 2, bytes.count - 1] {
            _ = FileManager.default.createFile(atPath: path, contents: Data(bytes.prefix(length)))
            XCTAssertThrowsError(try ParquetFile(path: path)) { error in
                let text = "\(error)"
                XCTAssertTrue(text.hasPrefix(path + ": "), text)
                XCTAssertTrue(text.contains("truncated") || text.contains("empty") || text.contains("not a parquet"), text)
            }
        }
    }

    func testMissingAndWrongFiles() throws {
        let missing = Self.directory.appendingPathComponent("nope.parquet").path
        XCTAssertThrowsError(try ParquetFile(path: missing)) { XCTAssertEqual("\($0)", "\(missing): no such file") }
        let csv = Self.directory.appendingPathComponent("data.csv").path
        _ = FileManager.default.createFile(atPath: csv, contents: Data("id,era\nn1,0001\n".utf8))
        XCTAssertThrowsError(try ParquetFile(path: csv)) { XCTAssertEqual("\($0)", "\(csv): not a parquet file (no PAR1 magic at the start)") }
        XCTAssertThrowsError(try ParquetFile(path: Self.directory.path)) { XCTAssertTrue("\($0)".contains("is a directory")) }
    }

    func testCorruptPageNamesColumnAndRowGroup() throws {
        let (name, seed) = try XCTUnwrap(try seedCorpus().first { $0.name.contains("plain-snappy-v1.0") })
        let file = try ParquetFile(bytes: seed, name: name)
        // Overwrite the middle of the first data region with garbage: some column must fail with context.
        var bytes = seed
        for k in 4..<min(200, bytes.count) { bytes[k] = 0xee }
        let broken = try ParquetFile(bytes: bytes, name: name)
        XCTAssertEqual(broken.rowCount, file.rowCount)
        XCTAssertThrowsError(try broken.readColumn("id")) { error in
            XCTAssertTrue("\(error)".hasPrefix("\(name): column 'id', row group 0: page 0"), "\(error)")
        }
    }
}
