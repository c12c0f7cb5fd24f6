@testable import TTSBench
@testable import TTSReport
@testable import TTSSuite
@testable import TTSStore
@testable import TTSCore
@testable import TTSModels
@testable import TTSRuntime
import Foundation
import Testing

/// A reward model's and a PRM's calls are verifier compute: recorded (a resume sends none again),
/// counted per item in calls and tokens, priced at the endpoint's `price_per_million`, and
/// predicted by `plan`.
///
/// The server (python3's standard library on a free 127.0.0.1 port) answers
/// `/v1/chat/completions` for model `gen` with "Sample <seed>." and a boxed 7 on a second line
/// (100 prompt and 50 completion tokens), `/classify` as a reward model (a score from the text,
/// `usage.prompt_tokens` 250), `/pooling` as a PRM (one row per `<extra_0>` step tag,
/// `usage.prompt_tokens` 120) and `POST /count` with the requests each path received.
@Suite struct EndpointCallCostTests {
    static let script = PythonScriptServer.jsonHandlerPrelude + #"""
        import zlib

        lock = threading.Lock()
        counts = {}

        class Handler(JSONHandler):
            def do_POST(self):
                req = json.loads(self.rfile.read(int(self.headers.get("Content-Length", "0"))))
                if self.path == "/count":
                    with lock:
                        return self.reply(200, dict(counts))
                with lock:
                    counts[self.path] = counts.get(self.path, 0) + 1
                if self.path == "/v1/chat/completions" and req.get("model") == "gen":
                    text = "Sample %d.\n\nThe answer is \\boxed{7}." % req.get("seed", 0)
                    choice = {"index": 0, "message": {"role": "assistant", "content": text}, "finish_reason": "stop"}
                    usage = {"prompt_tokens": 100, "completion_tokens": 50, "total_tokens": 150}
                    return self.reply(200, {"id": "c", "choices": [choice], "usage": usage})
                if self.path == "/classify" and req.get("model") == "rm-test":
                    p = (zlib.crc32(req["input"].encode()) % 1000) / 1000.0
                    data = [{"index": 0, "label": "good", "probs": [1 - p, p], "num_classes": 2}]
                    return self.reply(200, {"id": "r", "data": data, "usage": {"prompt_tokens": 250, "total_tokens": 250}})
                if self.path == "/pooling" and req.get("model") == "prm-test":
                    steps = req["messages"][-1]["content"].split("<extra_0>")[:-1]
                    rows = [[0.2, 0.8] if "boxed" in s else [0.6, 0.4] for s in steps]
                    data = [{"index": 0, "object": "pooling", "data": rows}]
                    return self.reply(200, {"id": "p", "data": data, "usage": {"prompt_tokens": 120, "total_tokens": 120}})
                self.reply(404, {"error": "no route " + self.path + " for " + str(req.get("model"))})

