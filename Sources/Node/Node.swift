import Foundation
import Mining
import Studies
import Support

/// How one invocation of the node runs.
public struct NodeOptions: Sendable {
    /// Everything but the network: predictions and submission files under `rounds/<n>/dry-run/`,
    /// no request, `round.json` untouched.
    public var dryRun = false
    /// The round to run. Required with `dryRun`; otherwise it must be Numerai's open round.
    public var round: Int?
    public var threads = ProcessInfo.processInfo.activeProcessorCount
    public var environment = ProcessInfo.processInfo.environment
    public init() {}
}

/// What one invocation did.
public struct NodeResult: Sendable {
    public var round: Int
    public var record: RoundRecord
    public var recordPath: String
    /// Stakers submitted by this invocation, and earlier ones.
    public var submittedNow: [String]
    public var submittedBefore: [String]
    /// Stakers not submitted at the end (failed, unconfirmed or not reached), with their error.
    public var notSubmitted: [(id: String, error: String)]
    /// With `dryRun`: one line per staker saying what would be submitted.
    public var plan: [String]
}

/// `workbench node`: one round for every staker of NODE.json — predict with the model(s) the
/// policy gives the staker this round, write the submission, upload it for the staker's Numerai
/// model — recorded in `FARM/rounds/<n>/round.json` after every step.
///
/// Never twice: a staker whose record says `submitted` is skipped; one whose mutation was sent
/// without a recorded answer (`sending`, `unconfirmed`: a crash or a lost connection) is first
/// looked up among the model's submissions (`submissions(modelId)`) by the upload file name the
/// mutation named, and submitted again only when Numerai does not list it. The farm's
/// `DirectoryLock` keeps a second node (or `mine`) out while a round runs.
public enum Node {
    public static func run(config: NodeConfig, options: NodeOptions, log: @escaping (String) -> Void) throws -> NodeResult {
        let farm = config.farm
        let manifestURL = farm.appendingPathComponent("farm.json")
        guard FileManager.default.fileExists(atPath: manifestURL.path) else {
            throw NodeError.config("\(config.source): farm: \(manifestURL.path) not found (mine the farm with `workbench mine … --out \(farm.path)`)")
        }
        let manifest: FarmManifest
        do { manifest = try FarmManifest.read(manifestURL) } catch { throw NodeError.config("\(error)") }
        let accepted = manifest.accepted.map(\.id)
        for (i, s) in config.stakers.enumerated() where !accepted.contains(s.id) {
            let known = manifest.stakers.contains { $0.id == s.id }
            let hint = closest(to: s.id, in: accepted).map { " (did you mean '\($0)'?)" } ?? ""
            throw NodeError.config("\(config.source): stakers[\(i)].id: '\(s.id)' \(known ? "holds no accepted model in" : "is not a staker of") the farm \(farm.path)\(hint); accepted: \(accepted.prefix(10).joined(separator: ", "))\(accepted.count > 10 ? ", …" : "")")
        }

        let credentials: Credentials? = try options.dryRun ? nil : Credentials.fromEnvironment(options.environment)
        func scrub(_ text: String) -> String { credentials?.scrub(text) ?? text }
        let say: (String) -> Void = { log(scrub($0)) }

        let lock: DirectoryLock
        do { lock = try DirectoryLock(directory: farm, command: "node") } catch { throw NodeError.config("\(error)") }
        defer { withExtendedLifetime(lock) {} }

        let client = options.dryRun ? nil : NumeraiClient(api: config.api, tournament: config.tournament, credentials: credentials,
                                                          retry: config.retry, timeout: config.timeout, log: say)
        let round: Int
        if let client {
            let current = try client.currentRound()
            guard current.open else {
                throw NodeError.roundClosed("round \(current.number)", serverText: "now is outside its openTime … closeStakingTime")
            }
            if let asked = options.round, asked != current.number { throw NodeError.roundNotCurrent(asked: asked, current: current.number) }
            round = current.number
        } else {
            guard let asked = options.round else {
                throw NodeError.config("--dry-run needs --round N: finding Numerai's current round is a network call")
            }
            round = asked
        }
        guard round >= 0 else { throw NodeError.config("--round must be ≥ 0") }

        let roundDir = farm.appendingPathComponent("rounds").appendingPathComponent(String(round))
        let recordURL = roundDir.appendingPathComponent("round.json")
        let outDir = roundDir.appendingPathComponent(options.dryRun ? "dry-run" : "submissions")
        do {
            try FileManager.default.createDirectory(at: outDir, withIntermediateDirectories: true)
        } catch { throw NodeError.config("cannot create \(outDir.path): \(AtomicFile.explained(error, path: outDir.path))") }
        AtomicFile.sweepStaleTemporaries(in: roundDir)
        AtomicFile.sweepStaleTemporaries(in: outDir)

        var record: RoundRecord
        if FileManager.default.fileExists(atPath: recordURL.path) {
            record = try RoundRecord.read(recordURL)
            guard record.round == round, record.tournament == config.tournament else {
                throw NodeError.config("\(recordURL.path) records round \(record.round) of tournament \(record.tournament), not round \(round) of \(config.tournament)")
            }
            if record.policy != config.policy, record.stakers.contains(where: { $0.status != .pending }) {
                throw NodeError.config("\(config.source): policy: round \(round) was started with policy '\(record.policy.rawValue)' (\(recordURL.path)); a round keeps its policy, so change it from the next round on")
            }
            record.policy = config.policy
        } else {
            record = RoundRecord(round: round, tournament: config.tournament, policy: config.policy, live: nil, stakers: [], runs: [])
        }
        var run = RoundRecord.Run(started: RoundRecord.now(), finished: nil, dryRun: options.dryRun, submitted: 0, failed: 0)
        func save() throws { if !options.dryRun { try record.write(recordURL) } }

        // The live file.
        var livePath: String?
        var plan: [String] = []
        switch config.live {
        case .path(let p):
            livePath = p
        case .download(let name):
            let liveDir = roundDir.appendingPathComponent("live")
            let target = liveDir.appendingPathComponent(URL(fileURLWithPath: name).lastPathComponent)
            let recorded = record.live?.file.fnv1a64
            let existing = FileManager.default.contents(atPath: target.path)
            if let existing, recorded == nil || RoundRecord.fnv(existing) == recorded {
                livePath = target.path
            } else if let client {
                say("round \(round): downloading \(name)")
                // round nil: the current round's file, as numerapi's download_dataset asks (the round just checked).
                let bytes = try client.downloadDataset(name, round: nil)
                try FileManager.default.createDirectory(at: liveDir, withIntermediateDirectories: true)
                try writeAtomically(bytes, to: target.path)
                livePath = target.path
            } else {
                plan.append("round \(round): would download \(name) into \(target.path) (--dry-run makes no network call; no predictions until it is there)")
            }
        }
        var predictor: LivePredictor?
        if let livePath {
            predictor = try LivePredictor(path: livePath, featureSet: config.featureSet, threads: options.threads)
            let file = try RoundRecord.file(URL(fileURLWithPath: livePath).resolvingSymlinksInPath(), relativeTo: roundDir)
            if let before = record.live?.file.fnv1a64, before != file.fnv1a64 {
                say("round \(round): the live file changed since the last run (fnv1a64 \(before) → \(file.fnv1a64)); stakers not yet submitted use the new one")
            }
            var source = "path", dataset: String?
            if case .download(let name) = config.live { source = "download"; dataset = name }
            record.live = RoundRecord.Live(source: source, dataset: dataset, file: file, rows: predictor!.ids.count)
        }
        try save()

        var submittedNow: [String] = [], submittedBefore: [String] = []
        var stop: NodeError?
        for staker in config.stakers {
            let index = record.stakers.firstIndex(where: { $0.id == staker.id }) ?? { () -> Int in
                record.stakers.append(RoundRecord.Staker(
                    id: staker.id, modelId: staker.modelId, policy: config.policy, models: [], modelFiles: [], status: .pending,
                    submission: nil, rows: nil, liveFNV1a64: nil, uploadFilename: nil, submissionId: nil, uploads: 0,
                    error: nil, errorKind: nil, updated: RoundRecord.now()))
                return record.stakers.count - 1
            }()
            func update(_ change: (inout RoundRecord.Staker) -> Void) throws {
                change(&record.stakers[index])
                record.stakers[index].updated = RoundRecord.now()
                try save()
            }
            func fail(_ error: NodeError, status: RoundRecord.Staker.Status = .failed) throws {
                let text = scrub(error.description)
                try update { $0.status = status; $0.error = text; $0.errorKind = error.kind }
                say("\(staker.id): \(status.rawValue): \(text)")
            }
            let entry = record.stakers[index]
            if entry.status == .submitted {
                submittedBefore.append(staker.id)
                let line = "\(staker.id): already submitted in round \(round) (submission \(entry.submissionId ?? "confirmed"), model \(entry.modelId)); not again"
                if options.dryRun { plan.append(line) } else { say(line) }
                continue
            }
            if stop != nil { continue }

            // A mutation that may have taken effect: ask Numerai before anything else.
            if entry.status == .sending || entry.status == .unconfirmed {
                guard let client else {
                    plan.append("\(staker.id): unconfirmed submission \(entry.uploadFilename ?? "?") for model \(entry.modelId); the next run asks Numerai whether it arrived before submitting")
                    continue
                }
                do {
                    if try confirm(client, entry: entry, staker: staker.id, say: say) {
                        try update { $0.status = .submitted; $0.error = nil; $0.errorKind = nil }
                        submittedNow.append(staker.id)
                        continue
                    }
                    try update { $0.status = .failed; $0.error = "the earlier submission did not arrive (not among the model's submissions)" }
                } catch let error as NodeError {
                    try fail(error, status: .unconfirmed)
                    if error.stopsRound { stop = error }
                    continue
                }
            }

            let sources = NodePolicy.sources(policy: config.policy, staker: staker.id, accepted: accepted, round: round)
            let modelPaths = sources.map { farm.appendingPathComponent("stakers").appendingPathComponent($0).appendingPathComponent("model.wbm") }
            let how = config.policy == .keep ? "own model" : config.policy == .rotate ? "rotate → model of \(sources[0])" : "pool of \(sources.count) models"
            guard let predictor else {
                plan.append("\(staker.id): would submit for model \(staker.modelId) (\(how)) once the live file is there")
                continue
            }
            let filename = "\(staker.id)-round\(round).csv"
            let fileURL = outDir.appendingPathComponent(filename)
            do {
                let modelFiles = try modelPaths.map { try RoundRecord.file($0, relativeTo: roundDir) }
                let values = try predictor.submission(models: modelPaths.map(\.path))
                do { try Submission.write(ids: predictor.ids, predictions: values, to: fileURL.path) } catch let error as MiningError {
                    throw NodeError(.prediction, error.description)
                }
                let file = try RoundRecord.file(fileURL, relativeTo: roundDir)
                if options.dryRun {
                    plan.append("\(staker.id): would submit \(fileURL.path) (\(predictor.ids.count) rows, fnv1a64 \(file.fnv1a64)) for model \(staker.modelId) (\(how))")
                    continue
                }
                try update {
                    $0.modelId = staker.modelId; $0.policy = config.policy; $0.models = sources; $0.modelFiles = modelFiles
                    $0.submission = file; $0.rows = predictor.ids.count; $0.liveFNV1a64 = record.live?.file.fnv1a64
                    $0.status = .written; $0.error = nil; $0.errorKind = nil; $0.uploadFilename = nil; $0.submissionId = nil
                }
            } catch let error as NodeError {
                if options.dryRun { plan.append("\(staker.id): cannot predict: \(error)"); continue }
                try fail(error)
                continue
            } catch {
                let e = NodeError(.prediction, "\(error)")
                if options.dryRun { plan.append("\(staker.id): cannot predict: \(e)"); continue }
                try fail(e)
                continue
            }

            // Upload: authorisation, PUT, then the mutation (sent once).
            guard let client else { continue }
            do {
                try update { $0.uploads += 1 }
                let bytes = try Data(contentsOf: fileURL)
                let auth = try client.uploadAuthorization(filename: filename, modelId: staker.modelId, staker: staker.id)
                try client.put(bytes, to: auth.url, staker: staker.id)
                try update { $0.status = .uploaded; $0.uploadFilename = auth.filename }
                try update { $0.status = .sending }
                do {
                    let id = try client.createSubmission(filename: auth.filename, modelId: staker.modelId, staker: staker.id)
                    try update { $0.status = .submitted; $0.submissionId = id }
                    submittedNow.append(staker.id)
                    say("\(staker.id): submitted \(filename) for model \(staker.modelId) (\(how)): submission \(id)")
                } catch let error as NodeError where error.kind == .network {
                    // No answer, or a 5xx: the mutation may have taken effect. Ask, never resend blindly.
                    try fail(error, status: .unconfirmed)
                    do {
                        if try confirm(client, entry: record.stakers[index], staker: staker.id, say: say) {
                            try update { $0.status = .submitted; $0.error = nil; $0.errorKind = nil }
                            submittedNow.append(staker.id)
                        } else {
                            try update { $0.status = .failed }
                        }
                    } catch let confirmError as NodeError {
                        try fail(NodeError(error.kind, "\(error.description); and whether it arrived is unknown (\(confirmError.description)): the next run asks Numerai first"), status: .unconfirmed)
                    }
                }
            } catch let error as NodeError {
                try fail(error)
                if error.stopsRound { stop = error }
            } catch {
                try fail(NodeError(.api, "\(error)"))
            }
        }

        let notSubmitted = config.stakers.compactMap { s -> (String, String)? in
            guard let e = record.stakers.first(where: { $0.id == s.id }) else { return (s.id, stop?.description ?? "not reached") }
            return e.status == .submitted ? nil : (s.id, e.error ?? (stop.map { "not reached: \($0.description)" } ?? e.status.rawValue))
        }
        run.finished = RoundRecord.now()
        run.submitted = submittedNow.count
        run.failed = options.dryRun ? 0 : notSubmitted.count
        if !options.dryRun {
            record.runs.append(run)
            try save()
        }
        return NodeResult(round: round, record: record, recordPath: recordURL.path, submittedNow: submittedNow,
                          submittedBefore: submittedBefore, notSubmitted: notSubmitted.map { (id: $0.0, error: scrub($0.1)) }, plan: plan)
    }

    /// Whether the submission `entry` sent (its upload file name) is among the model's submissions.
    static func confirm(_ client: NumeraiClient, entry: RoundRecord.Staker, staker: String, say: (String) -> Void) throws -> Bool {
        guard let name = entry.uploadFilename else { return false }
        let found = try client.submissionFilenames(modelId: entry.modelId, staker: staker).contains(name)
        say("\(staker): the earlier submission \(name) \(found ? "arrived: not submitting again" : "is not among the model's submissions: submitting again")")
        return found
    }
}
