import TTSCore
import Foundation

/// A JSONL file of recorded samples that a `kind: replay` model serves: one sample a line, with
/// `item_id`, `temperature`, `text`, and either `request_seed` (as stored, a signed 64-bit
/// integer: a ttsbench export) or `sample_index` (the sample's position among the item's
/// repeats at that temperature: a log imported from another harness, see docs/importing.md);
/// optionally `finish_reason`, `prompt_tokens`, `completion_tokens`, `latency_ms`,
/// `model_fingerprint` (the replayed model's).
public struct ReplayFile: Sendable {
    /// An item at a temperature: the key of imported repeats.
    public struct RepeatKey: Hashable, Sendable {
        public var item: String
        public var temperature: Double
        public init(item: String, temperature: Double) {
            self.item = item
            self.temperature = temperature
        }
    }
    public struct Key: Hashable, Sendable {
        public var item: String
        public var temperature: Double
        public var seed: UInt64
        public init(item: String, temperature: Double, seed: UInt64) {
            self.item = item
            self.temperature = temperature
            self.seed = seed
        }
    }
    public struct Sample: Sendable {
        public var text: String
        public var finishReason: String
        public var promptTokens: Int
        public var completionTokens: Int
        public var latencyMs: Double
        /// The thinking recorded apart from `text`, when the source has it.
        public var reasoning: String? = nil
    }
    public struct ReadError: Error, CustomStringConvertible, Sendable {
        public var description: String
    }

    public var samples: [Key: Sample]
    /// Imported repeats (lines with `sample_index`): per item and temperature, by index.
    public var repeats: [RepeatKey: [Int: Sample]] = [:]
    /// The recorded model's fingerprint, when every line names the same one.
    public var fingerprint: String?

    public init(samples: [Key: Sample], repeats: [RepeatKey: [Int: Sample]] = [:], fingerprint: String?) {
        self.samples = samples
        self.repeats = repeats
        self.fingerprint = fingerprint
    }

    /// The fewest imported repeats any item has at any temperature (nil when the file has none).
    public var fewestRepeats: Int? { repeats.values.map(\.count).min() }

    /// What a replay `file` holds (`format:` in a suite).
    public enum Format: String, Sendable, Equatable, CaseIterable {
        /// ttsbench's replay JSONL (this type's lines).
        case replay
        /// An lm-evaluation-harness `--log_samples` file, read as `ttsbench import lm-eval` reads it.
        case lmEval = "lm-eval"
        /// An Inspect AI log (`--log-format json`), read as `ttsbench import inspect` reads it.
        case inspect
    }

    /// Reads a file of any `Format`; another harness's log gives imported repeats.
    public static func load(path: String, shownAs: String, format: Format) throws(ReadError) -> ReplayFile {
        let run: HarnessImport
        do {
            switch format {
            case .replay: return try read(path: path, shownAs: shownAs)
            case .lmEval: run = try LMEvalLog.read(path: path, shownAs: shownAs)
            case .inspect: run = try InspectLog.read(path: path, shownAs: shownAs)
            }
        } catch let error as ImportError {
            throw ReadError(description: error.description)
        } catch {
            throw ReadError(description: "\(error)")
        }
        var repeats: [RepeatKey: [Int: Sample]] = [:]
        for c in run.completions {
            repeats[RepeatKey(item: c.itemID, temperature: c.temperature), default: [:]][c.sampleIndex] = Sample(
                text: c.text, finishReason: c.finishReason ?? "", promptTokens: c.promptTokens ?? 0,
                completionTokens: c.completionTokens ?? 0, latencyMs: c.latencyMs ?? 0, reasoning: c.reasoning)
        }
        return ReplayFile(samples: [:], repeats: repeats, fingerprint: run.fingerprint)
    }

    /// Reads the file; errors name `shownAs` and the line.
    public static func read(path: String, shownAs: String) throws(ReadError) -> ReplayFile {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw ReadError(description: "cannot read the replay file \(shownAs)")
        }
        var samples: [Key: Sample] = [:]
        var repeats: [RepeatKey: [Int: Sample]] = [:]
        var fingerprints = Set<String>()
        for (lineNumber, line) in JSONLines.nonBlank(data) {
            guard let v = JSONValue.parse(line), v.objectValue != nil else {
                throw ReadError(description: "\(shownAs):\(lineNumber): not a JSON object")
            }
            guard let item = v["item_id"]?.stringValue ?? v["item_id"]?.intValue.map(String.init),
                  let temperature = v["temperature"]?.doubleValue,
                  let text = v["text"]?.stringValue else {
                throw ReadError(description: "\(shownAs):\(lineNumber): needs item_id, temperature, text and request_seed or sample_index")
            }
            let sample = Sample(
                text: text, finishReason: v["finish_reason"]?.stringValue ?? "", promptTokens: v["prompt_tokens"]?.intValue ?? 0,
                completionTokens: v["completion_tokens"]?.intValue ?? 0, latencyMs: v["latency_ms"]?.doubleValue ?? 0,
                reasoning: v["reasoning"]?.stringValue)
            switch (v["request_seed"]?.intValue, v["sample_index"]?.intValue) {
            case (let seed?, nil):
                samples[Key(item: item, temperature: temperature, seed: UInt64(bitPattern: Int64(seed)))] = sample
            case (nil, let index?):
                guard index >= 0 else {
                    throw ReadError(description: "\(shownAs):\(lineNumber): sample_index \(index) is negative")
                }
                let key = RepeatKey(item: item, temperature: temperature)
                if repeats[key]?[index] != nil {
                    throw ReadError(description: "\(shownAs):\(lineNumber): item \(item) at temperature \(temperature) has sample_index \(index) twice")
                }
                repeats[key, default: [:]][index] = sample
            case (.some, .some):
                throw ReadError(description: "\(shownAs):\(lineNumber): takes request_seed or sample_index, not both")
            case (nil, nil):
                throw ReadError(description: "\(shownAs):\(lineNumber): needs item_id, temperature, text and request_seed or sample_index")
            }
            if let fp = v["model_fingerprint"]?.stringValue { fingerprints.insert(fp) }
        }
        for (key, byIndex) in repeats where byIndex.count != (byIndex.keys.max() ?? -1) + 1 {
            let missing = (0..<byIndex.count + 1).first { byIndex[$0] == nil }!
            throw ReadError(description: "\(shownAs): item \(key.item) at temperature \(key.temperature) has no sample_index \(missing) (indices must run 0, 1, 2, ...)")
        }
        return ReplayFile(samples: samples, repeats: repeats, fingerprint: fingerprints.count == 1 ? fingerprints.first : nil)
    }
}
