import Foundation
import TestSupport
import XCTest

/// `workbench node` against a local stand-in for Numerai's API (Tests/NodeTests/numerai_server.py)
/// whose requests are compared with numerapi 3.1.1's own, failures mid-round, resumption that
/// submits nothing twice, `--dry-run`, clear errors, and no secret anywhere.
final class NodeCommandTests: XCTestCase {
    static let publicId = "PUBLICIDNODETEST"
    static let secret = "s3cr3t-KEY-9f8e7d6c5b4a"
    static let models = ["11111111-aaaa-4bbb-8ccc-000000000001", "22222222-aaaa-4bbb-8ccc-000000000002",
                         "33333333-aaaa-4bbb-8ccc-000000000003"]
    static let stakers = ["staker-0001", "staker-0002", "staker-0003"]
    /// One farm for every test (mining is the slow part); each test copies it.
    nonisolated(unsafe) static var template: URL?

    var root: URL!
    var servers: [Process] = []
    /// Every stdout / stderr of the binary, grepped for the secret at the end of each test.
    var outputs: [String] = []

    override func setUpWithError() throws {
        root = TestSupport.temporaryDirectory("node-e2e")
        try FileManager.default.copyItem(at: try Self.farmTemplate(), to: root.appendingPathComponent("t"))
    }

    override func tearDownWithError() throws {
        for server in servers where server.isRunning {
            server.terminate()
            server.waitUntilExit()
        }
        try assertNoSecret()
        try? FileManager.default.removeItem(at: root)
    }

    override class func tearDown() {
        if let template { try? FileManager.default.removeItem(at: template) }
        template = nil
        super.tearDown()
    }

