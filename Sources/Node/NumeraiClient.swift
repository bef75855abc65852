import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif

/// The API key, read only from the environment variables numerapi reads (`NUMERAI_PUBLIC_ID`,
/// `NUMERAI_SECRET_KEY`). It is sent only in the `Authorization` header and never printed:
/// `description` hides it and `scrub` removes it from any text that leaves the client.
public struct Credentials: Sendable, CustomStringConvertible {
    public let publicId: String
    let secretKey: String

    public init(publicId: String, secretKey: String) {
        self.publicId = publicId
        self.secretKey = secretKey
    }

    public static func fromEnvironment(_ environment: [String: String] = ProcessInfo.processInfo.environment) throws -> Credentials {
        let id = environment["NUMERAI_PUBLIC_ID"] ?? "", key = environment["NUMERAI_SECRET_KEY"] ?? ""
        var missing: [String] = []
        if id.isEmpty { missing.append("NUMERAI_PUBLIC_ID") }
        if key.isEmpty { missing.append("NUMERAI_SECRET_KEY") }
        guard missing.isEmpty else { throw NodeError.missingCredentials(missing: missing) }
        // Numerai's keys are 32 / 64 characters; a short value is a mistake (and could not be
        // scrubbed from texts without mangling them).
        guard key.count >= 16 else { throw NodeError.shortSecret(length: key.count) }
        return Credentials(publicId: id, secretKey: key)
    }

    /// numerapi's header value: `Token PUBLIC_ID$SECRET_KEY`.
    var authorization: String { "Token \(publicId)$\(secretKey)" }

    public var description: String { "Credentials(public id \(publicId), secret key hidden)" }

    /// `text` with every occurrence of the secret key (and of the whole token) replaced.
    public func scrub(_ text: String) -> String {
        guard !secretKey.isEmpty else { return text }
        return text.replacingOccurrences(of: authorization, with: "Token \(publicId)$<secret>")
            .replacingOccurrences(of: secretKey, with: "<secret>")
    }
}

/// An answer of the API: status and body.
struct HTTPAnswer {
    var status: Int
    var body: Data
}

/// Numerai's tournament API in Swift, following numerapi 3.1.1 (`base_api.py`): GraphQL as
/// `POST {api}` with JSON `{"query", "variables"}`, headers `Content-type` / `Accept:
/// application/json` and, for authorised calls, `Authorization: Token PUBLIC_ID$SECRET_KEY`; the
/// same query texts as numerapi's `get_current_round` / `check_round_open`, `download_dataset`,
/// `_upload_auth("submission_upload_auth", …)`, `upload_predictions`' `create_submission`
/// mutation, and `submission_ids`. A GraphQL answer with `errors` fails with their messages
/// (numerapi's `_handle_call_error`), classified by `NodeError.classify`.
///
/// Requests without an answer (refused, reset, timed out) and 5xx answers are retried with
/// exponential backoff (`NodeConfig.Retry`), except the submission mutation, which is sent once:
/// whether a lost mutation took effect is settled by `submissions` (see `Node`), never by sending
/// it again.
public final class NumeraiClient: @unchecked Sendable {
    public let api: URL
    public let tournament: Int
    let credentials: Credentials?
    let retry: NodeConfig.Retry
    let configuration: URLSessionConfiguration
    /// Called with a line before each retry (no secret: operation, attempt, reason).
    let log: (String) -> Void

    public init(api: URL, tournament: Int, credentials: Credentials?, retry: NodeConfig.Retry, timeout: Double,
                log: @escaping (String) -> Void = { _ in }) {
        self.api = api
        self.tournament = tournament
        self.credentials = credentials
        self.retry = retry
        self.log = log
        configuration = URLSessionConfiguration.ephemeral
        configuration.timeoutIntervalForRequest = timeout
        configuration.timeoutIntervalForResource = timeout
        configuration.httpCookieStorage = nil
        configuration.urlCache = nil
    }

    func scrub(_ text: String) -> String { credentials?.scrub(text) ?? text }

    // MARK: Transport

    enum Outcome {
        case answer(HTTPAnswer)
        case noAnswer(String)
    }

    /// One request, waited for, on a connection of its own: a session per request, so the
    /// transport never resends a request by itself (libcurl retries a request once when a reused
    /// connection turns out dead) and every attempt is one of `send`'s.
    func perform(_ request: URLRequest) -> Outcome {
        final class Box: @unchecked Sendable { var outcome: Outcome = .noAnswer("no answer") }
        let box = Box()
        let done = DispatchSemaphore(value: 0)
        let session = URLSession(configuration: configuration)
        defer { session.finishTasksAndInvalidate() }
        let task = session.dataTask(with: request) { data, response, error in
            if let error {
                box.outcome = .noAnswer((error as NSError).localizedDescription)
            } else if let http = response as? HTTPURLResponse {
                box.outcome = .answer(HTTPAnswer(status: http.statusCode, body: data ?? Data()))
            }
            done.signal()
        }
        task.resume()
        done.wait()
        return box.outcome
    }

