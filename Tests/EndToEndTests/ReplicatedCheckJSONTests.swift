import Foundation
import TestSupport
import XCTest

/// `workbench run STUDY --check --json` of a study with `replicates`: valid JSON in the one
/// `--json` style with each replicate's plan and memory estimate, checked against the study file
/// and scikit-learn's TimeSeriesSplit (ReplicatedCheckJSONTests-Check.py), against each
/// replicate's own study file checked alone, and against the text check.
final class ReplicatedCheckJSONTests: XCTestCase {
    var root: URL!

    override func setUpWithError() throws { root = TestSupport.temporaryDirectory("replicated-check-json") }
    override func tearDownWithError() throws { try? FileManager.default.removeItem(at: root) }

    func path(_ name: String) -> String { root.appendingPathComponent(name).path }

    nonisolated(unsafe) static let study: [String: Any] = [
        "name": "rep-check", "seed": 7, "models": 3,
        "data": ["synthetic": ["eras": 60, "rowsPerEra": 40, "features": 8]],
        "fixed": ["n_estimators": 20],
        "replicates": ["dataSeeds": [1, 2], "splits": ["walkForward": 2]],
    ]

    func testReplicatedCheckAsJSONHasEachReplicatesPlanAndEstimate() throws {
        let data = try JSONSerialization.data(withJSONObject: Self.study, options: [.sortedKeys])
        try data.write(to: URL(fileURLWithPath: path("s.json")))
        let check = try TestSupport.workbench(["run", path("s.json"), "--check", "--json", "-j", "2"])
        XCTAssertEqual(check.status, 0, check.stderr)
        XCTAssertEqual(check.stderr, "", "no progress or text beside the JSON")
        try check.stdout.write(toFile: path("check.json"), atomically: true, encoding: .utf8)
        let oracle = try TestSupport.pythonOracle("EndToEndTests/ReplicatedCheckJSONTests-Check.py", [path("s.json"), path("check.json"), "2"])
        XCTAssertEqual(oracle.status, 0, oracle.stderr)
        let errors = try XCTUnwrap(try JSONSerialization.jsonObject(with: Data(oracle.stdout.utf8)) as? [String: Any])["errors"] as? [String]
        XCTAssertEqual(errors, [], (errors ?? []).joined(separator: "\n"))

        let doc = try XCTUnwrap(try JSONSerialization.jsonObject(with: Data(check.stdout.utf8)) as? [String: Any])
        XCTAssertEqual(doc["valid"] as? Bool, true)
        let replicates = try XCTUnwrap(doc["replicates"] as? [[String: Any]])
        XCTAssertEqual(replicates.count, 4)

        // Each replicate is a study of its own (the study file without `replicates`, renamed, its
        // seeds and fold set): checked alone it has the same hash, plan, data, jobs and estimate.
        let text = try TestSupport.workbench(["run", path("s.json"), "--check", "-j", "2"])
        XCTAssertEqual(text.status, 0, text.stderr)
        for r in replicates {
            let label = try XCTUnwrap(r["label"] as? String)
            var child = Self.study
            child["replicates"] = nil
            child["name"] = "rep-check-\(label)"
            var synthetic = (Self.study["data"] as! [String: Any])["synthetic"] as! [String: Any]
            synthetic["seed"] = r["data_seed"]
            child["data"] = ["synthetic": synthetic]
            let fold = try XCTUnwrap(r["fold"] as? [String: Any])
            child["fold"] = ["index": fold["index"]!, "of": fold["of"]!]
            let file = path("\(label).json")
            try JSONSerialization.data(withJSONObject: child, options: [.sortedKeys]).write(to: URL(fileURLWithPath: file))
            let alone = try TestSupport.workbench(["run", file, "--check", "--json", "-j", "2"])
            XCTAssertEqual(alone.status, 0, alone.stderr)
            let own = try XCTUnwrap(try JSONSerialization.jsonObject(with: Data(alone.stdout.utf8)) as? [String: Any])
            for key in ["study", "hash", "seed", "models", "jobs", "memory_bytes"] {
                XCTAssertEqual(r[key] as? NSObject, own[key] as? NSObject, "\(label) \(key)")
            }
            XCTAssertEqual(r["data"] as? NSDictionary, own["data"] as? NSDictionary, "\(label) data")
            // The text check lists the same fold eras.
            let train = try XCTUnwrap(fold["train"] as? [String: Any]), evaluation = try XCTUnwrap(fold["evaluation"] as? [String: Any])
            let span = { (s: [String: Any]) in "\(s["first"]!)–\(s["last"]!) (\(s["count"]!) eras)" }
            XCTAssertTrue(text.stdout.contains("\(label): data seed \(r["data_seed"]!), study seed 7, fold \(fold["index"]!)/2: train \(span(train)), evaluation \(span(evaluation))"),
                          text.stdout)
        }
    }
}
