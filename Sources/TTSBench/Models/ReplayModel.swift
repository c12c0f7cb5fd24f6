import Foundation
import GRDB

/// A `kind: replay` model: serves completions recorded earlier instead of calling a model, so
/// an expensive sample pool can be re-analysed with other strategies offline.
///
/// A replay model takes the fingerprint of the model it replays, so a suite with the same seed,
/// task, prompt and decoding limits derives the same per-sample request seeds; each request is
/// then answered with the recorded sample of the same (item, temperature, request seed).
/// Requests with no recorded sample fail (recorded as failed samples, never invented).
public struct ReplayModel: ModelClient {
    public let name: String
    let lookup: @Sendable (String, Double, UInt64) throws -> Completion?

    public init(name: String, parameters: ReplayModelParameters) throws {
        self.name = name
        switch parameters.source {
        case .database(let path, _, _):
            var config = Configuration()
            config.readonly = true
            let db: DatabaseQueue
            do { db = try DatabaseQueue(path: path, configuration: config) } catch {
                throw ModelError(model: name, message: "cannot open the replay database \(parameters.shownPath): \(error)")
            }
            lookup = { item, temperature, seed in
                try db.read { db in
                    guard let row = try Row.fetchOne(db, sql: """
                        SELECT text, finish_reason, prompt_tokens, completion_tokens, latency_ms, tokens_estimated
                        FROM samples WHERE request_seed = ? AND item_id = ? AND temperature = ? AND text IS NOT NULL LIMIT 1
                        """, arguments: [Int64(bitPattern: seed), item, temperature]) else { return nil }
                    var c = Completion(text: row[0], finishReason: row[1] ?? "", promptTokens: row[2] ?? 0,
                                       completionTokens: row[3] ?? 0, latencyMs: row[4] ?? 0, tokensEstimated: row[5] ?? false)
                    c.attempts = 0
                    c.cached = true
                    return c
                }
            }
        case .jsonl(let path):
            let records = try Self.readJSONL(path: path, shownAs: parameters.shownPath, model: name)
            lookup = { item, temperature, seed in records.samples[ReplayKey(item: item, temperature: temperature, seed: seed)] }
        }
    }

    public func generate(_ request: GenerationRequest) async throws -> [Completion] {
        guard let context = request.context else {
            throw ModelError(model: name, message: "a replay model needs the item of the request")
        }
        let n = max(1, request.n)
        let seeds = context.sampleSeeds.count == n ? context.sampleSeeds : (0..<n).map { request.seed &+ UInt64($0) }
        var out: [Completion?] = []
        var errors: [String?] = []
        for seed in seeds {
            let c = try lookup(context.item.id, request.temperature, seed)
            out.append(c)
            errors.append(c == nil ? "model '\(name)': no recorded sample for item \(context.item.id) at temperature \(request.temperature) with request seed \(seed)" : nil)
        }
        if errors.contains(where: { $0 != nil }) {
            throw PartialGenerationError(model: name, completions: out, errors: errors)
        }
        return out.map { $0! }
    }

    struct ReplayKey: Hashable {
        var item: String
        var temperature: Double
        var seed: UInt64
    }

    struct JSONLRecords: Sendable {
        var samples: [ReplayKey: Completion]
        /// The recorded model's fingerprint, when every line names the same one.
        var fingerprint: String?
    }

    /// One recorded sample a line: `item_id`, `temperature`, `request_seed` (as stored, a signed
    /// 64-bit integer), `text`, and optionally `finish_reason`, `prompt_tokens`,
    /// `completion_tokens`, `latency_ms`, `model_fingerprint` (the replayed model's).
    static func readJSONL(path: String, shownAs: String, model: String) throws -> JSONLRecords {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw ModelError(model: model, message: "cannot read the replay file \(shownAs)")
        }
        var samples: [ReplayKey: Completion] = [:]
        var fingerprints = Set<String>()
        var lineNumber = 0
        for line in data.split(separator: UInt8(ascii: "\n"), omittingEmptySubsequences: false) {
            lineNumber += 1
            if line.allSatisfy({ $0 == 32 || $0 == 9 || $0 == 13 }) { continue }
            guard let v = JSONValue.parse(line), v.objectValue != nil else {
                throw ModelError(model: model, message: "\(shownAs):\(lineNumber): not a JSON object")
            }
            guard let item = v["item_id"]?.stringValue ?? v["item_id"]?.intValue.map(String.init),
                  let temperature = v["temperature"]?.doubleValue,
                  let seed = v["request_seed"]?.intValue,
                  let text = v["text"]?.stringValue else {
                throw ModelError(model: model, message: "\(shownAs):\(lineNumber): needs item_id, temperature, request_seed and text")
            }
            var c = Completion(text: text, finishReason: v["finish_reason"]?.stringValue ?? "",
                               promptTokens: v["prompt_tokens"]?.intValue ?? 0, completionTokens: v["completion_tokens"]?.intValue ?? 0,
                               latencyMs: v["latency_ms"]?.doubleValue ?? 0)
            c.attempts = 0
            c.cached = true
            samples[ReplayKey(item: item, temperature: temperature, seed: UInt64(bitPattern: Int64(seed)))] = c
            if let fp = v["model_fingerprint"]?.stringValue { fingerprints.insert(fp) }
        }
        return JSONLRecords(samples: samples, fingerprint: fingerprints.count == 1 ? fingerprints.first : nil)
    }
}