    /// `request` until it gets an answer below 500, at most `retry.attempts` times (once when
    /// `once`); an answer ≥ 500 or none after the last attempt is a `.network` error.
    func send(_ request: URLRequest, operation: String, once: Bool = false) throws -> HTTPAnswer {
        let attempts = once ? 1 : retry.attempts
        var last = ""
        for attempt in 0..<attempts {
            if attempt > 0 {
                let wait = retry.wait(before: attempt - 1)
                log("\(operation): \(last); retry \(attempt) of \(attempts - 1) in \(String(format: "%.3g", wait)) s")
                if wait > 0 { Thread.sleep(forTimeInterval: wait) }
            }
            switch perform(request) {
            case .answer(let answer) where answer.status < 500:
                return answer
            case .answer(let answer):
                last = "HTTP \(answer.status)"
            case .noAnswer(let reason):
                last = scrub(reason)
            }
        }
        throw NodeError.network(operation, attempts: attempts, last: last)
    }

    // MARK: GraphQL

    /// numerapi's `raw_query`: the `data` object of the answer.
    func query(_ text: String, variables: [String: Any?], authorization: Bool, operation: String,
               once: Bool = false, modelId: String? = nil, staker: String? = nil) throws -> [String: Any] {
        var request = URLRequest(url: api)
        request.httpMethod = "POST"
        request.setValue("application/json", forHTTPHeaderField: "Content-type")
        request.setValue("application/json", forHTTPHeaderField: "Accept")
        if authorization {
            guard let credentials else { throw NodeError.missingCredentials(missing: ["NUMERAI_PUBLIC_ID", "NUMERAI_SECRET_KEY"]) }
            request.setValue(credentials.authorization, forHTTPHeaderField: "Authorization")
        }
        let vars = variables.mapValues { $0 ?? NSNull() }
        request.httpBody = try JSONSerialization.data(withJSONObject: ["query": text, "variables": vars] as [String: Any], options: [.sortedKeys])
        let answer = try send(request, operation: operation, once: once)
        let json = try? JSONSerialization.jsonObject(with: answer.body)
        let object = json as? [String: Any]
        // numerapi's `_handle_call_error`: a list of {message}, or {detail}.
        var messages: [String] = []
        if let errors = object?["errors"] as? [[String: Any]] { messages = errors.compactMap { $0["message"] as? String } }
        if let detail = object?["detail"] as? String { messages.append(detail) }
        if (object?["errors"] != nil || object?["detail"] != nil) && messages.isEmpty { messages = ["an error without a message"] }
        if !messages.isEmpty {
            throw NodeError.classify(scrub(messages.joined(separator: "; ")), operation: operation, modelId: modelId, staker: staker)
        }
        if answer.status == 401 || answer.status == 403 {
            throw NodeError.badKey(operation, serverText: "HTTP \(answer.status)")
        }
        guard (200..<300).contains(answer.status) else {
            let snippet = String(decoding: answer.body.prefix(200), as: UTF8.self)
            throw NodeError.api(operation, "HTTP \(answer.status): \(scrub(snippet))")
        }
        guard let data = object?["data"] as? [String: Any] else {
            throw NodeError.api(operation, "the answer is not a GraphQL result (no \"data\" object)")
        }
        return data
    }

    // MARK: Calls (numerapi's query texts)

    /// The current round (numerapi's `check_round_open` query: `rounds(number: 0)`), and whether
    /// it is open: openTime < now < closeStakingTime (numerapi's rule; a missing time is not
    /// checked). "Current round not open for submissions" becomes `.roundClosed`.
    public func currentRound(now: Date = Date()) throws -> (number: Int, open: Bool) {
        let text = """
            query($tournament: Int!) {
              rounds(tournament: $tournament
              number: 0) {
                number
                openTime
                closeStakingTime
              }
            }
        """
        let data = try query(text, variables: ["tournament": tournament], authorization: false, operation: "current round")
        guard let rounds = data["rounds"] as? [Any], let first = rounds.first else {
            throw NodeError.api("current round", "no \"rounds\" in the answer")
        }
        guard let round = first as? [String: Any] else { return (0, false) }
        guard let number = (round["number"] as? NSNumber)?.intValue else { throw NodeError.api("current round", "the round has no number") }
        let open = Self.date(round["openTime"]).map { $0 < now } ?? true
        let close = Self.date(round["closeStakingTime"]).map { now < $0 } ?? true
        return (number, open && close)
    }

