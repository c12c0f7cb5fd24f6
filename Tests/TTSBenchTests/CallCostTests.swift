@testable import TTSBench
@testable import TTSReport
@testable import TTSSuite
@testable import TTSStore
@testable import TTSCore
@testable import TTSModels
import Foundation
import Testing

/// Every call is priced at its own model's price and the verifier's calls count: a cheap
/// generator, a dear fuser and a dear judge, on a server of the tests' own whose replies have
/// known token counts.
///
/// The server (python3's standard library on a free 127.0.0.1 port) answers
/// `/v1/chat/completions` by the request's `model`: `gen` writes a boxed answer with 100 prompt
/// and 50 completion tokens, `fuser` a fused one with 300 and 80, `judge` a verdict with 400
/// and 20. `POST /count` returns how many requests each model received.
@Suite struct CallCostTests {
    static let script = #"""
        import json, sys, threading
        from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

        lock = threading.Lock()
        counts = {}
        replies = {
            "gen": ("The answer is \\boxed{7}.", 100, 50),
            "fuser": ("Fusing the candidates: \\boxed{7}.", 300, 80),
            "judge": ("The final answers agree.\nVERDICT: CORRECT", 400, 20),
        }

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"
            def log_message(self, *args):
                pass

            def reply(self, status, payload):
                body = json.dumps(payload).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def do_POST(self):
                req = json.loads(self.rfile.read(int(self.headers.get("Content-Length", "0"))))
                if self.path == "/count":
                    with lock:
                        return self.reply(200, dict(counts))
                model = req.get("model")
                if self.path != "/v1/chat/completions" or model not in replies:
                    return self.reply(404, {"error": "no route " + self.path + " for " + str(model)})
                with lock:
                    counts[model] = counts.get(model, 0) + 1
                text, prompt, completion = replies[model]
                choice = {"index": 0, "message": {"role": "assistant", "content": text}, "finish_reason": "stop"}
                usage = {"prompt_tokens": prompt, "completion_tokens": completion, "total_tokens": prompt + completion}
                self.reply(200, {"id": "c", "choices": [choice], "usage": usage})

        """# + PythonScriptServer.serveHandlerUntilStdinCloses

    /// Prices per million (input, output) tokens: gen 1 / 2, fuser 10 / 30, judge 5 / 15.
    static func suite(_ url: String) -> String {
        func model(_ name: String, _ input: Double, _ output: Double) -> String {
            "\(name): {kind: openai, base_url: \"\(url)/v1\", model: \(name), cache: false, supports_n: false, max_retries: 0, "
                + "price_per_million: {input: \(input), output: \(output)}}"
        }
        return suiteYAML(name: "costs", seed: 11, task: ["name: arith", "generate: {kind: arithmetic, items: 6, digits: 2}"],
                         models: [model("gen", 1, 2), model("fuser", 10, 30), model("judge", 5, 15)],
                         verifiers: ["judge: {kind: judge, model: judge}"],
                         strategies: ["fuse3: {kind: fusion, n: 3, temperature: 0.8, fuser: fuser, max_tokens: 64}",
                                      "one: {kind: single, temperature: 0.8, max_tokens: 64}"],
                         systems: ["matrix: {model: [gen], strategy: [fuse3, one], verifier: [judge]}"],
                         tail: ["compare:", "  comparisons: none", "  group_size: 2", "  max_interims: 1", "  permutations: 1000"])
    }

    /// USD of one call with these tokens at this price per million.
    static func usd(_ prompt: Double, _ completion: Double, _ input: Double, _ output: Double) -> Double {
        (prompt * input + completion * output) / 1e6
    }

    // By hand: fusion reads 3 generator samples, makes 1 fuser call and 1 judge call per item;
    // single reads 1 sample and makes 1 judge call.
    static let gen = usd(100, 50, 1, 2), fuser = usd(300, 80, 10, 30), judge = usd(400, 20, 5, 15)
    static let fusedPerItem = 3 * gen + fuser + judge   // 0.0083
    static let plainPerItem = gen + judge               // 0.0025

    static func run(_ path: String, db: String, out: String, seeds: Int?) async throws -> RunReport {
        var options = Session.Options()
        options.databasePath = db
        options.outputDirectory = out
        options.workers = 4
        options.showProgress = false
        return try await Session.open(suitePath: path, options: options).run(seeds: seeds)
    }

    @Test func costPerItemIsEachCallAtItsOwnModelsPriceWithTheJudgesCallsAndPlanPredictsIt() async throws {
        let server = try PythonScriptServer(script: Self.script, name: "priced chat server")
        defer { server.stop() }
        let dir = try makeTempDir("call-costs")
        let path = try writeFile(dir, "costs.yaml", Self.suite(server.url))
        let db = dir + "/db.sqlite"

        // A pilot seed, then the plan of the rest from its recorded token means.
        _ = try await Self.run(path, db: db, out: dir + "/out", seeds: 1)
        let pilot = try StoreReader(path: db)
        let fusedFingerprint = try #require(try SuiteLoader.load(path: path).system("gen/fuse3")).fingerprint
        let seed0 = try #require(try pilot.seedRuns(systemFingerprint: fusedFingerprint, seeds: 1).first)
        #expect(abs(try #require(seed0.costPerItem) - Self.fusedPerItem) < 1e-12, "\(seed0)")
        let plan = try Plan.make(suitePath: path, databasePath: db)
        let fusedPlan = try #require(plan.systems.first { $0.name == "gen/fuse3" })
        let plainPlan = try #require(plan.systems.first { $0.name == "gen/one" })
        // One more seed of 6 items is what the plan prices (seed 0 is committed).
        let predictedFused = fusedPlan.figures.usd.expected / 6, predictedPlain = plainPlan.figures.usd.expected / 6

        let report = try await Self.run(path, db: db, out: dir + "/out", seeds: nil)
        let rows = Dictionary(uniqueKeysWithValues: report.leaderboard.rows.map { ($0.name, $0) })
        let fused = try #require(rows["gen/fuse3"]), plain = try #require(rows["gen/one"])
        #expect(fused.seeds == 2 && plain.seeds == 2)
        #expect(abs(try #require(fused.costPerItem) - Self.fusedPerItem) < 1e-12, "fused \(String(describing: fused.costPerItem))")
        #expect(abs(try #require(plain.costPerItem) - Self.plainPerItem) < 1e-12, "plain \(String(describing: plain.costPerItem))")
        #expect(abs(fused.verifierCallsPerItem - 1) < 1e-12 && abs(fused.verifierTokensPerItem - 420) < 1e-9)
        #expect(abs(fused.verifierCostPerItem! - Self.judge) < 1e-12)
        #expect(abs(predictedFused / Self.fusedPerItem - 1) < 0.05, "plan \(predictedFused) vs \(Self.fusedPerItem)")
        #expect(abs(predictedPlain / Self.plainPerItem - 1) < 0.05, "plan \(predictedPlain) vs \(Self.plainPerItem)")

        // The judge's calls are recorded: a judged candidate is asked once, and a resume asks nothing.
        let before = try await Self.counts(server)
        _ = try await Self.run(path, db: db, out: dir + "/out", seeds: nil)
        #expect(try await Self.counts(server) == before)
        #expect((before["judge"] ?? 0) >= 1)
    }

    static func counts(_ server: PythonScriptServer) async throws -> [String: Int] {
        let exchange = try await SharedHTTPClient.shared.post(url: server.url + "/count", headers: [], body: Array("{}".utf8), timeout: 5)
        guard case .object(let o)? = JSONValue.parse(exchange.body) else { return [:] }
        return o.compactMapValues { $0.intValue }
    }
}
