import Foundation
@testable import Node
import Mining
import Studies
import XCTest

/// The node's policies, NODE.json validation, error classification and secret scrubbing.
final class NodePolicyTests: XCTestCase {
    let farm = ["a", "b", "c", "d"]

    func testRotationIsAPermutationEveryRoundAndCoversEveryModelOverNRounds() {
        for start in [0, 5, 841] {
            var held: [String: Set<String>] = [:]
            for round in start..<(start + farm.count) {
                let models = farm.map { NodePolicy.sources(policy: .rotate, staker: $0, accepted: farm, round: round)[0] }
                XCTAssertEqual(Set(models).count, farm.count, "round \(round): each model submitted by exactly one staker")
                for (s, m) in zip(farm, models) { held[s, default: []].insert(m) }
                // Deterministic: the same round gives the same assignment.
                XCTAssertEqual(models, farm.map { NodePolicy.sources(policy: .rotate, staker: $0, accepted: farm, round: round)[0] })
            }
            for s in farm { XCTAssertEqual(held[s], Set(farm), "staker \(s) holds every model once over \(farm.count) rounds") }
        }
        // Staker i, round r: model (i + r) mod n.
        XCTAssertEqual(NodePolicy.sources(policy: .rotate, staker: "b", accepted: farm, round: 7), ["a"])
        XCTAssertEqual(NodePolicy.sources(policy: .keep, staker: "b", accepted: farm, round: 7), ["b"])
        XCTAssertEqual(NodePolicy.sources(policy: .pool, staker: "b", accepted: farm, round: 7), farm)
    }

    func parse(_ json: String, environment: [String: String] = [:]) throws -> NodeConfig {
        try NodeConfig.parse(try JSONSerialization.jsonObject(with: Data(json.utf8)), source: "NODE.json",
                             base: URL(fileURLWithPath: "/farms"), environment: environment)
    }

    func assertError(_ json: String, _ text: String, file: StaticString = #filePath, line: UInt = #line) {
        XCTAssertThrowsError(try parse(json), file: file, line: line) { error in
            XCTAssertEqual((error as? NodeError)?.kind, .config, file: file, line: line)
            XCTAssertTrue("\(error)".contains(text), "\(error)", file: file, line: line)
        }
    }

