@testable import TTSRuntime
@testable import TTSStore
@testable import TTSSuite
import Foundation
import GRDB
import Testing
@testable import TTSModels
@testable import TTSSeams

/// What counts as the model's answer and what counts as our failure: the causes read from
/// replies, when a failure stops a run, and the upgrade of databases that scored failed requests.
@Suite struct FailedRequestClassificationTests {
    static func bytes(_ s: String) -> [UInt8] { Array(s.utf8) }

    @Test func httpStatusesAndBodiesGiveTheirCause() {
        #expect(FailureCause.of(status: 404, body: Self.bytes(#"{"detail":"Not Found"}"#)) == .notFound)
        #expect(FailureCause.of(status: 404, body: Self.bytes(#"{"object":"error","message":"The model `x` does not exist.","type":"NotFoundError","code":404}"#)) == .modelNotServed)
        #expect(FailureCause.of(status: 404, body: Self.bytes(#"{"error":{"message":"The model `gpt-9` does not exist","code":"model_not_found"}}"#)) == .modelNotServed)
        #expect(FailureCause.of(status: 401, body: []) == .unauthorized)
        #expect(FailureCause.of(status: 403, body: []) == .unauthorized)
        #expect(FailureCause.of(status: 429, body: []) == .rateLimited)
        #expect(FailureCause.of(status: 503, body: []) == .serverError)
        #expect(FailureCause.of(status: 400, body: Self.bytes(#"{"error":{"message":"unknown field 'foo'"}}"#)) == .badRequest)
        #expect(FailureCause.of(TransportError.connection("connection refused by 127.0.0.1:9")) == .refused)
        #expect(FailureCause.of(TransportError.connection("cannot resolve host nowhere.invalid")) == .unresolved)
        #expect(FailureCause.of(TransportError.connection("the server closed the connection before replying")) == .connection)
        #expect(FailureCause.of(TransportError.timeout(seconds: 2)) == .timeout)
        for cause in [FailureCause.refused, .unresolved, .unauthorized, .notFound, .modelNotServed] { #expect(cause.needsUser) }
        for cause in [FailureCause.serverError, .rateLimited, .timeout, .connection, .malformed] { #expect(!cause.needsUser) }
    }

    /// The usual shapes of "the input is too long" and "the content was filtered" are refusals
    /// (the system's outcome); other 400s and other statuses are not.
    @Test func refusalsAboutTheInputAreRecognised() {
        let vllm = #"{"object":"error","message":"This model's maximum context length is 4096 tokens. However, you requested 5000 tokens","type":"BadRequestError","code":400}"#
        let openai = #"{"error":{"message":"This model's maximum context length is 8192 tokens.","type":"invalid_request_error","param":"messages","code":"context_length_exceeded"}}"#
        let llamacpp = #"{"error":{"code":400,"message":"the request exceeds the available context size, try increasing it","type":"exceed_context_size_error"}}"#
        let azure = #"{"error":{"message":"The response was filtered due to the prompt triggering Azure OpenAI's content management policy.","code":"content_filter","status":400}}"#
        for body in [vllm, openai, llamacpp] { #expect(Refusal.cause(status: 400, body: Self.bytes(body)) == Refusal.contextLength) }
        #expect(Refusal.cause(status: 400, body: Self.bytes(azure)) == Refusal.contentFiltered)
        #expect(Refusal.cause(status: 400, body: Self.bytes(#"{"error":{"message":"unknown field 'foo'"}}"#)) == nil)
        #expect(Refusal.cause(status: 500, body: Self.bytes(vllm)) == nil)
    }

    /// Before the first success a cause only the user can fix stops the run at once; after a
    /// success only a long stretch of failures in a row does.
    @Test func aFailureStopsTheRunOnlyWhenTheEndpointIsDown() {
        let fresh = EndpointHealth(stopAfter: 4)
        #expect(!fresh.failure(.serverError))
        #expect(fresh.failure(.refused))
        let answered = EndpointHealth(stopAfter: 4)
        answered.success()
        #expect(!answered.failure(.refused) && !answered.failure(.notFound) && !answered.failure(.serverError))
        answered.success()
        #expect(!answered.failure(.timeout) && !answered.failure(.timeout) && !answered.failure(.timeout))
        #expect(answered.failure(.timeout))
    }

    /// A closed port on 127.0.0.1, before the model ever answered: two attempts (one quick
    /// retry), not the seven of `max_retries: 6`, and a failure that stops the run. Once the model
    /// has answered, the same failure gets every retry and stops nothing by itself.
    @Test func aRefusedConnectionIsRetriedOnceBeforeTheFirstAnswer() async throws {
        let server = try HTTPShapesServer()
        let url = server.url
        server.stop()
        let client = try OpenAIClient(name: "dead", parameters: OpenAIModelParameters(baseURLs: [url + "/v1"], model: "m", maxRetries: 6,
                                                                                     retryBaseDelay: 0.01, supportsN: .false), cache: nil)
        let request = GenerationRequest(messages: [ChatMessage(role: "user", content: "1+1")], temperature: 0, seed: 1)
        do {
            _ = try await client.generate(request)
            Issue.record("a request to a closed port succeeded")
        } catch let error as PartialGenerationError {
            let failure = error.requestFailure
            #expect(failure.cause == .refused && failure.attempts == 2 && failure.stopsRun, "\(failure)")
            #expect(failure.url == url + "/v1" && client.requestsSent == 2)
        }
        client.health.success()  // as if it had answered before
        do {
            _ = try await client.generate(request)
            Issue.record("a request to a closed port succeeded")
        } catch let error as PartialGenerationError {
            let failure = error.requestFailure
            #expect(failure.cause == .refused && failure.attempts == 7 && !failure.stopsRun, "\(failure)")
        }
    }

    /// The line that stops a run is one line, bounded, with balanced parentheses, whatever the
    /// server sent.
    @Test func theStopLineIsOnePlainLine() {
        var failure = RequestFailure(model: "m", url: "http://127.0.0.1:9/v1", cause: .refused,
                                     message: "cannot connect: NIOConnectionError(host: \"x\", port: 9, dnsAError: nil\n\u{1}" + String(repeating: "(", count: 500),
                                     attempts: 2)
        failure.stopsRun = true
        let line = EndpointDownError(failure: failure).description
        #expect(!line.contains("\n") && !line.contains("\u{1}") && line.count < 600, "\(line)")
        #expect(line.contains("model 'm'") && line.contains("http://127.0.0.1:9/v1") && line.contains("connection refused"))
        // An endpoint that answered, then failed request after request: said so, and that what it
        // answered is kept.
        failure.endpointAnswered = true
        let down = EndpointDownError(failure: failure).description
        #expect(down.contains("stopped answering") && down.contains("recorded") && !down.contains("\n"), "\(down)")
    }
}

@Suite struct FailedRequestUpgradeTests {
    /// A schema-7 database recorded failed requests as samples (an error, no text) and scored
    /// them: the upgrade removes those samples and auxiliary calls, and the seed runs and item
    /// outcomes that counted them, so the next run asks again; everything else is kept.
    @Test func aSchema7DatabaseForgetsTheFailedRequestsItScored() async throws {
        let dir = try makeTempDir("store-seven")
        let path = dir + "/seven.sqlite"
        try makeOldDatabase(at: path, upTo: "schema-7") { db in
            for (i, text, error) in [(0, "\\boxed{4}", nil), (1, nil, "model 'm': failed after 7 attempts: HTTP 500") ] as [(Int, String?, String?)] {
                try insertOldSample(db, temperature: 0.8, sampleIndex: i, requestSeed: i, text: text, error: error)
            }
            try db.execute(sql: "INSERT INTO aux_calls(pool, item_id, seed_index, call_id, request_seed, temperature, text, error) "
                + "VALUES ('p', 'i', 0, 'fuse:1', 1, 0, NULL, 'model ''m'': failed after 7 attempts: connection refused')")
            try db.execute(sql: "INSERT INTO aux_calls(pool, item_id, seed_index, call_id, request_seed, temperature, text, error) "
                + "VALUES ('p', 'i', 0, 'fuse:2', 2, 0, 'ok \\boxed{4}', NULL)")
            for (seed, failures) in [(0, 0), (1, 2)] {
                try insertOldSeedRun(db, seed: seed, accuracy: 0.0, failures: failures)
                try db.execute(sql: "INSERT INTO outcomes(run_id, item_index, item_id, correct, prompt_tokens, completion_tokens, calls, "
                    + "failures, latency_ms, detail) VALUES (?, 0, 'i', 0, 1, 1, 1, ?, 1, '')", arguments: [db.lastInsertedRowID, failures])
            }
            for (item, failures) in [("i", 0), ("j", 1)] {
                try db.execute(sql: "INSERT INTO item_outcomes(system_fp, seed_index, item_id, system_name, outcome_json) VALUES ('fp', 2, ?, 'a/x', ?)",
                               arguments: [item, "{\"failures\":\(failures),\"itemID\":\"\(item)\"}"])
            }
        }
        // A reader takes it as it is (a writer upgrades it).
        #expect(try StoreReader(path: path).seedRuns(systemFingerprint: "fp", seeds: 2).count == 2)
        _ = try Store(path: path)
        let queue = try DatabaseQueue(path: path)
        let (version, samples, calls, seeds, outcomes, items, table) = try await queue.read { db in
            (try Int.fetchOne(db, sql: "PRAGMA user_version"), try Int.fetchAll(db, sql: "SELECT sample_index FROM samples"),
             try String.fetchAll(db, sql: "SELECT call_id FROM aux_calls"), try Int.fetchAll(db, sql: "SELECT seed_index FROM seed_runs"),
             try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM outcomes"), try String.fetchAll(db, sql: "SELECT item_id FROM item_outcomes"),
             try db.tableExists("failures"))
        }
        #expect(version == StoreSchema.version)
        #expect(samples == [0])
        #expect(calls == ["fuse:2"])
        #expect(seeds == [0])
        #expect(outcomes == 1)
        #expect(items == ["i"])
        #expect(table)
    }

    /// Unfinished items are recorded for diagnosis and resolved when their seed run commits; a
    /// reader lists only the unresolved ones.
    @Test func failuresAreResolvedWhenTheirSeedRunCommits() async throws {
        let dir = try makeTempDir("store-failures")
        let path = dir + "/t.sqlite"
        let store = try Store(path: path)
        func failure(_ seed: Int, _ item: String) -> FailureRecord {
            FailureRecord(suite: "s", systemFingerprint: "fp", systemName: "m/single", seedIndex: seed, itemID: item, model: "m",
                          url: "http://127.0.0.1:9/v1", cause: FailureCause.serverError.rawValue, message: "HTTP 500", attempts: 7)
        }
        try await store.recordFailures([failure(0, "a"), failure(0, "b"), failure(1, "a")])
        try await store.recordFailures([failure(0, "a")])  // the same item failing again: one row
        #expect(try store.reader.unresolvedFailures(systemFingerprints: ["fp"]).count == 3)
        let outcome = OutcomeRecord(itemID: "a", answer: "4", correct: true, reward: nil, promptTokens: 1, completionTokens: 1,
                                    calls: 1, failures: 0, latencyMs: 1, detail: "")
        try await store.commitSeedRun(SeedRunRecord(systemFingerprint: "fp", systemName: "m/single", seedIndex: 0, outcomes: [outcome]))
        #expect(try store.reader.unresolvedFailures(systemFingerprints: ["fp"]).map(\.seedIndex) == [1])
        #expect(try store.reader.unresolvedFailures(systemFingerprints: ["other"]).isEmpty)
        let kept = try await DatabaseQueue(path: path).read { try Int.fetchOne($0, sql: "SELECT COUNT(*) FROM failures") }
        #expect(kept == 3, "resolved failures are kept for diagnosis")
    }
}