    static func date(_ value: Any?) -> Date? {
        guard let text = value as? String else { return nil }
        let f = ISO8601DateFormatter()
        f.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
        if let d = f.date(from: text) { return d }
        f.formatOptions = [.withInternetDateTime]
        return f.date(from: text)
    }

    /// numerapi's `download_dataset`: the `dataset` query for a URL, then GET; the bytes.
    public func downloadDataset(_ filename: String, round: Int?) throws -> Data {
        let text = """
        query ($filename: String!
               $round: Int
               $tournament: Int) {
            dataset(filename: $filename
                    round: $round
                    tournament: $tournament)
        }
        """
        let operation = "download \(filename)"
        let data = try query(text, variables: ["filename": filename, "round": round, "tournament": tournament] as [String: Any?],
                             authorization: false, operation: operation)
        guard let link = data["dataset"] as? String, let url = URL(string: link, relativeTo: api)?.absoluteURL else {
            throw NodeError.api(operation, "the answer has no dataset URL (is '\(filename)' one of Numerai's files?)")
        }
        let answer = try send(URLRequest(url: url), operation: operation)
        guard (200..<300).contains(answer.status) else { throw NodeError.api(operation, "HTTP \(answer.status) for the file") }
        return answer.body
    }

    /// numerapi's `_upload_auth("submission_upload_auth", …)`: where to PUT the file, and the
    /// file name the submission mutation must name.
    public func uploadAuthorization(filename: String, modelId: String, staker: String) throws -> (filename: String, url: URL) {
        let text = """
            query($filename: String!
                  $tournament: Int!
                  $modelId: String) {
                submission_upload_auth(filename: $filename
                                       tournament: $tournament
                                       modelId: $modelId) {
                    filename
                    url
                }
            }
        """
        let operation = "staker \(staker): upload authorisation"
        let data = try query(text, variables: ["filename": filename, "tournament": tournament, "modelId": modelId],
                             authorization: true, operation: operation, modelId: modelId, staker: staker)
        guard let auth = data["submission_upload_auth"] as? [String: Any], let name = auth["filename"] as? String,
              let link = auth["url"] as? String, let url = URL(string: link, relativeTo: api)?.absoluteURL else {
            throw NodeError.unknownModel(modelId, staker: staker, serverText: "no upload URL in the answer")
        }
        return (name, url)
    }

    /// The PUT of the submission's bytes to the authorised URL (numerapi: `requests.put(url, data=…)`).
    public func put(_ body: Data, to url: URL, staker: String) throws {
        var request = URLRequest(url: url)
        request.httpMethod = "PUT"
        request.httpBody = body
        let operation = "staker \(staker): upload"
        let answer = try send(request, operation: operation)
        guard (200..<300).contains(answer.status) else { throw NodeError.api(operation, "HTTP \(answer.status) for the PUT") }
    }

    /// numerapi's `create_submission` mutation (sent once, `source: "workbench"`); the submission id.
    public func createSubmission(filename: String, modelId: String, staker: String) throws -> String {
        let text = """
            mutation($filename: String!
                     $tournament: Int!
                     $modelId: String
                     $triggerId: String,
                     $dataDatestamp: Int) {
                create_submission(filename: $filename
                                  tournament: $tournament
                                  modelId: $modelId
                                  triggerId: $triggerId
                                  source: "workbench"
                                  dataDatestamp: $dataDatestamp) {
                    id
                }
            }
            """
        let operation = "staker \(staker): submission"
        let data = try query(text, variables: ["filename": filename, "tournament": tournament, "modelId": modelId,
                                               "triggerId": ProcessInfo.processInfo.environment["TRIGGER_ID"], "dataDatestamp": nil],
                             authorization: true, operation: operation, once: true, modelId: modelId, staker: staker)
        guard let created = data["create_submission"] as? [String: Any], let id = created["id"] as? String else {
            throw NodeError.api(operation, "the answer has no submission id")
        }
        return id
    }

    /// numerapi's `submission_ids`: the model's submissions (file names).
    public func submissionFilenames(modelId: String, staker: String) throws -> [String] {
        let text = """
            query($modelId: String) {
                submissions(modelId: $modelId) {
                    id
                    filename
                    insertedAt
                }
            }
        """
        let data = try query(text, variables: ["modelId": modelId], authorization: true,
                             operation: "staker \(staker): submissions", modelId: modelId, staker: staker)
        guard let list = data["submissions"] as? [[String: Any]] else { return [] }
        return list.compactMap { $0["filename"] as? String }
    }
}
