import TTSCore
import TTSStore
import Foundation

// Bytes per sample of the database on a suite with reasoning-length traces (`make bench`):
// the same samples written through the store with compressed texts (what runs do) and, as the
// baseline measured in the same run, with plain texts. Each trace is thinking of 5,000 to 30,000
// tokens (about four characters a token), drawn from the MATH-500 solutions (LaTeX prose, as
// reasoning models write) and cut by a seeded generator, with a short answer part.
//
//   storage-bench [--samples N] [--data PATH]

var samples = 400
var data = "../shared/datasets/math500.jsonl"
var args = CommandLine.arguments.dropFirst()
while let a = args.popFirst() {
    switch a {
    case "--samples": samples = Int(args.popFirst() ?? "") ?? samples
    case "--data": data = args.popFirst() ?? data
    default: FileHandle.standardError.write(Data("usage: storage-bench [--samples N] [--data math500.jsonl]\n".utf8)); exit(2)
    }
}
guard let file = FileManager.default.contents(atPath: data) else {
    FileHandle.standardError.write(Data("storage-bench: cannot read \(data) (MATH-500 JSONL with a 'solution' field)\n".utf8))
    exit(2)
}
let sentences: [String] = JSONLines.nonBlank(file).compactMap { JSONValue.parse($0.1)?["solution"]?.stringValue }
    .flatMap { $0.components(separatedBy: ". ") }.filter { !$0.isEmpty }
let cues = ["Wait, let me check that again. ", "Hmm, that does not look right. ", "So far so good. ", "Let me try another way. "]

var rng = SplitMix64(seed: 20261204)
var traces: [(thinking: String, answer: String, tokens: Int)] = []
for _ in 0..<samples {
    let tokens = 5_000 + Int(rng.next() % 25_001)
    var out = ""
    out.reserveCapacity(tokens * 4 + 200)
    while out.utf8.count < tokens * 4 {
        out += sentences[Int(rng.next() % UInt64(sentences.count))] + ". "
        if rng.next() % 6 == 0 { out += cues[Int(rng.next() % UInt64(cues.count))] }
    }
    traces.append((out, "So the final answer is $\\boxed{\(rng.next() % 1000)}$.", tokens))
}
let all = traces
let textBytes = traces.reduce(0) { $0 + $1.thinking.utf8.count + $1.answer.utf8.count }

func write(_ traces: [(thinking: String, answer: String, tokens: Int)], compressing: Bool) async throws -> (bytes: Int, seconds: Double) {
    let dir = NSTemporaryDirectory() + "storage-bench-\(ProcessInfo.processInfo.processIdentifier)-\(compressing)"
    try? FileManager.default.removeItem(atPath: dir)
    let path = dir + "/db.sqlite"
    let start = ContinuousClock.now
    let store = try Store(path: path, compressingTexts: compressing)
    for chunk in stride(from: 0, to: traces.count, by: 64) {
        try await store.record(traces[chunk..<min(chunk + 64, traces.count)].enumerated().map { offset, t in
            let i = chunk + offset
            return SampleRecord(pool: "bench", sample: StoredSample(
                itemID: "item-\(i / 8)", seedIndex: 0, temperature: 0.6, sampleIndex: i % 8, requestSeed: UInt64(i), text: t.answer,
                answer: "\(i)", finishReason: "stop", promptTokens: 120, completionTokens: t.tokens + 12, latencyMs: 1000,
                error: nil, extractRule: "boxed", reasoning: t.thinking, reasoningTokens: t.tokens))
        })
    }
    try await store.flush()
    // Read every sample back (what a resumed run does), so the timing covers decompression too.
    let back = try await store.samples(pool: "bench", seedIndex: 0)
    precondition(back.count == traces.count && back.values.allSatisfy { ($0.reasoning?.utf8.count ?? 0) > 0 })
    let elapsed = ContinuousClock.now - start
    let seconds = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
    let bytes = try await store.databaseBytes()
    try? FileManager.default.removeItem(atPath: dir)
    return (bytes, seconds)
}

let plain = try await write(all, compressing: false)
let packed = try await write(all, compressing: true)
print(String(format: "storage: %d samples with reasoning traces of 5k-30k tokens (%.0f text bytes a sample)", samples, Double(textBytes) / Double(samples)))
print(String(format: "storage: plain texts %.0f bytes/sample, zstd texts %.0f bytes/sample: ratio %.3f (%.1fx smaller); write+read %.2f s vs %.2f s",
             Double(plain.bytes) / Double(samples), Double(packed.bytes) / Double(samples),
             Double(packed.bytes) / Double(plain.bytes), Double(plain.bytes) / Double(packed.bytes), packed.seconds, plain.seconds))
