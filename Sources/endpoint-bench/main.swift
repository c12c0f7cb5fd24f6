import TTSCore
import TTSStore
import TTSSuite
import TTSRuntime
// Request-rate benchmark of ttsbench's client path against an endpoint that answers instantly
// (issue 4; bench/endpoint/run.sh starts nginx with a canned chat completion and compares with
// wrk and a Python aiohttp client). Every request goes the way a run's samples go:
//
//   CallPool.samples → OpenAIClient.generate → request cache lookup (SQLite) → request body
//   (canonical JSON) → the shared transport (HTTP1Client for http://, keep-alive) → JSON decoding →
//   cache write and sample record (batched SQLite transactions) → the pool's in-memory block,
//   evicted once its seed index is done (as the runner does).
//
// Requests are spread over `--items` items per seed index; each seed index is a block of the
// pool, evicted when all its requests are done, so memory should stay flat however many
// requests are made. RSS is read from /proc/self/status.
import Foundation
import TTSModels
import TTSSeams


struct Args {
    var url = "http://127.0.0.1:8080/v1"
    var requests = 100_000
    var concurrency = 256
    var items = 1000
    var warmup = 10_000
    /// full: the whole path; cache: OpenAIClient.generate with the request cache, without the
    /// pool; pool: the pool and its sample records, the client without the cache; client:
    /// OpenAIClient.generate without cache, pool or store; transport: the HTTP transport runs use
    /// (HTTP1Client for http://) posting a prebuilt body; http: AsyncHTTPClient posting it (the
    /// baseline of issue 15's target).
    var mode = "full"
    var db = NSTemporaryDirectory() + "endpoint-bench-\(ProcessInfo.processInfo.processIdentifier).sqlite"

    init() {
        var it = CommandLine.arguments.dropFirst().makeIterator()
        while let a = it.next() {
            guard let v = it.next() else { fatalError("\(a) needs a value") }
            switch a {
            case "--url": url = v
            case "--requests": requests = Int(v)!
            case "--concurrency": concurrency = Int(v)!
            case "--items": items = Int(v)!
            case "--warmup": warmup = Int(v)!
            case "--db": db = v
            case "--mode": mode = v
            default: fatalError("unknown argument \(a)")
            }
        }
    }
}

/// Resident set size in KiB (VmRSS).
func rssKiB() -> Int {
    guard let status = try? String(contentsOfFile: "/proc/self/status", encoding: .utf8) else { return -1 }
    for line in status.split(separator: "\n") where line.hasPrefix("VmRSS:") {
        return Int(line.split(separator: " ", omittingEmptySubsequences: true)[1]) ?? -1
    }
    return -1
}

/// Counts finished requests per seed index and evicts a block when it is complete.
actor Progress {
    private var remaining: [Int: Int] = [:]
    private(set) var done = 0
    private(set) var failed = 0
    private var marks: [Int: (ContinuousClock.Instant, Int)] = [:]
    let perSeed: Int

    init(perSeed: Int) { self.perSeed = perSeed }

    /// Returns true when `seed`'s block is now complete.
    func finish(seed: Int, ok: Bool, markAt: Set<Int>) -> Bool {
        done += 1
        if !ok { failed += 1 }
        if markAt.contains(done) { marks[done] = (.now, rssKiB()) }
        let left = (remaining[seed] ?? perSeed) - 1
        remaining[seed] = left
        if left == 0 { remaining[seed] = nil; return true }
        return false
    }

    func mark(_ n: Int) -> (ContinuousClock.Instant, Int)? { marks[n] }
}

let args = Args()
try? FileManager.default.removeItem(atPath: args.db)
for suffix in ["-wal", "-shm"] { try? FileManager.default.removeItem(atPath: args.db + suffix) }

let rssStart = rssKiB()
let store = try Store(path: args.db)
var parameters = OpenAIModelParameters(baseURLs: [args.url], model: "canned", api: .chat, maxConcurrency: args.concurrency,
                                       timeout: 30, maxRetries: 2)
parameters.supportsN = .false
let client = try OpenAIClient(name: "canned", parameters: parameters, cache: StoreRequestCache(store: store))
let pool = CallPool(store: store, suiteSeed: 1)
let plainClient = try OpenAIClient(name: "canned", parameters: parameters, cache: nil)
let httpURL = args.url + "/chat/completions"
let httpBody = JSONValue.object(plainClient.body(GenerationRequest(messages: [ChatMessage(role: "user", content: "Compute $1 + 2$.")], temperature: 0.8,
                                                  seed: 1), seed: 1, n: 1)).canonicalBytes