        """# + PythonScriptServer.serveHandlerUntilStdinCloses

    /// Prices per million (input, output) tokens: gen 1 / 2, the reward model 2 (input), the PRM 4 (input).
    static func suite(_ url: String) -> String {
        suiteYAML(name: "endpoint-costs", seed: 13, task: ["name: arith", "generate: {kind: arithmetic, items: 6, digits: 2}"],
                  models: ["gen: {kind: openai, base_url: \"\(url)/v1\", model: gen, cache: false, supports_n: false, max_retries: 0, "
                           + "price_per_million: {input: 1, output: 2}}"],
                  verifiers: ["math: {kind: math}",
                              "rm: {kind: reward, base_url: \"\(url)\", model: rm-test, max_retries: 0, price_per_million: {input: 2}}",
                              "prm: {kind: prm, base_url: \"\(url)\", model: prm-test, max_retries: 0, price_per_million: {input: 4, output: 8}}"],
                  strategies: ["bon4: {kind: best_of_n, n: 4, temperature: 0.8, scorer: rm, max_tokens: 64}",
                               "bon4p: {kind: best_of_n, n: 4, temperature: 0.8, scorer: prm, max_tokens: 64}"],
                  systems: ["matrix: {model: [gen], strategy: [bon4, bon4p], verifier: [math]}"],
                  tail: ["compare:", "  comparisons: none", "  group_size: 2", "  max_interims: 1", "  permutations: 1000"])
    }

    // By hand, per item: 4 generator samples at (100, 50) tokens, and 4 scorings of them: the
    // reward model's at 250 prompt tokens, the PRM's at 120 (one request per candidate, both
    // steps at once). Every sample has an answer, so every one is scored.
    static let gen = CallCostTests.usd(100, 50, 1, 2), rm = CallCostTests.usd(250, 0, 2, 0), prm = CallCostTests.usd(120, 0, 4, 8)
    static let rewardPerItem = 4 * gen + 4 * rm   // 0.0028
    static let prmPerItem = 4 * gen + 4 * prm     // 0.00272
    /// Per system: cost per item, the prompt tokens of one scoring, and its USD.
    static let expected = [("gen/bon4", rewardPerItem, 250.0, rm), ("gen/bon4p", prmPerItem, 120.0, prm)]

    static func counts(_ server: PythonScriptServer) async throws -> [String: Int] {
        try await CallCostTests.counts(server)
    }

    @Test func scoringCallsAreRecordedCountedPricedAndPlanned() async throws {
        let server = try PythonScriptServer(script: Self.script, name: "priced scoring server")
        defer { server.stop() }
        let dir = try makeTempDir("endpoint-costs")
        let path = try writeFile(dir, "costs.yaml", Self.suite(server.url))
        let db = dir + "/db.sqlite"
        let suite = try SuiteLoader.load(path: path)

        // A pilot seed: its seed runs carry the scoring calls as verifier compute.
        _ = try await CallCostTests.run(path, db: db, out: dir + "/out", seeds: 1)
        let pilot = try StoreReader(path: db)
        for (name, perItem, tokens, scorer) in Self.expected {
            let fingerprint = try #require(suite.system(name)).fingerprint
            let seed0 = try #require(try pilot.seedRuns(systemFingerprint: fingerprint, seeds: 1).first)
            #expect(abs(try #require(seed0.costPerItem) - perItem) < 1e-12, "\(name): \(seed0)")
            #expect(seed0.verifierCallsPerItem == 4 && seed0.verifierTokensPerItem == 4 * tokens, "\(name)")
            #expect(abs(try #require(seed0.verifierCostPerItem) - 4 * scorer) < 1e-12, "\(name)")
        }
        let afterPilot = try await Self.counts(server)
        // 6 items x 4 distinct samples: each scored once by each endpoint.
        #expect(afterPilot["/classify"] == 24 && afterPilot["/pooling"] == 24, "\(afterPilot)")

        // The plan of the second seed, from the recorded token means of the samples and the scores.
        let plan = try Plan.make(suitePath: path, databasePath: db)
        #expect(plan.priced)
        let predicted = Dictionary(uniqueKeysWithValues: plan.systems.map { ($0.name, $0.figures.usd.expected / 6) })

        let report = try await CallCostTests.run(path, db: db, out: dir + "/out", seeds: nil)
        let rows = Dictionary(uniqueKeysWithValues: report.leaderboard.rows.map { ($0.name, $0) })
        let json = try #require(try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: dir + "/out/endpoint-costs/leaderboard.json")))
                                as? [String: Any])
        let jsonRows = try #require(json["systems"] as? [[String: Any]])
        for (name, perItem, tokens, scorer) in Self.expected {
            let row = try #require(rows[name])
            #expect(row.seeds == 2)
            #expect(abs(try #require(row.costPerItem) - perItem) < 1e-12, "\(name) \(String(describing: row.costPerItem))")
            #expect(abs(row.verifierCallsPerItem - 4) < 1e-12 && abs(row.verifierTokensPerItem - 4 * tokens) < 1e-9, "\(name)")
            #expect(abs(try #require(row.verifierCostPerItem) - 4 * scorer) < 1e-12)
            let jsonRow = try #require(jsonRows.first { $0["name"] as? String == name }, "\(name) in leaderboard.json")
            #expect(abs((jsonRow["verifier_calls_per_item"] as? Double ?? -1) - 4) < 1e-12)
            #expect(abs((jsonRow["verifier_tokens_per_item"] as? Double ?? -1) - 4 * tokens) < 1e-9)
            #expect(abs((jsonRow["verifier_cost_per_item"] as? Double ?? -1) - 4 * scorer) < 1e-12)
            #expect(abs((jsonRow["cost_per_item"] as? Double ?? -1) - perItem) < 1e-12)
            let plannedPerItem = try #require(predicted[name])
            #expect(abs(plannedPerItem / perItem - 1) < 0.05, "\(name): plan \(plannedPerItem) vs \(perItem)")
        }
        let afterBoth = try await Self.counts(server)
        #expect(afterBoth["/classify"] == 48 && afterBoth["/pooling"] == 48, "\(afterBoth)")

        // A crash before the seed runs were committed: the rerun reads every score back from the
        // record, sends no scoring request, and counts the same verifier compute.
        try simulateCrashBeforeCommit(db)
        let resumed = try await CallCostTests.run(path, db: db, out: dir + "/out", seeds: nil)
        #expect(try await Self.counts(server) == afterBoth)
        for row in resumed.leaderboard.rows {
            #expect(row.verifierCallsPerItem == 4 && row.costPerItem == rows[row.name]?.costPerItem, "\(row.name)")
        }
        // One recorded call per distinct request, in each endpoint's own pool.
        #expect(try countRows(db, "SELECT COUNT(*) FROM aux_calls WHERE call_id LIKE 'score-%'") == 96)
        #expect(try countRows(db, "SELECT COUNT(DISTINCT pool) FROM aux_calls WHERE call_id LIKE 'score-%'") == 2)
        #expect(try countRows(db, "SELECT COUNT(*) FROM aux_calls WHERE call_id LIKE 'score-%' AND (prompt_tokens NOT IN (120, 250) OR seed_index != 0)") == 0)
    }

    /// The plan before anything ran prices the declared scorings (one per candidate) at the
    /// endpoint's price, over the estimated prompt of a question and a candidate.
    @Test func planBeforeARunPricesTheDeclaredScorings() throws {
        let dir = try makeTempDir("endpoint-plan")
        let path = try writeFile(dir, "costs.yaml", Self.suite("http://127.0.0.1:9"))
        let suite = try SuiteLoader.load(path: path)
        let task = try TaskLoader.load(suite.task, suiteSeed: suite.seed)
        let model = CostModel(suite: suite, task: task, reader: nil)
        let system = try #require(suite.system("gen/bon4"))
        let demand = model.demand(system)
        #expect(demand.endpoints.count == 1 && demand.endpoints[0].verifier == "rm" && demand.endpoints[0].calls == 4)
        #expect(demand.verifier.isEmpty)
        let sample = try model.sampleTokens(of: system)
        let cost = try model.cost([(system: system, seeds: 1)])
        // 4 samples and 4 scorings per item; the scorings' prompt is a sample's prompt and completion.
        #expect(cost.samples == 6 * 8 && cost.requests == 6 * 8)
        let scoring: Double = (sample.prompt + sample.completion) * 2 / 1e6
        let generation: Double = (sample.prompt * 1 + sample.completion * 2) / 1e6
        let expectedUSD = 6 * 4 * (scoring + generation)
        #expect(abs(cost.usd - expectedUSD) < 1e-12, "\(cost.usd) vs \(expectedUSD)")
        // A price changes no fingerprint.
        var plain = Self.suite("http://127.0.0.1:9")
        for price in [", price_per_million: {input: 2}", ", price_per_million: {input: 4, output: 8}"] {
            plain = plain.replacingOccurrences(of: price, with: "")
        }
        let unpriced = try SuiteLoader.load(path: try writeFile(dir, "unpriced.yaml", plain))
        #expect(unpriced.systems.map(\.fingerprint) == suite.systems.map(\.fingerprint))
        #expect(unpriced.verifier("rm")?.kind.endpointCallsPerVerification?.price == nil)
        #expect(suite.verifier("prm")?.kind.endpointCallsPerVerification?.price?.output == 8)
    }

    /// A bad price is refused where it is written.
    @Test func aBadEndpointPriceIsRefusedWithItsPath() throws {
        for (bad, says) in [("price_per_million: {input: -1}", "price_per_million.input"),
                            ("price_per_million: {in: 1}", "unknown key 'in' in 'verifiers.rm.price_per_million'"),
                            ("price_per_million: 3", "price_per_million")] {
            let yaml = Self.suite("http://127.0.0.1:9").replacingOccurrences(of: "price_per_million: {input: 2}", with: bad)
            #expect { _ = try SuiteLoader.load(data: Data(yaml.utf8), path: "bad.yaml") } throws: { error in
                "\(error)".contains("bad.yaml:") && "\(error)".contains(says)
            }
        }
    }
}
