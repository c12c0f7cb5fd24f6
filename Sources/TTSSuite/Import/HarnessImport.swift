import TTSCore
import Foundation

/// Completions taken from another harness's log (lm-evaluation-harness `--log_samples`, Inspect
/// AI), ready to be written as a replay JSONL, an items file and a suite over them.
///
///     var run = try LMEvalLog.read(path: "samples_gsm8k.jsonl", shownAs: "samples_gsm8k.jsonl")
///     try run.append(LMEvalLog.read(path: "more.jsonl", shownAs: "more.jsonl"))   // repeats add up
///     let replay = run.replayJSONL()   // one line a completion, with sample_index
///
/// Each completion carries its position among the item's repeats at its temperature
/// (`sample_index` 0, 1, 2, ...), since an importer cannot know a suite's request seeds; a
/// `kind: replay` model with `repeats_per_seed: K` serves sample `i` of seed `s` from repeat
/// `s*K + i` (see docs/importing.md).
public struct HarnessImport: Sendable, Equatable {
    /// An item of the imported task: its id, the prompt (or question) and the reference answer.
    public struct Item: Sendable, Equatable {
        public var id: String
        public var question: String
        public var answer: String
    }
    /// One imported completion.
    public struct Completion: Sendable, Equatable {
        public var itemID: String
        public var temperature: Double
        public var sampleIndex: Int
        public var text: String
        public var finishReason: String?
        public var promptTokens: Int?
        public var completionTokens: Int?
        public var latencyMs: Double?
        /// What the source harness scored it (e.g. Inspect's "C"/"I", lm-eval's metric), for reference.
        public var sourceScore: String?
        /// The thinking the log records apart from the text (Inspect's reasoning content blocks);
        /// thinking inline in the text (`<think>…</think>`) stays there and is split when replayed.
        public var reasoning: String? = nil
    }

    /// "lm-eval" or "inspect".
    public var harness: String
    /// The task and model names the log gives.
    public var task: String
    public var model: String
    /// The files read, as shown.
    public var sources: [String]
    public var items: [Item] = []
    public var completions: [Completion] = []
    /// Samples left out, with the reason (e.g. an Inspect sample that ended in an error).
    public var skipped: [String] = []

    /// An empty import that `append` fills.
    public init(harness: String, task: String, model: String, sources: [String] = []) {
        self.harness = harness
        self.task = task
        self.model = model
        self.sources = sources
    }

    /// Adds another log's completions: an item seen before gets its repeats appended (its
    /// sample indices continue), so several runs of one task pool their samples.
    public mutating func append(_ other: HarnessImport) throws(ImportError) {
        var next = Dictionary(grouping: completions, by: { RepeatKey(item: $0.itemID, temperature: $0.temperature) })
            .mapValues { $0.count }
        let known = Dictionary(items.map { ($0.id, $0) }, uniquingKeysWith: { a, _ in a })
        for item in other.items {
            if let seen = known[item.id] {
                guard seen.answer == item.answer else {
                    throw ImportError(description: "\(other.sources.joined(separator: ", ")): item \(item.id) has answer \(quoted(item.answer)) there but \(quoted(seen.answer)) in \(sources.joined(separator: ", "))")
                }
            } else {
                items.append(item)
            }
        }
        // `other`'s indices start at 0 per item; shift them past what is here.
        for var c in other.completions.sorted(by: { ($0.itemID, $0.temperature, $0.sampleIndex) < ($1.itemID, $1.temperature, $1.sampleIndex) }) {
            let key = RepeatKey(item: c.itemID, temperature: c.temperature)
            c.sampleIndex = next[key, default: 0]
            next[key, default: 0] += 1
            completions.append(c)
        }
        sources += other.sources
        skipped += other.skipped
        if model != other.model { model = model + "+" + other.model }
        if task != other.task { task = task + "+" + other.task }
    }

    struct RepeatKey: Hashable { var item: String; var temperature: Double }

    /// Items whose repeats at a temperature above 0 are all the same text. lm-eval's API models
    /// send one fixed `seed` with every request, so a server that honours seeds (llama.cpp,
    /// vLLM) answers every repeat alike: such repeats are not independent samples.
    public var itemsWithIdenticalRepeats: [String] {
        var texts: [RepeatKey: Set<String>] = [:]
        var counts: [RepeatKey: Int] = [:]
        for c in completions where c.temperature > 0 {
            let key = RepeatKey(item: c.itemID, temperature: c.temperature)
            texts[key, default: []].insert(c.text)
            counts[key, default: 0] += 1
        }
        return Set(texts.filter { $0.value.count == 1 && counts[$0.key]! > 1 }.map(\.key.item)).sorted()
    }

    /// True for an lm-eval import in which every item's repeats above temperature 0 are the same
    /// text: the signature of lm-eval's fixed request seed, not of a confident model (a few such
    /// items are normal).
    public var harnessRepeatsLookSeeded: Bool {
        let same = itemsWithIdenticalRepeats
        return harness == "lm-eval" && !same.isEmpty && same.count == items.count
    }

    /// The temperatures the completions were drawn at.
    public var temperatures: [Double] { Set(completions.map(\.temperature)).sorted() }

    /// The fewest repeats any item has at `temperature` (0 when an item has none).
    public func fewestRepeats(at temperature: Double) -> Int {
        var counts: [String: Int] = [:]
        for c in completions where c.temperature == temperature { counts[c.itemID, default: 0] += 1 }
        return items.map { counts[$0.id] ?? 0 }.min() ?? 0
    }

    /// A fingerprint for the replay model: the harness, task, model and a hash of the completions.
    public var fingerprint: String {
        var h = StableHasher()
        for c in completions {
            h.combine(c.itemID)
            h.combine(c.temperature)
            h.combine(c.sampleIndex)
            h.combine(c.text)
        }
        return "import|\(harness)|task=\(task)|model=\(model)|completions=\(String(h.finalize(), radix: 16))"
    }

    /// The replay JSONL: one completion a line (`item_id`, `temperature`, `sample_index`, `text`, ...).
    public func replayJSONL() -> String {
        let fp = fingerprint
        var out = ""
        for c in completions {
            var o: [String: JSONValue] = [
                "item_id": .string(c.itemID), "temperature": .double(c.temperature), "sample_index": .int(Int64(c.sampleIndex)),
                "text": .string(c.text), "model_fingerprint": .string(fp),
            ]
            if let v = c.finishReason { o["finish_reason"] = .string(v) }
            if let v = c.promptTokens { o["prompt_tokens"] = .int(Int64(v)) }
            if let v = c.completionTokens { o["completion_tokens"] = .int(Int64(v)) }
            if let v = c.latencyMs { o["latency_ms"] = .double(v) }
            if let v = c.sourceScore { o["source_score"] = .string(v) }
            if let v = c.reasoning { o["reasoning"] = .string(v) }
            out += JSONValue.object(o).canonicalString + "\n"
        }
        return out
    }

    /// The items file a suite reads (`id`, `question`, `answer`), in the log's order.
    public func itemsJSONL() -> String {
        items.map { JSONValue.object(["id": .string($0.id), "question": .string($0.question), "answer": .string($0.answer)]).canonicalString + "\n" }
            .joined()
    }
}

/// A log that cannot be imported; the message names the file and line (JSONL) or the sample.
public struct ImportError: Error, CustomStringConvertible, Sendable {
    public var description: String
    public init(description: String) { self.description = description }
}

func quoted(_ s: String) -> String { JSONValue.string(s).canonicalString }