let handle = CallPool.Handle(id: "endpoint-bench", modelName: "canned")
let items = (0..<args.items).map { TaskItem(id: "item-\($0)", question: "Compute $\($0) + \($0 * 7 % 100)$.", answer: "\($0 + $0 * 7 % 100)") }
let progress = Progress(perSeed: args.items)
let marks: Set<Int> = [args.warmup, args.requests]

let start = ContinuousClock.now
try await withThrowingTaskGroup(of: Void.self) { group in
    var next = 0
    func launch(_ r: Int) {
        let seed = r / args.items
        let item = items[r % args.items]
        let prompt = "Solve the problem. Put the final answer in \\boxed{}.\n\n" + item.question
        if args.mode == "transport" {
            group.addTask {
                let exchange = try await SharedHTTPClient.shared.post(url: httpURL, headers: [], body: httpBody, timeout: 30)
                _ = await progress.finish(seed: seed, ok: exchange.status == 200 && !exchange.body.isEmpty, markAt: marks)
            }
            return
        }
        if args.mode == "http" {
            group.addTask {
                let exchange = try await SharedHTTPClient.shared.postWithAsyncHTTPClient(url: httpURL, headers: [], body: httpBody, timeout: 30)
                _ = await progress.finish(seed: seed, ok: exchange.status == 200 && !exchange.body.isEmpty, markAt: marks)
            }
            return
        }
        if args.mode == "cache" || args.mode == "client" {
            // The same request through the client with the store's cache ("cache") or without ("client").
            let modeClient = args.mode == "cache" ? client : plainClient
            group.addTask {
                let request = GenerationRequest(messages: [ChatMessage(role: "user", content: prompt)], temperature: 0.8, topP: 1,
                                                maxTokens: 256, seed: UInt64(r), n: 1)
                let completions = try await modeClient.generate(request)
                _ = await progress.finish(seed: seed, ok: AnswerExtractor.extract(completions[0].text, mode: .boxed) != nil, markAt: marks)
            }
            return
        }
        group.addTask {
            let samples = try await pool.samples(
                handle: handle, client: args.mode == "pool" ? plainClient : client,
                request: { seed, seeds, n in
                    GenerationRequest(messages: [ChatMessage(role: "user", content: prompt)], temperature: 0.8, topP: 1,
                                      maxTokens: 256, seed: seed, n: n, context: ItemContext(item: item, sampleSeeds: seeds))
                },
                item: item, extraction: .boxed, seedIndex: seed, temperature: 0.8, indices: 0..<1)
            let ok = samples.first?.error == nil && samples.first?.answer != nil
            if await progress.finish(seed: seed, ok: ok, markAt: marks) { try await pool.evict(seedIndex: seed) }
        }
    }
    while next < min(args.concurrency, args.requests) { launch(next); next += 1 }
    while try await group.next() != nil {
        if next < args.requests { launch(next); next += 1 }
    }
}
try await store.flush()
let end = ContinuousClock.now

func seconds(_ d: Duration) -> Double { Double(d.components.seconds) + Double(d.components.attoseconds) / 1e18 }
let (warmAt, rssWarm) = await progress.mark(args.warmup) ?? (start, rssStart)
let (_, rssEnd) = await progress.mark(args.requests) ?? (end, rssKiB())
let timed = args.requests - args.warmup
let rps = Double(timed) / seconds(end - warmAt)
let failed = await progress.failed
let recorded = try await store.sampleCount()
let cached = try await store.cacheCount()
let label = ["full": "ttsbench client path", "cache": "OpenAIClient with the request cache (no pool)",
             "pool": "pool and sample records, OpenAIClient without the cache",
             "client": "OpenAIClient alone (no cache, pool, store)",
             "transport": "ttsbench's HTTP/1.1 client alone (HTTP1Client, prebuilt body)",
             "http": "AsyncHTTPClient alone (prebuilt body)"][args.mode] ?? args.mode
print("\(label): \(args.requests) requests (\(timed) timed after \(args.warmup) warm-up) at \(args.concurrency) in flight: \(Int(rps)) requests/s")
print("  samples recorded: \(recorded), cache entries: \(cached), failed or unanswered: \(failed), HTTP requests: \(client.requestsSent)")
print("  RSS: \(rssStart / 1024) MiB at start, \(rssWarm / 1024) MiB after \(args.warmup) requests, \(rssEnd / 1024) MiB after \(args.requests)")
print("RESULT rps=\(Int(rps)) rss_start_kib=\(rssStart) rss_warm_kib=\(rssWarm) rss_end_kib=\(rssEnd) recorded=\(recorded) failed=\(failed)")
try? FileManager.default.removeItem(atPath: args.db)
for suffix in ["-wal", "-shm"] { try? FileManager.default.removeItem(atPath: args.db + suffix) }
