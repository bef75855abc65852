import XCTest
import TestSupport

/// The Python oracles live in `.py` files (Tests/Oracles, bench/*.py) that run alone and are
/// linted here: an unused import, an undefined name or a syntax error fails this test, not an
/// oracle run in the middle of another test.
final class OracleScriptsTests: XCTestCase {
    func pythonFiles() throws -> [String] {
        let fm = FileManager.default
        var files: [String] = []
        let oracles = TestSupport.oraclesDirectory
        let walker = try XCTUnwrap(fm.enumerator(atPath: oracles.path))
        for case let path as String in walker where path.hasSuffix(".py") {
            files.append(oracles.appendingPathComponent(path).path)
        }
        let bench = TestSupport.repoRoot.appendingPathComponent("bench")
        for name in try fm.contentsOfDirectory(atPath: bench.path) where name.hasSuffix(".py") {
            files.append(bench.appendingPathComponent(name).path)
        }
        return files.sorted()
    }

    func testEveryOracleScriptPassesPyflakes() throws {
        let files = try pythonFiles()
        XCTAssertGreaterThan(files.count, 50)
        let result = try TestSupport.run(TestSupport.python, ["-m", "pyflakes"] + files)
        XCTAssertEqual(result.status, 0, "pyflakes (scripts/test-requirements.txt):\n" + result.stdout + result.stderr)
        XCTAssertEqual(result.stdout, "")
    }

    /// Every script under Tests/Oracles is used by a test, and every `oracleScript` /
    /// `pythonOracle` name a test uses exists.
    func testEveryOracleScriptIsUsedAndEveryUseExists() throws {
        let tests = TestSupport.repoRoot.appendingPathComponent("Tests")
        var swift = ""
        let walker = try XCTUnwrap(FileManager.default.enumerator(atPath: tests.path))
        for case let path as String in walker where path.hasSuffix(".swift") {
            swift += try String(contentsOf: tests.appendingPathComponent(path), encoding: .utf8)
        }
        let prefix = TestSupport.oraclesDirectory.path + "/"
        let scripts = try pythonFiles().filter { $0.hasPrefix(prefix) }.map { String($0.dropFirst(prefix.count)) }
        for name in scripts {
            XCTAssertTrue(swift.contains("\"\(name)\""), "Tests/Oracles/\(name) is used by no test")
        }
        let used = try NSRegularExpression(pattern: #"(?:oracleScript|pythonOracle)\("([^"]+)""#)
        let range = NSRange(swift.startIndex..., in: swift)
        let names = used.matches(in: swift, range: range).map { String(swift[Range($0.range(at: 1), in: swift)!]) }
        XCTAssertGreaterThan(names.count, 50)
        for name in Set(names) {
            XCTAssertTrue(scripts.contains(name), "a test uses Tests/Oracles/\(name), which does not exist")
        }
    }
}
