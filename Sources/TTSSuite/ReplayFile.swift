import TTSCore
import Foundation

/// A JSONL file of recorded samples that a `kind: replay` model serves: one sample a line, with
/// `item_id`, `temperature`, `request_seed` (as stored, a signed 64-bit integer), `text`, and
/// optionally `finish_reason`, `prompt_tokens`, `completion_tokens`, `latency_ms`,
/// `model_fingerprint` (the replayed model's).
public struct ReplayFile: Sendable {
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
    }
    public struct ReadError: Error, CustomStringConvertible, Sendable {
        public var description: String
    }

    public var samples: [Key: Sample]
    /// The recorded model's fingerprint, when every line names the same one.
    public var fingerprint: String?

    /// Reads the file; errors name `shownAs` and the line.
    public static func read(path: String, shownAs: String) throws(ReadError) -> ReplayFile {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw ReadError(description: "cannot read the replay file \(shownAs)")
        }
        var samples: [Key: Sample] = [:]
        var fingerprints = Set<String>()
        var lineNumber = 0
        for line in data.split(separator: UInt8(ascii: "\n"), omittingEmptySubsequences: false) {
            lineNumber += 1
            if line.allSatisfy({ $0 == 32 || $0 == 9 || $0 == 13 }) { continue }
            guard let v = JSONValue.parse(line), v.objectValue != nil else {
                throw ReadError(description: "\(shownAs):\(lineNumber): not a JSON object")
            }
            guard let item = v["item_id"]?.stringValue ?? v["item_id"]?.intValue.map(String.init),
                  let temperature = v["temperature"]?.doubleValue,
                  let seed = v["request_seed"]?.intValue,
                  let text = v["text"]?.stringValue else {
                throw ReadError(description: "\(shownAs):\(lineNumber): needs item_id, temperature, request_seed and text")
            }
            samples[Key(item: item, temperature: temperature, seed: UInt64(bitPattern: Int64(seed)))] = Sample(
                text: text, finishReason: v["finish_reason"]?.stringValue ?? "", promptTokens: v["prompt_tokens"]?.intValue ?? 0,
                completionTokens: v["completion_tokens"]?.intValue ?? 0, latencyMs: v["latency_ms"]?.doubleValue ?? 0)
            if let fp = v["model_fingerprint"]?.stringValue { fingerprints.insert(fp) }
        }
        return ReplayFile(samples: samples, fingerprint: fingerprints.count == 1 ? fingerprints.first : nil)
    }
}