    static func farmTemplate() throws -> URL {
        if let template { return template }
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("node-farm-\(getpid())")
        try? FileManager.default.removeItem(at: dir)
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        let synth = try TestSupport.workbench(["data", "synth", "--out", dir.appendingPathComponent("data.h5").path, "--eras", "40",
                                               "--rows-per-era", "200", "--features", "12", "--live"])
        XCTAssertEqual(synth.status, 0, synth.stderr)
        try Data(#"""
        {"name": "node-e2e", "seed": 5, "models": 3, "data": "data.h5",
         "evaluation": {"selectionFraction": 0.5, "embargoEras": 2},
         "vary": {"learning_rate": {"linspace": [0.05, 0.3, 6]}, "max_depth": {"intRange": [2, 4]},
                  "colsample_bytree": {"linspace": [0.3, 1, 4]}, "n_estimators": {"intRange": [8, 20]}},
         "benchmark": {"n_estimators": 20, "learning_rate": 0.1}}
        """#.utf8).write(to: dir.appendingPathComponent("study.json"))
        let mine = try TestSupport.workbench(["mine", dir.appendingPathComponent("study.json").path, "--count", "3",
                                              "--out", dir.appendingPathComponent("farm").path, "--jobs", "2", "--quiet",
                                              "--min-corr=-1", "--min-bmc=-1", "--max-corr", "1", "--max-attempts", "20"])
        XCTAssertEqual(mine.status, 0, mine.stderr)
        let farm = try JSONSerialization.jsonObject(with: Data(contentsOf: dir.appendingPathComponent("farm/farm.json"))) as! [String: Any]
        let accepted = (farm["stakers"] as! [[String: Any]]).filter { $0["status"] as? String == "accepted" }.map { $0["id"] as! String }
        XCTAssertEqual(accepted, stakers, "every staker holds a model")
        template = dir
        return dir
    }

    func path(_ name: String) -> String { root.appendingPathComponent("t").appendingPathComponent(name).path }
    var farm: String { path("farm") }

    // MARK: Server

    /// Starts numerai_server.py on a fresh state folder; its base URL.
    func startServer(_ name: String, config: [String: Any]) throws -> (url: String, state: URL) {
        let state = root.appendingPathComponent(name)
        try FileManager.default.createDirectory(at: state, withIntermediateDirectories: true)
        try writeServerConfig(state, config)
        let process = Process()
        process.executableURL = URL(fileURLWithPath: TestSupport.python)
        process.arguments = [TestSupport.repoRoot.appendingPathComponent("Tests/NodeTests/numerai_server.py").path, state.path]
        process.standardOutput = FileHandle.nullDevice
        try process.run()
        servers.append(process)
        let portFile = state.appendingPathComponent("port")
        for _ in 0..<500 where !FileManager.default.fileExists(atPath: portFile.path) { usleep(20_000) }
        let port = try String(contentsOf: portFile, encoding: .utf8)
        return ("http://127.0.0.1:\(port)", state)
    }

    func writeServerConfig(_ state: URL, _ config: [String: Any]) throws {
        var c: [String: Any] = ["round": 841, "open": true, "public_id": Self.publicId, "secret_key": Self.secret,
                                "models": Self.models, "files": ["v5.0/live.h5": path("data.h5")],
                                "put_models": Dictionary(uniqueKeysWithValues: zip(Self.stakers, Self.models))]
        c.merge(config) { $1 }
        try JSONSerialization.data(withJSONObject: c).write(to: state.appendingPathComponent("config.json"), options: .atomic)
    }

    func journal(_ state: URL) throws -> [[String: Any]] {
        guard let text = try? String(contentsOf: state.appendingPathComponent("journal.jsonl"), encoding: .utf8) else { return [] }
        return try text.split(separator: "\n").map { try JSONSerialization.jsonObject(with: Data($0.utf8)) as! [String: Any] }
    }

    func submissions(_ state: URL) throws -> [[String: Any]] {
        guard let data = try? Data(contentsOf: state.appendingPathComponent("submissions.json")) else { return [] }
        return try JSONSerialization.jsonObject(with: data) as! [[String: Any]]
    }

    // MARK: Node

    func writeNode(policy: String = "keep", live: Any = ["download": "v5.0/live.h5"], extra: [String: Any] = [:]) throws -> String {
        var node: [String: Any] = [
            "farm": "farm", "policy": policy, "live": live,
            "stakers": zip(Self.stakers, Self.models).map { ["id": $0, "model_id": $1] },
            "retry": ["attempts": 3, "delay_seconds": 0.01, "backoff": 2, "max_delay_seconds": 0.05],
            "timeout_seconds": 20,
        ]
        node.merge(extra) { $1 }
        let file = path("node.json")
        try JSONSerialization.data(withJSONObject: node, options: [.prettyPrinted]).write(to: URL(fileURLWithPath: file))
        return file
    }

    func node(_ arguments: [String], api: String?, credentials: Bool = true, secret: String = secret) throws -> TestSupport.ProcessResult {
        var environment: [String: String] = ["NUMERAI_PUBLIC_ID": "", "NUMERAI_SECRET_KEY": "", "WORKBENCH_NUMERAI_API": api ?? ""]
        if credentials { environment["NUMERAI_PUBLIC_ID"] = Self.publicId; environment["NUMERAI_SECRET_KEY"] = secret }
        let result = try TestSupport.workbench(["node"] + arguments, environment: environment)
        outputs += [result.stdout, result.stderr]
        return result
    }

    func record(_ round: Int = 841) throws -> [String: Any] {
        try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: "\(farm)/rounds/\(round)/round.json"))) as! [String: Any]
    }

    func stakerRecords(_ round: Int = 841) throws -> [String: [String: Any]] {
        Dictionary(uniqueKeysWithValues: (try record(round)["stakers"] as! [[String: Any]]).map { ($0["id"] as! String, $0) })
    }

    /// No output of the binary and no file in the test's folders (farm, rounds, numerapi's
    /// download) contains the secret key. The servers' folders are left out: they hold the key
    /// they check against and the Authorization headers they received (the API's side).
    func assertNoSecret() throws {
        for text in outputs { XCTAssertFalse(text.contains(Self.secret), "secret in output: \(text)") }
        let enumerator = FileManager.default.enumerator(atPath: root.path)!
        var checked = 0
        while let name = enumerator.nextObject() as? String {
            // The server's side (its journal and config hold the key it checks against).
            if ["api", "numerapi"].contains(name.split(separator: "/").first.map(String.init) ?? "") { continue }
            var isDirectory: ObjCBool = false
            let full = root.appendingPathComponent(name).path
            guard FileManager.default.fileExists(atPath: full, isDirectory: &isDirectory), !isDirectory.boolValue else { continue }
            let data = try Data(contentsOf: URL(fileURLWithPath: full))
            XCTAssertNil(data.range(of: Data(Self.secret.utf8)), "secret in \(name)")
            checked += 1
        }
        XCTAssertGreaterThan(checked, 0)
    }

    // MARK: Tests

    /// A round with a failure per staker kind, then a resumed round, then a third run: every
    /// model ends with exactly one submission, and the requests have numerapi's shapes.
    func testRoundWithFailuresResumesAndSubmitsNothingTwice() throws {
        let (url, state) = try startServer("api", config: ["faults": [
            ["op": "rounds", "mode": "500", "times": 1],                                    // retried
            ["op": "create_submission", "model_id": Self.models[0], "mode": "commit_then_drop", "times": 1], // answer lost
            ["op": "create_submission", "model_id": Self.models[1], "mode": "500", "times": 1],          // refused
            ["op": "put", "model_id": Self.models[2], "mode": "drop", "times": 10],                       // unreachable
        ]])
        let nodeFile = try writeNode()
        let first = try node([nodeFile], api: url)
        XCTAssertEqual(first.status, 1, first.stderr)
        XCTAssertTrue(first.stdout.contains("round 841: 1 of 3 stakers submitted (1 now, 0 earlier)"), first.stdout)
        XCTAssertTrue(first.stderr.contains("not submitted: staker-0002"), first.stderr)
        XCTAssertTrue(first.stderr.contains("staker-0003"), first.stderr)
        XCTAssertTrue(first.stderr.contains("retry 1 of 2"), first.stderr)
        XCTAssertTrue(first.stderr.contains("arrived: not submitting again"), first.stderr)
        var records = try stakerRecords()
        XCTAssertEqual(records["staker-0001"]?["status"] as? String, "submitted")
        XCTAssertEqual(records["staker-0002"]?["status"] as? String, "failed")
        XCTAssertEqual(records["staker-0003"]?["status"] as? String, "failed")
        XCTAssertEqual(records["staker-0003"]?["error_kind"] as? String, "network")
        XCTAssertEqual(try submissions(state).map { $0["modelId"] as! String }, [Self.models[0]])
        // The PUT to staker-0003's URL was tried `attempts` times, then given up.
        let puts = try journal(state).filter { $0["op"] as? String == "put" && ($0["path"] as! String).contains("staker-0003") }
        XCTAssertEqual(puts.count, 3)

        // Resume: the two missing stakers only.
        try writeServerConfig(state, ["faults": [[String: Any]]()])
        let before = try journal(state).count
        let second = try node([nodeFile, "-q"], api: url)
        XCTAssertEqual(second.status, 0, second.stderr)
        XCTAssertEqual(second.stderr, "")
        XCTAssertTrue(second.stdout.contains("round 841: 3 of 3 stakers submitted (2 now, 1 earlier)"), second.stdout)
        let resumed = try journal(state).dropFirst(before)
        XCTAssertFalse(resumed.contains { ($0["body"] as? [String: Any]).map { "\($0["variables"] ?? "")".contains(Self.models[0]) } ?? false },
                       "nothing sent for the submitted staker")
        let third = try node([nodeFile], api: url)
        XCTAssertEqual(third.status, 0, third.stderr)
        XCTAssertTrue(third.stdout.contains("3 of 3 stakers submitted (0 now, 3 earlier)"), third.stdout)
        XCTAssertEqual(try journal(state).filter { $0["op"] as? String == "create_submission" }.count, 4,
                       "one mutation each, plus the one refused with a 500")
        let all = try submissions(state)
        XCTAssertEqual(all.map { $0["modelId"] as! String }.sorted(), Self.models, "exactly one submission per model")

        // A crash after the mutation was sent and before its answer was recorded leaves
        // `sending`: the next run asks Numerai, finds it, and sends nothing.
        let recordURL = URL(fileURLWithPath: "\(farm)/rounds/841/round.json")
        var crashed = try record()
        var entries = crashed["stakers"] as! [[String: Any]]
        entries[1]["status"] = "sending"
        entries[1]["submission_id"] = nil
        crashed["stakers"] = entries
        try JSONSerialization.data(withJSONObject: crashed).write(to: recordURL, options: .atomic)
        let mutations = try journal(state).filter { $0["op"] as? String == "create_submission" }.count
        let afterCrash = try node([nodeFile], api: url)
        XCTAssertEqual(afterCrash.status, 0, afterCrash.stderr)
        XCTAssertTrue(afterCrash.stderr.contains("staker-0002: the earlier submission"), afterCrash.stderr)
        XCTAssertTrue(afterCrash.stderr.contains("arrived: not submitting again"), afterCrash.stderr)
        XCTAssertEqual(try journal(state).filter { $0["op"] as? String == "create_submission" }.count, mutations)
        XCTAssertEqual(try stakerRecords()["staker-0002"]?["status"] as? String, "submitted")
        XCTAssertEqual(try submissions(state).count, 3)

        // round.json: checksums (byte-wise FNV-1a 64, computed by Python) of what was uploaded,
        // and the uploaded bytes are the submission files.
        records = try stakerRecords()
        let check = try TestSupport.pythonOracle("EndToEndTests/NodeCommandTests-RoundChecksums.py", ["\(farm)/rounds/841", state.path])
        XCTAssertEqual(check.stdout, "ok\n", check.stderr)

        // numerapi's own requests against a second server: same queries, variables and headers.
        let (npURL, npState) = try startServer("numerapi", config: [:])
        let ours = try journal(state)
        let submissionFile = "\(farm)/rounds/841/\((records["staker-0001"]!["submission"] as! [String: Any])["path"] as! String)"
        let copy = root.appendingPathComponent("np/\(URL(fileURLWithPath: submissionFile).lastPathComponent)")
        try FileManager.default.createDirectory(at: copy.deletingLastPathComponent(), withIntermediateDirectories: true)
        try FileManager.default.copyItem(atPath: submissionFile, toPath: copy.path)
        let np = try TestSupport.run(TestSupport.python, [TestSupport.repoRoot.appendingPathComponent("Tests/NodeTests/numerapi_client.py").path,
                                                          npURL, "v5.0/live.h5", root.appendingPathComponent("np/live.h5").path,
                                                          copy.path, Self.models[0]],
                                     environment: ["NUMERAI_PUBLIC_ID": Self.publicId, "NUMERAI_SECRET_KEY": Self.secret])
        XCTAssertEqual(np.status, 0, np.stderr)
        XCTAssertTrue(np.stdout.contains("round 841\nopen True\n"), np.stdout)
        let theirs = try journal(npState)
        func normalized(_ q: String) -> String {
            q.replacingOccurrences(of: #"source: "[a-z]+""#, with: "source: SOURCE", options: .regularExpression)
                .split(whereSeparator: \.isWhitespace).joined(separator: " ")
        }
        func request(_ entries: [[String: Any]], _ op: String, model: String? = nil, containing: String? = nil) -> [String: Any]? {
            entries.first { e in
                guard e["op"] as? String == op else { return false }
                let body = e["body"] as? [String: Any]
                if let containing, !((body?["query"] as? String) ?? "").contains(containing) { return false }
                if let model { return (body?["variables"] as? [String: Any])?["modelId"] as? String == model }
                return true
            }
        }
        for (op, containing) in [("rounds", "openTime"), ("dataset", nil), ("submission_upload_auth", nil), ("create_submission", nil)] {
            guard let a = request(ours, op, model: op.contains("sub") ? Self.models[0] : nil, containing: containing),
                  let b = request(theirs, op, containing: containing) else { XCTFail("\(op) missing"); continue }
            let qa = (a["body"] as! [String: Any])["query"] as! String, qb = (b["body"] as! [String: Any])["query"] as! String
            XCTAssertEqual(normalized(qa), normalized(qb), op)
            var va = (a["body"] as! [String: Any])["variables"] as! [String: Any]
            var vb = (b["body"] as! [String: Any])["variables"] as! [String: Any]
            if op == "create_submission" { va["filename"] = nil; vb["filename"] = nil }  // server-made upload keys
            XCTAssertEqual(NSDictionary(dictionary: va), NSDictionary(dictionary: vb), op)
            let ha = a["headers"] as! [String: String], hb = b["headers"] as! [String: String]
            for header in ["content-type", "accept", "authorization"] { XCTAssertEqual(ha[header], hb[header], "\(op) \(header)") }
        }
        // The PUT carries the file's bytes, as numerapi's does.
        let npSub = try submissions(npState)[0]["filename"] as! String
        XCTAssertEqual(try Data(contentsOf: npState.appendingPathComponent("uploads/\(npSub)")), try Data(contentsOf: URL(fileURLWithPath: submissionFile)))
        XCTAssertEqual(try Data(contentsOf: root.appendingPathComponent("np/live.h5")),
                       try Data(contentsOf: URL(fileURLWithPath: "\(farm)/rounds/841/live/live.h5")), "the same live file")
    }

    /// `--dry-run`: no request at all, no credentials needed, round.json untouched; the files it
    /// would submit follow the policy: keep = the staker's own `live.csv` from `mine`, rotate =
    /// staker (i + round) mod 3's, pool = the mean of the three models' gaussianized ranks
    /// (scipy), ranked again.
    func testDryRunMakesNoNetworkCallAndFollowsThePolicy() throws {
        let (url, state) = try startServer("api", config: [:])
        for (policy, round) in [("keep", 7), ("rotate", 7), ("rotate", 8), ("pool", 9)] {
            let nodeFile = try writeNode(policy: policy, live: "data.h5")
            let run = try node([nodeFile, "--dry-run", "--round", String(round)], api: url, credentials: false)
            XCTAssertEqual(run.status, 0, run.stderr)
            XCTAssertTrue(run.stdout.contains("round \(round), dry run (nothing sent):"), run.stdout)
            for (i, staker) in Self.stakers.enumerated() {
                XCTAssertTrue(run.stdout.contains("\(staker): would submit \(farm)/rounds/\(round)/dry-run/\(staker)-round\(round).csv (200 rows"),
                              run.stdout)
                XCTAssertTrue(run.stdout.contains("for model \(Self.models[i])"), run.stdout)
                let made = try Data(contentsOf: URL(fileURLWithPath: "\(farm)/rounds/\(round)/dry-run/\(staker)-round\(round).csv"))
                switch policy {
                case "keep":
                    XCTAssertEqual(made, try Data(contentsOf: URL(fileURLWithPath: "\(farm)/stakers/\(staker)/live.csv")), staker)
                case "rotate":
                    let source = Self.stakers[(i + round) % 3]
                    XCTAssertTrue(run.stdout.contains("rotate → model of \(source)"), run.stdout)
                    XCTAssertEqual(made, try Data(contentsOf: URL(fileURLWithPath: "\(farm)/stakers/\(source)/live.csv")), staker)
                default:
                    let check = try TestSupport.run(TestSupport.python, ["-c", """
                        import sys, numpy as np, pandas as pd
                        from scipy.stats import norm, rankdata
                        farm, made = sys.argv[1], pd.read_csv(sys.argv[2])
                        g = []
                        for s in ["staker-0001", "staker-0002", "staker-0003"]:
                            p = pd.read_csv(f"{farm}/stakers/{s}/live.csv")
                            assert list(p["id"]) == list(made["id"])
                            g.append(norm.ppf((rankdata(p["prediction"]) - 0.5) / len(p)))
                        pool = np.mean(g, axis=0)
                        want = (rankdata(pool) - 0.5) / len(pool)
                        assert np.allclose(made["prediction"], want, atol=1e-9), np.abs(made["prediction"] - want).max()
                        print("ok")
                        """, farm, "\(farm)/rounds/\(round)/dry-run/\(staker)-round\(round).csv"])
                    XCTAssertEqual(check.stdout, "ok\n", check.stderr)
                }
            }
            XCTAssertFalse(FileManager.default.fileExists(atPath: "\(farm)/rounds/\(round)/round.json"))
        }
        // A download configured and not yet there: what would be downloaded, still nothing sent.
        let download = try node([try writeNode(), "--dry-run", "--round", "10"], api: url, credentials: false)
        XCTAssertEqual(download.status, 0, download.stderr)
        XCTAssertTrue(download.stdout.contains("would download v5.0/live.h5"), download.stdout)
        let noRound = try node([try writeNode(), "--dry-run"], api: url, credentials: false)
        XCTAssertEqual(noRound.status, 2)
        XCTAssertTrue(noRound.stderr.contains("--dry-run needs --round N"), noRound.stderr)
        XCTAssertEqual(try journal(state).count, 0, "no request")
    }

    /// A bad key, an unknown model id, a closed round, a round that is not the open one, missing
    /// credentials and bad NODE.json each give one clear message (never the secret).
    func testErrorsAreClear() throws {
        let (url, state) = try startServer("api", config: [:])
        let nodeFile = try writeNode()
        let wrongKey = try node([nodeFile], api: url, secret: Self.secret + "-wrong")
        outputs.append(wrongKey.stderr)
        XCTAssertEqual(wrongKey.status, 1)
        XCTAssertTrue(wrongKey.stderr.contains("Numerai refused the API key (You must be authenticated: invalid API token)"), wrongKey.stderr)
        XCTAssertFalse(wrongKey.stderr.contains(Self.secret), "not even the wrong secret")
        XCTAssertEqual(try stakerRecords()["staker-0002"]?["status"] as? String, "pending", "the round stops at a bad key")

        try writeServerConfig(state, ["models": [Self.models[0], Self.models[2]]])
        let unknown = try node([nodeFile], api: url)
        XCTAssertEqual(unknown.status, 1)
        XCTAssertTrue(unknown.stderr.contains("staker staker-0002: Numerai does not know model id \(Self.models[1]) for this API key (Model not found)"),
                      unknown.stderr)
        XCTAssertTrue(unknown.stdout.contains("2 of 3 stakers submitted"), unknown.stdout)

        try writeServerConfig(state, ["open": false])
        let closed = try node([nodeFile], api: url)
        XCTAssertEqual(closed.status, 1)
        XCTAssertTrue(closed.stderr.contains("no round is open for submissions (Current round not open for submissions)"), closed.stderr)
        try writeServerConfig(state, [:])
        let other = try node([nodeFile, "--round", "840"], api: url)
        XCTAssertEqual(other.status, 1)
        XCTAssertTrue(other.stderr.contains("--round 840 is not the open round: Numerai's current round is 841"), other.stderr)

        let missing = try node([nodeFile], api: url, credentials: false)
        XCTAssertEqual(missing.status, 1)
        XCTAssertTrue(missing.stderr.contains("NUMERAI_PUBLIC_ID and NUMERAI_SECRET_KEY not set"), missing.stderr)

        let typo = try node([try writeNode(extra: ["polcy": "rotate"])], api: url)
        XCTAssertEqual(typo.status, 2)
        XCTAssertTrue(typo.stderr.contains("node.json: polcy: unknown key (did you mean 'policy'?)"), typo.stderr)
        let stranger = try writeNode(extra: ["stakers": [["id": "staker-0001", "model_id": Self.models[0]], ["id": "staker-001", "model_id": "x"]]])
        let badStaker = try node([stranger], api: url)
        XCTAssertEqual(badStaker.status, 2)
        XCTAssertTrue(badStaker.stderr.contains("node.json: stakers[1].id: 'staker-001' is not a staker of the farm"), badStaker.stderr)
        XCTAssertTrue(badStaker.stderr.contains("(did you mean 'staker-0001'?)"), badStaker.stderr)
        let badPolicy = try node([try writeNode(policy: "rotat")], api: url)
        XCTAssertTrue(badPolicy.stderr.contains("node.json: policy: unknown policy 'rotat' (did you mean 'rotate'?)"), badPolicy.stderr)
        let badAPI = try node([try writeNode()], api: "ftp://x")
        XCTAssertTrue(badAPI.stderr.contains("WORKBENCH_NUMERAI_API (environment): 'ftp://x' is not an http(s) URL"), badAPI.stderr)
        // The round records the errors without the secret (checked for every file in tearDown).
        XCTAssertNotNil(try stakerRecords()["staker-0002"]?["error"] as? String)
    }
}
