import Foundation

/// A failure of `workbench node`: a bad NODE.json, a farm that does not match, or an answer of
/// Numerai's API. Every text is built here, and none ever contains the secret key (messages
/// that echo server text pass through `Credentials.scrub`).
public struct NodeError: Error, CustomStringConvertible, Equatable {
    public enum Kind: String, Sendable, Codable {
        /// NODE.json, the farm or the command line is wrong: nothing was sent.
        case config
        /// NUMERAI_PUBLIC_ID / NUMERAI_SECRET_KEY missing, or refused by the API.
        case badKey = "bad_key"
        /// The API does not know the model id (or the key does not own it).
        case unknownModel = "unknown_model"
        /// No round is open for submissions, or not the one asked for.
        case roundClosed = "round_closed"
        /// No answer after every retry (connection refused, reset, timeout, 5xx).
        case network
        /// The API answered with an error that is none of the above.
        case api
        /// Reading the live data or predicting failed.
        case prediction
    }

    public let kind: Kind
    public let description: String
    public init(_ kind: Kind, _ description: String) {
        self.kind = kind
        self.description = description
    }

    /// Whether the rest of the round is pointless after this error (every staker would fail alike).
    public var stopsRound: Bool { kind == .badKey || kind == .roundClosed || kind == .config }

    // MARK: Texts

    static func config(_ text: String) -> NodeError { NodeError(.config, text) }

    static func missingCredentials(missing: [String]) -> NodeError {
        NodeError(.badKey, "\(missing.joined(separator: " and ")) not set: export NUMERAI_PUBLIC_ID and NUMERAI_SECRET_KEY (an API key with the upload_submission scope, from numer.ai → Account → API keys), or use --dry-run")
    }

    static func shortSecret(length: Int) -> NodeError {
        NodeError(.badKey, "NUMERAI_SECRET_KEY is \(length) characters long, not a Numerai secret key (those are 64): copy the whole key")
    }

    static func badKey(_ operation: String, serverText: String) -> NodeError {
        NodeError(.badKey, "\(operation): Numerai refused the API key (\(serverText)); check NUMERAI_PUBLIC_ID and NUMERAI_SECRET_KEY and that the key has the upload_submission scope")
    }

    static func unknownModel(_ modelId: String, staker: String, serverText: String) -> NodeError {
        NodeError(.unknownModel, "staker \(staker): Numerai does not know model id \(modelId) for this API key (\(serverText)); copy the model's id from numer.ai/models into NODE.json")
    }

    static func roundClosed(_ operation: String, serverText: String) -> NodeError {
        NodeError(.roundClosed, "\(operation): no round is open for submissions (\(serverText)); run again when the next round opens")
    }

    static func roundNotCurrent(asked: Int, current: Int) -> NodeError {
        NodeError(.roundClosed, "--round \(asked) is not the open round: Numerai's current round is \(current) (submissions always go to the current round)")
    }

    static func network(_ operation: String, attempts: Int, last: String) -> NodeError {
        NodeError(.network, "\(operation): no answer after \(attempts) attempt(s) (\(last))")
    }

    static func api(_ operation: String, _ text: String) -> NodeError {
        NodeError(.api, "\(operation): \(text)")
    }

    /// Maps an error text of Numerai's GraphQL API (what numerapi's `_handle_call_error` raises)
    /// onto a kind: "Current round not open for submissions" (numerapi's `check_round_open`) and
    /// texts naming a closed round; texts about a model that is not found / not owned; texts about
    /// authentication, tokens or API keys. Anything else stays `.api` with the text.
    static func classify(_ serverText: String, operation: String, modelId: String?, staker: String?) -> NodeError {
        let t = serverText.lowercased()
        if t.contains("not open for submission") || (t.contains("round") && (t.contains("closed") || t.contains("not open"))) {
            return roundClosed(operation, serverText: serverText)
        }
        if let modelId, t.contains("model"),
           ["not found", "does not exist", "doesn't exist", "unknown", "invalid", "not owned", "do not own", "does not belong", "not yours"].contains(where: t.contains) {
            return unknownModel(modelId, staker: staker ?? "?", serverText: serverText)
        }
        if ["authenticat", "unauthori", "api key", "token", "session is invalid", "invalid session", "credentials", "forbidden"].contains(where: t.contains) {
            return badKey(operation, serverText: serverText)
        }
        return api(operation, serverText)
    }
}