    func testNodeFileIsValidatedWithLocatedErrors() throws {
        let ok = try parse(#"{"farm": "f", "live": {"download": "v5.0/live.parquet"}, "policy": "pool", "stakers": [{"id": "a", "model_id": "m-1"}], "retry": {"attempts": 2, "delay_seconds": 0}}"#)
        XCTAssertEqual(ok.farm.path, "/farms/f")
        XCTAssertEqual(ok.live, .download("v5.0/live.parquet"))
        XCTAssertEqual(ok.policy, .pool)
        XCTAssertEqual(ok.tournament, 8)
        XCTAssertEqual(ok.api.absoluteString, NodeConfig.defaultAPI)
        XCTAssertEqual(ok.retry.attempts, 2)
        let env = try parse(#"{"farm": "/x", "live": "live.parquet", "api": "https://a.example", "stakers": [{"id": "a", "model_id": "m"}]}"#,
                            environment: ["WORKBENCH_NUMERAI_API": "http://127.0.0.1:9"])
        XCTAssertEqual(env.api.absoluteString, "http://127.0.0.1:9", "the environment overrides NODE.json")
        XCTAssertEqual(env.live, .path("/farms/live.parquet"))

        assertError(#"[1]"#, "NODE.json: must be a JSON object")
        assertError(#"{"live": "l", "stakers": [{"id": "a", "model_id": "m"}]}"#, "NODE.json: farm: missing")
        assertError(#"{"farm": "f", "stakers": [{"id": "a", "model_id": "m"}]}"#, "NODE.json: live: missing")
        assertError(#"{"farm": "f", "live": 3, "stakers": [{"id": "a", "model_id": "m"}]}"#, "NODE.json: live: must be a path")
        assertError(#"{"farm": "f", "live": "l", "stakers": []}"#, "NODE.json: stakers: must be a non-empty list")
        assertError(#"{"farm": "f", "live": "l", "stakers": [{"id": "a"}]}"#, "NODE.json: stakers[0].model_id: missing")
        assertError(#"{"farm": "f", "live": "l", "stakers": [{"id": "a", "model_id": "m"}, {"id": "a", "model_id": "n"}]}"#,
                    "NODE.json: stakers[1].id: staker 'a' is listed twice (first as stakers[0])")
        assertError(#"{"farm": "f", "live": "l", "stakers": [{"id": "a", "model_id": "m"}, {"id": "b", "model_id": "m"}]}"#,
                    "NODE.json: stakers[1].model_id: model id m is listed twice")
        assertError(#"{"farm": "f", "live": "l", "stakers": [{"id": "a", "model_id": "m x"}]}"#, "NODE.json: stakers[0].model_id: 'm x' is not a model id")
        assertError(#"{"farm": "f", "live": "l", "stakers": [{"id": "a", "modelid": "m"}]}"#, "NODE.json: stakers[0].modelid: unknown key (did you mean 'model_id'?)")
        assertError(#"{"farm": "f", "live": "l", "stakers": [{"id": "a", "model_id": "m"}], "retry": {"attempts": 0}}"#, "NODE.json: retry.attempts: must be an integer in 1…100")
        assertError(#"{"farm": "f", "live": "l", "stakers": [{"id": "a", "model_id": "m"}], "tournament": 1.5}"#, "NODE.json: tournament: must be a positive integer")
        assertError(#"{"farm": "f", "live": "l", "stakers": [{"id": "a", "model_id": "m"}], "api": "localhost"}"#, "NODE.json: api: 'localhost' is not an http(s) URL")
    }

    func testServerTextsAreClassified() {
        func kind(_ text: String) -> NodeError.Kind { NodeError.classify(text, operation: "op", modelId: "m", staker: "s").kind }
        XCTAssertEqual(kind("Current round not open for submissions"), .roundClosed)
        XCTAssertEqual(kind("Round is closed"), .roundClosed)
        XCTAssertEqual(kind("Model not found"), .unknownModel)
        XCTAssertEqual(kind("You do not own this model"), .unknownModel)
        XCTAssertEqual(kind("You must be authenticated to perform this action"), .badKey)
        XCTAssertEqual(kind("Invalid API token"), .badKey)
        XCTAssertEqual(kind("Submission has too few rows"), .api)
    }

    func testTheSecretNeverLeavesTheCredentials() throws {
        let c = Credentials(publicId: "PUB", secretKey: "hush-123")
        XCTAssertFalse(c.description.contains("hush-123"))
        XCTAssertFalse("\(c)".contains("hush-123"))
        XCTAssertEqual(c.scrub("header Token PUB$hush-123 and hush-123"), "header Token PUB$<secret> and <secret>")
        XCTAssertThrowsError(try Credentials.fromEnvironment(["NUMERAI_PUBLIC_ID": "PUB", "NUMERAI_SECRET_KEY": "short"])) { error in
            XCTAssertTrue("\(error)".contains("NUMERAI_SECRET_KEY is 5 characters long"), "\(error)")
            XCTAssertFalse("\(error)".contains("short"), "\(error)")
        }
        XCTAssertThrowsError(try Credentials.fromEnvironment(["NUMERAI_PUBLIC_ID": "PUB"])) { error in
            XCTAssertEqual((error as? NodeError)?.kind, .badKey)
            XCTAssertTrue("\(error)".contains("NUMERAI_SECRET_KEY not set"), "\(error)")
        }
    }

    func testBackoffGrowsAndIsCapped() {
        var r = NodeConfig.Retry()
        r.delay = 1; r.backoff = 2; r.maxDelay = 5
        XCTAssertEqual((0..<5).map { r.wait(before: $0) }, [1, 2, 4, 5, 5])
    }
}
